#!/usr/bin/python3
"""tools/make-copy-sets.py: near-duplicate sets made from real photos with
ImageMagick, and their truth CSV for `derush eval grouping`.

    make-copy-sets.py OUT_DIR PHOTO... [--seed N] [--max-side PX] [--kinds LIST]

Each PHOTO becomes one group in OUT_DIR/gNN/: orig.jpg (the photo, its long
side capped at --max-side, EXIF kept) and one copy per edit kind. An
off-centre crop keeps 90-95 % of each side (drawn apart for width and
height) at a random position, as a photographer's re-crop does; the other
edits go on top of it. The groups are distinct photos, so every cross-group
pair is a negative. OUT_DIR/truth.csv lists `path,group,relation,note`
with the edit kind as the relation (what `eval grouping` reports recall
by). Deterministic for a seed.

--burst PHOTO also makes OUT_DIR/burst/: two frames of one shooting burst
that are not copies (92.5 % of PHOTO, seen from its top-left and
bottom-right corners: a small pan), one camera, capture times a second
apart (exiftool), and frame0-copy.jpg, an off-centre crop of frame 0. They
are not in truth.csv: what derush calls them is checked apart
(tests/test-crops.c).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

# kind -> (ImageMagick arguments after the input, given the rng and size)
def crop_args(rng, w, h):
    fw, fh = rng.uniform(0.90, 0.95), rng.uniform(0.90, 0.95)
    cw, ch = max(1, round(w * fw)), max(1, round(h * fh))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    return ["-crop", f"{cw}x{ch}+{x}+{y}", "+repage"], f"{cw}x{ch}+{x}+{y} of {w}x{h}"


def edit(kind, rng, w, h):
    """ImageMagick arguments for one edit kind and a note saying what they do."""
    parts = kind.split("+")
    args, notes = [], []
    for p in parts:
        if p == "exact":
            return None, "byte copy"
        if p == "offcrop":
            a, n = crop_args(rng, w, h)
        elif p == "crop":  # centred
            f = rng.randint(90, 95)
            a, n = ["-gravity", "center", "-crop", f"{f}%x{f}%+0+0", "+repage"], f"centred {f}%"
        elif p == "resize":
            f = rng.randint(50, 80)
            a, n = ["-resize", f"{f}%"], f"resize {f}%"
        elif p == "reencode":
            q = rng.randint(40, 60)
            a, n = ["-quality", str(q)], f"quality {q}"
        elif p == "grey":
            a, n = ["-colorspace", "Gray"], "greyscale"
        elif p == "bright":
            b = rng.randint(115, 125)
            a, n = ["-modulate", f"{b},100,100"], f"brightness {b}%"
        elif p == "rotate":
            d = rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
            # Turned on the same canvas: the corners take the edge pixels.
            a, n = ["-virtual-pixel", "edge", "-distort", "SRT", f"{d:.2f}"], f"turned {d:.2f} deg"
        else:
            sys.exit(f"mkset: unknown edit kind {p}")
        args += a
        notes.append(n)
    return args, "; ".join(notes)


DEFAULT_KINDS = ("exact,resize,reencode,grey,bright,crop,offcrop,offcrop+resize,"
                 "offcrop+bright,offcrop+rotate,offcrop+reencode,offcrop+grey")


def size_of(path):
    out = subprocess.run(["identify", "-format", "%w %h", path + "[0]"], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("photos", nargs="+")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--max-side", type=int, default=1600)
    ap.add_argument("--kinds", default=DEFAULT_KINDS)
    ap.add_argument("--burst", metavar="PHOTO")
    o = ap.parse_args()
    rng = random.Random(o.seed)
    kinds = o.kinds.split(",")
    os.makedirs(o.out, exist_ok=True)
    rows = ["path,group,relation,note"]
    for g, photo in enumerate(o.photos):
        gdir = os.path.join(o.out, f"g{g:02d}")
        os.makedirs(gdir, exist_ok=True)
        orig = os.path.join(gdir, "orig.jpg")
        # -auto-orient: the copies are made from upright pixels, as an editor shows them.
        subprocess.run(["convert", photo + "[0]", "-auto-orient", "-resize",
                        f"{o.max_side}x{o.max_side}>", "-quality", "92", orig], check=True)
        w, h = size_of(orig)
        group = f"g{g:02d}"
        note = os.path.basename(photo).replace(",", " ")
        rows.append(f"{group}/orig.jpg,{group},original,{note}")
        for kind in kinds:
            name = kind.replace("+", "-") + ".jpg"
            dst = os.path.join(gdir, name)
            args, note = edit(kind, rng, w, h)
            if args is None:
                shutil.copyfile(orig, dst)
            else:
                subprocess.run(["convert", orig] + args + [dst], check=True)
            rows.append(f"{group}/{name},{group},{kind},{note}")
    with open(os.path.join(o.out, "truth.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    if o.burst:
        bdir = os.path.join(o.out, "burst")
        os.makedirs(bdir, exist_ok=True)
        shot = os.path.join(bdir, "shot.jpg")
        subprocess.run(["convert", o.burst + "[0]", "-auto-orient", "-resize",
                        f"{o.max_side}x{o.max_side}>", shot], check=True)
        make_burst(shot, bdir, rng)
        os.remove(shot)


def make_burst(orig, bdir, rng):
    w, h = size_of(orig)
    cw, ch = round(w * 0.925), round(h * 0.925)
    for i, (x, y) in enumerate([(0, 0), (w - cw, h - ch)]):
        frame = os.path.join(bdir, f"frame{i}.jpg")
        subprocess.run(["convert", orig, "-crop", f"{cw}x{ch}+{x}+{y}", "+repage", frame],
                       check=True)
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-Make=Burst", "-Model=One",
                        f"-DateTimeOriginal=2024:05:01 10:00:0{i}", frame], check=True)
    args, _ = edit("offcrop", rng, cw, ch)
    subprocess.run(["convert", os.path.join(bdir, "frame0.jpg")] + args +
                   [os.path.join(bdir, "frame0-copy.jpg")], check=True)


if __name__ == "__main__":
    main()
