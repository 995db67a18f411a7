"""Who is acting: roles, their permissions, and the :class:`Principal` every service call receives.

A principal is resolved once per request (session cookie or API token) or once per CLI command
(``--user``), and passed explicitly into every service function that reads or writes data. Services
check permissions with :meth:`Principal.require` and filter data with :meth:`Principal.acl_tags`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from xiaoyin.core.errors import Forbidden


class Role(StrEnum):
    """The platform's roles (a user may hold several)."""

    ADMIN = "admin"  # users, roles, branches; sees every document
    KNOWLEDGE_MANAGER = "knowledge_manager"  # knowledge bases, uploads, document permissions, evaluations
    CREDIT_OFFICER = "credit_officer"  # document review, credit decisions
    RISK_MANAGER = "risk_manager"  # models, policies, monitoring, early warning
    AUDITOR = "auditor"  # audit log and its verification, read-only
    STAFF = "staff"  # asks the knowledge assistant


class Permission(StrEnum):
    """What a role allows; services check these, never role names."""

    KB_READ = "kb.read"
    KB_MANAGE = "kb.manage"
    DOCS_REVIEW = "docs.review"
    CREDIT_DECIDE = "credit.decide"
    RISK_MANAGE = "risk.manage"
    RISK_READ = "risk.read"
    AUDIT_READ = "audit.read"
    USERS_MANAGE = "users.manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.KNOWLEDGE_MANAGER: frozenset({Permission.KB_READ, Permission.KB_MANAGE}),
    Role.CREDIT_OFFICER: frozenset({Permission.KB_READ, Permission.DOCS_REVIEW, Permission.CREDIT_DECIDE,
                                    Permission.RISK_READ}),
    Role.RISK_MANAGER: frozenset({Permission.KB_READ, Permission.DOCS_REVIEW, Permission.RISK_READ,
                                  Permission.RISK_MANAGE}),
    Role.AUDITOR: frozenset({Permission.KB_READ, Permission.AUDIT_READ, Permission.RISK_READ}),
    Role.STAFF: frozenset({Permission.KB_READ}),
}

#: the ACL tag every document visible to all staff carries
PUBLIC_TAG = "public"


def parse_roles(names: list[str] | tuple[str, ...] | set[str]) -> frozenset[Role]:
    """Role names → roles; an unknown name is refused with the list of known ones."""
    out: set[Role] = set()
    for name in names:
        try:
            out.add(Role(str(name).strip()))
        except ValueError:
            from xiaoyin.core.errors import InvalidInput

            known = ", ".join(r.value for r in Role)
            raise InvalidInput(f"未知角色 / unknown role {name!r}; known roles: {known}") from None
    return frozenset(out)


@dataclass(frozen=True)
class Principal:
    """The acting user (or service client) with everything permission checks need."""

    username: str
    roles: frozenset[Role] = frozenset({Role.STAFF})
    branch: str | None = None
    #: the user's branch and its parents, nearest first (a document published to a branch reaches
    #: the sub-branches under it)
    branch_path: tuple[str, ...] = ()
    department: str | None = None
    display_name: str | None = None
    user_id: int | None = None
    via: Literal["session", "token", "cli", "system"] = "session"
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        perms: set[Permission] = set()
        for role in self.roles:
            perms |= ROLE_PERMISSIONS[role]
        object.__setattr__(self, "permissions", frozenset(perms))

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        """The platform itself (migrations, background jobs started by an administrator)."""
        return cls(username=name, roles=frozenset({Role.ADMIN}), via="system")

    @classmethod
    def local_operator(cls, username: str | None = None, *, admin: bool = False) -> Principal:
        """A CLI user not found in the user table: the OS user, staff only unless ``admin``."""
        name = username or getpass.getuser()
        roles = frozenset({Role.ADMIN}) if admin else frozenset({Role.STAFF})
        return cls(username=name, roles=roles, via="cli")

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Raise :class:`Forbidden` unless this principal holds ``permission``."""
        if permission not in self.permissions:
            raise Forbidden(
                f"没有权限 / {self.username} may not do this: needs {permission.value}",
                permission=permission.value,
            )

    @property
    def sees_all_documents(self) -> bool:
        """Administrators and the platform itself are not filtered by document permissions."""
        return Role.ADMIN in self.roles

    def acl_tags(self) -> frozenset[str]:
        """The tags a document's ACL must share with this principal for it to be visible."""
        tags = {PUBLIC_TAG, f"user:{self.username}"}
        tags.update(f"branch:{b}" for b in (self.branch_path or ((self.branch,) if self.branch else ())))
        if self.department:
            tags.add(f"dept:{self.department}")
        tags.update(f"role:{r.value}" for r in self.roles)
        return frozenset(tags)

    def can_see(self, tags: list[str] | tuple[str, ...] | frozenset[str] | None) -> bool:
        """Whether a document with these ACL tags is visible; no tags at all means administrators only."""
        if self.sees_all_documents:
            return True
        return bool(tags) and not self.acl_tags().isdisjoint(tags)


def require(principal: Principal | None, permission: Permission) -> None:
    """Check ``permission`` for a person; ``None`` is the platform itself (benchmarks, the demo
    loader), which services neither check nor audit."""
    if principal is not None:
        principal.require(permission)


def acting_user(principal: Principal | None, permission: Permission, user: str | None) -> str | None:
    """The name a record is stored under: the person's (after checking ``permission``), or, for the
    platform itself (``None``), the ``user`` the caller passed (never trusted from a request body)."""
    require(principal, permission)
    return principal.username if principal is not None else user
