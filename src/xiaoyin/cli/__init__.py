"""The ``xiaoyin`` command line: parse arguments, call a service function, render the result with rich.

One module per command group (``kb``, ``risk``, ``docs``, ``ledger``, ``db``, ``admin``, ``audit``) or top-level command
(``answers``: ask/eval, ``serve``, ``demo``); ``common`` holds the consoles and output helpers. This
module assembles the Typer ``app`` (the ``xiaoyin`` entry point in pyproject.toml).
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from xiaoyin.cli import admin, answers, audit, db, demo, docs, kb, ledger, risk, serve
from xiaoyin.cli.common import fail, set_acting
from xiaoyin.core.errors import XiaoyinError

#: errors any command can meet before doing its work (the database is not migrated): rendered like
#: the errors commands handle themselves, instead of a traceback
_SETUP_ERRORS = ("db_not_migrated", "db_revision_unknown")


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except XiaoyinError as e:
            if e.code not in _SETUP_ERRORS:
                raise
            raise fail(e) from None


app = typer.Typer(help="小银 xiaoyin — 银行私有化大模型平台 / self-hosted LLM platform for banks.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=_Group)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log at DEBUG level")] = False,
    user: Annotated[str | None, typer.Option("--user", help="act as this platform user (default: the "
                                             "operating-system user)")] = None,
    as_admin: Annotated[bool, typer.Option("--admin", help="act with the admin role as the server's "
                                           "operator (recorded in the audit trail)")] = False,
) -> None:
    set_acting(user, as_admin)
    from xiaoyin.core.settings import get_settings

    level = logging.DEBUG if verbose else getattr(logging, get_settings().log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "RapidOCR", "faster_whisper", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


app.command("ask")(answers.ask)
app.command("eval")(answers.evaluate)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.add_typer(kb.app, name="kb")
app.add_typer(risk.app, name="risk")
app.add_typer(docs.app, name="docs")
app.add_typer(ledger.app, name="ledger")
app.add_typer(db.app, name="db")
app.add_typer(admin.app, name="admin")
app.add_typer(audit.app, name="audit")

__all__ = ["app"]

if __name__ == "__main__":  # pragma: no cover
    app()
