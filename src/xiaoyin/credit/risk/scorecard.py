"""WOE scorecard: feature selection (IV, correlation), logistic regression, points scaling, export."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from xiaoyin.credit.risk.binning import FeatureBins, woe_matrix
from xiaoyin.credit.risk.model import ScorecardModel, feature_label_zh


@dataclass
class Scaling:
    """Points scaling: ``base_score`` points at good:bad odds ``base_odds``; odds double every ``pdo``."""

    pdo: float = 20.0
    base_odds: float = 50.0
    base_score: float = 600.0

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def as_dict(self) -> dict[str, float]:
        return {"pdo": self.pdo, "base_odds": self.base_odds, "base_score": self.base_score,
                "factor": self.factor, "offset": self.offset}


def select_features(bins: dict[str, FeatureBins], W: np.ndarray, names: Sequence[str], min_iv: float,
                    max_corr: float) -> tuple[list[str], list[dict[str, str]]]:
    """Keep features with IV >= ``min_iv``; of each pair with |corr(WOE)| > ``max_corr`` drop the lower IV."""
    dropped: list[dict[str, str]] = []
    order = sorted(range(len(names)), key=lambda j: -bins[names[j]].iv)
    cand = []
    for j in order:
        iv = bins[names[j]].iv
        if iv < min_iv:
            dropped.append({"name": names[j], "reason": f"IV {iv:.4f} < min_iv {min_iv}"})
        else:
            cand.append(j)
    if not cand:
        return [], dropped
    sd = W[:, cand].std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(W[:, cand], rowvar=False) if len(cand) > 1 else np.ones((1, 1))
    kept: list[int] = []
    for a, j in enumerate(cand):
        if sd[a] == 0:
            dropped.append({"name": names[j], "reason": "constant WOE"})
            continue
        clash = next((b for b in kept if abs(corr[a, b]) > max_corr), None)
        if clash is not None:
            other = names[cand[clash]]
            dropped.append({"name": names[j], "reason": f"WOE correlation {corr[a, clash]:.2f} with {other} "
                                                        f"(higher IV) > max_corr {max_corr}"})
        else:
            kept.append(a)
    return [names[cand[a]] for a in kept], dropped


def fit_logistic(W: np.ndarray, y: np.ndarray, names: Sequence[str], C: float = 1.0, *,
                 positive_only: bool = True) -> tuple[list[str], np.ndarray, float, list[dict[str, str]]]:
    """Fit LR (lbfgs) on WOE; with ``positive_only`` drop features whose coefficient is not positive and refit."""
    names = list(names)
    cols = list(range(len(names)))
    dropped: list[dict[str, str]] = []
    while cols:
        lr = LogisticRegression(C=C, solver="lbfgs", max_iter=1000)
        lr.fit(W[:, cols], y)
        coef = lr.coef_[0]
        bad = [k for k in range(len(cols)) if coef[k] <= 0] if positive_only else []
        if not bad:
            return [names[c] for c in cols], coef, float(lr.intercept_[0]), dropped
        worst = min(bad, key=lambda k: coef[k])
        dropped.append({"name": names[cols[worst]],
                        "reason": f"non-positive LR coefficient {coef[worst]:.3f} on WOE (collinearity)"})
        cols.pop(worst)
    return [], np.empty(0), 0.0, dropped


C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def choose_C(W: np.ndarray, y: np.ndarray, grid: Sequence[float] = C_GRID, folds: int = 3, seed: int = 42) -> float:
    """L2 strength by inner stratified CV AUC on the (training-fold) WOE matrix; ties go to the stronger penalty."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    if W.shape[1] == 0 or min(int(y.sum()), len(y) - int(y.sum())) < 2 * folds:
        return 1.0
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(W, y))
    best, best_auc = float(grid[-1]), -1.0
    for c in sorted(grid):
        aucs = [roc_auc_score(y[te], LogisticRegression(C=c, solver="lbfgs", max_iter=1000).fit(W[tr], y[tr])
                              .decision_function(W[te])) for tr, te in splits]
        auc = float(np.mean(aucs))
        if auc > best_auc + 1e-4:
            best, best_auc = c, auc
    return best


def bin_points(fb: FeatureBins, coef: float, intercept: float, n: int, scaling: Scaling) -> list[float]:
    """Points per bin: -(coef*woe + intercept/n)*factor + offset/n, rounded to 2 decimals."""
    return [round(-(coef * w + intercept / n) * scaling.factor + scaling.offset / n, 2) for w in fb.woe]


def build_scorecard(bins: dict[str, FeatureBins], X: pd.DataFrame, y: np.ndarray, *, min_iv: float,
                    max_corr: float, scaling: Scaling, name: str, target: str, target_mapping: dict,
                    C: float | str = 1.0, positive_only: bool = True, seed: int = 42
                    ) -> tuple[ScorecardModel, list[dict[str, str]]]:
    """Select features, fit LR and scale points; return the model (no challenger) and dropped features.

    ``C="auto"`` picks the L2 strength by inner CV on the training rows only (see :func:`choose_C`).
    """
    from xiaoyin.core.errors import InvalidInput

    names = list(bins)
    W = woe_matrix(bins, X, names)
    selected, dropped = select_features(bins, W, names, min_iv, max_corr)
    if not selected:
        raise InvalidInput(f"没有特征通过筛选（IV >= {min_iv}）/ no feature passed selection (IV >= {min_iv}); "
                           "the columns carry no signal about the target")
    Ws = W[:, [names.index(f) for f in selected]]
    c_used = choose_C(Ws, y, seed=seed) if C == "auto" else float(C)
    feats, coef, intercept, dropped_lr = fit_logistic(Ws, y, selected, c_used, positive_only=positive_only)
    dropped += dropped_lr
    if not feats:
        raise InvalidInput("逻辑回归没有留下任何特征 / logistic regression kept no feature")
    n = len(feats)
    coefs = {f: float(c) for f, c in zip(feats, coef, strict=True)}
    points = {f: bin_points(bins[f], coefs[f], intercept, n, scaling) for f in feats}
    model = ScorecardModel(name=name, target=target, target_mapping=target_mapping, features=feats,
                           bins={f: bins[f] for f in feats}, coefs=coefs, intercept=intercept,
                           scaling=scaling.as_dict(), points=points, meta={"lr_C": c_used})
    return model, dropped


def scorecard_table(model: ScorecardModel) -> pd.DataFrame:
    """The scorecard as a flat table: one row per feature bin."""
    rows = []
    for f in model.features:
        b = model.bins[f]
        tot = max(sum(b.count), 1)
        for i, lab in enumerate(b.labels):
            cnt, bad = b.count[i], b.bad[i]
            rows.append({"feature": f, "feature_zh": feature_label_zh(f), "bin": lab, "count": cnt,
                         "count_share": round(cnt / tot, 4), "bad": bad,
                         "bad_rate": round(bad / cnt, 4) if cnt else None, "woe": b.woe[i],
                         "iv": b.iv, "coef": round(model.coefs[f], 6), "points": model.points[f][i]})
    return pd.DataFrame(rows)


def export_scorecard(model: ScorecardModel, out_dir: Path) -> tuple[Path, Path]:
    """Write ``scorecard.csv`` (UTF-8 with BOM for Excel) and a formatted ``scorecard.xlsx``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    table = scorecard_table(model)
    csv_path, xlsx_path = Path(out_dir) / "scorecard.csv", Path(out_dir) / "scorecard.xlsx"
    table.to_csv(csv_path, index=False, encoding="utf-8-sig")
    wb = Workbook()
    ws = wb.active
    ws.title = "评分卡 scorecard"
    sc = model.scaling
    ws.append([f"评分卡 {model.name}  (PDO={sc['pdo']:g}, 基准分={sc['base_score']:g} @ 好坏比 "
               f"{sc['base_odds']:g}:1)  version {model.version or '-'}"])
    ws["A1"].font = Font(bold=True, size=13)
    headers = ["特征 feature", "中文名", "分箱 bin", "样本数", "占比", "坏样本数", "坏账率", "WOE", "IV", "系数",
               "分数 points"]
    ws.append(headers)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in range(1, len(headers) + 1):
        cell = ws.cell(row=2, column=c)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center")
    prev = None
    for r in table.itertuples(index=False):
        ws.append([r.feature if r.feature != prev else "", r.feature_zh if r.feature != prev else "", r.bin,
                   r.count, r.count_share, r.bad, r.bad_rate, r.woe, r.iv if r.feature != prev else None,
                   r.coef if r.feature != prev else None, r.points])
        prev = r.feature
    for row in ws.iter_rows(min_row=3):
        row[4].number_format = "0.0%"
        row[6].number_format = "0.0%"
        row[7].number_format = "0.000"
        row[8].number_format = "0.000"
        row[10].number_format = "0.00"
    for c, w in enumerate([28, 16, 44, 9, 8, 9, 9, 9, 8, 9, 10], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = "A3"
    wb.save(xlsx_path)
    return csv_path, xlsx_path
