"""Training data intake: loading, validation, target mapping and column typing."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xiaoyin.core.errors import InvalidInput

BAD_TOKENS = {"1", "bad", "y", "yes", "true", "t", "default", "defaulted", "charged off", "charged_off",
              "坏", "坏客户", "违约", "逾期", "是", "b"}
GOOD_TOKENS = {"0", "good", "n", "no", "false", "f", "non-default", "non_default", "nondefault", "no default",
               "fully paid", "fully_paid", "好", "好客户", "正常", "未违约", "否", "g"}
_ID_NAME = re.compile(r"(^|[_\-.\s])(id|no|num|key|uuid)$|^id|编号|客户号|证件号|身份证|流水号|账号", re.I)
_DATE_NAME = re.compile(r"date|time|day$|dt$|日期|时间", re.I)
NUMERIC_SHARE = 0.95  # an object column whose non-null values parse as numbers this often is numeric
MAX_CATEGORIES = 200


@dataclass
class Prepared:
    """A validated training table: numeric/categorical features, the 0/1 target and what was dropped."""

    X: pd.DataFrame
    y: np.ndarray
    numeric: list[str]
    categorical: list[str]
    target_mapping: dict[str, int]
    dropped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    derived: list[dict] = field(default_factory=list)  # sequence_specs of derived columns in X

    @property
    def features(self) -> list[str]:
        return [c for c in self.X.columns if c in self.numeric or c in self.categorical]


def load_table(data: Path | str | pd.DataFrame) -> pd.DataFrame:
    """Read a CSV (optionally gzipped) or Excel file, or copy a frame; raise InvalidInput if empty/unreadable."""
    if isinstance(data, pd.DataFrame):
        df = data.copy()
    else:
        path = Path(data)
        if not path.exists():
            raise InvalidInput(f"数据文件不存在 / data file not found: {path}")
        if path.stat().st_size == 0:
            raise InvalidInput(f"数据文件为空 / empty data file: {path}")
        try:
            if path.suffix.lower() in {".xlsx", ".xls"}:
                df = pd.read_excel(path)
            else:
                df = pd.read_csv(path, low_memory=False)
        except pd.errors.EmptyDataError as exc:
            raise InvalidInput(f"数据文件为空 / empty data file: {path}") from exc
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(f"无法读取数据文件 / cannot read {path}: {exc}") from exc
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise InvalidInput("数据为空（没有行或列）/ the data has no rows or no columns")
    df.columns = [str(c).strip() for c in df.columns]
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()]))
        raise InvalidInput(f"列名重复 / duplicate column names: {dup}")
    return df


def _norm_label(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "1" if v else "0"
    if isinstance(v, int | float | np.integer | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip().lower()


def _display(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def map_target(values: pd.Series, name: str, bad_value: Any = None) -> tuple[np.ndarray, dict[str, int]]:
    """Map a binary target to 0 (good) / 1 (bad); return the array and the mapping used (label -> 0/1)."""
    present = values.dropna()
    if len(present) == 0:
        raise InvalidInput(f"目标列 {name} 全部为空 / target column '{name}' has no values")
    labels = {_norm_label(v): v for v in present.unique()}
    if len(labels) > 2:
        shown = sorted(map(str, labels))[:10]
        raise InvalidInput(f"目标列 {name} 不是二分类（{len(labels)} 个取值）/ target '{name}' is not binary: "
                           f"{len(labels)} distinct values {shown}")
    if len(labels) < 2:
        only = next(iter(labels.values()))
        raise InvalidInput(f"目标列 {name} 只有一个类别（{only}）/ target '{name}' has a single class: {only!r}")
    keys = list(labels)
    if bad_value is not None:
        bad = _norm_label(bad_value)
        if bad not in labels:
            raise InvalidInput(f"bad_value {bad_value!r} is not a value of target '{name}': {keys}")
    elif set(keys) == {"0", "1"}:
        bad = "1"
    else:
        numeric_keys = all(re.fullmatch(r"-?\d+(\.\d+)?", k) for k in keys)
        bads = [k for k in keys if k in BAD_TOKENS]
        goods = [k for k in keys if k in GOOD_TOKENS]
        if not numeric_keys and len(bads) == 1 and goods != bads:
            bad = bads[0]
        elif not numeric_keys and len(goods) == 1:
            bad = next(k for k in keys if k != goods[0])
        else:
            raise InvalidInput(f"无法判断目标列 {name} 中哪个取值代表坏客户 / cannot tell which value of target "
                               f"'{name}' means bad: {keys}; set bad_value in the config")
    good = next(k for k in keys if k != bad)
    mapping = {_display(labels[bad]): 1, _display(labels[good]): 0}
    norm = values.map(lambda v: np.nan if pd.isna(v) else (1.0 if _norm_label(v) == bad else 0.0))
    return norm.to_numpy(dtype=float), mapping


def _looks_like_date(s: pd.Series) -> bool:
    sample = s.dropna().astype(str).head(200)
    if len(sample) == 0 or not sample.str.contains(r"\d").mean() > 0.9:
        return False
    if not sample.str.contains(r"[-/:年月]|^[A-Za-z]{3}-\d{2,4}$").mean() > 0.9:
        return False
    try:
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    except (ValueError, TypeError):
        return False
    return bool(parsed.notna().mean() > 0.9)


def prepare(df: pd.DataFrame, target: str, *, id_col: str | None = None, exclude: Sequence[str] = (),
            bad_value: Any = None) -> Prepared:
    """Validate ``df``, map the target, type every other column and drop unusable ones (with reasons)."""
    if target not in df.columns:
        raise InvalidInput(f"缺少目标列 {target} / target column '{target}' not found; columns: {list(df.columns)[:30]}")
    for col in ([id_col] if id_col else []) + list(exclude):
        if col not in df.columns:
            raise InvalidInput(f"列 {col} 不存在 / column '{col}' (id/exclude) not found in the data")
    y_raw = df[target]
    if y_raw.dtype.kind == "f":
        y_raw = y_raw.where(np.isfinite(y_raw.to_numpy(dtype=float, na_value=np.nan)))
    y, mapping = map_target(y_raw, target, bad_value)
    notes: list[str] = []
    keep_rows = ~np.isnan(y)
    if not keep_rows.all():
        notes.append(f"{int((~keep_rows).sum())} rows without a target value were dropped")
        df = df.loc[keep_rows]
        y = y[keep_rows]
    y = y.astype(int)
    if len(np.unique(y)) < 2:
        raise InvalidInput(f"目标列 {target} 只有一个类别 / target '{target}' has a single class after dropping blanks")

    dropped: list[dict[str, str]] = []
    if id_col:
        dropped.append({"name": id_col, "reason": "id column (--id)"})
    dropped += [{"name": c, "reason": "excluded by user"} for c in exclude if c != id_col]
    skip = {target, *(c for c in [id_col] if c), *exclude}
    numeric: list[str] = []
    categorical: list[str] = []
    cols: dict[str, pd.Series] = {}
    n = len(df)
    for col in df.columns:
        if col in skip:
            continue
        s = df[col]
        if s.dtype.kind in "biuf":
            s = s.astype(float)
            n_inf = int(np.isinf(s.to_numpy()).sum())
            if n_inf:
                notes.append(f"{col}: {n_inf} inf values treated as missing")
                s = s.replace([np.inf, -np.inf], np.nan)
            kind = "numeric"
        elif s.dtype.kind == "M":
            dropped.append({"name": col, "reason": "date/time column"})
            continue
        else:
            s = s.astype(object).where(s.notna(), None)
            text = s.dropna().astype(str).str.strip()
            text = text[text != ""]
            conv = pd.to_numeric(text, errors="coerce")
            share = conv.notna().mean() if len(text) else 0.0
            if len(text) and share >= NUMERIC_SHARE:
                bad_txt = int(conv.isna().sum())
                vals = pd.to_numeric(s.astype(str).str.strip(), errors="coerce").astype(float)
                vals = vals.replace([np.inf, -np.inf], np.nan)
                if bad_txt:
                    notes.append(f"{col}: {bad_txt} non-numeric values in a numeric column treated as missing")
                s, kind = vals, "numeric"
            else:
                s = s.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
                kind = "categorical"
        present = s.dropna()
        if len(present) == 0:
            dropped.append({"name": col, "reason": "all values missing"})
            continue
        nun = present.nunique()
        if nun <= 1:
            dropped.append({"name": col, "reason": f"constant column (single value {present.iloc[0]!r})"})
            continue
        if _ID_NAME.search(col) and nun >= 0.95 * len(present) and (kind == "categorical" or
                                                                     (present % 1 == 0).all()):
            dropped.append({"name": col, "reason": "id-like column (unique per row)"})
            continue
        if kind == "categorical":
            if _DATE_NAME.search(col) or _looks_like_date(present):
                dropped.append({"name": col, "reason": "date-like column"})
                continue
            if nun >= 0.95 * len(present) and len(present) > 20:
                dropped.append({"name": col, "reason": "id-like text column (unique per row)"})
                continue
            if nun > MAX_CATEGORIES:
                dropped.append({"name": col, "reason": f"high-cardinality text column ({nun} values)"})
                continue
        elif kind == "numeric" and nun == n and (present % 1 == 0).all() and present.is_monotonic_increasing:
            dropped.append({"name": col, "reason": "id-like column (sequential integers)"})
            continue
        cols[col] = s
        (numeric if kind == "numeric" else categorical).append(col)
    if not cols:
        raise InvalidInput("没有可用的特征列 / no usable feature columns left; dropped: "
                           + "; ".join(f"{d['name']} ({d['reason']})" for d in dropped))
    X = pd.DataFrame(cols, index=df.index).reset_index(drop=True)
    for c in categorical:
        X[c] = X[c].astype(object)
    return Prepared(X=X, y=y, numeric=numeric, categorical=categorical, target_mapping=mapping,
                    dropped=dropped, notes=notes)


# ---- derived behavioural features over numbered sequences (e.g. PAY_1..PAY_6, BILL_AMT1..BILL_AMT6) ----------
_SEQ = re.compile(r"(.*?[^\d\s])[_\-. ]?(\d{1,2})")
SEQ_OPS = ("max", "min", "mean", "std", "npos", "trend")
SEQ_OPS_ZH = {"max": "最大值", "min": "最小值", "mean": "均值", "std": "波动", "npos": "大于0的期数",
              "trend": "首期相对其余均值"}
MIN_SEQ, MAX_SEQ = 3, 36


def sequence_specs(columns: Sequence[str], numeric: Sequence[str], ops: Sequence[str] = SEQ_OPS) -> list[dict]:
    """Aggregates for every group of >= 3 numeric columns sharing a stem and differing by a trailing number.

    Generic (no data-set names): ``PAY_0, PAY_2..PAY_6`` gives ``PAY_seq_max``, ``PAY_seq_mean`` ... Columns are
    ordered by their number; ``trend`` is the lowest-numbered column minus the mean of the others.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in numeric:
        m = _SEQ.fullmatch(c)
        if m and len(m.group(1).strip("_-. ")) >= 2:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), c))
    taken = set(columns)
    specs = []
    for stem, items in groups.items():
        if not MIN_SEQ <= len(items) <= MAX_SEQ:
            continue
        cols = [c for _, c in sorted(items)]
        base = stem.rstrip("_-. ")
        for op in ops:
            name = f"{base}_seq_{op}"
            if name not in taken:
                specs.append({"name": name, "op": op, "cols": cols})
                taken.add(name)
    return specs


def _seq_stat(op: str, M: np.ndarray) -> np.ndarray:
    """Row-wise aggregate of a (rows x periods) float matrix; NaN-aware, all-NaN rows give NaN."""
    present = np.isfinite(M)
    n = present.sum(axis=1)
    Z = np.where(present, M, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = Z.sum(axis=1) / n
        if op == "max":
            out = np.where(present, M, -np.inf).max(axis=1)
        elif op == "min":
            out = np.where(present, M, np.inf).min(axis=1)
        elif op == "mean":
            out = mean
        elif op == "std":
            out = np.sqrt((np.where(present, M - mean[:, None], 0.0) ** 2).sum(axis=1) / n)
        elif op == "npos":
            out = (Z > 0).sum(axis=1).astype(float)
        elif op == "trend":
            rest = present[:, 1:].sum(axis=1)
            out = M[:, 0] - Z[:, 1:].sum(axis=1) / rest
        else:
            raise ValueError(f"unknown sequence op {op!r}")
    out = np.asarray(out, dtype=float)
    out[n == 0] = np.nan
    return np.where(np.isfinite(out), out, np.nan)


def _as_float_matrix(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    out = np.full((len(df), len(cols)), np.nan)
    for j, c in enumerate(cols):
        if c in df.columns:
            s = df[c]
            v = (s.to_numpy(dtype=float, na_value=np.nan) if s.dtype.kind in "biuf"
                 else pd.to_numeric(s.astype(object), errors="coerce").to_numpy(dtype=float, na_value=np.nan))
            out[:, j] = v
    return out


def add_derived(df: pd.DataFrame, specs: Sequence[dict]) -> pd.DataFrame:
    """``df`` plus the derived columns of ``specs`` not already in it (inputs missing from ``df`` count as missing)."""
    specs = [sp for sp in specs if sp["name"] not in df.columns]
    if not specs:
        return df
    cache: dict[tuple, np.ndarray] = {}
    new = {}
    for sp in specs:
        key = tuple(sp["cols"])
        if key not in cache:
            cache[key] = _as_float_matrix(df, key)
        new[sp["name"]] = _seq_stat(sp["op"], cache[key])
    return pd.concat([df, pd.DataFrame(new, index=df.index)], axis=1)


def _to_float(v: Any) -> float:
    try:
        x = float(v.strip() if isinstance(v, str) else v)
    except (TypeError, ValueError):
        return float("nan")
    return x if math.isfinite(x) else float("nan")


def _seq_stat_one(op: str, vals: list[float]) -> float:
    """Pure-Python twin of :func:`_seq_stat` for one row (single-application scoring)."""
    xs = [v for v in vals if math.isfinite(v)]
    if not xs:
        return float("nan")
    mean = sum(xs) / len(xs)
    if op == "max":
        return max(xs)
    if op == "min":
        return min(xs)
    if op == "mean":
        return mean
    if op == "std":
        return math.sqrt(sum((v - mean) ** 2 for v in xs) / len(xs))
    if op == "npos":
        return float(sum(v > 0 for v in xs))
    if op == "trend":
        rest = [v for v in vals[1:] if math.isfinite(v)]
        return vals[0] - sum(rest) / len(rest) if rest and math.isfinite(vals[0]) else float("nan")
    raise ValueError(f"unknown sequence op {op!r}")


def derived_record(record: Mapping[str, Any], specs: Sequence[dict]) -> dict[str, Any]:
    """One application (mapping) with the derived values added; bad or missing inputs count as missing."""
    out = dict(record)
    cache: dict[tuple, list[float]] = {}
    for sp in specs:
        key = tuple(sp["cols"])
        if key not in cache:
            cache[key] = [_to_float(record.get(c)) for c in key]
        out[sp["name"]] = _seq_stat_one(sp["op"], cache[key])
    return out


def add_sequence_features(prep: Prepared) -> Prepared:
    """Append sequence aggregates (see :func:`sequence_specs`) to a prepared table as numeric features."""
    specs = sequence_specs(list(prep.X.columns), prep.numeric)
    if not specs:
        return prep
    X = add_derived(prep.X, specs)
    prep.notes.append(f"derived {len(specs)} sequence features: " + ", ".join(s["name"] for s in specs))
    return Prepared(X=X, y=prep.y, numeric=[*prep.numeric, *(s["name"] for s in specs)],
                    categorical=prep.categorical, target_mapping=prep.target_mapping, dropped=prep.dropped,
                    notes=prep.notes, derived=specs)
