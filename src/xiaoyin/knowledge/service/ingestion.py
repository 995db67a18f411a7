"""Ingestion: parse, chunk, embed and store files, then update the knowledge base's index."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import DocumentError, InvalidInput, XiaoyinError
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge import dates
from xiaoyin.knowledge.chunk import chunk_document
from xiaoyin.knowledge.parse import SUPPORTED_SUFFIXES, detect_format, parse_file
from xiaoyin.knowledge.service._base import _get_kb, _index_lock, _kb_lock, _open
from xiaoyin.knowledge.service.indexing import _lexical_text, _reconcile
from xiaoyin.knowledge.service.originals import keep_original
from xiaoyin.knowledge.store import ChunkRow, Document, KnowledgeBase
from xiaoyin.knowledge.types import Chunk, IndexChunk
from xiaoyin.models.embed import get_embedder

log = logging.getLogger(__name__)


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


class RejectedFile(BaseModel):
    """An upload refused before ingestion (too large, no usable name)."""

    name: str
    error_code: str
    error: str


class IngestSummary(BaseModel):
    """An ingestion run as the faces report it: counts by outcome and one entry per file."""

    kb: str
    indexed: int
    unchanged: int
    failed: int
    seconds: float
    files: list[FileResult]
    rejected: list[RejectedFile] = Field(default_factory=list, description="uploads refused before ingestion")


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

    def summary(self, rejected: Sequence[RejectedFile] = ()) -> IngestSummary:
        return IngestSummary(kb=self.kb, indexed=self.indexed, unchanged=self.unchanged, failed=self.failed,
                             seconds=round(self.seconds, 3), files=list(self.files), rejected=list(rejected))

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON values (without ``rejected``, which only uploads have)."""
        return self.summary().model_dump(mode="json", exclude={"rejected"})


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
    acl: DocumentAcl | None = None,
    principal: Principal | None = None,
) -> IngestReport:
    """Ingest files and folders into ``kb``.

    Unchanged files (same content hash) are skipped; a changed file replaces its old chunks in one
    transaction; a bad file is reported on its own and the batch goes on; nothing already indexed
    is lost when a new version of a file fails to parse.

    ``acl``: who may see the new documents (default: the knowledge base's default ACL for a new
    document, the old version's ACL for a new version). ``principal``: who uploads (needs
    ``kb.manage``; each file is audited; a document of the same name they may not see is not replaced).
    None is the platform itself (benchmarks, the demo loader): not checked, not audited.
    """
    require(principal, Permission.KB_MANAGE)
    acl_tags = acl.tags() if acl is not None else None
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
                _check_replaceable(kb_id, name, principal)
                prep = _prepare(path, name, kb_id, max_bytes, st.ingest.ocr_dpi,
                                st.ingest.chunk_chars, st.ingest.chunk_overlap)
            except (XiaoyinError, OSError) as e:
                err = e if isinstance(e, XiaoyinError) else DocumentError(
                    f"无法读取文件 / cannot read {path.name}: {e.strerror or e}")
                res = _record_failure(kb_id, path, name, err, started, principal)
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
                doc_id, chunk_ids, replaced, doc_tags, doc_day, doc_acl = _store(kb, kb_id, prep, tags, doc_date,
                                                                                 acl_tags, principal)
            except Exception as e:  # a database error fails this file alone
                log.exception("storing %s failed", prep.name)
                res = _record_failure(kb_id, prep.path, prep.name, DocumentError(
                    f"保存失败 / could not store {prep.name}: {type(e).__name__}"), prep.started, principal)
                report.files.append(res)
                obs.file_done(res)
                obs.advance("index")
                continue
            if replaced:
                pending_replaced.append(doc_id)
            for c, cid in zip(prep.chunks, chunk_ids, strict=True):
                pending_chunks.append(IndexChunk(chunk_id=cid, doc_id=doc_id,
                                                 text=_lexical_text(prep.name, prep.title, c),
                                                 tags=doc_tags, doc_date=doc_day, acl=doc_acl))
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


class NameTaken(DocumentError):
    """A document of this name exists that the uploader may not see (it is left untouched)."""

    code = "name_taken"


def _check_replaceable(kb_id: int, name: str, principal: Principal | None) -> None:
    """A new version may only replace a document its uploader may see."""
    if principal is None or principal.sees_all_documents:
        return
    with session_scope() as s:
        old = s.scalar(select(Document.acl).where(Document.kb_id == kb_id, Document.name == name))
    if old is not None and not principal.can_see(old):
        raise NameTaken(f"同名文档已存在且您无权访问，请改名后上传 / a document named {name} exists that you "
                            "may not see; rename the file")


def _record_failure(kb_id: int, path: Path, name: str, err: DocumentError, started: float,
                    principal: Principal | None = None) -> FileResult:
    """Record a failed file; an already indexed earlier version stays searchable."""
    if isinstance(err, NameTaken):  # never touch (or reveal) a document the uploader may not see
        return FileResult(str(path), name, "failed", None, error_code=err.code, error=err.message,
                          seconds=time.perf_counter() - started)
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
        if principal is not None:
            audit.record(principal, "kb.upload", target=name, outcome="failed", session=s,
                         details={"kb_id": kb_id, "error": err.code})
    return FileResult(str(path), name, "failed", doc_id, error_code=err.code, error=err.message,
                      seconds=time.perf_counter() - started)


def _store(kb: str, kb_id: int, prep: _Prepared, tags: Sequence[str] | None, doc_date: date | None,
           acl: list[str] | None, principal: Principal | None,
           ) -> tuple[str, list[str], bool, list[str], date | None, list[str]]:
    """Write one document and its chunks (and its audit entry) in a single transaction.

    Returns (doc id, chunk ids, replaced an indexed version, the document's tags, its date, its ACL):
    tags, date and ACL not given for a new version are kept from the old one.
    """
    with session_scope() as s:
        d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == prep.name))
        replaced = d is not None and d.status == "indexed"
        if d is None:
            default_acl = s.scalar(select(KnowledgeBase.default_acl).where(KnowledgeBase.id == kb_id))
            d = Document(id=str(uuid.uuid4()), kb_id=kb_id, name=prep.name, version=0,
                         acl=list(default_acl if default_acl is not None else ["public"]))
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
        if acl is not None:
            d.acl = list(acl)
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
        keep_original(d.id, prep.path, prep.name)  # inside the transaction: a failed copy fails this file alone
        if principal is not None:
            audit.record(principal, "kb.upload", target=f"{kb}/{prep.name}"[:255], session=s,
                         details={"doc_id": d.id, "sha256": prep.sha, "version": d.version,
                                  "chunks": len(ids), "acl": list(d.acl or [])})
        return d.id, ids, replaced, list(d.tags or []), d.doc_date, list(d.acl or [])
