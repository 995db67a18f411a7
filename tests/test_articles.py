"""Exact article lookup: a question naming a law and an article gets that article whole, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaoyin.knowledge import articles
from xiaoyin.knowledge.retrieve import route_documents

SIGN_LAW = """# 中华人民共和国电子签名法

## 第一章 总 则

第一条 为了规范电子签名行为，确立电子签名的法律效力，维护有关各方的合法权益，制定本法。

第二条 本法所称电子签名，是指数据电文中以电子形式所含、所附用于识别签名人身份并表明签名人认可其中内容的数据。

本法所称数据电文，是指以电子、光学、磁或者类似手段生成、发送、接收或者储存的信息。

第三条 民事活动中的合同或者其他文件、单证等文书，当事人可以约定使用或者不使用电子签名、数据电文。

当事人约定使用电子签名、数据电文的文书，不得仅因为其采用电子签名、数据电文的形式而否定其法律效力。

前款规定不适用下列文书：

（一）涉及婚姻、收养、继承等人身关系的；

（二）涉及停止供水、供热、供气等公用事业服务的；

（三）法律、行政法规规定的不适用电子文书的其他情形。

## 第二章 数据电文

第十条 法律、行政法规规定或者当事人约定数据电文需要确认收讫的，应当确认收讫。

第十一条 数据电文进入发件人控制之外的某个信息系统的时间，视为该数据电文的发送时间。

收件人指定特定系统接收数据电文的，数据电文进入该特定系统的时间，视为该数据电文的接收时间。

第十二条 发件人的主营业地为数据电文的发送地点，收件人的主营业地为数据电文的接收地点。
"""

BANK_LAW = """# 中华人民共和国商业银行法

## 第一章 总 则

第一条 为了保护商业银行、存款人和其他客户的合法权益，制定本法。

第二条 本法所称的商业银行是指依照本法和《中华人民共和国公司法》设立的吸收公众存款、发放贷款、办理结算等业务的企业法人。

第十一条 设立商业银行，应当经国务院银行业监督管理机构审查批准。
"""

GUARANTEE = """# 最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释

## 一、关于一般规定

第一条 因抵押、质押、留置、保证等担保发生的纠纷，适用本解释。

第二条 当事人在担保合同中约定担保合同的效力独立于主合同的，有关约定无效。
"""

CIVIL = """# 中华人民共和国民法典

## 第一章 一般规定

第一条 为了保护民事主体的合法权益，制定本法。

第二条 民法调整平等主体的自然人、法人和非法人组织之间的人身关系和财产关系。
"""


@pytest.mark.parametrize(("question", "expected"), [
    ("电子签名法第十一条的内容是什么？", [articles.ArticleRef(11)]),
    ("电子签名法第11条", [articles.ArticleRef(11)]),
    ("公司法第一百零二条规定了什么", [articles.ArticleRef(102)]),
    ("商业银行法第三十九条第一款第（二）项", [articles.ArticleRef(39, 1, 2)]),
    ("第三条第二款和第十二条", [articles.ArticleRef(3, 2), articles.ArticleRef(12)]),
    ("第３５條怎么说", [articles.ArticleRef(35)]),
    ("第一章讲什么", []),
])
def test_article_references_are_parsed(question: str, expected: list[articles.ArticleRef]) -> None:
    assert articles.parse_refs(question) == expected


def test_labels_are_written_as_statutes_write_them() -> None:
    assert articles.ArticleRef(11).label == "第十一条"
    assert articles.ArticleRef(102).label == "第一百零二条"
    assert articles.ArticleRef(39, 1, 2).label == "第三十九条第一款第（二）项"
    assert articles.article_number("第一百一十条") == 110


def test_routing_matches_statute_titles_and_drops_names_inside_longer_ones() -> None:
    names = {"g": "最高人民法院关于适用《民法典》有关担保制度的解释(2020-12-31).md", "c": "民法典-合同编.md",
             "s": "电子签名法(2019-04-23).md"}
    titles = {"g": "最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释", "c": "中华人民共和国民法典",
              "s": "中华人民共和国电子签名法"}
    q = "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第二条的内容是什么？"
    assert route_documents(q, names, titles=titles) == ["g"]
    assert route_documents("《中华人民共和国电子签名法》第十一条", names, titles=titles) == ["s"]
    assert route_documents("民法典第二条", names, titles=titles) == ["c"]
    both = {**names, "p": "民法典-物权编.md"}
    assert route_documents("民法典第二条", both) == ["c", "p"]
    assert route_documents("民法典物权编第二条", both) == ["p"]  # the full name wins over its head
    # a topic phrase that pages of several years share does not restrict the search to one of them
    assert route_documents("2021年ATM手续费标准是多少？", {"a": "ATM手续费标准.html"}) is None
    assert route_documents("员工培训管理办法规定考证奖励多少？", {"h": "hr/员工培训管理办法.md"}) == ["h"]
    assert route_documents("What was AMAZON's FY2019 revenue?", {"z": "AMAZON_2019_10K.pdf"}) == ["z"]
    assert route_documents("2022年他行ATM查询余额收多少钱？", {"a": "atm_fee_2021.pdf"}) is None
    assert route_documents("数据电文的发送时间怎么确定？", names, titles=titles) is None


def test_lookup_reports_found_missing_and_law_size() -> None:
    chunks = [("c1", "d", 0, "第一条"), ("c11a", "d", 5, "第十一条"), ("c11b", "d", 6, "第十一条"),
              ("c12", "d", 7, "第十二条")]
    res = articles.lookup([articles.ArticleRef(11), articles.ArticleRef(99)], ["d"], chunks)
    assert res.chunk_ids == ["c11a", "c11b"] and res.found == ["第十一条"] and res.missing == ["第九十九条"]
    assert not res.all_missing
    none = articles.lookup([articles.ArticleRef(99)], ["d"], chunks)
    assert none.all_missing and none.article_counts == {"d": 12}
    msg = articles.missing_message(none, {"d": "电子签名法"})
    assert "《电子签名法》共十二条" in msg and "没有第九十九条" in msg


@pytest.fixture
def laws(home: Path, tmp_path: Path) -> str:
    from xiaoyin.knowledge import service

    src = tmp_path / "laws"
    src.mkdir()
    (src / "电子签名法(2019-04-23).md").write_text(SIGN_LAW, encoding="utf-8")
    (src / "商业银行法(2015-08-29).md").write_text(BANK_LAW, encoding="utf-8")
    (src / "最高人民法院关于适用《民法典》有关担保制度的解释(2020-12-31).md").write_text(GUARANTEE, encoding="utf-8")
    (src / "民法典-合同编.md").write_text(CIVIL, encoding="utf-8")
    service.create_kb("laws")
    report = service.ingest("laws", [src])
    assert report.failed == 0
    return "laws"


@pytest.mark.parametrize("question", [
    "电子签名法第十一条的内容是什么？",
    "《中华人民共和国电子签名法》第11条是怎么规定的？",
    "那电子签名法第十一条呢",
])
def test_named_article_is_the_first_citation_whole(laws: str, question: str) -> None:
    from xiaoyin.knowledge import service

    res = service.ask(laws, question)
    assert not res.refused
    first = res.citations[0]
    assert first.doc_name.startswith("电子签名法")
    assert first.quote.startswith("第十一条 数据电文进入发件人控制之外")
    assert first.quote.rstrip().endswith("视为该数据电文的接收时间。")  # both paragraphs: the article whole
    assert "第十二条" not in first.quote and "第二条" not in res.answer


def test_clause_and_item_questions_return_the_whole_article(laws: str) -> None:
    from xiaoyin.knowledge import service

    res = service.ask(laws, "电子签名法第三条第（二）项规定的是什么？")
    quote = res.citations[0].quote
    assert quote.startswith("第三条") and "（二）涉及停止供水" in quote and "（三）法律、行政法规" in quote


def test_same_article_number_in_two_laws_follows_the_named_law(laws: str) -> None:
    from xiaoyin.knowledge import service

    sign = service.search(laws, "电子签名法第十一条")
    bank = service.search(laws, "商业银行法第十一条")
    assert sign.hits[0].text.startswith("第十一条 数据电文") and sign.hits[0].signals.get("article_lookup")
    assert bank.hits[0].text.startswith("第十一条 设立商业银行")
    guarantee = service.search(laws, "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第二条")
    assert guarantee.hits[0].text.startswith("第二条 当事人在担保合同中约定")


def test_missing_article_is_refused_with_a_clear_message(laws: str) -> None:
    from xiaoyin.knowledge import service

    res = service.ask(laws, "电子签名法第九十九条的内容是什么？")
    assert res.refused and res.citations == []
    assert "没有第九十九条" in res.answer and "共十二条" in res.answer
    assert res.meta["refusal_reason"] == "article_not_found"
    events = list(service.ask_stream(laws, "电子签名法第99条规定了什么"))
    done = events[-1]
    assert done.event == "done" and done.refused and "没有第九十九条" in done.answer


def test_article_number_without_a_named_law_is_ordinary_retrieval(laws: str) -> None:
    from xiaoyin.knowledge import service

    res = service.search(laws, "第十一条规定了什么")
    assert res.article is None and not any(h.signals.get("article_lookup") for h in res.hits)
