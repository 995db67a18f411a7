"""Credit-documents services: extract and validate documents, verify an application's trade
background, and record each verified package in the evidence ledger.

These typed functions are what the CLI, the REST API and (later) agent tools call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal, acting_user
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import InvalidInput, NotFound, XiaoyinError
from xiaoyin.core.ledger import service as ledger
from xiaoyin.credit.documents.extract import extract_bytes
from xiaoyin.credit.documents.rules import RuleSet
from xiaoyin.credit.documents.schemas import ExtractedDocument, Finding, Party, Severity
from xiaoyin.credit.documents.store import DocApplication, DocDocument, InvoiceUsage, TradeEdgeRow, VerifyJob
from xiaoyin.credit.documents.trade import (
    APP_NO,
    ApplicationMeta,
    TradeContext,
    TradeEdge,
    invoice_key,
    load_rules,
    run_rules,
    trade_edges,
)
from xiaoyin.credit.documents.validators import validate_document

log = logging.getLogger(__name__)

LEDGER_LOG = "credit-documents"
DOCUMENT_SUFFIXES = {".pdf", ".xml", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
META_FILE = "application.json"
Verdict = Literal["pass", "review", "fail"]
Observer = Callable[[str, int, int], None]  # (file name, done, total)


class LedgerRef(BaseModel):
    log: str
    seq: int
    leaf_hash: str
    tree_size: int
    root_hash: str


class VerificationReport(BaseModel):
    """The outcome of verifying one financing application's document package."""

    application_no: str
    version: int
    created: bool = Field(description="False when the same package was verified before (nothing new stored)")
    verdict: Verdict
    package_sha256: str
    borrower: Party
    financing_date: str | None = None
    findings: list[Finding] = Field(description="trade-background red flags (the rule set's findings)")
    documents: list[ExtractedDocument]
    ledger: LedgerRef | None = None
    rules_source: str = ""

    @property
    def all_findings(self) -> list[Finding]:
        return self.findings + [f for d in self.documents for f in d.findings]


class ApplicationSummary(BaseModel):
    application_no: str
    version: int
    verdict: Verdict
    borrower: str | None
    documents: int
    red_flags: list[str]
    created_at: str


class ExtractedDocuments(BaseModel):
    """Uploaded files extracted and validated, in upload order; a bad file carries its own ``error``."""

    documents: list[ExtractedDocument]


class VerifyJobStarted(BaseModel):
    """A verification queued in the background: poll ``GET /api/docs/jobs/{job_id}``."""

    job_id: str


class VerifyJobInfo(BaseModel):
    """A background verification: queued, running (done/total, current file), done (version) or failed."""

    job_id: str
    application_no: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    current: str | None = Field(description="the file being read")
    version: int | None = Field(description="the stored report's version, once done")
    error: str | None
    created_at: datetime
    finished_at: datetime | None


# ---------------------------------------------------------------- extraction


def _validated(doc: ExtractedDocument) -> ExtractedDocument:
    if doc.data is not None:
        try:
            doc.findings += validate_document(doc)
        except Exception as exc:  # a validator bug must not sink the batch: report it on this file
            log.exception("validation of %s failed", doc.file)
            doc.findings.append(Finding(rule_id="validate.failed", severity=Severity.error, documents=[doc.file],
                                        message=f"校验程序出错，需人工审核：{type(exc).__name__}: {exc}"))
    return doc


def extract_upload(data: bytes, filename: str, *, use_llm: bool | None = None) -> ExtractedDocument:
    """Extract and validate one uploaded file (never raises for a bad file: see ``error``/findings)."""
    return _validated(extract_bytes(data, _safe_name(filename), use_llm=use_llm))


def extract_files(paths: Sequence[str | Path], *, use_llm: bool | None = None,
                  observer: Observer | None = None) -> list[ExtractedDocument]:
    """Extract and validate files one by one; a bad file fails alone and the batch goes on."""
    out = []
    for i, p in enumerate(paths):
        path = Path(p)
        try:
            data = path.read_bytes()
        except OSError as exc:
            doc = ExtractedDocument(file=path.name, sha256="", error=f"无法读取文件：{exc.strerror or exc}")
            doc.findings.append(Finding(rule_id="input.unreadable", severity=Severity.error, message=doc.error,
                                        documents=[path.name]))
        else:
            doc = extract_upload(data, path.name, use_llm=use_llm)
        out.append(doc)
        if observer:
            observer(path.name, i + 1, len(paths))
    return out


# ---------------------------------------------------------------- verification


def _safe_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name.strip()
    if not name or name in (".", ".."):
        raise InvalidInput("文件名为空")
    return name[:200]


def _unique_name(name: str, taken: set[str]) -> str:
    """Two uploads with one name are both kept: the second as ``name (2).ext``."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    taken.add(candidate)
    return candidate


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    worst = max((f.severity.rank for f in findings if f.severity != Severity.info), default=-1)
    return "fail" if worst >= Severity.error.rank else "review" if worst >= 0 else "pass"


def read_application_dir(directory: str | Path) -> tuple[ApplicationMeta | None, list[tuple[str, bytes]]]:
    """``application.json`` (optional) and the document files of an application directory."""
    root = Path(directory)
    if not root.is_dir():
        raise NotFound(f"申请目录不存在：{root}")
    meta = None
    meta_path = root / META_FILE
    if meta_path.exists():
        try:
            meta = ApplicationMeta.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{META_FILE} 不是合法的 JSON：{exc}") from exc
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidInput(f"{META_FILE} 字段 {'.'.join(map(str, err['loc']))} 有误：{err['msg']}") from exc
    files = []
    for p in sorted(root.iterdir()):
        if p.is_file() and p.name != META_FILE and not p.name.startswith("."):
            files.append((p.name, p.read_bytes()))
    return meta, files


def verify_application(directory: str | Path, *, application_no: str | None = None, user: str | None = None,
                       rules_path: str | Path | None = None, use_llm: bool | None = None,
                       observer: Observer | None = None) -> VerificationReport:
    """Verify an application directory (``application.json`` + documents); see :func:`verify_package`."""
    meta, files = read_application_dir(directory)
    if meta is None:
        no = application_no or re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", Path(directory).resolve().name)[:64]
        meta = ApplicationMeta(application_no=no)
    elif application_no:
        meta = meta.model_copy(update={"application_no": application_no})
    return verify_package(meta, files, user=user, rules_path=rules_path, use_llm=use_llm, observer=observer)


def verify_package(meta: ApplicationMeta, files: Sequence[tuple[str, bytes]], *, user: str | None = None,
                   rules_path: str | Path | None = None, use_llm: bool | None = None,
                   observer: Observer | None = None, principal: Principal | None = None) -> VerificationReport:
    """Extract, validate and cross-check one application's documents, store them and append the
    package to the evidence ledger.

    Idempotent: the same package (same files, same meta) returns the stored report. A changed
    package is stored as a new version; earlier versions are kept. ``principal``: the reviewer (needs
    ``docs.review``); a new version is stored under their name and audited in the same transaction.
    """
    user = acting_user(principal, Permission.DOCS_REVIEW, user)
    if not re.match(APP_NO, meta.application_no):
        raise InvalidInput(f"申请编号不合法：{meta.application_no!r}")
    if not files:
        raise InvalidInput("申请中没有任何文件")
    ruleset = load_rules(rules_path)
    docs: list[ExtractedDocument] = []
    seen: dict[str, str] = {}
    names: set[str] = set()
    for i, (name, data) in enumerate(files):
        name = _unique_name(_safe_name(name), names)
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            docs.append(ExtractedDocument(file=name, sha256=sha, findings=[Finding(
                rule_id="input.duplicate_upload", severity=Severity.warning,
                message=f"文件 {name} 与 {seen[sha]} 内容完全相同，只按一份处理。", documents=[name, seen[sha]])]))
        else:
            seen[sha] = name
            docs.append(extract_upload(data, name, use_llm=use_llm))
        if observer:
            observer(name, i + 1, len(files))
    package_sha = _package_hash(meta, docs, ruleset)
    for attempt in range(3):
        try:
            return _store(meta, docs, ruleset, package_sha, user, principal)
        except IntegrityError:  # another verification registered the same invoice meanwhile: re-check
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _package_hash(meta: ApplicationMeta, docs: list[ExtractedDocument], ruleset: RuleSet) -> str:
    """Same files, same application data and the same rules: the same package (verified once)."""
    items = sorted((d.sha256, d.file) for d in docs)
    rules = ruleset.model_dump(mode="json", exclude={"source"})
    blob = json.dumps({"meta": meta.model_dump(mode="json"), "files": items, "rules": rules},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class _DbHistory:
    def __init__(self, s: Session, application_no: str) -> None:
        self.s, self.no = s, application_no

    def invoice_owner(self, key: str) -> str | None:
        return self.s.scalar(select(InvoiceUsage.application_no).where(InvoiceUsage.invoice_key == key))

    def edges(self) -> list[TradeEdge]:
        rows = self.s.scalars(select(TradeEdgeRow).where(TradeEdgeRow.application_no != self.no))
        return [TradeEdge(r.seller_key, r.seller_name, r.buyer_key, r.buyer_name, r.application_no, r.sign_date)
                for r in rows]


def _latest(s: Session, application_no: str) -> DocApplication | None:
    return s.scalar(select(DocApplication).where(DocApplication.application_no == application_no)
                    .order_by(DocApplication.version.desc()).limit(1))


def _serialise(s: Session) -> None:
    """One verification at a time reads the bank-wide registry and writes to it (no check-then-insert race)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext('xiaoyin.credit.documents'))"))
    else:  # SQLite: any write statement takes the database's write lock until commit
        s.execute(update(DocApplication).where(DocApplication.id == -1).values(version=DocApplication.version))


def _store(meta: ApplicationMeta, docs: list[ExtractedDocument], ruleset: RuleSet, package_sha: str,
           user: str | None, principal: Principal | None = None) -> VerificationReport:
    with session_scope() as s:
        _serialise(s)
        prev = _latest(s, meta.application_no)
        if prev is not None and prev.package_sha256 == package_sha:
            return _report(s, prev, created=False)
        ctx = TradeContext(meta=meta, documents=[d for d in docs if d.data is not None],
                           history=_DbHistory(s, meta.application_no))
        findings = run_rules(ctx, ruleset)
        verdict = verdict_of(findings + [f for d in docs for f in d.findings])
        borrower = ctx.borrower
        app = DocApplication(
            application_no=meta.application_no, version=(prev.version + 1) if prev else 1,
            borrower_name=_cut(borrower.name, 200), borrower_tax_id=_cut(borrower.tax_id, 32),
            financing_date=ctx.financing_date,
            meta=meta.model_dump(mode="json"), package_sha256=package_sha, verdict=verdict,
            findings=[f.model_dump(mode="json") for f in findings], rules_source=ruleset.source,
            created_by=_cut(user, 100),
        )
        s.add(app)
        s.flush()
        for d in docs:
            s.add(DocDocument(application_id=app.id, file_name=d.file, sha256=d.sha256, doc_type=d.doc_type,
                              input_kind=d.input_kind, extracted=d.model_dump(mode="json")))
        for key, inv in sorted(((invoice_key(inv), inv) for _, inv in ctx.invoices if invoice_key(inv)),
                               key=lambda pair: pair[0]):
            if inv.status == "normal" and len(key) <= 40 and ctx.history.invoice_owner(key) is None:
                s.add(InvoiceUsage(invoice_key=key, application_no=meta.application_no,
                                   seller_tax_id=_cut(inv.seller.tax_id, 32), issue_date=inv.issue_date,
                                   total_with_tax=_cut(None if inv.total_with_tax is None else str(inv.total_with_tax), 32)))
                s.flush()
        s.execute(delete(TradeEdgeRow).where(TradeEdgeRow.application_no == meta.application_no))
        for e in trade_edges(ctx):
            s.add(TradeEdgeRow(application_no=e.application_no, seller_key=e.seller_key[:255],
                               seller_name=e.seller_name, buyer_key=e.buyer_key[:255], buyer_name=e.buyer_name,
                               sign_date=e.sign_date))
        s.flush()
        receipt = ledger.append(LEDGER_LOG, _ledger_payload(app, docs, findings), kind="document_package",
                                ref=meta.application_no, session=s)
        app.ledger_log, app.ledger_seq = LEDGER_LOG, receipt.seq
        if principal is not None:
            audit.record(principal, "docs.verify", target=meta.application_no, session=s, details={
                "version": app.version, "verdict": str(verdict), "package_sha256": package_sha,
                "files": len(docs), "findings": [f.rule_id for f in findings], "ledger_seq": receipt.seq})
        s.flush()
        return _report(s, app, created=True)


def _cut(value: str | None, n: int) -> str | None:
    return None if value is None else value[:n]


def _ledger_payload(app: DocApplication, docs: list[ExtractedDocument], findings: list[Finding]) -> dict:
    """The leaf: canonical JSON of the extracted fields plus each file's hash."""
    return {
        "type": "credit.document_package",
        "application_no": app.application_no,
        "version": app.version,
        "package_sha256": app.package_sha256,
        "verdict": app.verdict,
        "documents": [{"file": d.file, "sha256": d.sha256, "doc_type": d.doc_type, "input_kind": d.input_kind,
                       "fields": None if d.data is None else d.data.model_dump(mode="json"),
                       "findings": sorted(f.rule_id for f in d.findings)} for d in docs],
        "findings": [{"rule_id": f.rule_id, "severity": f.severity.value, "documents": f.documents}
                     for f in findings],
    }


def _report(s: Session, app: DocApplication, *, created: bool) -> VerificationReport:
    rows = s.scalars(select(DocDocument).where(DocDocument.application_id == app.id).order_by(DocDocument.id))
    docs = [ExtractedDocument.model_validate(r.extracted) for r in rows]
    ref = None
    if app.ledger_seq is not None and app.ledger_log:
        entry = ledger.get_entry(app.ledger_log, app.ledger_seq, session=s)
        try:  # the signed tree head written by this append
            head = ledger.tree_head(app.ledger_log, app.ledger_seq + 1, session=s)
        except NotFound:
            head = ledger.tree_head(app.ledger_log, session=s)
        ref = LedgerRef(log=app.ledger_log, seq=app.ledger_seq, leaf_hash=entry.leaf_hash,
                        tree_size=head.tree_size, root_hash=head.root_hash)
    return VerificationReport(
        application_no=app.application_no, version=app.version, created=created, verdict=app.verdict,
        package_sha256=app.package_sha256,
        borrower=Party(name=app.borrower_name, tax_id=app.borrower_tax_id),
        financing_date=app.financing_date.isoformat() if app.financing_date else None,
        findings=[Finding.model_validate(f) for f in app.findings], documents=docs, ledger=ref,
        rules_source=app.rules_source,
    )


# ---------------------------------------------------------------- background verifications
#
# A job's life: ``queued`` (its row is committed before its thread starts) → ``running`` (done/total
# per file) → ``done`` or ``failed``. ``queued`` is not an end state: a client polls until ``done`` or
# ``failed``. (The CI "stall" of a served job seen ``queued`` was the API test stopping its poll at
# the first status other than ``running``, written when jobs started ``running``: whenever its first
# poll beat the job thread's first write, as a loaded 2-core machine often does, it failed at once.)

SLOT_WAIT_S = 1800.0  # a queued job gives up (failed, with the reason) after waiting this long for the slot
SLOT_NOTE_S = 15.0  # while it waits, its status names the job ahead of it, refreshed this often


class _Slot:
    """The one background-verification slot (OCR is CPU-bound) and which job holds it, since when."""

    def __init__(self) -> None:
        self._sem = threading.BoundedSemaphore(1)
        self._lock = threading.Lock()
        self.holder: str | None = None
        self._since = 0.0

    def acquire(self, job_id: str, timeout: float) -> bool:
        from time import monotonic

        if not self._sem.acquire(timeout=timeout):
            return False
        with self._lock:
            self.holder, self._since = job_id, monotonic()
        return True

    def release(self) -> None:
        with self._lock:
            self.holder = None
        self._sem.release()

    def held(self) -> tuple[str | None, float]:
        """The job in the slot and for how many seconds it has held it (None, 0 when free)."""
        from time import monotonic

        with self._lock:
            return self.holder, (monotonic() - self._since) if self.holder else 0.0


_slot = _Slot()


def _update_job(job_id: str, **values: object) -> None:
    with session_scope() as s:
        job = s.get(VerifyJob, job_id)
        if job is None:  # the row is committed before the thread starts: this is a bug, not a race
            raise RuntimeError(f"verification job {job_id} has no row")
        for k, v in values.items():
            setattr(job, k, v)


def _finish_job(job_id: str, status: str, *, version: int | None = None, error: str | None = None) -> None:
    try:
        _update_job(job_id, status=status, version=version, error=error, finished_at=utcnow())
    except Exception:
        log.exception("verification job %s: could not record its end (%s, %s)", job_id, status, error)


def _wait_for_slot(job_id: str) -> bool:
    """Take the slot; while waiting, the job's ``current`` says which job is ahead and for how long.
    After :data:`SLOT_WAIT_S` the job fails with that reason (the job ahead is likely stuck)."""
    from time import monotonic

    t0 = monotonic()
    while not _slot.acquire(job_id, timeout=SLOT_NOTE_S):
        waited = monotonic() - t0
        holder, held = _slot.held()
        zh, en = (f"核查任务 {holder}（已运行 {held:.0f} 秒）", f"job {holder} (running {held:.0f} s)") if holder else (
            "空闲的核查槽位", "a free slot")
        if waited >= SLOT_WAIT_S:
            error = (f"排队 {waited:.0f} 秒仍未开始：前面的{zh}可能卡住，请重启服务后重新提交 / "
                     f"not started after {waited:.0f} s queued behind {en}")
            log.error("verification job %s: %s", job_id, error)
            _finish_job(job_id, "failed", error=error)
            return False
        log.log(logging.WARNING if waited >= 300 else logging.INFO,
                "verification job %s: queued for %.0f s, waiting for %s", job_id, waited, en)
        _update_job(job_id, current=f"排队中，等待{zh} / queued behind {en}"[:255])
    return True


def _run_job(job_id: str, meta: ApplicationMeta, files: Sequence[tuple[str, bytes]], user: str | None,
             use_llm: bool | None, principal: Principal | None = None) -> None:
    from time import monotonic

    def progress(name: str, done: int, total: int) -> None:
        log.info("verification job %s: %d/%d files (%s)", job_id, done, total, name)
        try:  # a lost progress update must not fail the verification
            _update_job(job_id, status="running", done=done, total=total, current=name[:255])
        except Exception:
            log.warning("verification job %s: could not record progress %d/%d", job_id, done, total, exc_info=True)

    t0 = monotonic()
    _update_job(job_id, status="running", current=None)
    log.info("verification job %s: running %s (%d files)", job_id, meta.application_no, len(files))
    try:
        report = verify_package(meta, files, user=user, use_llm=use_llm, observer=progress, principal=principal)
    except Exception as exc:  # reported through the job, and logged for the operator
        log.exception("verification job %s: failed after %.1f s", job_id, monotonic() - t0)
        _finish_job(job_id, "failed",
                    error=exc.message if isinstance(exc, XiaoyinError) else f"{type(exc).__name__}: {exc}")
        return
    log.info("verification job %s: done in %.1f s: %s version %d, verdict %s%s", job_id, monotonic() - t0,
             report.application_no, report.version, report.verdict, "" if report.created else " (unchanged)")
    _finish_job(job_id, "done", version=report.version)


def _job_thread(job_id: str, meta: ApplicationMeta, files: Sequence[tuple[str, bytes]], user: str | None,
                use_llm: bool | None, principal: Principal | None = None) -> None:
    try:
        if not _wait_for_slot(job_id):
            return
        try:
            _run_job(job_id, meta, files, user, use_llm, principal)
        finally:
            _slot.release()
    except BaseException as exc:  # never a silent death: whatever escapes is logged and put on the job
        log.critical("verification job %s: its thread died", job_id, exc_info=True)
        _finish_job(job_id, "failed", error=f"内部错误 / internal error: {type(exc).__name__}: {exc}"[:2000])


def start_verify_job(meta: ApplicationMeta, files: Sequence[tuple[str, bytes]], *, user: str | None = None,
                     use_llm: bool | None = None, principal: Principal | None = None) -> str:
    """Queue a verification (one runs at a time); poll :func:`get_verify_job` until ``done`` or ``failed``."""
    user = acting_user(principal, Permission.DOCS_REVIEW, user)
    if not re.match(APP_NO, meta.application_no):
        raise InvalidInput(f"申请编号不合法：{meta.application_no!r}")
    if not files:
        raise InvalidInput("申请中没有任何文件")
    job_id = str(uuid.uuid4())
    with session_scope() as s:  # committed here, before the thread that reads it exists
        s.add(VerifyJob(id=job_id, application_no=meta.application_no, status="queued", total=len(files), done=0))
    holder, held = _slot.held()
    log.info("verification job %s: queued %s (%d files, %d bytes)%s", job_id, meta.application_no, len(files),
             sum(len(d) for _, d in files), f" behind job {holder} (running {held:.0f} s)" if holder else "")
    thread = threading.Thread(target=_job_thread, args=(job_id, meta, list(files), user, use_llm, principal),
                              name=f"verify-{job_id[:8]}", daemon=True)
    try:
        thread.start()
    except BaseException as exc:  # e.g. "can't start new thread": the job would stay queued forever
        log.exception("verification job %s: could not start its thread", job_id)
        _finish_job(job_id, "failed", error=f"无法启动核查线程 / could not start: {type(exc).__name__}: {exc}")
        raise
    return job_id


def fail_interrupted_jobs() -> int:
    """Mark jobs left queued or running by a stopped server as failed (call once at start-up).

    Every queued or running job in the database is taken as this server's own: run one server (one
    uvicorn worker) per database, or a second one fails the first one's live jobs when it starts.
    """
    with session_scope() as s:
        jobs = s.scalars(select(VerifyJob).where(VerifyJob.status.in_(("queued", "running")))).all()
        for job in jobs:
            log.warning("verification job %s (%s) was %s when the server stopped: marked failed",
                        job.id, job.application_no, job.status)
            job.status, job.error, job.finished_at = "failed", "服务重启，任务中断，请重新提交 / interrupted by a restart", utcnow()
        return len(jobs)


def get_verify_job(job_id: str) -> VerifyJobInfo:
    """Status of a background verification: queued, running (done/total, current file), done (version) or failed."""
    with session_scope() as s:
        job = s.get(VerifyJob, job_id)
        if job is None:
            raise NotFound(f"核查任务 {job_id} 不存在")
        return VerifyJobInfo(job_id=job.id, application_no=job.application_no, status=job.status,  # type: ignore[arg-type]
                             total=job.total, done=job.done, current=job.current, version=job.version,
                             error=job.error, created_at=job.created_at.replace(microsecond=0),
                             finished_at=job.finished_at.replace(microsecond=0) if job.finished_at else None)


def get_application(application_no: str, version: int | None = None) -> VerificationReport:
    """A stored verification report (the latest version unless one is named)."""
    with session_scope() as s:
        q = select(DocApplication).where(DocApplication.application_no == application_no)
        app = s.scalar(q.where(DocApplication.version == version) if version else
                       q.order_by(DocApplication.version.desc()).limit(1))
        if app is None:
            raise NotFound(f"融资申请 {application_no}" + (f" 第 {version} 版" if version else "") + " 不存在")
        return _report(s, app, created=False)


def list_applications(limit: int = 100) -> list[ApplicationSummary]:
    """The latest version of each stored application, newest first."""
    with session_scope() as s:
        latest = (select(DocApplication.application_no, func.max(DocApplication.version).label("v"))
                  .group_by(DocApplication.application_no).subquery())
        apps = s.scalars(select(DocApplication).join(
            latest, (DocApplication.application_no == latest.c.application_no) & (DocApplication.version == latest.c.v))
            .order_by(DocApplication.id.desc()).limit(limit)).all()
        counts = dict(s.execute(select(DocDocument.application_id, func.count()).where(
            DocDocument.application_id.in_([a.id for a in apps])).group_by(DocDocument.application_id)).all())
        return [ApplicationSummary(
            application_no=a.application_no, version=a.version, verdict=a.verdict, borrower=a.borrower_name,
            documents=counts.get(a.id, 0), red_flags=sorted({f["rule_id"] for f in a.findings}),
            created_at=a.created_at.isoformat(timespec="seconds")) for a in apps]


def get_rules(path: str | Path | None = None) -> RuleSet:
    """The active red-flag rule set (validated)."""
    return load_rules(path)



def generate_samples(out: str | Path, *, applications: int = 12, seed: int = 7,
                     kinds: Sequence[str] = ("text", "xml", "scan")) -> dict:
    """Write a synthetic corpus of applications with ground truth and planted red flags."""
    from xiaoyin.credit.documents.synth.corpus import generate_corpus

    try:
        manifest = generate_corpus(Path(out), applications=applications, seed=seed, kinds=tuple(kinds))
    except ValueError as exc:  # e.g. an unknown kind
        raise InvalidInput(str(exc)) from exc
    return manifest.model_dump(mode="json")
