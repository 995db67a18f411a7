"""Credit documents: extract contract/invoice elements, validate them, verify the trade background.

Faces call :mod:`xiaoyin.credit.documents.service` only.
"""
