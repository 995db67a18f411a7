"""``xiaoyin kb``: knowledge bases — create, ingest, list, search."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiaoyin.cli.common import acting, console, err, fail, print_json
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="知识库 / knowledge bases: create, ingest, list, search.", no_args_is_help=True)

STAGE_LABELS = {"parse": "解析 parse", "embed": "向量 embed", "index": "索引 index"}


@app.command("create")
def kb_create(name: str, description: Annotated[str, typer.Option(help="描述")] = "",
              exist_ok: Annotated[bool, typer.Option("--exist-ok", help="no error if it exists")] = False) -> None:
    """Create a knowledge base."""
    from xiaoyin.knowledge import service

    try:
        info = service.create_kb(name, description, exist_ok=exist_ok, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已创建知识库 created knowledge base [bold]{info.name}[/]")


@app.command("list")
def kb_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List knowledge bases."""
    from xiaoyin.knowledge import service

    kbs = service.list_kbs()
    if as_json:
        print_json(kbs)
        return
    t = Table("知识库 name", "文档 docs", "片段 chunks", "描述 description")
    for k in kbs:
        t.add_row(escape(k.name), str(k.documents), str(k.chunks), escape(k.description))
    console.print(t)


@app.command("delete")
def kb_delete(name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False) -> None:
    """Delete a knowledge base with all its documents and indexes."""
    from xiaoyin.knowledge import service

    if not yes:
        typer.confirm(f"删除知识库 delete knowledge base {name}?", abort=True)
    try:
        service.delete_kb(name, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已删除 deleted {name}")


class _RichObserver:
    """Draws one progress bar per ingestion stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}
        self.failed: list[Any] = []

    def stage(self, name: str, total: int) -> None:
        self.tasks[name] = self.progress.add_task(STAGE_LABELS.get(name, name), total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if name in self.tasks:
            self.progress.advance(self.tasks[name], n)

    def file_done(self, result: Any) -> None:
        if result.status == "failed":
            self.progress.console.print(
                f"[red]✗[/] {escape(f'{result.name}: [{result.error_code}] {result.error}')}", highlight=False)


@app.command("ingest")
def kb_ingest(
    paths: Annotated[list[Path], typer.Argument(help="files and folders")],
    kb: Annotated[str, typer.Option("--kb", help="knowledge base name")],
    tag: Annotated[list[str] | None, typer.Option("--tag", help="tag every document (repeatable)")] = None,
    doc_date: Annotated[str | None, typer.Option("--date", help="document date YYYY-MM-DD")] = None,
    create: Annotated[bool, typer.Option("--create/--no-create", help="create the KB if missing")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest files and folders (PDF, scans, images, DOCX, XLSX, CSV, HTML, Markdown, TXT, audio).

    Unchanged files are skipped; bad files are reported alone and the batch goes on.
    Exit code 1 when any file failed.
    """
    from xiaoyin.knowledge import service

    try:
        d = date.fromisoformat(doc_date) if doc_date else None
    except ValueError:
        err.print(f"[red]日期格式应为 YYYY-MM-DD / bad --date: {doc_date}[/]")
        raise typer.Exit(2) from None
    try:
        if create:
            service.create_kb(kb, exist_ok=True, principal=acting())
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False, disable=as_json) as progress:
            report = service.ingest(kb, paths, tags=tag, doc_date=d, observer=_RichObserver(progress),
                                        principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(report.to_dict())
    else:
        t = Table("文件 file", "状态 status", "页 pages", "片段 chunks", "说明 note")
        for f in report.files:
            style = {"indexed": "green", "unchanged": "dim", "failed": "red"}[f.status]
            t.add_row(escape(f.name), f"[{style}]{f.status}[/]", str(f.pages or ""), str(f.chunks),
                      escape(f.error or ""))
        console.print(t)
        console.print(f"入库 indexed {report.indexed}, 未变 unchanged {report.unchanged}, "
                      f"失败 failed {report.failed} in {report.seconds:.1f}s")
    if report.failed:
        raise typer.Exit(1)


@app.command("docs")
def kb_docs(kb: Annotated[str, typer.Option("--kb")], as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the documents of a knowledge base with their status."""
    from xiaoyin.knowledge import service

    try:
        docs = service.list_documents(kb, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(docs)
        return
    t = Table("ID", "文档 name", "格式", "状态 status", "页", "片段", "错误 error")
    for d in docs:
        t.add_row(d.id[:8], escape(d.name), d.format, d.status, str(d.pages or ""), str(d.chunks),
                  escape(d.error_message or ""))
    console.print(t)


@app.command("remove")
def kb_remove(doc: Annotated[str, typer.Argument(help="document id, name or file name")],
              kb: Annotated[str, typer.Option("--kb")]) -> None:
    """Remove one document from the knowledge base and every index."""
    from xiaoyin.knowledge import service

    try:
        info = service.delete_document(kb, doc, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已删除 removed {info.name}")


@app.command("reindex")
def kb_reindex(kb: Annotated[str, typer.Option("--kb")]) -> None:
    """Rebuild the search index of a knowledge base from the database."""
    from xiaoyin.knowledge import service

    try:
        n = service.rebuild_index(kb, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已重建索引 rebuilt: {n} chunks")


@app.command("search")
def kb_search(
    query: str,
    kb: Annotated[str, typer.Option("--kb")],
    k: Annotated[int, typer.Option("--k")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid | bm25 | dense")] = "hybrid",
    doc: Annotated[list[str] | None, typer.Option("--doc", help="restrict to documents")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the passages retrieval finds for a query (no answer composed)."""
    from xiaoyin.knowledge import service

    try:
        res = service.search(kb, query, k=k, mode=mode, docs=doc, tags=tag, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(res)
        return
    for h in res.hits:
        page = f" p.{h.page_start}" if h.page_start else ""
        console.print(f"[bold]{h.rank}.[/] {escape(f'{h.filename}{page} {h.section}')} [dim]({h.score:.4f})[/]",
                      highlight=False)
        console.print("   " + h.text[:200].replace("\n", " "), highlight=False)
    if not res.reranked:
        console.print(f"[dim]rerank skipped: {escape(str(res.rerank_skipped_reason))}[/]")
