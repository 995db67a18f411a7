"""Credit-document routes: extract elements, verify an application's trade background."""

from __future__ import annotations

import json

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.core.auth.principal import Permission
from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.credit.documents import service as docs

router = APIRouter(prefix="/api/docs", tags=["credit documents"])
MAX_FILES = 50


async def _read_uploads(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    """Read uploads with a size limit; an oversized file is rejected with its name."""
    if len(files) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件 / at most {MAX_FILES} files per request")
    st = get_settings().docs
    max_bytes = int(st.max_file_mb * 1024 * 1024)
    budget = int(st.max_upload_mb * 1024 * 1024)
    out = []
    for up in files:
        data = await up.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidInput(f"文件过大：{up.filename} 超过 {st.max_file_mb:g} MB / file too large")
        budget -= len(data)
        if budget < 0:
            raise InvalidInput(f"本次上传合计超过 {st.max_upload_mb:g} MB / request too large")
        out.append((up.filename or "", data))
    return out


@router.post("/extract", response_model=docs.ExtractedDocuments)
async def extract(principal: CurrentPrincipal,
                  files: list[UploadFile] = File(..., description="documents (PDF, XML, images)"),
                  use_llm: bool | None = Query(None, description="let a configured LLM fill missing fields"),
                  ) -> docs.ExtractedDocuments:
    """Extract and validate each file; a bad file gets its own error and the others go on."""
    principal.require(Permission.DOCS_REVIEW)
    uploads = await _read_uploads(files)
    results = []
    for name, data in uploads:
        results.append(await run_in_threadpool(docs.extract_upload, data, name, use_llm=use_llm))
    return docs.ExtractedDocuments(documents=results)


@router.post("/applications", response_model=docs.VerificationReport | docs.VerifyJobStarted)
async def verify(response: Response, principal: CurrentPrincipal,
                 files: list[UploadFile] = File(..., description="the application's documents"),
                 application: str = Form(..., description="application.json content", max_length=20000),
                 user: str | None = Form(None, max_length=100, description="ignored: the signed-in user is recorded"),
                 wait: bool = Query(True, description="false: verify in the background and return a job id "
                                                      "(poll GET /api/docs/jobs/{job_id}); scans take seconds each"),
                 ) -> docs.VerificationReport | docs.VerifyJobStarted:
    """Verify one financing application (stored, appended to the evidence ledger): the report, or with
    ``wait=false`` a job id at once (status 202)."""
    try:
        meta = docs.ApplicationMeta.model_validate(json.loads(application))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InvalidInput(f"application 字段不是合法的申请信息：{exc}") from exc
    uploads = await _read_uploads(files)
    if not wait:
        response.status_code = 202
        job_id = await run_in_threadpool(docs.start_verify_job, meta, uploads, principal=principal)
        return docs.VerifyJobStarted(job_id=job_id)
    return await run_in_threadpool(docs.verify_package, meta, uploads, principal=principal)


@router.get("/jobs/{job_id}", response_model=docs.VerifyJobInfo)
def verify_job(job_id: str, principal: CurrentPrincipal) -> docs.VerifyJobInfo:
    """Progress of a background verification; when done, read the report at /api/docs/applications/{no}."""
    principal.require(Permission.DOCS_REVIEW)
    return docs.get_verify_job(job_id)


@router.get("/applications", response_model=list[docs.ApplicationSummary])
def list_applications(principal: CurrentPrincipal,
                      limit: int = Query(100, ge=1, le=1000)) -> list[docs.ApplicationSummary]:
    principal.require(Permission.DOCS_REVIEW)
    return docs.list_applications(limit)


@router.get("/applications/{application_no}", response_model=docs.VerificationReport)
def get_application(application_no: str, principal: CurrentPrincipal,
                    version: int | None = Query(None, ge=1)) -> docs.VerificationReport:
    principal.require(Permission.DOCS_REVIEW)
    return docs.get_application(application_no, version)


@router.get("/rules", response_model=docs.RuleSet)
def rules() -> docs.RuleSet:
    return docs.get_rules()
