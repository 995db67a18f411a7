"""Chinese/English normalisation and BM25 tokenisation (codes, article numbers, banking terms)."""

from __future__ import annotations

import time

import pytest

from xiaoyin.core import zh


def test_normalize_fullwidth_case_and_spaces() -> None:
    assert zh.normalize("  ＡＭＬ－０３\t反洗钱\n\n规定  ") == "aml-03 反洗钱 规定"
    assert zh.normalize("") == ""


@pytest.mark.parametrize("text", ["第三十五条", "第35条", "第三十五條", "第 35 条", "第３５条"])
def test_article_numbers_share_one_token(text: str) -> None:
    assert "第35条" in zh.tokenize(text)


def test_chapters_sections_and_large_numerals() -> None:
    assert zh.tokenize("第二章 第十节 第一百零八条") == ["第2章", "第10节", "第108条"]
    assert zh.tokenize("第二十一章 第貳節")[:1] == ["第21章"]


@pytest.mark.parametrize(
    ("text", "whole", "parts"),
    [
        ("编号PD-2024-017的制度", "pd-2024-017", ["pd", "2024", "017"]),
        ("GB/T 35273-2020 信息安全技术", "gb/t35273-2020", ["gb", "35273", "2020"]),
        ("GB/T35273-2020", "gb/t35273-2020", ["35273"]),
        ("ＡＭＬ－０３ 反洗钱", "aml-03", ["aml", "03"]),
    ],
)
def test_codes_become_one_token_plus_parts(text: str, whole: str, parts: list[str]) -> None:
    toks = zh.tokenize(text)
    assert whole in toks
    for p in parts:
        assert p in toks


def test_banking_userdict_terms_are_kept_whole() -> None:
    toks = zh.tokenize("借款人的统一社会信用代码、贷款市场报价利率与商业银行法")
    for term in ["借款人", "统一社会信用代码", "贷款市场报价利率", "商业银行法", "贷款", "利率"]:
        assert term in toks
    assert len(zh.load_userdict()) >= 200


def test_stop_words_and_punctuation_removed() -> None:
    toks = zh.tokenize("请问，什么是不良贷款？The rate of the loans.")
    assert "，" not in toks and "？" not in toks and "的" not in toks and "the" not in toks
    assert "不良贷款" in toks and "rate" in toks and "loan" in toks


def test_english_numbers_and_light_stemming() -> None:
    toks = zh.tokenize("Total revenues were $1,234.5 million in fiscal 2019; the company's 10-K liabilities.")
    assert toks[:2] == ["total", "revenue"]
    for t in ["1234.5", "million", "2019", "company", "10-k", "liability"]:
        assert t in toks
    assert zh.tokenize("3.85%") == ["3.85"]


def test_empty_and_symbol_only_input() -> None:
    assert zh.tokenize("") == []
    assert zh.tokenize("，。！？——……") == []


def test_keywords_keep_longest_forms() -> None:
    assert zh.keywords("不良贷款率的监管要求是什么？") == ["不良贷款率", "监管", "要求"]


def test_tokenize_speed() -> None:
    text = "根据《中华人民共和国商业银行法》第三十五条，商业银行贷款应当对借款人的借款用途、偿还能力进行严格审查。" * 4
    chunks = [text[i % 50 :][:300] + f" PD-2024-{i:03d} revenue {i}" for i in range(1000)]
    zh.tokenize("预热")
    t0 = time.perf_counter()
    n = sum(len(zh.tokenize(c)) for c in chunks)
    dt = time.perf_counter() - t0
    assert n > 50_000
    assert dt < 5.0, f"1000 chunks took {dt:.2f}s"  # ~0.4 s on a 2-core box


def test_chinese_numeral_dates() -> None:
    import datetime as dt

    from xiaoyin.core.zh import chinese_date

    assert chinese_date("落款：二〇二三年三月十五日") == dt.date(2023, 3, 15)
    assert chinese_date("二零二五年十二月三十一号") == dt.date(2025, 12, 31)
    assert chinese_date("二〇二四年十三月一日") is None  # no such month
    assert chinese_date("二〇二三年二月三十日") is None  # no such day
    assert chinese_date("二〇二三年") is None and chinese_date("") is None and chinese_date(None) is None
