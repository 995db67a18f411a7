"""The audit trail on top of the evidence ledger (see :mod:`xiaoyin.core.audit.service`)."""
