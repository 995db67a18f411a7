"""``xiaoyin serve``: the REST API server."""

from __future__ import annotations

import logging
from typing import Annotated

import typer


def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None) -> None:
    """Serve the REST API and the staff web workbench."""
    import uvicorn

    from xiaoyin.api.app import create_app
    from xiaoyin.core.db import get_engine
    from xiaoyin.core.logs import configure_logging
    from xiaoyin.core.settings import get_settings

    st = get_settings()
    get_engine()  # a database behind the newest migration stops the server here, saying what to run
    # one handler for our loggers and uvicorn's: time, level, logger, thread; the level from the
    # settings (XIAOYIN_LOG_LEVEL), or DEBUG with `xiaoyin -v serve`; log_config=None keeps uvicorn
    # from installing its own handlers over it
    verbose = logging.getLogger().level == logging.DEBUG
    level = configure_logging(logging.DEBUG if verbose else None, force=True)
    uvicorn.run(create_app(), host=host or st.host, port=port or st.port, log_config=None, log_level=level)
