"""Signing in: password checks with lock-out and per-address rate limiting, web sessions with CSRF
tokens, and API tokens for service clients."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth import ldap as directory
from xiaoyin.core.auth.accounts import _get_user, principal_of
from xiaoyin.core.auth.passwords import verify_password
from xiaoyin.core.auth.principal import Permission, Principal
from xiaoyin.core.auth.store import ApiToken, LoginAttempt, User, WebSession
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import AccountLocked, InvalidInput, NotFound, TooManyAttempts, Unauthenticated
from xiaoyin.core.settings import get_settings

TOKEN_PREFIX = "xy_"
_BAD_LOGIN = "用户名或密码错误 / wrong user name or password"


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class SessionTicket(BaseModel):
    """Handed to the browser once: the session id goes in an HttpOnly cookie, the CSRF token in pages."""

    session_id: str
    csrf_token: str
    expires_at: datetime
    principal_username: str


class TokenIssued(BaseModel):
    """A new API token; ``token`` is shown once and never stored."""

    id: int
    name: str
    token: str
    prefix: str
    expires_at: datetime | None


class TokenInfo(BaseModel):
    id: int
    name: str
    username: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


def authenticate(username: str, password: str, *, ip: str = "local") -> Principal:
    """Check a password. Raises :class:`Unauthenticated` (wrong name or password, never saying which),
    :class:`AccountLocked` after too many failures in a row, :class:`TooManyAttempts` when one address
    tries too fast. Empty passwords are refused before anything else (no anonymous LDAP bind)."""
    cfg = get_settings().auth
    username = (username or "").strip()
    if not username or not password or not password.strip():
        raise Unauthenticated("请输入用户名和密码 / user name and password are required")
    now = utcnow()
    failure: Exception | None = None
    with session_scope() as s:  # attempts and failure counts are committed before the error is raised
        recent = s.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= now - timedelta(minutes=1))) or 0
        if recent >= cfg.ip_attempts_per_minute:
            raise TooManyAttempts("登录尝试过于频繁，请稍后再试 / too many login attempts from this address; "
                                  "wait a minute")
        u = s.scalar(select(User).where(User.username == username[:64]))
        if u is not None and u.locked_until is not None and u.locked_until > now:
            s.add(LoginAttempt(username=username[:64], ip=ip[:64], ok=False, reason="locked", at=now))
            failure = AccountLocked(f"账号已锁定，请于 {u.locked_until:%H:%M} (UTC) 后重试或联系管理员 / the account "
                                    "is locked after too many failed passwords", until=u.locked_until.isoformat())
        else:
            unavailable: directory.DirectoryUnavailable | None = None
            if (u is not None and u.source == "ldap") or (u is None and directory.auto_create_applies(username)):
                try:
                    account = _ldap_bind(username, password)
                except directory.DirectoryUnavailable as e:  # not a wrong password: no failure counted
                    account, unavailable = None, e
                ok = account is not None
                if account is not None:
                    u = directory.provision(s, u, username, account)
            else:
                ok = verify_password(password, u.password_hash if u is not None else None)
            if unavailable is not None:
                s.add(LoginAttempt(username=username[:64], ip=ip[:64], ok=False, reason="ldap_unavailable", at=now))
                failure = unavailable
            elif not ok or u is None or not u.active:
                reason = "inactive" if (ok and u is not None) else "bad_password"
                s.add(LoginAttempt(username=username[:64], ip=ip[:64], ok=False, reason=reason, at=now))
                if u is not None and not ok:
                    u.failed_logins = (u.failed_logins or 0) + 1
                    if u.failed_logins >= cfg.max_failed_logins:
                        u.locked_until = now + timedelta(minutes=cfg.lockout_minutes)
                        audit.record(principal_of(s, u, "session"), "auth.locked", target=u.username,
                                     outcome="denied", details={"ip": ip, "failures": u.failed_logins}, session=s)
                failure = Unauthenticated(_BAD_LOGIN)
            else:
                u.failed_logins, u.locked_until, u.last_login_at = 0, None, now
                s.add(LoginAttempt(username=username[:64], ip=ip[:64], ok=True, at=now))
                principal = principal_of(s, u, "session")
                audit.record(principal, "auth.login", target=u.username, details={"ip": ip}, session=s)
    if failure is not None:
        raise failure
    return principal


def _ldap_bind(username: str, password: str) -> directory.DirectoryAccount | None:
    """Directory accounts: bind as the user (:mod:`xiaoyin.core.auth.ldap`). None: wrong password or no
    such directory user; raises ``DirectoryUnavailable`` when the directory cannot answer."""
    return directory.check_password(get_settings().auth, username, password)


# ---------------------------------------------------------------------------------------------- sessions


def create_session(principal: Principal, *, ip: str | None = None, user_agent: str | None = None) -> SessionTicket:
    cfg = get_settings().auth
    if principal.user_id is None:
        raise InvalidInput("only stored users get web sessions")
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=cfg.session_hours)
    with session_scope() as s:
        s.add(WebSession(id_hash=_sha(sid), user_id=principal.user_id, csrf_token=csrf, created_at=now,
                         last_seen_at=now, expires_at=expires, ip=(ip or "")[:64], user_agent=(user_agent or "")[:255]))
    return SessionTicket(session_id=sid, csrf_token=csrf, expires_at=expires, principal_username=principal.username)


def session_principal(session_id: str) -> tuple[Principal, str]:
    """The principal and CSRF token of a live session; extends it (sliding, up to the absolute limit)."""
    cfg = get_settings().auth
    if not session_id:
        raise Unauthenticated("请先登录 / please sign in")
    now = utcnow()
    with session_scope() as s:
        ws = s.get(WebSession, _sha(session_id))
        if ws is None or ws.revoked_at is not None or ws.expires_at <= now:
            raise Unauthenticated("会话已过期，请重新登录 / the session has ended; sign in again")
        u = s.get(User, ws.user_id)
        if u is None or not u.active:
            raise Unauthenticated("账号已停用 / the account is deactivated")
        if (now - ws.last_seen_at).total_seconds() > 60:
            ws.last_seen_at = now
            ws.expires_at = min(now + timedelta(hours=cfg.session_hours),
                                ws.created_at + timedelta(hours=cfg.session_absolute_hours))
        return principal_of(s, u, "session"), ws.csrf_token


def check_csrf(expected: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(expected.encode(), (presented or "").encode())


def end_session(session_id: str) -> None:
    with session_scope() as s:
        ws = s.get(WebSession, _sha(session_id or ""))
        if ws is not None and ws.revoked_at is None:
            ws.revoked_at = utcnow()
            u = s.get(User, ws.user_id)
            if u is not None:
                audit.record(principal_of(s, u, "session"), "auth.logout", target=u.username, session=s)


# ------------------------------------------------------------------------------------------------ tokens


def create_token(by: Principal, username: str, name: str, *, expires_days: int | None = 365) -> TokenIssued:
    """A bearer token acting as ``username`` (an administrator, or the user for themself)."""
    if by.username != username:
        by.require(Permission.USERS_MANAGE)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("令牌名称须为 1–100 个字符 / the token name needs 1–100 characters")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    with session_scope() as s:
        u = _get_user(s, username)
        t = ApiToken(user_id=u.id, name=name, token_hash=_sha(token), prefix=prefix, expires_at=expires)
        s.add(t)
        s.flush()
        audit.record(by, "auth.token_create", target=username, session=s,
                     details={"token_id": t.id, "name": name, "prefix": prefix})
        return TokenIssued(id=t.id, name=name, token=token, prefix=prefix, expires_at=expires)


def token_principal(token: str) -> Principal:
    """The principal an API token acts as."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("无效的访问令牌 / invalid API token")
    now = utcnow()
    with session_scope() as s:
        t = s.scalar(select(ApiToken).where(ApiToken.token_hash == _sha(token)))
        if t is None or t.revoked_at is not None or (t.expires_at is not None and t.expires_at <= now):
            raise Unauthenticated("访问令牌无效、已撤销或已过期 / the API token is invalid, revoked or expired")
        u = s.get(User, t.user_id)
        if u is None or not u.active:
            raise Unauthenticated("账号已停用 / the account is deactivated")
        if t.last_used_at is None or (now - t.last_used_at).total_seconds() > 60:
            t.last_used_at = now
        return principal_of(s, u, "token")


def list_tokens(by: Principal, username: str | None = None) -> list[TokenInfo]:
    if username != by.username:
        by.require(Permission.USERS_MANAGE)
    with session_scope() as s:
        q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if username:
            q = q.where(User.username == username)
        return [TokenInfo(id=t.id, name=t.name, username=un, prefix=t.prefix, created_at=t.created_at,
                          expires_at=t.expires_at, last_used_at=t.last_used_at, revoked=t.revoked_at is not None)
                for t, un in s.execute(q)]


def revoke_token(by: Principal, token_id: int) -> None:
    with session_scope() as s:
        t = s.get(ApiToken, token_id)
        if t is None:
            raise NotFound(f"令牌 {token_id} 不存在 / token {token_id} does not exist")
        u = s.get(User, t.user_id)
        if u is None or u.username != by.username:
            by.require(Permission.USERS_MANAGE)
        if t.revoked_at is None:
            t.revoked_at = utcnow()
            audit.record(by, "auth.token_revoke", target=u.username if u else None, session=s,
                         details={"token_id": token_id})

