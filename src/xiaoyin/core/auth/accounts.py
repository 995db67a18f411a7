"""Branches, departments and users: what administrators manage. Every change is audited."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import check_code
from xiaoyin.core.auth.passwords import check_policy, hash_password
from xiaoyin.core.auth.principal import Permission, Principal, Role, parse_roles
from xiaoyin.core.auth.store import ApiToken, Branch, Department, User, WebSession
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import AlreadyExists, InvalidInput, NotFound
from xiaoyin.core.settings import get_settings


class BranchInfo(BaseModel):
    code: str
    name: str
    parent_code: str | None


class DepartmentInfo(BaseModel):
    code: str
    name: str


class UserInfo(BaseModel):
    """A user as administrators see it (never the password hash)."""

    username: str
    display_name: str | None
    roles: list[Role]
    branch: str | None
    department: str | None
    source: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


def _user_info(u: User) -> UserInfo:
    return UserInfo(username=u.username, display_name=u.display_name, roles=sorted(parse_roles(u.roles or [])),
                    branch=u.branch_code, department=u.department_code, source=u.source, active=u.active,
                    locked_until=u.locked_until, last_login_at=u.last_login_at, created_at=u.created_at)


# ---------------------------------------------------------------------------------------- organisation


def create_branch(by: Principal, code: str, name: str, parent: str | None = None) -> BranchInfo:
    """Add a branch under ``parent`` (None: the head office, the root)."""
    by.require(Permission.USERS_MANAGE)
    code = check_code(code, "机构代码 / branch code")
    if not name.strip():
        raise InvalidInput("机构名称不能为空 / the branch name is empty")
    with session_scope() as s:
        if s.get(Branch, code):
            raise AlreadyExists(f"机构 {code} 已存在 / branch {code} exists")
        if parent is not None and not s.get(Branch, parent):
            raise NotFound(f"上级机构 {parent} 不存在 / parent branch {parent} does not exist")
        s.add(Branch(code=code, name=name.strip(), parent_code=parent))
        audit.record(by, "auth.branch_create", target=code, details={"name": name, "parent": parent}, session=s)
    return BranchInfo(code=code, name=name.strip(), parent_code=parent)


def list_branches() -> list[BranchInfo]:
    with session_scope() as s:
        return [BranchInfo(code=b.code, name=b.name, parent_code=b.parent_code)
                for b in s.scalars(select(Branch).order_by(Branch.code))]


def create_department(by: Principal, code: str, name: str) -> DepartmentInfo:
    by.require(Permission.USERS_MANAGE)
    code = check_code(code, "部门代码 / department code")
    if not name.strip():
        raise InvalidInput("部门名称不能为空 / the department name is empty")
    with session_scope() as s:
        if s.get(Department, code):
            raise AlreadyExists(f"部门 {code} 已存在 / department {code} exists")
        s.add(Department(code=code, name=name.strip()))
        audit.record(by, "auth.department_create", target=code, details={"name": name}, session=s)
    return DepartmentInfo(code=code, name=name.strip())


def list_departments() -> list[DepartmentInfo]:
    with session_scope() as s:
        return [DepartmentInfo(code=d.code, name=d.name) for d in s.scalars(select(Department).order_by(Department.code))]


def branch_path(s: Session, code: str | None) -> tuple[str, ...]:
    """The branch and its parents, nearest first (cycles and depth are bounded)."""
    path: list[str] = []
    while code and code not in path and len(path) < 32:
        path.append(code)
        b = s.get(Branch, code)
        code = b.parent_code if b else None
    return tuple(path)


# ---------------------------------------------------------------------------------------------- users


def _check_org(s: Session, branch: str | None, department: str | None) -> None:
    if branch is not None and not s.get(Branch, branch):
        raise NotFound(f"机构 {branch} 不存在 / branch {branch} does not exist")
    if department is not None and not s.get(Department, department):
        raise NotFound(f"部门 {department} 不存在 / department {department} does not exist")


def _get_user(s: Session, username: str) -> User:
    u = s.scalar(select(User).where(User.username == username))
    if u is None:
        raise NotFound(f"用户 {username} 不存在 / user {username} does not exist")
    return u


def create_user(by: Principal, username: str, password: str | None, *, roles: list[str] | None = None,
                branch: str | None = None, department: str | None = None, display_name: str | None = None,
                source: str = "local") -> UserInfo:
    """A new account. Local accounts need a password that passes the policy; LDAP accounts have none
    here (their password is checked by the directory)."""
    by.require(Permission.USERS_MANAGE)
    username = check_code(username, "用户名 / user name")
    role_set = parse_roles(roles or [Role.STAFF.value])
    if source not in ("local", "ldap"):
        raise InvalidInput(f"unknown account source {source!r} (local or ldap)")
    if source == "local":
        check_policy(password or "", username=username, min_length=get_settings().auth.min_password_length)
    with session_scope() as s:
        if s.scalar(select(User).where(User.username == username)):
            raise AlreadyExists(f"用户 {username} 已存在 / user {username} exists")
        _check_org(s, branch, department)
        u = User(username=username, display_name=display_name, source=source,
                 password_hash=hash_password(password) if source == "local" and password else None,
                 roles=sorted(r.value for r in role_set), branch_code=branch, department_code=department,
                 password_changed_at=utcnow(), created_by=by.username)
        s.add(u)
        s.flush()
        audit.record(by, "auth.user_create", target=username, session=s,
                     details={"roles": u.roles, "branch": branch, "department": department, "source": source})
        return _user_info(u)


def update_user(by: Principal, username: str, *, roles: list[str] | None = None, branch: str | None = None,
                department: str | None = None, display_name: str | None = None, active: bool | None = None,
                unlock: bool = False) -> UserInfo:
    """Change roles, branch, department, name, active flag, or unlock; ends the user's sessions when
    their permissions change."""
    by.require(Permission.USERS_MANAGE)
    with session_scope() as s:
        u = _get_user(s, username)
        before = _user_info(u).model_dump(mode="json", include={"roles", "branch", "department", "active"})
        _check_org(s, branch, department)
        if roles is not None:
            new_roles = sorted(r.value for r in parse_roles(roles))
            if u.username == by.username and Role.ADMIN.value in (u.roles or []) and Role.ADMIN.value not in new_roles:
                raise InvalidInput("不能撤销自己的管理员角色 / you cannot remove your own admin role")
            u.roles = new_roles
        if branch is not None:
            u.branch_code = branch
        if department is not None:
            u.department_code = department
        if display_name is not None:
            u.display_name = display_name
        if active is not None:
            if u.username == by.username and not active:
                raise InvalidInput("不能停用自己的账号 / you cannot deactivate your own account")
            u.active = active
        if unlock:
            u.failed_logins, u.locked_until = 0, None
        after = _user_info(u).model_dump(mode="json", include={"roles", "branch", "department", "active"})
        if after != before:
            _end_sessions(s, u.id)
        audit.record(by, "auth.user_update", target=username, session=s,
                     details={"before": before, "after": after, "unlock": unlock})
        return _user_info(u)


def set_password(by: Principal, username: str, new_password: str) -> None:
    """An administrator resets a password, or a user changes their own; all their sessions end."""
    if by.username != username:
        by.require(Permission.USERS_MANAGE)
    check_policy(new_password, username=username, min_length=get_settings().auth.min_password_length)
    with session_scope() as s:
        u = _get_user(s, username)
        if u.source != "local":
            raise InvalidInput(f"{username} signs in through LDAP; change the password in the directory")
        u.password_hash = hash_password(new_password)
        u.password_changed_at = utcnow()
        u.failed_logins, u.locked_until = 0, None
        _end_sessions(s, u.id)
        audit.record(by, "auth.password_set", target=username, session=s)


def _end_sessions(s: Session, user_id: int) -> None:
    now = utcnow()
    for ws in s.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))):
        ws.revoked_at = now


def list_users(by: Principal) -> list[UserInfo]:
    by.require(Permission.USERS_MANAGE)
    with session_scope() as s:
        return [_user_info(u) for u in s.scalars(select(User).order_by(User.username))]


def count_users() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(User)) or 0


def principal_of(s: Session, u: User, via: str) -> Principal:
    """The principal a user row acts as."""
    return Principal(username=u.username, roles=parse_roles(u.roles or []), branch=u.branch_code,
                     branch_path=branch_path(s, u.branch_code), department=u.department_code,
                     display_name=u.display_name, user_id=u.id, via=via)  # type: ignore[arg-type]


def principal_for(username: str, *, via: str = "cli") -> Principal:
    """The principal of a named, active user (the CLI's ``--user``)."""
    with session_scope() as s:
        u = _get_user(s, username)
        if not u.active:
            raise InvalidInput(f"用户 {username} 已停用 / user {username} is deactivated")
        return principal_of(s, u, via)


def revoke_tokens_of(s: Session, user_id: int) -> None:
    now = utcnow()
    for t in s.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))):
        t.revoked_at = now
