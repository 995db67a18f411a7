"""Canonical JSON for ledger leaves: one byte string per value, on every machine, every time.

Rules: keys sorted, no whitespace, UTF-8 with non-ASCII kept as is (``ensure_ascii=False``).
Values are normalised first: pydantic models -> their fields, dataclasses -> dicts, Decimal -> plain
decimal string (never exponent notation), datetime/date/time -> ISO 8601, Enum -> its value,
UUID/Path -> str, bytes -> hex, sets -> sorted lists, tuples -> lists. Non-finite floats and
non-string/int mapping keys are refused: the ledger never silently changes what it records.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from xiaoyin.core.errors import InvalidInput


def normalise(obj: Any) -> Any:
    """A plain JSON value (dict/list/str/int/float/bool/None) for ``obj``; see module docstring."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, Enum):
        return normalise(obj.value)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise InvalidInput(f"cannot record a non-finite number ({obj}) in the ledger")
        return obj
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise InvalidInput(f"cannot record a non-finite number ({obj}) in the ledger")
        return format(obj, "f")
    if isinstance(obj, BaseModel):
        return normalise(obj.model_dump(mode="python"))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return normalise({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if isinstance(k, Enum):
                k = k.value
            if isinstance(k, bool) or not isinstance(k, str | int):
                raise InvalidInput(f"ledger payload keys must be strings, got {k!r}")
            key = str(k)
            if key in out:
                raise InvalidInput(f"ledger payload has the key {key!r} twice (as int and as str)")
            out[key] = normalise(v)
        return out
    if isinstance(obj, list | tuple):
        return [normalise(v) for v in obj]
    if isinstance(obj, set | frozenset):
        items = [normalise(v) for v in obj]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(obj, datetime | date | time):
        return obj.isoformat()
    if isinstance(obj, UUID | PurePath):
        return str(obj)
    if isinstance(obj, bytes | bytearray | memoryview):
        return bytes(obj).hex()
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return normalise(obj.item())
    raise InvalidInput(f"cannot record a value of type {type(obj).__name__} in the ledger")


def canonical_json(obj: Any) -> str:
    """The canonical JSON text of ``obj``."""
    return json.dumps(normalise(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_bytes(obj: Any) -> bytes:
    """The canonical JSON of ``obj`` as UTF-8 bytes (what gets hashed)."""
    return canonical_json(obj).encode("utf-8")
