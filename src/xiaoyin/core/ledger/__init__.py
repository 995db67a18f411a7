"""Tamper-evident evidence ledger: RFC 9162 Merkle logs in the database, signed tree heads, anchors.

Use the functions re-exported here; see :mod:`xiaoyin.core.ledger.service` for the details.
"""

from xiaoyin.core.ledger.anchor import (
    Anchor,
    AnchorError,
    CommandAnchor,
    FileAnchor,
    get_anchor,
    read_file_anchors,
)
from xiaoyin.core.ledger.service import (
    ConsistencyProof,
    EntryInfo,
    InclusionProof,
    LedgerError,
    LedgerReceipt,
    LogInfo,
    LogVerification,
    Problem,
    VerifyReport,
    append,
    append_many,
    consistency_proof,
    create_log,
    entries_by_ref,
    get_entry,
    inclusion_proof,
    init_key,
    key_id,
    list_logs,
    public_key_pem,
    publish_pending,
    tree_head,
    verify,
    verify_consistency_proof,
    verify_inclusion_proof,
    verify_sth_signature,
)
from xiaoyin.core.ledger.signing import LedgerKeyError, LedgerKeyMissing, SignedTreeHead

__all__ = [
    "Anchor", "AnchorError", "CommandAnchor", "ConsistencyProof", "EntryInfo", "FileAnchor", "InclusionProof",
    "LedgerError", "LedgerKeyError", "LedgerKeyMissing", "LedgerReceipt", "LogInfo", "LogVerification", "Problem", "SignedTreeHead", "VerifyReport",
    "append", "append_many", "consistency_proof", "create_log", "entries_by_ref", "get_anchor", "get_entry",
    "inclusion_proof", "init_key", "key_id", "list_logs", "public_key_pem", "publish_pending", "read_file_anchors",
    "tree_head", "verify", "verify_consistency_proof", "verify_inclusion_proof", "verify_sth_signature",
]
