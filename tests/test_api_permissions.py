"""Permissions over real HTTP: a member of one sub-branch tries to reach another sub-branch's document
through every knowledge route; requests without credentials, with forged tokens, without CSRF tokens
and with SQL-injection attempts are refused; repeated wrong passwords lock the account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser_util import ADMIN, STAFF, VICTIM, live_server, prepare_home

EAST = "# 城东支行客户经理手册\n\n第一条 城东支行对青禾小微客户的授信上限为人民币八百万元，代号松柏方案。\n"
WEST = "# 城西支行客户经理手册\n\n第一条 城西支行对青禾小微客户的授信上限为人民币六百万元，代号梧桐方案。\n"


def _login(url: str, user: tuple[str, str]) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=120)
    r = c.post("/api/auth/login", json={"username": user[0], "password": user[1]})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("perm-home")
    prepare_home(home)
    with live_server(home) as srv:
        admin = _login(srv.url, ADMIN)
        assert admin.post("/api/kb", json={"name": "handbook"}).status_code == 201
        for name, text, branch in (("城东手册.md", EAST, "0101"), ("城西手册.md", WEST, "0102")):
            r = admin.post("/api/kb/handbook/documents", params={"wait": "true"},
                           files=[("files", (name, text.encode("utf-8")))],
                           data={"acl": json.dumps({"branches": [branch]})})
            assert r.status_code == 202 and r.json()["indexed"] == 1, r.text
        admin.close()
        yield srv.url


@pytest.fixture(scope="module")
def east(server: str) -> Iterator[httpx.Client]:
    c = _login(server, STAFF)  # branch 0101
    yield c
    c.close()


@pytest.fixture(scope="module")
def west(server: str) -> Iterator[httpx.Client]:
    c = _login(server, VICTIM)  # branch 0102
    yield c
    c.close()


def test_every_knowledge_route_hides_the_other_branch(east: httpx.Client, west: httpx.Client) -> None:
    hits = east.post("/api/kb/handbook/search", json={"query": "梧桐方案 授信上限", "k": 10}).json()["hits"]
    assert all(h["filename"] != "城西手册.md" for h in hits)
    assert any(h["filename"] == "城西手册.md" for h in
               west.post("/api/kb/handbook/search", json={"query": "梧桐方案 授信上限", "k": 10}).json()["hits"])
    a = east.post("/api/kb/handbook/ask", json={"question": "梧桐方案的授信上限是多少？"}).json()
    assert "六百万" not in a["answer"] and all(c["doc_name"] != "城西手册.md" for c in a["citations"])
    with east.stream("POST", "/api/kb/handbook/ask", json={"question": "城西手册第一条的内容是什么？",
                                                           "stream": True}) as r:
        body = "".join(r.iter_text())
    assert r.status_code == 200 and "六百万" not in body and "城西手册.md" not in body
    docs = [d["filename"] for d in east.get("/api/kb/handbook/documents").json()]
    assert docs == ["城东手册.md"]
    for path in ("/api/kb/handbook/documents/城西手册.md", "/api/kb/handbook/documents/城西手册.md/chunks"):
        assert east.get(path).status_code == 404, path
    r = east.post("/api/kb/handbook/search", json={"query": "授信", "docs": ["城西手册.md"]})
    assert r.status_code == 404
    assert east.delete("/api/kb/handbook/documents/城西手册.md").status_code == 403  # staff: no kb.manage
    assert east.put("/api/kb/handbook/documents/城西手册.md/acl", json={"public": True}).status_code == 403
    west_answer = west.post("/api/kb/handbook/ask", json={"question": "梧桐方案的授信上限是多少？"}).json()
    assert "六百万" in west_answer["answer"]
    assert east.get(f"/api/answers/{west_answer['id']}").status_code == 404
    assert west.get(f"/api/answers/{west_answer['id']}").status_code == 200
    for path in ("/api/audit", "/api/audit/export.csv", "/api/admin/users"):
        assert east.get(path).status_code == 403, path


def test_no_credentials_forged_tokens_and_csrf(server: str, east: httpx.Client) -> None:
    anon = httpx.Client(base_url=server, timeout=30)
    for method, path in (("GET", "/api/kb"), ("POST", "/api/kb/handbook/search"), ("GET", "/api/audit"),
                         ("GET", "/api/risk/models"), ("GET", "/api/docs/applications"), ("GET", "/api/ledger/logs")):
        assert anon.request(method, path, json={"query": "x"}).status_code == 401, path
    for bad in ("Bearer xy_00000000_forged", "Bearer", "Basic YWRtaW46YWRtaW4=", "Bearer ' OR 1=1 --"):
        assert anon.get("/api/kb", headers={"Authorization": bad}).status_code == 401, bad
    no_csrf = httpx.Client(base_url=server, timeout=30, cookies=east.cookies)
    r = no_csrf.post("/api/kb/handbook/search", json={"query": "授信"})
    assert r.status_code == 403 and r.json()["error"]["details"]["reason"] == "csrf"
    r = no_csrf.post("/api/kb/handbook/search", json={"query": "授信"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    assert no_csrf.get("/api/kb").status_code == 200  # reading needs no CSRF token
    anon.close()
    no_csrf.close()


def test_sql_injection_is_inert(server: str, east: httpx.Client) -> None:
    anon = httpx.Client(base_url=server, timeout=30)
    for name in ("' OR '1'='1", "admin'--", "x\"; DROP TABLE auth_users; --"):
        r = anon.post("/api/auth/login", json={"username": name, "password": "' OR '1'='1"})
        assert r.status_code == 401, name
    r = east.post("/api/kb/handbook/search", json={"query": "'; DROP TABLE kb_chunks; --", "k": 3})
    assert r.status_code == 200
    assert east.get("/api/kb/handbook/documents/x' OR '1'='1").status_code == 404
    assert east.post("/api/kb/handbook/search", json={"query": "松柏方案"}).json()["hits"]  # tables intact
    anon.close()


def test_brute_force_login_locks_the_account(server: str) -> None:
    c = httpx.Client(base_url=server, timeout=30)
    codes = [c.post("/api/auth/login", json={"username": VICTIM[0], "password": f"guess-{i}-Aa1!"}).status_code
             for i in range(5)]
    assert codes == [401] * 5
    r = c.post("/api/auth/login", json={"username": VICTIM[0], "password": VICTIM[1]})
    assert r.status_code == 423 and r.json()["error"]["code"] == "account_locked"
    c.close()


def test_feedback_over_http(server: str, east: httpx.Client, west: httpx.Client) -> None:
    a = east.post("/api/kb/handbook/ask", json={"question": "松柏方案的授信上限是多少？"}).json()
    r = east.post(f"/api/answers/{a['id']}/feedback", json={"rating": "down", "correction": "八百万元"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert west.post(f"/api/answers/{a['id']}/feedback", json={"rating": "up"}).status_code == 404
    assert east.post(f"/api/answers/{a['id']}/feedback", json={"rating": "meh"}).status_code == 422
    assert east.get("/api/feedback").status_code == 403
    admin = _login(server, ADMIN)
    queue = admin.get("/api/feedback").json()
    assert [f["answer_id"] for f in queue] == [a["id"]]
    r = admin.post(f"/api/feedback/{queue[0]['id']}/review", json={"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    jsonl = admin.get("/api/kb/handbook/eval-questions.jsonl").text
    assert "八百万元" in jsonl and "城东手册.md" in jsonl
    admin.close()


def test_cited_source_file_and_page_image(server: str, east: httpx.Client, west: httpx.Client) -> None:
    pdf = Path(__file__).parent / "fixtures" / "parse" / "rules_text.pdf"
    admin = _login(server, ADMIN)
    r = admin.post("/api/kb/handbook/documents", params={"wait": "true"},
                   files=[("files", ("东区制度.pdf", pdf.read_bytes()))], data={"acl": json.dumps({"branches": ["0101"]})})
    assert r.status_code == 202 and r.json()["indexed"] == 1, r.text
    f = east.get("/api/kb/handbook/documents/东区制度.pdf/file")
    assert f.status_code == 200 and f.content == pdf.read_bytes() and "attachment" in f.headers["content-disposition"]
    page = east.get("/api/kb/handbook/documents/东区制度.pdf/pages/1")
    assert page.status_code == 200 and page.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert east.get("/api/kb/handbook/documents/东区制度.pdf/pages/999").status_code == 404
    assert east.get("/api/kb/handbook/documents/城东手册.md/pages/1").status_code == 422  # no page images for Markdown
    for path in ("/api/kb/handbook/documents/东区制度.pdf/file", "/api/kb/handbook/documents/东区制度.pdf/pages/1"):
        assert west.get(path).status_code == 404, path
    admin.close()


def test_evaluation_run_over_http(server: str, east: httpx.Client) -> None:
    admin = _login(server, ADMIN)
    r = admin.post("/api/kb/handbook/evaluate", json={"k": 5})
    if r.status_code == 422:  # no accepted feedback yet in this module's order: add one question
        a = admin.post("/api/kb/handbook/ask", json={"question": "梧桐方案的授信上限是多少？"}).json()
        fb = admin.post(f"/api/answers/{a['id']}/feedback", json={"rating": "up"}).json()
        admin.post(f"/api/feedback/{fb['id']}/review", json={"action": "accept", "answers": ["六百万"]})
        r = admin.post("/api/kb/handbook/evaluate", json={"k": 5})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["questions"] >= 1 and "recall_at_k" in report and report["per_question"]
    assert east.post("/api/kb/handbook/evaluate", json={}).status_code == 403
    admin.close()


def test_organisation_lists_need_a_managing_role(server: str, east: httpx.Client) -> None:
    for path in ("/api/admin/branches", "/api/admin/departments"):
        assert east.get(path).status_code == 403, path
    admin = _login(server, ADMIN)
    assert {b["code"] for b in admin.get("/api/admin/branches").json()} >= {"0001", "0101", "0102"}
    assert admin.get("/api/kb/handbook").json()["default_acl"] == ["public"]
    admin.close()
