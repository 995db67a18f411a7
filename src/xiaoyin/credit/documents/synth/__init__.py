"""Synthetic Chinese credit documents (contracts, VAT invoices, loan contracts, delivery notes, bank
receipts) with exact ground truth and planted red flags, for tests and the extraction benchmark.

Entry points: :func:`corpus.generate_corpus` and ``python -m xiaoyin.credit.documents.synth``.
"""

from __future__ import annotations
