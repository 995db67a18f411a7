"""Backend choice: open or drop a knowledge base's index on the backend ``settings.retrieval.backend`` names.

Kept apart from :mod:`~xiaoyin.knowledge.index.base` so that the contract imports no backend and the
backends import only the contract (no import cycle between them).
"""

from __future__ import annotations

from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.index.base import SearchIndex, check_kb_name


def open_index(kb_name: str, dim: int | None) -> SearchIndex:
    """Open (creating if needed) the index of ``kb_name`` on the backend in ``settings.retrieval.backend``."""
    check_kb_name(kb_name)
    backend = get_settings().retrieval.backend
    if backend == "milvus":
        from xiaoyin.knowledge.index.milvus import MilvusIndex

        return MilvusIndex(kb_name, dim)
    from xiaoyin.knowledge.index.embedded import EmbeddedIndex

    st = get_settings().retrieval
    return EmbeddedIndex.open(kb_name, dim, k1=st.bm25_k1, b=st.bm25_b)


def drop_index(kb_name: str) -> None:
    """Delete the whole index of ``kb_name`` on the configured backend (no error if absent)."""
    check_kb_name(kb_name)
    if get_settings().retrieval.backend == "milvus":
        from xiaoyin.knowledge.index.milvus import drop_collection

        drop_collection(kb_name)
    else:
        from xiaoyin.knowledge.index.embedded import drop_embedded

        drop_embedded(kb_name)
