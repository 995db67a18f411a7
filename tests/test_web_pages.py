"""The web face without a browser: page routes, redirects, headers, strings, escaping, no outside assets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xiaoyin.web import STATIC_DIR
from xiaoyin.web.i18n import STRINGS
from xiaoyin.web.pages import CSP, safe_next

WEB = STATIC_DIR.parent
PASSWORD = "Web-pass-2024!"


@pytest.mark.parametrize(("given", "expected"), [
    (None, "/"), ("", "/"), ("/audit", "/audit"), ("/kb#制度库", "/kb#制度库"),
    ("/audit?username=a&limit=10", "/audit?username=a&limit=10"),
    ("https://evil.example", "/"), ("//evil.example", "/"), ("/\\evil.example", "/"), ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"), ("/\r\nLocation: x", "/"),
    ("evil.example", "/"), ("/login?next=/login", "/"), (" /audit", "/"),
])
def test_safe_next_allows_local_paths_only(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_both_languages_have_every_string_the_pages_use() -> None:
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()
    used: set[str] = set()
    for js in STATIC_DIR.glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z_]+)"(?!\s*\+)', js.read_text(encoding="utf-8")))
    for html in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_]+)", html.read_text(encoding="utf-8")))
    used |= {"nav_assistant", "nav_kb", "nav_review", "nav_credit", "nav_audit", "nav_users", "review_title",
             "credit_title", "role_admin", "role_staff", "outcome_ok", "st_indexed", "st_failed", "verdict_pass",
             "verdict_review", "verdict_fail", "sev_error", "dt_contract", "ik_text_pdf", "src_text", "f_buyer",
             "outcome_approve", "outcome_reject", "outcome_refer", "mstatus_champion", "mevent_promote",
             "rsource_model", "review_package", "credit_policy"}
    assert used - STRINGS["zh"].keys() == set()


def test_no_asset_comes_from_outside() -> None:
    """No CDN, web font or remote script: every URL in templates, styles and scripts is local."""
    for f in [*STATIC_DIR.iterdir(), *(WEB / "templates").iterdir()]:
        if f.suffix not in (".html", ".css", ".js"):
            continue
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), f.name
        assert "@import" not in text and "innerHTML" not in text and "insertAdjacentHTML" not in text, f.name
        assert "eval(" not in text and "new Function" not in text, f.name


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    from xiaoyin.api.app import create_app
    from xiaoyin.core.auth import service as auth
    from xiaoyin.core.auth.principal import Principal

    auth.create_user(Principal.system(), "staff02", PASSWORD, roles=["staff"],
                     display_name="</script><script>alert(1)</script>")
    auth.create_user(Principal.system(), "audit02", PASSWORD, roles=["auditor"])
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        yield c


def _login(c: TestClient, username: str) -> None:
    assert c.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200


def _check_headers(r) -> None:  # r: an httpx response
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"


def test_pages_need_a_session_and_keep_the_way_back(client: TestClient) -> None:
    for path in ("/", "/kb", "/review", "/credit", "/audit?username=a&limit=10", "/admin/users"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=/")
    assert client.get("/audit?username=a", follow_redirects=False).headers["location"] == \
        "/login?next=/audit%3Fusername%3Da"
    r = client.get("/login?next=/audit")
    assert r.status_code == 200 and 'id="login-form"' in r.text
    _check_headers(r)
    assert '"next": "/audit"' in r.text
    assert '"next": "/"' in client.get("/login?next=https://evil.example").text


def test_signed_in_pages_are_shells_with_safe_data(client: TestClient) -> None:
    import xiaoyin.api.deps as deps

    _login(client, "staff02")
    assert deps.SESSION_COOKIE in client.cookies
    r = client.get("/")
    assert r.status_code == 200
    _check_headers(r)
    html = r.text
    # no inline script: each <script> either loads a file from /static or is a JSON data block
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.fullmatch(r'<script src="/static/[a-z]+\.js\?v=[^"]+">', tag) or \
            tag == '<script type="application/json" id="xy-data">', tag
    markup = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    assert not re.search(r"<[^>]*\s(on[a-z]+|style)=", markup)  # no inline handlers or styles either
    assert "<script>alert(1)" not in html  # the display name is escaped in the header and in the JSON block
    assert '<meta name="csrf-token" content="' in html
    assert '<a href="/kb"' not in html and '<a href="/audit"' not in html  # staff: assistant only
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"
    r = client.get("/audit")
    assert r.status_code == 403 and "audit.read" in r.text
    _check_headers(r)
    assert client.get("/review").status_code == 403 and client.get("/credit").status_code == 403


def test_auditor_sees_the_audit_page_and_english_sticks(client: TestClient) -> None:
    _login(client, "audit02")
    r = client.get("/audit?lang=en")
    assert r.status_code == 200 and '<html lang="en">' in r.text and ">Audit log<" in r.text
    assert "lang=en" in r.headers["set-cookie"]
    r = client.get("/")
    assert '<html lang="en">' in r.text and 'href="/?lang=zh"' in r.text
    assert client.get("/kb").status_code == 403  # no kb.manage
    r = client.get("/credit")  # risk.read: the lists, but no decision form (no credit.decide)
    assert r.status_code == 200 and 'id="models-table"' in r.text and 'id="decide-form"' not in r.text
    assert '<a href="/credit"' in r.text and '<a href="/review"' not in r.text
    assert client.get("/?lang=xx").text.count('<html lang="en">') == 1  # unknown language: the cookie's


def test_static_files_are_served_locally_with_nosniff(client: TestClient) -> None:
    for name in ("app.css", "common.js", "assistant.js", "kb.js", "review.js", "credit.js", "audit.js", "users.js",
                 "login.js", "favicon.svg"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200, name
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/../pages.py").status_code == 404
