"""The ledger's hash functions: SHA-256 and SM3 (GB/T 32905-2016, the Chinese national standard).

SM3 comes from OpenSSL through :mod:`hashlib` when the linked OpenSSL provides it, otherwise from
gmssl's pure-Python implementation (slow, but byte-identical).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

from xiaoyin.core.errors import InvalidInput

HashAlg = Literal["sha256", "sm3"]
HashFn = Callable[[bytes], bytes]
HASH_ALGS: tuple[str, ...] = ("sha256", "sm3")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sm3_openssl_available() -> bool:
    """True when the linked OpenSSL offers SM3 to :func:`hashlib.new`."""
    try:
        hashlib.new("sm3", b"")
    except (ValueError, TypeError):
        return False
    return True


def sm3_openssl(data: bytes) -> bytes:
    """SM3 digest computed by OpenSSL (raises ValueError where OpenSSL lacks SM3)."""
    return hashlib.new("sm3", data).digest()


def sm3_gmssl(data: bytes) -> bytes:
    """SM3 digest computed by gmssl's pure-Python implementation."""
    from gmssl import func, sm3

    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


@cache
def get_hash(alg: str) -> HashFn:
    """The digest function (bytes -> 32-byte digest) for ``alg`` ("sha256" or "sm3")."""
    if alg == "sha256":
        return _sha256
    if alg == "sm3":
        return sm3_openssl if sm3_openssl_available() else sm3_gmssl
    raise InvalidInput(f"unknown ledger hash algorithm {alg!r}; use one of {', '.join(HASH_ALGS)}")


def file_digest(path: str | Path, alg: str = "sha256", chunk: int = 1 << 20) -> str:
    """Hex digest of a file's bytes (for putting a document's hash into a ledger payload)."""
    if alg == "sha256" or (alg == "sm3" and sm3_openssl_available()):
        h = hashlib.new(alg)
        with open(path, "rb") as f:
            while block := f.read(chunk):
                h.update(block)
        return h.hexdigest()
    return get_hash(alg)(Path(path).read_bytes()).hex()
