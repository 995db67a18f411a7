"""Ed25519 signing of tree heads: the bank's ledger key, created on first use (mode 0600).

The key lives at ``settings.ledger.key_path`` or ``<home>/ledger/signing.key`` (PKCS#8 PEM).
A key id is the first 16 hex digits of SHA-256 over the raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, Field

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.ledger.canonical import canonical_bytes, canonical_json

_lock = threading.Lock()
_cache: dict[Path, Ed25519PrivateKey] = {}


def default_key_path() -> Path:
    """Where the signing key is kept (settings, else under home)."""
    from xiaoyin.core.settings import get_settings

    s = get_settings()
    return s.ledger.key_path or s.path("ledger", "signing.key")


def _create(path: Path) -> None:
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
        os.link(tmp, path)  # atomic; loses cleanly to a concurrent creator
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def load_private_key(path: Path | None = None, *, create: bool = True) -> Ed25519PrivateKey:
    """The signing key at ``path`` (default: :func:`default_key_path`), created when missing."""
    path = (path or default_key_path()).resolve()
    with _lock:
        key = _cache.get(path)
        if key is not None:
            return key
        if not path.exists():
            if not create:
                raise InvalidInput(f"ledger signing key not found at {path}")
            _create(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"{path} does not hold an Ed25519 private key")
        _cache[path] = key
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


def load_public_key(key: Ed25519PublicKey | Ed25519PrivateKey | str | bytes) -> Ed25519PublicKey:
    """A public key from a key object, PEM text/bytes, or 32 raw bytes."""
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    if len(data) == 32:
        return Ed25519PublicKey.from_public_bytes(data)
    pub = serialization.load_pem_public_key(data)
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
