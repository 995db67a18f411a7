"""``xiaoyin demo``: load the demo knowledge base and a few verified credit applications."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xiaoyin.cli.common import console, doc_progress, err
from xiaoyin.cli.kb import kb_ingest


def demo(
    path: Annotated[Path, typer.Option(help="folder of demo documents")] = Path("samples/demo"),
    kb: Annotated[str, typer.Option("--kb")] = "demo",
) -> None:
    """Load the demo knowledge base (idempotent): every document in PATH but its README and question set."""
    files = [p for p in sorted(path.iterdir()) if p.is_file() and p.name != "README.md" and p.suffix != ".jsonl"]
    if not files:
        err.print(f"[red]没有演示文档 / no demo documents in {path}[/]")
        raise typer.Exit(2)
    kb_ingest(files, kb=kb, tag=["demo"], doc_date=None, create=True, as_json=False)
    _demo_credit_documents()


def _demo_credit_documents(applications: int = 6) -> None:
    """Generate a few synthetic financing applications and verify them (idempotent)."""
    from xiaoyin.core.settings import get_settings
    from xiaoyin.credit.documents import service

    out = get_settings().home / "demo-credit"
    if not (out / "manifest.json").exists():
        service.generate_samples(out, applications=applications, seed=7, kinds=("text", "xml"))
    apps = sorted(p for p in (out / "apps").iterdir() if p.is_dir())
    with doc_progress() as progress:
        task = progress.add_task("演示融资申请 demo applications", total=len(apps))
        for app_dir in apps:
            service.verify_application(app_dir)
            progress.advance(task)
    console.print(f"已核查 verified {len(apps)} demo applications from {escape(str(out / 'apps'))}; "
                  "see `xiaoyin docs list`")
