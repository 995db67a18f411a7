"""Logging for long-running processes (the API server): one format, one level, one stream.

Every record carries the time, level, logger and thread name, so lines written by request
threads and by background jobs (threads named ``verify-<job id>``) can be told apart::

    2026-11-28 15:42:54,123 INFO xiaoyin.credit.documents.service [verify-1b62d539] verification job … started

The level comes from the settings (``log_level``: ``XIAOYIN_LOG_LEVEL`` or ``xiaoyin.toml``).
Uvicorn's own loggers (``uvicorn.error``, ``uvicorn.access``) write through the same handler.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
#: third-party loggers that are chatty at INFO: kept at WARNING unless the level is DEBUG
NOISY = ("httpx", "httpcore", "RapidOCR", "faster_whisper", "jieba", "alembic", "multipart", "python_multipart")
UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class _Handler(logging.StreamHandler):
    """The handler this module installs (recognised, so configuring twice does not double lines)."""


def parse_level(level: str | int | None) -> int | None:
    """A logging level from a name (``"info"``, ``"DEBUG"``) or a number; None when unknown."""
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    return value if isinstance(value, int) else None


def configure_logging(level: str | int | None = None, *, force: bool = False) -> int:
    """Send every logger's records to stderr in :data:`FORMAT` at ``level`` (default: the settings').

    Without ``force``, a root logger that already has a handler (a test runner's, an embedding
    application's, or ours when no level is given) is left as it is; ``force`` replaces its handlers.
    Returns the level in force.
    """
    root = logging.getLogger()
    ours = any(isinstance(h, _Handler) for h in root.handlers)
    if root.handlers and not force and (not ours or level is None):  # someone else's, or done already
        return root.getEffectiveLevel()
    if level is None:
        from xiaoyin.core.settings import get_settings

        level = get_settings().log_level
    lvl = parse_level(level)
    if force or not ours:
        for h in list(root.handlers):
            root.removeHandler(h)
        handler = _Handler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(lvl or logging.INFO)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
    for name in UVICORN:
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
        lg.setLevel(logging.NOTSET)
    if lvl is None:
        logging.getLogger(__name__).warning("unknown log level %r: logging at INFO", level)
    return root.level
