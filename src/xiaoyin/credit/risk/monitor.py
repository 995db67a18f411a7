"""Model monitoring: score PSI, per-feature CSI, KS/AUC by time window, alerts, standalone HTML report.

The baseline is a frame (scored here) or, without one, what training stored in the model: the
score distribution in ``meta["score_distribution"]`` (``{"edges", "counts"}``) and the training
counts of each feature's bins (always in ``model.json``). Rules of thumb: PSI < 0.1 stable,
0.1-0.25 investigate, >= 0.25 significant shift.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.jsonutil import to_jsonable
from xiaoyin.credit.risk import metrics

if TYPE_CHECKING:
    from xiaoyin.credit.risk.model import ScorecardModel

_EPS = 1e-6


@dataclass
class Thresholds:
    """Alert levels; ``warn`` at or above the first, ``alert`` at or above the second."""

    psi_warn: float = 0.10
    psi_alert: float = 0.25
    csi_warn: float = 0.10
    csi_alert: float = 0.25
    auc_warn: float = 0.65  # warn when a window's AUC falls below
    ks_warn: float = 0.20  # warn when a window's KS falls below
    min_window_rows: int = 30  # windows smaller than this get no AUC/KS


@dataclass
class MonitorReport:
    model_name: str
    model_version: str
    rows: int
    baseline: str  # "data" | "model"
    baseline_rows: int
    score_psi: float
    score_table: list[dict[str, Any]]
    csi: list[dict[str, Any]]
    performance: list[dict[str, Any]]
    overall: dict[str, Any]
    alerts: list[dict[str, Any]]
    thresholds: Thresholds
    status: str  # ok | warn | alert
    score_summary: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(asdict(self))


def _psi_counts(e: np.ndarray, a: np.ndarray) -> float:
    pe = np.clip(e / max(e.sum(), 1), _EPS, None)
    pa = np.clip(a / max(a.sum(), 1), _EPS, None)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


def _level(value: float, warn: float, alert: float) -> str:
    if not math.isfinite(value):
        return "ok"
    return "alert" if value >= alert else "warn" if value >= warn else "ok"


def _label(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "1" if v else "0"
    if isinstance(v, int | float | np.integer | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip().lower()


def outcomes(values: pd.Series, mapping: dict) -> np.ndarray:
    """Map an outcome column to 1 (bad) / 0 (good) / NaN with the model's target mapping."""
    if mapping:
        norm = {_label(k): float(v) for k, v in mapping.items()}
        return values.map(lambda v: np.nan if pd.isna(v) else norm.get(_label(v), np.nan)).to_numpy(dtype=float)
    from xiaoyin.credit.risk.data import map_target

    return map_target(values, str(values.name))[0]


def _score_edges(base: np.ndarray, bins: int) -> np.ndarray:
    return np.unique(np.quantile(base, np.linspace(0, 1, bins + 1))[1:-1])


def _score_table(edges: np.ndarray, e_counts: np.ndarray, new: np.ndarray) -> tuple[float, list[dict]]:
    a_counts = np.bincount(np.searchsorted(edges, new, side="right"), minlength=len(edges) + 1).astype(float)
    lows = np.r_[-np.inf, edges]
    highs = np.r_[edges, np.inf]
    table = []
    te, ta = max(e_counts.sum(), 1), max(a_counts.sum(), 1)
    for lo, hi, ce, ca in zip(lows, highs, e_counts, a_counts, strict=True):
        lab = f"[{'-∞' if not np.isfinite(lo) else f'{lo:.0f}'}, {'+∞' if not np.isfinite(hi) else f'{hi:.0f}'})"
        pe, pa = ce / te, ca / ta
        table.append({"bin": lab, "expected_pct": pe, "actual_pct": pa,
                      "psi": (max(pa, _EPS) - max(pe, _EPS)) * math.log(max(pa, _EPS) / max(pe, _EPS))})
    return _psi_counts(e_counts, a_counts), table


def _windows(df: pd.DataFrame, time_col: str, freq: str) -> pd.Series:
    raw = df[time_col]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(str)
    t = pd.to_datetime(raw, errors="coerce", format="mixed")
    if t.notna().mean() >= 0.8:
        return t.dt.to_period(freq).astype(str).where(t.notna(), None)
    return raw.astype(str)


def _perf(y: np.ndarray, pd_: np.ndarray) -> dict[str, Any]:
    keep = np.isfinite(y)
    y, p = y[keep], pd_[keep]
    both = len(y) and 0 < y.sum() < len(y)
    return {"rows": int(len(y)), "bads": int(y.sum()), "bad_rate": float(y.mean()) if len(y) else float("nan"),
            "auc": metrics.auc(y, p) if both else float("nan"), "ks": metrics.ks(y, p) if both else float("nan")}


def monitor(
    model: ScorecardModel,
    new_df: pd.DataFrame,
    *,
    baseline_df: pd.DataFrame | None = None,
    time_col: str | None = None,
    target: str | None = None,
    thresholds: Thresholds | None = None,
    bins: int = 10,
    freq: str = "M",
) -> MonitorReport:
    """Compare ``new_df`` with the baseline; performance by ``time_col`` window when ``target`` is given."""
    th = thresholds or Thresholds()
    if not isinstance(new_df, pd.DataFrame) or new_df.empty:
        raise InvalidInput("监控数据为空 / monitoring data is empty")
    for col, what in ((time_col, "时间列"), (target, "结果列")):
        if col and col not in new_df.columns:
            raise InvalidInput(f"监控数据缺少{what} {col} / column '{col}' not found")
    present = [f for f in model.features if f in new_df.columns]
    if not present:
        raise InvalidInput(f"监控数据不含模型的任何特征（{', '.join(model.features[:8])}…）")
    scored = model.score_frame(new_df)
    new_scores = scored["score"].to_numpy(dtype=float)

    # --- score PSI
    if baseline_df is not None:
        if baseline_df.empty:
            raise InvalidInput("基准数据为空 / baseline data is empty")
        base_scores = model.score_frame(baseline_df)["score"].to_numpy(dtype=float)
        edges = _score_edges(base_scores, bins)
        e_counts = np.bincount(np.searchsorted(edges, base_scores, side="right"),
                               minlength=len(edges) + 1).astype(float)
        baseline, base_rows = "data", len(baseline_df)
    else:
        dist = (model.meta or {}).get("score_distribution") or {}
        if not dist.get("edges") or not dist.get("counts"):
            raise InvalidInput("模型未保存训练期评分分布，请提供基准数据（baseline）")
        edges = np.asarray(dist["edges"], dtype=float)
        e_counts = np.asarray(dist["counts"], dtype=float)
        if len(e_counts) != len(edges) + 1:
            raise InvalidInput("模型中的评分分布格式有误（counts 应比 edges 多一个）")
        baseline, base_rows = "model", int(e_counts.sum())
    score_psi, table = _score_table(edges, e_counts, new_scores)

    # --- CSI per feature on bin labels
    new_labels = model.bin_labels(new_df)
    base_labels = model.bin_labels(baseline_df) if baseline_df is not None else None
    csi = []
    for f in model.features:
        fb = model.bins[f]
        a = new_labels[f].value_counts().reindex(fb.labels, fill_value=0).to_numpy(dtype=float)
        if base_labels is not None:
            e = base_labels[f].value_counts().reindex(fb.labels, fill_value=0).to_numpy(dtype=float)
        else:
            e = np.asarray(fb.count, dtype=float)
        value = _psi_counts(e, a)
        csi.append({"feature": f, "csi": value, "status": _level(value, th.csi_warn, th.csi_alert),
                    "in_data": f in new_df.columns,
                    "bins": [{"bin": lab, "expected_pct": float(ce / max(e.sum(), 1)),
                              "actual_pct": float(ca / max(a.sum(), 1))}
                             for lab, ce, ca in zip(fb.labels, e, a, strict=True) if ce or ca]})
    csi.sort(key=lambda r: -r["csi"])

    # --- performance when outcomes exist
    performance: list[dict[str, Any]] = []
    overall: dict[str, Any] = {}
    if target:
        y = outcomes(new_df[target], model.target_mapping)
        p = scored["pd"].to_numpy(dtype=float)
        overall = _perf(y, p)
        if time_col:
            w = _windows(new_df, time_col, freq)
            for key in sorted(k for k in w.dropna().unique()):
                m = (w == key).to_numpy()
                row = _perf(y[m], p[m])
                if row["rows"] < th.min_window_rows:
                    row["auc"] = row["ks"] = float("nan")
                performance.append({"window": str(key), **row})

    # --- alerts
    alerts: list[dict[str, Any]] = []
    lvl = _level(score_psi, th.psi_warn, th.psi_alert)
    if lvl != "ok":
        alerts.append({"level": lvl, "metric": "score_psi", "subject": "score", "value": score_psi,
                       "message": f"评分分布PSI={score_psi:.3f}，{'显著偏移' if lvl == 'alert' else '需关注'}"})
    for r in csi:
        if r["status"] != "ok":
            alerts.append({"level": r["status"], "metric": "csi", "subject": r["feature"], "value": r["csi"],
                           "message": f"特征 {r['feature']} 的CSI={r['csi']:.3f}，"
                                      f"{'显著偏移' if r['status'] == 'alert' else '需关注'}"})
    for r in ([{"window": "全部", **overall}] if overall else []) + performance:
        for key, low in (("auc", th.auc_warn), ("ks", th.ks_warn)):
            v = r.get(key, float("nan"))
            if math.isfinite(v) and v < low:
                alerts.append({"level": "warn", "metric": key, "subject": r["window"], "value": v,
                               "message": f"{r['window']} 的{key.upper()}={v:.3f}，低于{low:g}"})
    status = "alert" if any(a["level"] == "alert" for a in alerts) else "warn" if alerts else "ok"
    summary = {"mean": float(np.mean(new_scores)), "p10": float(np.quantile(new_scores, 0.1)),
               "p50": float(np.median(new_scores)), "p90": float(np.quantile(new_scores, 0.9))}
    return MonitorReport(model_name=model.name, model_version=model.version, rows=len(new_df), baseline=baseline,
                         baseline_rows=base_rows, score_psi=score_psi, score_table=table, csi=csi,
                         performance=performance, overall=overall, alerts=alerts, thresholds=th, status=status,
                         score_summary=summary)


# ---------------------------------------------------------------- HTML report


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _charts(report: MonitorReport) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out = []
    t = report.score_table
    x = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.bar(x - 0.2, [r["expected_pct"] for r in t], 0.4, label="baseline")
    ax.bar(x + 0.2, [r["actual_pct"] for r in t], 0.4, label="current")
    ax.set_xticks(x, [r["bin"] for r in t], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share")
    ax.set_title(f"Score distribution (PSI = {report.score_psi:.3f})")
    ax.legend()
    out.append(("评分分布 Score distribution", _png(fig)))

    top = report.csi[:20]
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.3 * len(top) + 1)))
    colors = ["#c0392b" if r["status"] == "alert" else "#e67e22" if r["status"] == "warn" else "#27ae60" for r in top]
    ax.barh(range(len(top))[::-1], [r["csi"] for r in top], color=colors)
    ax.set_yticks(range(len(top))[::-1], [str(r["feature"])[:30] for r in top], fontsize=7)
    ax.axvline(report.thresholds.csi_warn, ls="--", c="#e67e22")
    ax.axvline(report.thresholds.csi_alert, ls="--", c="#c0392b")
    ax.set_xlabel("CSI")
    out.append(("特征稳定性 CSI by feature", _png(fig)))

    perf = [r for r in report.performance if math.isfinite(r.get("auc", float("nan")))]
    if perf:
        fig, ax = plt.subplots(figsize=(8, 3.2))
        ax.plot([r["window"] for r in perf], [r["auc"] for r in perf], marker="o", label="AUC")
        ax.plot([r["window"] for r in perf], [r["ks"] for r in perf], marker="s", label="KS")
        ax.tick_params(axis="x", rotation=45, labelsize=7)
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title("Discrimination by window")
        out.append(("区分能力 AUC / KS by window", _png(fig)))
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "—" if not math.isfinite(v) else f"{v:.4f}"
    return html.escape(str(v))


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(r.get(c, ''))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}
th{background:#f3f3f3}.ok{color:#27ae60}.warn{color:#e67e22}.alert{color:#c0392b;font-weight:bold}
img{max-width:100%}"""


def write_html(report: MonitorReport, path: str | Path) -> Path:
    """Write a self-contained HTML report (inline CSS and base64 PNG charts, no external assets)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    status_zh = {"ok": "稳定", "warn": "需关注", "alert": "告警"}
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>模型监控报告 {html.escape(report.model_name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>模型监控报告：{html.escape(report.model_name)}（版本 {html.escape(report.model_version)}）</h1>",
        f"<p>总体状态：<span class='{html.escape(report.status)}'>{status_zh.get(report.status, report.status)}"
        f"</span>；监控样本 {report.rows} 行；基准：{'数据' if report.baseline == 'data' else '训练期分布'}"
        f"（{report.baseline_rows} 行）；评分PSI = {_fmt(report.score_psi)}</p>",
        "<h2>告警</h2>",
        _table(report.alerts, ["level", "metric", "subject", "value", "message"]) if report.alerts else "<p>无</p>",
    ]
    for title, uri in _charts(report):
        parts.append(f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' src='{uri}'>")
    parts.append("<h2>评分分布明细</h2>" + _table(report.score_table, ["bin", "expected_pct", "actual_pct", "psi"]))
    parts.append("<h2>特征稳定性（CSI）</h2>" + _table(report.csi, ["feature", "csi", "status", "in_data"]))
    if report.overall:
        parts.append("<h2>整体区分能力</h2>" + _table([report.overall], ["rows", "bads", "bad_rate", "auc", "ks"]))
    if report.performance:
        parts.append("<h2>分时间窗口表现</h2>"
                     + _table(report.performance, ["window", "rows", "bads", "bad_rate", "auc", "ks"]))
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
