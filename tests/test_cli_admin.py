"""``xiaoyin admin`` and ``xiaoyin audit`` through the real Typer app: the first administrator, users
acting with their own roles, and an audit trail whose tampering the verify command reports."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from sqlalchemy import update
from typer.testing import CliRunner

from xiaoyin.cli import app
from xiaoyin.core.audit.store import AuditEvent
from xiaoyin.core.db import session_scope

PW = "Admin#2026pass"


def _run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def test_first_admin_then_users_as_that_admin(home: Path) -> None:
    r = _run("admin", "create", "boss", "--password", PW, "--name", "王主管")
    assert r.exit_code == 0, r.output
    r = _run("--user", "boss", "admin", "branch-add", "HQ", "总行")
    assert r.exit_code == 0, r.output
    r = _run("--user", "boss", "admin", "user-add", "li", "--roles", "auditor,staff", "--branch", "HQ",
             "--password", "Audit#2026pass")
    assert r.exit_code == 0, r.output
    r = _run("--user", "boss", "admin", "users", "--json")
    assert '"username": "li"' in r.output and '"auditor"' in r.output
    # a staff user may not add users: a clear error, exit code 2
    r = _run("--user", "li", "admin", "user-add", "evil", "--roles", "admin", "--password", "Evil#2026pass")
    assert r.exit_code == 2 and "forbidden" in r.output
    # an unknown --user is an error, not a silent fallback
    r = _run("--user", "ghost", "admin", "users")
    assert r.exit_code == 2 and "not_found" in r.output


def test_password_prompt_and_weak_password(home: Path) -> None:
    r = _run("admin", "create", "boss", input=f"{PW}\n{PW}\n")
    assert r.exit_code == 0, r.output
    r = _run("admin", "create", "boss2", "--password", "short")
    assert r.exit_code == 2 and "invalid_input" in r.output


def test_audit_list_export_and_verify_reports_first_altered(home: Path, tmp_path: Path) -> None:
    _run("admin", "create", "boss", "--password", PW)
    _run("--user", "boss", "admin", "branch-add", "HQ", "总行")
    _run("--user", "boss", "admin", "department-add", "risk", "风险管理部")
    r = _run("audit", "verify")
    assert r.exit_code == 0 and "intact" in r.output
    r = _run("--user", "boss", "audit", "list", "--json")
    assert r.exit_code == 0 and '"auth.branch_create"' in r.output
    out = tmp_path / "audit.csv"
    assert _run("--user", "boss", "audit", "export", str(out)).exit_code == 0
    assert "auth.department_create" in out.read_text(encoding="utf-8")
    with session_scope() as s:
        s.execute(update(AuditEvent).where(AuditEvent.action == "auth.branch_create").values(target="XX"))
    r = _run("audit", "verify")
    assert r.exit_code == 1 and "first bad entry 1" in r.output
