"""Process-wide locks around libraries that are not thread-safe.

PDFium (through pypdfium2) must never be entered by two threads at once: the API serves
requests from a thread pool while uploads are ingested and verified in background threads, and
concurrent calls crash the process. Every use of pypdfium2 holds :data:`PDFIUM` — opening a
document, reading text, rendering, closing — but never while OCR or other slow Python work runs.
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()
