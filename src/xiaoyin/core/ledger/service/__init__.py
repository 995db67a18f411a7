"""The evidence ledger's public API: append, signed tree heads, proofs, and full verification.

Each named log (``"credit-documents"``, ``"audit"`` …) is an RFC 9162 Merkle log stored in the
database, with a hash algorithm fixed at creation (``settings.ledger.hash``: sha256 or sm3).

* A leaf is the canonical JSON of ``{"kind": kind, "payload": payload, "ref": ref}`` (see
  :mod:`.canonical`); its leaf hash is ``H(0x00 || utf8(leaf))``. ``kind`` and ``ref`` are therefore
  covered by the hash as well as the payload.
* Every :func:`append` / :func:`append_many` call ends with one signed tree head (Ed25519), stored in
  the same transaction and published to the configured anchor once that transaction commits.
* Each entry also stores the root of the tree that ends with it (``tree_root``), so verification can
  name the exact first entry that diverges even inside a batch.
* Appends to one log are serialised: ``SELECT … FOR UPDATE`` on the log row (PostgreSQL), a write
  statement first so SQLite takes its write lock before the log state is read.
* The signing key fails closed: it is created only on first use (no tree head signed yet in any log)
  or by an explicit :func:`init_key`. Once heads exist, a missing key file makes appends raise
  :class:`LedgerKeyMissing` (code ``ledger_key_missing``) instead of silently starting a new key, and
  makes :func:`verify` report a ``key`` problem unless the caller pins the public key
  (``verify(public_key=PEM)``; on the command line ``xiaoyin ledger verify --public-key FILE``).
* Anchor publication runs after the commit and never fails the append: any error there is logged and
  the head stays pending (no receipt) for :func:`publish_pending`.

The package is split along those concerns — ``models`` (results), ``appends``, ``anchoring``,
``reading``, ``proofs``, ``verification``, with ``rows`` as their shared helpers — and re-exports
everything here: callers import ``xiaoyin.core.ledger.service`` (or ``xiaoyin.core.ledger``) only.
"""

from xiaoyin.core.ledger.service.anchoring import publish_pending
from xiaoyin.core.ledger.service.appends import append, append_many, create_log, init_key
from xiaoyin.core.ledger.service.models import (
    ConsistencyProof,
    EntryInfo,
    InclusionProof,
    LedgerError,
    LedgerReceipt,
    LogInfo,
    LogVerification,
    Problem,
    VerifyReport,
)
from xiaoyin.core.ledger.service.proofs import (
    consistency_proof,
    inclusion_proof,
    verify_consistency_proof,
    verify_inclusion_proof,
    verify_sth_signature,
)
from xiaoyin.core.ledger.service.reading import (
    entries_by_ref,
    get_entry,
    key_id,
    list_logs,
    public_key_pem,
    tree_head,
)
from xiaoyin.core.ledger.service.verification import verify
from xiaoyin.core.ledger.signing import LedgerKeyError, LedgerKeyMissing, SignedTreeHead

__all__ = [
    "ConsistencyProof", "EntryInfo", "InclusionProof", "LedgerError", "LedgerKeyError", "LedgerKeyMissing",
    "LedgerReceipt", "LogInfo", "LogVerification", "Problem", "SignedTreeHead", "VerifyReport",
    "append", "append_many", "consistency_proof", "create_log", "entries_by_ref", "get_entry", "inclusion_proof",
    "init_key", "key_id", "list_logs", "public_key_pem", "publish_pending", "tree_head", "verify",
    "verify_consistency_proof", "verify_inclusion_proof", "verify_sth_signature",
]
