"""Request authentication: the one place a request becomes a :class:`Principal`.

A service client sends ``Authorization: Bearer xy_…``; a browser sends the ``xiaoyin_session`` cookie
and, on every request that changes state, the session's CSRF token in ``X-CSRF-Token`` (or a
``csrf_token`` form field for plain HTML forms). Routes declare ``principal: CurrentPrincipal``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.errors import Forbidden, Unauthenticated
from xiaoyin.core.settings import get_settings

SESSION_COOKIE = "xiaoyin_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _csrf_from(request: Request) -> str | None:
    presented = request.headers.get(CSRF_HEADER)
    if presented:
        return presented
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def current_principal(request: Request) -> Principal:
    """Resolve the caller once per request (cached on ``request.state``)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization 头格式应为 Bearer <令牌> / use 'Authorization: Bearer <token>'")
        principal = await run_in_threadpool(auth.token_principal, token.strip())
    elif sid := request.cookies.get(SESSION_COOKIE):
        principal, csrf = await run_in_threadpool(auth.session_principal, sid)
        if request.method not in SAFE_METHODS and not auth.check_csrf(csrf, await _csrf_from(request)):
            raise Forbidden("CSRF 校验失败，请刷新页面后重试 / missing or wrong CSRF token", reason="csrf")
        request.state.csrf_token = csrf
    elif not get_settings().auth.required:
        principal = Principal("desk", roles=frozenset({Role.ADMIN}), via="system")
    else:
        raise Unauthenticated("请先登录 / sign in or send an API token")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
