#!/usr/bin/python3
"""bench/learn/peers.py DATADIR [RUNS]: the learning peers on derush-bench-learn's data.

photo-derush calls a CalibratedClassifierCV around a boosted model once per photo
(predict_proba, 0.12 s a call in its profile). Here, on the same 1,000 labels and
100,000 photos as derush-bench-learn (DATADIR/x.f32, y.f32, shape.txt):

  sklearn   CalibratedClassifierCV(sigmoid, 5 folds) around a pipeline of
            SimpleImputer + StandardScaler + GradientBoostingClassifier (120 trees
            of depth 4, learning rate 0.1, subsample 0.8: derush's parameters at
            1,000 labels; scikit-learn's GradientBoosting takes no NaN): fit;
            predict_proba per photo (photo-derush's pattern: 200 calls, the time
            of 100,000 extrapolated) and batched (100,000 rows in one call);
            pickle load.
  xgboost   python3-xgboost with derush's parameters (hist, 120 rounds, depth 4,
            eta 0.1, subsample and colsample 0.8, max_bin 32): train, inplace_predict
            of 100,000 rows, load from the saved bytes.

One JSON object per measure on stdout (median of RUNS, default 5). A peer that is
not installed prints {"tool", "error"} and is skipped.
"""
import json
import os
import pickle
import statistics
import sys
import time

import numpy as np

PER_PHOTO_CALLS = 200


CPU = []  # the CPU seconds (every thread) of the last timed() call's runs


def timed(fn, runs):
    """Median and minimum wall seconds of runs calls; their CPU seconds in CPU."""
    times = []
    CPU.clear()
    out = None
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
    return statistics.median(times), min(times), out


def emit(tool, measure, rows, med, mn, runs, note=None, scale=1.0):
    row = {"tool": tool, "measure": measure, "rows": rows, "median_s": round(med, 5),
           "min_s": round(mn, 5), "cpu_s": round(statistics.median(CPU) * scale, 5), "runs": runs}
    if note:
        row["note"] = note
    print(json.dumps(row), flush=True)


def bench_sklearn(x, y, xl, runs):
    try:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError as e:
        print(json.dumps({"tool": "sklearn", "error": str(e)}), flush=True)
        return

    def fit():
        gb = GradientBoostingClassifier(n_estimators=120, max_depth=4, learning_rate=0.1,
                                        subsample=0.8, random_state=0)
        model = CalibratedClassifierCV(make_pipeline(SimpleImputer(), StandardScaler(), gb),
                                       method="sigmoid", cv=5)
        return model.fit(xl, y)

    med, mn, model = timed(fit, max(1, runs // 2))
    emit("sklearn", "train_fit_cv", len(y), med, mn, max(1, runs // 2),
         "CalibratedClassifierCV(5 folds) + final models")

    def per_photo():
        for i in range(PER_PHOTO_CALLS):
            model.predict_proba(x[i:i + 1])
    med, mn, _ = timed(per_photo, runs)
    emit("sklearn", "predict_per_photo", len(x), med / PER_PHOTO_CALLS * len(x),
         mn / PER_PHOTO_CALLS * len(x), runs,
         f"predict_proba one photo a call ({PER_PHOTO_CALLS} calls timed, x {len(x)})",
         scale=len(x) / PER_PHOTO_CALLS)
    med, mn, _ = timed(lambda: model.predict_proba(x), runs)
    emit("sklearn", "predict_calibrated", len(x), med, mn, runs, "predict_proba, one call")
    blob = pickle.dumps(model)
    med, mn, _ = timed(lambda: pickle.loads(blob), runs)
    emit("sklearn", "load_model", len(y), med, mn, runs, f"pickle, {len(blob)} bytes")


def bench_xgboost(x, y, xl, runs, threads):
    try:
        import xgboost as xgb
    except ImportError as e:
        print(json.dumps({"tool": "xgboost", "error": str(e)}), flush=True)
        return
    params = {"objective": "binary:logistic", "tree_method": "hist", "eta": 0.1, "max_depth": 4,
              "min_child_weight": 1, "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1,
              "max_bin": 32, "seed": 0, "nthread": threads, "verbosity": 0}

    def train():
        return xgb.train(params, xgb.DMatrix(xl, label=y, missing=np.nan), num_boost_round=120)

    med, mn, booster = timed(train, runs)
    emit("xgboost", "train_booster", len(y), med, mn, runs,
         f"python3-xgboost {xgb.__version__}, 120 trees of depth 4, {threads} threads")
    med, mn, _ = timed(lambda: booster.inplace_predict(x, missing=np.nan), runs)
    emit("xgboost", "predict_raw", len(x), med, mn, runs, "inplace_predict, one call")
    raw = booster.save_raw("ubj")

    def load():
        b = xgb.Booster()
        b.load_model(raw)
        return b
    med, mn, _ = timed(load, runs)
    emit("xgboost", "load_model", len(y), med, mn, runs, f"from {len(raw)} bytes")


def main():
    data = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    n, m, labels = map(int, open(os.path.join(data, "shape.txt")).read().split())
    x = np.fromfile(os.path.join(data, "x.f32"), dtype=np.float32).reshape(n, m)
    y = np.fromfile(os.path.join(data, "y.f32"), dtype=np.float32).astype(int)
    xl = x[:labels]
    bench_xgboost(x, y, xl, runs, int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    bench_sklearn(x, y, xl, runs)


if __name__ == "__main__":
    main()
