/* features.h: computing the feature vector and the perceptual hashes of one
 * photo from its decoded preview (not installed). See features.c. */
#ifndef DERUSH_FEATURES_H
#define DERUSH_FEATURES_H

#include "derush-private.h"
#include "quality-private.h"

G_BEGIN_DECLS

/* The picture transforms whose hashes are kept, so mirrored, upside-down
 * and cropped copies of a picture can be matched (group/grouping.c): a copy's
 * plain hashes are compared with the other's transformed ones. Index 0 is
 * the picture as it is. The crops are central and keep the aspect ratio:
 * a copy cropped to 85% or 70% of the width and height (a straightened or
 * tightened re-crop) then hashes like the original's crop.
 *
 * The windows (DERUSH_PHASH_VERSION 5) are off-centre crops: 92.5% of the
 * width and height at the points of a 5 x 5 grid of positions, corners to
 * centre (window k at column k % 5, row k / 5; its left edge at
 * round(c (W - w) / 4), w = round(0.925 W), the same for rows). A copy
 * cropped to 90-95% of each side at any position is then within about 1%
 * of the picture's size and 2.5% of its scale of one of them: a few pHash
 * bits (issue 21: on real photos, 0-8 bits, most 0-4). */
#define DERUSH_WINDOW_GRID 5
#define DERUSH_WINDOW_PERMILLE 925
#define DERUSH_N_WINDOWS (DERUSH_WINDOW_GRID * DERUSH_WINDOW_GRID)

typedef enum {
  DERUSH_XFORM_IDENTITY,
  DERUSH_XFORM_HFLIP,   /* mirrored left-right */
  DERUSH_XFORM_VFLIP,   /* mirrored top-bottom */
  DERUSH_XFORM_ROT180,  /* upside down */
  DERUSH_XFORM_CROP85,  /* the central 85% x 85% */
  DERUSH_XFORM_CROP70,  /* the central 70% x 70% */
  DERUSH_XFORM_WINDOW0, /* the first of the DERUSH_N_WINDOWS windows */
  DERUSH_N_XFORMS = DERUSH_XFORM_WINDOW0 + DERUSH_N_WINDOWS
} DerushXform;

typedef struct {
  guint64 dhash[DERUSH_N_XFORMS];
  guint64 phash[DERUSH_N_XFORMS];
  DerushPolar polar; /* rotation-invariant signature of the plain picture */
} DerushHashes;

/* Bytes of a DerushHashes in the catalog (hashes.variants): every
 * transform's (dHash, pHash), windows included, then the polar signature's
 * valid flag and rhash, then its Q15 values, all little-endian. */
#define DERUSH_HASHES_BLOB_SIZE                                                                    \
  (16 * DERUSH_N_XFORMS + 8 + 8 + 2 * DERUSH_POLAR_RINGS * (1 + 2 * DERUSH_POLAR_HARMONICS))

/* Features of a packed 8-bit RGB buffer (3 bands, upright, any size from
 * 1x1), plus the EXIF values of @meta (nullable). @orig_width/height give
 * the original's size (<= 0 unknown). Never fails: what cannot be measured
 * is NAN. */
void _derush_features_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                                  const DerushMeta *meta, int orig_width, int orig_height,
                                  float *vector);

/* The hashes of every transform of the same buffer. */
void _derush_hashes_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                                DerushHashes *hashes);

/* Both from any decoded image (normalised to 8-bit sRGB and fitted to
 * DERUSH_THUMB_CACHE_SIZE first when needed). @hashes is optional. */
gboolean _derush_features_compute_image(VipsImage *image, const DerushMeta *meta, int orig_width,
                                        int orig_height, float *vector, DerushHashes *hashes,
                                        GError **error);

/* log10(1 + Laplacian variance) of the grey of a region of a packed RGB
 * buffer (edges clamped); NAN under 3x3 pixels. */
double _derush_region_sharpness_rgb(const guint8 *rgb, int width, int height, gsize stride, int x0,
                                    int y0, int x1, int y1);

/* sharpness-judge.c: EDGE_WIDTH, REBLUR and SHARPNESS_SCORE of @v from the
 * preview's grey plane; NOISE must be in @v already. */
void _derush_sharpness_judge(const float *grey, int width, int height, float *v);

/* jpeg-encoding.c: the IJG quality of a luma table's sum; a JPEG file's
 * encoding (FALSE when not a readable JPEG); and the file features of
 * @vector (JPEG_QUALITY, CAMERA_JPEG, BYTES_PER_PIXEL, after MEGAPIXELS). */
int _derush_jpeg_quality_of_sum(int sum);
gboolean _derush_jpeg_encoding_read(const char *path, int *quality, gboolean *camera);
void _derush_file_features(const char *path, gint64 size, float *vector);

G_END_DECLS

#endif /* DERUSH_FEATURES_H */
