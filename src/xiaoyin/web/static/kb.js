/* Knowledge bases: list and create, drag-and-drop upload with per-file status, delete, reindex,
   and who may see each document (its ACL), the knowledge base's default for new documents, and the
   ACL of an upload. */
(function () {
  "use strict";
  const { DATA, t, el, api, say, fmtTime, fmtSize, has } = window.XY;
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
  const defaultDesc = document.getElementById("default-acl-desc");
  const uploadAclDesc = document.getElementById("upload-acl-desc");
  const uploadAclClear = document.getElementById("upload-acl-clear");
  const PAGE = DATA.page || {};
  const BATCH = 50; // files per request (the API takes up to 200)
  const COLS = 9;
  let current = null;
  let kbInfo = {}; // name -> the API's KBInfo
  let uploadAcl = null; // null: the knowledge base's default

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
    kbInfo = Object.fromEntries(kbs.map((kb) => [kb.name, kb]));
    if (current) showDefault();
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
    setUploadAcl(null);
    showDefault();
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
      docBody.replaceChildren(el("tr", {}, el("td", { colspan: COLS, class: "muted", text: t("no_docs") })));
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
      el("td", { class: "doc-acl" }, aclChips(d.acl)),
      el("td", { class: "num", text: fmtSize(d.size_bytes) }),
      el("td", { text: fmtTime(d.updated_at) }),
      el("td", { class: "nowrap" },
        el("button", {
          type: "button", class: "btn btn-small doc-acl-edit", text: t("acl_edit"),
          onclick: () => editDocAcl(d),
        }), " ",
        el("button", {
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
    if (uploadAcl) body.append("acl", JSON.stringify(uploadAcl));
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
    if (ev.target === dropzone && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      fileInput.click();
    }
  });

  // ---------------------------------------------------------------- who may see a document

  const dialog = document.getElementById("acl-dialog");
  const aclForm = document.getElementById("acl-form");
  const aclTitle = document.getElementById("acl-title");
  const aclSubject = document.getElementById("acl-subject");
  const aclPublic = document.getElementById("acl-public");
  const aclGrants = document.getElementById("acl-grants");
  const aclUsers = document.getElementById("acl-users");
  const aclPreview = document.getElementById("acl-preview");
  const aclWarn = document.getElementById("acl-warn");
  const aclError = document.getElementById("acl-error");
  const CODE = /^[A-Za-z0-9_.\-]{1,64}$/;
  const org = { branches: null, departments: null }; // code -> name, when the user may read the lists
  let onSave = null;

  function roleLabel(r) {
    const s = t("role_" + r);
    return s === "role_" + r ? r : s;
  }

  /** ACL tags ("public", "branch:0101", ...) -> {public, branches, departments, roles, users}. */
  function parseTags(tags) {
    const acl = { public: false, branches: [], departments: [], roles: [], users: [] };
    const KIND = { branch: "branches", dept: "departments", role: "roles", user: "users" };
    for (const tag of tags || []) {
      if (tag === "public") { acl.public = true; continue; }
      const i = tag.indexOf(":");
      const kind = KIND[tag.slice(0, i)];
      if (i > 0 && kind) acl[kind].push(tag.slice(i + 1));
    }
    return acl;
  }

  /** The stored form of an ACL: sorted, de-duplicated tags. */
  function toTags(acl) {
    const tags = [];
    if (acl.public) tags.push("public");
    for (const b of acl.branches) tags.push("branch:" + b);
    for (const d of acl.departments) tags.push("dept:" + d);
    for (const r of acl.roles) tags.push("role:" + r);
    for (const u of acl.users) tags.push("user:" + u);
    return [...new Set(tags)].sort(); // as the server stores them

  }

  function orgName(kind, code) {
    const names = org[kind];
    return names && names[code] ? names[code] + " (" + code + ")" : code;
  }

  /** Chips naming who may see a document (tags as the API lists them). */
  function aclChips(tags) {
    const acl = parseTags(tags);
    const chips = [];
    const chip = (kind, text) => el("span", { class: "chip chip-" + kind, text });
    if (acl.public) chips.push(chip("public", t("acl_public_chip")));
    for (const b of acl.branches) chips.push(chip("branch", t("acl_branch_chip", { x: orgName("branches", b) })));
    for (const d of acl.departments) chips.push(chip("dept", t("acl_dept_chip", { x: orgName("departments", d) })));
    for (const r of acl.roles) chips.push(chip("role", t("acl_role_chip", { x: roleLabel(r) })));
    for (const u of acl.users) chips.push(chip("user", t("acl_user_chip", { x: u })));
    if (!chips.length) chips.push(chip("admins", t("acl_admins_only")));
    return el("span", { class: "acl-chips", "data-acl": (tags || []).join(" ") }, chips);
  }

  function visibleToMe(acl) {
    if (PAGE.sees_all) return true;
    const mine = new Set(PAGE.acl_tags || []);
    return toTags(acl).some((tag) => mine.has(tag));
  }

  /** A picker: checkboxes when the organisation list is known, else a field of comma-separated codes. */
  function picker(box, kind, chosen) {
    const names = org[kind];
    if (names) {
      const codes = Object.keys(names);
      for (const c of chosen) if (!codes.includes(c)) codes.push(c); // a code since removed: still shown
      box.replaceChildren(...codes.map((code) => el("label", { class: "check" },
        el("input", { type: "checkbox", name: kind, value: code, checked: chosen.includes(code) }),
        orgName(kind, code))));
      box.dataset.mode = "pick";
    } else {
      box.replaceChildren(el("input", {
        name: kind, value: chosen.join(", "), maxlength: 2000, autocomplete: "off",
        placeholder: t("acl_codes_hint"), "aria-label": t(kind === "branches" ? "acl_branches" : "acl_departments"),
      }));
      box.dataset.mode = "text";
    }
  }

  function codesOf(text) {
    return [...new Set(String(text || "").split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean))];
  }

  /** The dialog's current value; throws an Error naming a malformed code. */
  function readAcl() {
    const pick = (kind) => {
      const box = document.getElementById("acl-" + kind);
      if (box.dataset.mode === "pick") {
        return [...box.querySelectorAll('input[type="checkbox"]:checked')].map((x) => x.value);
      }
      return codesOf(box.querySelector("input").value);
    };
    const acl = {
      public: aclPublic.checked,
      branches: pick("branches"),
      departments: pick("departments"),
      roles: [...document.querySelectorAll('#acl-roles input[type="checkbox"]:checked')].map((x) => x.value),
      users: codesOf(aclUsers.value),
    };
    if (acl.public) return { public: true, branches: [], departments: [], roles: [], users: [] };
    for (const code of [...acl.branches, ...acl.departments, ...acl.users]) {
      if (!CODE.test(code)) throw new Error(t("acl_bad_code", { code }));
    }
    return acl;
  }

  function refreshPreview() {
    aclGrants.disabled = aclPublic.checked;
    let acl;
    try {
      acl = readAcl();
    } catch (e) {
      say(aclError, e.message, "error");
      return;
    }
    say(aclError, "");
    aclPreview.replaceChildren(el("span", { class: "muted", text: t("acl_preview") + " " }), aclChips(toTags(acl)));
    aclWarn.hidden = onSave === null || !onSave.warnSelf || visibleToMe(acl);
  }

  async function loadOrg() {
    if (!has("users.manage")) return; // the lists are for administrators: others type codes
    try {
      const [branches, departments] = await Promise.all([api("/api/admin/branches"), api("/api/admin/departments")]);
      org.branches = Object.fromEntries(branches.map((b) => [b.code, b.name]));
      org.departments = Object.fromEntries(departments.map((d) => [d.code, d.name]));
    } catch (e) {
      org.branches = org.departments = null;
    }
  }
  const orgReady = loadOrg();

  /** Open the dialog on an ACL; save(acl) does the work (throws to keep the dialog open). */
  async function openAcl(heading, subject, tags, save, warnSelf) {
    await orgReady;
    const acl = parseTags(tags);
    aclTitle.textContent = heading;
    aclSubject.textContent = subject || "";
    aclSubject.hidden = !subject;
    aclPublic.checked = acl.public;
    picker(document.getElementById("acl-branches"), "branches", acl.branches);
    picker(document.getElementById("acl-departments"), "departments", acl.departments);
    document.getElementById("acl-roles").replaceChildren(...(PAGE.roles || []).map((r) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "roles", value: r, checked: acl.roles.includes(r) }), roleLabel(r))));
    aclUsers.value = acl.users.join(", ");
    onSave = { save, warnSelf };
    say(aclError, "");
    refreshPreview();
    dialog.showModal();
  }

  aclForm.addEventListener("input", refreshPreview);
  aclForm.addEventListener("change", refreshPreview);
  document.getElementById("acl-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { onSave = null; });
  aclForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!onSave) return;
    let acl;
    try {
      acl = readAcl();
    } catch (e) {
      say(aclError, e.message, "error");
      return;
    }
    const button = document.getElementById("acl-save");
    button.disabled = true;
    try {
      await onSave.save(acl);
      dialog.close();
    } catch (e) {
      say(aclError, e.message, "error");
    } finally {
      button.disabled = false;
    }
  });

  function editDocAcl(d) {
    const kb = current;
    openAcl(t("acl_doc_title"), d.name, d.acl, async (acl) => {
      await api(kbPath(kb) + "/documents/" + encodeURIComponent(d.id) + "/acl", { method: "PUT", json: acl });
      say(message, visibleToMe(acl) ? t("acl_saved", { name: d.name }) : t("acl_saved_hidden", { name: d.name }),
          "ok");
      if (kb === current) loadDocs();
    }, true);
  }

  /** The default for new documents: shown when the API reports it (KBInfo.default_acl). */
  function showDefault() {
    const kb = kbInfo[current];
    const tags = kb && Array.isArray(kb.default_acl) ? kb.default_acl : null;
    defaultDesc.hidden = tags === null;
    if (tags !== null) defaultDesc.replaceChildren(t("acl_default_now") + " ", aclChips(tags));
  }

  document.getElementById("default-acl").addEventListener("click", () => {
    const kb = current;
    const known = kbInfo[kb] && Array.isArray(kbInfo[kb].default_acl);
    openAcl(t("acl_default_title"), kb + (known ? "" : " · " + t("acl_default_unknown")),
      known ? kbInfo[kb].default_acl : ["public"], async (acl) => {
        const info = await api(kbPath(kb) + "/default-acl", { method: "PUT", json: acl });
        if (info && typeof info === "object") kbInfo[kb] = Object.assign({ default_acl: toTags(acl) }, info);
        say(message, t("acl_default_saved", { name: kb }), "ok");
        showDefault();
      }, false);
  });

  function setUploadAcl(acl) {
    uploadAcl = acl;
    uploadAclDesc.replaceChildren(acl ? aclChips(toTags(acl)) : el("span", { class: "chip", text: t("acl_kb_default") }));
    uploadAclClear.hidden = !acl;
  }
  document.getElementById("upload-acl").addEventListener("click", () => {
    openAcl(t("acl_upload_title"), current, uploadAcl ? toTags(uploadAcl) : ["public"],
      async (acl) => setUploadAcl(acl), true);
  });
  uploadAclClear.addEventListener("click", () => setUploadAcl(null));

  setUploadAcl(null);
  orgReady.then(() => { loadKbs(); });
})();
