"""Credit risk side-by-side: ours vs optbinning 1.0.0 vs toad 0.1.7 vs scorecardpy, one run.

    python benchmarks/bench_risk.py --out bench-results/risk.json [--datasets german,taiwan,gmsc]

For each data set (German, Taiwan, Give Me Some Credit from ../shared/data/credit) and library:
stratified 5-fold CV AUC and KS (same folds, seed 42) and the time of one full fit. For ours also the
LightGBM challenger's CV AUC/KS, single-application decision latency p50/p99 (``score_one`` with
reasons and challenger, in process), batch rows/s (``score_frame``) and peak memory. Every
(library, data set) runs in its own subprocess with a time limit, so a crash, a missing package or
a hang is recorded as such, and peak memory (ru_maxrss) is per run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "credit"
SETS = {
    "german": ("german_credit.csv", "creditability", None),
    "taiwan": ("taiwan_default.csv", "target", "ID"),
    "gmsc": ("give_me_some_credit.csv.gz", "SeriousDlqin2yrs", "id"),
}
ANCHORS = {"german": (0.774, 0.789), "taiwan": (0.771, 0.782), "gmsc": (0.856, 0.866)}
LIBS = ["ours", "optbinning", "toad", "scorecardpy"]
FOLDS, SEED = 5, 42


def load(ds: str) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Features (id dropped), 0/1 target (1 = bad) and the categorical column names."""
    fname, target, idc = SETS[ds]
    df = pd.read_csv(DATA / fname)
    y = df[target]
    y = (y == "bad").astype(int).to_numpy() if y.dtype == object or str(y.dtype) == "str" else y.astype(int).to_numpy()
    X = df.drop(columns=[c for c in (target, idc) if c])
    cats = [c for c in X.columns if X[c].dtype.kind not in "biuf"]
    return X, y, cats


def folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))


def cv_generic(fit_predict, X: pd.DataFrame, y: np.ndarray, cats: list[str]) -> dict:
    from xiaoyin.credit.risk import metrics

    aucs, kss = [], []
    for tr, te in folds(y):
        p = fit_predict(X.iloc[tr].reset_index(drop=True), y[tr], X.iloc[te].reset_index(drop=True), cats)
        aucs.append(metrics.auc(y[te], p))
        kss.append(metrics.ks(y[te], p))
    t = time.perf_counter()
    fit_predict(X, y, X.head(50), cats)
    return {"auc": round(float(np.mean(aucs)), 4), "auc_sd": round(float(np.std(aucs)), 4),
            "ks": round(float(np.mean(kss)), 4), "fit_seconds": round(time.perf_counter() - t, 3)}


# ---- libraries ---------------------------------------------------------------------------------
def fp_optbinning(Xtr, ytr, Xte, cats):
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    bp = BinningProcess(list(Xtr.columns), categorical_variables=cats)
    sc = Scorecard(binning_process=bp, estimator=LogisticRegression(),
                   scaling_method="pdo_odds", scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
    sc.fit(Xtr, ytr)
    return sc.predict_proba(Xte)[:, 1]


def fp_toad(Xtr, ytr, Xte, cats):
    import toad
    from sklearn.linear_model import LogisticRegression

    # toad 0.1.7 indexes pandas-3 Arrow string columns with arrays and crashes; give it object columns
    Xtr = Xtr.astype({c: object for c in cats})
    Xte = Xte.astype({c: object for c in cats})
    tr = Xtr.copy()
    tr["target"] = ytr
    sel = toad.selection.select(tr, target="target", empty=0.9, iv=0.02, corr=0.7)
    if isinstance(sel, tuple):
        sel = sel[0]
    comb = toad.transform.Combiner()
    comb.fit(sel, y="target", method="chi", min_samples=0.05)
    woe = toad.transform.WOETransformer()
    wtr = woe.fit_transform(comb.transform(sel), sel["target"], exclude=["target"])
    feats = [c for c in wtr.columns if c != "target"]
    lr = LogisticRegression(max_iter=1000).fit(wtr[feats], wtr["target"])
    wte = woe.transform(comb.transform(Xte[feats]))
    return lr.predict_proba(wte[feats])[:, 1]


def fp_scorecardpy(Xtr, ytr, Xte, cats):
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression

    tr = Xtr.copy()
    tr["target"] = ytr
    bins = sc.woebin(tr, y="target")
    wtr = sc.woebin_ply(tr, bins)
    feats = [c for c in wtr.columns if c != "target"]
    lr = LogisticRegression(max_iter=1000).fit(wtr[feats], wtr["target"])
    return lr.predict_proba(sc.woebin_ply(Xte, bins)[feats])[:, 1]


def run_ours(X: pd.DataFrame, y: np.ndarray, ds: str) -> dict:
    from xiaoyin.credit.risk.train import train

    df = X.copy()
    df["target"] = y
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        res = train(df, "target", out_dir=Path(d) / ds)
        total = time.perf_counter() - t
        rep, model = res.report, res.model
        recs = X.sample(min(len(X), 1000), random_state=SEED).to_dict("records")
        for r in recs[:50]:
            model.score_one(r)
        lat = []
        for r in recs:
            t0 = time.perf_counter()
            model.score_one(r, top_reasons=3)
            lat.append(time.perf_counter() - t0)
        lat_sc = []
        for r in recs:
            t0 = time.perf_counter()
            model.score_one(r, top_reasons=3, challenger=False)
            lat_sc.append(time.perf_counter() - t0)
        big = pd.concat([X] * max(1, 100_000 // len(X)), ignore_index=True)
        t0 = time.perf_counter()
        model.score_frame(big)
        rps = len(big) / (time.perf_counter() - t0)
    cv = rep["cv"]
    return {"auc": cv["scorecard"]["auc"], "auc_sd": cv["scorecard"]["auc_sd"], "ks": cv["scorecard"]["ks"],
            "challenger_auc": cv["challenger"]["auc"], "challenger_auc_sd": cv["challenger"]["auc_sd"],
            "challenger_ks": cv["challenger"]["ks"], "fit_seconds": rep["fit_seconds"],
            "fit_seconds_scorecard": rep["fit_seconds_scorecard"], "cv_seconds": rep["cv_seconds"],
            "train_total_seconds": round(total, 2), "features": len(model.features),
            "latency_ms_p50": round(float(np.percentile(lat, 50)) * 1e3, 3),
            "latency_ms_p99": round(float(np.percentile(lat, 99)) * 1e3, 3),
            "latency_ms_p50_no_challenger": round(float(np.percentile(lat_sc, 50)) * 1e3, 3),
            "latency_ms_p99_no_challenger": round(float(np.percentile(lat_sc, 99)) * 1e3, 3),
            "batch_rows_per_s": round(rps), "batch_rows": len(big)}


def child(lib: str, ds: str) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    if lib == "toad":  # toad 0.1.7 crashes on pandas-3 Arrow-backed string columns/indexes (selection.drop_iv)
        pd.set_option("future.infer_string", False)
    X, y, cats = load(ds)
    out: dict = {"lib": lib, "dataset": ds, "rows": len(y), "features_in": X.shape[1]}
    try:
        if lib == "ours":
            out.update(run_ours(X, y, ds))
        else:
            fp = {"optbinning": fp_optbinning, "toad": fp_toad, "scorecardpy": fp_scorecardpy}[lib]
            out.update(cv_generic(fp, X, y, cats))
        out["status"] = "ok"
    except Exception as exc:  # a library failing is a result, not a benchmark crash
        out["status"] = "error"
        out["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["trace_tail"] = traceback.format_exc().splitlines()[-4:]
    out["peak_mem_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def markdown(results: list[dict]) -> str:
    lines = ["| data set | library | CV AUC | CV KS | fit s | anchor (WOE-LR / LGBM) | p50 / p99 ms | rows/s | peak MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        a = ANCHORS[r["dataset"]]
        if r.get("status") != "ok":
            lines.append(f"| {r['dataset']} | {r['lib']} | {r.get('status')}: {r.get('error', '')[:80]} | | | "
                         f"{a[0]} / {a[1]} | | | {r.get('peak_mem_mb', '')} |")
            continue
        lat = f"{r['latency_ms_p50']} / {r['latency_ms_p99']}" if "latency_ms_p50" in r else ""
        rps = f"{r['batch_rows_per_s']:,}" if "batch_rows_per_s" in r else ""
        lines.append(f"| {r['dataset']} | {r['lib']} (scorecard) | {r['auc']} | {r['ks']} | "
                     f"{r.get('fit_seconds_scorecard', r['fit_seconds'])} | {a[0]} / {a[1]} | {lat} | {rps} | "
                     f"{r['peak_mem_mb']} |")
        if "challenger_auc" in r:
            lines.append(f"| {r['dataset']} | ours (LightGBM challenger) | {r['challenger_auc']} | "
                         f"{r['challenger_ks']} | {r['fit_seconds']} (both) | | | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=REPO / "bench-results" / "risk.json")
    ap.add_argument("--datasets", default="german,taiwan,gmsc")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--timeout", type=float, default=900, help="seconds per (library, data set)")
    ap.add_argument("--child", nargs=2, metavar=("LIB", "DATASET"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    if not DATA.exists():
        sys.exit(f"data not found: {DATA}")
    results = []
    for ds in args.datasets.split(","):
        for lib in args.libs.split(","):
            t = time.perf_counter()
            try:
                p = subprocess.run([sys.executable, __file__, "--child", lib, ds], capture_output=True, text=True,
                                   timeout=args.timeout, cwd=REPO)
                last = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
                r = json.loads(last[-1]) if last else {"lib": lib, "dataset": ds, "status": "crash",
                                                       "error": (p.stderr or "")[-300:]}
            except subprocess.TimeoutExpired:
                r = {"lib": lib, "dataset": ds, "status": "timeout", "error": f"> {args.timeout:.0f} s"}
            r["wall_seconds"] = round(time.perf_counter() - t, 1)
            results.append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    md = markdown(results)
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                                                "platform": platform.platform()},
                                    "folds": FOLDS, "seed": SEED, "anchors": ANCHORS, "results": results,
                                    "markdown": md}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
