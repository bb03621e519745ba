#!/usr/bin/env python3
"""A new folder's first screenful in derush-gtk (called by bench/app-first.sh).

Each run starts derush-gtk on the folder with an empty catalog and thumbnail
cache, under a private Xvfb (1600x1000, the default 1400x900 window,
GSK_RENDERER=cairo), with a replay script of bench commands
(gtk/testing/derush-bench-mode.c): `bench-startup` (the first frame with
photos), `bench-first-screen` (the first frame whose grid is full, or holds
every photo, with a thumbnail or the photo's embedded EXIF thumbnail in
every cell on screen; and the first with real thumbnails only) and
`bench-loaded` (the scan and listing done). Prints each run and the medians, and writes them to
--results.
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from app import Xvfb, parse_bench, machine  # noqa: E402

SCRIPT = "bench-startup\nbench-first-screen\nbench-loaded\nquit\n"


def run_once(args, xvfb, tmp, k):
    run = os.path.join(tmp, "run%d" % k)
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    sc = os.path.join(run, "script.txt")
    with open(sc, "w") as f:
        f.write(SCRIPT)
    env = dict(os.environ)
    env.update(DISPLAY=xvfb.display, GDK_BACKEND="x11", GSK_RENDERER="cairo", NO_AT_BRIDGE="1",
               GTK_A11Y="none", GSETTINGS_BACKEND="memory",
               XDG_CONFIG_HOME=os.path.join(run, "config"),
               DERUSH_CACHE_DIR=os.path.join(run, "cache"), VIPS_WARNING="0")
    env.pop("DERUSH_CATALOG", None)
    cmd = ["dbus-run-session", "--"] if shutil.which("dbus-run-session") else []
    cmd += [args.gtk, "--catalog", os.path.join(run, "catalog.db"), "--replay", sc, args.photos]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    b = parse_bench(p.stdout.decode(errors="replace"))
    if p.returncode != 0 or "first-screen" not in b:
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        raise RuntimeError("run %d failed (exit %d)" % (k, p.returncode))
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gtk", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--results")
    ap.add_argument("--command", default="bench/app-first.sh")
    args = ap.parse_args()

    n_photos = len([f for f in os.listdir(args.photos) if f.lower().endswith(".jpg")])
    load0 = open("/proc/loadavg").read().split()[:3]
    tmp = tempfile.mkdtemp(prefix="derush-bench-first-")
    xvfb = Xvfb()
    xvfb.start()
    rows = []
    try:
        for k in range(args.runs):
            b = run_once(args, xvfb, tmp, k)
            fs = b["first-screen"][0]
            row = {"startup": b["startup"][0]["grid_ms"], "first_screen": fs["first_screen_ms"],
                   "real_screen": fs["real_screen_ms"], "placeholders": fs["placeholders_used"],
                   "cells": fs["cells_on_screen"], "shown": fs["photos_shown"],
                   "loaded": b["loaded"][0]["loaded_ms"]}
            rows.append(row)
            print("run %d: first photos %.0f ms, first screenful %.0f ms (%d cells on screen, "
                  "%d photos listed, %d placeholders), real thumbnails %.0f ms, scan done %.0f ms" %
                  (k + 1, row["startup"], row["first_screen"], row["cells"], row["shown"],
                   row["placeholders"], row["real_screen"], row["loaded"]), flush=True)
    finally:
        xvfb.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    load1 = open("/proc/loadavg").read().split()[:3]
    med = {key: statistics.median(r[key] for r in rows) for key in ("startup", "first_screen",
                                                                     "real_screen", "loaded")}
    lines = [
        "# derush-gtk: a new folder's first screenful (%s)" % datetime.date.today(),
        "",
        "`%s`; %d runs, %d 12-MP JPEGs, empty catalog and cache each run; %s; "
        "load average %s before, %s after." % (args.command, len(rows), n_photos, machine(),
                                                " ".join(load0), " ".join(load1)),
        "",
        "First screenful: every cell on screen shows the thumbnail or the photo's embedded EXIF "
        "thumbnail (placeholder); real thumbnails: the first frame without a placeholder.",
        "",
        "| run | first photos ms | first screenful ms | real thumbnails ms | cells on screen "
        "| placeholders shown | scan done ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k, r in enumerate(rows):
        lines.append("| %d | %.0f | %.0f | %.0f | %d | %d | %.0f |" %
                     (k + 1, r["startup"], r["first_screen"], r["real_screen"], r["cells"],
                      r["placeholders"], r["loaded"]))
    lines.append("| median | %.0f | %.0f | %.0f | | | %.0f |" %
                 (med["startup"], med["first_screen"], med["real_screen"], med["loaded"]))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        os.makedirs(os.path.dirname(args.results), exist_ok=True)
        with open(args.results, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
