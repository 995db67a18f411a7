/* Knowledge bases: list and create, drag-and-drop upload with per-file status, delete, reindex. */
(function () {
  "use strict";
  const { t, el, api, say, fmtTime, fmtSize } = window.XY;
  const list = document.getElementById("kb-list");
  const createForm = document.getElementById("kb-create");
  const none = document.getElementById("kb-none");
  const detail = document.getElementById("kb-detail");
  const title = document.getElementById("kb-title");
  const message = document.getElementById("kb-message");
  const createMsg = document.getElementById("kb-create-msg");
  const dropzone = document.getElementById("dropzone");
  const fileInput = document.getElementById("file-input");
  const tagsInput = document.getElementById("upload-tags");
  const uploadBox = document.getElementById("upload-box");
  const uploadList = document.getElementById("upload-list");
  const docBody = document.querySelector("#doc-table tbody");
  const BATCH = 50; // files per request (the API takes up to 200)
  let current = null;

  function kbPath(name) {
    return "/api/kb/" + encodeURIComponent(name);
  }

  async function loadKbs() {
    let kbs;
    try {
      kbs = await api("/api/kb");
    } catch (e) {
      list.replaceChildren(el("li", { class: "alert alert-error", text: e.message }));
      return;
    }
    list.replaceChildren(...kbs.map((kb) => el("li", {},
      el("button", {
        type: "button", class: "kb-item" + (kb.name === current ? " selected" : ""),
        "aria-pressed": kb.name === current ? "true" : "false", "data-kb": kb.name,
        onclick: () => select(kb.name),
      },
      el("span", { class: "kb-item-name", text: kb.name }),
      kb.description ? el("span", { class: "kb-item-desc", text: kb.description }) : null,
      el("span", { class: "kb-item-counts muted", text: t("kb_counts", { docs: kb.documents, chunks: kb.chunks }) })))));
    if (!kbs.length) list.replaceChildren(el("li", { class: "muted", text: t("no_kb") }));
    if (!current) {
      const wanted = decodeURIComponent(location.hash.slice(1));
      if (wanted && kbs.some((kb) => kb.name === wanted)) select(wanted);
    }
  }

  function select(name) {
    current = name;
    history.replaceState(null, "", "#" + encodeURIComponent(name));
    for (const b of list.querySelectorAll(".kb-item")) {
      const on = b.getAttribute("data-kb") === name;
      b.classList.toggle("selected", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    title.textContent = name;
    none.hidden = true;
    detail.hidden = false;
    say(message, "");
    uploadList.replaceChildren();
    uploadBox.hidden = true;
    loadDocs();
  }

  async function loadDocs() {
    const kb = current;
    let docs;
    try {
      docs = await api(kbPath(kb) + "/documents");
    } catch (e) {
      say(message, e.message, "error");
      return;
    }
    if (kb !== current) return;
    if (!docs.length) {
      docBody.replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("no_docs") })));
      return;
    }
    docBody.replaceChildren(...docs.map((d) => el("tr", { "data-doc": d.name },
      el("td", { class: "doc-name", text: d.name, title: d.title || d.name }),
      el("td", { text: d.format }),
      el("td", { class: "num", text: d.pages === null ? "" : d.pages }),
      el("td", { class: "num", text: d.chunks }),
      el("td", {}, el("span", {
        class: "badge " + (d.status === "indexed" ? "badge-ok" : d.status === "failed" ? "badge-bad" : ""),
        text: t("st_" + d.status) === "st_" + d.status ? d.status : t("st_" + d.status),
        title: d.error_message || null,
      })),
      el("td", { class: "num", text: fmtSize(d.size_bytes) }),
      el("td", { text: fmtTime(d.updated_at) }),
      el("td", {}, el("button", {
        type: "button", class: "btn btn-small btn-danger", text: t("delete"),
        onclick: () => removeDoc(d),
      })))));
  }

  async function removeDoc(d) {
    if (!window.confirm(t("confirm_delete", { name: d.name }))) return;
    try {
      await api(kbPath(current) + "/documents/" + encodeURIComponent(d.id), { method: "DELETE" });
      say(message, t("deleted", { name: d.name }), "ok");
    } catch (e) {
      say(message, e.message, "error");
    }
    loadDocs();
    loadKbs();
  }

  createForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = document.getElementById("kb-name").value.trim();
    const description = document.getElementById("kb-desc").value.trim();
    if (!name) return;
    try {
      await api("/api/kb", { method: "POST", json: { name, description } });
      createForm.reset();
      await loadKbs();
      select(name);
      say(createMsg, "");
      say(message, t("kb_created", { name }), "ok");
    } catch (e) {
      say(createMsg, e.message, "error");
    }
  });

  document.getElementById("reindex").addEventListener("click", async (ev) => {
    const button = ev.currentTarget;
    button.disabled = true;
    say(message, t("reindexing"));
    try {
      const r = await api(kbPath(current) + "/reindex", { method: "POST" });
      say(message, t("reindexed", { n: r.chunks }), "ok");
    } catch (e) {
      say(message, e.message, "error");
    } finally {
      button.disabled = false;
      loadKbs();
    }
  });

  // ---------------------------------------------------------------- uploads

  function uploadRow(file) {
    const badge = el("span", { class: "badge", text: t("st_uploading") });
    const note = el("span", { class: "upload-note muted" });
    const row = el("li", { class: "upload-row", "data-file": file.name },
      el("span", { class: "upload-name", text: file.name }),
      el("span", { class: "upload-size muted", text: fmtSize(file.size) }), badge, note);
    uploadList.append(row);
    return {
      row,
      set(status, text) {
        row.setAttribute("data-status", status);
        badge.textContent = t("st_" + status);
        badge.className = "badge " + ({ indexed: "badge-ok", unchanged: "badge-ok", failed: "badge-bad",
          rejected: "badge-bad" }[status] || "");
        note.textContent = text || "";
      },
    };
  }

  async function upload(files) {
    if (!current || !files.length) return;
    const kb = current;
    uploadBox.hidden = false;
    const rows = files.map((f) => ({ file: f, ui: uploadRow(f) }));
    for (let i = 0; i < rows.length; i += BATCH) {
      await uploadBatch(kb, rows.slice(i, i + BATCH));
    }
  }

  async function uploadBatch(kb, rows) {
    const body = new FormData();
    for (const r of rows) body.append("files", r.file, r.file.name);
    const tags = tagsInput.value.trim();
    if (tags) body.append("tags", tags);
    let res;
    try {
      res = await api(kbPath(kb) + "/documents", { method: "POST", body });
    } catch (e) {
      for (const r of rows) r.ui.set("failed", e.message);
      return;
    }
    // the server renames unsafe names: accepted names follow the order of the files it kept
    const rejected = new Map((res.rejected || []).map((x) => [x.name, x]));
    const accepted = [...(res.accepted || [])];
    const byName = new Map();
    for (const r of rows) {
      const rej = rejected.get(r.file.name);
      if (rej) {
        rejected.delete(r.file.name);
        r.ui.set("rejected", rej.error);
      } else if (accepted.length) {
        byName.set(accepted.shift(), r);
        r.ui.set("queued");
      } else {
        r.ui.set("failed");
      }
    }
    if (res.job_id) await poll(kb, res.job_id, byName);
    if (kb === current) loadDocs();
    loadKbs();
  }

  async function poll(kb, jobId, byName) {
    const seen = new Set();
    for (;;) {
      let job;
      try {
        job = await api(kbPath(kb) + "/jobs/" + encodeURIComponent(jobId));
      } catch (e) {
        for (const r of byName.values()) r.ui.set("failed", e.message);
        return;
      }
      for (const res of job.results || []) {
        const r = byName.get(res.name);
        if (!r || seen.has(res.name)) continue;
        seen.add(res.name);
        const note = res.status === "failed" ? res.error || res.error_code
          : res.chunks ? t("doc_chunks") + " " + res.chunks : "";
        r.ui.set(res.status, note);
      }
      if (job.status !== "running") {
        for (const [name, r] of byName) if (!seen.has(name)) r.ui.set("failed");
        return;
      }
      await new Promise((ok) => setTimeout(ok, 700));
    }
  }

  fileInput.addEventListener("change", () => {
    upload([...fileInput.files]);
    fileInput.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    dropzone.addEventListener(name, (ev) => {
      ev.preventDefault();
      dropzone.classList.add("dragging");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    dropzone.addEventListener(name, () => dropzone.classList.remove("dragging"));
  }
  dropzone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    upload([...(ev.dataTransfer ? ev.dataTransfer.files : [])]);
  });
  dropzone.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      fileInput.click();
    }
  });

  loadKbs();
})();
