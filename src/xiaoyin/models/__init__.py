"""Small adapters to things that think: LLMs, embedders, rerankers, OCR and ASR."""
