/* Document review: upload an application's documents, verify them (a background job), show the verdict,
   the red flags with their evidence, each document's extracted fields with where they were read, and the
   evidence-ledger receipt with its inclusion proof, checked here in the browser when it can be. */
(function () {
  "use strict";
  const { DATA, t, el, api, say, fmtTime, fmtSize } = window.XY;
  const form = document.getElementById("review-form");
  const drop = document.getElementById("review-drop");
  const fileInput = document.getElementById("review-files");
  const fileList = document.getElementById("review-file-list");
  const msg = document.getElementById("review-msg");
  const progress = document.getElementById("review-progress");
  const submit = document.getElementById("review-submit");
  const extractButton = document.getElementById("review-extract");
  const appList = document.getElementById("app-list");
  const none = document.getElementById("report-none");
  const body = document.getElementById("report-body");
  const reportTitle = document.getElementById("report-title");
  const verdictBadge = document.getElementById("report-verdict");
  const meta = document.getElementById("report-meta");
  const findingsList = document.getElementById("findings");
  const ledgerSection = document.getElementById("ledger-section");
  const ledgerBox = document.getElementById("ledger-box");
  const documents = document.getElementById("documents");
  const IMAGE = /\.(png|jpe?g|bmp|webp)$/i; // what <img> can show (TIFF cannot)
  const APP_NO = /^[\w.\-\u4e00-\u9fff]{1,64}$/;
  let picked = []; // File objects to upload
  const previews = new Map(); // application no -> Map(file name -> data: URL) of images picked here
  let current = null;
  let busy = false;

  /** A label from the strings, or the raw key when there is none. */
  function label(prefix, key) {
    const s = t(prefix + key);
    return s === prefix + key ? key : s;
  }

  // ---------------------------------------------------------------- picking files

  async function addFiles(list) {
    for (const f of list) {
      if (/\.json$/i.test(f.name)) {
        await readMeta(f);
        continue;
      }
      if (!picked.some((p) => p.name === f.name && p.size === f.size)) picked.push(f);
    }
    picked.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    renderPicked();
  }

  /** application.json fills the form (the same file `xiaoyin docs verify --application` reads). */
  async function readMeta(f) {
    let m;
    try {
      m = JSON.parse(await f.text());
    } catch (e) {
      say(msg, t("review_bad_meta", { name: f.name }), "error");
      return;
    }
    const set = (name, value) => {
      if (value !== undefined && value !== null) form.elements[name].value = String(value);
    };
    set("application_no", m.application_no);
    set("borrower_name", m.borrower && m.borrower.name);
    set("borrower_tax_id", m.borrower && m.borrower.tax_id);
    set("financing_date", m.financing_date);
    set("amount", m.amount);
    set("product", m.product);
    say(msg, t("review_meta_read", { name: f.name }), "ok");
  }

  function renderPicked() {
    fileList.replaceChildren(...picked.map((f) => el("li", { class: "file-row", "data-file": f.name },
      el("span", { class: "upload-name", text: f.name }),
      el("span", { class: "muted", text: fmtSize(f.size) }),
      el("button", {
        type: "button", class: "btn btn-small btn-quiet", text: t("remove"), "aria-label": t("remove") + " " + f.name,
        onclick: () => { picked = picked.filter((p) => p !== f); renderPicked(); },
      }))));
  }

  function readAsDataUrl(f) {
    return new Promise((ok) => {
      const reader = new FileReader();
      reader.onload = () => ok(typeof reader.result === "string" ? reader.result : null);
      reader.onerror = () => ok(null);
      reader.readAsDataURL(f);
    });
  }

  async function keepPreviews(appNo, files) {
    const map = new Map();
    for (const f of files) {
      if (IMAGE.test(f.name) && f.size < 8 * 1024 * 1024) {
        const url = await readAsDataUrl(f);
        if (url && url.startsWith("data:image/")) map.set(f.name, url);
      }
    }
    previews.set(appNo, map);
  }

  fileInput.addEventListener("change", () => {
    addFiles([...fileInput.files]);
    fileInput.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (ev) => { ev.preventDefault(); drop.classList.add("dragging"); });
  }
  for (const name of ["dragleave", "drop"]) drop.addEventListener(name, () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    addFiles([...(ev.dataTransfer ? ev.dataTransfer.files : [])]);
  });
  drop.addEventListener("keydown", (ev) => {
    if (ev.target === drop && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      fileInput.click();
    }
  });

  // ---------------------------------------------------------------- verifying

  function application() {
    const f = form.elements;
    const value = (name) => f[name].value.trim();
    const out = { application_no: value("application_no") };
    const borrower = {};
    if (value("borrower_name")) borrower.name = value("borrower_name");
    if (value("borrower_tax_id")) borrower.tax_id = value("borrower_tax_id");
    if (Object.keys(borrower).length) out.borrower = borrower;
    for (const name of ["financing_date", "amount", "product"]) if (value(name)) out[name] = value(name);
    return out;
  }

  function setBusy(on) {
    busy = on;
    submit.disabled = on;
    extractButton.disabled = on;
    progress.hidden = !on;
    if (on) progress.removeAttribute("value");
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const app = application();
    if (!picked.length) return say(msg, t("review_no_files"), "error");
    if (!APP_NO.test(app.application_no)) return say(msg, t("review_bad_no"), "error");
    const files = picked.slice();
    const fd = new FormData();
    for (const f of files) fd.append("files", f, f.name);
    fd.append("application", JSON.stringify(app)); // the server records the signed-in user
    setBusy(true);
    say(msg, t("review_uploading"));
    try {
      const res = await api("/api/docs/applications?wait=false", { method: "POST", body: fd });
      const job = await poll(res.job_id);
      if (job.status !== "done") throw new Error(job.error || t("error_generic"));
      await keepPreviews(app.application_no, files);
      picked = [];
      renderPicked();
      form.reset();
      say(msg, t("review_done", { no: app.application_no }), "ok");
      await loadList();
      await show(app.application_no);
    } catch (e) {
      say(msg, e.message, "error");
    } finally {
      setBusy(false);
    }
  });

  async function poll(jobId) {
    for (;;) {
      const job = await api("/api/docs/jobs/" + encodeURIComponent(jobId));
      if (job.status === "done" || job.status === "failed") return job;
      if (job.total) {
        progress.max = job.total;
        progress.value = job.done || 0;
      }
      say(msg, job.status === "queued" ? t("review_queued")
        : t("review_progress", { done: job.done || 0, total: job.total || 0, file: job.current || "" }));
      await new Promise((ok) => setTimeout(ok, 600));
    }
  }

  extractButton.addEventListener("click", async () => {
    if (busy) return;
    if (!picked.length) return say(msg, t("review_no_files"), "error");
    const files = picked.slice();
    const fd = new FormData();
    for (const f of files) fd.append("files", f, f.name);
    setBusy(true);
    say(msg, t("review_extracting"));
    try {
      const res = await api("/api/docs/extract", { method: "POST", body: fd });
      await keepPreviews("", files);
      say(msg, "");
      current = null;
      history.replaceState(null, "", location.pathname);
      markSelected();
      render({ documents: res.documents, findings: [] }, { extractOnly: true });
    } catch (e) {
      say(msg, e.message, "error");
    } finally {
      setBusy(false);
    }
  });

  // ---------------------------------------------------------------- stored applications

  function verdictBadgeFor(verdict) {
    return el("span", { class: "badge verdict verdict-" + verdict, "data-verdict": verdict, text: label("verdict_", verdict) });
  }

  async function loadList() {
    let apps;
    try {
      apps = await api("/api/docs/applications?limit=200");
    } catch (e) {
      appList.replaceChildren(el("li", { class: "alert alert-error", text: e.message }));
      return;
    }
    if (!apps.length) {
      appList.replaceChildren(el("li", { class: "muted", text: t("review_none_yet") }));
      return;
    }
    appList.replaceChildren(...apps.map((a) => el("li", {},
      el("button", {
        type: "button", class: "kb-item app-item", "data-app": a.application_no, onclick: () => show(a.application_no),
      },
      el("span", { class: "app-item-head" }, el("span", { class: "kb-item-name", text: a.application_no }),
        verdictBadgeFor(a.verdict)),
      a.borrower ? el("span", { class: "kb-item-desc", text: a.borrower }) : null,
      el("span", { class: "kb-item-counts muted", text: t("review_list_counts", {
        docs: a.documents, flags: a.red_flags.length, v: a.version, at: fmtTime(a.created_at) }) })))));
    markSelected();
  }

  function markSelected() {
    for (const b of appList.querySelectorAll(".app-item")) {
      const on = b.getAttribute("data-app") === current;
      b.classList.toggle("selected", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  async function show(no) {
    current = no;
    history.replaceState(null, "", "#" + encodeURIComponent(no));
    markSelected();
    let report;
    try {
      report = await api("/api/docs/applications/" + encodeURIComponent(no));
    } catch (e) {
      none.hidden = false;
      body.hidden = true;
      say(msg, e.message, "error");
      return;
    }
    if (current === no) render(report, {});
  }

  // ---------------------------------------------------------------- the report

  function render(report, opts) {
    none.hidden = true;
    body.hidden = false;
    const docs = report.documents || [];
    const pics = previews.get(opts.extractOnly ? "" : report.application_no) || new Map();
    if (opts.extractOnly) {
      reportTitle.textContent = t("review_extract_title");
      verdictBadge.hidden = true;
      meta.replaceChildren();
      ledgerSection.hidden = true;
    } else {
      reportTitle.textContent = report.application_no + " · " + t("review_version", { v: report.version });
      verdictBadge.hidden = false;
      verdictBadge.className = "badge verdict verdict-" + report.verdict;
      verdictBadge.setAttribute("data-verdict", report.verdict);
      verdictBadge.textContent = label("verdict_", report.verdict);
      const b = report.borrower || {};
      const rows = [
        ["review_borrower", b.name], ["review_borrower_tax_id", b.tax_id],
        ["review_financing_date", report.financing_date], ["review_doc_count", String(docs.length)],
        ["review_package", report.package_sha256], ["review_rules", report.rules_source],
      ];
      meta.replaceChildren(...rows.filter((r) => r[1]).flatMap(([k, v]) => [el("dt", { text: t(k) }),
        el("dd", {}, k === "review_package" ? el("code", { text: v, class: "hash" }) : v)]));
      ledgerSection.hidden = false;
      renderLedger(report.ledger);
    }
    const indexOf = new Map(docs.map((d, i) => [d.file, i]));
    renderFindings(report.findings || [], docs, indexOf);
    documents.replaceChildren(...docs.map((d, i) => docCard(d, i, pics.get(d.file))));
  }

  function docAnchor(i) {
    return "doc-card-" + i;
  }

  function focusDoc(i) {
    const card = document.getElementById(docAnchor(i));
    if (!card) return;
    card.scrollIntoView({ block: "start" });
    card.classList.remove("flash");
    void card.offsetWidth; // restart the highlight
    card.classList.add("flash");
  }

  function findingItem(f, indexOf, docName) {
    const evidence = [];
    const names = [...new Set([...(f.documents || []), ...(docName ? [docName] : [])])];
    if (names.length) {
      evidence.push(el("span", { class: "evidence-docs" }, el("span", { class: "muted", text: t("review_evidence_docs") + " " }),
        names.map((n) => indexOf.has(n)
          ? el("a", { href: "#" + docAnchor(indexOf.get(n)), class: "doc-link", text: n,
            onclick: (ev) => { ev.preventDefault(); focusDoc(indexOf.get(n)); } })
          : el("span", { class: "doc-link", text: n }))));
    }
    if ((f.fields || []).length) {
      evidence.push(el("span", { class: "evidence-fields" }, el("span", { class: "muted", text: t("review_evidence_fields") + " " }),
        f.fields.map((x) => el("code", { text: x }))));
    }
    const details = Object.entries(f.details || {});
    if (details.length) {
      evidence.push(el("dl", { class: "evidence-details" }, details.flatMap(([k, v]) => {
        const text = typeof v === "string" ? v : JSON.stringify(v);
        return [el("dt", { text: k }), el("dd", { text: text.length > 300 ? text.slice(0, 300) + "…" : text })];
      })));
    }
    return el("li", { class: "finding finding-" + f.severity, "data-rule": f.rule_id },
      el("div", { class: "finding-head" },
        el("span", { class: "badge sev sev-" + f.severity, text: label("sev_", f.severity) }),
        el("span", { class: "finding-message", text: f.message }),
        el("code", { class: "finding-rule", text: f.rule_id })),
      evidence.length ? el("div", { class: "finding-evidence" }, evidence) : null);
  }

  function renderFindings(trade, docs, indexOf) {
    const rank = { critical: 0, error: 1, warning: 2, info: 3 };
    const all = [
      ...trade.map((f) => ({ f, doc: null })),
      ...docs.flatMap((d) => (d.findings || []).map((f) => ({ f, doc: d.file }))),
    ].sort((a, b) => (rank[a.f.severity] ?? 9) - (rank[b.f.severity] ?? 9));
    if (!all.length) {
      findingsList.replaceChildren(el("li", { class: "finding finding-none", text: t("review_no_findings") }));
      return;
    }
    findingsList.replaceChildren(...all.map(({ f, doc }) => findingItem(f, indexOf, doc)));
  }

  // ---------------------------------------------------------------- documents and fields

  const RATE = new Set(["tax_rate", "annual_rate"]);

  function fmtValue(key, v) {
    if (v === null || v === undefined) return "";
    if (RATE.has(key) && v !== "" && !isNaN(Number(v))) return (Number(v) * 100).toFixed(2).replace(/\.?0+$/, "") + "%";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function provenance(p) {
    if (!p) return "";
    const where = [label("src_", p.source)];
    if (p.page) where.push(t("page_n", { n: p.page }));
    return el("span", { class: "prov", title: p.text || null }, where.join(" · "),
      p.text ? el("span", { class: "prov-text", text: " “" + (p.text.length > 40 ? p.text.slice(0, 40) + "…" : p.text) + "”" }) : null);
  }

  /** [path, label, value] for the scalar fields; parties (objects) become "buyer.name" etc. */
  function fieldRows(data) {
    const rows = [];
    for (const [k, v] of Object.entries(data || {})) {
      if (k === "doc_type" || k === "lines" || v === null || v === undefined || v === "") continue;
      if (typeof v === "object" && !Array.isArray(v)) {
        for (const [sk, sv] of Object.entries(v)) {
          if (sv === null || sv === undefined || sv === "") continue;
          rows.push([k + "." + sk, label("f_", k) + " · " + label("f_", sk), fmtValue(sk, sv)]);
        }
      } else {
        rows.push([k, label("f_", k), fmtValue(k, v)]);
      }
    }
    return rows;
  }

  const LINE_COLS = ["name", "spec", "unit", "quantity", "unit_price", "amount", "tax_rate", "tax"];

  function linesTable(lines, prov, flagged) {
    const cols = LINE_COLS.filter((c) => lines.some((l) => l[c] !== null && l[c] !== undefined && l[c] !== ""));
    return el("table", { class: "data lines" },
      el("thead", {}, el("tr", {}, el("th", { text: "#" }), cols.map((c) => el("th", { text: label("f_", c) })))),
      el("tbody", {}, lines.map((l, i) => el("tr", {},
        el("td", { class: "num", text: i + 1 }),
        cols.map((c) => {
          const path = "lines." + i + "." + c;
          const p = prov[path];
          return el("td", {
            class: (["quantity", "unit_price", "amount", "tax", "tax_rate"].includes(c) ? "num" : "") +
              (flagged.has(path) ? " flagged" : ""),
            title: p ? label("src_", p.source) + (p.page ? " · " + t("page_n", { n: p.page }) : "") : null,
            "data-field": path,
            text: fmtValue(c, l[c]),
          });
        })))));
  }

  function docCard(d, i, preview) {
    const prov = d.provenance || {};
    const flagged = new Set((d.findings || []).flatMap((f) => f.fields || []));
    const badges = [
      el("span", { class: "badge doc-type", text: d.doc_type ? label("dt_", d.doc_type) : t("dt_unknown") }),
      d.input_kind ? el("span", { class: "badge", text: label("ik_", d.input_kind) }) : null,
      d.pages ? el("span", { class: "badge", text: t("review_pages", { n: d.pages }) }) : null,
      (d.findings || []).length ? el("span", { class: "badge badge-bad", text: t("review_doc_flags", { n: d.findings.length }) }) : null,
    ];
    const parts = [];
    if (d.error) parts.push(el("p", { class: "alert alert-error", text: d.error }));
    if (d.data) {
      const rows = fieldRows(d.data);
      parts.push(el("table", { class: "data fields" },
        el("thead", {}, el("tr", {}, el("th", { text: t("review_field") }), el("th", { text: t("review_value") }),
          el("th", { text: t("review_source") }))),
        el("tbody", {}, rows.map(([path, name, value]) => el("tr", {
          "data-field": path, class: flagged.has(path) ? "flagged" : null,
        }, el("th", { scope: "row", text: name, title: path }), el("td", { class: "field-value", text: value }),
        el("td", { class: "muted" }, provenance(prov[path])))))));
      const lines = d.data.lines || [];
      if (lines.length) {
        parts.push(el("h5", { text: t("f_lines") + " (" + lines.length + ")" }), el("div", { class: "table-wrap" },
          linesTable(lines, prov, flagged)));
      }
    }
    if ((d.suggestions || []).length) {
      parts.push(el("details", { class: "suggestions" }, el("summary", { text: t("review_suggestions", { n: d.suggestions.length }) }),
        el("ul", {}, d.suggestions.map((s) => el("li", {}, el("code", { text: s.field }), " = ",
          fmtValue(s.field, s.value), el("span", { class: "muted", text: " — " + s.reason }))))));
    }
    const fields = el("div", { class: "doc-fields" }, parts);
    const image = preview ? el("figure", { class: "page-image" }, el("img", { src: preview, alt: d.file }),
      el("figcaption", { class: "muted", text: t("review_local_preview") })) : null;
    return el("article", { class: "doc-card", id: docAnchor(i), "data-file": d.file, "data-doc-type": d.doc_type || "" },
      el("header", { class: "doc-card-head" }, el("h4", { text: d.file }), badges),
      el("div", { class: image ? "doc-body with-image" : "doc-body" }, image, fields));
  }

  // ---------------------------------------------------------------- the ledger receipt and its proof

  function hexToBytes(hex) {
    if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error("bad hex");
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function bytesToHex(bytes) {
    return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function nodeHash(left, right) {
    const buf = new Uint8Array(1 + left.length + right.length);
    buf[0] = 1; // RFC 9162: H(0x01 || left || right)
    buf.set(left, 1);
    buf.set(right, 1 + left.length);
    return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  }

  /** The root an inclusion proof implies (RFC 9162 §2.1.3.2), or null when the proof is malformed. */
  async function rootFromInclusion(leaf, index, size, path) {
    if (index < 0 || size < 1 || index >= size) return null;
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn !== 0 && fn % 2 === 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  function kv(pairs) {
    return el("dl", { class: "meta" }, pairs.filter((p) => p[1] !== null && p[1] !== undefined).flatMap(([k, v, code]) =>
      [el("dt", { text: k }), el("dd", {}, code ? el("code", { class: "hash", text: String(v) }) : String(v))]));
  }

  function renderLedger(ref) {
    if (!ref) {
      ledgerBox.replaceChildren(el("p", { class: "muted", text: t("ledger_none") }));
      return;
    }
    const status = el("p", { id: "ledger-status", class: "badge", role: "status", text: t("ledger_verifying") });
    const proofBox = el("div", { id: "ledger-proof" });
    ledgerBox.replaceChildren(kv([
      [t("ledger_log"), ref.log], [t("ledger_seq"), ref.seq], [t("ledger_leaf"), ref.leaf_hash, true],
      [t("ledger_tree_size"), ref.tree_size], [t("ledger_root"), ref.root_hash, true],
    ]), status, proofBox);
    verifyLedger(ref, status, proofBox);
  }

  async function verifyLedger(ref, status, proofBox) {
    const set = (state, text) => {
      status.className = "badge " + ({ true: "badge-ok", false: "badge-bad" }[state] || "badge-warn");
      status.setAttribute("data-ok", state);
      status.textContent = text;
    };
    let head;
    let proof;
    try {
      const log = encodeURIComponent(ref.log);
      head = await api("/api/ledger/" + log + "/head");
      proof = await api("/api/ledger/" + log + "/proof/" + ref.seq + "?tree_size=" + head.tree_size);
    } catch (e) {
      set("unchecked", t("ledger_error", { msg: e.message }));
      return;
    }
    proofBox.replaceChildren(el("details", { class: "proof" },
      el("summary", { text: t("ledger_proof_data", { n: proof.path.length }) }),
      kv([[t("ledger_hash_alg"), proof.hash_alg], [t("ledger_tree_size"), proof.tree_size],
        [t("ledger_leaf"), proof.leaf_hash, true], [t("ledger_root"), proof.root_hash, true]]),
      el("ol", { class: "proof-path", start: 0 }, proof.path.map((h) => el("li", {}, el("code", { class: "hash", text: h })))),
      el("h5", { text: t("ledger_sth") }),
      kv([[t("ledger_tree_size"), head.tree_size], [t("ledger_root"), head.root_hash, true],
        [t("ledger_signed_at"), head.timestamp ? new Date(head.timestamp).toLocaleString(DATA.lang === "en" ? "en-GB" : "zh-CN", { hour12: false }) : null],
        [t("ledger_key_id"), head.key_id, true], [t("ledger_signature"), head.signature, true]]),
      el("p", { class: "muted small", text: t("ledger_signature_note") })));
    if (proof.hash_alg !== "sha256" || !(window.crypto && crypto.subtle)) {
      set("unchecked", t("ledger_unchecked", { alg: proof.hash_alg }));
      return;
    }
    try {
      const root = await rootFromInclusion(hexToBytes(proof.leaf_hash), proof.seq, proof.tree_size,
        proof.path.map(hexToBytes));
      const ok = root !== null && bytesToHex(root) === head.root_hash.toLowerCase() &&
        proof.leaf_hash.toLowerCase() === ref.leaf_hash.toLowerCase() && proof.tree_size === head.tree_size;
      set(ok ? "true" : "false", ok ? "✔ " + t("ledger_ok", { seq: ref.seq, n: head.tree_size })
        : "✘ " + t("ledger_bad", { seq: ref.seq }));
    } catch (e) {
      set("false", "✘ " + t("ledger_bad", { seq: ref.seq }));
    }
  }

  // ---------------------------------------------------------------- start

  loadList().then(() => {
    const wanted = decodeURIComponent(location.hash.slice(1));
    if (wanted) show(wanted);
  });
})();
