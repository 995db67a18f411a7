"""Chunk indexes: an embedded BM25 + dense backend (default) and a Milvus backend."""

from xiaoyin.knowledge.index.base import SearchIndex, drop_index, fuse, open_index

__all__ = ["SearchIndex", "drop_index", "fuse", "open_index"]
