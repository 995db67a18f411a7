"""The REST API served by a real uvicorn process on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import admin_token, bearer, free_port
from tests.kb_samples import LOAN_POLICY, write_corpus

TOKENS: dict[str, str] = {}


_free_port = free_port  # other test modules import it from here


@pytest.fixture(scope="module")
def api_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-home")


@pytest.fixture(scope="module")
def server(api_home: Path) -> Iterator[str]:
    home = api_home
    port = _free_port()
    env = {**os.environ, "XIAOYIN_HOME": str(home), "XIAOYIN_INGEST__MAX_FILE_MB": "0.05",
           "XIAOYIN_CONFIG": str(home / "none.toml")}
    env.pop("XIAOYIN_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("xiaoyin")
    TOKENS["admin"] = admin_token(env)
    proc = subprocess.Popen([str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:  # pragma: no cover - diagnostic
        proc.kill()
        raise RuntimeError(proc.stdout.read().decode() if proc.stdout else "server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120, headers=bearer(TOKENS["admin"])) as c:
        yield c


@pytest.fixture(scope="module")
def loaded(client: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = write_corpus(tmp_path_factory.mktemp("api-docs") / "docs")
    assert client.post("/api/kb", json={"name": "policy", "description": "制度"}).status_code == 201
    files = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    r = client.post("/api/kb/policy/documents", params={"wait": "true"}, files=files, data={"tags": "制度,2024"})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["indexed"] == 2 and body["failed"] == 2
    return "policy"


def test_health_and_openapi(client: httpx.Client) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    assert "/api/kb/{name}/ask" in client.get("/openapi.json").json()["paths"]


def test_errors_are_specific_json(client: httpx.Client, loaded: str) -> None:
    r = client.get("/api/kb/nope/documents")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.post("/api/kb", json={"name": "policy"}).status_code == 409
    assert client.post("/api/kb", json={"name": "../x"}).status_code == 422
    assert client.post("/api/kb/policy/ask", json={"question": ""}).status_code == 422


def test_ask_returns_citations_and_is_stored(client: httpx.Client, loaded: str) -> None:
    r = client.post("/api/kb/policy/ask", json={"question": "个人经营贷款期限最长多少年？"})
    assert r.status_code == 200, r.text
    a = r.json()
    assert not a["refused"] and "十年" in a["answer"]
    c = a["citations"][0]
    assert c["doc_name"] == "个人贷款管理办法.md" and c["quote"] in LOAN_POLICY
    stored = client.get(f"/api/answers/{a['id']}").json()
    assert stored["answer"] == a["answer"] and stored["citations"][0]["text"]


def test_ask_streams_server_sent_events(client: httpx.Client, loaded: str) -> None:
    events: list[tuple[str, dict]] = []
    with client.stream("POST", "/api/kb/policy/ask",
                       json={"question": "首次贷后检查应在放款后多少日内完成？", "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                events.append((event, json.loads(line.split(":", 1)[1])))
    names = [e for e, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "delta" in names
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert "三十日" in text
    assert events[-1][1]["id"]


def test_uploads_are_checked(client: httpx.Client, loaded: str, api_home: Path) -> None:
    big = b"a" * (80 * 1024)
    files = [("files", ("../../etc/passwd.md", "# 标题\n\n正文内容，测试上传文件名。".encode())),
             ("files", ("big.txt", big))]
    r = client.post("/api/kb/policy/documents", files=files)
    assert r.status_code == 202
    body = r.json()
    assert body["accepted"] == ["passwd.md"]
    assert body["rejected"][0]["error_code"] == "file_too_large"
    job = body["job_id"]
    for _ in range(200):
        status = client.get(f"/api/kb/policy/jobs/{job}").json()
        if status["status"] != "running":
            break
        time.sleep(0.2)
    assert status["status"] == "done" and status["results"][0]["status"] == "indexed"
    docs = {d["name"] for d in client.get("/api/kb/policy/documents").json()}
    assert "passwd.md" in docs
    # uploaded copies are removed once ingested: the database holds what was extracted
    assert [p for p in (api_home / "uploads").rglob("*") if p.is_file()] == []


def test_delete_document_over_http(client: httpx.Client, loaded: str) -> None:
    docs = {d["name"]: d["id"] for d in client.get("/api/kb/policy/documents").json()}
    r = client.delete(f"/api/kb/policy/documents/{docs['信用卡章程.txt']}")
    assert r.status_code == 200
    hits = client.post("/api/kb/policy/search", json={"query": "年费 取现手续费", "k": 10}).json()["hits"]
    assert all(h["filename"] != "信用卡章程.txt" for h in hits)
