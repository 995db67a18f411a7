"""Knowledge-base permissions, document review, credit decisions and the assistant's timings, in a real
browser (Debian's Chromium via Playwright) against a real server.

One server and one browser for the module; each user gets their own browser context, whose every
request must go to the server itself and whose pages must raise no script error or CSP violation.
Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.browser_util import (
    ADMIN,
    CHROMIUM,
    CREDIT,
    GERMAN,
    KBM,
    STAFF,
    VICTIM,
    LiveServer,
    launch_chromium,
    live_server,
    new_context,
    prepare_home,
    register_german_model,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium (`make install` installs it)")

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, Route, expect

KB = "分行制度库"
WEST = ("城西支行营业安排.md", "# 城西支行营业安排\n\n第一条 城西支行周六营业时间为上午九点至下午三点，周日休息。\n\n"
        "第二条 城西支行周六只办理个人存取款业务。\n")
GENERAL = ("对公开户须知.md", "# 对公开户须知\n\n第一条 对公开户需提供营业执照原件和法定代表人身份证件。\n")
CREDIT_DOC = ("信贷操作手册.md", "# 信贷操作手册\n\n第一条 贷款发放前须完成贷前调查报告并经有权审批人签字。\n")
RETAIL = ("零售营销指引.md", "# 零售营销指引\n\n第一条 零售客户经理每月应拓展不少于二十户新客户。\n")
TRAVEL = ("员工差旅费管理办法.md", "# 员工差旅费管理办法\n\n第一条 员工出差乘坐高铁应选择二等座。\n\n"
          "第二条 差旅费应在出差返回后十五个工作日内凭发票报销，逾期不予报销。\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("workbench-home")
    prepare_home(home)
    with live_server(home) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as b:
        yield b


def _write(folder: Path, *docs: tuple[str, str]) -> list[str]:
    paths = []
    for name, text in docs:
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return paths


@contextmanager
def _client(server: LiveServer, who: tuple[str, str]) -> Iterator[httpx.Client]:
    """An API client signed in as ``who`` (session cookie and CSRF header)."""
    with httpx.Client(base_url=server.url, timeout=120) as c:
        r = c.post("/api/auth/login", json={"username": who[0], "password": who[1]})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c


def _ask(page: Page, kb: str, question: str):
    page.goto("/")
    page.select_option("#kb-select", kb)
    page.fill("#question", question)
    page.click("#ask-button")
    answer = page.locator(".msg-answer").last
    expect(answer).to_have_class(re.compile(r"\bdone\b"), timeout=60_000)
    error = answer.locator(".answer-status.alert-error")
    assert error.count() == 0, error.inner_text()
    return answer


def _row(page: Page, doc: str):
    return page.locator(f'#doc-table tr[data-doc="{doc}"]')


def test_kb_permissions_hide_a_document_from_other_branches(browser: Browser, server: LiveServer,
                                                            tmp_path: Path) -> None:
    ctx, watch = new_context(browser, server)
    sign_in(ctx, KBM)  # a knowledge manager at head office: may not list branches, types codes instead
    page = ctx.new_page()
    page.goto("/kb")
    page.fill("#kb-name", KB)
    page.click("#kb-create button[type=submit]")
    expect(page.locator("#kb-title")).to_have_text(KB)
    expect(page.locator("#upload-acl-desc .chip")).to_have_text(["知识库默认"])
    page.set_input_files("#file-input", _write(tmp_path, WEST, GENERAL))
    expect(page.locator('.upload-row[data-status="indexed"]')).to_have_count(2, timeout=90_000)
    expect(_row(page, WEST[0]).locator(".chip")).to_have_text(["全行"])

    # restrict the West branch's notice to branch 0102: the manager is warned they will lose sight of it
    _row(page, WEST[0]).locator("button.doc-acl-edit").click()
    dialog = page.locator("#acl-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#acl-subject")).to_have_text(WEST[0])
    expect(dialog.locator("#acl-public")).to_be_checked()
    expect(dialog.locator("#acl-branches")).to_have_attribute("data-mode", "text")
    dialog.locator("#acl-public").uncheck()
    expect(dialog.locator("#acl-preview .chip")).to_have_text(["仅管理员"])
    dialog.locator("#acl-branches input").fill("01 02/x")
    dialog.locator("#acl-save").click()
    expect(dialog.locator("#acl-error")).to_contain_text("格式不正确")
    dialog.locator("#acl-branches input").fill("0102")
    expect(dialog.locator("#acl-preview .chip")).to_have_text(["机构 0102"])
    expect(dialog.locator("#acl-warn")).to_be_visible()
    screenshot(page, "11-kb-permissions-dialog")
    dialog.locator("#acl-save").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#kb-message")).to_contain_text("您已无权查看该文档")
    expect(_row(page, WEST[0])).to_have_count(0)
    expect(_row(page, GENERAL[0])).to_have_count(1)

    # an upload with its own permissions: credit officers and knowledge managers
    page.click("#upload-acl")
    dialog.locator("#acl-public").uncheck()
    dialog.locator('#acl-roles input[value="credit_officer"]').check()
    dialog.locator('#acl-roles input[value="knowledge_manager"]').check()
    expect(dialog.locator("#acl-warn")).to_be_hidden()
    dialog.locator("#acl-save").click()
    expect(page.locator("#upload-acl-desc .chip")).to_have_text(["角色 信贷员", "角色 知识库管理员"])
    page.set_input_files("#file-input", _write(tmp_path, CREDIT_DOC))
    expect(page.locator('.upload-row[data-status="indexed"]')).to_have_count(3, timeout=60_000)
    expect(_row(page, CREDIT_DOC[0]).locator(".chip")).to_have_text(["角色 信贷员", "角色 知识库管理员"])

    # the knowledge base's default for new documents: the retail department (and knowledge managers)
    page.click("#default-acl")
    dialog.locator("#acl-public").uncheck()
    dialog.locator("#acl-departments input").fill("retail")
    dialog.locator('#acl-roles input[value="knowledge_manager"]').check()
    dialog.locator("#acl-save").click()
    expect(page.locator("#kb-message")).to_contain_text("默认可见范围")
    page.click("#upload-acl-clear")
    page.set_input_files("#file-input", _write(tmp_path, RETAIL))
    expect(page.locator('.upload-row[data-status="indexed"]')).to_have_count(4, timeout=60_000)
    expect(_row(page, RETAIL[0]).locator(".chip")).to_have_text(["部门 retail", "角色 知识库管理员"])
    screenshot(page, "12-kb-permissions")
    ctx.close()
    watch.check(server)

    # the assistant: branch 0101 does not get the 0102 notice; branch 0102 and the administrator do
    question = "城西支行周六营业时间是几点到几点？"
    for who, sees in ((STAFF, False), (VICTIM, True), (ADMIN, True)):
        ctx, watch = new_context(browser, server)
        sign_in(ctx, who)
        page = ctx.new_page()
        answer = _ask(page, KB, question)
        cited = answer.locator(".citation-doc").all_inner_texts()
        assert any(WEST[0] in c for c in cited) == sees, (who[0], cited)
        if sees:
            expect(answer.locator(".answer-text")).to_contain_text("上午九点")
        if who == STAFF:
            screenshot(page, "13-assistant-acl-other-branch")
        if who == ADMIN:  # the administrator sees every document, and picks branches by name
            page.goto("/kb#" + KB)
            expect(page.locator("#doc-table tbody tr")).to_have_count(4)
            expect(_row(page, WEST[0]).locator(".chip")).to_have_text(["机构 青禾银行城西支行 (0102)"])
            _row(page, WEST[0]).locator("button.doc-acl-edit").click()
            expect(page.locator("#acl-branches")).to_have_attribute("data-mode", "pick")
            expect(page.locator('#acl-branches input[value="0102"]')).to_be_checked()
            expect(page.locator('#acl-branches input[value="0101"]')).not_to_be_checked()
            expect(page.locator("#acl-warn")).to_be_hidden()
            screenshot(page, "14-kb-permissions-admin")
            page.click("#acl-cancel")
            expect(page.locator("#acl-dialog")).to_be_hidden()
        ctx.close()
        watch.check(server)


def _corpus(out: Path) -> tuple[Path, dict]:
    """A generated corpus (the project's own generator); the first application with planted red flags."""
    from xiaoyin.credit.documents.service import generate_samples

    manifest = generate_samples(out, applications=3, seed=3, kinds=("text", "xml"))
    for no in manifest["applications"]:
        truth = json.loads((out / "truth" / f"{no}.json").read_text(encoding="utf-8"))
        if truth["flags"]:
            return out / "apps" / no, truth
    raise AssertionError(f"no flagged application in {manifest}")


def test_review_an_application_package(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    app_dir, truth = _corpus(tmp_path)
    meta = json.loads((app_dir / "application.json").read_text(encoding="utf-8"))
    docs = sorted(p for p in app_dir.iterdir() if p.name != "application.json")
    ctx, watch = new_context(browser, server)
    sign_in(ctx, CREDIT)
    page = ctx.new_page()
    page.goto("/review")
    expect(page.locator(".mainnav a")).to_have_text(["智能问答", "材料审核", "授信审批"])
    expect(page.locator("#app-list")).to_contain_text("暂无核查记录")
    page.set_input_files("#review-files", [str(p) for p in app_dir.iterdir()])  # application.json fills the form
    expect(page.locator("#review-app-no")).to_have_value(meta["application_no"])
    expect(page.locator("input[name=borrower_tax_id]")).to_have_value(meta["borrower"]["tax_id"])
    expect(page.locator("#review-file-list li")).to_have_count(len(docs))
    page.click("#review-submit")

    verdict = page.locator("#report-verdict")
    expect(verdict).to_have_attribute("data-verdict", "fail", timeout=90_000)
    expect(verdict).to_have_text("不通过")
    for flag in truth["flags"]:
        finding = page.locator(f'#findings li[data-rule="{flag["rule_id"]}"]')
        expect(finding).to_be_visible()
        for name in flag["documents"]:  # the evidence names the documents, each linked to its fields
            expect(finding.locator(".doc-link", has_text=name)).to_have_count(1)
    expect(page.locator(".doc-card")).to_have_count(len(docs))
    expect(page.locator("#report-meta")).to_contain_text(meta["borrower"]["name"])
    link = page.locator("#findings a.doc-link").first  # evidence: a document, linked to its fields
    card = page.locator(f'.doc-card[data-file="{link.inner_text()}"]')
    expect(card.locator("table.fields tbody tr").first).to_be_visible()
    expect(card.locator("table.fields")).to_contain_text("文本")  # where each value was read
    link.click()
    expect(card).to_have_class("doc-card flash")
    status = page.locator("#ledger-status")
    expect(status).to_have_attribute("data-ok", "true")
    expect(status).to_contain_text("已验证")
    expect(page.locator(f'.app-item[data-app="{meta["application_no"]}"] .verdict')).to_have_attribute(
        "data-verdict", "fail")
    screenshot(page, "15-review-report")

    # two more packages through the API: the first one's proof now has a real path to check
    with _client(server, CREDIT) as c:
        for other in sorted(p for p in app_dir.parent.iterdir() if p != app_dir)[:2]:
            files = [("files", (p.name, p.read_bytes())) for p in sorted(other.iterdir()) if p.suffix != ".json"]
            r = c.post("/api/docs/applications", files=files,
                       data={"application": (other / "application.json").read_text(encoding="utf-8")})
            assert r.status_code == 200, r.text
    assert page.url.endswith("/review#" + meta["application_no"])  # the address names the application
    page.reload()
    expect(page.locator("#report-verdict")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("#ledger-status")).to_have_attribute("data-ok", "true")
    page.locator("#ledger-proof summary").click()
    expect(page.locator("#ledger-proof .proof-path li")).to_have_count(2)
    expect(page.locator("#app-list .app-item")).to_have_count(3)

    # a ledger whose root does not match the proof: the page says so
    def forged(route: Route) -> None:
        head = route.fetch().json()
        head["root_hash"] = "00" * 32
        route.fulfill(json=head)

    page.route("**/api/ledger/*/head", forged)
    page.reload()
    expect(page.locator("#ledger-status")).to_have_attribute("data-ok", "false")
    expect(page.locator("#ledger-status")).to_contain_text("验证失败")
    page.unroute("**/api/ledger/*/head")

    page.set_input_files("#review-files", str(docs[0]))  # fields only: nothing stored, nothing recorded
    page.click("#review-extract")
    expect(page.locator("#report-title")).to_have_text("要素提取结果（未保存、未存证）")
    expect(page.locator(".doc-card")).to_have_count(1)
    expect(page.locator(".doc-card table.fields tbody tr").first).to_be_visible()
    expect(page.locator("#ledger-section")).to_be_hidden()
    expect(page.locator("#app-list .app-item")).to_have_count(3)
    ctx.close()
    watch.check(server)

    ctx, watch = new_context(browser, server)  # staff may open neither page
    sign_in(ctx, STAFF)
    page = ctx.new_page()
    assert page.goto("/review").status == 403 and page.goto("/credit").status == 403
    ctx.close()
    watch.check(server)


def test_credit_decision_with_a_registered_model(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    if not GERMAN.exists():
        pytest.skip(f"the German credit data is absent ({GERMAN}): no model to decide with")
    register_german_model(server.home, tmp_path)
    ctx, watch = new_context(browser, server)
    sign_in(ctx, CREDIT)
    page = ctx.new_page()
    page.goto("/credit")
    expect(page.locator("#decide-model option")).to_have_text(["german"])
    expect(page.locator('#models-table tr[data-model="german"][data-status="champion"]')).to_have_count(1)
    expect(page.locator("#decide-input")).to_have_value(re.compile('"duration_in_month"'))  # the sample applicant
    expect(page.locator("#decide-hint")).to_contain_text("示例")

    page.fill("#decide-input", "{\"duration_in_month\": ")
    page.click("#decide-submit")
    expect(page.locator("#decide-msg")).to_contain_text("JSON")
    page.click("#decide-sample")
    page.click("#decide-submit")
    outcome = page.locator("#decision .decision-head .outcome")
    expect(outcome).to_be_visible()
    value = outcome.get_attribute("data-outcome")
    assert value in {"approve", "reject", "refer"}
    assert float(page.locator("#decision-score").inner_text().replace(",", "")) > 0
    expect(page.locator("#decision-reasons li").first).to_be_visible()
    expect(page.locator("#decisions-table tbody tr").first).to_have_attribute("data-outcome", value)
    expect(page.locator("#decisions-table tbody tr").first).to_contain_text(CREDIT[0])
    page.locator('#models-table tr[data-model="german"] .link-button').click()
    expect(page.locator("#events li")).to_have_count(2)  # registered, then promoted (the first version)
    expect(page.locator('#events li[data-action="promote"]')).to_contain_text("晋升")
    screenshot(page, "16-credit-decision")

    page.reload()  # the form now starts from the model's latest decision
    expect(page.locator("#decide-hint")).to_contain_text("最近一次决策")
    page.goto("/credit?lang=en")
    expect(page.locator("#decide-card h2")).to_have_text("Credit application")
    expect(page.locator("#decisions-table tbody tr").first.locator(".outcome")).to_have_text(
        {"approve": "approve", "reject": "reject", "refer": "refer to an officer"}[value])
    screenshot(page, "17-credit-en")
    ctx.close()
    watch.check(server)


def _mark(page: Page, name: str) -> float:
    return page.evaluate("(n) => performance.getEntriesByName(n)[0].startTime", name)


def test_assistant_is_interactive_fast_and_streams_early(browser: Browser, server: LiveServer) -> None:
    """The first page after signing in is usable within a second; the first streamed text comes soon
    after asking (no LLM: the extractive answerer). Figures are printed; the bounds are generous."""
    with _client(server, ADMIN) as c:
        assert c.post("/api/kb", json={"name": "计时库"}).status_code == 201
        r = c.post("/api/kb/计时库/documents?wait=true",
                   files=[("files", (TRAVEL[0], TRAVEL[1].encode("utf-8"), "text/markdown"))])
        assert r.status_code == 202 and r.json()["rejected"] == [], r.text

    ctx, watch = new_context(browser, server)
    page = ctx.new_page()
    page.goto("/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/")
    page.wait_for_function("() => performance.getEntriesByName('xy-ready').length > 0")
    nav = page.evaluate("""() => {
        const n = performance.getEntriesByType("navigation")[0];
        return {interactive: n.domInteractive - n.startTime, loaded: n.loadEventEnd - n.startTime};
    }""")
    ready = _mark(page, "xy-ready")

    asks = []
    page.select_option("#kb-select", "计时库")
    for turn, question in enumerate(("差旅费应在出差返回后多少个工作日内报销？", "出差乘坐高铁应选择几等座？"), 1):
        page.fill("#question", question)
        page.click("#ask-button")
        expect(page.locator(".msg-answer.done")).to_have_count(turn, timeout=60_000)
        sent = _mark(page, f"xy-ask-{turn}")
        asks.append((_mark(page, f"xy-first-token-{turn}") - sent, _mark(page, f"xy-answer-{turn}") - sent))
    expect(page.locator(".msg-answer .answer-text").first).to_contain_text("十五个工作日")
    print(f"\nweb timing: assistant page after sign-in: DOM interactive {nav['interactive']:.0f} ms, "
          f"ready (knowledge bases listed) {ready:.0f} ms, load {nav['loaded']:.0f} ms")
    for i, (first, full) in enumerate(asks, 1):
        print(f"web timing: question {i}: ask → first streamed token {first:.0f} ms, complete answer {full:.0f} ms")
    assert nav["interactive"] < 5000 and ready < 5000
    assert all(first < 5000 for first, _ in asks)
    ctx.close()
    watch.check(server)
