"""What faces call for staff accounts: organisation, users, login, sessions, API tokens."""

from xiaoyin.core.auth.accounts import (
    BranchInfo,
    DepartmentInfo,
    UserInfo,
    count_users,
    create_branch,
    create_department,
    create_user,
    list_branches,
    list_departments,
    list_users,
    principal_for,
    set_password,
    update_user,
)
from xiaoyin.core.auth.login import (
    SessionTicket,
    TokenInfo,
    TokenIssued,
    authenticate,
    check_csrf,
    create_session,
    create_token,
    end_session,
    list_tokens,
    revoke_token,
    session_principal,
    token_principal,
)

__all__ = [
    "BranchInfo", "DepartmentInfo", "SessionTicket", "TokenInfo", "TokenIssued", "UserInfo", "authenticate",
    "check_csrf", "count_users", "create_branch", "create_department", "create_session", "create_token",
    "create_user", "end_session", "list_branches", "list_departments", "list_tokens", "list_users",
    "principal_for", "revoke_token", "session_principal", "set_password", "token_principal", "update_user",
]
