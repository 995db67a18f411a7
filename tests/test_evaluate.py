"""Tests for the built-in evaluation: loading, matching, scoring, calibration and the shipped sets."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.knowledge.evaluate import (
    EvalQuestion,
    QuestionOutcome,
    answer_matches,
    calibrate_refusal,
    load_questions,
    normalize_answer_text,
    score,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- load_questions


def test_load_questions_ok(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        [
            json.dumps({"id": "a", "question": "q1", "answers": ["x", ["y", "z"]],
                        "evidence": [{"doc": "d.md", "article": "第一条"}]}, ensure_ascii=False),
            "",
            json.dumps({"id": "b", "question": "q2", "answerable": False,
                        "history": [{"question": "h", "answer": "ha"}]}),
        ],
    )
    qs = load_questions(p)
    assert [q.id for q in qs] == ["a", "b"]
    assert qs[0].answers == ["x", ["y", "z"]]
    assert qs[0].evidence[0].article == "第一条" and qs[0].evidence[0].page is None
    assert qs[1].answerable is False and qs[1].history[0].answer == "ha"


def test_load_questions_bad_json(tmp_path: Path) -> None:
    p = _write(tmp_path, ['{"id": "a", "question": "q"}', '{"id": "b", "question": '])
    with pytest.raises(InvalidInput, match="line 2: invalid JSON"):
        load_questions(p)


def test_load_questions_missing_field(tmp_path: Path) -> None:
    p = _write(tmp_path, ['{"id": "a"}'])
    with pytest.raises(InvalidInput, match="line 1: question"):
        load_questions(p)
    p = _write(tmp_path, ['{"question": "q"}'])
    with pytest.raises(InvalidInput, match="line 1: id"):
        load_questions(p)


def test_load_questions_wrong_types(tmp_path: Path) -> None:
    p = _write(tmp_path, ['{"id": "a", "question": "q", "answers": "not a list"}'])
    with pytest.raises(InvalidInput, match="line 1: answers"):
        load_questions(p)
    p = _write(tmp_path, ['{"id": "a", "question": "q", "evidence": [{"doc": "x.pdf", "page": 0}]}'])
    with pytest.raises(InvalidInput, match="line 1: evidence"):
        load_questions(p)
    p = _write(tmp_path, ['["a", "b"]'])
    with pytest.raises(InvalidInput, match="line 1: expected a JSON object"):
        load_questions(p)


def test_load_questions_duplicate_id(tmp_path: Path) -> None:
    p = _write(tmp_path, ['{"id": "a", "question": "q"}', '{"id": "a", "question": "q2"}'])
    with pytest.raises(InvalidInput, match="line 2: duplicate id 'a'.*line 1"):
        load_questions(p)


def test_load_questions_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        load_questions(tmp_path / "nope.jsonl")


# --------------------------------------------------------------------------- normalisation and matching


def test_normalize_answer_text() -> None:
    assert normalize_answer_text("１２３４５") == "12345"  # full-width digits
    assert normalize_answer_text("百分之八，即８％") == "百分之八,即8%"  # ％ and ，
    assert normalize_answer_text(" 十 日 内\t书面\n") == "十日内书面"  # spaces
    assert normalize_answer_text("Capital EXPENDITURE") == "capitalexpenditure"  # case
    assert normalize_answer_text("1,577") == "1577"  # thousands separator
    assert normalize_answer_text("$1,577.00") == "$1577"
    assert normalize_answer_text("0.40 and 24.30%") == "0.4and24.3%"
    assert normalize_answer_text("10.05") == "10.05"
    assert normalize_answer_text("《商业银行法》“第三十九条”。") == "商业银行法第三十九条."


def test_answer_matches() -> None:
    assert answer_matches("Purchases of PP&E were $(1,577) million", ["$1577.00", "1577"])
    assert answer_matches("资本充足率不得低于百分之八", ["百分之八"])
    assert answer_matches("资本充足率不得低于 8％", ["百分之八"])  # Chinese numerals vs Arabic
    assert answer_matches("应当在十日内书面通知", [["十日", "书面"]])
    assert not answer_matches("应当在十日内通知", [["十日", "书面"]])  # list needs all parts
    assert answer_matches("应当在十日内通知", [["十日", "书面"], "十日"])  # any alternative
    assert not answer_matches("capex 15,770", ["1577"])  # whole numbers only
    assert not answer_matches("ratio 1577.5", ["1577"])
    assert not answer_matches("", ["x"])
    assert not answer_matches("anything", [])


# --------------------------------------------------------------------------- score


def _tiny_set() -> tuple[list[EvalQuestion], list[QuestionOutcome]]:
    qs = [
        EvalQuestion(id="q1", question="?", answers=["1577"], evidence=[{"doc": "a.pdf", "page": 3}]),
        EvalQuestion(id="q2", question="?", answers=[["十日", "书面"]],
                     evidence=[{"doc": "law.md", "article": "第三条"}]),
        EvalQuestion(id="q3", question="?", answers=["x"], evidence=[{"doc": "b.pdf", "page": 7}]),
        EvalQuestion(id="q4", question="?", answerable=False),
        EvalQuestion(id="q5", question="?", answerable=False),
    ]
    outs = [
        # q1: gold doc at rank 2 with the right page; answer correct
        QuestionOutcome(id="q1", retrieved=[
            {"doc": "z.pdf", "page": 3, "chunk_id": "c1", "score": 0.9},
            {"doc": "dir/a.pdf", "page": 2, "page_end": 3, "chunk_id": "c2", "score": 0.8},
        ], answer="It was $1,577 million.", latency_ms=100),
        # q2: gold doc at rank 1, article in text; answer misses 书面 -> wrong
        QuestionOutcome(id="q2", retrieved=[
            {"doc": "law.md", "section": "第一章 总则", "text": "law\n第三条 应当在十日内通知", "chunk_id": "c3",
             "score": 0.7},
        ], answer="应当在十日内通知", latency_ms=200),
        # q3: gold doc only at rank 3 (outside k=2) and refused
        QuestionOutcome(id="q3", retrieved=[
            {"doc": "c.pdf", "page": 7, "chunk_id": "c4", "score": 0.3},
            {"doc": "d.pdf", "page": 1, "chunk_id": "c5", "score": 0.2},
            {"doc": "b.pdf", "page": 7, "chunk_id": "c6", "score": 0.1},
        ], refused=True, latency_ms=300),
        QuestionOutcome(id="q4", answerable=False, retrieved=[], refused=True, latency_ms=400),
        QuestionOutcome(id="q5", answerable=False, retrieved=[], answer="made up", latency_ms=500),
    ]
    return qs, outs


def test_score_tiny_set() -> None:
    qs, outs = _tiny_set()
    r = score(qs, outs, k=2)
    assert set(r) == {
        "k", "questions", "recall_at_k", "mrr", "page_recall_at_k", "article_recall_at_k", "answer_accuracy",
        "refusal_rate_answerable", "refusal_rate_unanswerable", "latency_ms", "per_question",
        "article_hit_at_1", "by_type",
    }
    assert r["article_hit_at_1"] == pytest.approx(1.0) and r["by_type"] is None
    assert r["k"] == 2 and r["questions"] == 5
    assert r["recall_at_k"] == pytest.approx(2 / 3)  # q1, q2 hit; q3 only at rank 3
    assert r["mrr"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert r["page_recall_at_k"] == pytest.approx(1 / 2)  # q1 (page range 2-3 holds 3); q3 no
    assert r["article_recall_at_k"] == pytest.approx(1.0)  # q2
    assert r["answer_accuracy"] == pytest.approx(1 / 3)  # q1 only
    assert r["refusal_rate_answerable"] == pytest.approx(1 / 3)  # q3
    assert r["refusal_rate_unanswerable"] == pytest.approx(1 / 2)  # q4
    assert r["latency_ms"] == {"p50": pytest.approx(300.0), "p95": pytest.approx(480.0)}
    pq = {p["id"]: p for p in r["per_question"]}
    assert pq["q1"]["hit_rank"] == 2 and pq["q1"]["page_hit"] is True and pq["q1"]["correct"] is True
    assert pq["q1"]["top_doc"] == "z.pdf" and pq["q1"]["top_page"] == 3
    assert pq["q2"]["article_hit"] is True and pq["q2"]["page_hit"] is None and pq["q2"]["correct"] is False
    assert pq["q3"]["hit_rank"] is None and pq["q3"]["refused"] is True
    assert pq["q4"]["correct"] is True and pq["q5"]["correct"] is False
    assert pq["q5"]["answer"] == "made up" and pq["q5"]["top_doc"] is None
    # k = 3 brings q3's gold doc and page in
    r3 = score(qs, outs, k=3)
    assert r3["recall_at_k"] == pytest.approx(1.0)
    assert r3["mrr"] == pytest.approx((1 / 2 + 1 + 1 / 3) / 3)
    assert r3["page_recall_at_k"] == pytest.approx(1.0)


def test_score_nulls_and_errors() -> None:
    qs = [EvalQuestion(id="a", question="?", answers=["x"], evidence=[{"doc": "d.md"}])]
    r = score(qs, [QuestionOutcome(id="a", answer="x")], k=5)
    assert r["recall_at_k"] == 0.0 and r["mrr"] == 0.0 and r["answer_accuracy"] == 1.0
    assert r["page_recall_at_k"] is None and r["article_recall_at_k"] is None
    assert r["refusal_rate_unanswerable"] is None
    assert r["latency_ms"] == {"p50": None, "p95": None}
    with pytest.raises(ValueError, match="missing"):
        score(qs, [], k=5)
    with pytest.raises(ValueError, match="duplicate"):
        score(qs, [QuestionOutcome(id="a"), QuestionOutcome(id="a")], k=5)
    with pytest.raises(ValueError, match="k must"):
        score(qs, [QuestionOutcome(id="a")], k=0)


def test_article_hit_needs_article_at_line_start() -> None:
    qs = [EvalQuestion(id="a", question="?", answers=["x"], evidence=[{"doc": "l.md", "article": "第三条"}])]
    ref = QuestionOutcome(id="a", retrieved=[{"doc": "l.md", "text": "第五条 依照本法第三条的规定……"}])
    assert score(qs, [ref], k=1)["article_recall_at_k"] == 0.0
    via_field = QuestionOutcome(id="a", retrieved=[{"doc": "l.md", "article": "第三条"}])
    assert score(qs, [via_field], k=1)["article_recall_at_k"] == 1.0
    other_doc = QuestionOutcome(id="a", retrieved=[{"doc": "m.md", "article": "第三条"}])
    assert score(qs, [other_doc], k=1)["article_recall_at_k"] == 0.0


# --------------------------------------------------------------------------- calibrate_refusal


def test_calibrate_refusal_toy() -> None:
    answerable = [(s, True) for s in (0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)]
    unanswerable = [(s, False) for s in (0.1, 0.2, 0.3, 0.4, 0.55)]
    r = calibrate_refusal(answerable + unanswerable)
    # refusing below 0.5 refuses 1/10 answerable (0.35) and 4/5 unanswerable; 0.55 would need 0.6 (2/10)
    assert r["threshold"] == 0.5
    assert r["refusal_rate_answerable"] == pytest.approx(0.1)
    assert r["refusal_rate_unanswerable"] == pytest.approx(0.8)
    assert r["answerable"] == 10 and r["unanswerable"] == 5
    assert any(row["threshold"] == 0.5 for row in r["table"])
    assert 2 <= len(r["table"]) <= 12
    rows = r["table"]
    assert all(a["refusal_rate_answerable"] <= b["refusal_rate_answerable"] for a, b in zip(rows, rows[1:], strict=False))
    # stricter cap: refuse no answerable question at all
    strict = calibrate_refusal(answerable + unanswerable, max_answerable_refusal=0.0)
    assert strict["threshold"] == 0.35 and strict["refusal_rate_unanswerable"] == pytest.approx(0.6)


def test_calibrate_refusal_edges() -> None:
    with pytest.raises(ValueError):
        calibrate_refusal([])
    only_ans = calibrate_refusal([(0.2, True), (0.9, True)])
    assert only_ans["threshold"] == 0.2 and only_ans["refusal_rate_unanswerable"] is None
    separable = calibrate_refusal([(0.1, False), (0.2, False), (0.8, True), (0.9, True)])
    assert separable["threshold"] == 0.8 and separable["refusal_rate_unanswerable"] == 1.0


# --------------------------------------------------------------------------- shipped sets


@pytest.mark.skipif(not (SHARED / "zh-banking-law").is_dir(), reason="../shared/data/zh-banking-law missing")
def test_zh_law_set_checks() -> None:
    mod = _load_module("check_questions", ROOT / "benchmarks" / "zh_law" / "check_questions.py")
    qs = load_questions(ROOT / "benchmarks" / "zh_law" / "questions.jsonl")
    assert mod.check(qs, SHARED / "zh-banking-law") == []
    s = mod.summary(qs)
    assert s["questions"] >= 120 and s["answerable"] >= 100 and s["unanswerable"] >= 20
    assert s["files_covered"] >= 20 and s["multi_turn"] >= 10
    assert mod.main(["--corpus", str(SHARED / "zh-banking-law")]) == 0


@pytest.mark.skipif(not (SHARED / "zh-banking-law").is_dir(), reason="../shared/data/zh-banking-law missing")
def test_zh_law_checker_catches_bad_gold(tmp_path: Path) -> None:
    mod = _load_module("check_questions", ROOT / "benchmarks" / "zh_law" / "check_questions.py")
    bad = [
        EvalQuestion(id="x1", question="?", answers=["百分之八"],
                     evidence=[{"doc": "商业银行法(2015-08-29).md", "article": "第三十九条"}]),
        EvalQuestion(id="x2", question="?", answers=["百分之九十九"],
                     evidence=[{"doc": "商业银行法(2015-08-29).md", "article": "第三十九条"}]),
        EvalQuestion(id="x3", question="?", answers=["a"], evidence=[{"doc": "无此法.md", "article": "第一条"}]),
        EvalQuestion(id="x4", question="?", answers=["a"],
                     evidence=[{"doc": "商业银行法(2015-08-29).md", "article": "第九百条"}]),
        EvalQuestion(id="x5", question="?", answerable=False, answers=["a"]),
    ]
    problems = mod.check(bad, SHARED / "zh-banking-law")
    assert not any(p.startswith("x1:") for p in problems)
    for qid in ("x2", "x3", "x4", "x5"):
        assert any(p.startswith(f"{qid}:") for p in problems), qid


@pytest.mark.skipif(not (SHARED / "financebench").is_dir(), reason="../shared/data/financebench missing")
def test_financebench_convert(tmp_path: Path) -> None:
    mod = _load_module("fb_convert", ROOT / "benchmarks" / "financebench" / "convert.py")
    out = tmp_path / "fb.jsonl"
    assert mod.main(["--data", str(SHARED / "financebench"), "--out", str(out)]) == 0
    qs = load_questions(out)
    assert len(qs) == 129
    raw = {}
    for line in (SHARED / "financebench" / "financebench_open_source.jsonl").read_text().splitlines():
        r = json.loads(line)
        raw[r["financebench_id"]] = r
    for q in qs:
        assert q.doc_filter and (SHARED / "financebench" / "pdfs" / q.doc_filter).is_file()
        assert all(e.page and e.page >= 1 for e in q.evidence)
        gold_pages = {e["evidence_page_num"] + 1 for e in raw[q.id]["evidence"]}
        assert {e.page for e in q.evidence} == gold_pages  # 0-based -> 1-based
    by_id = {q.id: q for q in qs}
    capex = by_id["financebench_id_03029"]  # 3M FY2018 capex "$1577.00"
    assert capex.answers[0] == "$1577.00" and "1577" in capex.answers
    assert capex.evidence[0].doc == "3M_2018_10K.pdf" and capex.evidence[0].page == 60
    assert answer_matches("Purchases of property, plant and equipment (PP&E) (1,577)", capex.answers)


def test_financebench_key_figures() -> None:
    mod = _load_module("fb_convert", ROOT / "benchmarks" / "financebench" / "convert.py")
    assert mod.answer_alternatives("$1577.00") == ["$1577.00", "1577"]
    assert mod.answer_alternatives("24.3%") == ["24.3%", "24.3"]
    assert mod.key_figures("Margin fell from 36.8% in FY 2021 to 34.6% in FY2022.") == ["36.8", "34.6"]
    assert mod.key_figures("COVID-19 costs over the 12 months ended August 30, 2023") == []
    assert mod.answer_alternatives("Customer deposits") == ["Customer deposits"]


def test_score_by_question_type() -> None:
    qs = [EvalQuestion(id="a", question="?", answers=["x"], evidence=[{"doc": "d.md"}], type="year"),
          EvalQuestion(id="b", question="?", answers=["y"], evidence=[{"doc": "e.md"}], type="year"),
          EvalQuestion(id="c", question="?", answerable=False, type="unanswerable")]
    outs = [QuestionOutcome(id="a", retrieved=[{"doc": "d.md", "chunk_id": "1"}], answer="x"),
            QuestionOutcome(id="b", retrieved=[{"doc": "d.md", "chunk_id": "1"}], answer="x"),
            QuestionOutcome(id="c", answerable=False, refused=True)]
    r = score(qs, outs, k=5)
    assert r["by_type"] == {"unanswerable": {"questions": 1, "recall_at_k": None, "accuracy": 1.0},
                            "year": {"questions": 2, "recall_at_k": 0.5, "accuracy": 0.5}}
