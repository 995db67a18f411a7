/* Audit log: filters (kept in the address), table, paging, CSV export of the same filters, verification. */
(function () {
  "use strict";
  const { t, el, api, say, fmtTime } = window.XY;
  const form = document.getElementById("audit-filter");
  const body = document.querySelector("#audit-table tbody");
  const error = document.getElementById("audit-error");
  const info = document.getElementById("page-info");
  const prev = document.getElementById("prev-page");
  const next = document.getElementById("next-page");
  const exportLink = document.getElementById("export-csv");
  const badge = document.getElementById("verify-badge");
  const FIELDS = ["since", "until", "username", "branch", "action", "outcome"];
  let offset = 0;

  /** datetime-local (the browser's local time) -> UTC without offset, as the log stores it. */
  function toUtc(local) {
    const d = new Date(local);
    return isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 19);
  }

  function fromUtc(utc) {
    const d = window.XY.parseTime(utc);
    if (!d) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes());
  }

  function filters() {
    const params = new URLSearchParams();
    for (const name of FIELDS) {
      let v = form.elements[name].value.trim();
      if (v && (name === "since" || name === "until")) v = toUtc(v);
      if (v) params.set(name, v);
    }
    return params;
  }

  function limit() {
    return parseInt(form.elements.limit.value, 10) || 50;
  }

  async function load() {
    const params = filters();
    exportLink.href = "/api/audit/export.csv" + (params.toString() ? "?" + params : "");
    const page = new URLSearchParams(params);
    page.set("limit", String(limit()));
    if (offset) page.set("offset", String(offset));
    history.replaceState(null, "", "?" + page);
    say(error, "");
    let res;
    try {
      res = await api("/api/audit?" + page);
    } catch (e) {
      say(error, e.message, "error");
      body.replaceChildren();
      info.textContent = "";
      return;
    }
    const pages = Math.max(1, Math.ceil(res.total / limit()));
    info.textContent = t("page_info", { page: Math.floor(offset / limit()) + 1, pages, total: res.total });
    prev.disabled = offset === 0;
    next.disabled = offset + limit() >= res.total;
    if (!res.events.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("no_events") })));
      return;
    }
    body.replaceChildren(...res.events.map((e) => {
      const details = JSON.stringify(e.details || {});
      return el("tr", { "data-action": e.action },
        el("td", { class: "num", text: e.ledger_seq }),
        el("td", { class: "nowrap", text: fmtTime(e.at), title: e.at }),
        el("td", { text: e.username }),
        el("td", { text: e.branch || "" }),
        el("td", {}, el("code", { text: e.action })),
        el("td", { text: e.target || "" }),
        el("td", {}, el("span", {
          class: "badge " + (e.outcome === "ok" ? "badge-ok" : "badge-bad"),
          text: t("outcome_" + e.outcome) === "outcome_" + e.outcome ? e.outcome : t("outcome_" + e.outcome),
        })),
        el("td", { class: "details" }, details === "{}" ? "" : el("code", {
          text: details.length > 160 ? details.slice(0, 160) + "…" : details, title: details,
        })));
    }));
  }

  async function verify() {
    badge.className = "badge";
    badge.textContent = t("verifying");
    try {
      const v = await api("/api/audit/verify");
      badge.className = "badge " + (v.ok ? "badge-ok" : "badge-bad");
      badge.setAttribute("data-ok", v.ok ? "true" : "false");
      badge.textContent = v.ok ? "✔ " + t("verify_ok", { n: v.entries })
        : "✘ " + t("verify_bad", { seq: v.first_bad_seq === null ? "?" : v.first_bad_seq });
      badge.title = (v.problems || []).join("\n");
    } catch (e) {
      badge.className = "badge badge-bad";
      badge.textContent = t("verify_error", { msg: e.message });
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    offset = 0;
    load();
  });
  form.addEventListener("reset", () => setTimeout(() => { offset = 0; load(); }, 0));
  prev.addEventListener("click", () => { offset = Math.max(0, offset - limit()); load(); });
  next.addEventListener("click", () => { offset += limit(); load(); });

  // start from the filters in the address (a reloaded or shared view)
  const start = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    const v = start.get(name);
    if (v) form.elements[name].value = name === "since" || name === "until" ? fromUtc(v) : v;
  }
  if (start.get("limit")) form.elements.limit.value = start.get("limit");
  offset = Math.max(0, parseInt(start.get("offset") || "0", 10) || 0);
  load();
  verify();
})();
