"""A cited document's source: the original file and, for PDFs and images, page images."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.knowledge import service

router = APIRouter(prefix="/api/kb", tags=["knowledge"])


@router.get("/{name}/documents/{doc}/file", response_class=FileResponse)
def document_file(name: str, doc: str, principal: CurrentPrincipal) -> FileResponse:
    """The original file (as an attachment: never rendered in the platform's origin)."""
    f = service.document_file(name, doc, principal=principal)
    return FileResponse(f.path, media_type=f.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.get("/{name}/documents/{doc}/pages/{page}", response_class=Response)
async def page_image(name: str, doc: str, principal: CurrentPrincipal,
                     page: int = Path(..., ge=1, le=10000)) -> Response:
    """Page ``page`` of a PDF or image document as PNG, for showing a citation in place."""
    png = await run_in_threadpool(service.page_image, name, doc, page, principal=principal)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300",
                                                          "X-Content-Type-Options": "nosniff"})
