"""``xiaoyin demo``: load the demo knowledge base and a few verified credit applications."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xiaoyin.cli.common import console, doc_progress, err, set_acting
from xiaoyin.cli.kb import kb_ingest

#: sign-in accounts of the demo (one per role); the password is for a demo on one machine only
DEMO_PASSWORD = "Xiaoyin@demo1"
DEMO_USERS = (
    ("admin", "admin", "HQ", None, "系统管理员"),
    ("km", "knowledge_manager", "HQ", "office", "知识库管理员"),
    ("officer", "credit_officer", "SZ", "credit", "苏州分行客户经理"),
    ("risk", "risk_manager", "HQ", "risk", "风险经理"),
    ("auditor", "auditor", "HQ", "audit", "审计员"),
    ("staff", "staff", "WX", None, "无锡分行柜员"),
)


def demo(
    path: Annotated[Path, typer.Option(help="folder of demo documents")] = Path("samples/demo"),
    kb: Annotated[str, typer.Option("--kb")] = "demo",
) -> None:
    """Load the demo knowledge base (idempotent): every document in PATH but its README and question set;
    a small bank (head office, two branches), one user per role, and verified credit applications."""
    set_acting(None, True)  # the operator loads the demo
    files = [p for p in sorted(path.iterdir()) if p.is_file() and p.name != "README.md" and p.suffix != ".jsonl"]
    if not files:
        err.print(f"[red]没有演示文档 / no demo documents in {path}[/]")
        raise typer.Exit(2)
    kb_ingest(files, kb=kb, tag=["demo"], doc_date=None, create=True, as_json=False)
    _demo_credit_documents()
    _demo_users()


def _demo_users() -> None:
    """The demo bank's branches, departments and one account per role (idempotent)."""
    from xiaoyin.core.auth import service as auth
    from xiaoyin.core.auth.principal import Principal

    operator = Principal.local_operator(admin=True)
    branches = {b.code for b in auth.list_branches()}
    for code, name, parent in (("HQ", "青禾银行总行", None), ("SZ", "苏州分行", "HQ"), ("WX", "无锡分行", "HQ")):
        if code not in branches:
            auth.create_branch(operator, code, name, parent)
    departments = {d.code for d in auth.list_departments()}
    for code, name in (("office", "办公室"), ("credit", "授信审批部"), ("risk", "风险管理部"), ("audit", "审计部")):
        if code not in departments:
            auth.create_department(operator, code, name)
    existing = {u.username for u in auth.list_users(operator)}
    for username, role, branch, dept, display in DEMO_USERS:
        if username not in existing:
            auth.create_user(operator, username, DEMO_PASSWORD, roles=[role], branch=branch, department=dept,
                             display_name=display)
    console.print(f"演示账号 demo accounts: {', '.join(u[0] for u in DEMO_USERS)} — 密码 password "
                  f"{DEMO_PASSWORD} (仅供演示 / demo only: create real accounts with `xiaoyin admin create`)",
                  highlight=False, markup=False, soft_wrap=True)


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
