"""Password hashing (argon2id through pwdlib) and the password policy for local accounts."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

from xiaoyin.core.errors import InvalidInput


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id, 64 MiB, 3 passes


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-work check: with no stored hash a dummy hash is verified, so timing does not tell
    whether the account exists."""
    if not password_hash:
        _hasher().verify(password or "x", _dummy_hash())
        return False
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a crash
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-0")


def check_policy(password: str, *, username: str, min_length: int) -> None:
    """Refuse weak passwords with a reason staff can act on."""
    if not password or not password.strip():
        raise InvalidInput("密码不能为空 / the password is empty")
    if len(password) < min_length:
        raise InvalidInput(f"密码至少 {min_length} 位 / the password needs at least {min_length} characters")
    classes = sum((any(c.isalpha() for c in password), any(c.isdigit() for c in password),
                   any(not c.isalnum() for c in password)))
    if classes < 2:
        raise InvalidInput("密码须包含字母、数字、符号中的至少两类 / use at least two of letters, digits, symbols")
    if username and username.lower() in password.lower():
        raise InvalidInput("密码不能包含用户名 / the password may not contain the user name")
