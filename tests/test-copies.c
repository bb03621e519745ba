/* test-copies.c: what a photographer sees of copies of real photos
 * (issue 21): the original is the best of its copies, and says why.
 *
 * The sets are made here, once per run, from camera JPEGs of
 * ../shared/corpus/exif_cameras with ImageMagick: each original with a
 * resized, a re-encoded (quality 35-60), a greyscale, a cropped and a
 * brightened copy. Skipped when ../shared or ImageMagick is absent.
 */
#include "test-util.h"
#include <gexiv2/gexiv2.h>
#include <json-glib/json-glib.h>

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

/* Two other camera JPEGs given one camera and capture times a second
 * apart (exiftool rewrites the metadata, not the pixels): a burst. */
static const char *const burst_frames[] = {"Nikon Coolpix 775.jpg", "Sony DSC-P52.jpg"};

typedef struct {
  char *tmp;
  char *sets;
  char *db;
  DerushCatalog *cat;
  gboolean burst; /* exiftool was there to make the burst */
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

static void
make_burst(const char *corpus)
{
  g_autofree char *exiftool = g_find_program_in_path("exiftool");
  if (!exiftool)
    return;
  g_autofree char *dir = g_build_filename(sets.sets, "burst", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS(burst_frames); i++) {
    g_autofree char *from = g_build_filename(corpus, burst_frames[i], NULL);
    g_autofree char *name = g_strdup_printf("frame%u.jpg", i);
    g_autofree char *to = g_build_filename(dir, name, NULL);
    test_copy_file(from, to);
    g_autofree char *date = g_strdup_printf("-DateTimeOriginal=2024:05:01 10:00:0%u", i);
    const char *argv[] = {exiftool, "-q", "-overwrite_original", "-Make=Burst", "-Model=One", date,
                          to,       NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
  }
  sets.burst = TRUE;
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
  /* An exact copy of the first original. */
  g_autofree char *set0 = g_build_filename(sets.sets, "set0", NULL);
  g_autofree char *orig0 = g_build_filename(set0, "orig.jpg", NULL);
  g_autofree char *copy0 = g_build_filename(set0, "orig-copy.jpg", NULL);
  test_copy_file(orig0, copy0);
  make_burst(corpus);
  sets.db = g_build_filename(sets.tmp, "catalog.db", NULL);
  const char *db = sets.db;
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
  g_free(sets.db);
  g_free(sets.sets);
}

/* Groups counted by whether their best pick's file name holds @mark. */
typedef struct {
  const char *mark; /* "orig" (the exact copy "orig-copy" is as good), "proper", "_S." */
  guint groups, marked_best, members;
} BestCount;

static gboolean
best_marked_cb(const DerushGroup *g, gpointer user_data)
{
  BestCount *c = user_data;
  c->groups++;
  c->members += g->n_members;
  g_autofree char *base = g_path_get_basename(g->best_path);
  if (strstr(base, c->mark))
    c->marked_best++;
  else
    g_test_message("best of the group of %s is %s", g->best_path, base);
  return TRUE;
}

/* The original beats every copy of it, in every set. */
static void
test_original_is_best(void)
{
  if (!sets_ready())
    return;
  BestCount c = {"orig", 0, 0, 0};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_group(sets.cat, NULL, DERUSH_GROUP_NEAR_DUP, best_marked_cb,
                                             &c, &error));
  g_assert_no_error(error);
  g_test_message("original best in %u of %u sets (%u photos grouped)", c.marked_best, c.groups,
                 c.members);
  /* Every copy joined its original: one group per set. */
  g_assert_cmpuint(c.groups, ==, N_SETS);
  g_assert_cmpuint(c.members, ==, N_SETS * (1 + N_COPIES) + 1);
  g_assert_cmpuint(c.marked_best, ==, N_SETS);
}

/* The groups of `derush groups --json --kind KIND`, parsed. */
static GPtrArray *
groups_json(const char *kind, JsonParser **parsers)
{
  g_auto(GStrv) env = test_isolated_env(sets.tmp, sets.db);
  g_autofree char *out = NULL;
  g_assert_cmpint(test_run_derush_on(sets.db, (const char *const *)env, &out, NULL, "groups",
                                     "--json", "--kind", kind, NULL),
                  ==, 0);
  GPtrArray *groups = g_ptr_array_new();
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i] && lines[i][0] && i < 64; i++) {
    parsers[i] = json_parser_new();
    g_assert_true(json_parser_load_from_data(parsers[i], lines[i], -1, NULL));
    g_ptr_array_add(groups, json_node_get_object(json_parser_get_root(parsers[i])));
  }
  return groups;
}

/* Each member says what it is to the best pick, with its score; the old
 * list of paths stays; the reason names what made the original win. */
static void
test_relations(void)
{
  if (!sets_ready())
    return;
  JsonParser *parsers[64] = {NULL};
  g_autoptr(GPtrArray) groups = groups_json("near_dup", parsers);
  g_assert_cmpuint(groups->len, ==, N_SETS);
  guint exact = 0, edited = 0;
  for (guint i = 0; i < groups->len; i++) {
    JsonObject *g = groups->pdata[i];
    const char *reason = json_object_get_string_member(g, "best_reason");
    g_assert_nonnull(strstr(reason, "full resolution"));
    g_assert_nonnull(strstr(reason, "less compressed"));
    g_assert_nonnull(strstr(reason, "in colour"));
    JsonArray *members = json_object_get_array_member(g, "members");
    JsonArray *paths = json_object_get_array_member(g, "paths");
    g_assert_cmpuint(json_array_get_length(members), ==, json_array_get_length(paths));
    const char *best = json_object_get_string_member(g, "best");
    for (guint k = 0; k < json_array_get_length(members); k++) {
      JsonObject *m = json_array_get_object_element(members, k);
      const char *path = json_object_get_string_member(m, "path");
      const char *rel = json_object_get_string_member(m, "relation");
      g_assert_cmpstr(path, ==, json_array_get_string_element(paths, k));
      g_assert_false(json_object_get_null_member(m, "score"));
      g_autofree char *base = g_path_get_basename(path);
      if (g_strcmp0(path, best) == 0) {
        g_assert_cmpstr(rel, ==, "best");
      } else if (g_str_has_prefix(base, "orig")) {
        g_assert_cmpstr(rel, ==, "exact");
        exact++;
      } else {
        g_assert_cmpstr(rel, ==, "edited");
        edited++;
      }
    }
  }
  g_assert_cmpuint(exact, ==, 1);
  g_assert_cmpuint(edited, ==, N_SETS * N_COPIES);
  for (int i = 0; parsers[i]; i++)
    g_object_unref(parsers[i]);

  if (!sets.burst) {
    g_test_skip("exiftool is not installed: no burst to check");
    return;
  }
  JsonParser *bp[64] = {NULL};
  g_autoptr(GPtrArray) bursts = groups_json("burst", bp);
  guint burst_frames_seen = 0;
  for (guint i = 0; i < bursts->len; i++) {
    JsonArray *members = json_object_get_array_member(bursts->pdata[i], "members");
    for (guint k = 0; k < json_array_get_length(members); k++) {
      JsonObject *m = json_array_get_object_element(members, k);
      if (strstr(json_object_get_string_member(m, "path"), "/burst/frame") &&
          g_strcmp0(json_object_get_string_member(m, "relation"), "burst") == 0)
        burst_frames_seen++;
    }
  }
  /* One frame is the best, the other its burst sibling. */
  g_assert_cmpuint(burst_frames_seen, ==, 1);
  for (int i = 0; bp[i]; i++)
    g_object_unref(bp[i]);
}

/* Runs derush on the sets' catalog; returns its stdout lines starting with
 * @prefix (others ignored). */
static guint
run_count(const char *prefix, char **out_all, ...)
{
  g_auto(GStrv) env = test_isolated_env(sets.tmp, sets.db);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, sets.db);
  va_list ap;
  va_start(ap, out_all);
  const char *a;
  while ((a = va_arg(ap, const char *)))
    g_ptr_array_add(argv, (char *)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint(
      test_run_derush((const char *const *)argv->pdata, (const char *const *)env, &out, NULL), ==,
      0);
  g_ptr_array_unref(argv);
  guint n = 0;
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    n += g_str_has_prefix(lines[i], prefix);
  if (out_all)
    *out_all = g_steal_pointer(&out);
  return n;
}

/* The one-step culls: a dry run labels nothing; --copies labels the 31
 * copies (30 edited, 1 exact) trash in one batch that one undo takes
 * back; no best pick is ever picked. */
static void
test_cull(void)
{
  if (!sets_ready())
    return;
  guint copies = N_SETS * N_COPIES + 1;
  g_assert_cmpuint(run_count("would trash ", NULL, "cull", "--copies", "--dry-run", NULL), ==,
                   copies);
  g_assert_cmpuint(run_count("{", NULL, "history", "--json", NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpuint(run_count("trash ", &out, "cull", "--copies", NULL), ==, copies);
  g_assert_nonnull(strstr(out, "best: "));
  g_assert_cmpuint(run_count("{", NULL, "history", "--json", NULL), ==, copies);
  for (guint s = 0; s < N_SETS; s++) {
    g_autofree char *name = g_strdup_printf("set%u", s);
    g_autofree char *orig = g_build_filename(sets.sets, name, "orig.jpg", NULL);
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(sets.cat, orig, NULL);
    g_assert_nonnull(p);
    /* In set 0 the exact copy may be the best and the original its copy. */
    if (s > 0)
      g_assert_cmpint(p->label, ==, DERUSH_LABEL_NONE);
  }
  g_assert_cmpuint(run_count("Undid batch", NULL, "undo", NULL), ==, 1);
  /* Every burst frame but the best, and every group member but the best:
   * at least the copies; nothing to do after that step is taken. */
  g_assert_cmpuint(run_count("would trash ", NULL, "cull", "--bursts", "--dry-run", NULL), >=, 1);
  guint all = run_count("trash ", NULL, "cull", "--groups", NULL);
  g_assert_cmpuint(all, >=, copies);
  g_assert_cmpuint(run_count("Nothing to trash", NULL, "cull", "--groups", NULL), ==, 1);
  g_assert_cmpuint(run_count("Undid batch", NULL, "undo", NULL), ==, 1);
  g_auto(GStrv) env = test_isolated_env(sets.tmp, sets.db);
  g_assert_cmpint(test_run_derush_on(sets.db, (const char *const *)env, NULL, NULL, "cull",
                                     "--copies", "--bursts", NULL),
                  ==, 2);
}

static gboolean
count_near_dup_cb(const DerushGroup *g, gpointer user_data)
{
  (*(guint *)user_data)++;
  return TRUE;
}

/* Frames with almost no detail (a lens cap's noisy black, plain colours,
 * a featureless sky) are flagged blank and are nobody's near-duplicate,
 * though their hashes are all alike; a real photo is not blank. */
/* A catalog in @tmp that scanned and analyzed @root (no detector). */
static DerushCatalog *
scan_and_analyze(const char *tmp, const char *root)
{
  g_autofree char *db = g_build_filename(tmp, "catalog.db", NULL);
  g_autofree char *cache = g_build_filename(tmp, "cache", NULL);
  DerushCatalog *cat = test_open_scanned(db, cache, root);
  g_autoptr(GError) error = NULL;
  DerushAnalyzeOptions opt;
  derush_analyze_options_init(&opt);
  opt.detect = DERUSH_ANALYZE_DETECT_NEVER;
  g_assert_true(derush_catalog_analyze(cat, NULL, &opt, NULL, &error));
  g_assert_no_error(error);
  return cat;
}

static void
test_blank_frames(void)
{
  g_autofree char *convert_bin = g_find_program_in_path("convert");
  if (!convert_bin) {
    g_test_skip("ImageMagick's convert is not installed");
    return;
  }
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *dir = g_build_filename(tmp, "frames", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  static const char *const blanks[][2] = {
      {"cap.jpg", "xc:black -attenuate 0.3 +noise Gaussian"},
      {"cap2.jpg", "xc:#050505 -attenuate 0.2 +noise Gaussian"},
      {"green.jpg", "xc:#1a7a20"},
      {"grey.png", "xc:#808080"},
      {"sky.jpg", "gradient:#87ceeb-#b0e0ff"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(blanks); i++) {
    g_autofree char *out = g_build_filename(dir, blanks[i][0], NULL);
    g_autofree char *line =
        g_strdup_printf("%s -size 800x600 %s %s", convert_bin, blanks[i][1], out);
    g_auto(GStrv) argv = g_strsplit(line, " ", -1);
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                               &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
  }
  g_autofree char *photo = g_build_filename(dir, "photo.jpg", NULL);
  g_autofree char *corpus = test_shared_path("corpus/exif_cameras/Nikon E900 (1).jpg");
  if (corpus)
    test_copy_file(corpus, photo);
  DerushCatalog *cat = scan_and_analyze(tmp, dir);
  g_autoptr(GError) error = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS(blanks); i++) {
    g_autofree char *path = g_build_filename(dir, blanks[i][0], NULL);
    float v[DERUSH_N_FEATURES];
    g_assert_true(derush_catalog_get_features(cat, path, v, &error));
    g_assert_true(derush_features_blank(v));
  }
  if (corpus) {
    float v[DERUSH_N_FEATURES];
    g_assert_true(derush_catalog_get_features(cat, photo, v, &error));
    g_assert_false(derush_features_blank(v));
  }
  guint near_dups = 0;
  g_assert_true(derush_catalog_foreach_group(cat, NULL, DERUSH_GROUP_NEAR_DUP, count_near_dup_cb,
                                             &near_dups, &error));
  g_assert_cmpuint(near_dups, ==, 0);
  derush_catalog_close(cat);
  test_rmrf(tmp);
}

/* Camera, capture time and "shot" of a frame, as a burst's are. */
static void
set_burst_exif(const char *path, const char *model, const char *when)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GExiv2Metadata) md = gexiv2_metadata_new();
  g_assert_true(gexiv2_metadata_open_path(md, path, &error));
  g_assert_true(gexiv2_metadata_try_set_tag_string(md, "Exif.Image.Make", "Burst", &error));
  g_assert_true(gexiv2_metadata_try_set_tag_string(md, "Exif.Image.Model", model, &error));
  g_assert_true(
      gexiv2_metadata_try_set_tag_string(md, "Exif.Photo.DateTimeOriginal", when, &error));
  g_assert_true(gexiv2_metadata_save_file(md, path, &error));
  g_assert_no_error(error);
}

/* A burst with an under-exposed and a black frame (a missed flash, the lens
 * cap) beside the properly exposed one: the best pick is the properly
 * exposed frame, never the dark one with "fewer clipped highlights" nor a
 * black one whose noise reads as sharpness; whether the frames have their
 * own capture times (the score decides) or share one (a camera writing
 * whole seconds: fidelity is asked first). Every frame is written by
 * ImageMagick at one quality, so no encoder step tells them apart. */
static void
test_dark_frames(void)
{
  g_autofree char *corpus = test_shared_path("corpus/exif_cameras");
  g_autofree char *convert_bin = g_find_program_in_path("convert");
  if (!corpus || !convert_bin) {
    g_test_skip(!corpus ? "../shared/corpus/exif_cameras is absent"
                        : "ImageMagick's convert is not installed");
    return;
  }
  static const char *const frames[][2] = {
      {"proper.jpg", "1"}, {"under.jpg", "0.22"}, {"black.jpg", "0.015"}};
  g_autofree char *tmp = test_make_tmpdir();
  guint n = 0;
  for (guint s = 0; s < N_SETS; s++)
    for (int same_time = 0; same_time <= 1; same_time++, n++) {
      g_autofree char *name = g_strdup_printf("burst%u", n);
      g_autofree char *dir = g_build_filename(tmp, "frames", name, NULL);
      g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
      g_autofree char *from = g_build_filename(corpus, originals[s], NULL);
      for (guint i = 0; i < G_N_ELEMENTS(frames); i++) {
        g_autofree char *out = g_build_filename(dir, frames[i][0], NULL);
        const char *argv[] = {convert_bin, from, "-evaluate", "multiply", frames[i][1],
                              "-quality",  "92", out,         NULL};
        int status = 0;
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                   NULL, NULL, NULL, &status, NULL));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        /* Bursts an hour apart, one camera each; frames a second apart or
         * in the same second. */
        g_autofree char *when = g_strdup_printf("2024:05:01 %02u:00:%02u", n, same_time ? 0 : i);
        g_autofree char *model = g_strdup_printf("Model %u", n);
        set_burst_exif(out, model, when);
      }
    }
  g_autofree char *root = g_build_filename(tmp, "frames", NULL);
  DerushCatalog *cat = scan_and_analyze(tmp, root);
  g_autoptr(GError) error = NULL;
  BestCount c = {"proper", 0, 0, 0};
  g_assert_true(
      derush_catalog_foreach_group(cat, NULL, DERUSH_GROUP_BURST, best_marked_cb, &c, &error));
  g_assert_no_error(error);
  derush_catalog_close(cat);
  test_rmrf(tmp);
  g_test_message("properly exposed frame best in %u of %u bursts", c.marked_best, c.groups);
  g_assert_cmpuint(c.groups, ==, n);
  g_assert_cmpuint(c.marked_best, ==, n);
}

/* The corpus' sharp/defocused/motion-blurred triplets (separate shots of
 * one scene, no EXIF, so fidelity is asked before the score): the sharp
 * frame is the best of each near-duplicate set, never a blurred one with
 * "fewer clipped highlights" (its highlights smeared by the blur). */
static void
test_blurred_frames(void)
{
  g_autofree char *corpus = test_shared_path("corpus/blur");
  if (!corpus) {
    g_test_skip("../shared/corpus/blur is absent");
    return;
  }
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *dir = g_build_filename(tmp, "frames", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autoptr(GDir) d = g_dir_open(corpus, 0, NULL);
  g_assert_nonnull(d);
  for (const char *name; (name = g_dir_read_name(d));) {
    if (!g_str_has_suffix(name, ".jpg") && !g_str_has_suffix(name, ".JPG"))
      continue;
    g_autofree char *from = g_build_filename(corpus, name, NULL);
    g_autofree char *to = g_build_filename(dir, name, NULL);
    test_copy_file(from, to);
  }
  DerushCatalog *cat = scan_and_analyze(tmp, dir);
  g_autoptr(GError) error = NULL;
  BestCount c = {"_S.", 0, 0, 0};
  g_assert_true(
      derush_catalog_foreach_group(cat, NULL, DERUSH_GROUP_NEAR_DUP, best_marked_cb, &c, &error));
  g_assert_no_error(error);
  derush_catalog_close(cat);
  test_rmrf(tmp);
  g_test_message("sharp frame best in %u of %u sets", c.marked_best, c.groups);
  g_assert_cmpuint(c.groups, >=, 2);
  g_assert_cmpuint(c.marked_best, ==, c.groups);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/copies/original-is-best", test_original_is_best);
  g_test_add_func("/copies/relations", test_relations);
  g_test_add_func("/copies/blank-frames", test_blank_frames);
  g_test_add_func("/copies/cull", test_cull);
  g_test_add_func("/copies/dark-frames", test_dark_frames);
  g_test_add_func("/copies/blurred-frames", test_blurred_frames);
  int rc = g_test_run();
  sets_free();
  return rc;
}
