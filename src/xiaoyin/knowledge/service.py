"""The knowledge assistant's service functions: what the CLI, REST API and (later) agents call.

Every function here is typed, transactional where it writes, and raises only
:class:`~xiaoyin.core.errors.XiaoyinError` subclasses for conditions a user can act on.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import AlreadyExists, DocumentError, InvalidInput, NotFound, XiaoyinError
from xiaoyin.core.jsonutil import to_jsonable
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge import answer as answer_mod
from xiaoyin.knowledge import articles, dates
from xiaoyin.knowledge import query as query_mod
from xiaoyin.knowledge.chunk import chunk_document
from xiaoyin.knowledge.index import open_index
from xiaoyin.knowledge.index.base import SearchIndex
from xiaoyin.knowledge.parse import SUPPORTED_SUFFIXES, detect_format, parse_file
from xiaoyin.knowledge.retrieve import retrieve, route_documents
from xiaoyin.knowledge.store import AnswerRecord, ChunkRow, CitedText, Document, IngestJob, KnowledgeBase
from xiaoyin.knowledge.types import Chunk, IndexChunk, SearchFilters
from xiaoyin.models.embed import get_embedder
from xiaoyin.models.llm import get_llm
from xiaoyin.models.rerank import get_reranker

log = logging.getLogger(__name__)

_index_lock = threading.RLock()
_kb_locks: dict[str, threading.Lock] = {}


# --------------------------------------------------------------------------------------------------
# Knowledge bases
# --------------------------------------------------------------------------------------------------


@dataclass
class KBInfo:
    name: str
    description: str
    documents: int
    chunks: int
    created_at: datetime


def _validate_kb_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or any(c in name for c in '/\\:*?"<>|\x00') or name.startswith("."):
        raise InvalidInput(f"知识库名称无效 / invalid knowledge-base name: {name!r} (1-100 chars, no path characters)")
    return name


def _get_kb(s: Session, name: str) -> KnowledgeBase:
    kb = s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == name))
    if kb is None:
        raise NotFound(f"知识库不存在 / knowledge base not found: {name}")
    return kb


def _kb_info(s: Session, kb: KnowledgeBase) -> KBInfo:
    docs = s.scalar(select(func.count()).select_from(Document).where(Document.kb_id == kb.id)) or 0
    chunks = s.scalar(select(func.count()).select_from(ChunkRow).where(ChunkRow.kb_id == kb.id)) or 0
    return KBInfo(kb.name, kb.description, docs, chunks, kb.created_at)


def create_kb(name: str, description: str = "", *, exist_ok: bool = False) -> KBInfo:
    """Create a knowledge base (``exist_ok`` makes it idempotent)."""
    name = _validate_kb_name(name)
    with session_scope() as s:
        kb = s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == name))
        if kb is not None:
            if not exist_ok:
                raise AlreadyExists(f"知识库已存在 / knowledge base already exists: {name}")
            return _kb_info(s, kb)
        kb = KnowledgeBase(name=name, description=description)
        s.add(kb)
        s.flush()
        return _kb_info(s, kb)


def list_kbs() -> list[KBInfo]:
    with session_scope() as s:
        return [_kb_info(s, kb) for kb in s.scalars(select(KnowledgeBase).order_by(KnowledgeBase.name))]


def get_kb(name: str) -> KBInfo:
    with session_scope() as s:
        return _kb_info(s, _get_kb(s, name))


def delete_kb(name: str) -> None:
    """Delete a knowledge base, its documents, chunks and index."""
    from xiaoyin.knowledge.index import drop_index

    with _kb_lock(name), session_scope() as s:
        kb = _get_kb(s, name)
        kb_id = kb.id
        s.execute(delete(ChunkRow).where(ChunkRow.kb_id == kb_id))
        s.execute(delete(Document).where(Document.kb_id == kb_id))
        s.execute(delete(IngestJob).where(IngestJob.kb_id == kb_id))
        s.execute(delete(AnswerRecord).where(AnswerRecord.kb_id == kb_id))
        s.delete(kb)
    with _index_lock:
        idx = _indexes.pop((str(get_settings().home.resolve()), kb_id), None)
        if idx is not None:
            idx.close()
        drop_index(_index_name(kb_id))


# --------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------


@dataclass
class DocumentInfo:
    id: str
    name: str
    filename: str
    title: str | None
    format: str
    status: str
    pages: int | None
    chunks: int
    size_bytes: int
    sha256: str
    tags: list[str]
    doc_date: date | None
    error_code: str | None
    error_message: str | None
    version: int
    updated_at: datetime


def _doc_info(d: Document) -> DocumentInfo:
    return DocumentInfo(
        d.id, d.name, d.filename, d.title, d.format, d.status, d.pages, d.chunk_count, d.size_bytes, d.sha256,
        list(d.tags or []), d.doc_date, d.error_code, d.error_message, d.version, d.updated_at,
    )


def list_documents(kb: str) -> list[DocumentInfo]:
    with session_scope() as s:
        k = _get_kb(s, kb)
        rows = s.scalars(select(Document).where(Document.kb_id == k.id).order_by(Document.name))
        return [_doc_info(d) for d in rows]


def _find_doc(s: Session, kb_id: int, ref: str) -> Document:
    d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.id == ref))
    if d is None:
        d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == ref))
    if d is None:
        matches = list(s.scalars(select(Document).where(Document.kb_id == kb_id, Document.filename == ref)))
        if len(matches) == 1:
            d = matches[0]
        elif len(matches) > 1:
            raise InvalidInput(f"文件名不唯一，请用文档ID / several documents are named {ref}; use the id")
    if d is None:
        raise NotFound(f"文档不存在 / document not found: {ref}")
    return d


def get_document(kb: str, ref: str) -> DocumentInfo:
    with session_scope() as s:
        return _doc_info(_find_doc(s, _get_kb(s, kb).id, ref))


def document_chunks(kb: str, ref: str) -> list[dict[str, Any]]:
    """The chunks of one document, in order (for inspection and the UI)."""
    with session_scope() as s:
        d = _find_doc(s, _get_kb(s, kb).id, ref)
        return [
            {"id": c.id, "ordinal": c.ordinal, "text": c.text, "section_path": c.section_path,
             "page_start": c.page_start, "page_end": c.page_end, "kind": c.kind, "hash": c.chunk_hash}
            for c in d.chunks
        ]


def delete_document(kb: str, ref: str) -> DocumentInfo:
    """Remove a document from the database and from every index."""
    with _kb_lock(kb):
        with session_scope() as s:
            info = _doc_info(_find_doc(s, _get_kb(s, kb).id, ref))
        idx = _open(kb)
        with _index_lock:  # index first: a failure here leaves the document whole, never half-deleted
            idx.delete_documents([info.id])
        with session_scope() as s:
            d = s.get(Document, info.id)
            if d is not None:
                s.delete(d)
        return info


# --------------------------------------------------------------------------------------------------
# Ingestion
# --------------------------------------------------------------------------------------------------


class IngestObserver(Protocol):
    """Receives progress; the CLI draws rich progress bars from it, the API stores job status."""

    def stage(self, name: str, total: int) -> None: ...
    def advance(self, name: str, n: int = 1) -> None: ...
    def file_done(self, result: FileResult) -> None: ...


@dataclass
class FileResult:
    path: str
    name: str
    status: str  # indexed | unchanged | failed
    doc_id: str | None = None
    chunks: int = 0
    pages: int | None = None
    error_code: str | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    kb: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def indexed(self) -> int:
        return sum(f.status == "indexed" for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.status == "unchanged" for f in self.files)

    @property
    def failed(self) -> int:
        return sum(f.status == "failed" for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {"kb": self.kb, "indexed": self.indexed, "unchanged": self.unchanged, "failed": self.failed,
                "seconds": round(self.seconds, 3), "files": [asdict(f) for f in self.files]}


def collect_files(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Expand files and folders into (path, name) pairs; ``name`` is relative to the folder given.

    Hidden files and files whose suffix no parser takes are skipped inside folders; a file named
    explicitly is always returned (so an unsupported one gets its own clear error).
    """
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if not f.is_file() or any(part.startswith(".") for part in rel.parts):
                    continue
                if f.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    out.append((f, rel.as_posix()))
        else:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                out.append((p, p.name))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _kb_lock(kb: str) -> threading.Lock:
    with _index_lock:
        return _kb_locks.setdefault(kb, threading.Lock())


_indexes: dict[tuple[str, int], SearchIndex] = {}


def _index_name(kb_id: int) -> str:
    """Index (directory / collection) name of a knowledge base: stable, ASCII, whatever the KB is called."""
    return f"kb_{kb_id}"


def _open(kb: str) -> SearchIndex:
    """The search index of ``kb`` (cached per process, per data directory)."""
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
    st = get_settings()
    key = (str(st.home.resolve()), kb_id)
    with _index_lock:
        idx = _indexes.get(key)
        if idx is None:
            emb = get_embedder()
            idx = _indexes[key] = open_index(_index_name(kb_id), emb.dim if emb else None)
        return idx


def close_indexes() -> None:
    """Close every cached index (tests, settings changes)."""
    with _index_lock:
        for idx in _indexes.values():
            try:
                idx.close()
            except Exception:  # pragma: no cover - best effort
                log.exception("closing index failed")
        _indexes.clear()


@dataclass
class _Prepared:
    path: Path
    name: str
    sha: str
    size: int
    fmt: str
    title: str | None
    pages: int | None
    chunks: list[Chunk]
    meta: dict[str, Any]
    started: float


class _NullObserver:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass

    def file_done(self, result: FileResult) -> None:
        pass


def ingest(
    kb: str,
    paths: Sequence[str | Path],
    *,
    tags: Sequence[str] | None = None,
    doc_date: date | None = None,
    observer: IngestObserver | None = None,
    names: Sequence[str] | None = None,
) -> IngestReport:
    """Ingest files and folders into ``kb``.

    Unchanged files (same content hash) are skipped; a changed file replaces its old chunks in one
    transaction; a bad file is reported on its own and the batch goes on; nothing already indexed
    is lost when a new version of a file fails to parse.
    """
    st = get_settings()
    obs = observer or _NullObserver()
    tags = _check_tags(tags)
    t0 = time.perf_counter()
    files = collect_files(paths)
    if names is not None:
        if len(names) != len(files):
            raise InvalidInput("names must match files one to one")
        files = [(p, n) for (p, _), n in zip(files, names, strict=True)]
    report = IngestReport(kb=kb)
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
    seen_names: set[str] = set()
    unique: list[tuple[Path, str]] = []
    for path, name in files:
        if name in seen_names:
            report.files.append(FileResult(str(path), name, "failed", error_code="duplicate_name",
                                           error=f"同一批次中已有同名文档 / another file in this batch is "
                                                 f"also named {name}; rename one or ingest it separately"))
            continue
        seen_names.add(name)
        unique.append((path, name))
    files = unique
    max_bytes = int(st.ingest.max_file_mb * 1024 * 1024)
    embedder = get_embedder()

    with _kb_lock(kb):
        idx = _open(kb)
        _reconcile(kb, kb_id, idx)

        # Stage 1: parse and chunk every file (each failure is that file's alone).
        obs.stage("parse", len(files))
        prepared: list[_Prepared] = []
        for path, name in files:
            started = time.perf_counter()
            try:
                prep = _prepare(path, name, kb_id, max_bytes, st.ingest.ocr_dpi,
                                st.ingest.chunk_chars, st.ingest.chunk_overlap)
            except (XiaoyinError, OSError) as e:
                err = e if isinstance(e, XiaoyinError) else DocumentError(
                    f"无法读取文件 / cannot read {path.name}: {e.strerror or e}")
                res = _record_failure(kb_id, path, name, err, started)
                report.files.append(res)
                obs.file_done(res)
                obs.advance("parse")
                continue
            if isinstance(prep, FileResult):  # unchanged
                report.files.append(prep)
                obs.file_done(prep)
            else:
                prepared.append(prep)
            obs.advance("parse")

        # Stage 2: embed all new chunks (cached by content hash inside the embedder).
        vectors: dict[int, Any] = {}
        if embedder is not None:
            total = sum(len(p.chunks) for p in prepared)
            obs.stage("embed", total)
            bs = max(1, st.embedding.batch_size)
            for i, prep in enumerate(prepared):
                texts = [c.search_text(prep.title) for c in prep.chunks]
                parts = []
                for j in range(0, len(texts), bs):
                    parts.append(embedder.embed_passages(texts[j:j + bs]))
                    obs.advance("embed", len(texts[j:j + bs]))
                if parts:
                    import numpy as np

                    vectors[i] = np.vstack(parts)

        # Stage 3: store each document transactionally, then update the index in batches.
        obs.stage("index", len(prepared))
        pending_chunks: list[IndexChunk] = []
        pending_vecs: list[Any] = []
        pending_replaced: list[str] = []

        def flush() -> None:
            if not pending_chunks and not pending_replaced:
                return
            import numpy as np

            with _index_lock:
                if pending_replaced:
                    idx.delete_documents(list(pending_replaced))
                if pending_chunks:
                    vecs = np.vstack(pending_vecs) if (embedder is not None and pending_vecs) else None
                    idx.add(list(pending_chunks), vecs)
            pending_chunks.clear()
            pending_vecs.clear()
            pending_replaced.clear()

        for i, prep in enumerate(prepared):
            try:
                doc_id, chunk_ids, replaced, doc_tags, doc_day = _store(kb_id, prep, tags, doc_date)
            except Exception as e:  # a database error fails this file alone
                log.exception("storing %s failed", prep.name)
                res = _record_failure(kb_id, prep.path, prep.name, DocumentError(
                    f"保存失败 / could not store {prep.name}: {type(e).__name__}"), prep.started)
                report.files.append(res)
                obs.file_done(res)
                obs.advance("index")
                continue
            if replaced:
                pending_replaced.append(doc_id)
            for c, cid in zip(prep.chunks, chunk_ids, strict=True):
                pending_chunks.append(IndexChunk(chunk_id=cid, doc_id=doc_id,
                                                 text=_lexical_text(prep.name, prep.title, c),
                                                 tags=doc_tags, doc_date=doc_day))
            if i in vectors:
                pending_vecs.append(vectors[i])
            if replaced:
                flush()  # a new version replaces the old one in the index right away
            res = FileResult(str(prep.path), prep.name, "indexed", doc_id, len(prep.chunks), prep.pages,
                             seconds=time.perf_counter() - prep.started)
            report.files.append(res)
            obs.file_done(res)
            obs.advance("index")
            if len(pending_chunks) >= 5000:
                flush()
        flush()
    report.seconds = time.perf_counter() - t0
    return report


def _check_tags(tags: Sequence[str] | None) -> list[str] | None:
    """Tags are short labels: at most 20, each 1-64 characters, no duplicates."""
    if tags is None:
        return None
    out = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    if len(out) > 20 or any(len(t) > 64 for t in out):
        raise InvalidInput("标签最多20个、每个不超过64字 / at most 20 tags of at most 64 characters each")
    return out


def _lexical_text(name: str, title: str | None, chunk: Chunk) -> str:
    """What BM25 indexes: the file name's words too (filings and policies are often named
    ``AMAZON_2017_10K.pdf`` or ``个人贷款管理办法.docx`` while their metadata title says little)."""
    stem = Path(name).stem.replace("_", " ").replace("-", " ")
    head = stem if not title or stem.lower() in title.lower() else f"{stem} {title}"
    heading = " ".join(p for p in (head, chunk.section) if p)
    weight = get_settings().retrieval.title_weight  # titles and headings say what a passage is about
    return "\n".join([heading] * weight + [chunk.text])


def _prepare(path: Path, name: str, kb_id: int, max_bytes: int, ocr_dpi: int,
             chunk_chars: int, overlap: int) -> _Prepared | FileResult:
    started = time.perf_counter()
    if len(name) > 500 or len(Path(name).name) > 255:
        raise DocumentError(f"文件名过长 / file name too long: {name[:80]}…")
    if not path.exists():
        raise DocumentError(f"文件不存在 / file not found: {path}")
    size = path.stat().st_size
    sha = _sha256(path) if size <= max_bytes else ""
    with session_scope() as s:
        existing = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == name))
        if existing is not None and existing.status == "indexed" and sha and existing.sha256 == sha:
            existing.error_code = existing.error_message = None
            return FileResult(str(path), name, "unchanged", existing.id, existing.chunk_count, existing.pages,
                              seconds=time.perf_counter() - started)
    doc = parse_file(path, max_bytes=max_bytes, ocr_dpi=ocr_dpi)
    chunks = chunk_document(doc, max_chars=chunk_chars, overlap=overlap)
    if not chunks:
        from xiaoyin.core.errors import EmptyDocument

        raise EmptyDocument(f"文档中没有可检索的文字 / no text to index in {path.name}")
    pub = dates.publication(doc, name)
    meta = {**doc.meta, "published": pub.date.isoformat() if pub.date else None, "year": pub.year,
            "date_source": pub.source}
    return _Prepared(path, name, sha, size, doc.meta.get("format") or detect_format(path),
                     doc.title or Path(name).stem, doc.pages, chunks, meta, started)


def _record_failure(kb_id: int, path: Path, name: str, err: DocumentError, started: float) -> FileResult:
    """Record a failed file; an already indexed earlier version stays searchable."""
    with session_scope() as s:
        d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == name))
        if d is None:
            d = Document(id=str(uuid.uuid4()), kb_id=kb_id, name=name, filename=Path(name).name,
                         source_path=str(path), status="failed", chunk_count=0, tags=[], meta={},
                         size_bytes=path.stat().st_size if path.exists() else 0,
                         format=path.suffix.lower().lstrip("."))
            s.add(d)
        elif d.status != "indexed":
            d.status = "failed"
        d.error_code = err.code
        d.error_message = err.message
        doc_id = d.id
    return FileResult(str(path), name, "failed", doc_id, error_code=err.code, error=err.message,
                      seconds=time.perf_counter() - started)


def _store(kb_id: int, prep: _Prepared, tags: Sequence[str] | None,
           doc_date: date | None) -> tuple[str, list[str], bool, list[str], date | None]:
    """Write one document and its chunks in a single transaction.

    Returns (doc id, chunk ids, replaced an indexed version, the document's tags, its date): tags and
    date not given for a new version are kept from the old one.
    """
    with session_scope() as s:
        d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == prep.name))
        replaced = d is not None and d.status == "indexed"
        if d is None:
            d = Document(id=str(uuid.uuid4()), kb_id=kb_id, name=prep.name, version=0)
            s.add(d)
        else:
            s.execute(delete(ChunkRow).where(ChunkRow.doc_id == d.id))
        d.filename = Path(prep.name).name
        d.source_path = str(prep.path)
        d.format = prep.fmt
        d.sha256 = prep.sha
        d.size_bytes = prep.size
        d.status = "indexed"
        d.error_code = None
        d.error_message = None
        d.title = (prep.title or "")[:500] or None
        d.pages = prep.pages
        d.chunk_count = len(prep.chunks)
        d.tags = list(tags) if tags is not None else list(d.tags or [])
        found = date.fromisoformat(prep.meta["published"]) if prep.meta.get("published") else None
        d.doc_date = doc_date or found or d.doc_date  # given > found in the content/metadata > the old version's
        d.meta = {k: v for k, v in prep.meta.items() if isinstance(v, str | int | float | bool | list)}
        d.version = (d.version or 0) + 1
        s.flush()
        ids = [str(uuid.uuid4()) for _ in prep.chunks]
        s.add_all(
            ChunkRow(id=cid, doc_id=d.id, kb_id=kb_id, ordinal=c.ordinal, text=c.text,
                     section_path=list(c.section_path), page_start=c.page_start, page_end=c.page_end,
                     kind=c.kind, chunk_hash=c.hash, meta=c.meta or {})
            for c, cid in zip(prep.chunks, ids, strict=True)
        )
        return d.id, ids, replaced, list(d.tags or []), d.doc_date


def _reconcile(kb: str, kb_id: int, idx: SearchIndex) -> None:
    """Bring the index in line with the database after an interrupted run (rarely does anything)."""
    with session_scope() as s:
        db_docs = set(s.scalars(select(Document.id).where(Document.kb_id == kb_id, Document.status == "indexed")))
        n_chunks = s.scalar(select(func.count()).select_from(ChunkRow).where(ChunkRow.kb_id == kb_id)) or 0
    with _index_lock:
        idx_docs = idx.doc_ids()
        extra = idx_docs - db_docs
        missing = db_docs - idx_docs
        if not extra and not missing and idx.count() == n_chunks:
            return
        log.warning("index of %s out of step with database (%d extra, %d missing docs): repairing",
                    kb, len(extra), len(missing))
        if idx.count() != n_chunks:
            missing = db_docs  # chunk-level drift: rebuild every document
            extra = idx_docs
        if extra:
            idx.delete_documents(sorted(extra))
    if missing:
        _reindex_docs(kb_id, idx, sorted(missing))


def _reindex_docs(kb_id: int, idx: SearchIndex, doc_ids: list[str]) -> None:
    import numpy as np

    embedder = get_embedder()
    with session_scope() as s:
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))}
        rows = list(s.scalars(select(ChunkRow).where(ChunkRow.doc_id.in_(doc_ids)).order_by(ChunkRow.doc_id,
                                                                                            ChunkRow.ordinal)))
        items, embed_texts = [], []
        for r in rows:
            d = docs[r.doc_id]
            ch = Chunk(text=r.text, section_path=list(r.section_path or []))
            items.append(IndexChunk(chunk_id=r.id, doc_id=r.doc_id, text=_lexical_text(d.name, d.title, ch),
                                    tags=list(d.tags or []), doc_date=d.doc_date))
            embed_texts.append(ch.search_text(d.title))  # same text as at ingest: embedding cache hits
    if not items:
        return
    vecs = embedder.embed_passages(embed_texts) if embedder else None
    with _index_lock:
        idx.delete_documents(doc_ids)
        idx.add(items, vecs if vecs is None else np.asarray(vecs))


def rebuild_index(kb: str) -> int:
    """Rebuild ``kb``'s search index from the database; returns the number of chunks indexed."""
    from xiaoyin.knowledge.index import drop_index

    with _kb_lock(kb):
        with session_scope() as s:
            kb_id = _get_kb(s, kb).id
            doc_ids = list(s.scalars(select(Document.id).where(Document.kb_id == kb_id,
                                                               Document.status == "indexed")))
        st = get_settings()
        with _index_lock:
            idx = _indexes.pop((str(st.home.resolve()), kb_id), None)
            if idx is not None:
                idx.close()
            drop_index(_index_name(kb_id))
        idx = _open(kb)
        _reindex_docs(kb_id, idx, doc_ids)
        return idx.count()


# --------------------------------------------------------------------------------------------------
# Ingestion jobs (API): run in a background thread, per-document status in the database
# --------------------------------------------------------------------------------------------------


class _JobObserver:
    def __init__(self, job_id: str) -> None:
        self.job_id = job_id

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass

    def file_done(self, result: FileResult) -> None:
        with session_scope() as s:
            job = s.get(IngestJob, self.job_id)
            if job is not None:
                job.done = (job.done or 0) + 1
                job.results = [*list(job.results or []), asdict(result)]


def remove_uploaded(paths: Sequence[Path]) -> None:
    """Delete ingested copies (uploads): the database holds what was extracted."""
    for p in paths:
        Path(p).unlink(missing_ok=True)
        try:
            Path(p).parent.rmdir()  # the per-upload folder, once empty
        except OSError:
            pass


def start_ingest_job(kb: str, paths: Sequence[Path], names: Sequence[str] | None = None,
                     tags: Sequence[str] | None = None, doc_date: date | None = None,
                     remove_files: bool = False) -> str:
    """Start ingesting in the background; poll :func:`get_ingest_job` for per-document status.

    ``remove_files`` deletes the files afterwards (uploaded copies).
    """
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        job = IngestJob(id=str(uuid.uuid4()), kb_id=kb_id, status="running", total=len(paths), done=0, results=[])
        s.add(job)
        job_id = job.id

    def run() -> None:
        status = "done"
        try:
            ingest(kb, list(paths), names=names, tags=tags, doc_date=doc_date, observer=_JobObserver(job_id))
        except Exception:
            log.exception("ingest job %s failed", job_id)
            status = "failed"
        finally:
            if remove_files:
                remove_uploaded(paths)
        with session_scope() as s:
            job = s.get(IngestJob, job_id)
            if job is not None:
                job.status = status
                job.finished_at = utcnow()

    threading.Thread(target=run, name=f"ingest-{job_id[:8]}", daemon=True).start()
    return job_id


def get_ingest_job(kb: str, job_id: str) -> dict[str, Any]:
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        job = s.get(IngestJob, job_id)
        if job is None or job.kb_id != kb_id:
            raise NotFound(f"任务不存在 / ingest job not found: {job_id}")
        return {"id": job.id, "status": job.status, "total": job.total, "done": job.done,
                "results": list(job.results or []), "created_at": job.created_at, "finished_at": job.finished_at}


# --------------------------------------------------------------------------------------------------
# Search and answers
# --------------------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    rank: int
    chunk_id: str
    score: float
    doc_id: str
    doc_name: str
    filename: str
    page_start: int | None
    page_end: int | None
    section: str
    text: str
    chunk_hash: str
    signals: dict[str, float]


@dataclass
class SearchResult:
    hits: list[SearchHit]
    mode: str
    reranked: bool
    rerank_skipped_reason: str | None
    timings_ms: dict[str, float]
    routed_to: list[str] | None = None  # documents the question named, to which the search was restricted
    article: articles.ArticleLookup | None = None  # an article named by number, looked up exactly
    doc_names: dict[str, str] = field(default_factory=dict)  # doc id -> name, of the documents looked in
    query_rewrite: str | None = None  # how a follow-up was made stand-alone: "llm", "rules" or None

    @property
    def pinned(self) -> int:
        """How many leading hits are the article(s) asked for."""
        return sum(1 for h in self.hits if h.signals.get("article_lookup"))


def _filters(s: Session, kb_id: int, docs: Sequence[str] | None, tags: Sequence[str] | None,
             date_from: date | None, date_to: date | None) -> SearchFilters | None:
    doc_ids = None
    if docs:
        doc_ids = [_find_doc(s, kb_id, ref).id for ref in docs]
    f = SearchFilters(doc_ids=doc_ids, tags=list(tags) if tags else None, date_from=date_from, date_to=date_to)
    return None if f.is_empty() else f


def search(
    kb: str,
    query: str,
    *,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    mode: str = "hybrid",
    rerank: bool = True,
) -> SearchResult:
    """Hybrid search over ``kb``: BM25 + dense vectors, fused, optionally reranked, filtered."""
    if not query or not query.strip():
        raise InvalidInput("问题不能为空 / the query is empty")
    st = get_settings()
    k = k or st.retrieval.top_k
    routed: list[str] | None = None
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        flt = _filters(s, kb_id, docs, tags, date_from, date_to)
        if not docs and st.retrieval.route_by_name:
            listed = s.execute(select(Document.id, Document.name, Document.title).where(
                Document.kb_id == kb_id, Document.status == "indexed")).all()
            names = {r[0]: r[1] for r in listed}
            routed = route_documents(query, names, titles={r[0]: r[2] for r in listed})
            if routed:
                flt = flt or SearchFilters()
                flt.doc_ids = routed
        lookup = _article_lookup(s, query, flt.doc_ids if flt else None) if st.retrieval.article_lookup else None
        lookup_names: dict[str, str] = dict(s.execute(select(Document.id, Document.name).where(
            Document.id.in_(lookup.doc_ids))).all()) if lookup is not None else {}
    idx = _open(kb)
    embedder = get_embedder() if mode != "bm25" else None
    reranker = get_reranker(get_llm()) if rerank else None

    def texts(ids: list[str]) -> dict[str, str]:
        with session_scope() as s2:
            return {r.id: r.text for r in s2.scalars(select(ChunkRow).where(ChunkRow.id.in_(ids)))}

    qvec_embedder = embedder
    asked_years = query_mod.years(query) if st.retrieval.year_boost or st.retrieval.year_penalty else []
    with _index_lock:  # an ingest thread in this process swaps index state under the same lock
        fetch = max(k * 4, 20) if st.retrieval.one_chunk_per_page else k  # room to drop same-page duplicates
        if asked_years:
            fetch = max(fetch, st.retrieval.year_candidates)
        res = retrieve(idx, query, embedder=qvec_embedder, reranker=reranker, k=fetch, filters=flt, mode=mode,
                       texts=texts)
    if embedder is not None:
        lo, hi = getattr(embedder, "similarity_range", (0.0, 1.0))
        for h in res.hits:
            if "dense" in h.signals and hi > lo:
                h.signals["dense_norm"] = min(1.0, max(0.0, (float(h.signals["dense"]) - lo) / (hi - lo)))
    ids = [h.chunk_id for h in res.hits]
    with session_scope() as s:
        rows = {r.id: r for r in s.scalars(select(ChunkRow).where(ChunkRow.id.in_(ids)))}
        docs_by_id = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(
            {r.doc_id for r in rows.values()})))}
        if asked_years:
            _rescore_by_year(res.hits, asked_years, rows, docs_by_id)
        hits: list[SearchHit] = []
        pages_seen: set[tuple[str, int]] = set()
        if lookup is not None and lookup.chunk_ids:
            top = max((h.score for h in res.hits), default=0.0) + 1.0
            pinned = [r for r in s.scalars(select(ChunkRow).where(ChunkRow.id.in_(lookup.chunk_ids)))]
            pinned.sort(key=lambda r: lookup.chunk_ids.index(r.id))
            pinned_docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(
                {r.doc_id for r in pinned})))}
            for r in pinned:
                d = pinned_docs[r.doc_id]
                hits.append(SearchHit(len(hits) + 1, r.id, top, d.id, d.name, d.filename, r.page_start,
                                      r.page_end, " > ".join(r.section_path or []), r.text, r.chunk_hash,
                                      {"article_lookup": 1.0}))
            k = max(k, len(hits))
        pinned_ids = {h.chunk_id for h in hits}
        for h in res.hits:
            if h.chunk_id in pinned_ids:
                continue
            r = rows.get(h.chunk_id)
            if r is None:  # stale index entry (repaired on next ingest)
                continue
            if len(hits) >= k:
                break
            if st.retrieval.one_chunk_per_page and r.page_start is not None and r.kind != "article":
                # the page is already cited: make room for another (articles are units of their own)
                if (r.doc_id, r.page_start) in pages_seen:
                    continue
                pages_seen.add((r.doc_id, r.page_start))
            d = docs_by_id.get(r.doc_id)
            if d is None:  # deleted between the two reads
                continue
            hits.append(SearchHit(len(hits) + 1, r.id, float(h.score), d.id, d.name, d.filename, r.page_start,
                                  r.page_end, " > ".join(r.section_path or []), r.text, r.chunk_hash,
                                  dict(h.signals)))
    return SearchResult(hits, res.mode_used, res.reranked, res.rerank_skipped_reason, dict(res.timings_ms),
                        routed_to=[names[d] for d in routed] if routed else None, article=lookup,
                        doc_names=lookup_names)


def _rescore_by_year(hits: list[Any], asked: list[int], rows: dict[str, ChunkRow],
                     docs_by_id: dict[str, Document]) -> None:
    """Prefer chunks of the year(s) a question names (see :func:`query.year_factor`); re-sorts ``hits``."""
    st = get_settings().retrieval
    doc_years: dict[str, set[int]] = {}
    for d in docs_by_id.values():
        ys = set(query_mod.years(f"{d.title or ''} {d.filename or ''}"))
        if d.doc_date is not None:
            ys.add(d.doc_date.year)
        if isinstance((d.meta or {}).get("year"), int):
            ys.add(int(d.meta["year"]))
        doc_years[d.id] = ys
    for h in hits:
        r = rows.get(h.chunk_id)
        if r is None:
            continue
        f = query_mod.year_factor(asked, doc_years.get(r.doc_id, set()), set(query_mod.years(r.text)),
                                  boost=st.year_boost, penalty=st.year_penalty)
        h.signals["year_factor"] = f
        h.score = float(h.score) * f
    hits.sort(key=lambda h: -h.score)


def _article_lookup(s: Session, query: str, doc_ids: Sequence[str] | None) -> articles.ArticleLookup | None:
    """The articles ``query`` names by number, read from the article chunks of the documents it names."""
    refs = articles.parse_refs(query)
    if not refs or not doc_ids:
        return None
    rows = s.execute(select(ChunkRow.id, ChunkRow.doc_id, ChunkRow.ordinal, ChunkRow.meta).where(
        ChunkRow.doc_id.in_(list(doc_ids)), ChunkRow.kind == "article")).all()
    return articles.lookup(refs, list(doc_ids), ((r[0], r[1], r[2], (r[3] or {}).get("article")) for r in rows))


@dataclass
class AskResult:
    id: str | None
    question: str
    answer: str
    refused: bool
    support: float
    citations: list[dict[str, Any]]
    model: str
    prompt_version: str
    meta: dict[str, Any]


def _evidence(hits: list[SearchHit]) -> list[answer_mod.Evidence]:
    return [
        answer_mod.Evidence(chunk_id=h.chunk_id, chunk_hash=h.chunk_hash, text=h.text, doc_id=h.doc_id,
                            doc_name=h.filename, page_start=h.page_start, page_end=h.page_end,
                            section=h.section, score=h.score, signals=h.signals)
        for h in hits
    ]


def _retrieval_meta(res: SearchResult, query: str) -> dict[str, Any]:
    return {"query": query, "mode": res.mode, "reranked": res.reranked,
            "rerank_skipped_reason": res.rerank_skipped_reason, "timings_ms": res.timings_ms,
            "routed_to": res.routed_to, "query_rewrite": res.query_rewrite,
            "article_lookup": ({"found": res.article.found, "missing": res.article.missing}
                               if res.article is not None else None),
            "hits": [{"rank": h.rank, "doc": h.filename, "page": h.page_start, "section": h.section,
                      "score": round(h.score, 6)} for h in res.hits]}


def _store_answer(kb: str, question: str, history: list[dict] | None, result: answer_mod.AnswerResult,
                  user: str | None) -> str:
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        cits = []
        for c in result.citations:
            cd = asdict(c)
            cits.append(cd)
            if s.get(CitedText, c.chunk_hash) is None:
                row = s.scalar(select(ChunkRow).where(ChunkRow.id == c.chunk_id))
                if row is not None:
                    try:
                        with s.begin_nested():  # another answer may archive the same text concurrently
                            s.add(CitedText(chunk_hash=c.chunk_hash, text=row.text, doc_name=c.doc_name,
                                            section=c.section or "", page_start=row.page_start,
                                            page_end=row.page_end))
                    except IntegrityError:
                        pass
        rec = AnswerRecord(id=str(uuid.uuid4()), kb_id=kb_id, question=question, history=list(history or []),
                           answer=result.answer, refused=result.refused, support=float(result.support),
                           citations=cits, model=result.model, prompt_version=result.prompt_version,
                           meta=to_jsonable(result.meta), user=user)
        s.add(rec)
        return rec.id


def standalone_query(question: str, history: Sequence[Any] | None, llm: Any = None) -> tuple[str, str | None]:
    """The query to search for a (possibly elliptical) question, and how it was made (llm, rules or None).

    With an LLM configured (and ``retrieval.condense_with_llm``), a follow-up is rewritten by the LLM and
    the rewrite checked; otherwise, or if the rewrite fails its checks, earlier turns' entities are
    carried in by rule.
    """
    if history and llm is not None and get_settings().retrieval.condense_with_llm:
        rewritten = query_mod.condense_with_llm(question, history, llm)
        if rewritten:
            return rewritten, "llm"
    query = query_mod.condense(question, history or [])
    return query, ("rules" if query != question.strip() else None)


def _retrieve_for(kb: str, question: str, history: list[dict] | None, k: int | None, docs: Sequence[str] | None,
                  tags: Sequence[str] | None, date_from: date | None, date_to: date | None, llm: Any = None,
                  ) -> tuple[str, SearchResult]:
    """The stand-alone query for a (possibly elliptical) question and what retrieval finds for it."""
    query, how = standalone_query(question, history, llm)
    res = search(kb, query, k=k, docs=docs, tags=tags, date_from=date_from, date_to=date_to)
    res.query_rewrite = how
    return query, res


def _article_refusal(query: str, res: SearchResult) -> answer_mod.AnswerResult | None:
    """A clear refusal when the law the question names has no article of that number."""
    if res.article is None or not res.article.all_missing:
        return None
    text = articles.missing_message(res.article, {d: articles.law_title(n) for d, n in res.doc_names.items()})
    return answer_mod.refuse(query, text, "article_not_found", retrieval_meta=_retrieval_meta(res, query))


def _compose(query: str, res: SearchResult, llm: Any, history: list[dict] | None) -> answer_mod.AnswerResult:
    """The answer for a search result: the article refusal, or the composed (pinned-first) answer."""
    refusal = _article_refusal(query, res)
    if refusal is not None:
        return refusal
    return answer_mod.compose_answer(query, _evidence(res.hits), llm=llm, history=history,
                                     retrieval_meta=_retrieval_meta(res, query), pinned=res.pinned)


def ask(
    kb: str,
    question: str,
    *,
    history: list[dict] | None = None,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    user: str | None = None,
    store: bool = True,
    use_llm: bool = True,
) -> AskResult:
    """Answer ``question`` from ``kb`` with numbered citations, or refuse when evidence is insufficient."""
    llm = get_llm() if use_llm else None
    query, res = _retrieve_for(kb, question, history, k, docs, tags, date_from, date_to, llm)
    result = _compose(query, res, llm, history)
    answer_id = _store_answer(kb, question, history, result, user) if store else None
    return AskResult(answer_id, question, result.answer, result.refused, float(result.support),
                     [asdict(c) for c in result.citations], result.model, result.prompt_version,
                     to_jsonable(result.meta))


def ask_stream(
    kb: str,
    question: str,
    *,
    history: list[dict] | None = None,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    user: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Like :func:`ask`, as events: meta, delta…, citations, done (with the stored answer id).

    Retrieval runs before the first event, so a bad request raises here rather than mid-stream.
    """
    llm = get_llm()
    query, res = _retrieve_for(kb, question, history, k, docs, tags, date_from, date_to, llm)
    refusal = _article_refusal(query, res)
    stream = (answer_mod.result_events(refusal) if refusal is not None else
              answer_mod.stream_answer(query, _evidence(res.hits), llm=llm, history=history,
                                       retrieval_meta=_retrieval_meta(res, query), pinned=res.pinned))

    def events() -> Iterator[dict[str, Any]]:
        citations: list[dict[str, Any]] = []
        for ev in stream:
            if ev.get("event") == "citations":
                citations = list(ev.get("citations") or [])
            if ev.get("event") == "done":
                result = answer_mod.AnswerResult(
                    answer=ev["answer"], refused=bool(ev["refused"]),
                    citations=[answer_mod.Citation(**c) for c in citations], model=ev["model"],
                    prompt_version=ev["prompt_version"], support=float(ev["support"]),
                    meta=dict(ev.get("meta") or {}))
                ev = {**ev, "id": _store_answer(kb, question, history, result, user)}
            yield to_jsonable(ev)

    return events()


def get_answer(answer_id: str) -> dict[str, Any]:
    """A stored answer with its citations resolved to the exact text cited (even after re-ingest)."""
    with session_scope() as s:
        rec = s.get(AnswerRecord, answer_id)
        if rec is None:
            raise NotFound(f"回答不存在 / answer not found: {answer_id}")
        kb = s.get(KnowledgeBase, rec.kb_id)
        cits = []
        for c in rec.citations or []:
            archived = s.get(CitedText, c.get("chunk_hash"))
            live = s.scalar(select(ChunkRow).where(ChunkRow.chunk_hash == c.get("chunk_hash"),
                                                   ChunkRow.kb_id == rec.kb_id).limit(1))
            cits.append({**c, "text": archived.text if archived else None,
                         "still_in_kb": live is not None})
        return {"id": rec.id, "kb": kb.name if kb else None, "question": rec.question, "history": rec.history,
                "answer": rec.answer, "refused": rec.refused, "support": rec.support, "citations": cits,
                "model": rec.model, "prompt_version": rec.prompt_version, "meta": rec.meta,
                "user": rec.user, "created_at": rec.created_at}


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------


def evaluate(
    kb: str,
    questions_path: Path,
    *,
    k: int = 5,
    out: Path | None = None,
    mode: str = "hybrid",
    filter_by_doc: bool = False,
    use_llm: bool = True,
    rerank: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run an evaluation set against ``kb``: retrieval recall/MRR, page recall, answer accuracy, refusals.

    ``filter_by_doc`` restricts each question to its gold (or ``doc_filter``) document, the
    "filing known" setting of FinanceBench.
    """
    import json

    from xiaoyin.knowledge import evaluate as ev

    questions = ev.load_questions(questions_path)
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        by_filename: dict[str, list[str]] = {}
        for d in s.scalars(select(Document).where(Document.kb_id == kb_id, Document.status == "indexed")):
            by_filename.setdefault(d.filename, []).append(d.id)
    llm = get_llm() if use_llm else None
    outcomes = []
    supports: list[tuple[float, bool]] = []
    for i, q in enumerate(questions):
        t0 = time.perf_counter()
        docs = None
        if filter_by_doc:
            wanted = getattr(q, "doc_filter", None) or (q.evidence[0].doc if q.evidence else None)
            if wanted and wanted in by_filename:
                docs = by_filename[wanted]
        history = [h.model_dump() if hasattr(h, "model_dump") else dict(h) for h in (q.history or [])]
        query, how = standalone_query(q.question, history, llm)
        try:
            res = search(kb, query, k=k, docs=docs, mode=mode, rerank=rerank)
            res.query_rewrite = how
        except XiaoyinError as e:
            log.warning("question %s: %s", q.id, e.message)
            res = SearchResult([], mode, False, str(e), {})
        result = _compose(query, res, llm, history)
        retrieved = [{"doc": h.filename, "page": h.page_start, "page_end": h.page_end, "section": h.section,
                      "text": h.text, "chunk_id": h.chunk_id, "score": h.score} for h in res.hits]
        outcomes.append(ev.QuestionOutcome(id=q.id, answerable=q.answerable, retrieved=retrieved,
                                           answer=result.answer, refused=result.refused,
                                           support=float(result.support),
                                           latency_ms=(time.perf_counter() - t0) * 1000))
        supports.append((float(result.support), q.answerable))
        if progress:
            progress(i + 1, len(questions))
    report = ev.score(questions, outcomes, k)
    report["refusal_calibration"] = ev.calibrate_refusal(supports) if supports else None
    report["refusal_threshold"] = get_settings().answer.refusal_threshold
    report["settings"] = {"kb": kb, "mode": mode, "filter_by_doc": filter_by_doc, "rerank": rerank,
                          "llm": llm.model_id if llm else "none",
                          "embedder": (get_embedder().name if get_embedder() and mode != "bm25" else "none")}
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2), encoding="utf-8")
    return report
