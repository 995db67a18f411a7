"""Directory sign-in: LDAP and Active Directory accounts, checked with python-ldap (OpenLDAP's libldap).

An account with ``source = 'ldap'`` has no password here; the directory checks it. Two ways to find the
entry the password is checked against (``auth`` settings):

* **direct bind** (``ldap_user_dn``): a template such as ``uid={username},ou=staff,dc=bank,dc=cn`` or
  AD's ``{username}@bank.local``; the user name is DN-escaped into it and the user binds with it;
* **search, then bind** (``ldap_search_base`` set; what AD's ``sAMAccountName`` needs): a service account
  (``ldap_bind_dn`` / ``ldap_bind_password``, or an anonymous search) looks up ``ldap_user_filter`` with the
  filter-escaped user name; exactly one entry must match, and its DN binds with the password.

An empty or blank password is refused before the server is contacted: a simple bind with a DN and no
password is an *unauthenticated* bind (RFC 4513 §5.1.2) that many directories answer with success.
A directory that cannot be reached, does not answer within ``ldap_timeout_s``, refuses the service
account or is misconfigured raises :class:`DirectoryUnavailable` (``ldap_unavailable``, HTTP 503): staff
are told to try later instead of being told their password is wrong, and no failure is counted against
the account. Passwords are never logged.

Accounts are normally created by an administrator before the first sign-in (roles, branch, department
granted up front). With ``ldap_auto_create`` a directory user without an account gets one at their first
successful sign-in. ``ldap_role_groups`` maps directory groups (``memberOf`` of the entry, plus groups
found under ``ldap_group_search_base``) to roles: the roles it names follow the directory at every
sign-in; roles it does not name stay as administrators set them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ldap
import ldap.dn
import ldap.filter
from ldap.ldapobject import LDAPObject
from sqlalchemy.orm import Session

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import check_code
from xiaoyin.core.auth.principal import Principal, Role, parse_roles
from xiaoyin.core.auth.store import User
from xiaoyin.core.errors import InvalidInput, XiaoyinError
from xiaoyin.core.settings import AuthSettings, get_settings

log = logging.getLogger(__name__)

#: the user's own bind failed: wrong password, no such entry, a disabled / locked / expired directory
#: account (AD reports those as invalid credentials with a sub-code in the diagnostic message)
_REFUSED = (ldap.INVALID_CREDENTIALS, ldap.INVALID_DN_SYNTAX, ldap.NO_SUCH_OBJECT, ldap.UNWILLING_TO_PERFORM,
            ldap.INAPPROPRIATE_AUTH)
_ENTRY_ATTRS = ["memberOf", "displayName", "cn"]
_SYSTEM = "ldap"


class DirectoryUnavailable(XiaoyinError):
    """The LDAP / AD server cannot be reached, timed out, refused the service account, or LDAP is not
    configured: not a wrong password, and not counted against the account."""

    code = "ldap_unavailable"
    http_status = 503


@dataclass(frozen=True)
class DirectoryAccount:
    """A directory entry whose password has just been checked."""

    dn: str
    display_name: str | None = None
    groups: tuple[str, ...] = ()


def _unavailable(reason: str) -> DirectoryUnavailable:
    return DirectoryUnavailable(f"目录服务（LDAP）暂不可用，请稍后再试或联系管理员 / the directory (LDAP) is "
                                f"unavailable: {reason}; try again later or ask an administrator")


def _describe(e: ldap.LDAPError) -> str:
    info = e.args[0] if e.args and isinstance(e.args[0], dict) else {}
    return str(info.get("desc") or type(e).__name__)


def _first(attrs: dict[str, list[bytes]], *names: str) -> str | None:
    lowered = {k.lower(): v for k, v in attrs.items()}
    for name in names:
        for value in lowered.get(name.lower(), []):
            text = value.decode("utf-8", "replace").strip()
            if text:
                return text
    return None


def _values(attrs: dict[str, list[bytes]], name: str) -> list[str]:
    lowered = {k.lower(): v for k, v in attrs.items()}
    return [v.decode("utf-8", "replace") for v in lowered.get(name.lower(), [])]


def normalise_dn(dn: str) -> str:
    """A DN for comparison: parsed and re-joined (spacing, escaping), lower-cased."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn.strip())).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()


def _connect(cfg: AuthSettings) -> LDAPObject:
    url = cfg.ldap_url or ""
    conn = ldap.initialize(url)
    conn.set_option(ldap.OPT_PROTOCOL_VERSION, ldap.VERSION3)
    conn.set_option(ldap.OPT_REFERRALS, 0)  # AD returns referrals that libldap would chase anonymously
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, cfg.ldap_timeout_s)
    conn.set_option(ldap.OPT_TIMEOUT, cfg.ldap_timeout_s)
    conn.timeout = cfg.ldap_timeout_s  # python-ldap's own wait for each synchronous result
    if cfg.ldap_start_tls or url.lower().startswith("ldaps://"):
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        if cfg.ldap_ca_file:
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, str(cfg.ldap_ca_file))
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    if cfg.ldap_start_tls and not url.lower().startswith("ldaps://"):
        conn.start_tls_s()
    return conn


def _find(conn: LDAPObject, cfg: AuthSettings,
          username: str) -> tuple[str, dict[str, list[bytes]]] | None:
    """Search-then-bind: the one entry the filter matches (None: none or several)."""
    if cfg.ldap_bind_dn:
        secret = cfg.ldap_bind_password.get_secret_value() if cfg.ldap_bind_password else ""
        if not secret.strip():
            raise _unavailable("ldap_bind_dn is set without ldap_bind_password")
        try:
            conn.simple_bind_s(cfg.ldap_bind_dn, secret)
        except _REFUSED as e:
            log.error("LDAP: the directory refused the service account %s (%s)", cfg.ldap_bind_dn, _describe(e))
            raise _unavailable("the directory refused the service account (ldap_bind_dn)") from None
    if "{username}" not in cfg.ldap_user_filter:
        raise _unavailable("ldap_user_filter has no {username}")
    flt = cfg.ldap_user_filter.replace("{username}", ldap.filter.escape_filter_chars(username))
    try:
        found = conn.search_ext_s(cfg.ldap_search_base, ldap.SCOPE_SUBTREE, flt, _ENTRY_ATTRS,
                                  timeout=cfg.ldap_timeout_s, sizelimit=2)
    except ldap.SIZELIMIT_EXCEEDED:
        found = [("", {}), ("", {})]
    except ldap.NO_SUCH_OBJECT:
        log.error("LDAP: the search base %s does not exist or %s may not read it", cfg.ldap_search_base,
                  cfg.ldap_bind_dn or "an anonymous search")
        raise _unavailable("the search base (ldap_search_base) cannot be read") from None
    entries = [(dn, attrs) for dn, attrs in found if dn]  # AD adds search references without a DN
    if len(entries) != 1 or len(found) > 2:
        log.info("LDAP: %d entries match %r under %s; sign-in refused", len(entries), flt, cfg.ldap_search_base)
        return None
    return entries[0]


def _groups(conn: LDAPObject, cfg: AuthSettings, username: str, dn: str,
            attrs: dict[str, list[bytes]]) -> tuple[str, ...]:
    groups = _values(attrs, "memberOf")
    if cfg.ldap_group_search_base:
        e_dn, e_name = ldap.filter.escape_filter_chars(dn), ldap.filter.escape_filter_chars(username)
        flt = f"(|(member={e_dn})(uniqueMember={e_dn})(memberUid={e_name}))"
        found = conn.search_ext_s(cfg.ldap_group_search_base, ldap.SCOPE_SUBTREE, flt, ["1.1"],
                                  timeout=cfg.ldap_timeout_s)
        groups += [g for g, _ in found if g]
    return tuple(dict.fromkeys(groups))


def check_password(cfg: AuthSettings, username: str, password: str) -> DirectoryAccount | None:
    """Bind as the user. The account on success, None for a wrong password or an unknown or ambiguous
    user; raises :class:`DirectoryUnavailable` when the directory cannot answer the question."""
    username = (username or "").strip()
    if not password or not password.strip() or "\x00" in password:
        return None  # never an unauthenticated bind: the server is not contacted at all
    if not username or len(username) > 256 or any(ord(ch) < 32 for ch in username):
        return None
    if not cfg.ldap_url:
        raise _unavailable("LDAP is not configured (auth.ldap_url)")
    if not cfg.ldap_search_base and not (cfg.ldap_user_dn and "{username}" in cfg.ldap_user_dn):
        raise _unavailable("set auth.ldap_user_dn (with {username}) or auth.ldap_search_base")
    conn = None
    try:
        conn = _connect(cfg)
        attrs: dict[str, list[bytes]] | None = None
        if cfg.ldap_search_base:
            hit = _find(conn, cfg, username)
            if hit is None:
                return None
            dn, attrs = hit
        else:
            dn = (cfg.ldap_user_dn or "").replace("{username}", ldap.dn.escape_dn_chars(username))
        try:
            conn.simple_bind_s(dn, password)
        except _REFUSED as e:
            log.info("LDAP: bind refused for %r (%s)", username, _describe(e))
            return None
        if attrs is None:  # direct bind: read the user's own entry (a UPN template names no entry)
            attrs = {}
            if ldap.dn.is_dn(dn):
                try:
                    entry = conn.search_ext_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", _ENTRY_ATTRS,
                                              timeout=cfg.ldap_timeout_s)
                    attrs = entry[0][1] if entry and entry[0][0] else {}
                except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS):
                    attrs = {}
        account = DirectoryAccount(dn=dn, display_name=_first(attrs, "displayName", "cn"),
                                   groups=_groups(conn, cfg, username, dn, attrs))
        log.info("LDAP: %r signed in as %s", username, dn)
        return account
    except DirectoryUnavailable:
        raise
    except ldap.LDAPError as e:
        log.warning("LDAP: %s unavailable while signing in %r: %s", cfg.ldap_url, username, _describe(e))
        raise _unavailable(_describe(e)) from None
    finally:
        if conn is not None:
            try:
                conn.unbind_s()
            except ldap.LDAPError:
                pass


def _role_map(cfg: AuthSettings) -> dict[str, Role]:
    try:
        return {normalise_dn(group): Role(next(iter(parse_roles([role]))))
                for group, role in cfg.ldap_role_groups.items()}
    except InvalidInput as e:
        raise _unavailable(f"auth.ldap_role_groups: {e.message}") from None


def mapped_roles(cfg: AuthSettings, account: DirectoryAccount) -> frozenset[Role]:
    """The roles ``ldap_role_groups`` grants for the account's groups."""
    member_of = {normalise_dn(g) for g in account.groups}
    return frozenset(role for group, role in _role_map(cfg).items() if group in member_of)


def auto_create_applies(username: str) -> bool:
    """Whether an unknown user name is checked against the directory (``ldap_auto_create``)."""
    cfg = get_settings().auth
    if not (cfg.ldap_auto_create and cfg.ldap_url):
        return False
    try:
        check_code(username, "user")
    except InvalidInput:
        return False
    return True


def provision(s: Session, u: User | None, username: str, account: DirectoryAccount) -> User:
    """The user row after a successful directory sign-in: created (auto-create: mapped roles, else staff),
    or its directory-managed roles brought in line with the groups. Both are audited."""
    cfg = get_settings().auth
    mapped = mapped_roles(cfg, account)
    by = Principal.system(_SYSTEM)
    if u is None:
        roles = sorted(r.value for r in (mapped or {Role.STAFF}))
        u = User(username=username, display_name=account.display_name, source="ldap", roles=roles,
                 created_by=_SYSTEM)
        s.add(u)
        s.flush()
        audit.record(by, "auth.user_create", target=username, session=s,
                     details={"roles": roles, "branch": None, "department": None, "source": "ldap",
                              "auto_created": True, "dn": account.dn})
        return u
    if cfg.ldap_role_groups and u.active:
        managed = {r.value for r in _role_map(cfg).values()}
        before = sorted(u.roles or [])
        after = sorted((set(before) - managed) | {r.value for r in mapped}) or [Role.STAFF.value]
        if after != before:
            u.roles = after
            audit.record(by, "auth.user_update", target=u.username, session=s,
                         details={"before": {"roles": before}, "after": {"roles": after}, "via": "ldap groups",
                                  "dn": account.dn})
    return u
