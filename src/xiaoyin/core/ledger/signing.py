"""Ed25519 signing of tree heads: the bank's ledger key (PKCS#8 PEM, mode 0600).

The key lives at ``settings.ledger.key_path`` or ``<home>/ledger/signing.key``. Nothing here creates a
key implicitly: :func:`create_key` is called by the service only on first use (no tree head signed
yet) or by an explicit ``init_key``; a missing key is :class:`LedgerKeyMissing` (fail closed).
A key id is the first 16 hex digits of SHA-256 over the raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, Field

from xiaoyin.core.errors import InvalidInput, XiaoyinError
from xiaoyin.core.ledger.canonical import canonical_bytes, canonical_json

_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int, int], Ed25519PrivateKey]] = {}


class LedgerKeyError(XiaoyinError):
    """The ledger signing key file cannot be used (unreadable, not an Ed25519 private key)."""

    code = "ledger_key_invalid"
    http_status = 503


class LedgerKeyMissing(LedgerKeyError):
    """The ledger signing key file does not exist (and must not be silently replaced)."""

    code = "ledger_key_missing"


def default_key_path() -> Path:
    """Where the signing key is kept (settings, else under home)."""
    from xiaoyin.core.settings import get_settings

    s = get_settings()
    return s.ledger.key_path or s.path("ledger", "signing.key")


def _create(path: Path) -> bool:
    """Write a new key to ``path`` unless one exists; True when this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic; never overwrites, loses cleanly to a concurrent creator
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def create_key(path: Path | None = None) -> bool:
    """Create the signing key at ``path`` (default: :func:`default_key_path`) unless a key file is
    already there; never overwrites. True when this call created it."""
    return _create((path or default_key_path()).resolve())


def key_exists(path: Path | None = None) -> bool:
    """Whether the signing key file exists."""
    return (path or default_key_path()).exists()


def missing_key_error(path: Path, reason: str) -> LedgerKeyMissing:
    """The error for a missing key, saying how to recover."""
    return LedgerKeyMissing(
        f"ledger signing key not found at {path}{reason}. Restore the key file from backup (or point "
        "ledger.key_path at it); to verify without it, pass the ledger's public key (xiaoyin ledger verify "
        "--public-key FILE); only if the key is truly lost, create a new one deliberately with "
        "`ledger.init_key()` (older tree heads then verify only against the old public key)",
        key_path=str(path),
    )


def load_private_key(path: Path | None = None, *, create: bool = False) -> Ed25519PrivateKey:
    """The signing key at ``path`` (default: :func:`default_key_path`).

    Raises :class:`LedgerKeyMissing` when the file does not exist (``create=True`` creates it instead;
    only for first use). The cached key is dropped when the file is removed or replaced."""
    path = (path or default_key_path()).resolve()
    with _lock:
        try:
            st = path.stat()
        except FileNotFoundError:
            _cache.pop(path, None)
            if not create:
                raise missing_key_error(path, "") from None
            _create(path)
            st = path.stat()
        except OSError as e:
            raise LedgerKeyError(f"cannot read the ledger signing key {path}: {e}", key_path=str(path)) from e
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        hit = _cache.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as e:
            raise LedgerKeyError(f"cannot read the ledger signing key {path}: {e}", key_path=str(path)) from e
        if not isinstance(key, Ed25519PrivateKey):
            raise LedgerKeyError(f"{path} does not hold an Ed25519 private key", key_path=str(path))
        _cache[path] = (stamp, key)
        return key


def forget_keys() -> None:
    """Drop cached keys (tests that replace key files)."""
    with _lock:
        _cache.clear()


def raw_public(pub: Ed25519PublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(pub: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(raw_public(pub)).hexdigest()[:16]


def public_pem(pub: Ed25519PublicKey) -> str:
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(key: Ed25519PublicKey | Ed25519PrivateKey | str | bytes | Path) -> Ed25519PublicKey:
    """A public key from a key object, PEM text/bytes, 32 raw bytes, or a PEM file path."""
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, Path):
        try:
            key = key.read_bytes()
        except OSError as e:
            raise InvalidInput(f"cannot read the public key file: {e}") from e
    if not isinstance(key, str | bytes):
        raise InvalidInput(f"not a public key: {type(key).__name__}")
    data = key.encode() if isinstance(key, str) else key
    try:
        if len(data) == 32:
            return Ed25519PublicKey.from_public_bytes(data)
        pub = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise InvalidInput(f"not a PEM public key: {e}") from e
    if not isinstance(pub, Ed25519PublicKey):
        raise InvalidInput("not an Ed25519 public key")
    return pub


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature of ``message``."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(pub: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """True when ``signature`` (base64) is ``pub``'s signature of ``message``."""
    try:
        pub.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


class SignedTreeHead(BaseModel):
    """A log's size and root at one moment, signed by the ledger key (RFC 6962 §3.5 in spirit).

    The signed message is the canonical JSON of ``log, hash_alg, tree_size, root_hash, timestamp``
    (timestamp in milliseconds since the Unix epoch, UTC); see :meth:`message`."""

    log: str
    hash_alg: str
    tree_size: int
    root_hash: str = Field(description="hex")
    timestamp: int = Field(description="milliseconds since 1970-01-01 UTC")
    key_id: str
    signature: str = Field(description="base64 Ed25519 signature of message()")
    anchor_receipt: str | None = Field(None, description="what the anchor returned when it was published")

    def message(self) -> bytes:
        return canonical_bytes(
            {"log": self.log, "hash_alg": self.hash_alg, "tree_size": self.tree_size,
             "root_hash": self.root_hash, "timestamp": self.timestamp}
        )

    def anchor_json(self) -> str:
        """The JSON published to anchors (everything but the receipt)."""
        return canonical_json(self.model_dump(exclude={"anchor_receipt"}))


def sign_tree_head(
    key: Ed25519PrivateKey, *, log: str, hash_alg: str, tree_size: int, root_hash: str, timestamp: int
) -> SignedTreeHead:
    """A new signed tree head."""
    sth = SignedTreeHead(log=log, hash_alg=hash_alg, tree_size=tree_size, root_hash=root_hash,
                         timestamp=timestamp, key_id=key_id(key.public_key()), signature="")
    sth.signature = sign(key, sth.message())
    return sth


def verify_tree_head(sth: SignedTreeHead, public_key: Ed25519PublicKey | Ed25519PrivateKey | str | bytes) -> bool:
    """True when the tree head's signature is valid for ``public_key`` and its key id matches."""
    pub = load_public_key(public_key)
    return sth.key_id == key_id(pub) and verify(pub, sth.message(), sth.signature)
