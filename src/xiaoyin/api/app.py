"""FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from xiaoyin import __version__
from xiaoyin.core.errors import XiaoyinError

log = logging.getLogger(__name__)


class Health(BaseModel):
    status: str = "ok"
    version: str


def create_app() -> FastAPI:
    """Build the API: ``/api/health``, ``/api/auth/...``, ``/api/admin/...``, ``/api/audit/...``, ``/api/kb/...``, ``/api/risk/...``, ``/api/docs/...``, ``/api/ledger/...``.

    Logging is configured here too (format and level of :mod:`xiaoyin.core.logs`) unless the process
    already has a root handler, so ``uvicorn --factory xiaoyin.api.app:create_app`` logs like
    ``xiaoyin serve``.
    """
    from fastapi import Depends

    from xiaoyin.api import audit, auth, docs, feedback, kb, ledger, originals, risk
    from xiaoyin.api.deps import current_principal
    from xiaoyin.core.logs import configure_logging

    configure_logging()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from xiaoyin.core.settings import get_settings
        from xiaoyin.credit.documents import service as documents

        st = get_settings()
        log.info("xiaoyin %s starting: home %s, database %s, log level %s", __version__, st.home.resolve(),
                 st.db_url.split(":", 1)[0], logging.getLevelName(logging.getLogger().getEffectiveLevel()))
        try:  # verification jobs a stopped server left behind will never finish: say so
            if n := documents.fail_interrupted_jobs():
                log.warning("%d interrupted document-verification jobs marked failed", n)
        except Exception:
            log.exception("could not check for interrupted verification jobs")
        yield

    app = FastAPI(title="小银 xiaoyin", version=__version__, lifespan=lifespan,
                  description="Self-hosted LLM platform for small and medium banks.")

    @app.exception_handler(XiaoyinError)
    async def _xiaoyin_error(_req: Request, exc: XiaoyinError) -> JSONResponse:
        return JSONResponse(status_code=exc.http_status, content={"error": exc.to_dict()})

    @app.get("/api/health", tags=["system"], response_model=Health)
    def health() -> Health:
        from xiaoyin.core.db import get_engine

        get_engine()
        return Health(version=__version__)

    app.include_router(auth.router)  # login is open; every other auth route names its principal
    signed_in = [Depends(current_principal)]  # every domain route needs a session or an API token
    for router in (kb.router, originals.router, feedback.router, risk.router, docs.router, ledger.router, audit.router):
        app.include_router(router, dependencies=signed_in)

    from xiaoyin import web  # the staff workbench: page shells whose scripts call the routes above

    app.include_router(web.router)
    app.mount(web.STATIC_URL, web.static_files(), name="static")
    return app
