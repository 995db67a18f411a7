"""Rerankers: the ONNX cross-encoder loading path (a tiny real ONNX graph + tokenizer) and the LLM reranker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.core.settings import reset_settings
from xiaoyin.models.rerank import CrossEncoderReranker, LLMReranker, get_reranker, parse_scores

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "贷款", "利率", "存款", "保险", "手续费", "的", "是", "多少"]
RELEVANT = {"利率": 2.0, "贷款": 1.0}  # the toy model scores a pair by these words' weights


def make_cross_encoder(d: Path, two_class: bool = False) -> Path:
    """A cross-encoder-shaped ONNX model (input_ids/attention_mask/token_type_ids -> logits) + tokenizer.json.

    logits = sum over non-padding tokens of a per-token weight, so the test can predict its ranking.
    """
    import onnx
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    d.mkdir(parents=True, exist_ok=True)
    vocab = {w: i for i, w in enumerate(VOCAB)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tok.save(str(d / "tokenizer.json"))

    w = np.array([[RELEVANT.get(t, 0.0)] for t in VOCAB], dtype=np.float32)
    if two_class:
        w = np.concatenate([-w, w], axis=1)  # logits (neg, pos)
    nodes = [
        helper.make_node("Gather", ["emb", "input_ids"], ["tok_scores"]),  # (b, s, c)
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["tok_scores", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["logits"], keepdims=0),
        helper.make_node("Cast", ["token_type_ids"], ["unused"], to=TensorProto.FLOAT),
    ]
    graph = helper.make_graph(
        nodes, "toy-cross-encoder",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
         for n in ("input_ids", "attention_mask", "token_type_ids")],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", w.shape[1]])],
        initializer=[helper.make_tensor("emb", TensorProto.FLOAT, w.shape, w.ravel().tolist()),
                     helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
                     helper.make_tensor("axis2", TensorProto.INT64, [1], [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(d / "model.onnx"))
    return d


@pytest.mark.parametrize("two_class", [False, True])
def test_cross_encoder_scores_and_orders(tmp_path: Path, two_class: bool) -> None:
    ce = CrossEncoderReranker(make_cross_encoder(tmp_path / "ce", two_class), batch_size=2)
    passages = ["存款 保险 是 多少", "贷款 利率 是 多少", "贷款 的 手续费", "完全 不认识 的 词"]
    scores = ce.rerank("贷款 利率", passages)
    assert len(scores) == 4
    # query tokens contribute equally to every pair; passages differ by their own words;
    # scores are sigmoid(logit) so every reranker speaks the same 0..1 scale
    factor = 2.0 if two_class else 1.0
    logit = np.log(np.array(scores) / (1 - np.array(scores)))
    assert all(0.0 < x < 1.0 for x in scores)
    assert logit[1] - logit[0] == pytest.approx(factor * 3.0, abs=0.02)
    assert logit[2] - logit[0] == pytest.approx(factor * 1.0, abs=0.02)
    assert np.argmax(scores) == 1
    assert ce.rerank("贷款", []) == []
    assert ce.name.startswith("cross-encoder:")


def test_cross_encoder_missing_or_corrupt(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable):
        CrossEncoderReranker(tmp_path / "nowhere")
    d = make_cross_encoder(tmp_path / "bad")
    (d / "model.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(ModelUnavailable):
        CrossEncoderReranker(d)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1: 8\n2: 3\n3: 10", [8, 3, 10]),
        ("[1] 9\n[2] 0\n[3] 5", [9, 0, 5]),
        ("编号1：7分\n编号2：2分\n编号3：12", [7, 2, 10]),
        ("段落 2 - 分数: 6\n段落 1 - 分数: 4", [4, 6, 0]),
        ("8, 1, 3", [8, 1, 3]),
        ("I cannot rate these.", [0, 0, 0]),
        ("", [0, 0, 0]),
    ],
)
def test_parse_scores_is_robust(reply: str, expected: list[float]) -> None:
    assert parse_scores(reply, 3) == [float(x) for x in expected]


class KeywordJudge:
    """A stand-in chat LLM: scores each numbered passage by how many query words it contains."""

    name = "keyword-judge"

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, messages: list[dict], max_tokens: int = 256, temperature: float = 0.0) -> str:
        self.calls += 1
        text = messages[-1]["content"]
        query = text.split("问题：", 1)[1].split("\n", 1)[0]
        lines = []
        for block in text.split("\n\n[")[1:]:
            num, body = block.split("]", 1)
            lines.append(f"{num}: {sum(w in body for w in query.split())}")
        return "\n".join(lines)


def test_llm_reranker_batches_and_scores() -> None:
    judge = KeywordJudge()
    rr = LLMReranker(judge, batch_size=2)
    scores = rr.rerank("贷款 利率", ["存款利率", "贷款利率表", "手续费", "贷款"])
    assert scores == pytest.approx([0.1, 0.2, 0.0, 0.1])  # 0-10 judgements on the common 0..1 scale
    assert judge.calls == 2
    with pytest.raises(ModelUnavailable):
        LLMReranker(object())


def test_get_reranker_follows_settings(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_reranker() is None  # auto, no model, no LLM
    assert isinstance(get_reranker(KeywordJudge()), LLMReranker)
    monkeypatch.setenv("XIAOYIN_RERANK__MODEL_PATH", str(make_cross_encoder(tmp_path / "ce2")))
    reset_settings()
    assert isinstance(get_reranker(KeywordJudge()), CrossEncoderReranker)
    monkeypatch.setenv("XIAOYIN_RERANK__PROVIDER", "none")
    reset_settings()
    assert get_reranker(KeywordJudge()) is None
    monkeypatch.setenv("XIAOYIN_RERANK__PROVIDER", "cross-encoder")
    monkeypatch.setenv("XIAOYIN_RERANK__MODEL_PATH", str(tmp_path / "missing"))
    reset_settings()
    with pytest.raises(ModelUnavailable):
        get_reranker()
    monkeypatch.setenv("XIAOYIN_RERANK__PROVIDER", "llm")
    reset_settings()
    assert get_reranker() is None and isinstance(get_reranker(KeywordJudge()), LLMReranker)
