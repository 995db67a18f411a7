"""Credit risk side-by-side: ours vs optbinning 1.0.0 vs toad 0.1.7 vs scorecardpy, one run.

    python benchmarks/bench_risk.py --out bench-results/risk.json [--datasets german,taiwan,gmsc]

For each data set (German, Taiwan, Give Me Some Credit from ../shared/data/credit) and library:
stratified 5-fold CV AUC and KS (same folds, seed 42) and the time of one full fit. For ours also the
LightGBM challenger's CV AUC/KS, single-application decision latency p50/p99 (``score_one`` with
reasons and challenger, in process), the decision latency over HTTP (``xiaoyin serve`` in a subprocess,
``POST /api/risk/decide`` on the registered model, policy rules and the stored decision included; for
the data sets in ``--http``), batch rows/s (``score_frame``) and peak memory. Every
(library, data set) runs in its own subprocess with a time limit, so a crash, a missing package or
a hang is recorded as such, and peak memory (ru_maxrss) is per run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import socket
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
HTTP_REQUESTS = 500
XIAOYIN = Path(sys.executable).with_name("xiaoyin")


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


def _json_row(rec: dict) -> dict:
    """A record as JSON-safe values (NaN -> null, numpy scalars -> Python)."""
    out = {}
    for k, v in rec.items():
        if isinstance(v, np.generic):
            v = v.item()
        out[k] = None if isinstance(v, float) and not math.isfinite(v) else v
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_latency(model_dir: Path, X: pd.DataFrame, name: str, n: int = HTTP_REQUESTS) -> dict:
    """Register ``model_dir`` in a fresh XIAOYIN_HOME, start ``xiaoyin serve`` and time ``n`` decisions over HTTP."""
    import httpx

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "XIAOYIN_HOME": home}
        reg = subprocess.run([str(XIAOYIN), "risk", "register", str(model_dir), "--name", name], env=env,
                             capture_output=True, text=True, timeout=120)
        if reg.returncode:
            raise RuntimeError(f"register failed: {(reg.stderr or reg.stdout)[-300:]}")
        port = _free_port()
        log = open(Path(home) / "serve.log", "w")  # closed in finally
        srv = subprocess.Popen([str(XIAOYIN), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            t_start = time.perf_counter()
            with httpx.Client(base_url=base, timeout=10) as client:
                while True:
                    try:
                        if client.get("/api/risk/models").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if srv.poll() is not None or time.perf_counter() - t_start > 90:
                        raise RuntimeError(f"server did not start: {(Path(home) / 'serve.log').read_text()[-300:]}")
                    time.sleep(0.2)
                startup = time.perf_counter() - t_start
                recs = [_json_row(r) for r in X.sample(n, replace=len(X) < n, random_state=SEED + 1)
                        .to_dict("records")]
                for r in recs[:20]:  # warm-up: imports, first DB writes
                    client.post("/api/risk/decide", json={"model": name, "application": r}).raise_for_status()
                lat, outcomes = [], {}
                for r in recs:
                    t0 = time.perf_counter()
                    resp = client.post("/api/risk/decide", json={"model": name, "application": r})
                    lat.append(time.perf_counter() - t0)
                    resp.raise_for_status()
                    o = resp.json().get("outcome")
                    outcomes[o] = outcomes.get(o, 0) + 1
        finally:
            srv.terminate()
            try:
                srv.wait(timeout=15)
            except subprocess.TimeoutExpired:
                srv.kill()
            log.close()
    return {"http_requests": n, "http_ms_p50": round(float(np.percentile(lat, 50)) * 1e3, 3),
            "http_ms_p99": round(float(np.percentile(lat, 99)) * 1e3, 3),
            "http_ms_max": round(float(np.max(lat)) * 1e3, 3), "http_outcomes": outcomes,
            "http_server_start_s": round(startup, 2)}


def run_ours(X: pd.DataFrame, y: np.ndarray, ds: str, http: bool = False) -> dict:
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
        web = http_latency(Path(d) / ds, X, ds) if http else {}
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
            "batch_rows_per_s": round(rps), "batch_rows": len(big), **web}


def child(lib: str, ds: str, http: bool = False) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    if lib == "toad":  # toad 0.1.7 crashes on pandas-3 Arrow-backed string columns/indexes (selection.drop_iv)
        pd.set_option("future.infer_string", False)
    X, y, cats = load(ds)
    out: dict = {"lib": lib, "dataset": ds, "rows": len(y), "features_in": X.shape[1]}
    try:
        if lib == "ours":
            out.update(run_ours(X, y, ds, http=http))
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
    """One Markdown table: AUC/KS/fit per (data set, library), plus ours' latency and throughput."""
    lines = ["| data set | library | CV AUC (sd) | CV KS | fit s | anchor AUC (WOE-LR / LGBM) | in-process p50 / p99 ms "
             "| HTTP p50 / p99 ms | batch rows/s | peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        a = ANCHORS[r["dataset"]]
        if r.get("status") != "ok":
            lines.append(f"| {r['dataset']} | {r['lib']} | {r.get('status')}: {r.get('error', '')[:80]} | | | "
                         f"{a[0]} / {a[1]} | | | | {r.get('peak_mem_mb', '')} |")
            continue
        lat = f"{r['latency_ms_p50']} / {r['latency_ms_p99']}" if "latency_ms_p50" in r else ""
        web = f"{r['http_ms_p50']} / {r['http_ms_p99']}" if "http_ms_p50" in r else ""
        rps = f"{r['batch_rows_per_s']:,}" if "batch_rows_per_s" in r else ""
        name = f"{r['lib']} (scorecard)" if r["lib"] == "ours" else r["lib"]
        lines.append(f"| {r['dataset']} | {name} | {r['auc']} ({r['auc_sd']}) | {r['ks']} | "
                     f"{r.get('fit_seconds_scorecard', r['fit_seconds'])} | {a[0]} / {a[1]} | {lat} | {web} | {rps} | "
                     f"{r['peak_mem_mb']} |")
        if "challenger_auc" in r:
            lines.append(f"| {r['dataset']} | ours (LightGBM challenger) | {r['challenger_auc']} "
                         f"({r['challenger_auc_sd']}) | {r['challenger_ks']} | {r['fit_seconds']} (both) | | | | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=REPO / "bench-results" / "risk.json")
    ap.add_argument("--datasets", default="german,taiwan,gmsc")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--timeout", type=float, default=900, help="seconds per (library, data set)")
    ap.add_argument("--http", default="german", help="data sets whose model is also timed over HTTP ('' for none)")
    ap.add_argument("--md", type=Path, default=None, help="also write the Markdown table here (default: --out with .md)")
    ap.add_argument("--child", nargs=2, metavar=("LIB", "DATASET"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    http_sets = {d for d in args.http.split(",") if d}
    if args.child:
        print(json.dumps(child(*args.child, http=args.child[1] in http_sets)))
        return
    if not DATA.exists():
        sys.exit(f"data not found: {DATA}")
    results = []
    for ds in args.datasets.split(","):
        for lib in args.libs.split(","):
            t = time.perf_counter()
            try:
                p = subprocess.run([sys.executable, __file__, "--child", lib, ds, "--http", args.http],
                                   capture_output=True, text=True, timeout=args.timeout, cwd=REPO)
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
    md_path = args.md or args.out.with_suffix(".md")
    md_path.write_text(f"# Credit risk benchmark\n\n{FOLDS}-fold stratified CV (seed {SEED}, same folds for every "
                       f"library; binning refit inside each fold), {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}. Fit = one fit on all rows (ours: scorecard; 'both' adds the "
                       f"challenger). In-process latency: `score_one` with reasons and challenger; HTTP: "
                       f"`POST /api/risk/decide` ({HTTP_REQUESTS} requests, one keep-alive client, policy + stored "
                       f"decision included).\n\n{md}\n", encoding="utf-8")
    args.out.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                                "platform": platform.platform()},
                                    "folds": FOLDS, "seed": SEED, "anchors": ANCHORS, "results": results,
                                    "markdown": md}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
