"""``xiaoyin audit``: read, export and verify the audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xiaoyin.cli.common import acting, console, fail, print_json
from xiaoyin.core.audit import service as audit
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="审计日志 / the audit trail.", no_args_is_help=True)


def _filters(since: datetime | None, until: datetime | None, user: str | None, action: str | None) -> audit.AuditFilter:
    return audit.AuditFilter(since=since, until=until, username=user, action=action)


@app.command("verify")
def verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check the audit ledger and every audit row against it; names the first altered entry (exit 1)."""
    try:
        report = audit.verify()
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(report.model_dump(mode="json"))
    elif report.ok:
        console.print(f"审计日志完好 audit trail intact: {report.entries} entries", highlight=False, markup=False)
    else:
        console.print(f"审计日志被改动 audit trail ALTERED: first bad entry {report.first_bad_seq}",
                      style="bold red", highlight=False, markup=False)
        for p in report.problems[:20]:
            console.print(f"  - {p}", highlight=False, markup=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_events(
    since: Annotated[datetime | None, typer.Option("--since")] = None,
    until: Annotated[datetime | None, typer.Option("--until")] = None,
    user: Annotated[str | None, typer.Option("--by", help="only this user's events")] = None,
    action: Annotated[str | None, typer.Option("--action", help="an action, or a prefix ending in '.'")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest events (needs audit.read)."""
    try:
        page = audit.list_events(acting(), _filters(since, until, user, action), limit=limit)
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    t = Table("#", "时间 at (UTC)", "用户 user", "动作 action", "对象 target", "结果 outcome")
    for ev in page.events:
        t.add_row(str(ev.ledger_seq), f"{ev.at:%Y-%m-%d %H:%M:%S}", ev.username, ev.action, ev.target or "", ev.outcome)
    console.print(t)
    console.print(f"共 {page.total} 条 / {page.total} events", highlight=False, markup=False)


@app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="CSV file to write")],
    since: Annotated[datetime | None, typer.Option("--since")] = None,
    until: Annotated[datetime | None, typer.Option("--until")] = None,
    user: Annotated[str | None, typer.Option("--by")] = None,
    action: Annotated[str | None, typer.Option("--action")] = None,
) -> None:
    """Export filtered events as CSV (UTF-8 with BOM for Excel)."""
    try:
        text = audit.export_csv(acting(), _filters(since, until, user, action))
    except XiaoyinError as e:
        raise fail(e) from None
    out.write_text(text, encoding="utf-8")
    console.print(f"已导出 exported: {out}", highlight=False, markup=False)
