"""``xiaoyin docs``: credit documents — extract, validate, verify trade background."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from xiaoyin.cli.common import console, doc_progress, fail, print_json, split_csv
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="信贷单证 / credit documents: extract, validate, verify trade background.",
                  no_args_is_help=True)

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


@app.command("extract")
def docs_extract(
    files: Annotated[list[Path], typer.Argument(help="PDF, 数电 XML or image files")],
    as_json: Annotated[bool, typer.Option("--json", help="print the extracted documents as JSON")] = False,
    llm: Annotated[bool | None, typer.Option("--llm/--no-llm", help="let a configured LLM fill gaps")] = None,
) -> None:
    """Extract contract/invoice elements with provenance and validate them (a bad file fails alone)."""
    from xiaoyin.credit.documents import service

    with doc_progress() as progress:
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


@app.command("verify")
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
        with doc_progress() as progress:
            task = progress.add_task("抽取与校验 extract + validate", total=None)
            report = service.verify_application(
                application, application_no=application_no, rules_path=rules, user=user,
                observer=lambda _n, done, total: progress.update(task, completed=done, total=total))
    except XiaoyinError as e:
        raise fail(e) from None
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


@app.command("show")
def docs_show(application_no: str, version: Annotated[int | None, typer.Option("--version")] = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a stored verification report."""
    from xiaoyin.credit.documents import service

    try:
        report = service.get_application(application_no, version)
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        _print_report(report)


@app.command("list")
def docs_list(limit: Annotated[int, typer.Option("--limit")] = 50) -> None:
    """List verified applications (latest version of each)."""
    from xiaoyin.credit.documents import service

    table = Table("申请 application", "版本 v", "结论 verdict", "借款人 borrower", "文件 docs", "红旗 red flags")
    for a in service.list_applications(limit):
        table.add_row(escape(a.application_no), str(a.version), VERDICT_LABEL[a.verdict], escape(a.borrower or ""),
                      str(a.documents), escape(", ".join(a.red_flags)))
    console.print(table)


@app.command("rules")
def docs_rules(path: Annotated[Path | None, typer.Argument(help="a rule file to check")] = None) -> None:
    """Check and list a red-flag rule set (the bundled one by default)."""
    from xiaoyin.credit.documents import service

    try:
        rs = service.get_rules(path)
    except XiaoyinError as e:
        raise fail(e) from None
    table = Table("规则 rule", "检查 check", "严重程度 severity", "启用 on", "参数 params", title=escape(rs.name))
    for r in rs.rules:
        table.add_row(escape(r.id), r.check, r.severity.value, "✓" if r.enabled else "✗",
                      escape(json.dumps(r.params, ensure_ascii=False, default=str)) if r.params else "")
    console.print(table)
    console.print(f"[dim]{escape(rs.source)}[/]")


@app.command("synth")
def docs_synth(
    out: Annotated[Path, typer.Option("--out", help="output folder")],
    applications: Annotated[int, typer.Option("--applications", "-n")] = 12,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    kinds: Annotated[str, typer.Option("--kinds", help="text,xml,scan")] = "text,xml,scan",
) -> None:
    """Generate synthetic applications (contracts, invoices, delivery notes, receipts) with ground truth."""
    from xiaoyin.credit.documents import service

    try:
        manifest = service.generate_samples(out, applications=applications, seed=seed, kinds=split_csv(kinds))
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(manifest)
