/* explain.c: a column's contribution in words a photographer reads.
 *
 * XGBoost's per-feature contributions (pred_contribs, SHAP values of the
 * trees) say how far each column pushed a photo's log-odds toward keep or
 * trash. The number is for scripts; the text names what the photographer
 * sees: "softer than the rest of its burst", "underexposed by 2.0 EV". The
 * words follow the value, and the direction of the push where the value
 * alone does not say whether it is good or bad.
 */
#include "learn-private.h"

/* "the rest of its burst" / "its near-duplicates", from a context name. */
static const char *
group_words(const char *name, gboolean rest)
{
  if (g_str_has_prefix(name, "burst_"))
    return rest ? "the rest of its burst" : "its burst";
  return rest ? "its near-duplicates" : "its near-duplicate group";
}

static char *
duration_text(double seconds)
{
  if (seconds < 1)
    return g_strdup("under a second");
  if (seconds < 120)
    return g_strdup_printf("%.0f s", seconds);
  if (seconds < 7200)
    return g_strdup_printf("%.0f min", seconds / 60);
  return g_strdup_printf("%.0f h", seconds / 3600);
}

/* The detector's and the face models' columns. */
static char *
model_text(const char *name, double v, gboolean good)
{
  static const char *const flags[][3] = {
      {"det_person", "a person", "no person"},         {"det_animal", "an animal", "no animal"},
      {"det_vehicle", "a vehicle", "no vehicle"},      {"det_food", "food", "no food"},
      {"face_any_closed", "closed eyes", "eyes open"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(flags); i++)
    if (strcmp(name, flags[i][0]) == 0)
      return g_strdup(v > 0.5 ? flags[i][1] : flags[i][2]);
  if (strcmp(name, "det_persons") == 0)
    return g_strdup_printf("%d person%s", (int)v, (int)v == 1 ? "" : "s");
  if (strcmp(name, "subject_area") == 0)
    return v > 0 ? g_strdup_printf("main subject fills %.0f%% of the frame", 100 * v)
                 : g_strdup("no clear subject");
  if (strcmp(name, "subject_sharpness") == 0 || strcmp(name, "subject_vs_frame") == 0)
    return g_strdup(good ? "sharp subject" : "soft subject");
  if (g_str_has_prefix(name, "face_eyes_open"))
    return g_strdup(good ? "eyes open" : "eyes half closed");
  if (g_str_has_prefix(name, "face_sharpness"))
    return g_strdup(good ? "sharp face" : "soft face");
  if (strcmp(name, "face_count") == 0)
    return g_strdup_printf("%d face%s", (int)v, (int)v == 1 ? "" : "s");
  return NULL;
}

static char *
context_text(const char *name, double v, gboolean good)
{
  char *m = model_text(name, v, good);
  if (m)
    return m;
  /* The embedding's column (dataset-embedding.c): its sign says which. */
  if (strcmp(name, "emb_keep_margin") == 0)
    return g_strdup(v > 0 ? "looks like photos you kept" : "looks like photos you trashed");
  if (g_str_has_suffix(name, "_size")) {
    int n = (int)v;
    if (g_str_has_prefix(name, "burst"))
      return n > 1 ? g_strdup_printf("one of a burst of %d", n) : g_strdup("not in a burst");
    if (g_str_has_prefix(name, "near_dup"))
      return n > 1 ? g_strdup_printf("one of %d near-duplicates", n)
                   : g_strdup("no near-duplicate");
    return g_strdup_printf("in a session of %d photos", n);
  }
  if (strcmp(name, "bytes_per_pixel") == 0)
    return g_strdup_printf(good ? "detailed file (%.2f bytes a pixel)"
                                : "heavily compressed file (%.2f bytes a pixel)",
                           v);
  if (g_str_has_prefix(name, "gap_")) {
    g_autofree char *d = duration_text(pow(10, v) - 1);
    return g_strdup_printf(g_str_has_suffix(name, "prev") ? "taken %s after the previous photo"
                                                          : "taken %s before the next photo",
                           d);
  }
  if (g_str_has_suffix(name, "_is_best"))
    return g_strdup_printf(v > 0.5 ? "the best pick of %s" : "not the best pick of %s",
                           group_words(name, FALSE));
  if (strstr(name, "_sharpness_")) {
    if (g_str_has_suffix(name, "_rank") && v == 0)
      return g_strdup_printf("the sharpest of %s", group_words(name, FALSE));
    gboolean softer = g_str_has_suffix(name, "_rank") ? v > 0.5 : v < 0;
    return g_strdup_printf(softer ? "softer than %s" : "sharper than %s", group_words(name, TRUE));
  }
  if (strstr(name, "_exposure_")) {
    if (g_str_has_suffix(name, "_vs_best") && v > 0.05)
      return g_strdup_printf("exposed %.1f EV further from mid-grey than the best of %s", v,
                             group_words(name, FALSE));
    return g_strdup_printf(v == 0 || v <= 0.05 ? "the best exposed of %s" : "worse exposed than %s",
                           group_words(name, TRUE));
  }
  if (strstr(name, "_resolution_")) {
    gboolean smaller = g_str_has_suffix(name, "_rank") ? v > 0 : v < 0;
    return g_strdup_printf(smaller ? "smaller than %s" : "the full-size version among %s",
                           group_words(name, TRUE));
  }
  if (strstr(name, "_bpp_")) {
    gboolean lighter = g_str_has_suffix(name, "_rank") ? v > 0 : v < 0;
    return g_strdup_printf(lighter ? "more compressed than %s" : "less compressed than %s",
                           group_words(name, TRUE));
  }
  return NULL;
}

static char *
feature_text(DerushFeature f, double v, gboolean good)
{
  switch (f) {
  case DERUSH_FEATURE_LAP_VAR:
  case DERUSH_FEATURE_LAP_VAR_HALF:
  case DERUSH_FEATURE_LAP_VAR_QUARTER:
  case DERUSH_FEATURE_LAP_TILE_MAX:
  case DERUSH_FEATURE_LAP_TILE_CENTER:
  case DERUSH_FEATURE_LAP_TILE_MEDIAN:
  case DERUSH_FEATURE_GRAD_ENERGY:
  case DERUSH_FEATURE_GRAD_TILE_MAX:
  case DERUSH_FEATURE_SHARP_FINE_RATIO:
    return g_strdup(good ? "sharp" : "soft or blurred");
  case DERUSH_FEATURE_EDGE_WIDTH:
  case DERUSH_FEATURE_EDGE_WIDTH_CRISP:
  case DERUSH_FEATURE_REBLUR:
  case DERUSH_FEATURE_SHARPNESS_SCORE:
    /* The lone-photo judgement: no burst needed to say it. */
    return g_strdup(good ? "sharp on its own" : "soft on its own");
  case DERUSH_FEATURE_NOISE_FLAT:
    return g_strdup(good ? "clean, no visible grain" : "noisy");
  case DERUSH_FEATURE_MOTION_STRENGTH:
  case DERUSH_FEATURE_MOTION_ANGLE:
    return g_strdup(good ? "no motion blur" : "motion blur");
  case DERUSH_FEATURE_EXPOSURE_EV:
  case DERUSH_FEATURE_EV_VS_BIAS:
    if (v <= -0.5)
      return g_strdup_printf("underexposed by %.1f EV", -v);
    if (v >= 0.5)
      return g_strdup_printf("overexposed by %.1f EV", v);
    return g_strdup("well exposed");
  case DERUSH_FEATURE_CLIP_HIGH:
    return v >= 0.01 ? g_strdup_printf("highlights blown (%.0f%% of the frame)", 100 * v)
                     : g_strdup("no blown highlights");
  case DERUSH_FEATURE_CLIP_LOW:
    return v >= 0.02 ? g_strdup_printf("shadows crushed (%.0f%% of the frame)", 100 * v)
                     : g_strdup("no crushed shadows");
  case DERUSH_FEATURE_LUMA_P1:
  case DERUSH_FEATURE_LUMA_P5:
  case DERUSH_FEATURE_LUMA_P50:
  case DERUSH_FEATURE_LUMA_P95:
  case DERUSH_FEATURE_LUMA_P99:
  case DERUSH_FEATURE_LUMA_MEAN:
    return g_strdup(good ? "good brightness" : (v < 0.35 ? "too dark" : "too bright"));
  case DERUSH_FEATURE_ENTROPY:
  case DERUSH_FEATURE_DYNAMIC_RANGE:
  case DERUSH_FEATURE_CONTRAST:
    return g_strdup(good ? "full tonal range" : "flat, little tonal range");
  case DERUSH_FEATURE_NOISE:
    return g_strdup(good ? "clean" : "noisy");
  case DERUSH_FEATURE_SATURATION:
  case DERUSH_FEATURE_COLOURFULNESS:
    return g_strdup(good ? "vivid colours" : "dull colours");
  case DERUSH_FEATURE_CAST_A:
  case DERUSH_FEATURE_CAST_B:
    return g_strdup(good ? "natural colour balance" : "colour cast");
  case DERUSH_FEATURE_ISO:
    return g_strdup_printf("ISO %.0f", v);
  case DERUSH_FEATURE_LOG2_SHUTTER: {
    double s = exp2(v);
    return s < 0.5 ? g_strdup_printf("1/%.0f s exposure", 1 / s)
                   : g_strdup_printf("%.1f s exposure", s);
  }
  case DERUSH_FEATURE_SHAKE_RISK:
    return g_strdup(v > 1 ? "slow shutter for the focal length: shake risk"
                          : "shutter fast enough for the focal length");
  case DERUSH_FEATURE_APERTURE:
    return g_strdup_printf("f/%.1f", v);
  case DERUSH_FEATURE_FLASH_FIRED:
    return g_strdup(v > 0.5 ? "flash fired" : "no flash");
  case DERUSH_FEATURE_HOUR:
    return g_strdup_printf("taken at %02d h", (int)v);
  case DERUSH_FEATURE_EXPOSURE_BIAS:
    return g_strdup_printf("exposure compensation %+.1f EV", v);
  case DERUSH_FEATURE_ASPECT:
    return g_strdup(v >= 1 ? "landscape frame" : "portrait frame");
  case DERUSH_FEATURE_MEGAPIXELS:
    return g_strdup_printf("%.1f MP", v);
  default:
    return NULL;
  }
}

char *
_derush_reason_text(int col, double value, double contribution)
{
  const char *name = _derush_dataset_column_name(col);
  gboolean good = contribution > 0;
  if (isnan(value))
    return g_strdup_printf("%s unknown", name);
  char *text = col < DERUSH_N_FEATURES ? feature_text((DerushFeature)col, value, good)
                                       : context_text(name, value, good);
  return text ? text : g_strdup_printf("%s %.3g", name, value);
}
