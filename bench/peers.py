#!/usr/bin/python3
"""Peer workloads for bench/run.sh, each in ONE Python process.

Run with /usr/bin/python3 (Debian's python3-pil and python3-exifread).
Every mode reads a file list (one path a line, NUL-free) and prints one JSON
object on stdout: {"files", "ok", "errors", "seconds", ...}. "seconds" is the
loop only; bench.py times the whole process from outside as well.

  peers.py exif-pil      LIST          Image.open(p).getexif() per file
  peers.py exif-exifread LIST          exifread.process_file(f, details=False)
  peers.py thumb-pil     LIST OUTDIR [--procs N]
                                       draft('RGB', (256,256)) + thumbnail + JPEG save
  peers.py replay        LIST          photo-derush's first visit (see below)
"""
import json
import os
import sys
import time

# photo-derush's own profile (reference/photo-derush-profile-iteration-10.md):
# 591 photos, 1,561 PIL.Image.open calls, 15,967 model.load_exif calls.
PROFILE_PHOTOS = 591
PROFILE_OPENS = 1561
PROFILE_EXIF = 15967
SIZE = (256, 256)


def read_list(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def exif_pil(files):
    from PIL import Image

    ok = err = tags = 0
    t0 = time.perf_counter()
    for p in files:
        try:
            with Image.open(p) as im:
                ex = im.getexif()
                tags += len(ex)
            ok += 1
        except Exception:
            err += 1
    return {"ok": ok, "errors": err, "tags": tags, "seconds": time.perf_counter() - t0}


def exif_exifread(files):
    import logging

    import exifread

    logging.getLogger("exifread").setLevel(logging.CRITICAL)
    ok = err = tags = 0
    t0 = time.perf_counter()
    for p in files:
        try:
            with open(p, "rb") as f:
                t = exifread.process_file(f, details=False)
            tags += len(t)
            ok += 1
        except Exception:
            err += 1
    return {"ok": ok, "errors": err, "tags": tags, "seconds": time.perf_counter() - t0}


def thumb_one(p, out):
    from PIL import Image

    with Image.open(p) as im:
        im.draft("RGB", SIZE)
        im.thumbnail(SIZE)
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        im.save(out, "JPEG", quality=75)


def thumb_worker(args):
    files, outdir, base = args
    ok = err = 0
    for i, p in enumerate(files):
        try:
            thumb_one(p, os.path.join(outdir, "%06d.jpg" % (base + i)))
            ok += 1
        except Exception:
            err += 1
    return ok, err


def thumb_pil(files, outdir, procs):
    os.makedirs(outdir, exist_ok=True)
    t0 = time.perf_counter()
    if procs <= 1:
        ok, err = thumb_worker((files, outdir, 0))
    else:
        import multiprocessing

        # Interleaved shares so that big and small files spread evenly.
        jobs = []
        for k in range(procs):
            share = files[k::procs]
            jobs.append((share, os.path.join(outdir, "p%d" % k), 0))
            os.makedirs(jobs[-1][1], exist_ok=True)
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            res = pool.map(thumb_worker, jobs)
        ok = sum(r[0] for r in res)
        err = sum(r[1] for r in res)
    return {"ok": ok, "errors": err, "procs": procs, "seconds": time.perf_counter() - t0}


def share(n, total, count):
    """How many of `total` calls fall on item n of `count` (spread evenly)."""
    return (total * (n + 1)) // count - (total * n) // count


def replay(files):
    """photo-derush's first visit of a folder, call for call, per photo.

    Per photo, in proportion to its profile (2.64 opens, 27.0 EXIF loads a
    photo): `opens` times Image.open + thumbnail-size decode (draft mode, the
    fastest PIL can do), and `loads` times model.load_exif = Image.open +
    getexif() with its Exif sub-IFD (what photo-derush's _getexif() returns).
    Totals are scaled from 591 photos to len(files).
    """
    from PIL import Image

    n = len(files)
    opens_total = round(PROFILE_OPENS * n / PROFILE_PHOTOS)
    exif_total = round(PROFILE_EXIF * n / PROFILE_PHOTOS)
    opens = exif_loads = decodes = err = 0
    t0 = time.perf_counter()
    for i, p in enumerate(files):
        for _ in range(share(i, opens_total, n)):
            opens += 1
            try:
                with Image.open(p) as im:
                    im.draft("RGB", SIZE)
                    im.thumbnail(SIZE)
                    decodes += 1
            except Exception:
                err += 1
        for _ in range(share(i, exif_total, n)):
            exif_loads += 1
            try:
                with Image.open(p) as im:
                    ex = im.getexif()
                    dict(ex)
                    dict(ex.get_ifd(0x8769))
            except Exception:
                err += 1
    return {
        "ok": n,
        "errors": err,
        "image_opens": opens + exif_loads,
        "decode_opens": opens,
        "images_decoded": decodes,
        "exif_loads": exif_loads,
        "seconds": time.perf_counter() - t0,
    }


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    mode, files = argv[1], read_list(argv[2])
    if mode == "exif-pil":
        r = exif_pil(files)
    elif mode == "exif-exifread":
        r = exif_exifread(files)
    elif mode == "thumb-pil":
        procs = int(argv[argv.index("--procs") + 1]) if "--procs" in argv else 1
        r = thumb_pil(files, argv[3], procs)
    elif mode == "replay":
        r = replay(files)
    else:
        sys.stderr.write("peers.py: unknown mode %s\n" % mode)
        return 2
    r["files"] = len(files)
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
