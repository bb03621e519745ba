#!/usr/bin/python3
"""plot-curves.py RESULTS_DIR PNG: the learning curves of bench/learn/curves.sh.

Reads RESULTS_DIR/TASTE-active.json and TASTE-random-SEED.json (`derush eval
learning --json`), prints a Markdown table per taste (accuracy, keep-loss and junk-leak at each
number of labels, random order as the mean over its seeds), then the README's
summary (every taste after 10..60 labels), and draws accuracy against labels,
active vs random (min..max band over the seeds), one panel per taste.
"""
import glob
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def by_labels(curve, key):
    return {p["labels"]: p[key] for p in curve if p.get(key) is not None}


def main():
    results, png = sys.argv[1], sys.argv[2]
    tastes = sorted({os.path.basename(p).split("-active")[0]
                     for p in glob.glob(os.path.join(results, "*-active.json"))},
                    key=lambda t: ["person", "blur", "burst"].index(t) if t in
                    ("person", "blur", "burst") else 9)
    panels = []
    summary = []
    for taste in tastes:
        active = load(os.path.join(results, f"{taste}-active.json"))
        randoms = [load(p) for p in sorted(glob.glob(os.path.join(results, f"{taste}-random-*.json")))]
        labels = [p["labels"] for p in active["curve"]]
        a_acc, a_kl = by_labels(active["curve"], "accuracy"), by_labels(active["curve"], "keep_loss")
        a_jl = by_labels(active["curve"], "junk_leak")
        r_acc = [by_labels(r["curve"], "accuracy") for r in randoms]
        r_kl = [by_labels(r["curve"], "keep_loss") for r in randoms]
        r_jl = [by_labels(r["curve"], "junk_leak") for r in randoms]

        def mean(ds, n):
            v = [d[n] for d in ds if n in d]
            return sum(v) / len(v) if v else None
        print(f"\n### {taste}: {active['photos']} photos; random = mean of {len(randoms)} seeds\n")
        print("| labels | active accuracy | keep_loss | junk_leak"
              " | random accuracy | keep_loss | junk_leak |")
        print("|---|---|---|---|---|---|---|")
        f = lambda v: "-" if v is None else f"{v:.3f}"
        for n in labels:
            row = [a_acc.get(n), a_kl.get(n), a_jl.get(n),
                   mean(r_acc, n), mean(r_kl, n), mean(r_jl, n)]
            print(f"| {n} | " + " | ".join(f(v) for v in row) + " |")
            if n <= 60:
                summary.append((taste, n, row))
        panels.append((taste, active["photos"], labels, a_acc, r_acc))
    print("\n### summary: after 10..60 labels (random: mean of the seeds)\n")
    print("| taste | labels | derush's order: accuracy | keep_loss | junk_leak"
          " | random order: accuracy | keep_loss | junk_leak |")
    print("|---|---|---|---|---|---|---|---|")
    for taste, n, row in summary:
        print(f"| {taste} | {n} | " + " | ".join(f(v) for v in row) + " |")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(no python3-matplotlib: no plot)", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (taste, photos, labels, a_acc, r_acc) in zip(axes[0], panels):
        xs = [n for n in labels if n in a_acc]
        ax.plot(xs, [a_acc[n] for n in xs], "o-", color="#1c71d8", label="active (derush next)")
        rx = [n for n in labels if all(n in d for d in r_acc)]
        if rx:
            mean = [sum(d[n] for d in r_acc) / len(r_acc) for n in rx]
            ax.plot(rx, mean, "s--", color="#e66100", label=f"random (mean of {len(r_acc)})")
            ax.fill_between(rx, [min(d[n] for d in r_acc) for n in rx],
                            [max(d[n] for d in r_acc) for n in rx], color="#e66100", alpha=0.15)
        ax.set_title(f"{taste} taste ({photos} photos)")
        ax.set_xlabel("labels")
        ax.set_ylabel("accuracy on the unlabelled photos")
        ax.set_ylim(0.5, 1.0)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=90)


if __name__ == "__main__":
    main()
