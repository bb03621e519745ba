/* quality-private.h: per-photo measures computed from a decoded preview
 * (not installed). The lead's derush-private.h includes this header.
 *
 * Perceptual hashes: two 64-bit fingerprints of an upright picture that
 * stay (almost) the same through re-encoding, resizing, small exposure
 * changes and greyscale conversion, so near-duplicates are a few bits
 * apart. Their exact definitions, bit order included, are in
 * perceptual-hash.c; they are computed in integer arithmetic only, so a
 * stored hash is the same on every machine and compiler. */
#ifndef DERUSH_QUALITY_PRIVATE_H
#define DERUSH_QUALITY_PRIVATE_H

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* Bumped whenever a definition in perceptual-hash.c changes: hashes stored
 * in the catalog under another version must be recomputed. */
#define DERUSH_PHASH_VERSION 1

guint64 _derush_dhash(VipsImage *image, GError **error);
guint64 _derush_phash(VipsImage *image, GError **error);
gboolean _derush_perceptual_hashes(VipsImage *image, guint64 *dhash, guint64 *phash,
                                   GError **error);
gboolean _derush_perceptual_hashes_rgb(const guint8 *pixels, int width, int height, int bands,
                                       gsize stride, guint64 *dhash, guint64 *phash);
int _derush_hamming(guint64 a, guint64 b);

G_END_DECLS

#endif /* DERUSH_QUALITY_PRIVATE_H */
