/* Shared helpers for every page: strings, safe DOM building, the JSON API with the CSRF header. */
(function () {
  "use strict";

  const dataEl = document.getElementById("xy-data");
  const DATA = dataEl ? JSON.parse(dataEl.textContent) : {};
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

  /** A UI string with {name} placeholders filled in. */
  function t(key, vars) {
    let s = (DATA.strings && DATA.strings[key]) || key;
    if (vars) {
      for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    }
    return s;
  }

  /** Build an element; children and the "text" attribute become text nodes (never parsed as HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || {};
    }
  }

  function loginUrl() {
    return "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  /** Call the JSON API. opts: method, json, body, headers, raw (return the Response), noRedirect. */
  async function api(path, opts) {
    opts = opts || {};
    const method = (opts.method || "GET").toUpperCase();
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    if (!SAFE.has(method) && csrfMeta) headers["X-CSRF-Token"] = csrfMeta.content;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["Content-Type"] = "application/json";
    }
    let resp;
    try {
      resp = await fetch(path, { method, headers, body, credentials: "same-origin", signal: opts.signal });
    } catch (e) {
      if (e && e.name === "AbortError") throw e;
      throw new ApiError(0, "network", t("error_network"));
    }
    if (resp.status === 401 && !opts.noRedirect) {
      location.assign(loginUrl());
      throw new ApiError(401, "unauthenticated", "");
    }
    if (!resp.ok) {
      let payload = null;
      try { payload = await resp.json(); } catch (e) { payload = null; }
      const err = payload && payload.error;
      let message = err && err.message;
      if (!message && payload && Array.isArray(payload.detail)) {
        message = payload.detail.map((d) => (d.loc ? d.loc.slice(1).join(".") + ": " : "") + d.msg).join("; ");
      }
      throw new ApiError(resp.status, err ? err.code : "http_" + resp.status,
                         message || t("error_generic") + " (HTTP " + resp.status + ")", err && err.details);
    }
    if (opts.raw) return resp;
    if (resp.status === 204) return null;
    const ctype = resp.headers.get("content-type") || "";
    return ctype.includes("json") ? resp.json() : resp.text();
  }

  /** Show a message in a status paragraph (kind: "", "ok", "error"); empty text hides it. */
  function say(node, text, kind) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
    node.classList.toggle("alert-error", kind === "error");
    node.classList.toggle("alert-ok", kind === "ok");
  }

  /** API timestamps are UTC; some come without an offset. */
  function parseTime(value) {
    if (!value) return null;
    const s = String(value);
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + "Z");
    return isNaN(d.getTime()) ? null : d;
  }

  function fmtTime(value) {
    const d = parseTime(value);
    if (!d) return "";
    return d.toLocaleString(DATA.lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
  }

  function fmtSize(n) {
    if (n === null || n === undefined) return "";
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  function has(permission) {
    return !!(DATA.user && DATA.user.permissions.includes(permission));
  }

  const logout = document.getElementById("xy-logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try { await api("/api/auth/logout", { method: "POST", noRedirect: true }); } catch (e) { /* ended anyway */ }
      location.assign("/login");
    });
  }

  window.XY = { DATA, t, el, api, ApiError, say, parseTime, fmtTime, fmtSize, has };
})();
