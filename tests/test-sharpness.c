/* test-sharpness.c: the lone-photo sharpness judgement (issue 21):
 * sharpness_score and the soft and noisy flags, on synthetic pictures whose
 * answer is known, on frames built from ../shared/corpus photos by
 * ImageMagick (bench/blur/build-frames.sh, held-out photos only), and on
 * the demo set's blurred and noisy frames.
 */
#include "quality/features.h"
#include "test-util.h"
#include <json-glib/json-glib.h>

#define W 384
#define H 256

/* Crisp rectangles of random greys over a gentle gradient: edges of every
 * orientation and contrast, as in a real scene. Deterministic. */
static VipsImage *
make_scene(void)
{
  guint8 *px = g_malloc((gsize)W * H * 3);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int k = 0; k < 3; k++)
        px[((gsize)y * W + x) * 3 + k] = (guint8)(70 + x * 60 / W + y * 40 / H);
  guint32 seed = 4242;
  for (int r = 0; r < 60; r++) {
    seed = seed * 1664525u + 1013904223u;
    int x0 = (int)(seed % W), y0 = (int)((seed >> 12) % H);
    int w = 8 + (int)((seed >> 20) % 60), h = 8 + (int)((seed >> 8) % 50);
    int grey = (int)((seed >> 24) & 0xff);
    for (int y = y0; y < MIN(H, y0 + h); y++)
      for (int x = x0; x < MIN(W, x0 + w); x++)
        for (int k = 0; k < 3; k++)
          px[((gsize)y * W + x) * 3 + k] = (guint8)grey;
  }
  VipsImage *img =
      vips_image_new_from_memory_copy(px, (gsize)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
  g_free(px);
  return img;
}

static VipsImage *
blurred(VipsImage *in, double sigma)
{
  VipsImage *t = NULL, *out = NULL;
  g_assert_cmpint(vips_gaussblur(in, &t, sigma, NULL), ==, 0);
  g_assert_cmpint(vips_cast(t, &out, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  g_object_unref(t);
  return out;
}

/* @in plus Gaussian grain of @sigma grey levels (the same on R, G, B). */
static VipsImage *
with_grain(VipsImage *in, double sigma)
{
  g_autoptr(VipsImage) mem = vips_image_copy_memory(in);
  guint8 *px = VIPS_IMAGE_ADDR(mem, 0, 0);
  GRand *rand = g_rand_new_with_seed(7);
  for (gsize i = 0; i < (gsize)mem->Xsize * mem->Ysize; i++) {
    /* Box-Muller. */
    double u = g_rand_double_range(rand, 1e-12, 1), v = g_rand_double(rand);
    int d = (int)lrint(sigma * sqrt(-2 * log(u)) * cos(2 * G_PI * v));
    for (int k = 0; k < 3; k++)
      px[3 * i + k] = (guint8)CLAMP(px[3 * i + k] + d, 0, 255);
  }
  g_rand_free(rand);
  return vips_image_new_from_memory_copy(px, VIPS_IMAGE_SIZEOF_IMAGE(mem), mem->Xsize, mem->Ysize,
                                         3, VIPS_FORMAT_UCHAR);
}

static void
features_of(VipsImage *img, float *v)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_features_compute_image(img, NULL, -1, -1, v, NULL, &error));
  g_assert_no_error(error);
}

/* A crisp scene is sharp, the same scene defocused or shaken is soft, and
 * grain on the defocused one does not make it sharp (the noise discount). */
static void
test_synthetic(void)
{
  g_autoptr(VipsImage) sharp = make_scene();
  g_autoptr(VipsImage) soft = blurred(sharp, 2.0);
  g_autoptr(VipsImage) grainy = with_grain(soft, 6.0);
  VipsImage *t = NULL;
  /* A horizontal shake of 15 px: a 1x15 box. */
  g_autoptr(VipsImage) box = vips_image_new_matrix(15, 1);
  for (int i = 0; i < 15; i++)
    *VIPS_MATRIX(box, i, 0) = 1.0 / 15;
  g_assert_cmpint(vips_conv(sharp, &t, box, NULL), ==, 0);
  g_autoptr(VipsImage) shaken = NULL;
  g_assert_cmpint(vips_cast(t, &shaken, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  g_object_unref(t);

  float a[DERUSH_N_FEATURES], b[DERUSH_N_FEATURES], c[DERUSH_N_FEATURES], d[DERUSH_N_FEATURES];
  features_of(sharp, a);
  features_of(soft, b);
  features_of(grainy, c);
  features_of(shaken, d);
  g_test_message("scores: sharp %.3f, blurred %.3f, blurred+grain %.3f, shaken %.3f",
                 a[DERUSH_FEATURE_SHARPNESS_SCORE], b[DERUSH_FEATURE_SHARPNESS_SCORE],
                 c[DERUSH_FEATURE_SHARPNESS_SCORE], d[DERUSH_FEATURE_SHARPNESS_SCORE]);
  double sure = 0;
  g_assert_false(derush_features_soft(a, &sure));
  g_assert_cmpfloat(sure, >, 0.9);
  g_assert_true(derush_features_soft(b, &sure));
  g_assert_cmpfloat(sure, >, 0.9);
  g_assert_true(derush_features_soft(c, NULL));
  g_assert_true(derush_features_soft(d, NULL));
  /* Grain shows in the flat blocks; crisp edges are not grain. */
  g_assert_false(derush_features_noisy(a, NULL));
  g_assert_true(derush_features_noisy(c, &sure));
  g_assert_cmpfloat(sure, >, 0.9);
  /* The stored score is the function's. */
  g_assert_cmpfloat_with_epsilon(a[DERUSH_FEATURE_SHARPNESS_SCORE],
                                 derush_features_sharpness_score(a), 1e-6);
  g_assert_cmpfloat(a[DERUSH_FEATURE_EDGE_WIDTH], <, b[DERUSH_FEATURE_EDGE_WIDTH]);
  g_assert_cmpfloat(a[DERUSH_FEATURE_REBLUR], <, b[DERUSH_FEATURE_REBLUR]);
  /* The shake widens edges across it only: the worst orientation counts. */
  g_assert_cmpfloat(d[DERUSH_FEATURE_EDGE_WIDTH], >, a[DERUSH_FEATURE_EDGE_WIDTH] * 1.5);
}

/* Too small or flat to judge: no score, and no flag either way. */
static void
test_unknown(void)
{
  float v[DERUSH_N_FEATURES];
  guint8 flat[8 * 8 * 3];
  memset(flat, 128, sizeof flat);
  _derush_features_compute_rgb(flat, 8, 8, 8 * 3, NULL, -1, -1, v);
  g_assert_true(isnan(derush_features_sharpness_score(v)));
  double sure = 1;
  g_assert_false(derush_features_soft(v, &sure));
  g_assert_cmpfloat(sure, ==, 0);
  for (int i = 0; i < DERUSH_N_FEATURES; i++)
    v[i] = NAN;
  g_assert_false(derush_features_soft(v, NULL));
  g_assert_false(derush_features_noisy(v, NULL));
}

/* The one verdict the app shows (derush_soft_warning_*): a lone blurred
 * photo is warned soft with how sure, a crisp one is not; a crisp photo
 * far below its group's best is warned too; grain is its own flag; no
 * features, no warning. */
static void
test_soft_warning(void)
{
  g_autoptr(VipsImage) sharp = make_scene();
  g_autoptr(VipsImage) soft = blurred(sharp, 3.0);
  g_autoptr(VipsImage) grainy = with_grain(sharp, 8.0);
  float a[DERUSH_N_FEATURES], b[DERUSH_N_FEATURES], c[DERUSH_N_FEATURES];
  features_of(sharp, a);
  features_of(soft, b);
  features_of(grainy, c);
  DerushSoftWarning w;
  derush_soft_warning_init(&w, a);
  g_assert_false(w.soft);
  g_assert_false(w.alone);
  g_assert_cmpfloat(w.soft_confidence, >, 0.5);
  /* The best of its group is itself: nothing to be softer than. */
  derush_soft_warning_vs_best(&w, NAN);
  g_assert_false(w.soft);
  /* Against a best far sharper, the group's part raises the warning. */
  derush_soft_warning_vs_best(&w, w.sharpness + 1.0);
  g_assert_true(w.soft);
  g_assert_true(w.vs_group);
  g_assert_false(w.alone);
  derush_soft_warning_vs_best(&w, w.sharpness + 0.1);
  g_assert_false(w.soft);

  derush_soft_warning_init(&w, b);
  g_assert_true(w.soft);
  g_assert_true(w.alone);
  g_assert_false(w.vs_group);
  g_assert_cmpfloat(w.soft_confidence, >=, 0.5);
  g_assert_cmpfloat(w.soft_confidence, <=, 1.0);
  g_assert_nonnull(derush_soft_warning_sureness(w.soft_confidence));
  /* In no group, or the best of one: still soft on its own. */
  derush_soft_warning_vs_best(&w, NAN);
  g_assert_true(w.soft);

  derush_soft_warning_init(&w, c);
  g_assert_true(w.noisy);
  g_assert_cmpfloat(w.noisy_confidence, >, 0.5);

  derush_soft_warning_init(&w, NULL);
  g_assert_false(w.soft);
  g_assert_false(w.noisy);
  g_assert_cmpfloat(w.soft_confidence, ==, 0);
  g_assert_cmpstr(derush_soft_warning_sureness(0.99), ==, "certain");
  g_assert_cmpstr(derush_soft_warning_sureness(0.8), ==, "likely");
  g_assert_cmpstr(derush_soft_warning_sureness(0.55), ==, "possible");
}

/* JSON of `derush eval blur` on frames bench/blur/build-frames.sh builds
 * from held-out corpus photos; NULL (skipped) without the corpus or
 * ImageMagick. */
static JsonObject *
eval_corpus_frames(char **tmp_out)
{
  g_autofree char *corpus = test_shared_path("corpus/blur/labels.csv");
  if (!corpus) {
    g_test_skip("../shared/corpus is absent: no real photos to blur");
    return NULL;
  }
  g_autofree char *convert = g_find_program_in_path("convert");
  if (!convert) {
    g_test_skip("ImageMagick's convert is missing (scripts/install-deps.sh installs it)");
    return NULL;
  }
  char *tmp = test_make_tmpdir();
  *tmp_out = tmp;
  g_autofree char *frames = g_build_filename(tmp, "frames", NULL);
  g_autofree char *script =
      g_build_filename(g_getenv("G_TEST_SRCDIR"), "..", "bench", "blur", "build-frames.sh", NULL);
  g_autofree char *shared = test_shared_path("corpus");
  g_autofree char *env_corpus = g_strdup_printf("DERUSH_CORPUS=%s", shared);
  /* Twelve held-out photos: 72 made frames plus the corpus's 9 real ones. */
  const char *argv[] = {"env", env_corpus, "sh", script, frames, "held-out", "12", NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
               NULL, NULL, &err, &status, &error);
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("build-frames.sh failed: %s", err);
  g_autofree char *catalog = g_build_filename(tmp, "cat.db", NULL);
  g_autofree char *truth = g_build_filename(frames, "truth.csv", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
  g_autofree char *out = NULL;
  int rc = test_run_derush_on(catalog, (const char *const *)env, &out, NULL, "eval", "blur",
                              "--truth", truth, "--json", NULL);
  g_assert_cmpint(rc, ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

/* Across scenes: the score separates sharp from blurred frames of
 * different real photos, and the soft flag is right on most frames. */
static void
test_corpus_frames(void)
{
  g_autofree char *tmp = NULL;
  JsonObject *o = eval_corpus_frames(&tmp);
  if (!o)
    return;
  double auc = json_object_get_double_member(o, "roc_auc");
  double acc = json_object_get_double_member(o, "soft_accuracy");
  gint64 frames = json_object_get_int_member(o, "frames");
  g_test_message("held-out frames %" G_GINT64_FORMAT ": roc_auc %.3f, soft_accuracy %.3f, "
                 "lap_var %.3f, old sharpness %.3f, best old feature %s %.3f",
                 frames, auc, acc, json_object_get_double_member(o, "roc_auc_lap_var"),
                 json_object_get_double_member(o, "roc_auc_old_sharpness"),
                 json_object_get_string_member(o, "best_feature"),
                 json_object_get_double_member(o, "best_feature_roc_auc"));
  g_assert_cmpint(frames, >=, 60);
  g_assert_cmpfloat(auc, >=, 0.97);
  g_assert_cmpfloat(acc, >=, 0.90);
  json_object_unref(o);
  test_rmrf(tmp);
}

/* The demo set's defocused and shaken frames read soft and its noisy
 * frames noisy, on their own (most are in no burst), while its clean
 * frames rarely read noisy; the app's warning (soft_visible) takes most
 * blurred frames, IMG_4242 (a lone defocused ladybird) among them, and few
 * of the sharp macro frames with much bokeh. */
static void
test_demo_flags(void)
{
  const char *demo = test_demo_dir();
  g_auto(GStrv) lines = test_demo_truth_lines();
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) kind = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  int n_sharp = 0;
  for (int i = 1; lines[i]; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) < 5)
      continue;
    gboolean bad =
        g_str_equal(f[4], "defocus") || g_str_equal(f[4], "motion") || g_str_equal(f[4], "noisy");
    /* Every bad frame and every clean single frame, the control. */
    if (!bad && !g_str_equal(f[4], "sharp"))
      continue;
    n_sharp += !bad;
    char *path = g_build_filename(demo, f[0], NULL);
    g_hash_table_insert(kind, g_strdup(path), g_strdup(f[4]));
    g_ptr_array_add(argv, path);
  }
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *catalog = g_build_filename(tmp, "cat.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, "--catalog");
  g_ptr_array_add(args, catalog);
  g_ptr_array_add(args, "features");
  g_ptr_array_add(args, "--json");
  for (guint i = 0; i < argv->len; i++)
    g_ptr_array_add(args, argv->pdata[i]);
  g_ptr_array_add(args, NULL);
  g_autofree char *out = NULL;
  int rc = test_run_derush((const char *const *)args->pdata, (const char *const *)env, &out, NULL);
  g_assert_cmpint(rc, ==, 0);
  int blurred = 0, soft = 0, noisy_frames = 0, noisy = 0, clean = 0, clean_noisy = 0;
  int warned_blurred = 0, warned_clean = 0;
  gboolean warned_4242 = FALSE;
  g_auto(GStrv) objs = g_strsplit(out, "\n", -1);
  for (int i = 0; objs[i]; i++) {
    if (!objs[i][0])
      continue;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, objs[i], -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    const char *k = g_hash_table_lookup(kind, json_object_get_string_member(o, "path"));
    g_assert_nonnull(k);
    gboolean is_soft = json_object_get_boolean_member(o, "soft");
    gboolean is_noisy = json_object_get_boolean_member(o, "noisy");
    gboolean warned = json_object_get_boolean_member(o, "soft_visible");
    if (g_str_has_suffix(json_object_get_string_member(o, "path"), "/IMG_4242.JPG"))
      warned_4242 = warned;
    if (g_str_equal(k, "noisy")) {
      noisy_frames++;
      noisy += is_noisy;
    } else if (g_str_equal(k, "sharp")) {
      clean++;
      clean_noisy += is_noisy;
      warned_clean += warned;
    } else {
      blurred++;
      soft += is_soft;
      warned_blurred += warned;
    }
  }
  g_test_message("demo: soft %d of %d blurred, noisy %d of %d noisy, %d of %d clean read noisy",
                 soft, blurred, noisy, noisy_frames, clean_noisy, clean);
  g_test_message("demo: the app warns soft on %d of %d blurred, %d of %d sharp", warned_blurred,
                 blurred, warned_clean, clean);
  test_rmrf(tmp);
  g_assert_cmpint(blurred, >=, 20);
  g_assert_cmpint(soft, ==, blurred);
  g_assert_cmpint(noisy_frames, >=, 10);
  g_assert_cmpint(noisy, ==, noisy_frames);
  g_assert_cmpint(clean, >=, 20);
  g_assert_cmpint(clean_noisy, <=, clean / 10);
  g_assert_cmpint(n_sharp, ==, clean);
  /* Measured (README): 6 % of the sharp frames, 75 % of the blurred; the
   * bounds leave a frame or two of margin. */
  g_assert_true(warned_4242);
  g_assert_cmpint(warned_clean * 100, <=, 8 * clean);
  g_assert_cmpint(warned_blurred * 100, >=, 70 * blurred);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/sharpness/synthetic", test_synthetic);
  g_test_add_func("/sharpness/unknown", test_unknown);
  g_test_add_func("/sharpness/soft-warning", test_soft_warning);
  g_test_add_func("/sharpness/corpus-frames", test_corpus_frames);
  g_test_add_func("/sharpness/demo-flags", test_demo_flags);
  return g_test_run();
}
