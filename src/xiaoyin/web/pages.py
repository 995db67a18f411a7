"""Page routes: resolve the session, pick the language, render a shell with its data block.

Pages hold no business logic: each renders ``base.html`` plus a small template and names one script
under ``static/`` that talks to ``/api/...``. Data reaches the script through a
``<script type="application/json">`` block (the Content-Security-Policy forbids inline scripts).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from xiaoyin import __version__
from xiaoyin.api.deps import SESSION_COOKIE
from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.principal import Permission, Principal, Role
from xiaoyin.core.errors import Unauthenticated
from xiaoyin.core.settings import get_settings
from xiaoyin.web.i18n import DEFAULT_LANG, LANGS, STRINGS

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_URL = "/static"
LANG_COOKIE = "lang"

#: only this server: no inline script or style, no other host, no framing
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # pages carry the session's CSRF token
}

#: (path, string key, permission needed) in header order
NAV: list[tuple[str, str, Permission]] = [
    ("/", "nav_assistant", Permission.KB_READ),
    ("/kb", "nav_kb", Permission.KB_MANAGE),
    ("/review", "nav_review", Permission.DOCS_REVIEW),
    ("/credit", "nav_credit", Permission.RISK_READ),
    ("/audit", "nav_audit", Permission.AUDIT_READ),
    ("/admin/users", "nav_users", Permission.USERS_MANAGE),
]

router = APIRouter(include_in_schema=False)
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                   lstrip_blocks=True)
_env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # still escapes < > & '


class _Static(StaticFiles):
    """Static files with ``nosniff`` and revalidation (assets change with each release)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        resp = await super().get_response(path, scope)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers.setdefault("Cache-Control", "no-cache")
        return resp


def static_files() -> StaticFiles:
    return _Static(directory=STATIC_DIR)


def safe_next(value: str | None) -> str:
    """A post-login target: a path on this site only (no scheme, host, ``//`` or backslash tricks)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(c in value for c in "\\\r\n\t\x00") or any(ord(c) < 32 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/login"):
        return "/"
    return value


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGS else DEFAULT_LANG


def _session(request: Request) -> tuple[Principal, str] | None:
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    try:
        return auth.session_principal(sid)
    except Unauthenticated:
        return None


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _lang_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())


def _render(request: Request, template: str, *, title_key: str, lang: str, session: tuple[Principal, str] | None,
            script: str | None = None, page: dict[str, Any] | None = None, status: int = 200,
            **context: Any) -> HTMLResponse:
    strings = STRINGS[lang]
    principal, csrf = session if session else (None, None)
    user = None
    nav = []
    if principal is not None:
        user = {"username": principal.username, "display_name": principal.display_name,
                "roles": sorted(r.value for r in principal.roles),
                "permissions": sorted(p.value for p in principal.permissions)}
        nav = [{"href": href, "label": strings[key], "current": request.url.path == href}
               for href, key, perm in NAV if principal.has(perm)]
    other = "en" if lang == "zh" else "zh"
    html = _env.get_template(template).render(
        t=strings, lang=lang, html_lang="zh-CN" if lang == "zh" else "en", title=strings[title_key],
        user=user, nav=nav, csrf_token=csrf, script=script, version=__version__,
        lang_url=_lang_url(request, other), lang_other=strings["lang_other"],
        data={"lang": lang, "strings": strings, "user": user, "page": page or {}}, **context)
    resp = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/",
                        secure=get_settings().auth.cookie_secure)
    return resp


def _page(request: Request, template: str, title_key: str, permission: Permission, script: str,
          page: dict[str, Any] | Callable[[Principal], dict[str, Any]] | None = None) -> Response:
    """A signed-in page: to the login page without a live session, a 403 page without the permission.

    ``page``: the script's data, or a function of the signed-in principal that makes it."""
    session = _session(request)
    if session is None:
        return RedirectResponse("/login?next=" + quote(_here(request), safe="/"), status_code=303,
                                headers=SECURITY_HEADERS)
    lang = _lang(request)
    if not session[0].has(permission):
        return _render(request, "forbidden.html", title_key="forbidden_title", lang=lang, session=session,
                       status=403, permission=permission.value)
    data = page(session[0]) if callable(page) else page
    return _render(request, template, title_key=title_key, lang=lang, session=session, script=script, page=data)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    target = safe_next(next)
    if _session(request) is not None:
        return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    return _render(request, "login.html", title_key="login_title", lang=_lang(request), session=None,
                   script="login.js", page={"next": target})


@router.get("/")
def assistant_page(request: Request) -> Response:
    return _page(request, "assistant.html", "assistant_title", Permission.KB_READ, "assistant.js")


def _kb_data(principal: Principal) -> dict[str, Any]:
    """What the permissions dialog needs: the roles to grant, and whom the signed-in user's own view
    depends on (to warn before a change hides a document from them)."""
    return {"roles": [r.value for r in Role], "acl_tags": sorted(principal.acl_tags()),
            "sees_all": principal.sees_all_documents}


@router.get("/kb")
def kb_page(request: Request) -> Response:
    return _page(request, "kb.html", "kb_title", Permission.KB_MANAGE, "kb.js", page=_kb_data)


@router.get("/review")
def review_page(request: Request) -> Response:
    return _page(request, "review.html", "review_title", Permission.DOCS_REVIEW, "review.js")


@router.get("/credit")
def credit_page(request: Request) -> Response:
    """Lists need ``risk.read``; the decision form shows only with ``credit.decide``."""
    return _page(request, "credit.html", "credit_title", Permission.RISK_READ, "credit.js")


@router.get("/audit")
def audit_page(request: Request) -> Response:
    return _page(request, "audit.html", "audit_title", Permission.AUDIT_READ, "audit.js")


@router.get("/admin/users")
def users_page(request: Request) -> Response:
    return _page(request, "users.html", "users_title", Permission.USERS_MANAGE, "users.js",
                 page={"roles": [r.value for r in Role],
                       "min_password_length": get_settings().auth.min_password_length})
