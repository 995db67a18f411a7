"""Credit-risk faces: the ``xiaoyin risk`` commands and ``/api/risk`` routes over a real model and server."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import admin_token, bearer
from tests.test_api import _free_port

CLI = str(Path(sys.executable).with_name("xiaoyin"))
GERMAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "credit" / "german_credit.csv"

pytestmark = pytest.mark.skipif(not GERMAN.exists(), reason="../shared/data/credit is not present")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("risk-home")
    e = {**os.environ, "XIAOYIN_HOME": str(home), "XIAOYIN_CONFIG": str(home / "none.toml")}
    e.pop("XIAOYIN_DATABASE_URL", None)
    return e


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "risk", *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def model_dir(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk") / "german"
    r = _run(env, "train", "--data", str(GERMAN), "--target", "creditability", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "scorecard" in r.stdout
    return out


def _application() -> dict[str, str]:
    with GERMAN.open(encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    row.pop("creditability")
    return row


def test_train_report_and_exports(model_dir: Path) -> None:
    report = json.loads((model_dir / "report.json").read_text(encoding="utf-8"))
    assert report["rows"] == 1000 and 0.29 < report["bad_rate"] < 0.31
    assert report["cv"]["scorecard"]["auc"] > 0.74 and report["cv"]["challenger"]["auc"] > 0.74
    assert (model_dir / "scorecard.csv").exists() and (model_dir / "scorecard.xlsx").exists()


def test_cli_decide_score_register_promote_rollback(env: dict[str, str], model_dir: Path, tmp_path: Path) -> None:
    app = tmp_path / "app.json"
    app.write_text(json.dumps(_application(), ensure_ascii=False), encoding="utf-8")
    r = _run(env, "decide", "--model", str(model_dir), "--input", str(app), "--user", "张三")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["outcome"] in {"approve", "reject", "refer"} and d["model_version"] and d["reasons"]

    unseen = {**_application(), "purpose": "从未见过的用途", "age_in_years": None}
    app.write_text(json.dumps(unseen, ensure_ascii=False), encoding="utf-8")
    r = _run(env, "decide", "--model", str(model_dir), "--input", str(app))
    assert r.returncode == 0, r.stderr  # unseen category and missing value fall into special bins

    app.write_text("[1, 2", encoding="utf-8")
    bad = _run(env, "decide", "--model", str(model_dir), "--input", str(app))
    assert bad.returncode == 2 and "JSON" in bad.stderr

    out = tmp_path / "scored.csv"
    r = _run(env, "score", "--model", str(model_dir), "--data", str(GERMAN), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 1000
    with out.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert {"score", "pd"} <= set(header)

    r = _run(env, "register", str(model_dir), "--name", "german", "--user", "risk-officer")
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)[0]
    assert first["status"] == "champion"
    r = _run(env, "models", "--name", "german", "--events")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["user"] == "risk-officer"
    r = _run(env, "rollback", "--name", "german", "--user", "x")
    assert r.returncode == 2  # nothing to roll back to: a clear error, not a crash


def test_cli_monitor_writes_html(env: dict[str, str], model_dir: Path, tmp_path: Path) -> None:
    html = tmp_path / "monitor.html"
    r = _run(env, "monitor", "--model", str(model_dir), "--data", str(GERMAN), "--out", str(html),
             "--target", "creditability")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["score_psi"] < 0.1
    text = html.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "http://" not in text and "https://" not in text


def test_api_decide_with_registered_champion(env: dict[str, str], model_dir: Path) -> None:
    assert _run(env, "register", str(model_dir), "--name", "german").returncode == 0
    port = _free_port()
    token = admin_token(env)
    proc = subprocess.Popen([CLI, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=60, headers=bearer(token)) as c:
            r = c.post("/api/risk/decide", json={"model": "german", "application": _application(), "user": "api"})
            assert r.status_code == 200, r.text
            d = r.json()
            assert d["outcome"] in {"approve", "reject", "refer"}
            stored = c.get(f"/api/risk/decisions/{d['id']}").json()
            assert stored["model_version"] == d["model_version"] and stored["inputs"]["purpose"]
            # a path is never accepted as a model over HTTP; an unknown name is a 404
            assert c.post("/api/risk/decide", json={"model": str(model_dir), "application": {}}).status_code == 422
            assert c.post("/api/risk/decide", json={"model": "nope", "application": {}}).status_code == 404
            models = c.get("/api/risk/models", params={"name": "german"}).json()
            assert any(m["status"] == "champion" for m in models)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
