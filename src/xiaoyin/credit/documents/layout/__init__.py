"""Layout rules: one segment model for text-layer runs and OCR boxes, and per-document-type extractors."""
