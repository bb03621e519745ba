/* test-copies.c: what a photographer sees of copies of real photos
 * (issue 21): the original is the best of its copies, and says why.
 *
 * The sets are made here, once per run, from camera JPEGs of
 * ../shared/corpus/exif_cameras with ImageMagick: each original with a
 * resized, a re-encoded (quality 35-60), a greyscale, a cropped and a
 * brightened copy. Skipped when ../shared or ImageMagick is absent.
 */
#include "test-util.h"

/* Camera JPEGs of about 1 MP (the sets stay quick to make), each laid out
 * as its camera wrote it. */
static const char *const originals[] = {
    "Olympus PEN E-P3.jpg", "Nikon E900 (1).jpg",   "FujiFilm FinePix2650.jpg",
    "Minolta DiMAGE X.jpg", "Panasonic NV-GX7.jpg", "Canon IXUS 400.jpg",
};
#define N_SETS G_N_ELEMENTS(originals)

/* The copies of each original; set @s makes them with slightly different
 * settings, as copies found in the wild differ. */
static const char *const copy_names[] = {"resized.jpg", "q.jpg", "grey.jpg", "crop.jpg",
                                         "bright.jpg"};
#define N_COPIES G_N_ELEMENTS(copy_names)

static GStrv
split(char *line)
{
  GStrv v = g_strsplit(line, " ", -1);
  g_free(line);
  return v;
}

static GStrv
copy_args(guint copy, int s)
{
  switch (copy) {
  case 0: /* resized to 50-70% */
    return split(g_strdup_printf("-resize %d%%", 50 + 4 * s));
  case 1: /* re-encoded at quality 35-60 */
    return split(g_strdup_printf("-quality %d", 35 + 5 * s));
  case 2:
    return g_strsplit("-colorspace Gray", " ", -1);
  case 3: /* cropped to 90-95% of each side, centred */
    return split(g_strdup_printf("-gravity center -crop %d%%x%d%%+0+0 +repage", 90 + s, 90 + s));
  default: /* brightened by 15-25% */
    return split(g_strdup_printf("-modulate %d,100,100", 115 + 2 * s));
  }
}

typedef struct {
  char *tmp;
  char *sets;
  DerushCatalog *cat;
} Sets;

static Sets sets;

static void
convert(const char *convert_bin, const char *in, guint copy, int set, const char *out)
{
  g_auto(GStrv) args = copy_args(copy, set);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (char *)convert_bin);
  g_ptr_array_add(argv, (char *)in);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add(argv, args[i]);
  g_ptr_array_add(argv, (char *)out);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                             NULL, NULL, NULL, &status, NULL));
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_ptr_array_unref(argv);
}

/* Makes, scans and analyzes the sets once; FALSE (the test skips) when
 * ../shared or ImageMagick is missing. */
static gboolean
sets_ready(void)
{
  if (sets.cat)
    return TRUE;
  g_autofree char *corpus = test_shared_path("corpus/exif_cameras");
  g_autofree char *convert_bin = g_find_program_in_path("convert");
  if (!corpus) {
    g_test_skip("../shared/corpus/exif_cameras is absent");
    return FALSE;
  }
  if (!convert_bin) {
    g_test_skip("ImageMagick's convert is not installed");
    return FALSE;
  }
  sets.tmp = test_make_tmpdir();
  sets.sets = g_build_filename(sets.tmp, "sets", NULL);
  for (guint s = 0; s < N_SETS; s++) {
    g_autofree char *name = g_strdup_printf("set%u", s);
    g_autofree char *dir = g_build_filename(sets.sets, name, NULL);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_autofree char *from = g_build_filename(corpus, originals[s], NULL);
    g_autofree char *orig = g_build_filename(dir, "orig.jpg", NULL);
    test_copy_file(from, orig);
    for (guint c = 0; c < N_COPIES; c++) {
      g_autofree char *out = g_build_filename(dir, copy_names[c], NULL);
      convert(convert_bin, orig, c, (int)s, out);
    }
  }
  g_autofree char *db = g_build_filename(sets.tmp, "catalog.db", NULL);
  g_autofree char *cache = g_build_filename(sets.tmp, "cache", NULL);
  g_autoptr(GError) error = NULL;
  sets.cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  derush_catalog_set_cache_dir(sets.cat, cache);
  const char *roots[] = {sets.sets, NULL};
  DerushScanSummary scan;
  g_assert_true(derush_catalog_scan(sets.cat, roots, NULL, &scan, &error));
  g_assert_no_error(error);
  DerushAnalyzeOptions opt;
  derush_analyze_options_init(&opt);
  opt.detect = DERUSH_ANALYZE_DETECT_NEVER;
  DerushAnalyzeSummary sum;
  g_assert_true(derush_catalog_analyze(sets.cat, NULL, &opt, &sum, &error));
  g_assert_no_error(error);
  g_assert_cmpint(sum.failed, ==, 0);
  return TRUE;
}

static void
sets_free(void)
{
  if (!sets.cat)
    return;
  derush_catalog_close(sets.cat);
  test_rmrf(sets.tmp);
  g_free(sets.tmp);
  g_free(sets.sets);
}

typedef struct {
  guint groups, original_best, members;
} BestCount;

static gboolean
best_cb(const DerushGroup *g, gpointer user_data)
{
  BestCount *c = user_data;
  c->groups++;
  c->members += g->n_members;
  g_autofree char *base = g_path_get_basename(g->best_path);
  if (g_strcmp0(base, "orig.jpg") == 0)
    c->original_best++;
  else
    g_test_message("best of %s is a copy", g->best_path);
  return TRUE;
}

/* The original beats every copy of it, in every set. */
static void
test_original_is_best(void)
{
  if (!sets_ready())
    return;
  BestCount c = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(
      derush_catalog_foreach_group(sets.cat, NULL, DERUSH_GROUP_NEAR_DUP, best_cb, &c, &error));
  g_assert_no_error(error);
  g_test_message("original best in %u of %u sets (%u photos grouped)", c.original_best, c.groups,
                 c.members);
  /* Every copy joined its original: one group per set. */
  g_assert_cmpuint(c.groups, ==, N_SETS);
  g_assert_cmpuint(c.members, ==, N_SETS * (1 + N_COPIES));
  g_assert_cmpuint(c.original_best, ==, N_SETS);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/copies/original-is-best", test_original_is_best);
  int rc = g_test_run();
  sets_free();
  return rc;
}
