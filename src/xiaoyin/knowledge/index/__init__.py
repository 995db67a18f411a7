"""Chunk indexes: an embedded BM25 + dense backend (default) and a Milvus backend."""

from xiaoyin.knowledge.index.base import SearchIndex, fuse
from xiaoyin.knowledge.index.factory import drop_index, open_index

__all__ = ["SearchIndex", "drop_index", "fuse", "open_index"]
