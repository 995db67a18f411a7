"""The ``xiaoyin`` command line: parse arguments, call a service function, render the result with rich."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="小银 xiaoyin — 银行私有化大模型平台 / self-hosted LLM platform for banks.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
kb_app = typer.Typer(help="知识库 / knowledge bases: create, ingest, list, search.", no_args_is_help=True)
db_app = typer.Typer(help="数据库 / database maintenance.", no_args_is_help=True)
risk_app = typer.Typer(help="信贷风险模型 / credit risk: train, decide, score, registry, monitor, triage.",
                       no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(risk_app, name="risk")
docs_app = typer.Typer(help="信贷单证 / credit documents: extract, validate, verify trade background.",
                       no_args_is_help=True)
ledger_app = typer.Typer(help="存证账本 / evidence ledger: verify, proofs, tree heads.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(ledger_app, name="ledger")
app.add_typer(db_app, name="db")

console = Console()
err = Console(stderr=True)

STAGE_LABELS = {"parse": "解析 parse", "embed": "向量 embed", "index": "索引 index"}


def _plain(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(_plain(obj), ensure_ascii=False, indent=2) + "\n")


def _fail(e: XiaoyinError) -> typer.Exit:
    err.print(f"[bold red]错误 error[/] {escape(f'[{e.code}] {e.message}')}", highlight=False)
    return typer.Exit(code=2)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log at DEBUG level")] = False,
) -> None:
    from xiaoyin.core.settings import get_settings

    level = logging.DEBUG if verbose else getattr(logging, get_settings().log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "RapidOCR", "faster_whisper", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


# ---------------------------------------------------------------- knowledge bases


@kb_app.command("create")
def kb_create(name: str, description: Annotated[str, typer.Option(help="描述")] = "",
              exist_ok: Annotated[bool, typer.Option("--exist-ok", help="no error if it exists")] = False) -> None:
    """Create a knowledge base."""
    from xiaoyin.knowledge import service

    try:
        info = service.create_kb(name, description, exist_ok=exist_ok)
    except XiaoyinError as e:
        raise _fail(e) from None
    console.print(f"已创建知识库 created knowledge base [bold]{info.name}[/]")


@kb_app.command("list")
def kb_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List knowledge bases."""
    from xiaoyin.knowledge import service

    kbs = service.list_kbs()
    if as_json:
        _print_json(kbs)
        return
    t = Table("知识库 name", "文档 docs", "片段 chunks", "描述 description")
    for k in kbs:
        t.add_row(escape(k.name), str(k.documents), str(k.chunks), escape(k.description))
    console.print(t)


@kb_app.command("delete")
def kb_delete(name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False) -> None:
    """Delete a knowledge base with all its documents and indexes."""
    from xiaoyin.knowledge import service

    if not yes:
        typer.confirm(f"删除知识库 delete knowledge base {name}?", abort=True)
    try:
        service.delete_kb(name)
    except XiaoyinError as e:
        raise _fail(e) from None
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


@kb_app.command("ingest")
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
            service.create_kb(kb, exist_ok=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False, disable=as_json) as progress:
            report = service.ingest(kb, paths, tags=tag, doc_date=d, observer=_RichObserver(progress))
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(report.to_dict())
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


@kb_app.command("docs")
def kb_docs(kb: Annotated[str, typer.Option("--kb")], as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the documents of a knowledge base with their status."""
    from xiaoyin.knowledge import service

    try:
        docs = service.list_documents(kb)
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(docs)
        return
    t = Table("ID", "文档 name", "格式", "状态 status", "页", "片段", "错误 error")
    for d in docs:
        t.add_row(d.id[:8], escape(d.name), d.format, d.status, str(d.pages or ""), str(d.chunks),
                  escape(d.error_message or ""))
    console.print(t)


@kb_app.command("remove")
def kb_remove(doc: Annotated[str, typer.Argument(help="document id, name or file name")],
              kb: Annotated[str, typer.Option("--kb")]) -> None:
    """Remove one document from the knowledge base and every index."""
    from xiaoyin.knowledge import service

    try:
        info = service.delete_document(kb, doc)
    except XiaoyinError as e:
        raise _fail(e) from None
    console.print(f"已删除 removed {info.name}")


@kb_app.command("reindex")
def kb_reindex(kb: Annotated[str, typer.Option("--kb")]) -> None:
    """Rebuild the search index of a knowledge base from the database."""
    from xiaoyin.knowledge import service

    try:
        n = service.rebuild_index(kb)
    except XiaoyinError as e:
        raise _fail(e) from None
    console.print(f"已重建索引 rebuilt: {n} chunks")


@kb_app.command("search")
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
        res = service.search(kb, query, k=k, mode=mode, docs=doc, tags=tag)
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(res)
        return
    for h in res.hits:
        page = f" p.{h.page_start}" if h.page_start else ""
        console.print(f"[bold]{h.rank}.[/] {escape(f'{h.filename}{page} {h.section}')} [dim]({h.score:.4f})[/]",
                      highlight=False)
        console.print("   " + h.text[:200].replace("\n", " "), highlight=False)
    if not res.reranked:
        console.print(f"[dim]rerank skipped: {escape(str(res.rerank_skipped_reason))}[/]")


# ---------------------------------------------------------------- answers


@app.command("ask")
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
            final: dict[str, Any] = {}
            for ev in service.ask_stream(kb, question, k=k, docs=doc, tags=tag):
                if ev["event"] == "delta":
                    console.print(ev["text"], end="", highlight=False, markup=False)
                elif ev["event"] == "citations":
                    final["citations"] = ev.get("citations", [])
                elif ev["event"] == "done":
                    final.update(ev)
            console.print()
            _print_citations(final.get("citations", []))
            return
        res = service.ask(kb, question, k=k, docs=doc, tags=tag)
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(res)
        return
    console.print(res.answer, highlight=False, markup=False)
    _print_citations(res.citations)
    if res.meta.get("rerank_skipped_reason"):
        reason = res.meta["rerank_skipped_reason"]
        console.print(f"[dim]{escape(f'rerank skipped: {reason}; model: {res.model}')}[/]")


def _print_citations(citations: list[dict[str, Any]]) -> None:
    for c in citations:
        page = f" 第{c['page']}页" if c.get("page") else ""
        sec = f" {c['section']}" if c.get("section") else ""
        console.print(f"[{c['n']}] {c['doc_name']}{page}{sec}: “{c['quote']}”", highlight=False, markup=False)


@app.command("eval")
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
                                      use_llm=not no_llm,
                                      progress=lambda i, n: progress.update(task, completed=i, total=n))
    except XiaoyinError as e:
        raise _fail(e) from None
    summary = {key: v for key, v in report.items() if key != "per_question"}
    _print_json(summary)


# ---------------------------------------------------------------- credit risk


def _split(v: str | None) -> list[str]:
    return [x.strip() for x in (v or "").split(",") if x.strip()]


@risk_app.command("train")
def risk_train(
    data: Annotated[Path, typer.Option("--data", help="CSV/Excel of past applications with outcomes")],
    target: Annotated[str, typer.Option("--target", help="outcome column (0/1, true/false, good/bad...)")],
    out: Annotated[Path, typer.Option("--out", help="MODEL_DIR to write")],
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    exclude: Annotated[str | None, typer.Option("--exclude", help="comma-separated columns to leave out")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="train one model per value of this column")] = None,
    pdo: Annotated[float | None, typer.Option(help="points to double the odds")] = None,
    base_odds: Annotated[float | None, typer.Option(help="good:bad odds at the base score")] = None,
    base_score: Annotated[float | None, typer.Option(help="score at the base odds")] = None,
) -> None:
    """Train a scorecard (optimal binning, WOE, logistic regression, points) and a LightGBM challenger."""
    from xiaoyin.credit.risk import service as risk

    cfg = {k: v for k, v in {"pdo": pdo, "base_odds": base_odds, "base_score": base_score}.items() if v is not None}
    try:
        with err.status("训练中 training (5-fold cross-validation)…"):
            rep = risk.train_model(data, target, out, id_col=id_col, exclude=_split(exclude), segment=segment,
                                   config=cfg or None)
    except XiaoyinError as e:
        raise _fail(e) from None
    cv = rep.get("cv", {})
    t = Table("模型 model", "AUC", "KS", "Gini")
    for name, m in cv.items():
        t.add_row(name, f"{m.get('auc', 0):.4f}", f"{m.get('ks', 0):.4f}", f"{m.get('gini', 0):.4f}")
    console.print(t)
    console.print(f"rows {rep.get('rows')}, bad rate {rep.get('bad_rate', 0):.4f}, "
                  f"features {len(rep.get('features', []))} → {escape(str(out))}")


@risk_app.command("train-warning")
def risk_train_warning(
    data: Annotated[Path, typer.Option("--data", help="loan book with repayment history and later outcome")],
    target: Annotated[str, typer.Option("--target")],
    out: Annotated[Path, typer.Option("--out")],
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    exclude: Annotated[str | None, typer.Option("--exclude")] = None,
) -> None:
    """Train the post-loan early-warning (behavioural) model used by ``risk triage``."""
    from xiaoyin.credit.risk import service as risk

    try:
        with err.status("训练贷后预警模型 training the early-warning model…"):
            rep = risk.train_early_warning(data, target, out, id_col=id_col, exclude=_split(exclude))
    except XiaoyinError as e:
        raise _fail(e) from None
    _print_json(rep)


@risk_app.command("decide")
def risk_decide(
    model: Annotated[str, typer.Option("--model", help="MODEL_DIR or registered model name")],
    input_file: Annotated[Path, typer.Option("--input", help="application as a JSON object")],
    policy: Annotated[Path | None, typer.Option("--policy", help="policy rules YAML (default: built-in)")] = None,
    user: Annotated[str | None, typer.Option("--user")] = None,
) -> None:
    """One-second approval: policy rules + scorecard → approve / reject / refer, with reasons."""
    from xiaoyin.credit.risk import service as risk

    try:
        try:
            application = json.loads(input_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise _fail(XiaoyinError(f"无法读取申请 JSON / cannot read {input_file}: {e}")) from None
        d = risk.decide(model, application, user=user, policy_path=policy)
    except XiaoyinError as e:
        raise _fail(e) from None
    sys.stdout.write(risk.to_json(d) + "\n")


@risk_app.command("score")
def risk_score(
    model: Annotated[str, typer.Option("--model")],
    data: Annotated[Path, typer.Option("--data")],
    out: Annotated[Path, typer.Option("--out")],
) -> None:
    """Batch-score a CSV/Excel file: the input columns plus score, pd and challenger_pd."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.score_batch(model, data, out)
    except XiaoyinError as e:
        raise _fail(e) from None
    _print_json(rep)


@risk_app.command("register")
def risk_register(
    model_dir: Annotated[Path, typer.Argument(help="trained MODEL_DIR")],
    name: Annotated[str, typer.Option("--name")],
    user: Annotated[str | None, typer.Option("--user")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Register a trained model version (the first version of a name becomes champion)."""
    from xiaoyin.credit.risk import service as risk

    try:
        _print_json(risk.register_model(model_dir, name, user=user, note=note))
    except XiaoyinError as e:
        raise _fail(e) from None


@risk_app.command("models")
def risk_models(name: Annotated[str | None, typer.Option("--name")] = None,
                events: Annotated[bool, typer.Option("--events", help="show promote/rollback history")] = False) -> None:
    """List registered model versions (champion, challengers, segments), or a name's history."""
    from xiaoyin.credit.risk import service as risk

    try:
        _print_json(risk.model_events(name) if (events and name) else risk.list_models(name))
    except XiaoyinError as e:
        raise _fail(e) from None


@risk_app.command("promote")
def risk_promote(name: Annotated[str, typer.Option("--name")], version: Annotated[str, typer.Option("--version")],
                 user: Annotated[str | None, typer.Option("--user")] = None,
                 segment: Annotated[str | None, typer.Option("--segment")] = None,
                 note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Make a registered version the champion (recorded with who and when)."""
    from xiaoyin.credit.risk import service as risk

    try:
        _print_json(risk.promote(name, version, user, segment=segment, note=note))
    except XiaoyinError as e:
        raise _fail(e) from None


@risk_app.command("rollback")
def risk_rollback(name: Annotated[str, typer.Option("--name")], user: Annotated[str | None, typer.Option("--user")] = None,
                  segment: Annotated[str, typer.Option("--segment")] = "",
                  note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Return to the previous champion (recorded with who and when)."""
    from xiaoyin.credit.risk import service as risk

    try:
        _print_json(risk.rollback(name, user, segment=segment, note=note))
    except XiaoyinError as e:
        raise _fail(e) from None


@risk_app.command("monitor")
def risk_monitor(
    model: Annotated[str, typer.Option("--model")],
    data: Annotated[Path, typer.Option("--data", help="recent applications (with outcomes if known)")],
    out: Annotated[Path | None, typer.Option("--out", help="HTML report to write")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="baseline data (default: training)")] = None,
    time_col: Annotated[str | None, typer.Option("--time-col")] = None,
    target: Annotated[str | None, typer.Option("--target")] = None,
) -> None:
    """PSI of the score, CSI per feature, KS/AUC by time window; alerts above thresholds."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.monitor(model, data, out, baseline_path=baseline, time_col=time_col, target=target)
    except XiaoyinError as e:
        raise _fail(e) from None
    _print_json(rep)


@risk_app.command("triage")
def risk_triage(
    model: Annotated[str, typer.Option("--model", help="early-warning MODEL_DIR (risk train-warning)")],
    data: Annotated[Path, typer.Option("--data", help="the active loan book")],
    budget: Annotated[float, typer.Option("--budget", help="share of the book staff can review")] = 0.4,
    target: Annotated[str | None, typer.Option("--target", help="later outcome, to report the capture curve")] = None,
    id_col: Annotated[str | None, typer.Option("--id")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="ranked book CSV")] = None,
) -> None:
    """Rank the loan book riskiest first; report what share of bads a review budget catches."""
    from xiaoyin.credit.risk import service as risk

    try:
        rep = risk.triage(model, data, budget, out, target=target, id_col=id_col)
    except XiaoyinError as e:
        raise _fail(e) from None
    _print_json(rep)


# ---------------------------------------------------------------- credit documents

SEVERITY_STYLE = {"critical": "bold red", "error": "red", "warning": "yellow", "info": "dim"}
VERDICT_LABEL = {"pass": "[green]通过 pass[/]", "review": "[yellow]需复核 review[/]", "fail": "[red]不通过 fail[/]"}


def _findings_table(findings: list[Any], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in ("严重程度 severity", "规则 rule", "说明 explanation", "文件 documents"):
        table.add_column(col)
    for f in findings:
        sev = f.severity.value
        table.add_row(f"[{SEVERITY_STYLE[sev]}]{sev}[/]", escape(f.rule_id), escape(f.message),
                      escape("、".join(f.documents)))
    return table


def _doc_progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


@docs_app.command("extract")
def docs_extract(
    files: Annotated[list[Path], typer.Argument(help="PDF, 数电 XML or image files")],
    as_json: Annotated[bool, typer.Option("--json", help="print the extracted documents as JSON")] = False,
    llm: Annotated[bool | None, typer.Option("--llm/--no-llm", help="let a configured LLM fill gaps")] = None,
) -> None:
    """Extract contract/invoice elements with provenance and validate them (a bad file fails alone)."""
    from xiaoyin.credit.documents import service

    with _doc_progress() as progress:
        task = progress.add_task("抽取 extract", total=len(files))
        results = service.extract_files(files, use_llm=llm,
                                        observer=lambda _n, done, _t: progress.update(task, completed=done))
    if as_json:
        sys.stdout.write(json.dumps([d.model_dump(mode="json") for d in results], ensure_ascii=False, indent=2) + "\n")
        return
    for d in results:
        kind = f"{d.doc_type or '?'} / {d.input_kind or '?'}"
        console.print(f"[bold]{escape(d.file)}[/]  {escape(kind)}  sha256={d.sha256[:12]}", highlight=False)
        if d.error:
            console.print(f"  [red]✗ {escape(d.error)}[/]", highlight=False)
        if d.data is not None:
            for key, value in d.data.model_dump(mode="json", exclude_none=True).items():
                if key in ("doc_type",) or value in ({}, []):
                    continue
                if isinstance(value, list):
                    value = f"{len(value)} 行 rows"
                console.print(f"  {escape(key)}: {escape(str(value))}", highlight=False)
        if d.findings:
            console.print(_findings_table(d.findings, f"{escape(d.file)} 校验 findings"))
    if any(d.error for d in results):
        raise typer.Exit(1)


@docs_app.command("verify")
def docs_verify(
    application: Annotated[Path, typer.Option("--application", "-a", help="folder: application.json + documents")],
    application_no: Annotated[str | None, typer.Option("--id", help="application number (overrides the file)")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="red-flag rule set (YAML)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="who verifies (recorded)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify one financing application's trade background and record it in the evidence ledger."""
    from xiaoyin.credit.documents import service

    try:
        with _doc_progress() as progress:
            task = progress.add_task("抽取与校验 extract + validate", total=None)
            report = service.verify_application(
                application, application_no=application_no, rules_path=rules, user=user,
                observer=lambda _n, done, total: progress.update(task, completed=done, total=total))
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    _print_report(report)


def _print_report(report: Any) -> None:
    state = "新记录 new" if report.created else "与上次相同 unchanged (stored report)"
    console.print(f"申请 application [bold]{escape(report.application_no)}[/] v{report.version} ({state}) "
                  f"结论 verdict: {VERDICT_LABEL[report.verdict]}", highlight=False)
    for d in report.documents:
        mark = "[red]✗[/]" if d.error else "✓"
        console.print(f"  {mark} {escape(d.file)}  {escape(str(d.doc_type or '?'))} / {escape(str(d.input_kind or '?'))}"
                      f"  ({len(d.findings)} findings)", highlight=False)
    if report.findings:
        console.print(_findings_table(report.findings, "贸易背景红旗 red flags"))
    else:
        console.print("[green]未发现贸易背景红旗 no red flags[/]")
    doc_findings = [f for d in report.documents for f in d.findings if f.severity.value != "info"]
    if doc_findings:
        console.print(_findings_table(doc_findings, "单证校验 document checks"))
    if report.ledger:
        lg = report.ledger
        console.print(f"存证 ledger: {escape(lg.log)} #{lg.seq} leaf={lg.leaf_hash[:16]}… "
                      f"tree size {lg.tree_size} root={lg.root_hash[:16]}…", highlight=False)


@docs_app.command("show")
def docs_show(application_no: str, version: Annotated[int | None, typer.Option("--version")] = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a stored verification report."""
    from xiaoyin.credit.documents import service

    try:
        report = service.get_application(application_no, version)
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        _print_report(report)


@docs_app.command("list")
def docs_list(limit: Annotated[int, typer.Option("--limit")] = 50) -> None:
    """List verified applications (latest version of each)."""
    from xiaoyin.credit.documents import service

    table = Table("申请 application", "版本 v", "结论 verdict", "借款人 borrower", "文件 docs", "红旗 red flags")
    for a in service.list_applications(limit):
        table.add_row(escape(a.application_no), str(a.version), VERDICT_LABEL[a.verdict], escape(a.borrower or ""),
                      str(a.documents), escape(", ".join(a.red_flags)))
    console.print(table)


@docs_app.command("rules")
def docs_rules(path: Annotated[Path | None, typer.Argument(help="a rule file to check")] = None) -> None:
    """Check and list a red-flag rule set (the bundled one by default)."""
    from xiaoyin.credit.documents import service

    try:
        rs = service.get_rules(path)
    except XiaoyinError as e:
        raise _fail(e) from None
    table = Table("规则 rule", "检查 check", "严重程度 severity", "启用 on", "参数 params", title=escape(rs.name))
    for r in rs.rules:
        table.add_row(escape(r.id), r.check, r.severity.value, "✓" if r.enabled else "✗",
                      escape(json.dumps(r.params, ensure_ascii=False, default=str)) if r.params else "")
    console.print(table)
    console.print(f"[dim]{escape(rs.source)}[/]")


@docs_app.command("synth")
def docs_synth(
    out: Annotated[Path, typer.Option("--out", help="output folder")],
    applications: Annotated[int, typer.Option("--applications", "-n")] = 12,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    kinds: Annotated[str, typer.Option("--kinds", help="text,xml,scan")] = "text,xml,scan",
) -> None:
    """Generate synthetic applications (contracts, invoices, delivery notes, receipts) with ground truth."""
    from xiaoyin.credit.documents import service

    try:
        manifest = service.generate_samples(out, applications=applications, seed=seed, kinds=_split(kinds))
    except XiaoyinError as e:
        raise _fail(e) from None
    _print_json(manifest)


# ---------------------------------------------------------------- evidence ledger


@ledger_app.command("verify")
def ledger_verify(
    log: Annotated[str | None, typer.Option("--log", help="one log (default: all)")] = None,
    anchor: Annotated[Path | None, typer.Option("--anchor", help="file anchor to compare with")] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help="trusted public key (PEM) "
                                                    "instead of the local signing key")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute the Merkle log(s): detect changed, deleted, inserted or re-ordered entries."""
    from xiaoyin.core.ledger import service as ledger

    try:
        report = ledger.verify(log, anchor_path=anchor, public_key=public_key)
    except XiaoyinError as e:
        raise _fail(e) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        for lg in report.logs:
            key_only = not lg.ok and {p.kind for p in lg.problems} == {"key"}
            mark = ("[green]✓ 完好 intact[/]" if lg.ok else
                    "[bold yellow]? 无法核验签名 key missing[/]" if key_only else "[bold red]✗ 被篡改 TAMPERED[/]")
            console.print(f"{mark} {escape(lg.log)} ({lg.hash_alg}): {lg.size} entries, {lg.tree_heads_checked} signed tree heads, "
                          f"{lg.anchors_checked} anchored heads checked; root {escape(str(lg.root_hash))[:16]}…",
                          highlight=False)
            if lg.first_bad_seq is not None:
                console.print(f"  [red]first bad entry 第一个异常条目: #{lg.first_bad_seq}[/]")
            for prob in lg.problems:
                console.print(f"  [red]- [{escape(prob.kind)}] {escape(prob.message)}[/]", highlight=False)
            for w in lg.warnings:
                console.print(f"  [yellow]- {escape(str(w))}[/]", highlight=False)
        console.print(f"[dim]{report.seconds:.2f} s[/]")
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("proof")
def ledger_proof(
    seq: Annotated[int, typer.Argument(help="entry number (0-based)")],
    log: Annotated[str, typer.Option("--log")] = "credit-documents",
    tree_size: Annotated[int | None, typer.Option("--size", help="tree size (default: current)")] = None,
) -> None:
    """Print an inclusion proof for one entry (JSON); check it with any RFC 9162 verifier."""
    from xiaoyin.core.ledger import service as ledger

    try:
        proof = ledger.inclusion_proof(log, seq, tree_size)
    except XiaoyinError as e:
        raise _fail(e) from None
    sys.stdout.write(proof.model_dump_json(indent=2) + "\n")


@ledger_app.command("consistency")
def ledger_consistency(
    first: Annotated[int, typer.Argument(help="older tree size")],
    second: Annotated[int | None, typer.Argument(help="newer tree size (default: current)")] = None,
    log: Annotated[str, typer.Option("--log")] = "credit-documents",
) -> None:
    """Print a consistency proof between two tree sizes (JSON)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        proof = ledger.consistency_proof(log, first, second)
    except XiaoyinError as e:
        raise _fail(e) from None
    sys.stdout.write(proof.model_dump_json(indent=2) + "\n")


@ledger_app.command("init-key")
def ledger_init_key() -> None:
    """Create the Ed25519 signing key (first use happens automatically; after a key loss, only here)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        pem = ledger.init_key()
    except XiaoyinError as e:
        raise _fail(e) from None
    sys.stdout.write(pem)


@ledger_app.command("public-key")
def ledger_public_key() -> None:
    """Print the public key (PEM) that checks the signed tree heads; give it to auditors."""
    from xiaoyin.core.ledger import service as ledger

    try:
        sys.stdout.write(ledger.public_key_pem())
    except XiaoyinError as e:
        raise _fail(e) from None


@ledger_app.command("head")
def ledger_head(log: Annotated[str, typer.Option("--log")] = "credit-documents") -> None:
    """Print the latest signed tree head (JSON)."""
    from xiaoyin.core.ledger import service as ledger

    try:
        sth = ledger.tree_head(log)
    except XiaoyinError as e:
        raise _fail(e) from None
    sys.stdout.write(sth.model_dump_json(indent=2) + "\n")


# ---------------------------------------------------------------- server, database, demo


@app.command("serve")
def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None) -> None:
    """Serve the REST API (and, later, the web UI)."""
    import uvicorn

    from xiaoyin.api.app import create_app
    from xiaoyin.core.logs import configure_logging
    from xiaoyin.core.settings import get_settings

    st = get_settings()
    # one handler for our loggers and uvicorn's: time, level, logger, thread; the level from the
    # settings (XIAOYIN_LOG_LEVEL), or DEBUG with `xiaoyin -v serve`; log_config=None keeps uvicorn
    # from installing its own handlers over it
    verbose = logging.getLogger().level == logging.DEBUG
    level = configure_logging(logging.DEBUG if verbose else None, force=True)
    uvicorn.run(create_app(), host=host or st.host, port=port or st.port, log_config=None, log_level=level)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from xiaoyin.core.db import get_engine
    from xiaoyin.core.settings import get_settings

    get_engine()
    console.print(f"数据库已是最新 database at head: {get_settings().db_url.split('@')[-1]}")


@app.command("demo")
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
    with _doc_progress() as progress:
        task = progress.add_task("演示融资申请 demo applications", total=len(apps))
        for app_dir in apps:
            service.verify_application(app_dir)
            progress.advance(task)
    console.print(f"已核查 verified {len(apps)} demo applications from {escape(str(out / 'apps'))}; "
                  "see `xiaoyin docs list`")


if __name__ == "__main__":  # pragma: no cover
    app()
