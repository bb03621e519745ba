#!/usr/bin/python3
"""make torture: derush under faults, hundreds of times (not part of make check).

Each run picks a fault and checks the promises of docs/RELIABILITY.md:
  - kill -9 at a random moment of scan, analyze, label, export --xmp,
    apply --trash and undo-apply;
  - two CLI processes at once (two labellers, a scan and an ls);
  - files vanishing, renamed or rewritten during a scan;
  - (root) a full disk (a small tmpfs) under the catalog, the thumbnail
    cache and the sidecars; a read-only folder (a read-only bind mount).
After every run: PRAGMA integrity_check is ok, every acknowledged label is
in the catalog, no process died of anything but our SIGKILL, every sidecar
is well-formed XML, and every photo is present exactly once by content
(sha256) across the folder and the trash; after a full undo-apply, every
photo is back in its folder.

  TORTURE_RUNS=300 make torture      (default 300, ~5-10 min on 2 cores)
  tests/torture/torture.py --build build --runs 50 --seed 7
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.dom.minidom

from PIL import Image

N_PHOTOS = 24


class Failure(Exception):
    pass


class Torture:
    def __init__(self, build, seed, keep):
        self.build = os.path.abspath(build)
        self.derush = os.path.join(self.build, "cli", "derush")
        self.writer = os.path.join(self.build, "tests", "label-writer")
        for exe in (self.derush, self.writer):
            if not os.access(exe, os.X_OK):
                sys.exit(f"torture: {exe} missing: build first (make build)")
        self.rand = random.Random(seed)
        self.keep = keep
        self.work = tempfile.mkdtemp(prefix="derush-torture-")
        self.photos = os.path.join(self.work, "photos")
        self.catalog = os.path.join(self.work, "cat.db")
        self.env = dict(os.environ)
        self.env.update({
            "DERUSH_CATALOG": self.catalog,
            "DERUSH_CACHE_DIR": os.path.join(self.work, "cache"),
            "XDG_DATA_HOME": os.path.join(self.work, "data"),
            "XDG_CACHE_HOME": os.path.join(self.work, "xdg-cache"),
            "XDG_CONFIG_HOME": os.path.join(self.work, "config"),
            "HOME": self.work,
            "VIPS_WARNING": "0",
        })
        self.trash = os.path.join(self.work, "data", "Trash", "files")
        # The state every photo id must have (label, stars), from acks.
        self.expected = {}
        self.stats = {"runs": 0, "kills": 0, "acked_labels": 0, "labels_lost": 0,
                      "files_lost": 0, "files_duplicated": 0, "crashes": 0,
                      "integrity_failures": 0, "bad_sidecars": 0, "checks": 0}
        self.by_fault = {}
        self.problems = []

    # ------------------------------------------------------------ set-up

    def make_photos(self):
        os.makedirs(self.photos)
        for i in range(N_PHOTOS):
            sub = os.path.join(self.photos, f"d{i % 3}")
            os.makedirs(sub, exist_ok=True)
            w, h = 320 + (i % 5) * 64, 240 + (i % 4) * 48
            img = Image.effect_noise((w, h), 20 + i).convert("RGB")
            img.save(os.path.join(sub, f"IMG_{i:04d}.jpg"), quality=85)
        self.hashes = {d: p[0] for d, p in self.content_hashes().items()}
        if len(self.hashes) != N_PHOTOS:
            sys.exit("torture: generated photos are not distinct")
        self.cli("scan", self.photos, check=True)
        self.ids = self.photo_ids()
        if len(self.ids) != N_PHOTOS:
            sys.exit(f"torture: catalog holds {len(self.ids)} photos, not {N_PHOTOS}")

    def content_hashes(self):
        """sha256 -> every path holding it, over the folder and the trash."""
        found = {}
        for root in (self.photos, self.trash):
            for dirpath, _, names in os.walk(root):
                for name in names:
                    if name.lower().endswith(".jpg"):
                        path = os.path.join(dirpath, name)
                        with open(path, "rb") as f:
                            digest = hashlib.sha256(f.read()).hexdigest()
                        found.setdefault(digest, []).append(path)
        return found

    # -------------------------------------------------------- processes

    def cli(self, *args, check=False, timeout=120):
        p = subprocess.run([self.derush, *args], env=self.env, capture_output=True,
                           text=True, errors="replace", timeout=timeout)
        self.check_exit(p.returncode, p.stderr, args[0])
        if check and p.returncode != 0:
            raise Failure(f"derush {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return p

    def check_exit(self, rc, stderr, what, killed=False):
        """A process may exit 0-2 or 130, or die of our SIGKILL: nothing else."""
        crashed = rc is not None and (rc < 0 and not (killed and rc == -signal.SIGKILL))
        crashed = crashed or (rc is not None and rc > 2 and rc != 130)
        for sign in ("double free", "corruption", "AddressSanitizer", "Segmentation",
                     "CRITICAL", "Aborted"):
            if stderr and sign in stderr:
                crashed = True
        if crashed:
            self.stats["crashes"] += 1
            self.problem(f"{what}: crashed (exit {rc}): {(stderr or '')[-400:]}")

    def spawn(self, *args):
        return subprocess.Popen([self.derush, *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace")

    def kill_later(self, proc, max_ms):
        time.sleep(self.rand.uniform(0, max_ms) / 1000)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
            self.stats["kills"] += 1
        out, err = proc.communicate()
        self.check_exit(proc.returncode, err, " ".join(proc.args[1:3]), killed=killed)
        return out, err

    # ----------------------------------------------------------- checks

    def db(self):
        return sqlite3.connect(f"file:{self.catalog}?mode=ro", uri=True, timeout=60)

    def photo_ids(self):
        with self.db() as c:
            return [r[0] for r in c.execute("SELECT id FROM photos ORDER BY id")]

    def check_integrity(self, what):
        self.stats["checks"] += 1
        with self.db() as c:
            ok = c.execute("PRAGMA integrity_check").fetchone()[0]
            fk = c.execute("PRAGMA foreign_key_check").fetchall()
        if ok != "ok" or fk:
            self.stats["integrity_failures"] += 1
            self.problem(f"{what}: integrity_check: {ok} {fk[:3]}")

    def labels(self):
        with self.db() as c:
            rows = dict((r[0], (r[1], r[2])) for r in
                        c.execute("SELECT photo_id, label, stars FROM labels"))
        return {i: rows.get(i, (0, 0)) for i in self.ids}

    def check_labels(self, what, pending=()):
        """Every photo holds its last acknowledged state, or the one that was
        in flight when its writer died (pending: (id, label, stars)...)."""
        actual = self.labels()
        for pid, want in self.expected.items():
            have = actual[pid]
            if have != want and (pid, *have) not in pending:
                self.stats["labels_lost"] += 1
                self.problem(f"{what}: photo {pid}: catalog {have}, acknowledged {want}")
        self.expected = dict(actual)

    def check_files(self, what, all_home=False):
        found = self.content_hashes()
        for digest, path in self.hashes.items():
            places = found.get(digest, [])
            if not places:
                self.stats["files_lost"] += 1
                self.problem(f"{what}: {path} lost (its content is nowhere)")
            elif len(places) > 1:
                self.stats["files_duplicated"] += 1
                self.problem(f"{what}: {path} present {len(places)} times: {places}")
            elif all_home and not places[0].startswith(self.photos + os.sep):
                self.stats["files_lost"] += 1
                self.problem(f"{what}: {path} still at {places[0]} after undo-apply")

    def check_sidecars(self, what):
        for dirpath, _, names in os.walk(self.photos):
            for name in names:
                if not name.endswith(".xmp"):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    xml.dom.minidom.parse(path)
                except Exception as e:  # noqa: BLE001 - any parse error counts
                    self.stats["bad_sidecars"] += 1
                    self.problem(f"{what}: sidecar {path} is not well-formed: {e}")

    def problem(self, text):
        self.problems.append(text)
        print(f"torture: PROBLEM: {text}", flush=True)

    # ------------------------------------------------------------ faults

    def parse_writer(self, out):
        acks, pending = [], None
        for line in out.splitlines():
            parts = line.split()
            if parts[:1] == ["try"]:
                pending = tuple(int(x) for x in parts[1:4])
            elif parts[:1] == ["ack"]:
                acks.append(tuple(int(x) for x in parts[1:4]))
                pending = None
            elif parts[:1] == ["fail"]:
                self.problem(f"label-writer failed: {line}")
        return acks, pending

    def start_writer(self, seed, ids):
        args = [self.writer, self.catalog, str(seed), "0", "0", "5", *map(str, ids)]
        return subprocess.Popen(args, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def record_acks(self, out):
        acks, pending = self.parse_writer(out)
        for pid, label, stars in acks:
            self.expected[pid] = (label, stars)
        self.stats["acked_labels"] += len(acks)
        return [pending] if pending else []

    def fault_kill_label(self):
        proc = self.start_writer(self.rand.randrange(1 << 30), self.ids)
        out, _ = self.kill_later(proc, 400)
        pending = self.record_acks(out)
        self.check_labels("kill -9 label", pending)

    def fault_kill_scan(self):
        # Make some work: touch a few files so they are re-read.
        for path in self.rand.sample(list(self.hashes.values()), 4):
            if os.path.exists(path):
                os.utime(path)
        if self.rand.random() < 0.3:
            shutil.rmtree(self.env["DERUSH_CACHE_DIR"], ignore_errors=True)
        self.kill_later(self.spawn("scan", "--threads", "2", self.photos), 600)

    def fault_kill_analyze(self):
        self.kill_later(self.spawn("analyze", self.photos), 1500)

    def fault_kill_export(self):
        self.cli("label", *self.rand.sample(self.existing_photos(), 3),
                 self.rand.choice(["keep", "trash"]), "--stars", str(self.rand.randrange(6)))
        self.expected = self.labels()
        self.kill_later(self.spawn("export", "--xmp"), 400)
        self.check_sidecars("kill -9 export --xmp")

    def existing_photos(self):
        return [p for p in self.hashes.values() if os.path.exists(p)]

    def fault_kill_apply(self):
        victims = self.rand.sample(self.existing_photos(), 4)
        self.cli("label", *victims, "trash")
        self.expected = self.labels()
        self.kill_later(self.spawn("apply", "--trash"), 500)
        self.check_files("kill -9 apply --trash")
        if self.rand.random() < 0.5:
            self.kill_later(self.spawn("undo-apply"), 400)
            self.check_files("kill -9 undo-apply")
        self.undo_all("after kill -9 apply")

    def undo_all(self, what):
        for _ in range(20):
            p = self.cli("undo-apply")
            if "Nothing to undo" in p.stdout or p.returncode != 0:
                break
        # A name already taken in the trash, or a crash mid-apply, must
        # never strand a photo there.
        self.check_files(f"{what}: undo-apply", all_home=True)
        # Labelled trash photos would go again next time: unlabel them.
        home = self.existing_photos()
        if home:
            self.cli("label", *home, "none")
        self.expected = self.labels()

    def fault_two_processes(self):
        half = len(self.ids) // 2
        a = self.start_writer(self.rand.randrange(1 << 30), self.ids[:half])
        b = self.start_writer(self.rand.randrange(1 << 30), self.ids[half:])
        scan = self.spawn("scan", self.photos)
        ls = self.spawn("ls", "--json")
        for proc in (scan, ls):
            _, err = proc.communicate()
            self.check_exit(proc.returncode, err, "concurrent " + proc.args[1])
        time.sleep(self.rand.uniform(0, 0.3))
        pending = []
        for proc in (a, b):
            proc.terminate()
            out, err = proc.communicate()
            pending += self.record_acks(out)
        self.check_labels("two processes at once", pending)

    def fault_vanishing(self):
        victims = self.rand.sample(self.existing_photos(), 3)
        saved = {}
        for path in victims:
            with open(path, "rb") as f:
                saved[path] = f.read()
        for path in self.rand.sample(self.existing_photos(), 6):
            os.utime(path, ns=(time.time_ns(), time.time_ns() - 1000))
        scan = self.spawn("scan", "--threads", "2", self.photos)

        def meddle():
            for path in victims:
                time.sleep(self.rand.uniform(0, 0.05))
                action = self.rand.choice(["delete", "truncate", "rename"])
                if action == "delete":
                    os.unlink(path)
                elif action == "truncate":
                    with open(path, "r+b") as f:
                        f.truncate(len(saved[path]) // 3)
                else:
                    os.rename(path, path + ".moved.jpg")
        t = threading.Thread(target=meddle)
        t.start()
        _, err = scan.communicate()
        t.join()
        self.check_exit(scan.returncode, err, "scan with files vanishing")
        # Put everything back as it was; the next scan must settle.
        for path, data in saved.items():
            if os.path.exists(path + ".moved.jpg"):
                os.unlink(path + ".moved.jpg")
            with open(path, "wb") as f:
                f.write(data)
        self.cli("scan", self.photos)
        self.check_integrity("files vanishing")
        rows = self.cli("ls", "--json").stdout.splitlines()
        present = [json.loads(r) for r in rows if not json.loads(r).get("missing")]
        paths = {o["path"] for o in present}
        for path in self.hashes.values():
            if path not in paths:
                self.problem(f"files vanishing: {path} not listed after a settling scan")

    # ------------------------------------------------------ root faults

    def mount_tmpfs(self, size):
        mnt = tempfile.mkdtemp(prefix="tmpfs-", dir=self.work)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mnt],
                          capture_output=True).returncode != 0:
            return None
        return mnt

    def umount(self, mnt):
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        shutil.rmtree(mnt, ignore_errors=True)

    def fault_disk_full(self):
        """Catalog, thumbnail cache and sidecars on a tmpfs that fills up."""
        if os.getuid() != 0:
            return "skipped (not root)"
        mnt = self.mount_tmpfs("6m")
        if not mnt:
            return "skipped (cannot mount a tmpfs)"
        try:
            env = dict(self.env)
            env.update({"DERUSH_CATALOG": os.path.join(mnt, "cat.db"),
                        "DERUSH_CACHE_DIR": os.path.join(mnt, "cache")})
            photos = os.path.join(mnt, "p")
            os.makedirs(photos)
            src = self.existing_photos()[:8]
            for p in src:
                shutil.copy(p, photos)
            run = lambda *a: subprocess.run([self.derush, *a], env=env, capture_output=True,
                                            text=True, errors="replace")
            p = run("scan", photos)
            self.check_exit(p.returncode, p.stderr, "scan on tmpfs")
            names = sorted(os.listdir(photos))
            p = run("label", os.path.join(photos, names[0]), "keep", "--stars", "2")
            self.check_exit(p.returncode, p.stderr, "label on tmpfs")
            saved_first = p.returncode == 0
            fill = os.path.join(mnt, "fill")
            leave = self.rand.choice([0, 8 << 10, 40 << 10, 200 << 10])
            with open(fill, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            os.truncate(fill, max(0, os.path.getsize(fill) - leave))
            shutil.rmtree(os.path.join(mnt, "cache"), ignore_errors=True)
            acked = {}
            for cmd in (["ls"], ["info", os.path.join(photos, names[1])],
                        ["label", os.path.join(photos, names[1]), "trash"],
                        ["scan", photos], ["export", "--xmp"], ["analyze", photos],
                        ["thumbnail", os.path.join(photos, names[2]), "-o",
                         os.path.join(mnt, "t.png")]):
                p = run(*cmd)
                self.check_exit(p.returncode, p.stderr, f"{cmd[0]} on a full disk")
                if cmd[0] in ("ls", "info") and p.returncode != 0:
                    self.problem(f"{cmd[0]} on a full disk (leave {leave}): exit "
                                 f"{p.returncode}: {p.stderr.strip()}")
                if cmd[0] == "label" and p.returncode == 0:
                    acked[names[1]] = 2
                if p.returncode != 0 and p.stderr.count("nothing was saved") > 1:
                    self.problem(f"{cmd[0]} on a full disk: 'nothing was saved' twice")
            os.unlink(fill)
            check = sqlite3.connect(f"file:{env['DERUSH_CATALOG']}?mode=ro", uri=True)
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            rows = dict(check.execute(
                "SELECT p.name, l.label FROM labels l JOIN photos p ON p.id = l.photo_id"))
            check.close()
            self.stats["checks"] += 1
            if ok != "ok":
                self.stats["integrity_failures"] += 1
                self.problem(f"disk full: integrity_check: {ok}")
            if saved_first and rows.get(names[0]) != 1:
                self.stats["labels_lost"] += 1
                self.problem("disk full: the label saved before the disk filled is gone")
            for name, label in acked.items():
                if rows.get(name) != label:
                    self.stats["labels_lost"] += 1
                    self.problem(f"disk full: acknowledged label of {name} lost")
            for dirpath, _, files in os.walk(photos):
                for name in files:
                    if name.endswith(".xmp"):
                        try:
                            xml.dom.minidom.parse(os.path.join(dirpath, name))
                        except Exception as e:  # noqa: BLE001
                            self.stats["bad_sidecars"] += 1
                            self.problem(f"disk full: sidecar {name} broken: {e}")
            for p in src:
                q = os.path.join(photos, os.path.basename(p))
                if not os.path.exists(q) or open(q, "rb").read() != open(p, "rb").read():
                    self.stats["files_lost"] += 1
                    self.problem(f"disk full: {q} lost or changed")
            return f"ok (left {leave} bytes)"
        finally:
            self.umount(mnt)

    def fault_read_only(self):
        """The photos folder mounted read-only: scan, export and apply say so."""
        if os.getuid() != 0:
            return "skipped (not root)"
        ro = os.path.join(self.work, "ro")
        os.makedirs(ro, exist_ok=True)
        if subprocess.run(["mount", "--bind", "-o", "ro", self.photos, ro],
                          capture_output=True).returncode != 0:
            return "skipped (cannot bind-mount)"
        subprocess.run(["mount", "-o", "remount,ro,bind", ro], capture_output=True)
        try:
            if os.access(ro, os.W_OK) and _writable(ro):
                return "skipped (bind mount stayed writable)"
            self.cli("scan", ro)
            files = [os.path.join(ro, os.path.relpath(p, self.photos))
                     for p in self.existing_photos()[:3]]
            self.cli("label", *files, "trash")
            self.expected = self.labels()
            self.cli("export", "--xmp", ro)
            self.cli("apply", "--trash", ro)
            self.check_files("read-only folder")
            self.cli("label", *files, "none")
            self.expected = self.labels()
            return "ok"
        finally:
            subprocess.run(["umount", "-l", ro], capture_output=True)

    # -------------------------------------------------------------- main

    def run(self, runs):
        self.make_photos()
        faults = [self.fault_kill_label, self.fault_kill_label, self.fault_kill_scan,
                  self.fault_kill_analyze, self.fault_kill_export, self.fault_kill_apply,
                  self.fault_two_processes, self.fault_vanishing]
        start = time.monotonic()
        for i in range(runs):
            fault = self.rand.choice(faults)
            name = fault.__name__[len("fault_"):]
            try:
                fault()
                self.check_integrity(name)
                self.check_files(name)
            except Failure as e:
                self.problem(f"{name}: {e}")
            except subprocess.TimeoutExpired as e:
                self.problem(f"{name}: hung: {e}")
            self.by_fault[name] = self.by_fault.get(name, 0) + 1
            self.stats["runs"] += 1
            if (i + 1) % 25 == 0:
                print(f"torture: {i + 1}/{runs} runs, {time.monotonic() - start:.0f} s, "
                      f"{len(self.problems)} problems", flush=True)
        self.undo_all("final")
        self.check_integrity("final")
        self.check_labels("final")
        once = {}
        for name, fault in (("disk_full", self.fault_disk_full),
                            ("read_only", self.fault_read_only)):
            for k in range(3 if name == "disk_full" else 1):
                once[f"{name}#{k}"] = fault()
        self.stats["seconds"] = round(time.monotonic() - start, 1)
        return once

    def report(self, once):
        print("torture: runs by fault: " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(self.by_fault.items())))
        print("torture: root faults: " + ", ".join(f"{k} {v}" for k, v in once.items()))
        print("torture: " + json.dumps(self.stats))
        if self.problems:
            print(f"torture: FAILED: {len(self.problems)} problems (first: {self.problems[0]})")
        else:
            print("torture: OK: 0 labels lost, 0 files lost or duplicated, 0 crashes")
        return 1 if self.problems else 0

    def cleanup(self):
        if self.keep or self.problems:
            print(f"torture: work folder kept: {self.work}")
            return
        shutil.rmtree(self.work, ignore_errors=True)


def _writable(path):
    probe = os.path.join(path, ".torture-probe")
    try:
        with open(probe, "w"):
            pass
        os.unlink(probe)
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("TORTURE_RUNS", "300")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("TORTURE_SEED", "0")) or
                    int(time.time()))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    print(f"torture: seed {args.seed}, {args.runs} runs", flush=True)
    t = Torture(args.build, args.seed, args.keep)
    try:
        once = t.run(args.runs)
        status = t.report(once)
    finally:
        t.cleanup()
    sys.exit(status)


if __name__ == "__main__":
    main()
