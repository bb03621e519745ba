#!/usr/bin/python3
"""Build the benchmark data sets once; later runs reuse them (marker file).

  mkdata.py images SRC DST       copy the photo files of SRC (by extension) to DST
  mkdata.py scale  SRC DST N     N photo files from SRC's photos, each copy with
                                 its own bytes (distinct content hash and inode)
  mkdata.py tiny   SRC DST N     N tiny JPEGs (~160 px, real EXIF) in DST/aXX/bYY/,
                                 1,000 a folder: DST/a00/b00 = 1k, DST/a00 = 10k

Copies must not share content: derush keys its thumbnail cache and move
detection on a content hash, so byte-identical copies would let it skip work
the peers do. A JPEG copy gets a COM segment after SOI naming the copy; any
other format gets the same bytes appended at the end (past EOF markers, which
decoders ignore).
"""
import io
import os
import shutil
import sys

PHOTO_EXT = {
    ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".heif", ".avif",
    ".gif", ".dng", ".nef", ".cr2", ".cr3", ".arw", ".raf", ".orf", ".rw2", ".pef",
}
MARK = ".bench-complete"


def photos(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in sorted(files):
            if not f.startswith(".") and os.path.splitext(f)[1].lower() in PHOTO_EXT:
                out.append(os.path.join(d, f))
    return out


def done(dst, what):
    m = os.path.join(dst, MARK)
    if os.path.exists(m) and open(m).read() == what:
        return True
    if os.path.exists(dst):
        shutil.rmtree(dst)
    return False


def mark(dst, what):
    with open(os.path.join(dst, MARK), "w") as f:
        f.write(what)


def distinct(data, tag):
    """The file's bytes with a unique tag (see the module comment)."""
    tag = b"derush-bench copy " + tag.encode()
    if data[:2] == b"\xff\xd8":
        seg = b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag
        return data[:2] + seg + data[2:]
    return data + tag


def cmd_images(src, dst):
    what = "images %s\n" % src
    if done(dst, what):
        return
    for p in photos(src):
        q = os.path.join(dst, os.path.relpath(p, src))
        os.makedirs(os.path.dirname(q), exist_ok=True)
        shutil.copy2(p, q)
    mark(dst, what)


def cmd_scale(src, dst, n):
    what = "scale %s %d\n" % (src, n)
    if done(dst, what):
        return
    srcs = photos(src)
    blobs = [open(p, "rb").read() for p in srcs]
    made = 0
    copy = 0
    while made < n:
        d = os.path.join(dst, "c%03d" % copy)
        os.makedirs(d, exist_ok=True)
        for p, data in zip(srcs, blobs):
            if made == n:
                break
            stem, ext = os.path.splitext(os.path.basename(p))
            name = "%s_c%03d%s" % (stem, copy, ext)
            with open(os.path.join(d, name), "wb") as f:
                f.write(distinct(data, name))
            made += 1
        copy += 1
    mark(dst, what)


def cmd_tiny(src, dst, n):
    from PIL import Image

    what = "tiny %s %d\n" % (src, n)
    if done(dst, what):
        return
    seeds = []
    for p in photos(src):
        if os.path.splitext(p)[1].lower() not in (".jpg", ".jpeg"):
            continue
        with Image.open(p) as im:
            exif = im.info.get("exif")
            if not exif:
                continue
            im.draft("RGB", (320, 320))
            im = im.convert("RGB")
            im.thumbnail((160, 160))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=80, exif=exif)
            seeds.append(buf.getvalue())
        if len(seeds) == 8:
            break
    if not seeds:
        sys.exit("mkdata: no JPEG with EXIF in %s" % src)
    for i in range(n):
        d = os.path.join(dst, "a%02d" % (i // 10000), "b%02d" % (i // 1000 % 10))
        if i % 1000 == 0:
            os.makedirs(d, exist_ok=True)
        name = "IMG_%06d.jpg" % i
        with open(os.path.join(d, name), "wb") as f:
            f.write(distinct(seeds[i % len(seeds)], name))
    mark(dst, what)


def main(argv):
    if len(argv) >= 4 and argv[1] == "images":
        cmd_images(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "scale":
        cmd_scale(argv[2], argv[3], int(argv[4]))
    elif len(argv) >= 5 and argv[1] == "tiny":
        cmd_tiny(argv[2], argv[3], int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
