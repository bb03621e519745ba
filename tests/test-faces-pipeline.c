/* test-faces-pipeline.c: the face models inside the catalog's pipeline:
 * `analyze` runs them once per photo from its one preview decode, stores
 * the faces and the learner's face features.
 *
 * Real photos of ../shared/corpus (faces/truth.csv says which have closed
 * eyes) and the real models of ../shared/models; skipped without them. */
#include "catalog/faces-store.h"
#include "detect/face-detect.h"
#include "learn/learn-private.h"
#include "test-util.h"
#include <glib/gstdio.h>

/* A scanned catalog in a new folder holding copies of @names (paths under
 * ../shared/corpus); NULL (test skipped) when the corpus or the models are
 * missing. */
typedef struct {
  char *tmp, *photos, *models;
  DerushCatalog *cat;
} Fixture;

static gboolean
fixture_setup(Fixture *fx, const char *const *names)
{
  memset(fx, 0, sizeof *fx);
  fx->models = test_shared_path("models");
  g_autofree char *yunet =
      fx->models ? g_build_filename(fx->models, DERUSH_YUNET_FILE, NULL) : NULL;
  if (!yunet || !g_file_test(yunet, G_FILE_TEST_EXISTS)) {
    g_test_skip("../shared/models with the face models is needed");
    return FALSE;
  }
  fx->tmp = test_make_tmpdir();
  fx->photos = g_build_filename(fx->tmp, "photos", NULL);
  g_mkdir_with_parents(fx->photos, 0755);
  for (int i = 0; names[i]; i++) {
    g_autofree char *from = test_shared_path(names[i]);
    if (!from) {
      g_test_skip("../shared/corpus is needed");
      return FALSE;
    }
    g_autofree char *base = g_path_get_basename(names[i]);
    g_autofree char *to = g_build_filename(fx->photos, base, NULL);
    test_copy_file(from, to);
  }
  g_autofree char *db = g_build_filename(fx->tmp, "cat.db", NULL);
  g_autofree char *cache = g_build_filename(fx->tmp, "cache", NULL);
  g_autoptr(GError) error = NULL;
  fx->cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  derush_catalog_set_cache_dir(fx->cat, cache);
  const char *roots[] = {fx->photos, NULL};
  DerushScanSummary ssum;
  g_assert_true(derush_catalog_scan(fx->cat, roots, NULL, &ssum, &error));
  g_assert_no_error(error);
  return TRUE;
}

static void
fixture_teardown(Fixture *fx)
{
  if (fx->cat)
    derush_catalog_close(fx->cat);
  if (fx->tmp)
    test_rmrf(fx->tmp);
  g_free(fx->tmp);
  g_free(fx->photos);
  g_free(fx->models);
}

static char *
photo_path(const Fixture *fx, const char *base)
{
  return g_build_filename(fx->photos, base, NULL);
}

/* The full analysis (features, hashes, the object detector and the faces,
 * every model from ../shared/models). */
static void
analyze(Fixture *fx, DerushAnalyzeSummary *sum)
{
  DerushAnalyzeOptions opt;
  derush_analyze_options_init(&opt);
  opt.model_dir = fx->models;
  opt.threads = 2;
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_analyze(fx->cat, NULL, &opt, sum, &error));
  g_assert_no_error(error);
}

static int
column(const char *name)
{
  for (int c = 0; c < _derush_dataset_n_columns(); c++)
    if (strcmp(_derush_dataset_column_name(c), name) == 0)
      return c;
  g_error("no dataset column %s", name);
  return -1;
}

/* d003: one face, eyes closed; d004: one face, eyes open (both over
 * 91 px, faces/truth.csv); COCO 9: a bowl of food, no one. */
static void
test_analyze_runs_faces_once(void)
{
  const char *names[] = {"corpus/faces/images/d003.jpg", "corpus/faces/images/d004.jpg",
                         "corpus/coco_sample/images/000000000009.jpg", NULL};
  Fixture fx;
  if (!fixture_setup(&fx, names)) {
    fixture_teardown(&fx);
    return;
  }
  gint64 decodes = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  DerushAnalyzeSummary sum;
  analyze(&fx, &sum);
  g_assert_cmpint(sum.analyzed, ==, 3);
  g_assert_cmpint(sum.face_photos, ==, 3);
  g_assert_cmpint(sum.faces, ==, 2);
  g_assert_false(sum.face_models_missing);
  /* One decode per photo (its cached preview) feeds features, hashes,
   * detector and faces: the faces are large, no second decode. */
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED) - decodes, ==, 3);

  g_autoptr(GError) error = NULL;
  const char *bases[] = {"d003.jpg", "d004.jpg", "000000000009.jpg"};
  const int want_faces[] = {1, 1, 0};
  for (int i = 0; i < 3; i++) {
    g_autofree char *path = photo_path(&fx, bases[i]);
    GArray *faces = NULL;
    g_assert_true(derush_catalog_get_faces(fx.cat, path, &faces, &error));
    g_assert_cmpuint(faces->len, ==, want_faces[i]);
    if (faces->len > 0) {
      const DerushFace *f = &g_array_index(faces, DerushFace, 0);
      /* Original pixels: the corpus' faces are 91 px and more. */
      g_assert_cmpfloat(f->box[2] - f->box[0], >, 91 * 0.8);
      g_assert_false(isnan(f->sharpness));
      g_assert_cmpint(derush_face_eyes_closed(f), ==, i == 0);
    }
    g_array_unref(faces);
  }

  /* The learner's dataset has the face columns, from what was stored. */
  g_autoptr(DerushDataset) ds = _derush_dataset_load(fx.cat, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(ds->photos->len, ==, 3);
  int c_count = column("face_count"), c_area = column("face_largest_area");
  int c_min = column("face_eyes_open_min"), c_mean = column("face_eyes_open_mean");
  int c_closed = column("face_any_closed");
  int c_smin = column("face_sharpness_min"), c_smax = column("face_sharpness_max");
  for (guint r = 0; r < ds->photos->len; r++) {
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, r);
    const float *x = ds->x + (gsize)r * ds->n_cols;
    g_autofree char *base = g_path_get_basename(p->path);
    if (strcmp(base, "000000000009.jpg") == 0) {
      g_assert_cmpfloat(x[c_count], ==, 0);
      g_assert_cmpfloat(x[c_area], ==, 0);
      g_assert_cmpfloat(x[c_closed], ==, 0);
      g_assert_true(isnan(x[c_min]));
      continue;
    }
    g_autofree char *path = photo_path(&fx, base);
    GArray *faces = NULL;
    g_assert_true(derush_catalog_get_faces(fx.cat, path, &faces, &error));
    const DerushFace *f = &g_array_index(faces, DerushFace, 0);
    float mean = (f->eyes_open[0] + f->eyes_open[1]) / 2;
    g_assert_cmpfloat(x[c_count], ==, 1);
    g_assert_cmpfloat_with_epsilon(x[c_area], f->area, 1e-6);
    g_assert_cmpfloat_with_epsilon(x[c_min], mean, 1e-6);
    g_assert_cmpfloat_with_epsilon(x[c_mean], mean, 1e-6);
    g_assert_cmpfloat(x[c_closed], ==, strcmp(base, "d003.jpg") == 0 ? 1 : 0);
    g_assert_cmpfloat_with_epsilon(x[c_smin], f->sharpness, 1e-6);
    g_assert_cmpfloat_with_epsilon(x[c_smax], f->sharpness, 1e-6);
    g_array_unref(faces);
  }

  /* Again: nothing to do, no decode, no forward. */
  decodes = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  gint64 forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
  analyze(&fx, &sum);
  g_assert_cmpint(sum.face_photos, ==, 0);
  g_assert_cmpint(sum.up_to_date, ==, 3);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, decodes);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_FORWARDS), ==, forwards);
  fixture_teardown(&fx);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/faces-pipeline/analyze-once", test_analyze_runs_faces_once);
  return g_test_run();
}
