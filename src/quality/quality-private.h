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
#define DERUSH_PHASH_VERSION 5

/* The rotation-invariant polar signature (polar-signature.c documents it):
 * per ring, the mean and the first harmonics of the angular profile, Q15. */
#define DERUSH_POLAR_RINGS 12
#define DERUSH_POLAR_HARMONICS 6     /* complex harmonics kept, for the angle */
#define DERUSH_POLAR_MAG_HARMONICS 4 /* magnitudes in the distance and rhash */

typedef struct {
  gboolean valid; /* FALSE for a flat disc: never matched by rotation */
  guint64 rhash;  /* 64 bits of the rotation-invariant descriptor */
  gint16 mean[DERUSH_POLAR_RINGS];
  gint16 re[DERUSH_POLAR_RINGS][DERUSH_POLAR_HARMONICS];
  gint16 im[DERUSH_POLAR_RINGS][DERUSH_POLAR_HARMONICS];
} DerushPolar;

void _derush_polar_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                               DerushPolar *polar);
double _derush_polar_distance(const DerushPolar *a, const DerushPolar *b);
double _derush_polar_rotation(const DerushPolar *a, const DerushPolar *b, int trivial_deg,
                              int *angle_deg, gboolean *mirrored, double *identity_corr);

guint64 _derush_dhash(VipsImage *image, GError **error);
guint64 _derush_phash(VipsImage *image, GError **error);
gboolean _derush_perceptual_hashes(VipsImage *image, guint64 *dhash, guint64 *phash,
                                   GError **error);
gboolean _derush_perceptual_hashes_rgb(const guint8 *pixels, int width, int height, int bands,
                                       gsize stride, guint64 *dhash, guint64 *phash);
int _derush_hamming(guint64 a, guint64 b);
void _derush_perceptual_hashes_windows(const guint8 *pixels, int width, int height, gsize stride,
                                       const int (*rects)[4], int n, guint64 *dhash,
                                       guint64 *phash);

/* Variance of the 4-neighbour Laplacian of a grey plane (NAN under 3x3). */
double _derush_laplacian_variance(const float *grey, int width, int height);

G_END_DECLS

#endif /* DERUSH_QUALITY_PRIVATE_H */
