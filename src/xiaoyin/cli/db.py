"""``xiaoyin db``: database maintenance — migrations run here, explicitly, never as a side effect."""

from __future__ import annotations

from typing import Annotated

import typer

from xiaoyin.cli.common import console, fail, print_json
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="数据库 / database maintenance.", no_args_is_help=True)


def _where() -> str:
    from xiaoyin.core.settings import get_settings

    return get_settings().db_url.split("@")[-1]  # never the credentials


@app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option("--revision", help="target revision (default: the newest)")] = "head",
) -> None:
    """Migrate the configured database to the newest schema (or to --revision)."""
    from xiaoyin.core import db

    try:
        before = db.current_revision()
        after = db.upgrade(revision=revision)
    except XiaoyinError as e:
        raise fail(e) from None
    if after != before:
        console.print(f"已升级 upgraded: {before or '无 none'} → {after}", highlight=False, markup=False, soft_wrap=True)
    if after == db.head_revision():
        console.print(f"数据库已是最新 database at head: {_where()}", highlight=False, markup=False, soft_wrap=True)
    else:
        console.print(f"数据库在版本 database at revision {after} (head {db.head_revision()}): {_where()}",
                      highlight=False, markup=False, soft_wrap=True)


@app.command("current")
def db_current(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the database's migration revision and the newest one; exit code 1 when it is not at head."""
    from xiaoyin.core import db

    current, head = db.current_revision(), db.head_revision()
    if as_json:
        print_json({"database": _where(), "current": current, "head": head, "up_to_date": current == head})
    else:
        console.print(f"数据库 database: {_where()}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"当前版本 current: {current or '无 none'}", highlight=False, markup=False, soft_wrap=True)
        state = "最新 up to date" if current == head else "未到最新 not at head: run `xiaoyin db upgrade`"
        console.print(f"最新版本 head:    {head} ({state})", highlight=False, markup=False, soft_wrap=True)
    if current != head:
        raise typer.Exit(1)
