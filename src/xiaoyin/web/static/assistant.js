/* The assistant: ask a knowledge base, stream the answer (SSE over a POST), list its citations.
   Timing marks (performance.mark): "xy-ready" when the page can be used, "xy-ask-N" when question N is
   sent, "xy-first-token-N" at its first streamed text, "xy-answer-N" when its answer is complete. */
(function () {
  "use strict";
  const { t, el, api, has } = window.XY;
  const kbSelect = document.getElementById("kb-select");
  const noKb = document.getElementById("no-kb");
  const thread = document.getElementById("thread");
  const empty = document.getElementById("thread-empty");
  const form = document.getElementById("ask-form");
  const question = document.getElementById("question");
  const button = document.getElementById("ask-button");
  const KB_KEY = "xiaoyin.assistant.kb";
  const HISTORY_TURNS = 5;
  let turns = []; // {question, answer} of this conversation, sent as history for follow-ups
  let turnNo = 0;
  let busy = false;

  async function loadKbs() {
    let kbs = [];
    try {
      kbs = await api("/api/kb");
    } catch (e) {
      kbSelect.replaceChildren(el("option", { value: "", text: e.message }));
      return;
    }
    kbSelect.replaceChildren(...kbs.map((kb) => el("option", { value: kb.name, text: kb.name })));
    noKb.hidden = kbs.length > 0;
    form.hidden = kbs.length === 0;
    const saved = localStorage.getItem(KB_KEY);
    if (saved && kbs.some((kb) => kb.name === saved)) kbSelect.value = saved;
  }

  kbSelect.addEventListener("change", () => {
    localStorage.setItem(KB_KEY, kbSelect.value);
    newChat();
  });

  function newChat() {
    turns = [];
    thread.replaceChildren(empty);
    empty.hidden = false;
  }
  document.getElementById("new-chat").addEventListener("click", newChat);

  question.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  /** The answer text with [n] markers linked to the citations (text nodes only). */
  function renderAnswer(node, text, anchors) {
    const parts = [];
    let last = 0;
    const re = /\[(\d+)\]/g;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parts.push(text.slice(last, m.index));
      const id = anchors[m[1]];
      parts.push(id ? el("a", { class: "cite-ref", href: "#" + id, text: m[0] }) : m[0]);
      last = re.lastIndex;
    }
    if (last < text.length) parts.push(text.slice(last));
    node.replaceChildren(...parts);
  }

  function renderCitations(list, citations, turn) {
    const anchors = {};
    list.replaceChildren(...citations.map((c) => {
      const id = "cite-" + turn + "-" + c.n;
      anchors[String(c.n)] = id;
      const where = [c.doc_name, c.page ? t("page_n", { n: c.page }) : null, c.section || null].filter(Boolean);
      return el("li", { id, class: "citation" },
        el("div", { class: "citation-head" },
          el("span", { class: "citation-n", text: "[" + c.n + "]" }),
          el("span", { class: "citation-doc", text: where.join(" · ") })),
        c.quote ? el("blockquote", { class: "citation-quote", text: c.quote }) : null);
    }));
    list.parentElement.hidden = citations.length === 0;
    return anchors;
  }

  /** Server-Sent Events from a fetch body: calls onEvent(name, data) per event. */
  async function readEvents(resp, onEvent) {
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += value;
      const blocks = buffer.split(/\r\n\r\n|\n\n|\r\r/);
      buffer = done ? "" : blocks.pop();
      for (const block of blocks) {
        let name = "message";
        const data = [];
        for (const line of block.split(/\r\n|\n|\r/)) {
          if (!line || line.startsWith(":")) continue;
          const i = line.indexOf(":");
          const field = i < 0 ? line : line.slice(0, i);
          const val = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
          if (field === "event") name = val;
          else if (field === "data") data.push(val);
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
      if (done) break;
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = question.value.trim();
    const kb = kbSelect.value;
    if (!q || !kb || busy) return;
    busy = true;
    button.disabled = true;
    empty.hidden = true;
    const turn = ++turnNo;
    performance.mark("xy-ask-" + turn);
    const answerText = el("div", { class: "answer-text" });
    const status = el("p", { class: "muted answer-status", text: t("asking") });
    const citeList = el("ol", { class: "citations" });
    const citeBox = el("div", { class: "citations-box", hidden: true },
      el("h3", { text: t("citations") }), citeList);
    const footer = el("p", { class: "answer-meta muted" });
    const answer = el("article", { class: "msg msg-answer", "aria-busy": "true" },
      el("div", { class: "msg-who", text: t("assistant_name") }), status, answerText, citeBox, footer);
    thread.append(
      el("div", { class: "msg msg-question" }, el("div", { class: "msg-who", text: t("you") }),
        el("div", { class: "question-text", text: q })),
      answer);
    answer.scrollIntoView({ block: "nearest" });
    question.value = "";

    let text = "";
    let anchors = {};
    let final = null;
    try {
      const resp = await api("/api/kb/" + encodeURIComponent(kb) + "/ask", {
        method: "POST", raw: true, headers: { Accept: "text/event-stream" },
        json: { question: q, stream: true, history: turns.slice(-HISTORY_TURNS) },
      });
      await readEvents(resp, (name, data) => {
        if (name === "delta") {
          if (!text && data.text) performance.mark("xy-first-token-" + turn);
          status.hidden = true;
          text += data.text || "";
          answerText.textContent = text;
        } else if (name === "citations") {
          anchors = renderCitations(citeList, data.citations || [], turn);
        } else if (name === "done") {
          final = data;
        } else if (name === "error") {
          throw new window.XY.ApiError(500, data.code, data.message);
        }
      });
      if (final) {
        text = final.answer; // authoritative: replaces what was streamed
        renderAnswer(answerText, text, anchors);
        if (final.refused) answer.classList.add("refused");
        if (final.refused) answer.insertBefore(el("span", { class: "badge badge-warn", text: t("refused") }), answerText);
        if (final.id) footer.textContent = t("answer_id") + ": " + final.id;
        turns.push({ question: q, answer: text.slice(0, 8000) });
      }
      status.hidden = true;
    } catch (e) {
      status.hidden = false;
      status.className = "alert alert-error answer-status";
      status.textContent = e.message || t("error_generic");
    } finally {
      performance.mark("xy-answer-" + turn);
      answer.setAttribute("aria-busy", "false");
      answer.classList.add("done");
      busy = false;
      button.disabled = false;
      question.focus();
    }
  });

  if (!has("kb.read")) form.hidden = true;
  loadKbs().finally(() => performance.mark("xy-ready"));
})();
