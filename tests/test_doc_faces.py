"""Credit-document and ledger faces: ``xiaoyin docs``/``xiaoyin ledger`` commands and the
``/api/docs`` and ``/api/ledger`` routes, over generated documents, a real database and a real server."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import admin_token, bearer, fresh_pg_url
from tests.test_api import _free_port
from xiaoyin.core.ledger.service import (
    ConsistencyProof,
    InclusionProof,
    SignedTreeHead,
    verify_consistency_proof,
    verify_inclusion_proof,
    verify_sth_signature,
)

#: the API token of each served test server, by URL
TOKENS: dict[str, str] = {}

CLI = str(Path(sys.executable).with_name("xiaoyin"))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("docs-home")
    e = {**os.environ, "XIAOYIN_HOME": str(home), "XIAOYIN_CONFIG": str(home / "none.toml"), "COLUMNS": "200"}
    e.pop("XIAOYIN_DATABASE_URL", None)
    return e


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def corpus(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs-corpus")
    r = _run(env, "docs", "synth", "--out", str(out), "--applications", "4", "--seed", "11", "--kinds", "text,xml")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["applications"]) == 4
    return out


def test_cli_extract_verify_and_ledger(env: dict[str, str], corpus: Path, tmp_path: Path) -> None:
    apps = sorted((corpus / "apps").iterdir())
    files = sorted(apps[0].glob("*.pdf"))[:3] + sorted(apps[0].glob("*.xml"))[:1]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    r = _run(env, "docs", "extract", *map(str, files), str(bad), "--json")
    assert r.returncode == 0, r.stderr
    docs = json.loads(r.stdout)
    assert [d["file"] for d in docs] == [f.name for f in files] + ["bad.pdf"]
    assert all(d["data"] for d in docs[:-1]) and docs[-1]["error"]
    r = _run(env, "docs", "extract", str(files[0]))  # human-readable; a failed file gives exit code 1
    assert r.returncode == 0 and files[0].name in r.stdout
    assert _run(env, "docs", "extract", str(bad)).returncode == 1

    for app in apps:
        r = _run(env, "docs", "verify", "--application", str(app), "--json")
        assert r.returncode == 0, r.stderr
        rep = json.loads(r.stdout)
        assert rep["application_no"] == app.name and rep["ledger"]["seq"] == apps.index(app)
    r = _run(env, "docs", "verify", "--application", str(apps[0]))
    assert r.returncode == 0 and "unchanged" in r.stdout
    r = _run(env, "docs", "list")
    assert all(a.name in r.stdout for a in apps)
    assert _run(env, "docs", "show", apps[1].name, "--json").returncode == 0
    assert _run(env, "docs", "show", "NOPE").returncode == 2
    bad_kinds = _run(env, "docs", "synth", "--out", str(tmp_path / "x"), "--kinds", "text,fax")
    assert bad_kinds.returncode == 2 and "unknown kinds" in bad_kinds.stderr
    assert "trade.circular_trade" in _run(env, "docs", "rules").stdout

    r = _run(env, "ledger", "verify")
    assert r.returncode == 0 and "intact" in r.stdout
    proof = InclusionProof.model_validate_json(_run(env, "ledger", "proof", "1").stdout)
    assert verify_inclusion_proof(proof) and proof.tree_size == len(apps)
    head = SignedTreeHead.model_validate_json(_run(env, "ledger", "head").stdout)
    assert head.tree_size == len(apps) and head.root_hash == proof.root_hash
    cons = ConsistencyProof.model_validate_json(_run(env, "ledger", "consistency", "2").stdout)
    assert verify_consistency_proof(cons)

    # the signing key is lost: verification cannot trust the heads, unless given the published public key
    pub = tmp_path / "ledger.pub"
    pub.write_text(_run(env, "ledger", "public-key").stdout, encoding="utf-8")
    key = Path(env["XIAOYIN_HOME"]) / "ledger" / "signing.key"
    saved = key.read_bytes()
    key.unlink()
    r = _run(env, "ledger", "verify")
    assert r.returncode == 1 and "key missing" in r.stdout
    assert _run(env, "ledger", "verify", "--public-key", str(pub)).returncode == 0
    assert _run(env, "docs", "verify", "--application", str(apps[0]), "--id", "NEW-1").returncode == 2
    key.write_bytes(saved)

    # tamper with the stored package of the second application: verify fails and names it
    db = sqlite3.connect(Path(env["XIAOYIN_HOME"]) / "xiaoyin.db")
    with db:
        db.execute("UPDATE ledger_entries SET leaf_data = replace(leaf_data, '\"version\":1', '\"version\":9') "
                   "WHERE seq = 1")
    db.close()
    r = _run(env, "ledger", "verify")
    assert r.returncode == 1 and "#1" in r.stdout, r.stdout


@contextmanager
def _serve(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """A real ``xiaoyin serve`` on a loopback port, its log (stdout and stderr) kept in ``log_path``."""
    port = _free_port()
    token = admin_token(env)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([CLI, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.2)
            else:
                pytest.fail(f"server did not start:\n{log_path.read_text(encoding='utf-8')[-5000:]}")
            if proc.poll() is not None:
                pytest.fail(f"server exited {proc.returncode}:\n{log_path.read_text(encoding='utf-8')[-5000:]}")
            TOKENS[url] = token
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(env: dict[str, str]) -> Iterator[str]:
    api_env = {**env, "XIAOYIN_HOME": env["XIAOYIN_HOME"] + "-api", "XIAOYIN_DOCS__MAX_UPLOAD_MB": "8"}
    with _serve(api_env, Path(api_env["XIAOYIN_HOME"] + "-server.log")) as url:
        yield url


def _wait_for_job(c: httpx.Client, job_id: str, server_log: Path, timeout: float = 120.0) -> dict:
    """Poll a background verification until it is ``done`` or ``failed`` (``queued`` and ``running``
    are not end states); if it is not ``done`` in ``timeout`` seconds, fail showing the statuses seen,
    the job record and the server log."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        job = c.get(f"/api/docs/jobs/{job_id}").json()
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if job["status"] != "done":
        log = server_log.read_text(encoding="utf-8")[-8000:]
        msg = (f"job {job_id} went {' -> '.join(seen)} in {timeout - (deadline - time.monotonic()):.1f} s\n"
               f"job record: {json.dumps(job, ensure_ascii=False)}\nserver log ({server_log}):\n{log}")
        pytest.fail(msg, pytrace=False)
    return job


def test_api_extract_verify_and_proofs(server: str, corpus: Path, env: dict[str, str]) -> None:
    app = sorted((corpus / "apps").iterdir())[0]
    meta = (app / "application.json").read_text(encoding="utf-8")
    files = [("files", (p.name, p.read_bytes())) for p in sorted(app.iterdir()) if p.name != "application.json"]
    with httpx.Client(base_url=server, timeout=300, headers=bearer(TOKENS[server])) as c:
        r = c.post("/api/docs/extract", files=[*files[:2], ("files", ("x.xml", b"<a>not an invoice</a>"))])
        assert r.status_code == 200, r.text
        docs = r.json()["documents"]
        assert docs[0]["data"] and docs[0]["provenance"] and docs[2]["error"]
        r = c.post("/api/docs/applications", files=files, data={"application": meta, "user": "审单员甲"})
        assert r.status_code == 200, r.text
        rep = r.json()
        assert rep["application_no"] == app.name and rep["created"] and rep["ledger"]["seq"] == 0
        again = c.post("/api/docs/applications", files=files, data={"application": meta}).json()
        assert again["created"] is False
        # in the background: a job id at once, progress per file, then the stored version
        other = json.dumps({**json.loads(meta), "application_no": "BG-1"}, ensure_ascii=False)
        r = c.post("/api/docs/applications", params={"wait": "false"}, files=files, data={"application": other})
        assert r.status_code == 202
        job_id = r.json()["job_id"]
        job = _wait_for_job(c, job_id, Path(env["XIAOYIN_HOME"] + "-api-server.log"))
        assert job["application_no"] == "BG-1" and job["done"] == job["total"] == len(files)
        assert job["version"] == 1 and job["error"] is None and job["finished_at"]
        bg = c.get("/api/docs/applications/BG-1").json()
        assert bg["version"] == 1 and bg["ledger"]["seq"] == 1 and len(bg["documents"]) == len(files)
        assert c.get("/api/docs/jobs/nope").status_code == 404
        assert c.get(f"/api/docs/applications/{app.name}").json()["package_sha256"] == rep["package_sha256"]
        assert {a["application_no"] for a in c.get("/api/docs/applications").json()} == {app.name, "BG-1"}
        assert c.get("/api/docs/applications/NOPE").status_code == 404
        bad = c.post("/api/docs/applications", files=files, data={"application": '{"application_no": "a/b"}'})
        assert bad.status_code == 422
        assert c.get("/api/docs/rules").json()["rules"]

        proof = InclusionProof.model_validate(c.get("/api/ledger/credit-documents/proof/0").json())
        assert verify_inclusion_proof(proof)
        head = SignedTreeHead.model_validate(c.get("/api/ledger/credit-documents/head").json())
        pem = c.get("/api/ledger/public-key").text
        assert "PUBLIC KEY" in pem and verify_sth_signature(head, pem)
        assert c.get("/api/ledger/credit-documents/verify").json()["ok"] is True
        assert c.get("/api/ledger/nope/head").status_code == 404
        assert "credit-documents" in [lg["name"] for lg in c.get("/api/ledger/logs").json()]  # beside "audit"

        # upload limits: file count and the request's total size, each refused with a clear error
        many = [("files", (f"{i}.pdf", b"%PDF-1.4")) for i in range(51)]
        r = c.post("/api/docs/extract", files=many)
        assert r.status_code == 422 and "50" in r.json()["error"]["message"]
        big = [("files", (f"{i}.bin", os.urandom(3 * 1024 * 1024))) for i in range(3)]
        r = c.post("/api/docs/extract", files=big)
        assert r.status_code == 422 and "8 MB" in r.json()["error"]["message"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def job_server(request: pytest.FixtureRequest, env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A served API of its own (own home; SQLite, or an empty PostgreSQL schema) and its log file."""
    srv_env = {**env, "XIAOYIN_HOME": str(tmp_path / "home"), "XIAOYIN_LOG_LEVEL": "INFO"}
    if request.param == "postgres":
        srv_env["XIAOYIN_DATABASE_URL"] = fresh_pg_url()
    log = tmp_path / "server.log"
    with _serve(srv_env, log) as url:
        yield url, log


def test_api_background_jobs_queue_and_finish(job_server: tuple[str, Path], corpus: Path) -> None:
    """Two background verifications posted back to back over HTTP: the second waits (queued) for the
    first, both end ``done`` with their reports stored, and the served process logs each job."""
    url, log = job_server
    apps = sorted((corpus / "apps").iterdir())[1:3]
    ids = []
    with httpx.Client(base_url=url, timeout=300, headers=bearer(TOKENS[url])) as c:
        for app in apps:
            files = [("files", (p.name, p.read_bytes())) for p in sorted(app.iterdir()) if p.name != "application.json"]
            r = c.post("/api/docs/applications", params={"wait": "false"}, files=files,
                       data={"application": (app / "application.json").read_text(encoding="utf-8")})
            assert r.status_code == 202, r.text
            ids.append(r.json()["job_id"])
        assert c.get(f"/api/docs/jobs/{ids[1]}").json()["status"] in ("queued", "running", "done")
        for app, job_id in zip(apps, ids, strict=True):
            job = _wait_for_job(c, job_id, log)
            n = len(list(app.iterdir())) - 1
            assert job["application_no"] == app.name and job["done"] == job["total"] == n and job["version"] == 1
            rep = c.get(f"/api/docs/applications/{app.name}").json()
            assert rep["version"] == 1 and len(rep["documents"]) == n and rep["ledger"]["log"] == "credit-documents"
        assert {a["application_no"] for a in c.get("/api/docs/applications").json()} == {a.name for a in apps}
    text = log.read_text(encoding="utf-8")
    for job_id in ids:  # time, level, logger, [thread] message: each job's start and end, by its id
        assert re.search(rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} INFO xiaoyin\.credit\.documents\.service "
                         rf"\[verify-{job_id[:8]}\] verification job {job_id}: running ", text, re.M), text[-5000:]
        assert f"verification job {job_id}: done in " in text, text[-5000:]


def test_demo_credit_applications_are_idempotent(home: Path) -> None:
    from xiaoyin.cli.demo import _demo_credit_documents
    from xiaoyin.credit.documents import service

    _demo_credit_documents(applications=3)
    first = service.list_applications()
    _demo_credit_documents(applications=3)
    assert len(first) == 3 and [(a.application_no, a.version) for a in service.list_applications()] == [
        (a.application_no, a.version) for a in first]
