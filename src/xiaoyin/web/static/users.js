/* User administration: list, create (roles, branch, department), unlock, deactivate/activate. */
(function () {
  "use strict";
  const { DATA, t, el, api, say, fmtTime, parseTime } = window.XY;
  const body = document.querySelector("#users-table tbody");
  const message = document.getElementById("users-message");
  const form = document.getElementById("user-create");
  const me = DATA.user ? DATA.user.username : null;
  const roles = (DATA.page && DATA.page.roles) || [];

  function roleLabel(r) {
    const s = t("role_" + r);
    return s === "role_" + r ? r : s;
  }

  function isLocked(u) {
    const until = parseTime(u.locked_until);
    return !!until && until > new Date();
  }

  async function update(u, change, confirmText) {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      await api("/api/admin/users/" + encodeURIComponent(u.username), { method: "PATCH", json: change });
      say(message, t("user_updated", { name: u.username }), "ok");
    } catch (e) {
      say(message, e.message, "error");
    }
    load();
  }

  async function load() {
    let users;
    try {
      users = await api("/api/admin/users");
    } catch (e) {
      say(message, e.message, "error");
      return;
    }
    body.replaceChildren(...users.map((u) => {
      const locked = isLocked(u);
      const status = [el("span", { class: "badge " + (u.active ? "badge-ok" : "badge-bad"),
        text: u.active ? t("active_yes") : t("active_no") })];
      if (locked) status.push(el("span", { class: "badge badge-warn", text: t("locked"), title: fmtTime(u.locked_until) }));
      const actions = [];
      if (locked) {
        actions.push(el("button", { type: "button", class: "btn btn-small", text: t("unlock"),
          onclick: () => update(u, { unlock: true }) }));
      }
      if (u.username !== me) {
        actions.push(u.active
          ? el("button", { type: "button", class: "btn btn-small btn-danger", text: t("deactivate"),
              onclick: () => update(u, { active: false }, t("confirm_deactivate", { name: u.username })) })
          : el("button", { type: "button", class: "btn btn-small", text: t("activate"),
              onclick: () => update(u, { active: true }) }));
      }
      return el("tr", { "data-user": u.username },
        el("td", { text: u.username }),
        el("td", { text: u.display_name || "" }),
        el("td", { text: (u.roles || []).map(roleLabel).join("、") }),
        el("td", { text: u.branch || "" }),
        el("td", { text: u.department || "" }),
        el("td", { text: u.source === "ldap" ? t("source_ldap") : t("source_local") }),
        el("td", { class: "nowrap" }, status),
        el("td", { class: "nowrap", text: u.last_login_at ? fmtTime(u.last_login_at) : t("never") }),
        el("td", { class: "nowrap" }, actions));
    }));
  }

  async function loadOrg() {
    const fill = (select, items) => {
      select.append(...items.map((x) => el("option", { value: x.code, text: x.name + " (" + x.code + ")" })));
    };
    try {
      const [branches, departments] = await Promise.all([api("/api/admin/branches"), api("/api/admin/departments")]);
      fill(form.elements.branch, branches);
      fill(form.elements.department, departments);
    } catch (e) {
      say(message, e.message, "error");
    }
  }

  document.getElementById("role-boxes").replaceChildren(...roles.map((r) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "roles", value: r, checked: r === "staff" }), roleLabel(r))));
  document.getElementById("password-hint").textContent =
    t("password_hint", { n: (DATA.page && DATA.page.min_password_length) || 10 });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const chosen = [...form.querySelectorAll('input[name="roles"]:checked')].map((x) => x.value);
    const payload = {
      username: f.username.value.trim(),
      display_name: f.display_name.value.trim() || null,
      password: f.password.value || null,
      source: f.source.value,
      roles: chosen.length ? chosen : ["staff"],
      branch: f.branch.value || null,
      department: f.department.value || null,
    };
    try {
      await api("/api/admin/users", { method: "POST", json: payload });
      say(message, t("user_created", { name: payload.username }), "ok");
      form.reset();
      form.querySelector('input[value="staff"]').checked = true;
      load();
    } catch (e) {
      say(message, e.message, "error");
    }
    message.scrollIntoView({ block: "nearest" });
  });

  load();
  loadOrg();
})();
