"""The staff workbench in a real browser (Debian's Chromium via Playwright) against a real server.

One server and one browser for the module; each test opens its own browser context. Every request a
page makes is recorded and must go to the server itself; screenshots of every page go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser_util import (
    ADMIN,
    CHROMIUM,
    STAFF,
    VICTIM,
    LiveServer,
    Watch,
    launch_chromium,
    live_server,
    new_context,
    prepare_home,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium (`make install` installs it)")

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect

TRAVEL = """# 员工差旅费管理办法

第一条 员工出差乘坐高铁应选择二等座，处级以上人员可乘坐一等座。

第二条 出差住宿标准：一线城市每晚不超过六百元，其他城市每晚不超过四百元。

第三条 差旅费应在出差返回后十五个工作日内凭发票报销，逾期不予报销。
"""

SECURITY = """# 信息安全管理规定

第一条 员工登录密码长度不得少于十位，并且每九十天更换一次。

第二条 严禁将客户信息通过个人邮箱或即时通讯工具向外发送。
"""

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(2)</script>"
NOTICE = f"""# 系统公告

本公告编号为 GG-2024-009，适用于全行员工。

测试段落包含 `{XSS_IMG}` 与 `{XSS_SCRIPT}` 两段代码文字，均应原样显示。
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("web-home")
    prepare_home(home)
    with live_server(home) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as b:
        yield b




@pytest.fixture
def admin(browser: Browser, server: LiveServer) -> Iterator[tuple[Page, Watch, str]]:
    ctx, watch = new_context(browser, server)
    csrf = sign_in(ctx, ADMIN)
    page = ctx.new_page()
    yield page, watch, csrf
    ctx.close()
    watch.check(server)


def _drop(page: Page, files: list[Path]) -> None:
    """Drop files on the upload zone as a user dragging them from the desktop would."""
    payload = [{"name": f.name, "text": f.read_text(encoding="utf-8")} for f in files]
    page.evaluate("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) dt.items.add(new File([f.text], f.name, {type: "text/markdown"}));
        const zone = document.getElementById("dropzone");
        for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
        }
    }""", payload)


def _ask(page: Page, kb: str, question: str) -> None:
    page.goto("/")
    page.select_option("#kb-select", kb)
    page.fill("#question", question)
    with page.expect_response(lambda r: r.url.endswith("/ask")) as resp:
        page.click("#ask-button")
    assert resp.value.status == 200 and resp.value.headers["content-type"].startswith("text/event-stream")
    expect(page.locator(".msg-answer.done")).to_have_count(1, timeout=60_000)


def test_login_errors_and_no_open_redirect(browser: Browser, server: LiveServer) -> None:
    ctx, watch = new_context(browser, server)
    page = ctx.new_page()
    page.goto("/audit")  # not signed in: to the login page, remembering where to go back
    assert urlsplit(page.url).path == "/login" and parse_qs(urlsplit(page.url).query)["next"] == ["/audit"]
    page.fill("#username", ADMIN[0])
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
    screenshot(page, "01-login-error")

    page.goto("/login?next=https://evil.example/phish")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#no-kb")).to_be_visible()  # no knowledge base yet: says where to make one
    expect(page.locator(".mainnav a")).to_have_text(["智能问答", "知识库", "材料审核", "授信审批", "审计日志", "用户管理"])
    assert page.locator('meta[name="csrf-token"]').get_attribute("content")
    screenshot(page, "02-assistant-empty")
    page.goto("/login?next=//evil.example")  # signed in: straight on, but only to this site
    assert urlsplit(page.url).netloc == server.netloc and urlsplit(page.url).path == "/"

    page.click("#xy-logout")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/")
    assert urlsplit(page.url).path == "/login"
    ctx.close()
    watch.check(server)


def test_upload_ask_and_cite(admin: tuple[Page, Watch, str], tmp_path: Path) -> None:
    page, watch, _ = admin
    files = [tmp_path / "员工差旅费管理办法.md", tmp_path / "信息安全管理规定.md"]
    files[0].write_text(TRAVEL, encoding="utf-8")
    files[1].write_text(SECURITY, encoding="utf-8")

    page.goto("/kb")
    page.fill("#kb-name", "制度库")
    page.fill("#kb-desc", "行内制度 <b>汇编</b><img src=x onerror=alert(3)>")
    page.click("#kb-create button[type=submit]")
    expect(page.locator("#kb-title")).to_have_text("制度库")
    expect(page.locator(".kb-item.selected .kb-item-desc")).to_have_text("行内制度 <b>汇编</b><img src=x onerror=alert(3)>")

    _drop(page, files)
    rows = page.locator(".upload-row")
    expect(rows).to_have_count(2)
    expect(page.locator('.upload-row[data-status="indexed"]')).to_have_count(2, timeout=90_000)
    expect(page.locator("#doc-table tbody tr")).to_have_count(2)
    expect(page.locator("#doc-table .doc-name")).to_contain_text(["信息安全管理规定.md", "员工差旅费管理办法.md"],
                                                                  ignore_case=False)
    screenshot(page, "03-knowledge-bases")

    _ask(page, "制度库", "差旅费应在出差返回后多少个工作日内报销？")
    answer = page.locator(".msg-answer").last
    expect(answer.locator(".answer-text")).to_contain_text("十五个工作日")
    cite = answer.locator(".citation").first
    expect(cite.locator(".citation-doc")).to_contain_text("员工差旅费管理办法.md")
    expect(cite.locator(".citation-quote")).to_contain_text("十五个工作日")
    expect(answer.locator(".answer-meta")).to_contain_text("回答编号")
    screenshot(page, "04-assistant-answer")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
    screenshot(page, "04b-assistant-tablet")
    assert not any(kind == "alert" for kind, _ in watch.dialogs)


def test_stored_xss_shows_literally(admin: tuple[Page, Watch, str], tmp_path: Path) -> None:
    page, watch, csrf = admin
    r = page.context.request.post("/api/kb", data={"name": "公告库"}, headers={"X-CSRF-Token": csrf})
    assert r.status == 201, r.text()
    notice = tmp_path / "系统公告.md"
    notice.write_text(NOTICE, encoding="utf-8")
    page.goto("/kb#" + "公告库")
    expect(page.locator("#kb-title")).to_have_text("公告库")
    page.set_input_files("#file-input", str(notice))
    expect(page.locator('.upload-row[data-status="indexed"]')).to_have_count(1, timeout=60_000)

    _ask(page, "公告库", "测试段落包含哪两段代码文字？")
    answer = page.locator(".msg-answer").last
    expect(answer.locator(".citation-doc").first).to_contain_text("系统公告.md")
    quotes = " ".join(answer.locator(".citation-quote").all_inner_texts()) + answer.locator(".answer-text").inner_text()
    assert XSS_IMG in quotes and XSS_SCRIPT in quotes, quotes
    assert page.locator("#thread img, #thread script").count() == 0
    screenshot(page, "05-assistant-xss-literal")

    page.goto("/kb#" + "公告库")  # reindex, then delete the document (after a confirmation)
    page.click("#reindex")
    expect(page.locator("#kb-message")).to_contain_text("索引已重建")
    page.locator('#doc-table tr[data-doc="系统公告.md"] button.btn-danger').click()
    expect(page.locator("#doc-table tbody tr")).to_have_text(["暂无文档"])
    assert watch.dialogs == [("confirm", "确定删除文档“系统公告.md”？删除后将无法再被检索。")], watch.dialogs


def test_audit_log_page(admin: tuple[Page, Watch, str]) -> None:
    page, _, _ = admin
    page.goto("/audit")
    expect(page.locator("#verify-badge")).to_have_attribute("data-ok", "true")
    expect(page.locator("#verify-badge")).to_contain_text("完整性校验通过")
    expect(page.locator('#audit-table tr[data-action="auth.login"]').first).to_be_visible()
    screenshot(page, "06-audit")

    total = page.context.request.get("/api/audit?limit=1").json()["total"]
    assert total > 10
    page.select_option("select[name=limit]", "10")
    page.click("#audit-filter button[type=submit]")
    expect(page.locator("#page-info")).to_have_text(re.compile(rf"第 1 / {(total + 9) // 10} 页，共 {total} 条"))
    page.click("#next-page")
    expect(page.locator("#page-info")).to_contain_text("第 2 /")
    assert "offset=10" in page.url

    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=action]", "auth.login")
    page.click("#audit-filter button[type=submit]")
    expect(page.locator("#page-info")).to_contain_text("第 1 /")
    actions = page.locator("#audit-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions and set(actions) == {"auth.login"}
    href = page.locator("#export-csv").get_attribute("href")
    assert parse_qs(urlsplit(href).query) == {"username": [ADMIN[0]], "action": ["auth.login"]}
    csv = page.context.request.get(href)
    assert csv.status == 200 and "auth.login" in csv.text() and "auth.user_create" not in csv.text()
    page.reload()  # the filters survive a reload (they live in the address)
    expect(page.locator("input[name=username]")).to_have_value(ADMIN[0])
    # knowledge routes do not write audit events yet: when they do, their events show here too
    screenshot(page, "07-audit-filtered")


def test_admin_users_page(admin: tuple[Page, Watch, str], browser: Browser, server: LiveServer) -> None:
    page, watch, _ = admin
    for _ in range(5):  # lock the victim's account with wrong passwords
        httpx.post(f"{server.url}/api/auth/login", json={"username": VICTIM[0], "password": "wrong-password-1"})
    ctx, victim_watch = new_context(browser, server)
    login = ctx.new_page()
    login.goto("/login")
    login.fill("#username", VICTIM[0])
    login.fill("#password", VICTIM[1])
    login.click("#login-submit")
    expect(login.locator("#login-error")).to_contain_text("账号已被锁定")
    ctx.close()
    victim_watch.check(server)
    page.goto("/admin/users")
    for name in (ADMIN[0], STAFF[0], VICTIM[0]):
        expect(page.locator(f'#users-table tr[data-user="{name}"]')).to_be_visible()
    expect(page.locator(f'#users-table tr[data-user="{ADMIN[0]}"] button')).to_have_count(0)  # not oneself
    victim = page.locator(f'#users-table tr[data-user="{VICTIM[0]}"]')
    expect(victim).to_contain_text("已锁定")
    screenshot(page, "08-users")
    victim.get_by_role("button", name="解锁").click()
    expect(victim).not_to_contain_text("已锁定")
    assert httpx.post(f"{server.url}/api/auth/login",
                      json={"username": VICTIM[0], "password": VICTIM[1]}).status_code == 200

    form = page.locator("#user-create")
    form.locator("input[name=username]").fill("kbm01")
    form.locator("input[name=display_name]").fill("赵知识")
    form.locator("input[name=password]").fill("Kbm-pass-2024!")
    form.locator('input[value="knowledge_manager"]').check()
    form.locator('input[value="auditor"]').check()
    form.locator('input[value="staff"]').uncheck()
    form.locator("select[name=branch]").select_option("0101")
    form.locator("select[name=department]").select_option("retail")
    form.locator("button[type=submit]").click()
    row = page.locator('#users-table tr[data-user="kbm01"]')
    expect(row).to_contain_text("赵知识")
    expect(row).to_contain_text("审计员、知识库管理员")
    expect(row).to_contain_text("0101")
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    assert ("confirm", "确定停用用户“kbm01”？其登录会话将立即失效。") in watch.dialogs

    form.locator("input[name=username]").fill("short01")
    form.locator("input[name=password]").fill("short")
    form.locator("button[type=submit]").click()
    expect(page.locator("#users-message")).to_have_class(re.compile("alert-error"))
    screenshot(page, "09-users-created")


def test_staff_sees_only_their_pages_in_english(browser: Browser, server: LiveServer) -> None:
    ctx, watch = new_context(browser, server, viewport={"width": 1024, "height": 768})
    sign_in(ctx, STAFF)
    page = ctx.new_page()
    page.goto("/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".mainnav a")).to_have_text(["Assistant"])
    expect(page.locator(".whoami")).to_have_text("李员工")
    resp = page.goto("/audit")  # the language sticks (cookie); the page is refused
    assert resp is not None and resp.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    screenshot(page, "10-forbidden-en")
    page.click(".lang-switch")
    expect(page.locator("h1")).to_have_text("没有权限")
    assert page.goto("/admin/users").status == 403
    assert page.goto("/kb").status == 403
    ctx.close()
    watch.check(server)


def test_csrf_header_is_required(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        r = c.post("/api/auth/login", json={"username": STAFF[0], "password": STAFF[1]})
        assert r.status_code == 200 and "xiaoyin_session" in c.cookies
        csrf = r.json()["csrf_token"]
        refused = c.post("/api/auth/logout")
        assert refused.status_code == 403 and refused.json()["error"]["details"]["reason"] == "csrf"
        assert c.post("/api/kb", json={"name": "x"}).status_code == 403
        assert c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
