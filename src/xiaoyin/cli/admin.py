"""``xiaoyin admin``: the first administrator, users, branches, departments and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from xiaoyin.cli.common import acting, console, fail, print_json, split_csv
from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.principal import Principal
from xiaoyin.core.errors import XiaoyinError

app = typer.Typer(help="用户与机构 / users, roles, branches, API tokens.", no_args_is_help=True)

_PASSWORD_HELP = "password (default: asked twice, not echoed; never put real passwords in shell history)"


def _password(value: str | None) -> str:
    return value if value is not None else typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)


@app.command("create")
def create_admin(
    username: Annotated[str, typer.Argument(help="the administrator's user name")],
    password: Annotated[str | None, typer.Option("--password", help=_PASSWORD_HELP)] = None,
    display_name: Annotated[str | None, typer.Option("--name", help="display name, e.g. 王主管")] = None,
) -> None:
    """Create an administrator. Run on the server by its operator (who owns the data directory);
    recorded in the audit trail as done by the operating-system user."""
    operator = Principal.local_operator(admin=True)
    try:
        info = auth.create_user(operator, username, _password(password), roles=["admin"], display_name=display_name)
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已创建管理员 administrator created: {info.username}", highlight=False, markup=False)


@app.command("user-add")
def user_add(
    username: Annotated[str, typer.Argument()],
    roles: Annotated[str, typer.Option("--roles", help="comma-separated: admin, knowledge_manager, "
                                       "credit_officer, risk_manager, auditor, staff")] = "staff",
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    department: Annotated[str | None, typer.Option("--department")] = None,
    display_name: Annotated[str | None, typer.Option("--name")] = None,
    ldap: Annotated[bool, typer.Option("--ldap", help="the directory checks the password")] = False,
    password: Annotated[str | None, typer.Option("--password", help=_PASSWORD_HELP)] = None,
) -> None:
    """Add a user (needs users.manage: run with --user ADMIN, or --admin as the server's operator)."""
    try:
        info = auth.create_user(acting(), username, None if ldap else _password(password), roles=split_csv(roles),
                                branch=branch, department=department, display_name=display_name,
                                source="ldap" if ldap else "local")
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已创建用户 user created: {info.username} ({', '.join(info.roles)})", highlight=False, markup=False)


@app.command("user-update")
def user_update(
    username: Annotated[str, typer.Argument()],
    roles: Annotated[str | None, typer.Option("--roles")] = None,
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    department: Annotated[str | None, typer.Option("--department")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    unlock: Annotated[bool, typer.Option("--unlock")] = False,
) -> None:
    """Change a user's roles, branch, department or state; unlock a locked account."""
    try:
        info = auth.update_user(acting(), username, roles=split_csv(roles) if roles is not None else None,
                                branch=branch, department=department, active=active, unlock=unlock)
    except XiaoyinError as e:
        raise fail(e) from None
    print_json(info.model_dump(mode="json"))


@app.command("users")
def users(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users."""
    try:
        rows = auth.list_users(acting())
    except XiaoyinError as e:
        raise fail(e) from None
    if as_json:
        print_json([u.model_dump(mode="json") for u in rows])
        return
    t = Table("用户 user", "姓名 name", "角色 roles", "机构 branch", "部门 dept", "状态 state")
    for u in rows:
        state = "停用 inactive" if not u.active else ("锁定 locked" if u.locked_until else "正常 active")
        t.add_row(u.username, u.display_name or "", ", ".join(u.roles), u.branch or "", u.department or "", state)
    console.print(t)


@app.command("branch-add")
def branch_add(code: Annotated[str, typer.Argument()], name: Annotated[str, typer.Argument()],
               parent: Annotated[str | None, typer.Option("--parent")] = None) -> None:
    """Add a branch (under --parent; none: the head office)."""
    try:
        auth.create_branch(acting(), code, name, parent)
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已添加机构 branch added: {code}", highlight=False, markup=False)


@app.command("department-add")
def department_add(code: Annotated[str, typer.Argument()], name: Annotated[str, typer.Argument()]) -> None:
    """Add a department."""
    try:
        auth.create_department(acting(), code, name)
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已添加部门 department added: {code}", highlight=False, markup=False)


@app.command("token-create")
def token_create(
    username: Annotated[str, typer.Argument(help="the user the token acts as")],
    name: Annotated[str, typer.Option("--name", help="what the token is for, e.g. core-banking")],
    days: Annotated[int, typer.Option("--days", help="valid this many days (0: no expiry)")] = 365,
) -> None:
    """Issue an API token; it is printed once and never stored."""
    try:
        issued = auth.create_token(acting(), username, name, expires_days=days or None)
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(issued.token, highlight=False, markup=False, soft_wrap=True)


@app.command("token-revoke")
def token_revoke(token_id: Annotated[int, typer.Argument()]) -> None:
    """Revoke an API token by its id."""
    try:
        auth.revoke_token(acting(), token_id)
    except XiaoyinError as e:
        raise fail(e) from None
    console.print(f"已撤销 revoked: {token_id}", highlight=False, markup=False)
