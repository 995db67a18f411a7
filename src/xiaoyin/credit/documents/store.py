"""Tables of the credit-documents domain: verified applications, their documents, the bank-wide
invoice-usage registry (duplicate financing) and the trade graph (circular trade).

The schema is created by migration ``0004_documents`` (hand-written; keep the two in step).
Re-verifying a changed package adds a new version; earlier versions and their documents stay.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xiaoyin.core.db import Base, JSONType, utcnow


class DocApplication(Base):
    """One verified version of a financing application's document package."""

    __tablename__ = "doc_applications"
    __table_args__ = (UniqueConstraint("application_no", "version", name="uq_doc_applications_no_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_no: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    borrower_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    borrower_tax_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    financing_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    meta: Mapped[dict] = mapped_column(JSONType, default=dict)
    package_sha256: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(20))
    findings: Mapped[list] = mapped_column(JSONType, default=list)
    rules_source: Mapped[str] = mapped_column(Text, default="")
    ledger_log: Mapped[str | None] = mapped_column(String(100), nullable=True)
    ledger_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DocDocument(Base):
    """One file of an application version with its extracted fields, provenance and findings."""

    __tablename__ = "doc_documents"
    __table_args__ = (UniqueConstraint("application_id", "file_name", name="uq_doc_documents_application_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("doc_applications.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    input_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    extracted: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class InvoiceUsage(Base):
    """Bank-wide registry: which application financed an invoice first (unique per invoice)."""

    __tablename__ = "doc_invoice_usages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_key: Mapped[str] = mapped_column(String(40), unique=True)
    application_no: Mapped[str] = mapped_column(String(64), index=True)
    seller_tax_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    total_with_tax: Mapped[str | None] = mapped_column(String(32), nullable=True)
    issue_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TradeEdgeRow(Base):
    """A contract of a stored application: goods flow seller → buyer (latest version only)."""

    __tablename__ = "doc_trade_edges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_no: Mapped[str] = mapped_column(String(64), index=True)
    seller_key: Mapped[str] = mapped_column(String(255), index=True)
    seller_name: Mapped[str] = mapped_column(Text)
    buyer_key: Mapped[str] = mapped_column(String(255))
    buyer_name: Mapped[str] = mapped_column(Text)
    sign_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class VerifyJob(Base):
    """A verification running in the background, so the API can report progress per file."""

    __tablename__ = "doc_verify_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_no: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|done|failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[str | None] = mapped_column(String(255), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
