#!/usr/bin/python3
"""Peer workloads for bench/run.sh, each in ONE Python process.

Run with /usr/bin/python3 (Debian's python3-pil, python3-exifread and
python3-numpy).
Every mode reads a file list (one path a line, NUL-free) and prints one JSON
object on stdout: {"files", "ok", "errors", "seconds", ...}. "seconds" is the
loop only; bench.py times the whole process from outside as well.

  peers.py exif-pil      LIST          Image.open(p).getexif() per file
  peers.py exif-exifread LIST          exifread.process_file(f, details=False)
  peers.py thumb-pil     LIST OUTDIR [--procs N]
                                       draft('RGB', (256,256)) + thumbnail + JPEG save
  peers.py replay        LIST          photo-derush's first visit (see below)
  peers.py analysis-pil  LIST          per photo: 512 px preview (PIL draft + resize),
                                       imagehash-style dHash, numpy features
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


PREVIEW = 512


def dhash(im):
    """imagehash.dhash(im) (hash_size 8): grey, 9x8 Lanczos, left < right."""
    import numpy as np
    from PIL import Image

    px = np.asarray(im.convert("L").resize((9, 8), Image.LANCZOS), dtype=np.int16)
    bits = (px[:, 1:] > px[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0])


def np_features(rgb):
    """The numpy counterpart of derush's image features (a subset, same
    definitions): Laplacian variance at three scales and on an 8x8 tile grid,
    gradient energy, the 256-bin luma histogram (percentiles, clipping,
    entropy), mean and RMS contrast, HSV saturation, colourfulness."""
    import numpy as np

    a = np.asarray(rgb, dtype=np.float32)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    f = {}

    def lapvar(p):
        lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * p[1:-1, 1:-1]
        return lap, float(lap.var())

    lap, f["lap_var"] = lapvar(y)
    h2 = y[: y.shape[0] // 2 * 2, : y.shape[1] // 2 * 2]
    half = 0.25 * (h2[0::2, 0::2] + h2[1::2, 0::2] + h2[0::2, 1::2] + h2[1::2, 1::2])
    f["lap_var_half"] = lapvar(half)[1]
    h4 = half[: half.shape[0] // 2 * 2, : half.shape[1] // 2 * 2]
    quarter = 0.25 * (h4[0::2, 0::2] + h4[1::2, 0::2] + h4[0::2, 1::2] + h4[1::2, 1::2])
    f["lap_var_quarter"] = lapvar(quarter)[1]
    tiles = [t.var() for rows in np.array_split(lap, 8, axis=0)
             for t in np.array_split(rows, 8, axis=1)]
    f["lap_tile_max"] = float(max(tiles))
    f["lap_tile_median"] = float(np.median(tiles))
    gx = 0.5 * (y[1:-1, 2:] - y[1:-1, :-2])
    gy = 0.5 * (y[2:, 1:-1] - y[:-2, 1:-1])
    f["grad_energy"] = float((gx * gx + gy * gy).mean())
    levels = ((299 * a[..., 0].astype(np.int32) + 587 * a[..., 1].astype(np.int32)
               + 114 * a[..., 2].astype(np.int32) + 500) // 1000)
    hist = np.bincount(levels.ravel(), minlength=256)
    n = levels.size
    cum = np.cumsum(hist)
    for q, name in ((0.01, "p1"), (0.05, "p5"), (0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        f["luma_" + name] = float(np.searchsorted(cum, q * n) / 255.0)
    p = hist[hist > 0] / n
    f["entropy"] = float(-(p * np.log2(p)).sum())
    f["clip_high"] = float(hist[250:].sum() / n)
    f["clip_low"] = float(hist[:6].sum() / n)
    f["luma_mean"] = float(y.mean() / 255.0)
    f["contrast"] = float(y.std() / 255.0)
    mx = a.max(axis=2)
    mn = a.min(axis=2)
    f["saturation"] = float(np.where(mx > 0, (mx - mn) / np.maximum(mx, 1), 0).mean())
    rg = r - g
    yb = 0.5 * (r + g) - b
    f["colourfulness"] = float(np.sqrt(rg.var() + yb.var())
                               + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2))
    return f


def analysis_pil(files):
    """What a Python culler does per photo: PIL decodes a ~512 px preview
    (draft mode: libjpeg's DCT scaling, then a resize to 512 on the long
    edge), imagehash's dHash, numpy features. Each stage timed per photo."""
    from PIL import Image

    decode, hashing, feats = [], [], []
    cdecode, chashing, cfeats = [], [], []
    ok = err = 0
    t0 = time.perf_counter()
    cpu = time.process_time
    for p in files:
        try:
            a, ca = time.perf_counter(), cpu()
            with Image.open(p) as im:
                im.draft("RGB", (PREVIEW, PREVIEW))
                im = im.convert("RGB")
                if max(im.size) > PREVIEW:
                    s = PREVIEW / max(im.size)
                    im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))),
                                   Image.BILINEAR)
            b, cb = time.perf_counter(), cpu()
            dhash(im)
            c, cc = time.perf_counter(), cpu()
            np_features(im)
            d, cd = time.perf_counter(), cpu()
        except Exception:
            err += 1
            continue
        ok += 1
        decode.append((b - a) * 1e3)
        hashing.append((c - b) * 1e3)
        feats.append((d - c) * 1e3)
        cdecode.append((cb - ca) * 1e3)
        chashing.append((cc - cb) * 1e3)
        cfeats.append((cd - cc) * 1e3)

    def stats(v):
        if not v:
            return {"mean": 0, "median": 0, "p90": 0, "total_s": 0}
        v = sorted(v)
        return {"mean": sum(v) / len(v), "median": v[len(v) // 2],
                "p90": v[min(len(v) - 1, int(0.9 * len(v)))], "total_s": sum(v) / 1e3}

    return {"ok": ok, "errors": err, "decode_ms": stats(decode), "dhash_ms": stats(hashing),
            "features_ms": stats(feats), "decode_cpu_ms": stats(cdecode),
            "dhash_cpu_ms": stats(chashing), "features_cpu_ms": stats(cfeats),
            "seconds": time.perf_counter() - t0}


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
    elif mode == "analysis-pil":
        r = analysis_pil(files)
    else:
        sys.stderr.write("peers.py: unknown mode %s\n" % mode)
        return 2
    r["files"] = len(files)
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
