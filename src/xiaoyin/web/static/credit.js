/* Credit: decide on an application with a registered model's champion (credit.decide), the registered
   models with their versions and history, and the stored decisions (risk.read). */
(function () {
  "use strict";
  const { DATA, t, el, api, say, fmtTime, has } = window.XY;
  const modelsBody = document.querySelector("#models-table tbody");
  const modelsMsg = document.getElementById("models-msg");
  const eventsBox = document.getElementById("events-box");
  const eventsTitle = document.getElementById("events-title");
  const eventsList = document.getElementById("events");
  const decisionsBody = document.querySelector("#decisions-table tbody");
  const decisionsMsg = document.getElementById("decisions-msg");
  const form = document.getElementById("decide-form"); // absent without credit.decide
  const modelSelect = document.getElementById("decide-model");
  const input = document.getElementById("decide-input");
  const hint = document.getElementById("decide-hint");
  const decideMsg = document.getElementById("decide-msg");
  const decisionBox = document.getElementById("decision");
  const LOCALE = DATA.lang === "en" ? "en-GB" : "zh-CN";
  // The API does not say which inputs a model expects: the sample is an applicant of the German credit
  // data the demo model is trained on (xiaoyin risk train --data german_credit.csv).
  const SAMPLE = {
    status_of_existing_checking_account: "no checking account",
    duration_in_month: 12,
    credit_history: "existing credits paid back duly till now",
    purpose: "car (new)",
    credit_amount: 2500,
    savings_account_and_bonds: "100 <= ... < 500 DM",
    present_employment_since: "4 <= ... < 7 years",
    installment_rate_in_percentage_of_disposable_income: 2,
    personal_status_and_sex: "male : single",
    other_debtors_or_guarantors: "none",
    present_residence_since: 3,
    property: "real estate",
    age_in_years: 35,
    other_installment_plans: "none",
    housing: "own",
    number_of_existing_credits_at_this_bank: 1,
    job: "skilled employee / official",
    number_of_people_being_liable_to_provide_maintenance_for: 1,
    telephone: "yes, registered under the customers name",
    foreign_worker: "yes",
  };
  let prefilled = null; // the text the form last filled in (replaced freely; the user's own text is not)
  let models = [];

  function label(prefix, key) {
    const s = t(prefix + key);
    return s === prefix + key ? key : s;
  }

  function num(v, digits) {
    if (v === null || v === undefined || v === "" || isNaN(Number(v))) return "";
    return Number(v).toLocaleString(LOCALE, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function pct(v, digits) {
    if (v === null || v === undefined || isNaN(Number(v))) return "";
    return (Number(v) * 100).toFixed(digits === undefined ? 2 : digits) + "%";
  }

  function outcomeBadge(outcome) {
    return el("span", { class: "badge outcome outcome-" + outcome, "data-outcome": outcome, text: label("outcome_", outcome) });
  }

  // ---------------------------------------------------------------- models

  async function loadModels() {
    try {
      models = await api("/api/risk/models");
    } catch (e) {
      say(modelsMsg, e.message, "error");
      models = [];
    }
    if (!models.length) {
      modelsBody.replaceChildren(el("tr", {}, el("td", { colspan: 9, class: "muted", text: t("credit_no_models") })));
    } else {
      modelsBody.replaceChildren(...models.map((m) => {
        const cv = (m.metrics && m.metrics.cv && (m.metrics.cv.scorecard || m.metrics.cv)) || {};
        return el("tr", { "data-model": m.name, "data-version": m.version, "data-status": m.status },
          el("td", {}, el("button", { type: "button", class: "link-button", text: m.name, onclick: () => loadEvents(m.name) })),
          el("td", { text: m.segment || t("credit_pooled") }),
          el("td", {}, el("code", { text: m.version })),
          el("td", {}, el("span", { class: "badge " + (m.status === "champion" ? "badge-ok" : ""), text: label("mstatus_", m.status) })),
          el("td", { class: "num", text: num(cv.auc, 3) }),
          el("td", { class: "num", text: num(cv.ks, 3) }),
          el("td", { class: "num", text: num(m.metrics && m.metrics.rows, 0) }),
          el("td", { class: "num", text: m.metrics && m.metrics.bad_rate !== undefined ? pct(m.metrics.bad_rate, 1) : "" }),
          el("td", { class: "nowrap", text: fmtTime(m.created_at) + (m.created_by ? " · " + m.created_by : "") }));
      }));
    }
    if (modelSelect) {
      const names = [...new Set(models.filter((m) => m.status === "champion" && !m.segment).map((m) => m.name))];
      modelSelect.replaceChildren(...(names.length ? names.map((n) => el("option", { value: n, text: n }))
        : [el("option", { value: "", text: t("credit_no_models") })]));
      form.querySelector("#decide-submit").disabled = !names.length;
      if (names.length) prefill(modelSelect.value);
    }
  }

  async function loadEvents(name) {
    eventsBox.hidden = false;
    eventsTitle.textContent = t("credit_events", { name });
    let events;
    try {
      events = await api("/api/risk/models/" + encodeURIComponent(name) + "/events");
    } catch (e) {
      eventsList.replaceChildren(el("li", { class: "alert alert-error", text: e.message }));
      return;
    }
    eventsList.replaceChildren(...events.map((e) => el("li", { class: "event", "data-action": e.action },
      el("span", { class: "nowrap muted", text: fmtTime(e.created_at) }), " ",
      el("span", { class: "badge", text: label("mevent_", e.action) }), " ",
      e.segment ? el("span", { class: "muted", text: "[" + e.segment + "] " }) : null,
      el("code", { text: (e.from_version || "—") + " → " + (e.to_version || "—") }),
      e.user ? el("span", { class: "muted", text: " · " + e.user }) : null,
      e.note ? el("span", { class: "event-note", text: " · " + e.note }) : null)));
    if (!events.length) eventsList.replaceChildren(el("li", { class: "muted", text: t("credit_no_events") }));
  }

  // ---------------------------------------------------------------- decisions

  async function loadDecisions() {
    let rows;
    try {
      rows = await api("/api/risk/decisions?limit=50");
    } catch (e) {
      say(decisionsMsg, e.message, "error");
      return;
    }
    say(decisionsMsg, "");
    if (!rows.length) {
      decisionsBody.replaceChildren(el("tr", {}, el("td", { colspan: 10, class: "muted", text: t("credit_no_decisions") })));
      return;
    }
    decisionsBody.replaceChildren(...rows.map((d) => {
      const top = (d.reasons || [])[0];
      return el("tr", { "data-decision": d.id, "data-outcome": d.outcome },
        el("td", { class: "nowrap", text: fmtTime(d.created_at), title: d.id }),
        el("td", { text: d.model_name + (d.segment ? " [" + d.segment + "]" : "") }),
        el("td", {}, el("code", { text: d.model_version })),
        el("td", {}, outcomeBadge(d.outcome)),
        el("td", { class: "num", text: num(d.score, 1) }),
        el("td", { class: "num", text: pct(d.pd, 2) }),
        el("td", { class: "num", text: num(d.suggested_limit, 0) }),
        el("td", { class: "num", text: d.interest_rate !== null && d.interest_rate !== undefined ? pct(d.interest_rate, 2) : "" }),
        el("td", { text: d.user || "" }),
        el("td", { class: "reason-cell", text: top ? top.text : "" }));
    }));
  }
  document.getElementById("decisions-refresh").addEventListener("click", loadDecisions);

  // ---------------------------------------------------------------- the decision form

  /** Start from the inputs of the model's latest decision, else from the sample applicant. */
  async function prefill(name) {
    if (!input || (input.value.trim() && input.value !== prefilled)) return;
    let inputs = null;
    try {
      const last = await api("/api/risk/decisions?limit=1&model=" + encodeURIComponent(name));
      if (last.length && last[0].inputs && typeof last[0].inputs === "object") inputs = last[0].inputs;
    } catch (e) { /* the sample will do */ }
    if (input.value.trim() && input.value !== prefilled) return; // typed meanwhile
    prefilled = JSON.stringify(inputs || SAMPLE, null, 2);
    input.value = prefilled;
    hint.textContent = inputs ? t("credit_hint_last") : t("credit_hint_sample");
  }

  function renderDecision(d) {
    const facts = [
      ["PD", pct(d.pd, 2)], ["credit_challenger_pd", d.challenger_pd === null ? null : pct(d.challenger_pd, 2)],
      ["credit_limit", d.suggested_limit === null ? null : num(d.suggested_limit, 0)],
      ["credit_band", d.price_band], ["credit_rate", d.interest_rate === null ? null : pct(d.interest_rate, 2)],
      ["credit_model_version", d.model_name + " " + d.model_version + (d.segment ? " [" + d.segment + "]" : "")],
      ["credit_policy", d.policy], ["credit_latency", num(d.latency_ms, 2) + " ms"], ["credit_decision_id", d.id],
    ].filter((f) => f[1] !== null && f[1] !== undefined && f[1] !== "");
    const reasons = (d.reasons || []).map((r) => el("li", { class: "reason reason-" + r.source, "data-code": r.code },
      el("span", { class: "badge", text: label("rsource_", r.source) }), " ",
      el("span", { text: r.text }), " ",
      el("code", { class: "muted", text: r.code }),
      r.points_lost !== undefined ? el("span", { class: "muted", text: " · " + t("credit_points_lost", { n: num(r.points_lost, 1) }) }) : null));
    const rules = (d.rules_fired || []).map((r) => el("li", {},
      el("code", { text: r.id }), " ", el("span", { class: "badge", text: label("outcome_", r.action) }), " ",
      el("span", { text: r.description ? r.description + "：" + r.reason : r.reason })));
    decisionBox.replaceChildren(...[
      el("div", { class: "decision-head" }, outcomeBadge(d.outcome),
        el("span", { class: "decision-score" }, t("credit_score") + " ", el("strong", { id: "decision-score", text: num(d.score, 1) }))),
      el("dl", { class: "meta" }, facts.flatMap(([k, v]) => [el("dt", { text: k === "PD" ? "PD" : t(k) }), el("dd", { text: v })])),
      el("h4", { text: t("credit_reasons") }),
      reasons.length ? el("ol", { class: "reasons", id: "decision-reasons" }, reasons) : el("p", { class: "muted", text: t("credit_no_reasons") }),
      rules.length ? el("h4", { text: t("credit_rules") }) : null,
      rules.length ? el("ul", { class: "rules" }, rules) : null].filter(Boolean));
    decisionBox.hidden = false;
  }

  if (form) {
    modelSelect.addEventListener("change", () => prefill(modelSelect.value));
    document.getElementById("decide-sample").addEventListener("click", () => {
      prefilled = JSON.stringify(SAMPLE, null, 2);
      input.value = prefilled;
      hint.textContent = t("credit_hint_sample");
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      let application;
      try {
        application = JSON.parse(input.value);
      } catch (e) {
        say(decideMsg, t("credit_bad_json", { msg: e.message }), "error");
        return;
      }
      if (!application || typeof application !== "object" || Array.isArray(application)) {
        say(decideMsg, t("credit_not_object"), "error");
        return;
      }
      const button = document.getElementById("decide-submit");
      button.disabled = true;
      say(decideMsg, "");
      try {
        // the server records the signed-in officer as the decision's user
        const d = await api("/api/risk/decide", { method: "POST", json: { model: modelSelect.value, application } });
        renderDecision(d);
        loadDecisions();
      } catch (e) {
        say(decideMsg, e.message, "error");
      } finally {
        button.disabled = false;
      }
    });
  }

  if (!has("credit.decide") && decisionBox) decisionBox.hidden = true;
  loadModels();
  loadDecisions();
})();
