"""Rerankers: a local ONNX cross-encoder (HF layout) or the configured chat LLM scoring 0-10.

No cross-encoder with weights ships on PyPI: a bank provides one as a directory holding
``model.onnx`` + ``tokenizer.json`` (e.g. bge-reranker-base exported to ONNX) and names it in
``settings.rerank.model_path``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.core.settings import get_settings


@runtime_checkable
class Reranker(Protocol):
    """Scores passages for a query as a relevance probability in [0, 1] (same scale for every reranker)."""

    name: str

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]: ...


class CrossEncoderReranker:
    """A local ONNX cross-encoder: ``model_dir/model.onnx`` (or ``onnx/model.onnx``) + ``tokenizer.json``.

    Pairs are encoded as (query, passage), truncated to ``max_length`` tokens; the score is the
    sigmoid of the single logit (or, for two-class heads, of the logit difference positive - negative).
    """

    def __init__(self, model_dir: str | Path, max_length: int = 512, batch_size: int = 16,
                 threads: int = 2) -> None:
        d = Path(model_dir)
        model = next((p for p in (d / "model.onnx", d / "onnx" / "model.onnx") if p.is_file()), None)
        tok_path = d / "tokenizer.json"
        if model is None or not tok_path.is_file():
            raise ModelUnavailable(f"no cross-encoder at {d} (need model.onnx and tokenizer.json)")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
            self.tokenizer = Tokenizer.from_file(str(tok_path))
        except Exception as e:  # corrupt model/tokenizer files
            raise ModelUnavailable(f"cross-encoder at {d} cannot be loaded: {e}") from e
        self.tokenizer.enable_truncation(max_length=max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or self.tokenizer.token_to_id("<pad>") or 0
        self.tokenizer.enable_padding(pad_id=pad_id)
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size
        self.name = f"cross-encoder:{d.name}"
        self._lock = threading.Lock()

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        out: list[float] = []
        for i in range(0, len(passages), self.batch_size):
            part = [(query, p or "") for p in passages[i : i + self.batch_size]]
            enc = self.tokenizer.encode_batch(part)
            feed: dict[str, np.ndarray] = {}
            arrays = {"input_ids": [e.ids for e in enc], "attention_mask": [e.attention_mask for e in enc],
                      "token_type_ids": [e.type_ids for e in enc]}
            for name, rows in arrays.items():
                if name in self.inputs:
                    feed[name] = np.asarray(rows, dtype=np.int64)
            with self._lock:
                logits = np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
            logits = logits.reshape(len(part), -1)
            scores = logits[:, 0] if logits.shape[1] == 1 else logits[:, -1] - logits[:, 0]
            out.extend(float(1.0 / (1.0 + np.exp(-s))) for s in scores)
        return out


_PROMPT = (
    "你是银行知识库检索的相关性评审。对每段材料，判断它对回答问题的帮助程度，给出 0 到 10 的整数分"
    "（10=直接回答问题，0=无关）。只输出每段一行，格式为“编号: 分数”，不要解释。\n\n问题：{query}\n\n{passages}"
)
_LINE = re.compile(r"^\D{0,12}?(\d+)\s*[\]\)）.:：、\-=]+\s*(?:分数|score)?\s*[:：]?\s*(\d+(?:\.\d+)?)", re.I | re.M)
_NUM = re.compile(r"\d+(?:\.\d+)?")


def parse_scores(text: str, n: int) -> list[float]:
    """Scores for passages 1..n from an LLM reply ("1: 8" lines, or n bare numbers); missing = 0."""
    scores = [0.0] * n
    found = False
    for m in _LINE.finditer(text or ""):
        idx, val = int(m.group(1)), float(m.group(2))
        if 1 <= idx <= n:
            scores[idx - 1] = min(max(val, 0.0), 10.0)
            found = True
    if not found:
        nums = [float(x) for x in _NUM.findall(text or "")]
        if len(nums) == n:
            scores = [min(max(x, 0.0), 10.0) for x in nums]
    return scores


class LLMReranker:
    """Asks a chat LLM (any object with ``complete(messages, max_tokens=..., temperature=0) -> str``)
    for a 0-10 relevance score per passage, in batches of ``batch_size`` passages per call; returns
    score / 10. Passages are neutralised (role tags, bracketed numbers) so a document cannot forge a
    score line or a passage number."""

    def __init__(self, llm: Any, batch_size: int = 8, max_passage_chars: int = 400) -> None:
        if not callable(getattr(llm, "complete", None)):
            raise ModelUnavailable("LLM reranker needs an object with a complete(messages, ...) method")
        self.llm = llm
        self.batch_size = batch_size
        self.max_passage_chars = max_passage_chars
        self.name = f"llm:{getattr(llm, 'name', type(llm).__name__)}"

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        out: list[float] = []
        for i in range(0, len(passages), self.batch_size):
            part = passages[i : i + self.batch_size]
            body = "\n\n".join(f"[{j}] {_neutral((p or '')[: self.max_passage_chars])}"
                                 for j, p in enumerate(part, 1))
            msg = [{"role": "user", "content": _PROMPT.format(query=query, passages=body)}]
            reply = self.llm.complete(msg, max_tokens=8 * len(part) + 16, temperature=0)
            out.extend(x / 10.0 for x in parse_scores(str(reply), len(part)))
        return out


_ROLE_TAG = re.compile(r"<\|[^|>]{0,40}\|>|^\s*(system|assistant|user)\s*[:：]", re.I | re.M)


def _neutral(text: str) -> str:
    """Passage text as inert data: no chat-template role tags, no "[n]"/"n:" lines that mimic scores."""
    text = _ROLE_TAG.sub(" ", text)
    text = text.replace("[", "（").replace("]", "）")
    return re.sub(r"^(\s*\d+)\s*[:：]", r"\1 -", text, flags=re.M)


def get_reranker(llm: Any | None = None) -> Reranker | None:
    """The reranker named by ``settings.rerank.provider``.

    ``auto``: the cross-encoder if ``model_path`` is set, else the LLM if one is given, else None.
    ``cross-encoder`` without a usable ``model_path`` raises ModelUnavailable; ``llm`` without an
    LLM and ``none`` return None.
    """
    s = get_settings().rerank
    if s.provider == "none":
        return None
    if s.provider in ("auto", "cross-encoder") and s.model_path:
        return _cross_encoder(s.model_path)
    if s.provider == "cross-encoder":
        raise ModelUnavailable("rerank.provider is cross-encoder but rerank.model_path is not set")
    if llm is not None:
        return LLMReranker(llm)
    return None


_CE: dict[str, CrossEncoderReranker] = {}


def _cross_encoder(path: str) -> CrossEncoderReranker:
    if path not in _CE:
        _CE[path] = CrossEncoderReranker(path)
    return _CE[path]
