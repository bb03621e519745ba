/* features.c: the feature vector of one photo, from its decoded preview.
 *
 * Everything here runs on the 512 px preview the thumbnail cache already
 * holds (never the original: decoding a 24 MP JPEG costs 100x more than
 * these measures), in one or two passes over packed RGB bytes, with no
 * allocation beyond one float grey plane. The vector is float32; its layout
 * and meaning are DerushFeature in derush.h and the table below (also
 * docs/features.md). Undefined values are NAN: a 1x1 picture has no
 * Laplacian, a photo without EXIF no ISO; a learner must see "unknown", not
 * a fake 0.
 *
 * Why these measures:
 * - Sharpness is measured per tile as well as globally, because a sharp
 *   subject on a smooth background (bokeh) has a low global Laplacian
 *   variance but one very sharp tile; and at three scales, because blur
 *   removes the fine scale first (LAP_VAR / LAP_VAR_HALF drops).
 * - Motion blur smears gradients along one direction: the structure tensor
 *   of the whole picture turns anisotropic, and its weak axis is the
 *   direction of the motion. Strongly oriented scenes (a horizon) are
 *   anisotropic too, so this is a hint for a learner, not a verdict.
 * - Noise is Immerkaer's estimator (a Laplacian-difference kernel that
 *   cancels smooth image content) per tile; the 25th percentile of the
 *   tiles keeps it to the flat ones, as edges inflate the estimate.
 * - Exposure: percentiles of luma and clipped fractions describe the
 *   histogram; EXPOSURE_EV is log2 of the mean linear luminance over 18%
 *   grey, and EV_VS_BIAS sets it against the EXIF exposure bias. A bright
 *   frame is not over-exposed by itself (snow, fog, a white beach are
 *   bright when right): derush_features_exposure_flag() also asks whether
 *   the camera added light (bias, flash) and whether the content is pale.
 *
 * Over 600 lines: the feature table and every measure over the shared grey
 * plane, computed in one or two passes.
 */
#include "features.h"
#include "util/tsan-handoff.h"

#define N_TILES 8
#define CLIP_HIGH_LEVEL 250
#define CLIP_LOW_LEVEL 5
#define LAB_SAMPLES 16384 /* colour cast: enough samples for a mean */

static const DerushFeatureInfo feature_info[DERUSH_N_FEATURES] = {
    [DERUSH_FEATURE_LAP_VAR] = {"lap_var", "variance of the 4-neighbour Laplacian of grey (0..255)",
                                ">= 0"},
    [DERUSH_FEATURE_LAP_VAR_HALF] = {"lap_var_half", "the same on the preview halved (2x2 mean)",
                                     ">= 0"},
    [DERUSH_FEATURE_LAP_VAR_QUARTER] = {"lap_var_quarter", "the same on the preview quartered",
                                        ">= 0"},
    [DERUSH_FEATURE_LAP_TILE_MAX] = {"lap_tile_max",
                                     "largest Laplacian variance of an up-to-8x8 tile grid",
                                     ">= 0"},
    [DERUSH_FEATURE_LAP_TILE_CENTER] = {"lap_tile_center",
                                        "tile Laplacian variances, Gaussian-weighted to the centre "
                                        "(sigma 1/4 of the frame)",
                                        ">= 0"},
    [DERUSH_FEATURE_LAP_TILE_MEDIAN] = {"lap_tile_median", "median tile Laplacian variance",
                                        ">= 0"},
    [DERUSH_FEATURE_GRAD_ENERGY] = {"grad_energy",
                                    "mean squared central-difference gradient of grey", ">= 0"},
    [DERUSH_FEATURE_GRAD_TILE_MAX] = {"grad_tile_max", "largest tile mean squared gradient",
                                      ">= 0"},
    [DERUSH_FEATURE_SHARP_FINE_RATIO] = {"sharp_fine_ratio",
                                         "lap_var / lap_var_half: fine-scale detail left; low "
                                         "when blurred",
                                         ">= 0"},
    [DERUSH_FEATURE_MOTION_STRENGTH] = {"motion_strength",
                                        "gradient structure tensor anisotropy (l1-l2)/(l1+l2); "
                                        "high for motion blur (and oriented scenes)",
                                        "0..1"},
    [DERUSH_FEATURE_MOTION_ANGLE] = {"motion_angle",
                                     "direction of weakest gradients (the smear), degrees "
                                     "anticlockwise from horizontal",
                                     "0..180"},
    [DERUSH_FEATURE_LUMA_P1] = {"luma_p1", "1st percentile of luma (BT.601, sRGB-encoded)", "0..1"},
    [DERUSH_FEATURE_LUMA_P5] = {"luma_p5", "5th percentile of luma", "0..1"},
    [DERUSH_FEATURE_LUMA_P50] = {"luma_p50", "median luma", "0..1"},
    [DERUSH_FEATURE_LUMA_P95] = {"luma_p95", "95th percentile of luma", "0..1"},
    [DERUSH_FEATURE_LUMA_P99] = {"luma_p99", "99th percentile of luma", "0..1"},
    [DERUSH_FEATURE_LUMA_MEAN] = {"luma_mean", "mean luma", "0..1"},
    [DERUSH_FEATURE_CLIP_HIGH] = {"clip_high", "fraction of pixels with luma >= 250/255", "0..1"},
    [DERUSH_FEATURE_CLIP_LOW] = {"clip_low", "fraction of pixels with luma <= 5/255", "0..1"},
    [DERUSH_FEATURE_ENTROPY] = {"entropy", "entropy of the 256-bin luma histogram, bits", "0..8"},
    [DERUSH_FEATURE_DYNAMIC_RANGE] = {"dynamic_range", "luma_p99 - luma_p1", "0..1"},
    [DERUSH_FEATURE_EXPOSURE_EV] = {"exposure_ev",
                                    "log2(mean linear luminance / 0.18): 0 is mid-grey, "
                                    "-1 one stop under",
                                    "about -13..2.5"},
    [DERUSH_FEATURE_EV_VS_BIAS] = {"ev_vs_bias",
                                   "exposure_ev - EXIF exposure bias (NaN without the tag)", "EV"},
    [DERUSH_FEATURE_NOISE] = {"noise",
                              "noise sigma (Immerkaer), 25th percentile over tiles, grey levels",
                              ">= 0"},
    [DERUSH_FEATURE_CONTRAST] = {"contrast", "RMS contrast: standard deviation of luma", "0..0.5"},
    [DERUSH_FEATURE_SATURATION] = {"saturation", "mean HSV saturation", "0..1"},
    [DERUSH_FEATURE_COLOURFULNESS] = {"colourfulness",
                                      "Hasler-Suesstrunk M on 0..255 RGB (>= 59 quite, >= 82 "
                                      "highly colourful)",
                                      ">= 0"},
    [DERUSH_FEATURE_CAST_A] = {"cast_a", "mean CIELAB a* (D65): + magenta, - green",
                               "about -128..127"},
    [DERUSH_FEATURE_CAST_B] = {"cast_b", "mean CIELAB b* (D65): + yellow, - blue",
                               "about -128..127"},
    [DERUSH_FEATURE_ISO] = {"iso", "EXIF ISO speed", "> 0"},
    [DERUSH_FEATURE_LOG2_SHUTTER] = {"log2_shutter", "log2 of the exposure time in seconds",
                                     "about -13..5"},
    [DERUSH_FEATURE_SHAKE_RISK] = {"shake_risk",
                                   "exposure time x 35 mm focal length: above 1 is slower than "
                                   "the 1/focal rule",
                                   ">= 0"},
    [DERUSH_FEATURE_APERTURE] = {"aperture", "EXIF f-number", "> 0"},
    [DERUSH_FEATURE_FLASH_FIRED] = {"flash_fired", "EXIF Flash bit 0", "0 or 1"},
    [DERUSH_FEATURE_HOUR] = {"hour",
                             "hour of day on the camera's clock, fractional (EXIF time only)",
                             "0..24"},
    [DERUSH_FEATURE_EXPOSURE_BIAS] = {"exposure_bias", "EXIF exposure bias, EV", "EV"},
    [DERUSH_FEATURE_ASPECT] = {"aspect", "width / height as displayed", "> 0"},
    [DERUSH_FEATURE_MEGAPIXELS] = {"megapixels", "pixels of the original / 1e6", "> 0"},
    [DERUSH_FEATURE_JPEG_QUALITY] = {"jpeg_quality",
                                     "IJG quality (1..100) whose luma quantisation table sum is "
                                     "nearest the file's; null when not a JPEG",
                                     "1..100"},
    [DERUSH_FEATURE_CAMERA_JPEG] = {"camera_jpeg",
                                    "1 when the JPEG is laid out as a camera writes it (Exif "
                                    "first, no JFIF, Photoshop or Adobe segment), 0 when a "
                                    "program wrote it again",
                                    "0 or 1"},
    [DERUSH_FEATURE_BYTES_PER_PIXEL] = {"bytes_per_pixel", "file bytes per pixel of the original",
                                        ">= 0"},
    [DERUSH_FEATURE_EDGE_WIDTH] = {"edge_width",
                                   "pixels a crisp edge takes to rise (grey range over slope at "
                                   "strong edges, 20th percentile), in the worst of 4 orientations",
                                   ">= 0"},
    [DERUSH_FEATURE_REBLUR] = {"reblur",
                               "share of neighbouring-pixel variation a 9-px box re-blur leaves "
                               "(Crete et al. 2007), noise discounted: 0 crisp, 1 flat",
                               "0..1"},
    [DERUSH_FEATURE_SHARPNESS_SCORE] = {"sharpness_score",
                                        "probability-like sharpness from edge_width and the "
                                        "Laplacian sharpness (reblur without strong edges): "
                                        "below 0.5 soft",
                                        "0..1"},
    [DERUSH_FEATURE_NOISE_FLAT] = {"noise_flat",
                                   "noise sigma (Immerkaer) of the flattest 16x16 blocks (5th "
                                   "percentile), grey levels: grain where no texture hides it",
                                   ">= 0"},
    [DERUSH_FEATURE_EDGE_WIDTH_CRISP] = {"edge_width_crisp",
                                         "edge_width over the crispest tiles of an 8x8 grid (by "
                                         "their median edge width) holding a quarter of the "
                                         "edges: the focused subject of a shallow-focus photo",
                                         ">= 0"},
};

/**
 * derush_feature_info:
 * @feature: a DerushFeature
 *
 * Returns: (transfer none): the feature's name, meaning and range; NULL for
 * an index out of range.
 */
const DerushFeatureInfo *
derush_feature_info(DerushFeature feature)
{
  g_return_val_if_fail((int)feature >= 0 && feature < DERUSH_N_FEATURES, NULL);
  return &feature_info[feature];
}

/**
 * derush_feature_from_name:
 * @name: a feature name, e.g. "lap_var"
 * @feature: (out): the feature
 *
 * Returns: FALSE when no feature has this name.
 */
gboolean
derush_feature_from_name(const char *name, DerushFeature *feature)
{
  for (int i = 0; i < DERUSH_N_FEATURES; i++)
    if (g_strcmp0(name, feature_info[i].name) == 0) {
      *feature = (DerushFeature)i;
      return TRUE;
    }
  return FALSE;
}

/* sRGB-encoded byte to linear light, computed once. */
static float srgb_to_linear[256];

static gpointer
init_tables(gpointer data)
{
  for (int i = 0; i < 256; i++) {
    double c = i / 255.0;
    srgb_to_linear[i] = (float)(c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
  }
  /* g_once publishes it inside GLib, where make tsan cannot see. */
  DERUSH_HANDOFF_RELEASE(srgb_to_linear);
  return NULL;
}

static float
lab_f(float t)
{
  return t > 0.008856f ? cbrtf(t) : 7.787f * t + 16.0f / 116.0f;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The value below which @q of the sorted @v lies (lower median style). */
static double
quantile_sorted(const double *v, int n, double q)
{
  if (n <= 0)
    return NAN;
  int i = (int)floor(q * (n - 1) + 0.5);
  return v[CLAMP(i, 0, n - 1)];
}

/* Variance of the 4-neighbour Laplacian over the interior of @g (also
 * face sharpness, detect/face-quality.c). */
double
_derush_laplacian_variance(const float *g, int w, int h)
{
  if (w < 3 || h < 3)
    return NAN;
  double s = 0, s2 = 0;
  for (int y = 1; y < h - 1; y++) {
    const float *r = g + (gsize)y * w;
    for (int x = 1; x < w - 1; x++) {
      double l = r[x - 1] + r[x + 1] + r[x - w] + r[x + w] - 4.0 * r[x];
      s += l;
      s2 += l * l;
    }
  }
  double n = (double)(w - 2) * (h - 2);
  return MAX(0.0, s2 / n - (s / n) * (s / n));
}

/* 2x2 mean; returns the new plane (owned) and its size. */
static float *
halve(const float *g, int w, int h, int *w2, int *h2)
{
  *w2 = w / 2;
  *h2 = h / 2;
  if (*w2 < 1 || *h2 < 1)
    return NULL;
  float *out = g_new(float, (gsize)*w2 **h2);
  for (int y = 0; y < *h2; y++) {
    const float *a = g + (gsize)(2 * y) * w, *b = a + w;
    float *o = out + (gsize)y * *w2;
    for (int x = 0; x < *w2; x++)
      o[x] = 0.25f * (a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1]);
  }
  return out;
}

typedef struct {
  double n, lap, lap2, grad2, noise;
} Tile;

/* Sharpness, motion and noise from the grey plane (0..255). */
static void
sharpness_features(const float *g, int w, int h, float *v)
{
  if (w < 3 || h < 3)
    return;
  /* Tiles at least 16 px on a side where the picture allows, so a tile's
   * variance is not two pixels' worth; a panorama gets a 8x1..8x2 grid. */
  int nx = CLAMP((w - 2) / 16, 1, N_TILES), ny = CLAMP((h - 2) / 16, 1, N_TILES);
  Tile tiles[N_TILES * N_TILES] = {{0}};
  int tx_of[4096];
  gboolean small_row = w <= (int)G_N_ELEMENTS(tx_of);
  double jxx = 0, jyy = 0, jxy = 0, lap_s = 0, lap_s2 = 0, grad_s = 0;
  for (int y = 1; y < h - 1; y++) {
    int ty = (int)((gint64)(y - 1) * ny / (h - 2));
    const float *r = g + (gsize)y * w;
    const float *up = r - w, *dn = r + w;
    for (int x = 1; x < w - 1; x++) {
      int tx;
      if (small_row) {
        if (y == 1)
          tx_of[x] = (int)((gint64)(x - 1) * nx / (w - 2));
        tx = tx_of[x];
      } else {
        tx = (int)((gint64)(x - 1) * nx / (w - 2));
      }
      float c = r[x];
      float l = r[x - 1] + r[x + 1] + up[x] + dn[x] - 4.0f * c;
      float gx = 0.5f * (r[x + 1] - r[x - 1]), gy = 0.5f * (dn[x] - up[x]);
      /* Immerkaer's kernel [1 -2 1; -2 4 -2; 1 -2 1]: zero on planes and
       * ramps, so what is left in flat areas is noise. */
      float nk = up[x - 1] + up[x + 1] + dn[x - 1] + dn[x + 1] -
                 2.0f * (up[x] + dn[x] + r[x - 1] + r[x + 1]) + 4.0f * c;
      Tile *t = &tiles[ty * nx + tx];
      t->n += 1;
      t->lap += l;
      t->lap2 += (double)l * l;
      t->grad2 += (double)gx * gx + (double)gy * gy;
      t->noise += fabsf(nk);
      jxx += (double)gx * gx;
      jyy += (double)gy * gy;
      jxy += (double)gx * gy;
    }
  }
  int nt = nx * ny;
  double lap_var_tile[N_TILES * N_TILES], noise_tile[N_TILES * N_TILES];
  double tile_max = 0, grad_max = 0, wsum = 0, wlap = 0, n_all = 0;
  for (int i = 0; i < nt; i++) {
    Tile *t = &tiles[i];
    double m = t->lap / t->n;
    lap_var_tile[i] = MAX(0.0, t->lap2 / t->n - m * m);
    noise_tile[i] = sqrt(G_PI / 2) / 6.0 * t->noise / t->n;
    tile_max = MAX(tile_max, lap_var_tile[i]);
    grad_max = MAX(grad_max, t->grad2 / t->n);
    /* Centre weight: Gaussian of the tile centre's distance to the frame
     * centre, sigma a quarter of the frame (the rule-of-thirds points still
     * weigh ~0.4). */
    double cx = (i % nx + 0.5) / nx - 0.5, cy = (i / nx + 0.5) / ny - 0.5;
    double wt = exp(-(cx * cx + cy * cy) / (2 * 0.25 * 0.25));
    wsum += wt;
    wlap += wt * lap_var_tile[i];
    lap_s += t->lap;
    lap_s2 += t->lap2;
    grad_s += t->grad2;
    n_all += t->n;
  }
  double m = lap_s / n_all;
  v[DERUSH_FEATURE_LAP_VAR] = (float)MAX(0.0, lap_s2 / n_all - m * m);
  v[DERUSH_FEATURE_LAP_TILE_MAX] = (float)tile_max;
  v[DERUSH_FEATURE_LAP_TILE_CENTER] = (float)(wlap / wsum);
  qsort(lap_var_tile, nt, sizeof(double), cmp_double);
  v[DERUSH_FEATURE_LAP_TILE_MEDIAN] = (float)quantile_sorted(lap_var_tile, nt, 0.5);
  v[DERUSH_FEATURE_GRAD_ENERGY] = (float)(grad_s / n_all);
  v[DERUSH_FEATURE_GRAD_TILE_MAX] = (float)grad_max;
  qsort(noise_tile, nt, sizeof(double), cmp_double);
  v[DERUSH_FEATURE_NOISE] = (float)quantile_sorted(noise_tile, nt, 0.25);

  double tr = jxx + jyy;
  if (tr > 1e-9) {
    double d = sqrt((jxx - jyy) * (jxx - jyy) + 4 * jxy * jxy);
    v[DERUSH_FEATURE_MOTION_STRENGTH] = (float)CLAMP(d / tr, 0.0, 1.0);
    /* Dominant gradient orientation in image axes (y down), turned to y up,
     * plus 90 degrees: the smear runs across the strongest gradients. */
    double theta = 0.5 * atan2(2 * jxy, jxx - jyy);
    double angle = fmod(-theta * 180.0 / G_PI + 90.0 + 360.0, 180.0);
    v[DERUSH_FEATURE_MOTION_ANGLE] = (float)angle;
  } else {
    v[DERUSH_FEATURE_MOTION_STRENGTH] = 0.0f; /* flat: nothing smeared */
  }

  int w2, h2, w4, h4;
  g_autofree float *half = halve(g, w, h, &w2, &h2);
  if (half) {
    v[DERUSH_FEATURE_LAP_VAR_HALF] = (float)_derush_laplacian_variance(half, w2, h2);
    g_autofree float *quarter = halve(half, w2, h2, &w4, &h4);
    if (quarter)
      v[DERUSH_FEATURE_LAP_VAR_QUARTER] = (float)_derush_laplacian_variance(quarter, w4, h4);
  }
  if (v[DERUSH_FEATURE_LAP_VAR_HALF] > 1e-6f)
    v[DERUSH_FEATURE_SHARP_FINE_RATIO] = v[DERUSH_FEATURE_LAP_VAR] / v[DERUSH_FEATURE_LAP_VAR_HALF];
}

static void
exif_features(const DerushMeta *meta, int ow, int oh, float *v)
{
  if (ow > 0 && oh > 0)
    v[DERUSH_FEATURE_MEGAPIXELS] = (float)((double)ow * oh / 1e6);
  if (!meta)
    return;
  v[DERUSH_FEATURE_ISO] = (float)meta->iso;
  if (meta->exposure_time > 0) {
    v[DERUSH_FEATURE_LOG2_SHUTTER] = (float)log2(meta->exposure_time);
    if (meta->focal_length_35mm > 0)
      v[DERUSH_FEATURE_SHAKE_RISK] = (float)(meta->exposure_time * meta->focal_length_35mm);
  }
  v[DERUSH_FEATURE_APERTURE] = (float)meta->f_number;
  if (meta->flash >= 0)
    v[DERUSH_FEATURE_FLASH_FIRED] = (float)(meta->flash & 1);
  v[DERUSH_FEATURE_EXPOSURE_BIAS] = (float)meta->exposure_bias;
  /* The hour of the camera's wall clock: floating times are that already;
   * times with an offset get it back. A file's mtime is not a capture time
   * (copies reset it), so it gives no hour. */
  if (meta->time_source == DERUSH_TIME_EXIF_ORIGINAL ||
      meta->time_source == DERUSH_TIME_EXIF_DIGITIZED) {
    gint64 s = meta->capture_time_ns / 1000000000;
    if (meta->capture_time_ns < 0 && meta->capture_time_ns % 1000000000)
      s--;
    if (meta->has_offset)
      s += (gint64)meta->offset_minutes * 60;
    gint64 day = ((s % 86400) + 86400) % 86400;
    v[DERUSH_FEATURE_HOUR] = (float)(day / 3600.0);
  }
}

/**
 * _derush_features_compute_rgb:
 * @rgb: the top-left pixel of packed 8-bit RGB, upright
 * @width, @height: at least 1 x 1
 * @stride: bytes from one row to the next
 * @meta: (nullable): the photo's metadata, for the EXIF features
 * @orig_width, @orig_height: the original's displayed size, <= 0 unknown
 * @vector: (out): DERUSH_N_FEATURES values
 *
 * Computes every feature (definitions in derush.h, the table above and
 * docs/features.md). Never fails; undefined values are NAN.
 */
void
_derush_features_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                             const DerushMeta *meta, int orig_width, int orig_height, float *vector)
{
  static GOnce once = G_ONCE_INIT;
  g_once(&once, init_tables, NULL);
  DERUSH_HANDOFF_ACQUIRE(srgb_to_linear);
  for (int i = 0; i < DERUSH_N_FEATURES; i++)
    vector[i] = NAN;
  exif_features(meta, orig_width, orig_height, vector);
  if (!rgb || width < 1 || height < 1)
    return;
  int ow = orig_width > 0 ? orig_width : width, oh = orig_height > 0 ? orig_height : height;
  vector[DERUSH_FEATURE_ASPECT] = (float)ow / (float)oh;

  gsize n = (gsize)width * height;
  float *grey = g_new(float, n);
  guint64 hist[256] = {0};
  double sum_y = 0, sum_y2 = 0, sum_sat = 0;
  double s_rg = 0, s_rg2 = 0, s_yb = 0, s_yb2 = 0;
  /* Colour cast and linear luminance on a regular subsample: a mean over
   * ~16k pixels is as good as over 200k, and cbrt is the costly step. */
  int step = MAX(1, (int)sqrt((double)n / LAB_SAMPLES));
  double sum_a = 0, sum_b = 0, sum_lin = 0, n_lab = 0;
  for (int y = 0; y < height; y++) {
    const guint8 *p = rgb + (gsize)y * stride;
    float *gr = grey + (gsize)y * width;
    gboolean lab_row = y % step == 0;
    for (int x = 0; x < width; x++, p += 3) {
      int r = p[0], g = p[1], b = p[2];
      float yv = 0.299f * r + 0.587f * g + 0.114f * b;
      gr[x] = yv;
      hist[(299 * r + 587 * g + 114 * b + 500) / 1000]++;
      sum_y += yv;
      sum_y2 += (double)yv * yv;
      int mx = MAX(r, MAX(g, b)), mn = MIN(r, MIN(g, b));
      if (mx > 0)
        sum_sat += (double)(mx - mn) / mx;
      double rg = r - g, yb = 0.5 * (r + g) - b;
      s_rg += rg;
      s_rg2 += rg * rg;
      s_yb += yb;
      s_yb2 += yb * yb;
      if (lab_row && x % step == 0) {
        float lr = srgb_to_linear[r], lg = srgb_to_linear[g], lb = srgb_to_linear[b];
        float X = 0.4124f * lr + 0.3576f * lg + 0.1805f * lb;
        float Y = 0.2126f * lr + 0.7152f * lg + 0.0722f * lb;
        float Z = 0.0193f * lr + 0.1192f * lg + 0.9505f * lb;
        float fx = lab_f(X / 0.95047f), fy = lab_f(Y), fz = lab_f(Z / 1.08883f);
        sum_a += 500.0f * (fx - fy);
        sum_b += 200.0f * (fy - fz);
        sum_lin += Y;
        n_lab += 1;
      }
    }
  }

  double mean = sum_y / n;
  vector[DERUSH_FEATURE_LUMA_MEAN] = (float)(mean / 255.0);
  vector[DERUSH_FEATURE_CONTRAST] = (float)(sqrt(MAX(0.0, sum_y2 / n - mean * mean)) / 255.0);
  vector[DERUSH_FEATURE_SATURATION] = (float)(sum_sat / n);
  double m_rg = s_rg / n, m_yb = s_yb / n;
  double v_rg = MAX(0.0, s_rg2 / n - m_rg * m_rg), v_yb = MAX(0.0, s_yb2 / n - m_yb * m_yb);
  vector[DERUSH_FEATURE_COLOURFULNESS] =
      (float)(sqrt(v_rg + v_yb) + 0.3 * sqrt(m_rg * m_rg + m_yb * m_yb));
  vector[DERUSH_FEATURE_CAST_A] = (float)(sum_a / n_lab);
  vector[DERUSH_FEATURE_CAST_B] = (float)(sum_b / n_lab);
  /* Floor at 2^-13 of mid-grey: a black frame is "very under", not -inf. */
  vector[DERUSH_FEATURE_EXPOSURE_EV] = (float)log2(MAX(sum_lin / n_lab, 0.18 / 8192) / 0.18);
  if (!isnan(vector[DERUSH_FEATURE_EXPOSURE_BIAS]))
    vector[DERUSH_FEATURE_EV_VS_BIAS] =
        vector[DERUSH_FEATURE_EXPOSURE_EV] - vector[DERUSH_FEATURE_EXPOSURE_BIAS];

  static const struct {
    DerushFeature f;
    double q;
  } pct[] = {{DERUSH_FEATURE_LUMA_P1, 0.01},
             {DERUSH_FEATURE_LUMA_P5, 0.05},
             {DERUSH_FEATURE_LUMA_P50, 0.50},
             {DERUSH_FEATURE_LUMA_P95, 0.95},
             {DERUSH_FEATURE_LUMA_P99, 0.99}};
  guint64 cum = 0;
  gsize next = 0;
  double entropy = 0;
  guint64 low = 0, high = 0;
  for (int k = 0; k < 256; k++) {
    cum += hist[k];
    /* The smallest level with at least q of the pixels at or below it. */
    while (next < G_N_ELEMENTS(pct) && (double)cum >= pct[next].q * n) {
      vector[pct[next].f] = (float)(k / 255.0);
      next++;
    }
    if (hist[k]) {
      double p = (double)hist[k] / n;
      entropy -= p * log2(p);
    }
    if (k <= CLIP_LOW_LEVEL)
      low += hist[k];
    if (k >= CLIP_HIGH_LEVEL)
      high += hist[k];
  }
  vector[DERUSH_FEATURE_ENTROPY] = (float)entropy;
  vector[DERUSH_FEATURE_CLIP_LOW] = (float)((double)low / n);
  vector[DERUSH_FEATURE_CLIP_HIGH] = (float)((double)high / n);
  vector[DERUSH_FEATURE_DYNAMIC_RANGE] =
      vector[DERUSH_FEATURE_LUMA_P99] - vector[DERUSH_FEATURE_LUMA_P1];

  sharpness_features(grey, width, height, vector);
  _derush_sharpness_judge(grey, width, height, vector);
  g_free(grey);
}

/* Copies @rgb mirrored: horizontally, vertically or both (180 degrees). */
static void
transform_rgb(const guint8 *rgb, int width, int height, gsize stride, gboolean hflip,
              gboolean vflip, guint8 *out)
{
  gsize row = (gsize)width * 3;
  for (int y = 0; y < height; y++) {
    const guint8 *src = rgb + (gsize)(vflip ? height - 1 - y : y) * stride;
    guint8 *dst = out + (gsize)y * row;
    if (!hflip) {
      memcpy(dst, src, row);
      continue;
    }
    for (int x = 0; x < width; x++) {
      const guint8 *s = src + (gsize)(width - 1 - x) * 3;
      dst[3 * x] = s[0];
      dst[3 * x + 1] = s[1];
      dst[3 * x + 2] = s[2];
    }
  }
}

/**
 * _derush_hashes_compute_rgb:
 * @rgb: packed 8-bit RGB, upright
 * @width, @height: at least 1 x 1
 * @stride: bytes from one row to the next
 * @hashes: (out): dHash and pHash of the picture and of its mirrored,
 *   upside-down, centrally cropped versions and off-centre windows, and its
 *   polar signature
 *
 * Hashing the transformed pixels (rather than deriving the bits from the
 * original's) gives exactly the hash a mirrored copy's own preview gets, up
 * to the cell boundaries of perceptual-hash.c, which are not symmetric when
 * the size does not divide evenly (a bit or two).
 */
void
_derush_hashes_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                           DerushHashes *hashes)
{
  _derush_perceptual_hashes_rgb(rgb, width, height, 3, stride, &hashes->dhash[0],
                                &hashes->phash[0]);
  g_autofree guint8 *buf = g_malloc((gsize)width * height * 3);
  for (int t = DERUSH_XFORM_HFLIP; t <= DERUSH_XFORM_ROT180; t++) {
    gboolean h = t == DERUSH_XFORM_HFLIP || t == DERUSH_XFORM_ROT180;
    gboolean v = t == DERUSH_XFORM_VFLIP || t == DERUSH_XFORM_ROT180;
    transform_rgb(rgb, width, height, stride, h, v, buf);
    _derush_perceptual_hashes_rgb(buf, width, height, 3, (gsize)width * 3, &hashes->dhash[t],
                                  &hashes->phash[t]);
  }
  /* Central crops: the same pixels, seen through a smaller window. */
  static const struct {
    DerushXform xform;
    int percent;
  } crops[] = {{DERUSH_XFORM_CROP85, 85}, {DERUSH_XFORM_CROP70, 70}};
  for (gsize i = 0; i < G_N_ELEMENTS(crops); i++) {
    int cw = MAX(1, (width * crops[i].percent + 50) / 100);
    int ch = MAX(1, (height * crops[i].percent + 50) / 100);
    const guint8 *origin =
        rgb + (gsize)((height - ch) / 2) * stride + (gsize)((width - cw) / 2) * 3;
    _derush_perceptual_hashes_rgb(origin, cw, ch, 3, stride, &hashes->dhash[crops[i].xform],
                                  &hashes->phash[crops[i].xform]);
  }
  /* Off-centre windows (features.h): one summed-area table for all. */
  int rects[DERUSH_N_WINDOWS][4];
  int ww = MAX(1, (width * DERUSH_WINDOW_PERMILLE + 500) / 1000);
  int wh = MAX(1, (height * DERUSH_WINDOW_PERMILLE + 500) / 1000);
  int last = DERUSH_WINDOW_GRID - 1;
  for (int k = 0; k < DERUSH_N_WINDOWS; k++) {
    int c = k % DERUSH_WINDOW_GRID, r = k / DERUSH_WINDOW_GRID;
    rects[k][0] = ((width - ww) * c * 2 + last) / (2 * last);
    rects[k][1] = ((height - wh) * r * 2 + last) / (2 * last);
    rects[k][2] = ww;
    rects[k][3] = wh;
  }
  _derush_perceptual_hashes_windows(rgb, width, height, stride, (const int(*)[4])rects,
                                    DERUSH_N_WINDOWS, &hashes->dhash[DERUSH_XFORM_WINDOW0],
                                    &hashes->phash[DERUSH_XFORM_WINDOW0]);
  _derush_polar_compute_rgb(rgb, width, height, stride, &hashes->polar);
}

/**
 * _derush_features_compute_image:
 * @image: a decoded, upright image of any kind (grey, alpha, 16-bit...)
 * @meta: (nullable): the photo's metadata
 * @orig_width, @orig_height: the original's size, <= 0 unknown
 * @vector: (out): DERUSH_N_FEATURES values
 * @hashes: (out) (optional): the perceptual hashes
 * @error: return location for a GError
 *
 * Brings @image to the preview's form (8-bit sRGB, at most
 * DERUSH_THUMB_CACHE_SIZE on the long edge) when it is not already, then
 * computes the features and hashes from its pixels.
 *
 * Returns: FALSE with @error set when the pixels cannot be computed.
 */
gboolean
_derush_features_compute_image(VipsImage *image, const DerushMeta *meta, int orig_width,
                               int orig_height, float *vector, DerushHashes *hashes, GError **error)
{
  g_return_val_if_fail(VIPS_IS_IMAGE(image), FALSE);

  g_autoptr(VipsImage) rgb = NULL;
  if (image->BandFmt == VIPS_FORMAT_UCHAR && image->Bands == 3)
    rgb = g_object_ref(image);
  else if (!(rgb = _derush_image_normalise(image, error)))
    return FALSE;
  g_autoptr(VipsImage) fitted = NULL;
  if (MAX(rgb->Xsize, rgb->Ysize) > DERUSH_THUMB_CACHE_SIZE) {
    if (!(fitted = _derush_image_fit(rgb, DERUSH_THUMB_CACHE_SIZE, error)))
      return FALSE;
  } else {
    fitted = vips_image_copy_memory(rgb);
    if (!fitted) {
      _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot compute the preview");
      return FALSE;
    }
  }
  if (orig_width <= 0 || orig_height <= 0) {
    orig_width = image->Xsize;
    orig_height = image->Ysize;
  }

  /* An in-memory image: the region points into its pixels, no copy. */
  VipsRegion *region = vips_region_new(fitted);
  VipsRect all = {0, 0, fitted->Xsize, fitted->Ysize};
  if (vips_region_prepare(region, &all)) {
    g_object_unref(region);
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot compute the preview");
    return FALSE;
  }
  const guint8 *px = (const guint8 *)VIPS_REGION_ADDR(region, 0, 0);
  gsize stride = VIPS_REGION_LSKIP(region);
  _derush_features_compute_rgb(px, fitted->Xsize, fitted->Ysize, stride, meta, orig_width,
                               orig_height, vector);
  if (hashes)
    _derush_hashes_compute_rgb(px, fitted->Xsize, fitted->Ysize, stride, hashes);
  g_object_unref(region);
  return TRUE;
}

/**
 * derush_features_sharpness:
 * @vector: DERUSH_N_FEATURES values
 *
 * The one-number sharpness that `derush eval blur` ranks by and the
 * quality score starts from: the mean of log10(1 + x) of the sharpest
 * tile's and the centre-weighted Laplacian variance. The sharpest tile
 * finds a small sharp subject; the centre weight keeps one sharp corner of
 * a missed shot from winning alone. Logs, because the variance spans four
 * decades between a defocused and a crisp frame.
 *
 * Returns: the score (about 0..5), or NAN when undefined (tiny images).
 */
double
derush_features_sharpness(const float *vector)
{
  double mx = vector[DERUSH_FEATURE_LAP_TILE_MAX], c = vector[DERUSH_FEATURE_LAP_TILE_CENTER];
  if (isnan(mx))
    return NAN;
  if (isnan(c))
    c = mx;
  return 0.5 * log10(1 + mx) + 0.5 * log10(1 + c);
}

/**
 * derush_features_quality_score:
 * @vector: DERUSH_N_FEATURES values
 *
 * The model-free quality score of best-of-group:
 *   derush_features_sharpness()
 *   - 3 max(0, clip_high - 0.01) - 3 max(0, clip_low - 0.02)
 *   - 4 max(0, 0.15 - luma_p50) - 4 max(0, luma_p50 - 0.85)
 * Sharpness dominates (a defocused frame loses ~1.5 against a sharp one);
 * the penalties (each below ~1) separate frames equally sharp but badly
 * exposed. A model's p(keep) replaces it through DerushGroupOptions.score.
 *
 * Returns: higher is better; NAN when the sharpness is undefined.
 */
double
derush_features_quality_score(const float *vector)
{
  double s = derush_features_sharpness(vector);
  if (isnan(s))
    return NAN;
  double hi = vector[DERUSH_FEATURE_CLIP_HIGH], lo = vector[DERUSH_FEATURE_CLIP_LOW];
  double p50 = vector[DERUSH_FEATURE_LUMA_P50];
  double penalty = 0;
  if (!isnan(hi))
    penalty += 3 * MAX(0.0, hi - 0.01);
  if (!isnan(lo))
    penalty += 3 * MAX(0.0, lo - 0.02);
  if (!isnan(p50))
    penalty += 4 * MAX(0.0, 0.15 - p50) + 4 * MAX(0.0, p50 - 0.85);
  return s - penalty;
}

/* Exposure flag thresholds (derush_features_exposure_flag() explains them;
 * docs/features.md has the measurements behind them). */
#define UNDER_CRUSHED 0.33   /* clip_low: a third of the frame crushed to black */
#define UNDER_P99 0.6        /* luma_p99: highlights that stay low... */
#define UNDER_EV -0.3        /* ...and a mean below mid-grey */
#define OVER_BLOWN 0.25      /* clip_high: a quarter of the frame blown... */
#define OVER_BLOWN_P50 0.6   /* ...while the median is bright too */
#define OVER_EV 1.95         /* about two stops over mid-grey on average */
#define OVER_EXTRA_EV 0.8    /* brighter than most frames (corpus median 0.4) */
#define OVER_FLASH_EV 1.0    /* a stop over mid-grey with the flash fired */
#define OVER_BIAS 0.95       /* exposure compensation of +1 EV or more */
#define PALE_SATURATION 0.25 /* below: white or grey content (snow, fog, sky) */

/**
 * derush_features_exposure_flag:
 * @vector: DERUSH_N_FEATURES values
 *
 * Under-exposed when more than a third of the frame is crushed to black, or
 * when its highlights stay low (luma_p99 < 0.6) and its mean linear
 * luminance is below mid-grey (exposure_ev < -0.3).
 *
 * Over-exposed when one of these holds:
 * - blown: more than a quarter of the frame is clipped white and the median
 *   is bright too (luma_p50 > 0.6). A blown sky over a normally exposed
 *   subject (the median stays mid-grey) is not flagged: in ordinary
 *   snapshots 3-10% clipped is common and harmless.
 * - the mean is about two stops over mid-grey (exposure_ev > 1.95) and the
 *   picture is not pale;
 * - the camera says it added light: an exposure compensation of +1 EV or
 *   more (exposure_bias), or the flash fired, and the frame came out bright
 *   (exposure_ev > 0.8, or > 1.0 with the flash), and it is not pale.
 * "Pale" is a mean HSV saturation below 0.25: white or grey content, which
 * is what high-key pictures are made of (snow, a white beach, fog, an
 * overcast sky, a white room) and the very reason a photographer dials in
 * + compensation; such a bright frame is taken as deliberate. Colourful
 * content gives no such reason, and over-exposure keeps it colourful while
 * it lifts it (channels clip one at a time).
 *
 * One frame cannot tell every mistake from an intention: a colourful
 * over-exposed photo without EXIF is flagged only when it is blown or two
 * stops over, and a pale one taken with + compensation by mistake is not
 * flagged. A flag is a hint for the user and a feature for the learner, not
 * a verdict. docs/features.md has the precision and recall on the demo set
 * and the flag rate on ordinary photos.
 *
 * Returns: the flag; DERUSH_EXPOSURE_OK when the features are missing.
 */
DerushExposureFlag
derush_features_exposure_flag(const float *vector)
{
  double p99 = vector[DERUSH_FEATURE_LUMA_P99], p50 = vector[DERUSH_FEATURE_LUMA_P50];
  double hi = vector[DERUSH_FEATURE_CLIP_HIGH], lo = vector[DERUSH_FEATURE_CLIP_LOW];
  double ev = vector[DERUSH_FEATURE_EXPOSURE_EV], sat = vector[DERUSH_FEATURE_SATURATION];
  double bias = vector[DERUSH_FEATURE_EXPOSURE_BIAS], flash = vector[DERUSH_FEATURE_FLASH_FIRED];
  if (isnan(p50) || isnan(ev))
    return DERUSH_EXPOSURE_OK;
  if (lo > UNDER_CRUSHED || (p99 < UNDER_P99 && ev < UNDER_EV))
    return DERUSH_EXPOSURE_UNDER;
  if (hi > OVER_BLOWN && p50 > OVER_BLOWN_P50)
    return DERUSH_EXPOSURE_OVER;
  /* NAN comparisons are false: no saturation counts as pale, no EXIF as
   * no added light. */
  gboolean pale = !(sat >= PALE_SATURATION);
  if (pale)
    return DERUSH_EXPOSURE_OK;
  if (ev > OVER_EV)
    return DERUSH_EXPOSURE_OVER;
  if ((bias >= OVER_BIAS && ev > OVER_EXTRA_EV) || (flash == 1 && ev > OVER_FLASH_EV))
    return DERUSH_EXPOSURE_OVER;
  return DERUSH_EXPOSURE_OK;
}

/**
 * _derush_region_sharpness_rgb:
 * @rgb: packed 8-bit RGB, @height rows of @stride bytes
 * @width: its width
 * @height: its height
 * @stride: bytes a row
 * @x0: the region's left edge (clamped to the picture)
 * @y0: top edge
 * @x1: right edge, exclusive
 * @y1: bottom edge, exclusive
 *
 * The sharpness of a region on the same scale as LAP_VAR (grey 0..255,
 * 4-neighbour Laplacian variance), as log10(1 + variance) like
 * derush_features_sharpness(): the detector's "is the subject sharp".
 *
 * Returns: the score, NAN when the region is under 3x3 pixels.
 */
double
_derush_region_sharpness_rgb(const guint8 *rgb, int width, int height, gsize stride, int x0, int y0,
                             int x1, int y1)
{
  x0 = CLAMP(x0, 0, width);
  x1 = CLAMP(x1, 0, width);
  y0 = CLAMP(y0, 0, height);
  y1 = CLAMP(y1, 0, height);
  int w = x1 - x0, h = y1 - y0;
  if (w < 3 || h < 3)
    return NAN;
  float *grey = g_new(float, (gsize)w *h);
  for (int y = 0; y < h; y++) {
    const guint8 *p = rgb + (gsize)(y0 + y) * stride + (gsize)x0 * 3;
    for (int x = 0; x < w; x++, p += 3)
      grey[(gsize)y * w + x] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
  }
  double v = _derush_laplacian_variance(grey, w, h);
  g_free(grey);
  return log10(1.0 + v);
}
