/* derush-quality.h: the per-photo feature vector (part of the public API; include derush.h). */
#ifndef DERUSH_QUALITY_H
#define DERUSH_QUALITY_H

#include "derush-catalog.h"

G_BEGIN_DECLS

/* Bumped whenever a feature's definition changes (quality/features.c): the
 * stored vectors of another version are recomputed by the next analyze. */
#define DERUSH_FEATURES_VERSION 5

/* The per-photo feature vector, float32, in this order; docs/features.md
 * has the table. Stored by index: append only, and bump the version when a
 * definition changes. Absent or undefined values are NAN, never 0. */
typedef enum {
  /* sharpness (grey, 0..255 scale, on the 512 px preview) */
  DERUSH_FEATURE_LAP_VAR,          /* Laplacian variance, full preview scale */
  DERUSH_FEATURE_LAP_VAR_HALF,     /* ... at 1/2 scale */
  DERUSH_FEATURE_LAP_VAR_QUARTER,  /* ... at 1/4 scale */
  DERUSH_FEATURE_LAP_TILE_MAX,     /* largest tile Laplacian variance */
  DERUSH_FEATURE_LAP_TILE_CENTER,  /* centre-weighted mean of tile variances */
  DERUSH_FEATURE_LAP_TILE_MEDIAN,  /* median tile variance */
  DERUSH_FEATURE_GRAD_ENERGY,      /* mean squared gradient */
  DERUSH_FEATURE_GRAD_TILE_MAX,    /* largest tile mean squared gradient */
  DERUSH_FEATURE_SHARP_FINE_RATIO, /* LAP_VAR / LAP_VAR_HALF */
  DERUSH_FEATURE_MOTION_STRENGTH,  /* gradient orientation anisotropy 0..1 */
  DERUSH_FEATURE_MOTION_ANGLE,     /* blur direction, degrees 0..180 */
  /* exposure (luma 0..1) */
  DERUSH_FEATURE_LUMA_P1,
  DERUSH_FEATURE_LUMA_P5,
  DERUSH_FEATURE_LUMA_P50,
  DERUSH_FEATURE_LUMA_P95,
  DERUSH_FEATURE_LUMA_P99,
  DERUSH_FEATURE_LUMA_MEAN,
  DERUSH_FEATURE_CLIP_HIGH,     /* fraction of pixels at >= 250/255 */
  DERUSH_FEATURE_CLIP_LOW,      /* fraction of pixels at <= 5/255 */
  DERUSH_FEATURE_ENTROPY,       /* luma histogram entropy, bits 0..8 */
  DERUSH_FEATURE_DYNAMIC_RANGE, /* P99 - P1 */
  DERUSH_FEATURE_EXPOSURE_EV,   /* log2(mean linear luminance / 0.18) */
  DERUSH_FEATURE_EV_VS_BIAS,    /* EXPOSURE_EV - EXIF exposure bias */
  /* noise, contrast, colour */
  DERUSH_FEATURE_NOISE,         /* noise sigma, grey levels (flat tiles) */
  DERUSH_FEATURE_CONTRAST,      /* RMS contrast: luma standard deviation */
  DERUSH_FEATURE_SATURATION,    /* mean HSV saturation 0..1 */
  DERUSH_FEATURE_COLOURFULNESS, /* Hasler-Suesstrunk M */
  DERUSH_FEATURE_CAST_A,        /* mean CIELAB a* */
  DERUSH_FEATURE_CAST_B,        /* mean CIELAB b* */
  /* from EXIF and the file */
  DERUSH_FEATURE_ISO,
  DERUSH_FEATURE_LOG2_SHUTTER,  /* log2(exposure time in s) */
  DERUSH_FEATURE_SHAKE_RISK,    /* exposure time * 35 mm focal length */
  DERUSH_FEATURE_APERTURE,      /* f-number */
  DERUSH_FEATURE_FLASH_FIRED,   /* 0 or 1 */
  DERUSH_FEATURE_HOUR,          /* hour of day 0..24 (camera clock) */
  DERUSH_FEATURE_EXPOSURE_BIAS, /* EV */
  DERUSH_FEATURE_ASPECT,        /* width / height */
  DERUSH_FEATURE_MEGAPIXELS,    /* of the original */
  /* how the file was encoded (quality/jpeg-encoding.c) */
  DERUSH_FEATURE_JPEG_QUALITY,    /* IJG quality of the luma table 1..100; NAN: not a JPEG */
  DERUSH_FEATURE_CAMERA_JPEG,     /* 1: laid out as a camera writes it, 0: by a program */
  DERUSH_FEATURE_BYTES_PER_PIXEL, /* file bytes per pixel of the original */
  /* the lone-photo sharpness judgement (quality/sharpness-judge.c) */
  DERUSH_FEATURE_EDGE_WIDTH,       /* crisp edges' width, worst orientation, preview px */
  DERUSH_FEATURE_REBLUR,           /* variation a re-blur leaves (Crete): 0 crisp .. 1 flat */
  DERUSH_FEATURE_SHARPNESS_SCORE,  /* 0..1, higher sharper, comparable across photos */
  DERUSH_FEATURE_NOISE_FLAT,       /* noise sigma of the flattest 16x16 blocks (5th pct) */
  DERUSH_FEATURE_EDGE_WIDTH_CRISP, /* EDGE_WIDTH over the crispest region, preview px */
  DERUSH_N_FEATURES
} DerushFeature;

typedef struct {
  const char *name;    /* stable snake_case name, e.g. "lap_var" */
  const char *meaning; /* one line */
  const char *range;   /* e.g. "0..1", ">= 0" */
} DerushFeatureInfo;

const DerushFeatureInfo *derush_feature_info(DerushFeature feature);
gboolean derush_feature_from_name(const char *name, DerushFeature *feature);

double derush_features_quality_score(const float *vector);

typedef enum {
  DERUSH_EXPOSURE_OK,
  DERUSH_EXPOSURE_UNDER,
  DERUSH_EXPOSURE_OVER,
} DerushExposureFlag;

DerushExposureFlag derush_features_exposure_flag(const float *vector);

gboolean derush_catalog_get_features(DerushCatalog *catalog, const char *path, float *vector,
                                     GError **error);

double derush_features_sharpness(const float *vector);

/* The lone-photo judgement (quality/sharpness-judge.c): a score on one
 * scale for every photo, and flags that need no group to compare with.
 * @confidence (out, optional): how sure the flag is, 0.5..1. */
double derush_features_sharpness_score(const float *vector);
gboolean derush_features_soft(const float *vector, double *confidence);
gboolean derush_features_noisy(const float *vector, double *confidence);
gboolean derush_features_soft_visible(const float *vector, double *confidence);

/* What the photographer is warned of about a photo's focus and grain
 * (quality/soft-warning.c): one verdict for the grid badge, the side
 * panel and every other caller. */
typedef struct {
  gboolean soft;           /* show the "Soft" warning: alone or vs_group */
  gboolean alone;          /* soft on its own (derush_features_soft_visible()) */
  gboolean vs_group;       /* much less sharp than its group's best pick */
  double soft_confidence;  /* how sure the lone judgement is, 0.5..1; 0 unknown */
  gboolean noisy;          /* grain (derush_features_noisy()) */
  double noisy_confidence; /* 0.5..1; 0 unknown */
  double sharpness;        /* derush_features_sharpness(), for vs_group */
} DerushSoftWarning;

void derush_soft_warning_init(DerushSoftWarning *warning, const float *vector);
void derush_soft_warning_vs_best(DerushSoftWarning *warning, double best_sharpness);
const char *derush_soft_warning_sureness(double confidence);

/* Almost no detail anywhere (lens cap, plain colour): never a near-duplicate
 * by hashes (quality/photo-flags.c). */
gboolean derush_features_blank(const float *vector);

G_END_DECLS

#endif /* DERUSH_QUALITY_H */
