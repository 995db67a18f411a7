"""Knowledge-base routes: create/list/delete KBs, upload and ingest documents, search, ask (JSON or SSE)."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationError
from sse_starlette.sse import EventSourceResponse

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission
from xiaoyin.core.errors import FileTooLarge, InvalidInput, XiaoyinError
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge import service

router = APIRouter(prefix="/api", tags=["knowledge"])


class KBCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = ""
    default_acl: DocumentAcl | None = Field(None, description="who new documents are visible to (default: all staff)")


Tag = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Turn(BaseModel):
    question: str = Field(..., max_length=4000)
    answer: str = Field("", max_length=8000)


class AskIn(BaseModel):
    question: str = Field(..., min_length=1, max_length=4000)
    history: list[Turn] = Field(default_factory=list, max_length=20)
    k: int | None = Field(None, ge=1, le=50)
    docs: list[str] | None = Field(None, max_length=100)
    tags: list[Tag] | None = Field(None, max_length=20)
    date_from: date | None = None
    date_to: date | None = None
    stream: bool = False
    user: str | None = Field(None, max_length=100, description="ignored: answers are stored under the "
                             "signed-in user (kept so older clients are not refused)")


class Reindexed(BaseModel):
    chunks: int = Field(description="chunks in the rebuilt index")


class SearchIn(BaseModel):
    query: str = Field(..., min_length=1, max_length=4000)
    k: int = Field(5, ge=1, le=100)
    mode: str = Field("hybrid", pattern="^(hybrid|bm25|dense)$")
    docs: list[str] | None = Field(None, max_length=100)
    tags: list[Tag] | None = Field(None, max_length=20)
    date_from: date | None = None
    date_to: date | None = None


@router.post("/kb", response_model=service.KBInfo, status_code=201)
def create_kb(body: KBCreate, principal: CurrentPrincipal) -> service.KBInfo:
    return service.create_kb(body.name, body.description, default_acl=body.default_acl, principal=principal)


@router.get("/kb", response_model=list[service.KBInfo])
def list_kbs(principal: CurrentPrincipal) -> list[service.KBInfo]:
    principal.require(Permission.KB_READ)
    return service.list_kbs()


@router.get("/kb/{name}", response_model=service.KBInfo)
def get_kb(name: str, principal: CurrentPrincipal) -> service.KBInfo:
    principal.require(Permission.KB_READ)
    return service.get_kb(name)


@router.put("/kb/{name}/default-acl", response_model=service.KBInfo)
def set_default_acl(name: str, body: DocumentAcl, principal: CurrentPrincipal) -> service.KBInfo:
    """Who new documents of this knowledge base are visible to (existing documents keep theirs)."""
    return service.set_default_acl(name, body, principal=principal)


@router.delete("/kb/{name}", status_code=204)
def delete_kb(name: str, principal: CurrentPrincipal) -> None:
    service.delete_kb(name, principal=principal)


@router.get("/kb/{name}/documents", response_model=list[service.DocumentInfo])
def list_documents(name: str, principal: CurrentPrincipal) -> list[service.DocumentInfo]:
    return service.list_documents(name, principal=principal)


@router.get("/kb/{name}/documents/{doc}", response_model=service.DocumentInfo)
def get_document(name: str, doc: str, principal: CurrentPrincipal) -> service.DocumentInfo:
    return service.get_document(name, doc, principal=principal)


@router.get("/kb/{name}/documents/{doc}/chunks", response_model=list[service.ChunkInfo])
def document_chunks(name: str, doc: str, principal: CurrentPrincipal) -> list[service.ChunkInfo]:
    return service.document_chunks(name, doc, principal=principal)


@router.put("/kb/{name}/documents/{doc}/acl", response_model=service.DocumentInfo)
def set_document_acl(name: str, doc: str, body: DocumentAcl, principal: CurrentPrincipal) -> service.DocumentInfo:
    """Change who may see a document (applied to its chunks in the index at once)."""
    return service.set_document_acl(name, doc, body, principal=principal)


@router.delete("/kb/{name}/documents/{doc}", response_model=service.DocumentInfo)
def delete_document(name: str, doc: str, principal: CurrentPrincipal) -> service.DocumentInfo:
    return service.delete_document(name, doc, principal=principal)


_SAFE = re.compile(r"[^\w.\-()\[\]（）【】 ]+", re.UNICODE)


def _safe_name(filename: str | None) -> str:
    """A file name with no path parts or odd characters (uploads are never trusted)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = _SAFE.sub("_", name).strip(" .")
    if not name:
        raise InvalidInput("上传文件缺少文件名 / an uploaded file has no usable name")
    return name[:200]


async def _save_upload(up: UploadFile, folder: Path, max_bytes: int) -> Path:
    name = _safe_name(up.filename)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / name
    n = 2
    while dest.exists():  # two uploads with one name: keep both, the second as "name (2).ext"
        dest = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
        n += 1
    size = 0
    with dest.open("wb") as f:
        while chunk := await up.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                f.close()
                dest.unlink(missing_ok=True)
                raise FileTooLarge(f"文件过大 / file too large: {name} exceeds {max_bytes // (1024 * 1024)} MB")
            f.write(chunk)
    return dest


@router.post("/kb/{name}/documents", status_code=202,
             response_model=service.IngestSummary | service.IngestJobStarted)
async def upload_documents(
    name: str,
    files: list[UploadFile] = File(..., description="documents to ingest (at most 200 per request)"),
    tags: str | None = Form(None, description="comma-separated tags"),
    doc_date: date | None = Form(None),
    acl: str | None = Form(None, description='who may see the documents, as JSON: {"public": false, '
                           '"branches": ["0101"], "departments": [], "roles": [], "users": []}; '
                           "default: the knowledge base's default"),
    wait: bool = Query(False, description="ingest before answering (small uploads, scripts)"),
    *,
    principal: CurrentPrincipal,
) -> service.IngestSummary | service.IngestJobStarted:
    """Upload documents; ingestion runs in the background unless ``wait=true``.

    Background (default): the job id and the accepted names (``IngestJobStarted``); poll
    ``GET /api/kb/{name}/jobs/{job_id}`` for per-document status. ``wait=true``: the ingestion
    summary (``IngestSummary``). Either way ``rejected`` lists uploads refused before ingestion.
    """
    principal.require(Permission.KB_MANAGE)
    doc_acl = _parse_acl(acl)
    await run_in_threadpool(service.get_kb, name)
    if len(files) > 200:
        raise InvalidInput("一次最多上传200个文件 / at most 200 files per upload")
    st = get_settings()
    max_bytes = int(st.ingest.max_file_mb * 1024 * 1024)
    folder = st.home / "uploads" / _safe_name(name) / uuid.uuid4().hex
    saved: list[Path] = []
    rejected: list[service.RejectedFile] = []
    for up in files:
        try:
            saved.append(await _save_upload(up, folder, max_bytes))
        except (FileTooLarge, InvalidInput) as e:
            rejected.append(service.RejectedFile(name=up.filename or "", error_code=e.code, error=e.message))
    names = [p.name for p in saved]
    tag_list = [t.strip() for t in tags.split(",") if t.strip()] if tags else None
    if wait:
        try:
            report = await run_in_threadpool(service.ingest, name, saved, names=names, tags=tag_list,
                                             doc_date=doc_date, acl=doc_acl, principal=principal)
        finally:
            service.remove_uploaded(saved)
        return report.summary(rejected)
    job_id = service.start_ingest_job(name, saved, names=names, tags=tag_list, doc_date=doc_date, remove_files=True,
                                      acl=doc_acl, principal=principal)
    return service.IngestJobStarted(job_id=job_id, accepted=names, rejected=rejected)


def _parse_acl(text: str | None) -> DocumentAcl | None:
    if not text:
        return None
    try:
        return DocumentAcl.model_validate_json(text)
    except ValidationError as e:
        raise InvalidInput(f"acl 格式错误 / bad acl: {e.errors()[0].get('msg', 'invalid')}") from None


@router.get("/kb/{name}/jobs/{job_id}", response_model=service.IngestJobInfo)
def ingest_job(name: str, job_id: str, principal: CurrentPrincipal) -> service.IngestJobInfo:
    principal.require(Permission.KB_MANAGE)
    return service.get_ingest_job(name, job_id)


@router.post("/kb/{name}/reindex", response_model=Reindexed)
def reindex(name: str, principal: CurrentPrincipal) -> Reindexed:
    return Reindexed(chunks=service.rebuild_index(name, principal=principal))


@router.post("/kb/{name}/search", response_model=service.SearchResult)
def search(name: str, body: SearchIn, principal: CurrentPrincipal) -> service.SearchResult:
    principal.require(Permission.KB_READ)
    return service.search(name, body.query, k=body.k, mode=body.mode, docs=body.docs, tags=body.tags,
                          date_from=body.date_from, date_to=body.date_to, principal=principal)


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` references replaced by the definitions (no recursion here), so
    it stands alone inside an OpenAPI document."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            out = {k: walk(v) for k, v in node.items() if k != "$defs"}
            if isinstance(out.get("discriminator"), dict):  # its mapping names the $defs just inlined
                out["discriminator"] = {k: v for k, v in out["discriminator"].items() if k != "mapping"}
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


_SSE_ITEM = {  # as FastAPI documents a Server-Sent Events stream (OpenAPI 3.2 itemSchema)
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["meta", "delta", "citations", "done", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "contentSchema": _inline_refs(TypeAdapter(service.AskEvent).json_schema(mode="serialization"))},
    },
}


@router.post("/kb/{name}/ask", response_model=service.AskResult, openapi_extra={"responses": {"200": {"content": {
    "text/event-stream": {"itemSchema": _SSE_ITEM}}}}})
def ask(name: str, body: AskIn, principal: CurrentPrincipal) -> service.AskResult | EventSourceResponse:
    """Answer with citations (``AskResult``), or refuse when the evidence is insufficient.

    ``stream: true`` returns Server-Sent Events instead (``text/event-stream``), each named by its kind
    and carrying the event as JSON (the ``AskEvent`` models of the knowledge service, discriminated by
    ``event``): ``meta`` first (support, threshold, model, retrieval, the numbered evidence), then
    ``delta`` events with answer text as it is written, ``citations``, and ``done`` last (the
    authoritative answer, which replaces the streamed text, and the stored answer ``id``). An error
    after the stream started arrives as an ``error`` event whose data is the error object
    (``code``, ``message``) without an ``event`` key.
    """
    history = [t.model_dump() for t in body.history]
    if body.stream:
        stream = service.ask_stream(name, body.question, history=history, k=body.k, docs=body.docs,
                                    tags=body.tags, date_from=body.date_from, date_to=body.date_to,
                                    principal=principal)

        def events() -> Iterator[dict[str, str]]:
            try:
                for ev in stream:
                    yield {"event": ev.event, "data": ev.model_dump_json()}
            except XiaoyinError as e:  # after the headers went out: report in-band
                yield {"event": "error", "data": service.ErrorEvent.of(e).model_dump_json()}

        return EventSourceResponse(events())
    return service.ask(name, body.question, history=history, k=body.k, docs=body.docs, tags=body.tags,
                       date_from=body.date_from, date_to=body.date_to, principal=principal)


@router.get("/answers/{answer_id}", response_model=service.StoredAnswer)
def get_answer(answer_id: str, principal: CurrentPrincipal) -> service.StoredAnswer:
    """One of your stored answers with its citations and the exact text they quote."""
    return service.get_answer(answer_id, principal=principal)
