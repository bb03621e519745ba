/* photo-flags.c: verdicts about one photo from its features alone.
 *
 * Blank frames: a lens-cap frame, a plain colour, a featureless sky have
 * almost no detail, and every such frame hashes alike (a pHash of a flat
 * picture is noise around zero), so an all-black frame and a green square
 * used to form a "near-duplicate" set (issue 21). They get their own flag,
 * and grouping keeps them out of the hash search (group-store.c).
 */
#include "features.h"

/* The most detailed tile's mean squared gradient, in grey levels^2: a
 * lens-cap frame (JPEG noise on black) measured 0.58, a sky gradient 0.09,
 * a plain colour 0, while the least detailed real photo of
 * ../shared/corpus/exif_cameras and coco_sample is far above. */
#define BLANK_GRAD_TILE_MAX 2.0
#define BLANK_LAP_TILE_MAX 20.0

/**
 * derush_features_blank:
 * @vector: DERUSH_N_FEATURES values
 *
 * Whether the photo has almost no detail anywhere: no tile of the preview
 * has a mean squared gradient of BLANK_GRAD_TILE_MAX grey levels^2 (and a
 * Laplacian variance of BLANK_LAP_TILE_MAX). Such a frame is never a
 * near-duplicate by its hashes.
 *
 * Returns: TRUE for a blank frame; FALSE when not, or unknown.
 */
gboolean
derush_features_blank(const float *vector)
{
  double grad = vector[DERUSH_FEATURE_GRAD_TILE_MAX], lap = vector[DERUSH_FEATURE_LAP_TILE_MAX];
  return grad < BLANK_GRAD_TILE_MAX && lap < BLANK_LAP_TILE_MAX; /* NAN: FALSE */
}
