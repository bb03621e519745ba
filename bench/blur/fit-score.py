#!/usr/bin/python3
"""bench/blur/fit-score.py TRUTH_CSV FEATURES_JSONL

Fits the logistic behind derush_features_sharpness_score()
(src/quality/sharpness-judge.c): log-odds of "sharp" from ln(edge_width)
and derush_features_sharpness() (the mean of log10(1 + x) of lap_tile_max
and lap_tile_center), and the fallback from reblur alone (frames without
strong edges). TRUTH_CSV is what build-frames.sh writes (file,scene_id,device,
label); FEATURES_JSONL is `derush features --json` over those frames. Run it
on the "tune" split only; judge the result on "held-out" with
`derush eval blur`. Prints the coefficients and the fit's ROC-AUC.
"""
import csv, json, math, os, sys
import numpy as np

truth_csv, feats = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(truth_csv))
label = {os.path.join(base, r['file']): r['label'] for r in csv.DictReader(open(truth_csv))}
rows = [json.loads(line) for line in open(feats)]
rows = [r for r in rows if r['path'] in label and r['reblur'] is not None]
y = np.array([label[r['path']] == 'sharp' for r in rows], float)


def fit(X, y, l2=1e-3):
    """Logistic regression by Newton's method, a small ridge for stability."""
    X = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(X.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (p - y) + l2 * w
        H = X.T @ (X * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        w -= np.linalg.solve(H, g)
    return w


def auc(s, y):
    pos, neg = s[y > 0.5], s[y < 0.5]
    return np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :])


has = np.array([r['edge_width'] is not None and r['edge_width'] > 0 for r in rows])
def detail(r):
    return 0.5 * math.log10(1 + r['lap_tile_max']) + 0.5 * math.log10(1 + r['lap_tile_center'])


X = np.array([[math.log(r['edge_width']) if h else 0, detail(r)] for r, h in zip(rows, has)])
w = fit(X[has], y[has])
w0 = fit(np.array([[r['reblur']] for r in rows]), y)
print('frames %d (%d sharp), %d with strong edges' % (len(y), y.sum(), has.sum()))
print('#define SCORE_BIAS %.2f\n#define SCORE_WIDTH %.2f\n#define SCORE_DETAIL %.2f' % tuple(w))
print('#define SCORE_ONLY_BIAS %.2f\n#define SCORE_ONLY_REBLUR %.2f' % tuple(w0))
rb = np.array([r['reblur'] for r in rows])
z = np.where(has, w[0] + X @ w[1:], w0[0] + w0[1] * rb)
print('fit ROC-AUC %.4f, accuracy %.4f' % (auc(z, y), np.mean((z > 0) == (y > 0.5))))
