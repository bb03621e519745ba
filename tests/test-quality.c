/* test-quality.c: the feature vector and transform hashes on synthetic
 * pictures whose answers are known.
 *
 * Over 600 lines: one program per area shares one fixture; the cases are
 * independent.
 */
#include "quality/features.h"
#include "test-util.h"

#define W 256
#define H 192

/* A textured picture: smooth gradients plus fine pseudo-random detail, so
 * blur and exposure changes have something to act on. Deterministic. */
static VipsImage *
make_texture(void)
{
  guint8 *px = g_malloc((gsize)W * H * 3);
  guint32 seed = 12345;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      seed = seed * 1664525u + 1013904223u;
      int detail = (int)(seed >> 26) - 32; /* -32..31 */
      guint8 *p = px + ((gsize)y * W + x) * 3;
      p[0] = (guint8)CLAMP(60 + x * 120 / W + detail, 0, 255);
      p[1] = (guint8)CLAMP(80 + y * 100 / H + detail, 0, 255);
      p[2] = (guint8)CLAMP(100 + ((x / 16 + y / 16) % 2) * 60 + detail, 0, 255);
    }
  VipsImage *img =
      vips_image_new_from_memory_copy(px, (gsize)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
  g_free(px);
  return img;
}

static void
features_of(VipsImage *img, const DerushMeta *meta, float *v)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_features_compute_image(img, meta, -1, -1, v, NULL, &error));
  g_assert_no_error(error);
}

/* Every value is NAN or finite: never an infinity. */
static void
assert_defined_or_nan(const float *v)
{
  for (int i = 0; i < DERUSH_N_FEATURES; i++)
    if (!isnan(v[i]) && !isfinite(v[i]))
      g_error("feature %s is %g", derush_feature_info(i)->name, v[i]);
}

static VipsImage *
cast_uchar(VipsImage *in)
{
  VipsImage *out = NULL;
  g_assert_cmpint(vips_cast(in, &out, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  return out;
}

/* A W x H picture of colour (@r, @g, @b) with the same fine detail as
 * make_texture() (amplitude @detail), so every sharpness feature is
 * defined. */
static VipsImage *
make_flat(int r, int g, int b, int detail)
{
  guint8 *px = g_malloc((gsize)W * H * 3);
  guint32 seed = 777;
  for (gsize i = 0; i < (gsize)W * H; i++) {
    seed = seed * 1664525u + 1013904223u;
    int d = ((int)(seed >> 26) - 32) * detail / 32;
    px[3 * i] = (guint8)CLAMP(r + d, 0, 255);
    px[3 * i + 1] = (guint8)CLAMP(g + d, 0, 255);
    px[3 * i + 2] = (guint8)CLAMP(b + d, 0, 255);
  }
  VipsImage *img =
      vips_image_new_from_memory_copy(px, (gsize)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
  g_free(px);
  return img;
}

static double
srgb_decode(double v)
{
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double
srgb_encode(double v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

/* @in exposed @gain times longer: linear light multiplied, what goes over
 * white clips (as a camera does, and as derush-demo-gen's "over" frames). */
static VipsImage *
expose(VipsImage *in, double gain)
{
  guint8 table[256];
  for (int v = 0; v < 256; v++)
    table[v] = (guint8)rint(255 * srgb_encode(MIN(1.0, srgb_decode(v / 255.0) * gain)));
  g_autoptr(VipsImage) lut =
      vips_image_new_from_memory_copy(table, sizeof table, 256, 1, 1, VIPS_FORMAT_UCHAR);
  VipsImage *out = NULL;
  g_assert_cmpint(vips_maplut(in, &out, lut, NULL), ==, 0);
  return out;
}

/* Rows [0, @rows) of @img set to white: a blown sky. */
static VipsImage *
with_white_top(VipsImage *img, int rows)
{
  g_autoptr(VipsImage) mem = vips_image_copy_memory(img);
  guint8 *px = VIPS_IMAGE_ADDR(mem, 0, 0);
  memset(px, 255, (gsize)rows * VIPS_IMAGE_SIZEOF_LINE(mem));
  return vips_image_new_from_memory_copy(px, VIPS_IMAGE_SIZEOF_IMAGE(mem), mem->Xsize, mem->Ysize,
                                         3, VIPS_FORMAT_UCHAR);
}

static void
test_table(void)
{
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
  for (int i = 0; i < DERUSH_N_FEATURES; i++) {
    const DerushFeatureInfo *info = derush_feature_info(i);
    g_assert_nonnull(info->name);
    g_assert_nonnull(info->meaning);
    g_assert_nonnull(info->range);
    g_assert_true(g_hash_table_add(names, (gpointer)info->name));
    DerushFeature f;
    g_assert_true(derush_feature_from_name(info->name, &f));
    g_assert_cmpint(f, ==, i);
  }
  DerushFeature f;
  g_assert_false(derush_feature_from_name("no_such_feature", &f));
}

static void
test_blur_lowers_sharpness(void)
{
  g_autoptr(VipsImage) sharp = make_texture();
  VipsImage *t = NULL;
  g_assert_cmpint(vips_gaussblur(sharp, &t, 2.0, NULL), ==, 0);
  g_autoptr(VipsImage) blurred = cast_uchar(t);
  g_object_unref(t);
  float a[DERUSH_N_FEATURES], b[DERUSH_N_FEATURES];
  features_of(sharp, NULL, a);
  features_of(blurred, NULL, b);
  const DerushFeature sharpness[] = {
      DERUSH_FEATURE_LAP_VAR,          DERUSH_FEATURE_LAP_VAR_HALF,    DERUSH_FEATURE_LAP_TILE_MAX,
      DERUSH_FEATURE_LAP_TILE_CENTER,  DERUSH_FEATURE_LAP_TILE_MEDIAN, DERUSH_FEATURE_GRAD_ENERGY,
      DERUSH_FEATURE_SHARP_FINE_RATIO,
  };
  for (gsize i = 0; i < G_N_ELEMENTS(sharpness); i++)
    g_assert_cmpfloat(b[sharpness[i]], <, a[sharpness[i]]);
  g_assert_cmpfloat(derush_features_sharpness(b), <, derush_features_sharpness(a));
  g_assert_cmpfloat(derush_features_quality_score(b), <, derush_features_quality_score(a));
  /* Blur averages the fine detail away: less noise is measured too. */
  g_assert_cmpfloat(b[DERUSH_FEATURE_NOISE], <, a[DERUSH_FEATURE_NOISE]);
}

static void
test_motion_blur(void)
{
  g_autoptr(VipsImage) sharp = make_texture();
  /* A horizontal 1x15 box: the smear of a horizontal pan. */
  g_autoptr(VipsImage) mask = vips_image_new_matrix(15, 1);
  for (int i = 0; i < 15; i++)
    *VIPS_MATRIX(mask, i, 0) = 1;
  vips_image_set_double(mask, "scale", 15);
  VipsImage *t = NULL;
  g_assert_cmpint(vips_conv(sharp, &t, mask, "precision", VIPS_PRECISION_INTEGER, NULL), ==, 0);
  g_autoptr(VipsImage) smeared = cast_uchar(t);
  g_object_unref(t);
  float a[DERUSH_N_FEATURES], b[DERUSH_N_FEATURES];
  features_of(sharp, NULL, a);
  features_of(smeared, NULL, b);
  g_assert_cmpfloat(b[DERUSH_FEATURE_MOTION_STRENGTH], >, a[DERUSH_FEATURE_MOTION_STRENGTH]);
  g_assert_cmpfloat(b[DERUSH_FEATURE_MOTION_STRENGTH], >, 0.3);
  /* Horizontal smear: the angle is near 0 or near 180 degrees. */
  double angle = b[DERUSH_FEATURE_MOTION_ANGLE];
  g_assert_true(angle < 20 || angle > 160);
  g_assert_cmpfloat(derush_features_sharpness(b), <, derush_features_sharpness(a));
}

static void
test_exposure(void)
{
  g_autoptr(VipsImage) base = make_texture();
  VipsImage *t = NULL;
  g_assert_cmpint(vips_linear1(base, &t, 0.4, 0, NULL), ==, 0);
  g_autoptr(VipsImage) dark = cast_uchar(t);
  g_object_unref(t);
  float a[DERUSH_N_FEATURES], d[DERUSH_N_FEATURES];
  features_of(base, NULL, a);
  features_of(dark, NULL, d);
  for (DerushFeature f = DERUSH_FEATURE_LUMA_P1; f <= DERUSH_FEATURE_LUMA_MEAN; f++)
    g_assert_cmpfloat(d[f], <=, a[f]);
  g_assert_cmpfloat(d[DERUSH_FEATURE_LUMA_P50], <, a[DERUSH_FEATURE_LUMA_P50]);
  g_assert_cmpfloat(d[DERUSH_FEATURE_EXPOSURE_EV], <, a[DERUSH_FEATURE_EXPOSURE_EV] - 1);
  g_assert_cmpint(derush_features_exposure_flag(d), ==, DERUSH_EXPOSURE_UNDER);
  /* Percentiles are ordered. */
  g_assert_cmpfloat(a[DERUSH_FEATURE_LUMA_P1], <=, a[DERUSH_FEATURE_LUMA_P5]);
  g_assert_cmpfloat(a[DERUSH_FEATURE_LUMA_P5], <=, a[DERUSH_FEATURE_LUMA_P50]);
  g_assert_cmpfloat(a[DERUSH_FEATURE_LUMA_P50], <=, a[DERUSH_FEATURE_LUMA_P95]);
  g_assert_cmpfloat(a[DERUSH_FEATURE_LUMA_P95], <=, a[DERUSH_FEATURE_LUMA_P99]);
}

static void
test_clipping(void)
{
  /* Left half white, right half black: half clipped each way. */
  g_autofree guint8 *px = g_malloc0(100 * 50 * 3);
  for (int y = 0; y < 50; y++)
    memset(px + (gsize)y * 300, 255, 150);
  g_autoptr(VipsImage) img =
      vips_image_new_from_memory_copy(px, 100 * 50 * 3, 100, 50, 3, VIPS_FORMAT_UCHAR);
  float v[DERUSH_N_FEATURES];
  features_of(img, NULL, v);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_CLIP_HIGH], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_CLIP_LOW], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_ENTROPY], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_DYNAMIC_RANGE], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_SATURATION], 0.0, 1e-6);

  /* All white: fully clipped, over-exposed, no contrast. */
  memset(px, 255, 100 * 50 * 3);
  g_autoptr(VipsImage) white =
      vips_image_new_from_memory_copy(px, 100 * 50 * 3, 100, 50, 3, VIPS_FORMAT_UCHAR);
  features_of(white, NULL, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CLIP_HIGH], ==, 1.0f);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CLIP_LOW], ==, 0.0f);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CONTRAST], ==, 0.0f);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LAP_VAR], ==, 0.0f);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OVER);

  /* Pure red: saturated, colourful, a strong positive a*. */
  for (int i = 0; i < 100 * 50; i++) {
    px[3 * i] = 255;
    px[3 * i + 1] = px[3 * i + 2] = 0;
  }
  g_autoptr(VipsImage) red =
      vips_image_new_from_memory_copy(px, 100 * 50 * 3, 100, 50, 3, VIPS_FORMAT_UCHAR);
  features_of(red, NULL, v);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_SATURATION], 1.0, 1e-6);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CAST_A], >, 60);
  /* Flat colour: no spread, only the mean term 0.3 |(rg, yb)|. */
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_COLOURFULNESS],
                                 0.3 * sqrt(255.0 * 255.0 + 127.5 * 127.5), 1e-3);
}

/* The over-exposure rule tells a mistake from a bright scene
 * (derush_features_exposure_flag() has the rule). Each case below was
 * flagged wrongly by the earlier rule (3% clipped, or a median over 0.86,
 * was "over") or is the kind it missed (a colourful frame a stop or two
 * over that clips little). */
static void
test_exposure_high_key(void)
{
  float v[DERUSH_N_FEATURES];
  DerushMeta meta;
  derush_meta_init(&meta);

  /* A blown sky over a subject exposed right: 30% clipped white, the
   * median still mid-grey. Ordinary snapshots look like this. */
  g_autoptr(VipsImage) tex = make_texture();
  g_autoptr(VipsImage) sky = with_white_top(tex, H * 3 / 10);
  features_of(sky, NULL, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CLIP_HIGH], >, 0.25);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LUMA_P50], <, 0.6);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
  /* The same frame a stop brighter is over: blown and bright all through. */
  g_autoptr(VipsImage) sky_over = expose(sky, 2.0);
  features_of(sky_over, NULL, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LUMA_P50], >, 0.6);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OVER);

  /* Snow, exposed right with +1 1/3 EV of compensation (what the textbook
   * says to dial in): bright (median ~0.88), pale, little clipped. */
  g_autoptr(VipsImage) snow = make_flat(222, 225, 232, 12);
  meta.exposure_bias = 4.0 / 3;
  features_of(snow, &meta, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LUMA_P50], >, 0.86);
  g_assert_cmpfloat(v[DERUSH_FEATURE_EXPOSURE_EV], >, 1.5);
  g_assert_cmpfloat(v[DERUSH_FEATURE_SATURATION], <, 0.1);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
  features_of(snow, NULL, v);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);

  /* Grass 1 1/3 stops over (a compensation left on from the snow): bright,
   * still colourful, hardly clipped. */
  g_autoptr(VipsImage) grass = make_flat(60, 150, 40, 24);
  g_autoptr(VipsImage) grass_over = expose(grass, 2.5);
  features_of(grass_over, &meta, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_CLIP_HIGH], <, 0.03);
  g_assert_cmpfloat(v[DERUSH_FEATURE_SATURATION], >, 0.5);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OVER);
  /* Without the compensation in EXIF, one frame cannot tell it from a
   * bright green scene: not flagged. */
  features_of(grass_over, NULL, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_EXPOSURE_EV], <, 1.95);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
  /* Burnt by the flash: the same pixels, flash fired, no compensation. */
  meta.exposure_bias = 0;
  meta.flash = 0x9;
  features_of(grass_over, &meta, v);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OVER);
  /* The grass exposed right, with the flash or the compensation: the
   * EXIF alone flags nothing. */
  features_of(grass, &meta, v);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
  meta.flash = 0;
  meta.exposure_bias = 4.0 / 3;
  features_of(grass, &meta, v);
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
  derush_meta_clear(&meta);

  /* Nothing measured: no flag. */
  for (int i = 0; i < DERUSH_N_FEATURES; i++)
    v[i] = NAN;
  g_assert_cmpint(derush_features_exposure_flag(v), ==, DERUSH_EXPOSURE_OK);
}

/* The features of a photo file as `derush analyze` computes them: the
 * scanner's 512 px preview (through the thumbnail cache in @cache_dir, a
 * JPEG round trip), then the features with the file's own metadata. */
static gboolean
analyze_file(const char *path, const char *cache_dir, float *v, GError **error)
{
  DerushMappedFile file;
  if (!_derush_mapped_file_open(&file, path, error))
    return FALSE;
  DerushMeta meta;
  derush_meta_init(&meta);
  _derush_meta_read_buffer(file.data, file.len, &meta, NULL);
  DerushImageInfo info;
  VipsImage *thumb = NULL;
  gboolean ok = _derush_image_load(file.data, file.len, path, meta.orientation,
                                   DERUSH_THUMB_CACHE_SIZE, &info, &thumb, error);
  guint64 hash = _derush_content_hash_buf(file.data, file.len);
  _derush_mapped_file_close(&file);
  if (ok) {
    g_assert_true(_derush_thumb_cache_store(cache_dir, hash, thumb, NULL));
    g_object_unref(thumb);
    thumb = _derush_thumb_cache_lookup(cache_dir, hash);
    g_assert_nonnull(thumb);
    DerushHashes hashes;
    ok = _derush_features_compute_image(thumb, &meta, info.width, info.height, v, &hashes, error);
    g_object_unref(thumb);
  }
  derush_meta_clear(&meta);
  return ok;
}

/* The exposure flag against the demo set's truth (truth.csv, column kind):
 * what is flagged is right, and most of each kind is found. */
static void
test_demo_exposure(void)
{
  const char *demo = test_demo_dir();
  g_autofree char *cache = test_make_tmpdir();
  g_auto(GStrv) lines = test_demo_truth_lines();
  int tp[3] = {0}, flagged[3] = {0}, n[3] = {0};
  for (int i = 1; lines[i]; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) < 5)
      continue;
    int truth = g_strcmp0(f[4], "under") == 0  ? DERUSH_EXPOSURE_UNDER
                : g_strcmp0(f[4], "over") == 0 ? DERUSH_EXPOSURE_OVER
                                               : DERUSH_EXPOSURE_OK;
    g_autofree char *path = g_build_filename(demo, f[0], NULL);
    float v[DERUSH_N_FEATURES];
    g_autoptr(GError) error = NULL;
    if (!analyze_file(path, cache, v, &error))
      g_error("%s: %s", path, error->message);
    assert_defined_or_nan(v);
    int flag = derush_features_exposure_flag(v);
    n[truth]++;
    flagged[flag]++;
    tp[flag] += flag == truth;
    if (flag != truth && (flag != DERUSH_EXPOSURE_OK || truth != DERUSH_EXPOSURE_OK))
      g_test_message("%s: %s, flagged %s (ev %.2f, p50 %.2f, clip_high %.3f, saturation %.2f, "
                     "bias %.2f, flash %.0f)",
                     f[0], f[4],
                     flag == DERUSH_EXPOSURE_OK      ? "ok"
                     : flag == DERUSH_EXPOSURE_UNDER ? "under"
                                                     : "over",
                     v[DERUSH_FEATURE_EXPOSURE_EV], v[DERUSH_FEATURE_LUMA_P50],
                     v[DERUSH_FEATURE_CLIP_HIGH], v[DERUSH_FEATURE_SATURATION],
                     v[DERUSH_FEATURE_EXPOSURE_BIAS], v[DERUSH_FEATURE_FLASH_FIRED]);
  }
  test_rmrf(cache);
  for (int k = DERUSH_EXPOSURE_UNDER; k <= DERUSH_EXPOSURE_OVER; k++) {
    double precision = (double)tp[k] / MAX(1, flagged[k]);
    double recall = (double)tp[k] / MAX(1, n[k]);
    g_test_message("demo exposure %s: precision %.2f (%d/%d), recall %.2f (%d/%d)",
                   k == DERUSH_EXPOSURE_UNDER ? "under" : "over", precision, tp[k], flagged[k],
                   recall, tp[k], n[k]);
    g_assert_cmpint(n[k], >=, 5);
    g_assert_cmpfloat(precision, >=, 0.9);
    g_assert_cmpfloat(recall, >=, 0.8);
  }
}

/* CMYK JPEGs (print workflows, some stock photos) go through the same
 * preview as any JPEG: converted to sRGB first, so the colour features
 * mean the same. The sRGB picture @rgb is written as a CMYK JPEG at @path
 * by libvips (@kind 0: with the CMYK profile embedded; 1: bare, Adobe
 * inverted CMYK without a profile) or ImageMagick (2: Adobe YCCK, no
 * profile). Returns FALSE when the tool is missing. */
static gboolean
write_cmyk_jpeg(VipsImage *rgb, int kind, const char *dir, const char *path)
{
  if (kind < 2) {
    g_autoptr(VipsImage) srgb = NULL, cmyk = NULL;
    g_assert_cmpint(vips_copy(rgb, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, NULL), ==, 0);
    g_assert_cmpint(vips_colourspace(srgb, &cmyk, VIPS_INTERPRETATION_CMYK, NULL), ==, 0);
    if (kind == 0)
      g_assert_cmpint(vips_jpegsave(cmyk, path, "profile", "cmyk", NULL), ==, 0);
    else
      g_assert_cmpint(vips_jpegsave(cmyk, path, "strip", TRUE, NULL), ==, 0);
  } else {
    g_autofree char *convert = g_find_program_in_path("convert");
    if (!convert)
      return FALSE;
    g_autofree char *png = g_build_filename(dir, "rgb.png", NULL);
    g_assert_cmpint(vips_image_write_to_file(rgb, png, NULL), ==, 0);
    const char *argv[] = {convert, png, "-colorspace", "CMYK", "-strip", path, NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
  }
  g_autoptr(VipsImage) back = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(back);
  g_assert_cmpint(back->Bands, ==, 4);
  g_assert_cmpint(back->Type, ==, VIPS_INTERPRETATION_CMYK);
  g_assert_cmpint(vips_image_get_typeof(back, VIPS_META_ICC_NAME) != 0, ==, kind == 0);
  return TRUE;
}

static void
test_cmyk_features(gconstpointer data)
{
  int kind = GPOINTER_TO_INT(data);
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *cache = g_build_filename(dir, "cache", NULL);
  /* A textured red and a textured grey, as sRGB and as CMYK JPEGs. */
  const int colours[2][3] = {{200, 30, 30}, {128, 128, 128}};
  for (int c = 0; c < 2; c++) {
    g_autoptr(VipsImage) rgb = make_flat(colours[c][0], colours[c][1], colours[c][2], 16);
    g_autofree char *path = g_build_filename(dir, c == 0 ? "red.jpg" : "grey.jpg", NULL);
    if (!write_cmyk_jpeg(rgb, kind, dir, path)) {
      g_test_skip("ImageMagick convert is not installed");
      test_rmrf(dir);
      return;
    }
    float ref[DERUSH_N_FEATURES], v[DERUSH_N_FEATURES];
    features_of(rgb, NULL, ref);
    g_autoptr(GError) error = NULL;
    g_assert_true(analyze_file(path, cache, v, &error));
    g_assert_no_error(error);
    assert_defined_or_nan(v);
    g_test_message("%s CMYK (%s): cast_a %.1f (sRGB %.1f), cast_b %.1f (%.1f), saturation %.2f "
                   "(%.2f), luma_p50 %.3f (%.3f)",
                   c == 0 ? "red" : "grey",
                   kind == 0   ? "libvips, profile"
                   : kind == 1 ? "libvips, bare"
                               : "ImageMagick",
                   v[DERUSH_FEATURE_CAST_A], ref[DERUSH_FEATURE_CAST_A], v[DERUSH_FEATURE_CAST_B],
                   ref[DERUSH_FEATURE_CAST_B], v[DERUSH_FEATURE_SATURATION],
                   ref[DERUSH_FEATURE_SATURATION], v[DERUSH_FEATURE_LUMA_P50],
                   ref[DERUSH_FEATURE_LUMA_P50]);
    /* Everything measured, brightness close to the original (the CMYK
     * round trips differ in gamut, not by a stop). */
    for (DerushFeature f = DERUSH_FEATURE_LAP_VAR; f <= DERUSH_FEATURE_CAST_B; f++)
      if (f != DERUSH_FEATURE_EV_VS_BIAS && isnan(v[f]))
        g_error("%s is NaN", derush_feature_info(f)->name);
    g_assert_cmpfloat(v[DERUSH_FEATURE_LAP_VAR], >, 0);
    g_assert_cmpfloat(fabs(v[DERUSH_FEATURE_LUMA_P50] - ref[DERUSH_FEATURE_LUMA_P50]), <, 0.12);
    if (c == 0) {
      /* Red stays red: magenta-red a*, yellowish b*, saturated. Inverted
       * inks would come out cyan (a* < 0), lost ones grey. */
      g_assert_cmpfloat(v[DERUSH_FEATURE_CAST_A], >, 30);
      g_assert_cmpfloat(v[DERUSH_FEATURE_CAST_B], >, 10);
      g_assert_cmpfloat(fabs(v[DERUSH_FEATURE_CAST_A] - ref[DERUSH_FEATURE_CAST_A]), <, 20);
      g_assert_cmpfloat(v[DERUSH_FEATURE_SATURATION], >, 0.5);
    } else {
      /* Grey stays neutral. */
      g_assert_cmpfloat(fabs(v[DERUSH_FEATURE_CAST_A]), <, 3);
      g_assert_cmpfloat(fabs(v[DERUSH_FEATURE_CAST_B]), <, 3);
      g_assert_cmpfloat(v[DERUSH_FEATURE_SATURATION], <, 0.1);
    }
  }
  test_rmrf(dir);
}

static void
test_exif_features(void)
{
  g_autoptr(VipsImage) img = make_texture();
  float v[DERUSH_N_FEATURES];
  /* No metadata: every EXIF feature is NAN, never 0. */
  features_of(img, NULL, v);
  const DerushFeature exif[] = {DERUSH_FEATURE_ISO,           DERUSH_FEATURE_LOG2_SHUTTER,
                                DERUSH_FEATURE_SHAKE_RISK,    DERUSH_FEATURE_APERTURE,
                                DERUSH_FEATURE_FLASH_FIRED,   DERUSH_FEATURE_HOUR,
                                DERUSH_FEATURE_EXPOSURE_BIAS, DERUSH_FEATURE_EV_VS_BIAS};
  for (gsize i = 0; i < G_N_ELEMENTS(exif); i++)
    g_assert_true(isnan(v[exif[i]]));
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_ASPECT], (double)W / H, 1e-5);

  DerushMeta meta;
  derush_meta_init(&meta);
  meta.iso = 3200;
  meta.exposure_time = 1.0 / 30;
  meta.focal_length_35mm = 120;
  meta.f_number = 2.8;
  meta.flash = 0x10; /* flash did not fire (compulsory off) */
  meta.exposure_bias = -1;
  meta.time_source = DERUSH_TIME_EXIF_ORIGINAL;
  /* 2024-06-01 13:30:00 at UTC+02:00 is 11:30 UTC: the camera said 13:30. */
  meta.capture_time_ns = (gint64)1717241400 * 1000000000;
  meta.has_offset = TRUE;
  meta.offset_minutes = 120;
  features_of(img, &meta, v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_ISO], ==, 3200);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_LOG2_SHUTTER], log2(1.0 / 30), 1e-5);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_SHAKE_RISK], 4.0, 1e-5);
  g_assert_cmpfloat(v[DERUSH_FEATURE_APERTURE], ==, 2.8f);
  g_assert_cmpfloat(v[DERUSH_FEATURE_FLASH_FIRED], ==, 0);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_HOUR], 13.5, 1e-4);
  g_assert_cmpfloat(v[DERUSH_FEATURE_EXPOSURE_BIAS], ==, -1);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_EV_VS_BIAS], v[DERUSH_FEATURE_EXPOSURE_EV] + 1,
                                 1e-5);
  /* A file's mtime is no capture hour. */
  meta.time_source = DERUSH_TIME_FILE_MTIME;
  features_of(img, &meta, v);
  g_assert_true(isnan(v[DERUSH_FEATURE_HOUR]));
  derush_meta_clear(&meta);
}

/* Odd inputs: each feature defined or NAN, nothing crashes. */
static void
test_bad_inputs(void)
{
  float v[DERUSH_N_FEATURES];
  g_autoptr(VipsImage) tex = make_texture();

  /* 1x1: no neighbours, so no Laplacian; luma is still measured. */
  guint8 one[3] = {10, 200, 30};
  g_autoptr(VipsImage) dot = vips_image_new_from_memory_copy(one, 3, 1, 1, 3, VIPS_FORMAT_UCHAR);
  features_of(dot, NULL, v);
  assert_defined_or_nan(v);
  g_assert_true(isnan(v[DERUSH_FEATURE_LAP_VAR]));
  g_assert_true(isnan(v[DERUSH_FEATURE_LAP_TILE_MAX]));
  g_assert_true(isnan(derush_features_sharpness(v)));
  g_assert_true(isnan(derush_features_quality_score(v)));
  g_assert_false(isnan(v[DERUSH_FEATURE_LUMA_P50]));
  g_assert_cmpfloat(v[DERUSH_FEATURE_CONTRAST], ==, 0);
  DerushHashes h;
  _derush_hashes_compute_rgb(one, 1, 1, 3, &h);

  /* Greyscale (1 band). */
  VipsImage *t = NULL;
  g_assert_cmpint(vips_colourspace(tex, &t, VIPS_INTERPRETATION_B_W, NULL), ==, 0);
  g_autoptr(VipsImage) grey = t;
  features_of(grey, NULL, v);
  assert_defined_or_nan(v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_SATURATION], <, 0.01);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LAP_VAR], >, 0);

  /* Alpha (4 bands). */
  g_assert_cmpint(vips_bandjoin_const1(tex, &t, 128, NULL), ==, 0);
  g_autoptr(VipsImage) alpha = t;
  features_of(alpha, NULL, v);
  assert_defined_or_nan(v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LAP_VAR], >, 0);

  /* 16-bit. */
  g_assert_cmpint(vips_colourspace(tex, &t, VIPS_INTERPRETATION_RGB16, NULL), ==, 0);
  g_autoptr(VipsImage) deep = t;
  features_of(deep, NULL, v);
  assert_defined_or_nan(v);
  g_assert_cmpfloat(v[DERUSH_FEATURE_LUMA_P50], >, 0.1);

  /* A 30000x2000 panorama (lazy, shrunk to the 512 px preview first): a
   * horizontal ramp plus a vertical zone pattern, cheap to compute. */
  g_assert_cmpint(vips_grey(&t, 30000, 2000, NULL), ==, 0);
  g_autoptr(VipsImage) ramp = t;
  g_assert_cmpint(vips_linear1(ramp, &t, 255.0, 0.0, NULL), ==, 0);
  g_autoptr(VipsImage) ramp255 = t;
  g_autoptr(VipsImage) pano1 = cast_uchar(ramp255);
  g_assert_cmpint(vips_bandjoin_const1(pano1, &t, 40, NULL), ==, 0);
  g_autoptr(VipsImage) pano2 = t;
  g_assert_cmpint(vips_bandjoin_const1(pano2, &t, 200, NULL), ==, 0);
  g_autoptr(VipsImage) pano = t;
  pano->Type = VIPS_INTERPRETATION_sRGB;
  features_of(pano, NULL, v);
  assert_defined_or_nan(v);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_ASPECT], 15.0, 1e-4);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_FEATURE_MEGAPIXELS], 60.0, 1e-3);
  g_assert_false(isnan(v[DERUSH_FEATURE_LAP_VAR]));
  g_assert_false(isnan(v[DERUSH_FEATURE_LUMA_P50]));

  /* A 3000x1 line: too thin for a Laplacian. */
  g_assert_cmpint(vips_gaussnoise(&t, 3000, 1, NULL), ==, 0);
  g_autoptr(VipsImage) line_f = t;
  g_autoptr(VipsImage) line = cast_uchar(line_f);
  features_of(line, NULL, v);
  assert_defined_or_nan(v);
  g_assert_true(isnan(v[DERUSH_FEATURE_LAP_VAR]));
}

/* A transform's hash is exactly the plain hash of the transformed pixels,
 * so a mirrored copy matches at distance 0. */
static void
test_transform_hashes(void)
{
  g_autoptr(VipsImage) tex = make_texture();
  const guint8 *px = VIPS_IMAGE_ADDR(tex, 0, 0);
  DerushHashes a, b;
  _derush_hashes_compute_rgb(px, W, H, (gsize)W * 3, &a);
  const VipsDirection dirs[] = {VIPS_DIRECTION_HORIZONTAL, VIPS_DIRECTION_VERTICAL};
  const DerushXform xf[] = {DERUSH_XFORM_HFLIP, DERUSH_XFORM_VFLIP};
  for (int i = 0; i < 2; i++) {
    VipsImage *t = NULL;
    g_assert_cmpint(vips_flip(tex, &t, dirs[i], NULL), ==, 0);
    g_autoptr(VipsImage) flipped = vips_image_copy_memory(t);
    g_object_unref(t);
    _derush_hashes_compute_rgb(VIPS_IMAGE_ADDR(flipped, 0, 0), W, H, (gsize)W * 3, &b);
    g_assert_cmphex(b.phash[0], ==, a.phash[xf[i]]);
    g_assert_cmphex(b.dhash[0], ==, a.dhash[xf[i]]);
    g_assert_cmphex(b.phash[xf[i]], ==, a.phash[0]);
    /* And a mirror is far from the original in pHash. */
    g_assert_cmpint(_derush_hamming(a.phash[0], b.phash[0]), >, 10);
  }
  /* The plain hash is the one perceptual-hash.c defines. */
  guint64 d, p;
  g_assert_true(_derush_perceptual_hashes_rgb(px, W, H, 3, (gsize)W * 3, &d, &p));
  g_assert_cmphex(d, ==, a.dhash[0]);
  g_assert_cmphex(p, ==, a.phash[0]);
}

/* Not an assertion (machines differ): the figure for the report. */
static void
test_speed(void)
{
  /* A 512x384 preview, the usual size. */
  g_autoptr(VipsImage) tex = make_texture();
  VipsImage *t = NULL;
  g_assert_cmpint(vips_resize(tex, &t, 2.0, NULL), ==, 0);
  g_autoptr(VipsImage) big = vips_image_copy_memory(t);
  g_object_unref(t);
  const guint8 *px = VIPS_IMAGE_ADDR(big, 0, 0);
  int n = 200;
  float v[DERUSH_N_FEATURES];
  DerushHashes h;
  gint64 t0 = g_get_monotonic_time();
  for (int i = 0; i < n; i++)
    _derush_features_compute_rgb(px, big->Xsize, big->Ysize, (gsize)big->Xsize * 3, NULL, -1, -1,
                                 v);
  gint64 t1 = g_get_monotonic_time();
  for (int i = 0; i < n; i++)
    _derush_hashes_compute_rgb(px, big->Xsize, big->Ysize, (gsize)big->Xsize * 3, &h);
  gint64 t2 = g_get_monotonic_time();
  g_test_message("%dx%d preview: features %.2f ms, hashes (4 transforms) %.2f ms per photo",
                 big->Xsize, big->Ysize, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
  g_assert_false(isnan(v[DERUSH_FEATURE_LAP_VAR]));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/quality/table", test_table);
  g_test_add_func("/quality/blur-lowers-sharpness", test_blur_lowers_sharpness);
  g_test_add_func("/quality/motion-blur", test_motion_blur);
  g_test_add_func("/quality/exposure", test_exposure);
  g_test_add_func("/quality/clipping", test_clipping);
  g_test_add_func("/quality/exposure-high-key", test_exposure_high_key);
  g_test_add_func("/quality/demo-exposure", test_demo_exposure);
  g_test_add_data_func("/quality/cmyk-jpeg/profile", GINT_TO_POINTER(0), test_cmyk_features);
  g_test_add_data_func("/quality/cmyk-jpeg/bare", GINT_TO_POINTER(1), test_cmyk_features);
  g_test_add_data_func("/quality/cmyk-jpeg/imagemagick", GINT_TO_POINTER(2), test_cmyk_features);
  g_test_add_func("/quality/exif", test_exif_features);
  g_test_add_func("/quality/bad-inputs", test_bad_inputs);
  g_test_add_func("/quality/transform-hashes", test_transform_hashes);
  g_test_add_func("/quality/speed", test_speed);
  return g_test_run();
}
