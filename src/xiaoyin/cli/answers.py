"""``xiaoyin ask`` and ``xiaoyin eval``: answers with citations, and their evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xiaoyin.cli.common import acting, console, err, fail, print_json
from xiaoyin.core.errors import XiaoyinError


def ask(
    question: str,
    kb: Annotated[str, typer.Option("--kb", help="knowledge base name")],
    k: Annotated[int | None, typer.Option("--k")] = None,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="restrict to documents")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    stream: Annotated[bool, typer.Option("--stream", help="print the answer as it is written")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ask a question; the answer cites its sources, or says 知识库中没有找到依据."""
    from xiaoyin.knowledge import service

    try:
        if stream and not as_json:
            citations: list[Any] = []
            for ev in service.ask_stream(kb, question, k=k, docs=doc, tags=tag, principal=acting()):
                if isinstance(ev, service.DeltaEvent):
                    console.print(ev.text, end="", highlight=False, markup=False)
                elif isinstance(ev, service.CitationsEvent):
                    citations = ev.citations
            console.print()
            _print_citations(citations)
            return
        res = service.ask(kb, question, k=k, docs=doc, tags=tag, principal=acting())
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json(res)
        return
    console.print(res.answer, highlight=False, markup=False)
    _print_citations(res.citations)
    if res.meta.get("rerank_skipped_reason"):
        reason = res.meta["rerank_skipped_reason"]
        console.print(f"[dim]{escape(f'rerank skipped: {reason}; model: {res.model}')}[/]")


def _print_citations(citations: list[Any]) -> None:
    for c in citations:
        page = f" 第{c.page}页" if c.page else ""
        sec = f" {c.section}" if c.section else ""
        console.print(f"[{c.n}] {c.doc_name}{page}{sec}: “{c.quote}”", highlight=False, markup=False)


def evaluate(
    kb: Annotated[str, typer.Option("--kb")],
    questions: Annotated[Path, typer.Option("--questions", help="JSONL evaluation set")],
    out: Annotated[Path | None, typer.Option("--out", help="write the JSON report here")] = None,
    k: Annotated[int, typer.Option("--k")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid | bm25 | dense")] = "hybrid",
    filter_by_doc: Annotated[bool, typer.Option("--filter-by-doc", help="restrict each question to its document")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="extractive answers even if an LLM is configured")] = False,
) -> None:
    """Evaluate retrieval and answers on a question set; prints the summary, writes the full report."""
    from xiaoyin.knowledge import service

    try:
        with Progress(TextColumn("评测 eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err) as progress:
            task = progress.add_task("eval", total=None)
            report = service.evaluate(kb, questions, k=k, out=out, mode=mode, filter_by_doc=filter_by_doc,
                                      principal=acting(),
                                      use_llm=not no_llm,
                                      progress=lambda i, n: progress.update(task, completed=i, total=n))
    except XiaoyinError as e:
        raise fail(e) from None
    summary = {key: v for key, v in report.items() if key != "per_question"}
    print_json(summary)
