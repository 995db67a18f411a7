"""Ingestion jobs (API): run in a background thread, per-document status in the database."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import NotFound
from xiaoyin.knowledge.service._base import _get_kb
from xiaoyin.knowledge.service.ingestion import FileResult, RejectedFile, ingest
from xiaoyin.knowledge.store import IngestJob

log = logging.getLogger(__name__)


class IngestJobStarted(BaseModel):
    """An upload accepted for background ingestion: poll ``GET /api/kb/{name}/jobs/{job_id}``."""

    job_id: str
    accepted: list[str] = Field(description="the stored names of the files to be ingested")
    rejected: list[RejectedFile] = Field(default_factory=list, description="uploads refused before ingestion")


class IngestJobInfo(BaseModel):
    """A background ingestion job: running, done or failed, with one result per finished file."""

    id: str
    status: str = Field(description="running | done | failed")
    total: int
    done: int
    results: list[FileResult]
    created_at: datetime
    finished_at: datetime | None


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
                     remove_files: bool = False, acl: DocumentAcl | None = None,
                     principal: Principal | None = None) -> str:
    """Start ingesting in the background; poll :func:`get_ingest_job` for per-document status.

    ``remove_files`` deletes the files afterwards (uploaded copies). ``acl`` and ``principal`` as
    for :func:`ingest` (the permission is checked here, before the job starts).
    """
    require(principal, Permission.KB_MANAGE)
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        job = IngestJob(id=str(uuid.uuid4()), kb_id=kb_id, status="running", total=len(paths), done=0, results=[])
        s.add(job)
        job_id = job.id

    def run() -> None:
        status = "done"
        try:
            ingest(kb, list(paths), names=names, tags=tags, doc_date=doc_date, observer=_JobObserver(job_id),
                   acl=acl, principal=principal)
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


def get_ingest_job(kb: str, job_id: str) -> IngestJobInfo:
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        job = s.get(IngestJob, job_id)
        if job is None or job.kb_id != kb_id:
            raise NotFound(f"任务不存在 / ingest job not found: {job_id}")
        return IngestJobInfo(id=job.id, status=job.status, total=job.total, done=job.done,
                             results=list(job.results or []), created_at=job.created_at,
                             finished_at=job.finished_at)
