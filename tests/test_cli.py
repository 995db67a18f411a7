"""The ``xiaoyin`` command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kb_samples import write_corpus

CLI = str(Path(sys.executable).with_name("xiaoyin"))


@pytest.fixture
def run(tmp_path: Path):
    env = {**os.environ, "XIAOYIN_HOME": str(tmp_path / "home"), "XIAOYIN_CONFIG": str(tmp_path / "none.toml")}
    env.pop("XIAOYIN_DATABASE_URL", None)

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=600)

    return _run


def test_kb_ingest_ask_and_eval(run, tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "docs")
    # the OS user acts as staff: managing knowledge bases needs --admin (the server's operator) or --user
    refused = run("kb", "create", "policy")
    assert refused.returncode == 2 and "forbidden" in refused.stderr and "kb.manage" in refused.stderr
    assert run("--admin", "kb", "create", "policy").returncode == 0
    dup = run("--admin", "kb", "create", "policy")
    assert dup.returncode == 2 and "already_exists" in dup.stderr

    ing = run("--admin", "kb", "ingest", "--kb", "policy", str(folder), "--json")
    assert ing.returncode == 1, ing.stderr  # two bad files in the batch
    rep = json.loads(ing.stdout)
    assert rep["indexed"] == 2 and rep["failed"] == 2

    again = run("--admin", "kb", "ingest", "--kb", "policy", str(folder / "个人贷款管理办法.md"))
    assert again.returncode == 0 and "unchanged" in again.stdout

    ask = run("ask", "--kb", "policy", "信用卡境内取现手续费是多少？", "--json")
    assert ask.returncode == 0, ask.stderr
    a = json.loads(ask.stdout)
    assert not a["refused"] and "百分之一" in a["answer"] and a["citations"][0]["doc_name"] == "信用卡章程.txt"

    qs = tmp_path / "q.jsonl"
    qs.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "q1", "question": "借款人年龄要求？", "answers": ["十八周岁"],
         "evidence": [{"doc": "个人贷款管理办法.md"}]},
        {"id": "q2", "question": "普卡年费多少钱？", "answers": ["一百元"], "evidence": [{"doc": "信用卡章程.txt"}]},
        {"id": "q3", "question": "黄金积存业务的起存克数是多少？", "answers": [], "evidence": [],
         "answerable": False},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    ev = run("--admin", "eval", "--kb", "policy", "--questions", str(qs), "--out", str(out))
    assert ev.returncode == 0, ev.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    for key in ("k", "questions", "recall_at_k", "mrr", "page_recall_at_k", "answer_accuracy",
                "refusal_rate_answerable", "refusal_rate_unanswerable", "per_question"):
        assert key in report
    assert report["questions"] == 3 and report["recall_at_k"] == 1.0
    assert report["page_recall_at_k"] is None


def test_cli_errors_are_clear(run, tmp_path: Path) -> None:
    r = run("ask", "--kb", "missing", "随便问问")
    assert r.returncode == 2 and "not_found" in r.stderr
    r = run("--admin", "kb", "ingest", "--kb", "x", str(tmp_path), "--date", "2024-13-01")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
