#!/usr/bin/python3
"""Two builds of derush side by side: did a change make anything slower?

  compare.py --before BUILD --after BUILD --work DIR [--results FILE]
             [--only startup,meta,thumbs,rescan,analysis,app] [--runs N]

make bench compares derush with its peers; this compares derush with
itself (`make bench-compare BEFORE=... AFTER=...`). Each measurement runs the
two builds alternately (before, after, before, ...), so a change of the
machine's load during the run weighs on both. Sets (made once in DIR, as
bench/run.sh makes them): the demo set of derush-demo-gen, 10,000 distinct
copies of it, 100,000 tiny JPEGs. Parts:

  startup   --version, ls, label of a known photo, undo (20 runs each)
  meta      scan --no-thumbnails of the 10k set, fresh catalog (--runs, 3)
  thumbs    scan of the demo set with thumbnails, fresh catalog and cache
  rescan    first scan of the 100k set without thumbnails (1), rescan
  analysis  analyze of the scanned demo set, from a copy of the scan
  app       derush-gtk on a 100,000-photo catalog (bench/app.py: start-up to
            the first frame, scroll frame times, refresh, memory), each build
            on its own copy of one catalog made by the before build, one app
            run at a time

Times are the wall clock of the whole process and its CPU (user+sys, from
wait4). Results: printed, and written to --results as a Markdown table.
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mkdata  # noqa: E402

PY = "/usr/bin/python3"


def loadavg():
    with open("/proc/loadavg") as f:
        return "/".join(f.read().split()[:3])


def run(cmd, env, ok=(0,)):
    """Runs cmd once: wall and CPU seconds (wait4), exit status, stdout."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    # communicate() reaped it; the children's rusage grew by its CPU.
    if p.returncode not in ok:
        sys.exit("compare: exit %d: %s\n%s" % (p.returncode, " ".join(cmd),
                                                err.decode(errors="replace")[-2000:]))
    return wall, out


def children_cpu():
    ru = os.times()
    return ru.children_user + ru.children_system


class Compare:
    def __init__(self, args):
        self.builds = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}
        self.work = os.path.abspath(args.work)
        self.tmp = os.path.join(self.work, "compare")
        os.makedirs(self.tmp, exist_ok=True)
        self.rows = []
        self.runs = args.runs

    def derush(self, which):
        return os.path.join(self.builds[which], "cli", "derush")

    def env(self, which, **extra):
        e = dict(os.environ)
        e["XDG_DATA_HOME"] = os.path.join(self.tmp, "xdg-data")
        e["XDG_CACHE_HOME"] = os.path.join(self.tmp, "xdg-cache")
        e["DERUSH_CACHE_DIR"] = os.path.join(self.tmp, which + "-cache")
        e["VIPS_WARNING"] = "0"
        e.update(extra)
        return e

    def path(self, which, leaf):
        return os.path.join(self.tmp, "%s-%s" % (which, leaf))

    def clear(self, *paths):
        for p in paths:
            if os.path.isdir(p):
                shutil.rmtree(p)
            for sfx in ("", "-wal", "-shm", "-journal"):
                if os.path.isfile(p + sfx):
                    os.unlink(p + sfx)

    def measure(self, part, what, runs, cmd_of, setup=None, warm=0):
        """Alternates the builds `warm` + `runs` times; cmd_of(which) gives
        (cmd, env). Keeps the timed runs' medians as a row."""
        times = {"before": [], "after": []}
        for i in range(warm + runs):
            for which in ("before", "after"):
                if setup:
                    setup(which)
                cmd, env = cmd_of(which)
                cpu0 = children_cpu()
                wall, _ = run(cmd, env)
                cpu = children_cpu() - cpu0
                if i >= warm:
                    times[which].append((wall, cpu))
        row = {"part": part, "what": what, "runs": runs}
        for which in ("before", "after"):
            row[which] = (statistics.median(t[0] for t in times[which]),
                          statistics.median(t[1] for t in times[which]))
        self.rows.append(row)
        b, a = row["before"], row["after"]
        print("  %-9s %-46s before %8.3f s (CPU %7.3f)  after %8.3f s (CPU %7.3f)  after/before %.2f"
              % (part, what, b[0], b[1], a[0], a[1], a[0] / b[0] if b[0] else 0), flush=True)

    # ---- the data sets, as bench/run.sh makes them ---------------------------

    def data(self):
        demogen = os.path.join(self.builds["before"], "tools", "derush-demo-gen")
        log = os.path.join(self.work, "demo-gen.log")
        with open(log, "w") as f:
            subprocess.run([demogen, "--out", os.path.join(self.work, "demo")], stdout=f,
                           stderr=subprocess.STDOUT, check=True)
        demo = os.path.join(self.work, "demo")
        mkdata.cmd_images(demo, os.path.join(self.work, "sets/demo"))
        mkdata.cmd_scale(demo, os.path.join(self.work, "sets/demo10k"), 10000)
        mkdata.cmd_tiny(demo, os.path.join(self.work, "tiny"), 100000)
        self.demo = os.path.join(self.work, "sets/demo")
        self.demo10k = os.path.join(self.work, "sets/demo10k")
        self.tiny = os.path.join(self.work, "tiny")
        for d in (self.demo, self.demo10k, self.tiny):
            subprocess.run("find '%s' -type f -print0 | xargs -0 cat > /dev/null" % d, shell=True)

    # ---- parts -----------------------------------------------------------------

    def scan_cmd(self, which, leaf, extra, folder):
        cat = self.path(which, leaf + ".db")
        return [self.derush(which), "--catalog", cat, "scan"] + extra + [folder], self.env(which)

    def startup(self):
        print("== start-up of the light commands", flush=True)
        for which in ("before", "after"):
            cmd, env = self.scan_cmd(which, "startup", ["--no-thumbnails"], self.demo)
            self.clear(self.path(which, "startup.db"))
            run(cmd, env)
        photo = sorted(mkdata.photos(self.demo))[0]

        def base(which):
            return [self.derush(which), "--catalog", self.path(which, "startup.db")]

        for what, args in (("--version", None), ("ls (320 photos)", ["ls"]),
                           ("label (a known photo)", ["label", photo, "keep"]), ("undo", ["undo"])):
            self.measure("startup", "derush " + what, 20,
                         lambda w, a=args: ([self.derush(w), "--version"] if a is None
                                            else base(w) + a, self.env(w)), warm=1)

    def meta(self):
        print("== metadata: scan --no-thumbnails, 10,000 files", flush=True)
        self.measure("meta", "scan --no-thumbnails demo10k (10,000 files)", self.runs,
                     lambda w: self.scan_cmd(w, "meta", ["--no-thumbnails"], self.demo10k),
                     setup=lambda w: self.clear(self.path(w, "meta.db")))

    def thumbs(self):
        print("== thumbnails: scan of the demo set", flush=True)

        def setup(w):
            self.clear(self.path(w, "thumbs.db"), self.env(w)["DERUSH_CACHE_DIR"])

        self.measure("thumbs", "scan demo (320 files, 512 px thumbnails)", self.runs,
                     lambda w: self.scan_cmd(w, "thumbs", [], self.demo), setup=setup)

    def rescan(self):
        print("== 100,000 tiny JPEGs: first scan, rescan", flush=True)
        self.measure("rescan", "first scan --no-thumbnails 100k", 1,
                     lambda w: self.scan_cmd(w, "tiny", ["--no-thumbnails"], self.tiny),
                     setup=lambda w: self.clear(self.path(w, "tiny.db")))
        self.measure("rescan", "rescan 100k (unchanged)", self.runs,
                     lambda w: self.scan_cmd(w, "tiny", ["--no-thumbnails"], self.tiny))

    def analysis(self):
        print("== analysis: analyze of the scanned demo set", flush=True)
        for which in ("before", "after"):
            self.clear(self.path(which, "scanned.db"), self.env(which)["DERUSH_CACHE_DIR"])
            cmd, env = self.scan_cmd(which, "scanned", [], self.demo)
            run(cmd, env)

        def setup(w):
            self.clear(self.path(w, "analyze.db"))
            shutil.copy(self.path(w, "scanned.db"), self.path(w, "analyze.db"))

        self.measure("analysis", "analyze demo (320 files, from the cached previews)", self.runs,
                     lambda w: ([self.derush(w), "--catalog", self.path(w, "analyze.db"),
                                 "analyze"], self.env(w)), setup=setup)

    def app(self):
        print("== the app on 100,000 photos", flush=True)
        app = os.path.join(self.work, "app")
        pristine = os.path.join(app, "catalog.db")
        cache = os.path.join(app, "cache")
        if not os.path.exists(os.path.join(app, "ready")):
            self.clear(pristine, cache)
            os.makedirs(app, exist_ok=True)
            run([self.derush("before"), "--catalog", pristine, "scan", self.tiny],
                self.env("before", DERUSH_CACHE_DIR=cache))
            open(os.path.join(app, "ready"), "w").close()
        # One app run at a time, the builds alternating, each on its own
        # copy of the catalog (its analysis goes on from run to run).
        for which in ("before", "after"):
            cat = self.path(which, "app.db")
            self.clear(cat)
            shutil.copy(pristine, cat)
            # A newer schema migrates here, not in the app's first timed run.
            run([self.derush(which), "--catalog", cat, "stats"], self.env(which))
        results = {"before": [], "after": []}
        for i in range(self.runs):
            for which in ("before", "after"):
                out = self.path(which, "app-%d.md" % i)
                subprocess.run([PY, os.path.join(HERE, "app.py"),
                                "--gtk", os.path.join(self.builds[which], "gtk", "derush-gtk"),
                                "--catalog", self.path(which, "app.db"), "--cache", cache,
                                "--photos", self.tiny, "--runs", "1", "--renderers", "cairo",
                                "--seconds", "10", "--speed", "3000", "--results", out,
                                "--shots", os.path.join(self.tmp, which + "-shots"),
                                "--command", "bench/compare.py (%s)" % which], check=True)
                lines = open(out).read().splitlines()
                table = [ln for ln in lines if ln.startswith("| ")]
                if not results[which]:
                    results[which] = table[:2]
                results[which] += [ln.replace("| cairo1 |", "| %s %d |" % (which, i + 1), 1)
                                   for ln in table[2:]]
        results = {w: "\n".join(rows) for w, rows in results.items()}
        self.app_results = results

    def table(self):
        lines = ["| part | measure | runs | before: wall s | CPU s | after: wall s | CPU s "
                 "| after / before (wall) |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in self.rows:
            b, a = r["before"], r["after"]
            lines.append("| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.2f |"
                         % (r["part"], r["what"], r["runs"], b[0], b[1], a[0], a[1],
                            a[0] / b[0] if b[0] else 0))
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--results")
    ap.add_argument("--only", default="startup,meta,thumbs,rescan,analysis,app")
    ap.add_argument("--runs", type=int, default=3,
                    help="timed runs of each build in meta, thumbs, rescan, analysis, app")
    args = ap.parse_args()
    c = Compare(args)
    started = datetime.datetime.now()
    load0 = loadavg()
    c.data()
    c.app_results = {}
    for part in args.only.split(","):
        getattr(c, part)()
    md = ["# derush before/after, %s" % started.strftime("%Y-%m-%d %H:%M"), "",
          "- before: %s; after: %s" % (c.builds["before"], c.builds["after"]),
          "- load average (1/5/15 min) at start %s, at end %s" % (load0, loadavg()),
          "- medians; the builds alternate run by run", "", c.table(), ""]
    for which, text in c.app_results.items():
        md += ["## app, %s" % which, "", text, ""]
    text = "\n".join(md)
    print(text)
    if args.results:
        os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
        with open(args.results, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
