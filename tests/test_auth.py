"""Staff accounts on a real database: password policy and hashing, lock-out, rate limiting, sessions,
API tokens, role checks, branch paths and the audit entries each change leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth import service as auth
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, Role
from xiaoyin.core.auth.store import User
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import (
    AccountLocked,
    AlreadyExists,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from xiaoyin.core.settings import reset_settings

ROOT = Principal.system("root")
PW = "Xiaoyin#2026pass"


@pytest.fixture
def org(db_home: str) -> str:
    auth.create_branch(ROOT, "HQ", "总行")
    auth.create_branch(ROOT, "SZ", "苏州分行", parent="HQ")
    auth.create_branch(ROOT, "SZ01", "苏州工业园区支行", parent="SZ")
    auth.create_branch(ROOT, "WX", "无锡分行", parent="HQ")
    auth.create_department(ROOT, "credit", "授信审批部")
    return db_home


def test_password_is_hashed_with_argon2_and_login_works(org: str) -> None:
    auth.create_user(ROOT, "zhang", PW, roles=["credit_officer"], branch="SZ01", department="credit",
                     display_name="张三")
    with session_scope() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "zhang"))
    assert stored.startswith("$argon2id$") and PW not in stored
    p = auth.authenticate("zhang", PW, ip="10.0.0.1")
    assert p.username == "zhang" and p.roles == {Role.CREDIT_OFFICER}
    assert p.branch_path == ("SZ01", "SZ", "HQ")
    assert p.has(Permission.CREDIT_DECIDE) and not p.has(Permission.USERS_MANAGE)
    assert {"branch:SZ01", "branch:SZ", "branch:HQ", "dept:credit", "role:credit_officer", "user:zhang",
            "public"} == set(p.acl_tags())


@pytest.mark.parametrize("bad", ["", "   ", "short1!", "onlyletterslong", "1234567890123", "zhang2026abc!"])
def test_weak_passwords_refused(org: str, bad: str) -> None:
    with pytest.raises(InvalidInput):
        auth.create_user(ROOT, "zhang", bad)


def test_bad_user_input(org: str) -> None:
    with pytest.raises(InvalidInput):
        auth.create_user(ROOT, "bad name; drop", PW)
    with pytest.raises(InvalidInput):
        auth.create_user(ROOT, "li", PW, roles=["superuser"])
    with pytest.raises(NotFound):
        auth.create_user(ROOT, "li", PW, branch="NOPE")
    auth.create_user(ROOT, "li", PW)
    with pytest.raises(AlreadyExists):
        auth.create_user(ROOT, "li", PW)
    with pytest.raises(NotFound):
        auth.create_branch(ROOT, "X1", "x", parent="NOPE")


def test_only_admins_manage_users(org: str) -> None:
    auth.create_user(ROOT, "staff1", PW)
    staff = auth.principal_for("staff1")
    with pytest.raises(Forbidden):
        auth.create_user(staff, "evil", PW, roles=["admin"])
    with pytest.raises(Forbidden):
        auth.update_user(staff, "staff1", roles=["admin"])
    with pytest.raises(Forbidden):
        auth.create_token(staff, "someone-else", "t")
    auth.set_password(staff, "staff1", "Another#pass99")  # a user may change their own
    assert auth.authenticate("staff1", "Another#pass99").username == "staff1"


def test_wrong_password_and_unknown_user_look_the_same(org: str) -> None:
    auth.create_user(ROOT, "zhang", PW)
    with pytest.raises(Unauthenticated) as a:
        auth.authenticate("zhang", "wrong-password-1")
    with pytest.raises(Unauthenticated) as b:
        auth.authenticate("nobody", "wrong-password-1")
    assert a.value.message == b.value.message
    for empty in ("", " "):
        with pytest.raises(Unauthenticated):
            auth.authenticate("zhang", empty)


def test_lockout_after_failures_then_admin_unlock(org: str) -> None:
    auth.create_user(ROOT, "zhang", PW)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            auth.authenticate("zhang", "wrong-password-1", ip="10.0.0.9")
    with pytest.raises(AccountLocked):  # even the right password while locked
        auth.authenticate("zhang", PW, ip="10.0.0.9")
    auth.update_user(ROOT, "zhang", unlock=True)
    assert auth.authenticate("zhang", PW).username == "zhang"
    actions = [e.action for e in audit.list_events(ROOT, audit.AuditFilter(username="zhang")).events]
    assert "auth.locked" in actions and "auth.login" in actions


def test_rate_limit_per_address(org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOYIN_AUTH__IP_ATTEMPTS_PER_MINUTE", "3")
    monkeypatch.setenv("XIAOYIN_AUTH__MAX_FAILED_LOGINS", "100")
    reset_settings()
    auth.create_user(ROOT, "zhang", PW)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            auth.authenticate("zhang", "wrong-password-1", ip="10.9.9.9")
    with pytest.raises(TooManyAttempts):
        auth.authenticate("zhang", PW, ip="10.9.9.9")
    assert auth.authenticate("zhang", PW, ip="10.1.1.1").username == "zhang"  # another address is not blocked


def test_sessions_csrf_and_revocation(org: str) -> None:
    auth.create_user(ROOT, "zhang", PW, roles=["staff"])
    ticket = auth.create_session(auth.authenticate("zhang", PW), ip="10.0.0.1", user_agent="pytest")
    p, csrf = auth.session_principal(ticket.session_id)
    assert p.username == "zhang" and csrf == ticket.csrf_token
    assert auth.check_csrf(csrf, ticket.csrf_token) and not auth.check_csrf(csrf, "forged") and not auth.check_csrf(csrf, None)
    with pytest.raises(Unauthenticated):
        auth.session_principal("not-a-session")
    auth.update_user(ROOT, "zhang", roles=["auditor"])  # a permission change ends live sessions
    with pytest.raises(Unauthenticated):
        auth.session_principal(ticket.session_id)
    t2 = auth.create_session(auth.authenticate("zhang", PW))
    auth.end_session(t2.session_id)
    with pytest.raises(Unauthenticated):
        auth.session_principal(t2.session_id)


def test_expired_session_refused(org: str) -> None:
    from xiaoyin.core.auth.store import WebSession

    auth.create_user(ROOT, "zhang", PW)
    t = auth.create_session(auth.authenticate("zhang", PW))
    with session_scope() as s:
        for ws in s.scalars(select(WebSession)):
            ws.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthenticated):
        auth.session_principal(t.session_id)


def test_api_tokens(org: str) -> None:
    auth.create_user(ROOT, "svc", PW, roles=["staff"], branch="WX")
    issued = auth.create_token(ROOT, "svc", "core-banking")
    assert issued.token.startswith("xy_")
    p = auth.token_principal(issued.token)
    assert p.username == "svc" and p.via == "token" and p.branch_path == ("WX", "HQ")
    listed = auth.list_tokens(ROOT, "svc")
    assert [t.name for t in listed] == ["core-banking"] and issued.token not in str(listed)
    auth.revoke_token(ROOT, issued.id)
    with pytest.raises(Unauthenticated):
        auth.token_principal(issued.token)
    for bad in ("", "Bearer x", "xy_00000000_nope"):
        with pytest.raises(Unauthenticated):
            auth.token_principal(bad)
    auth.update_user(ROOT, "svc", active=False)
    with pytest.raises(Unauthenticated):
        auth.token_principal(auth.create_token(ROOT, "svc", "again").token)


def test_acl_visibility_follows_branch_tree() -> None:
    sz01 = Principal("a", branch="SZ01", branch_path=("SZ01", "SZ", "HQ"))
    wx = Principal("b", branch="WX", branch_path=("WX", "HQ"))
    admin = Principal("c", roles=frozenset({Role.ADMIN}))
    sz_only = DocumentAcl(branches=["SZ"]).tags()
    assert sz01.can_see(sz_only) and not wx.can_see(sz_only) and admin.can_see(sz_only)
    assert sz01.can_see(DocumentAcl.everyone().tags()) and wx.can_see(["public"])
    assert not sz01.can_see([]) and admin.can_see([])  # no grant at all: administrators only
    assert DocumentAcl.from_tags(DocumentAcl(users=["b"], roles=[Role.AUDITOR]).tags()).users == ["b"]
    assert wx.can_see(DocumentAcl(users=["b"]).tags())
    with pytest.raises(InvalidInput):
        DocumentAcl.from_tags(["group:x"])


def test_admin_cannot_lock_themself_out(org: str) -> None:
    auth.create_user(ROOT, "boss", PW, roles=["admin"])
    boss = auth.principal_for("boss")
    with pytest.raises(InvalidInput):
        auth.update_user(boss, "boss", roles=["staff"])
    with pytest.raises(InvalidInput):
        auth.update_user(boss, "boss", active=False)


def test_acting_user_checks_people_and_trusts_only_the_platform() -> None:
    from xiaoyin.core.auth.principal import acting_user

    officer = Principal("chen", roles=frozenset({Role.CREDIT_OFFICER}))
    assert acting_user(officer, Permission.CREDIT_DECIDE, "spoofed") == "chen"  # a request body's name is ignored
    assert acting_user(None, Permission.CREDIT_DECIDE, "batch-job") == "batch-job"
    with pytest.raises(Forbidden):
        acting_user(Principal("xiao"), Permission.CREDIT_DECIDE, None)
