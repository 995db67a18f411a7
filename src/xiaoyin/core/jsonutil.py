"""Turn results (dataclass dicts, numpy scalars, dates) into plain JSON values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """A JSON-ready copy: mappings and sequences recursively, numpy scalars as Python numbers,
    NaN/inf as None, dates as ISO strings, anything else as its ``str``."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if obj is not None and not isinstance(obj, str | int | float | bool) and hasattr(obj, "item"):
        obj = obj.item()  # numpy scalar
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    return str(obj)
