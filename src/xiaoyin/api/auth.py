"""Sign-in, sign-out, the current user, and administration of users, branches, departments, tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from xiaoyin.api.deps import SESSION_COOKIE, CurrentPrincipal, client_ip
from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.principal import Permission, Principal, Role
from xiaoyin.core.settings import get_settings

router = APIRouter(prefix="/api", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=256)


class Me(BaseModel):
    username: str
    display_name: str | None
    roles: list[Role]
    permissions: list[str]
    branch: str | None
    department: str | None
    via: str
    csrf_token: str | None = Field(None, description="send it back in X-CSRF-Token on changing requests")


class UserCreate(BaseModel):
    username: str = Field(..., max_length=64)
    password: str | None = Field(None, max_length=256)
    roles: list[str] = Field(default_factory=lambda: ["staff"], max_length=6)
    branch: str | None = None
    department: str | None = None
    display_name: str | None = Field(None, max_length=200)
    source: str = Field("local", pattern="^(local|ldap)$")


class UserUpdate(BaseModel):
    roles: list[str] | None = Field(None, max_length=6)
    branch: str | None = None
    department: str | None = None
    display_name: str | None = Field(None, max_length=200)
    active: bool | None = None
    unlock: bool = False


class PasswordIn(BaseModel):
    password: str = Field(..., max_length=256)


class BranchIn(BaseModel):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    parent: str | None = None


class DepartmentIn(BaseModel):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)


class TokenIn(BaseModel):
    username: str | None = Field(None, description="default: yourself")
    name: str = Field(..., max_length=100)
    expires_days: int | None = Field(365, ge=1, le=3650)


class Ok(BaseModel):
    ok: bool = True
    expires_at: datetime | None = None


def _me(p: Principal, csrf: str | None) -> Me:
    return Me(username=p.username, display_name=p.display_name, roles=sorted(p.roles),
              permissions=sorted(x.value for x in p.permissions), branch=p.branch, department=p.department,
              via=p.via, csrf_token=csrf)


@router.post("/auth/login", response_model=Me)
async def login(body: LoginIn, request: Request, response: Response) -> Me:
    """Check the password and start a browser session (HttpOnly, SameSite=Strict cookie)."""
    principal = await run_in_threadpool(auth.authenticate, body.username, body.password, ip=client_ip(request))
    ticket = await run_in_threadpool(auth.create_session, principal, ip=client_ip(request),
                                     user_agent=request.headers.get("user-agent"))
    response.set_cookie(SESSION_COOKIE, ticket.session_id, httponly=True, samesite="strict",
                        secure=get_settings().auth.cookie_secure, path="/",
                        max_age=int(get_settings().auth.session_absolute_hours * 3600))
    return _me(principal, ticket.csrf_token)


@router.post("/auth/logout", response_model=Ok)
async def logout(principal: CurrentPrincipal, request: Request, response: Response) -> Ok:
    if sid := request.cookies.get(SESSION_COOKIE):
        await run_in_threadpool(auth.end_session, sid)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Ok()


@router.get("/auth/me", response_model=Me)
def me(principal: CurrentPrincipal, request: Request) -> Me:
    return _me(principal, getattr(request.state, "csrf_token", None))


@router.get("/admin/users", response_model=list[auth.UserInfo])
def list_users(principal: CurrentPrincipal) -> list[auth.UserInfo]:
    return auth.list_users(principal)


@router.post("/admin/users", response_model=auth.UserInfo, status_code=201)
def create_user(body: UserCreate, principal: CurrentPrincipal) -> auth.UserInfo:
    return auth.create_user(principal, body.username, body.password, roles=body.roles, branch=body.branch,
                            department=body.department, display_name=body.display_name, source=body.source)


@router.patch("/admin/users/{username}", response_model=auth.UserInfo)
def update_user(username: str, body: UserUpdate, principal: CurrentPrincipal) -> auth.UserInfo:
    return auth.update_user(principal, username, roles=body.roles, branch=body.branch,
                            department=body.department, display_name=body.display_name, active=body.active,
                            unlock=body.unlock)


@router.post("/admin/users/{username}/password", response_model=Ok)
def set_password(username: str, body: PasswordIn, principal: CurrentPrincipal) -> Ok:
    auth.set_password(principal, username, body.password)
    return Ok()


@router.get("/admin/branches", response_model=list[auth.BranchInfo])
def list_branches(principal: CurrentPrincipal) -> list[auth.BranchInfo]:
    """The branch tree (for administrators and for knowledge managers choosing who may see a document)."""
    if not principal.has(Permission.KB_MANAGE):
        principal.require(Permission.USERS_MANAGE)
    return auth.list_branches()


@router.post("/admin/branches", response_model=auth.BranchInfo, status_code=201)
def create_branch(body: BranchIn, principal: CurrentPrincipal) -> auth.BranchInfo:
    return auth.create_branch(principal, body.code, body.name, body.parent)


@router.get("/admin/departments", response_model=list[auth.DepartmentInfo])
def list_departments(principal: CurrentPrincipal) -> list[auth.DepartmentInfo]:
    if not principal.has(Permission.KB_MANAGE):
        principal.require(Permission.USERS_MANAGE)
    return auth.list_departments()


@router.post("/admin/departments", response_model=auth.DepartmentInfo, status_code=201)
def create_department(body: DepartmentIn, principal: CurrentPrincipal) -> auth.DepartmentInfo:
    return auth.create_department(principal, body.code, body.name)


@router.get("/auth/tokens", response_model=list[auth.TokenInfo])
def list_tokens(principal: CurrentPrincipal, username: str | None = None) -> list[auth.TokenInfo]:
    return auth.list_tokens(principal, username or principal.username)


@router.post("/auth/tokens", response_model=auth.TokenIssued, status_code=201)
def create_token(body: TokenIn, principal: CurrentPrincipal) -> auth.TokenIssued:
    return auth.create_token(principal, body.username or principal.username, body.name,
                             expires_days=body.expires_days)


@router.delete("/auth/tokens/{token_id}", response_model=Ok)
def revoke_token(token_id: int, principal: CurrentPrincipal) -> Ok:
    auth.revoke_token(principal, token_id)
    return Ok()
