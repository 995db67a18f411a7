/* Sign-in form: POST /api/auth/login, then go to the (server-checked) next page. */
(function () {
  "use strict";
  const { DATA, t, api, say } = window.XY;
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const button = document.getElementById("login-submit");
  const MESSAGES = { unauthenticated: "login_bad", account_locked: "login_locked", too_many_attempts: "login_too_many" };

  function target() {
    const next = (DATA.page && DATA.page.next) || "/";
    // the server already allows only local paths; refuse anything else here as well
    return next.startsWith("/") && !next.startsWith("//") && !next.includes("\\") ? next : "/";
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      say(error, t("login_missing"), "error");
      return;
    }
    button.disabled = true;
    button.textContent = t("login_busy");
    say(error, "");
    try {
      await api("/api/auth/login", { method: "POST", json: { username, password }, noRedirect: true });
      location.assign(target());
    } catch (e) {
      say(error, MESSAGES[e.code] ? t(MESSAGES[e.code]) : e.message, "error");
      form.password.value = "";
      form.password.focus();
      button.disabled = false;
      button.textContent = t("login_submit");
    }
  });
})();
