"""What every command group shares: the consoles, JSON output, error rendering, progress bars."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xiaoyin.core.errors import XiaoyinError

if TYPE_CHECKING:
    from xiaoyin.core.auth.principal import Principal

console = Console()
err = Console(stderr=True)


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump") and not isinstance(obj, type):  # a pydantic model (typed service result)
        return obj.model_dump(mode="json")
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def print_json(obj: Any) -> None:
    """Pydantic models, dataclasses, dicts, lists and dates as indented JSON on stdout (Chinese kept readable)."""
    sys.stdout.write(json.dumps(_plain(obj), ensure_ascii=False, indent=2) + "\n")


def fail(e: XiaoyinError) -> typer.Exit:
    """Print ``e`` with its stable code on stderr; raise the returned exit (code 2)."""
    err.print(f"[bold red]错误 error[/] {escape(f'[{e.code}] {e.message}')}", highlight=False)
    return typer.Exit(code=2)


def split_csv(v: str | None) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]`` (comma-separated option values)."""
    return [x.strip() for x in (v or "").split(",") if x.strip()]


def doc_progress() -> Progress:
    """A transient progress bar on stderr (credit-document commands and the demo)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


# ------------------------------------------------------------------------------------- acting principal

_acting: dict[str, object] = {"user": None, "admin": False}


def set_acting(user: str | None, admin: bool) -> None:
    """Remember the global ``--user`` / ``--admin`` options for this command."""
    _acting.update(user=user, admin=admin)


def acting() -> Principal:
    """The principal this command acts as: the stored user ``--user`` names (default: the OS user,
    if such a user exists), else the local operator with the staff role, or the admin role with
    ``--admin`` (the server's operator, who owns the data directory)."""
    from xiaoyin.core.auth.principal import Principal
    from xiaoyin.core.auth.service import principal_for
    from xiaoyin.core.errors import NotFound

    user, admin = _acting["user"], bool(_acting["admin"])
    if admin:
        return Principal.local_operator(user if isinstance(user, str) else None, admin=True)
    try:
        return principal_for(user if isinstance(user, str) else Principal.local_operator().username, via="cli")
    except NotFound:
        if isinstance(user, str):
            raise
        return Principal.local_operator()
