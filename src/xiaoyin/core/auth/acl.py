"""Document access control lists, stored as tags with documents and chunks.

An ACL is a union of grants: everybody (``public``), branches (a branch and every sub-branch under
it), departments, roles and named users. It is stored as a flat list of tags
(``branch:0101``, ``dept:credit``, ``role:auditor``, ``user:zhangsan``), so both index backends
can filter on it before ranking with one "shares any tag with the principal" test.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from xiaoyin.core.auth.principal import PUBLIC_TAG, Role
from xiaoyin.core.errors import InvalidInput

_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def check_code(value: str, what: str) -> str:
    """Branch, department and user codes: letters, digits, ``_.-`` (they become tags)."""
    value = (value or "").strip()
    if not _CODE.match(value):
        raise InvalidInput(f"{what} {value!r}: use 1–64 letters, digits, '_', '.' or '-'")
    return value


class DocumentAcl(BaseModel):
    """Who may see a document. Grants add up; with no grant at all only administrators see it."""

    public: bool = Field(False, description="every signed-in member of staff")
    branches: list[str] = Field(default_factory=list, description="branch codes (with their sub-branches)")
    departments: list[str] = Field(default_factory=list, description="department codes")
    roles: list[Role] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list, description="user names")

    @field_validator("branches", "departments", "users")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        return sorted({check_code(v, "code") for v in values})

    @classmethod
    def everyone(cls) -> DocumentAcl:
        return cls(public=True)

    def tags(self) -> list[str]:
        """The stored form: sorted, de-duplicated tags."""
        tags: set[str] = set()
        if self.public:
            tags.add(PUBLIC_TAG)
        tags.update(f"branch:{b}" for b in self.branches)
        tags.update(f"dept:{d}" for d in self.departments)
        tags.update(f"role:{r.value}" for r in self.roles)
        tags.update(f"user:{u}" for u in self.users)
        return sorted(tags)

    @classmethod
    def from_tags(cls, tags: list[str] | None) -> DocumentAcl:
        """Read the stored form back (unknown tag kinds are refused)."""
        acl = cls()
        for tag in tags or []:
            if tag == PUBLIC_TAG:
                acl.public = True
                continue
            kind, _, value = tag.partition(":")
            if kind == "branch":
                acl.branches.append(value)
            elif kind == "dept":
                acl.departments.append(value)
            elif kind == "role":
                acl.roles.append(Role(value))
            elif kind == "user":
                acl.users.append(value)
            else:
                raise InvalidInput(f"unknown ACL tag {tag!r}")
        return cls.model_validate(acl.model_dump())

    def describe(self) -> str:
        """A short Chinese description for lists and audit entries."""
        if self.public:
            return "全行可见"
        parts = []
        if self.branches:
            parts.append("机构 " + "、".join(self.branches))
        if self.departments:
            parts.append("部门 " + "、".join(self.departments))
        if self.roles:
            parts.append("角色 " + "、".join(r.value for r in self.roles))
        if self.users:
            parts.append("用户 " + "、".join(self.users))
        return "；".join(parts) or "仅管理员"
