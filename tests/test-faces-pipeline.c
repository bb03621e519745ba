/* test-faces-pipeline.c: the face models inside the catalog's pipeline:
 * `analyze` runs them once per photo from its one preview decode, stores
 * the faces and the learner's face features.
 *
 * Real photos of ../shared/corpus (faces/truth.csv says which have closed
 * eyes) and the real models of ../shared/models; skipped without them.
 *
 * Over 600 lines: six cases on one fixture (corpus photos copied and
 * scanned, the models found) and its readers; splitting would repeat them. */
#include "catalog/faces-store.h"
#include "detect/face-detect.h"
#include "faces-scene.h"
#include "learn/learn-private.h"
#include "nn/nn.h"
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
fixture_copy(Fixture *fx, const char *const *names)
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
  return TRUE;
}

/* Opens the catalog and scans the photos folder. */
static void
fixture_scan(Fixture *fx)
{
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
}

static gboolean
fixture_setup(Fixture *fx, const char *const *names)
{
  if (!fixture_copy(fx, names))
    return FALSE;
  fixture_scan(fx);
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

static gint64
photo_id(Fixture *fx, const char *base)
{
  g_autofree char *path = photo_path(fx, base);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(fx->cat, path, &error);
  g_assert_no_error(error);
  gint64 id = p->id;
  derush_photo_free(p);
  return id;
}

typedef struct {
  DerushCatalog *cat;
  gint64 best_id;
  guint n_members;
  DerushGroupDetails *details;
} Burst;

static gboolean
burst_cb(const DerushGroup *group, gpointer user_data)
{
  Burst *b = user_data;
  g_autoptr(GError) error = NULL;
  b->best_id = group->best_id;
  b->n_members = group->n_members;
  b->details = derush_catalog_group_details(b->cat, group, &error);
  g_assert_no_error(error);
  return FALSE;
}

/* A burst built here: one camera, two frames a second apart, both 480 px
 * squares; the first a closed-eye face (corpus d029), the second an
 * open-eye one (d005) slightly blurred, so that by the quality score
 * alone the closed-eye frame is the better. The best pick is the open-eye
 * frame, and its reason says why. */
static void
test_burst_prefers_open_eyes(void)
{
  const char *names[] = {"corpus/faces/images/d029.jpg", "corpus/faces/images/d005.jpg", NULL};
  Fixture fx;
  if (!fixture_copy(&fx, names)) {
    fixture_teardown(&fx);
    return;
  }
  const char *frames[2][3] = {{"d029.jpg", "closed.jpg", "0x0"}, {"d005.jpg", "open.jpg", "0x1.2"}};
  for (int i = 0; i < 2; i++) {
    g_autofree char *in = photo_path(&fx, frames[i][0]), *out = photo_path(&fx, frames[i][1]);
    const char *convert[] = {"convert",  in,        "-resize", "480x480^", "-gravity",
                             "center",   "-extent", "480x480", "-blur",    frames[i][2],
                             "-quality", "92",      out,       NULL};
    g_autofree char *date = g_strdup_printf("-DateTimeOriginal=2024:05:01 10:00:0%d", i);
    const char *exif[] = {
        "exiftool", "-q", "-overwrite_original", "-Make=Burst", "-Model=One", date, out, NULL};
    if (!run_tool(convert) || !run_tool(exif)) {
      fixture_teardown(&fx);
      return;
    }
    g_assert_cmpint(g_unlink(in), ==, 0);
  }
  fixture_scan(&fx);
  DerushAnalyzeSummary sum;
  analyze(&fx, &sum);
  g_assert_cmpint(sum.faces, ==, 2);

  g_autoptr(GError) error = NULL;
  Burst burst = {fx.cat, 0, 0, NULL};
  g_assert_true(
      derush_catalog_foreach_group(fx.cat, NULL, DERUSH_GROUP_BURST, burst_cb, &burst, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(burst.n_members, ==, 2);
  DerushGroupDetails *d = burst.details;
  gint64 open_id = photo_id(&fx, "open.jpg"), closed_id = photo_id(&fx, "closed.jpg");
  /* The quality score alone prefers the closed-eye frame... */
  double score[2] = {NAN, NAN};
  for (guint i = 0; i < d->n_members; i++)
    score[d->members[i].id == open_id] = d->members[i].score;
  g_test_message("quality score: closed %.2f, open %.2f", score[0], score[1]);
  g_assert_cmpfloat(score[0], >, score[1]);
  /* ... the open eyes win, and the reason says so. */
  g_assert_cmpint(burst.best_id, ==, open_id);
  g_assert_cmpint(burst.best_id, !=, closed_id);
  g_assert_nonnull(d->best_reason);
  g_assert_nonnull(strstr(d->best_reason, "every face sharp, eyes open"));
  derush_group_details_free(d);
  fixture_teardown(&fx);
}

/* How many of @faces are w_lo..w_hi px wide with their box inside @area. */
static guint
faces_in(const GArray *faces, const float area[4], float w_lo, float w_hi)
{
  guint n = 0;
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    float w = f->box[2] - f->box[0];
    n += w >= w_lo && w <= w_hi && f->box[0] >= area[0] && f->box[1] >= area[1] &&
         f->box[2] <= area[2] && f->box[3] <= area[3];
  }
  return n;
}

/* d017 (two faces of ~600 px in 2280 x 1588) at 4% is 91 x 64 px with two
 * faces of about 24 px: 4 px in a 512 px preview of a 3000 px canvas. */
#define COUPLE "d017.jpg 4"
#define COUPLE_W 91
#define COUPLE_H 64

static gboolean
need_models(char **models)
{
  *models = test_shared_path("models");
  g_autoptr(GError) error = NULL;
  if (!*models || !derush_faces_load_models(*models, &error)) {
    g_test_skip("../shared/models with the face models is needed");
    return FALSE;
  }
  return TRUE;
}

/* The face models and a scene (build_scene) in a new folder *@tmp; NULL
 * (the test skipped, nothing left behind) without them. */
static char *
models_and_scene(const char *size, const char *const *layers, char **models, char **tmp)
{
  if (!need_models(models))
    return NULL;
  *tmp = test_make_tmpdir();
  char *scene = g_build_filename(*tmp, "scene.jpg", NULL);
  if (!build_scene(scene, size, layers)) {
    test_rmrf(*tmp);
    g_free(scene);
    return NULL;
  }
  return scene;
}

/* COCO 294 (a man, waist up; his face ~80 px of 640) at 50% on a 2400 x
 * 1800 canvas: a face of ~33 px, 7 px in the 512 px preview, where YuNet
 * does not find it, nor the coarse pass; the object detector finds the
 * man (a person ~37 px tall there). `analyze`, with both models, stores
 * the face, found through his box; the same photo with no people given
 * has none, and `derush faces` (the library call) finds it with the
 * catalog's detections (no detector forward) or running the detector. */
static void
test_small_face_via_detector(void)
{
  Fixture fx;
  const char *none[] = {NULL};
  if (!fixture_copy(&fx, none)) {
    fixture_teardown(&fx);
    return;
  }
  g_autofree char *yolox = g_build_filename(fx.models, DERUSH_DETECTOR_MODEL, NULL);
  if (!g_file_test(yolox, G_FILE_TEST_EXISTS)) {
    g_test_skip("../shared/models/" DERUSH_DETECTOR_MODEL " is needed");
    fixture_teardown(&fx);
    return;
  }
  g_autofree char *scene = photo_path(&fx, "man.jpg");
  const char *layers[] = {"corpus/coco_sample/images/000000000294.jpg 50 +1100+800", NULL};
  if (!build_scene(scene, "2400x1800", layers)) {
    fixture_teardown(&fx);
    return;
  }
  fixture_scan(&fx);
  DerushAnalyzeSummary sum;
  analyze(&fx, &sum);
  g_assert_cmpint(sum.face_photos, ==, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) dets = derush_catalog_get_detections(fx.cat, scene, &error);
  g_assert_no_error(error);
  g_autofree float *people = NULL;
  g_assert_cmpint(_derush_people_boxes(dets, &people), >=, 1);
  /* His head: the top of the pasted photo (320 x 214 px). */
  const float head[4] = {1100, 800, 1100 + 160, 800 + 110};
  GArray *stored = NULL;
  g_assert_true(derush_catalog_get_faces(fx.cat, scene, &stored, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(stored->len, ==, 1);
  g_assert_cmpuint(faces_in(stored, head, 20, 50), ==, 1);
  g_array_unref(stored);

  /* No people: no face. */
  g_autoptr(GArray) no_dets = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  GArray *faces = NULL;
  g_assert_true(
      derush_faces_detect_file_with_detections(scene, fx.models, no_dets, &faces, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(faces->len, ==, 0);
  g_array_unref(faces);
  /* The catalog's people, then the detector's own: the face, and the
   * second costs one forward more (the detector's). */
  gint64 n[2];
  for (int run = 0; run < 2; run++) {
    gint64 before = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
    g_assert_true(derush_faces_detect_file_with_detections(scene, fx.models, run ? NULL : dets,
                                                           &faces, &error));
    g_assert_no_error(error);
    n[run] = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS) - before;
    g_assert_cmpuint(faces->len, ==, 1);
    g_assert_cmpuint(faces_in(faces, head, 20, 50), ==, 1);
    g_array_unref(faces);
  }
  g_assert_cmpint(n[1], ==, n[0] + 1);
  fixture_teardown(&fx);
}

/* The mean p(open) of each eye of @face (landmarks in @img's pixels), one
 * forward per crop of the eye model loaded apart: the reference the
 * batched forward must match. */
static void
eyes_one_by_one(DerushNnModel *eye, const DerushFaceImage *img, const DerushFace *face, float p[2])
{
  g_autofree float *t = g_new(float, 2 * DERUSH_EYE_N_CROPS * DERUSH_EYE_TENSOR);
  g_assert_true(_derush_eye_inputs(img->rgb, img->width, img->height, img->stride, face, t));
  const int64_t shape[4] = {1, 3, DERUSH_EYE_SIZE, DERUSH_EYE_SIZE};
  g_autoptr(GError) error = NULL;
  for (int e = 0; e < 2; e++) {
    double sum = 0;
    for (int k = 0; k < DERUSH_EYE_N_CROPS; k++) {
      g_assert_true(_derush_nn_model_run(
          eye, t + (gsize)(e * DERUSH_EYE_N_CROPS + k) * DERUSH_EYE_TENSOR, shape, 4, &error));
      const int64_t *s;
      int r;
      sum += _derush_eye_p_open(_derush_nn_model_output(eye, 0, &s, &r));
    }
    p[e] = (float)(sum / DERUSH_EYE_N_CROPS);
  }
}

/* All the eye crops of a photo go through the classifier in ONE batched
 * forward (a forward's overhead is ~0.1 ms, a crop's work microseconds):
 * three faces (d017's two, open; d003's, closed) on a 512 x 320 canvas,
 * one eye forward (the batch padded to 4 faces), and each eye's p(open) is
 * what 15 single-crop forwards give. */
static void
test_eyes_one_batch(void)
{
  g_autofree char *models = NULL, *tmp = NULL;
  const char *layers[] = {"d017.jpg 16 +0+0", "d003.jpg 100 +344+0", NULL};
  g_autofree char *scene = models_and_scene("512x320", layers, &models, &tmp);
  if (!scene)
    return;
  g_autoptr(GError) error = NULL;
  DerushFaceModels *m = _derush_face_models_get(models, &error);
  g_assert_no_error(error);
  g_autoptr(VipsImage) img = vips_image_new_from_file(scene, NULL);
  g_assert_nonnull(img);
  g_assert_cmpint(img->Bands, ==, 3);
  size_t len;
  DerushFaceImage pv = {vips_image_write_to_memory(img, &len), img->Xsize, img->Ysize,
                        (gsize)img->Xsize * 3};
  g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
  DerushFacesPasses passes;
  gint64 forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
  g_assert_true(_derush_faces_find(m, &pv, 0, 0, NULL, NULL, NULL, found, &passes, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(found->len, ==, 3);
  g_assert_cmpint(passes.eye_forwards, ==, 1);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_FORWARDS) - forwards, ==,
                  passes.yunet_forwards + 1);

  g_autofree char *eye_path = g_build_filename(models, DERUSH_EYE_FILE, NULL);
  g_autoptr(DerushNnModel) eye = _derush_nn_model_load(eye_path, &error);
  g_assert_no_error(error);
  guint closed = 0;
  for (guint i = 0; i < found->len; i++) {
    const DerushFace *f = &g_array_index(found, DerushFace, i);
    float p[2];
    eyes_one_by_one(eye, &pv, f, p);
    g_test_message("face %u at %.0f,%.0f: p(open) %.4f %.4f", i, f->box[0], f->box[1],
                   f->eyes_open[0], f->eyes_open[1]);
    for (int e = 0; e < 2; e++)
      g_assert_cmpfloat_with_epsilon(f->eyes_open[e], p[e], 1e-5);
    if (derush_face_eyes_closed(f)) {
      closed++;
      g_assert_cmpfloat(f->box[0], >=, 344 - 8);
    }
  }
  g_assert_cmpuint(closed, ==, 1);
  g_free(pv.rgb);
  test_rmrf(tmp);
}

/* Faces of 24 px beside a larger face: the preview finds only the larger
 * (d004 at 60%, a face of ~125 px, ~21 px there); the fine pass around
 * it, on a larger decode, finds the couple's two. */
static void
test_small_faces_around(void)
{
  g_autofree char *models = NULL, *tmp = NULL;
  const char *layers[] = {"d004.jpg 60 +1200+700", COUPLE " +1500+800", NULL};
  g_autofree char *scene = models_and_scene("3000x2000", layers, &models, &tmp);
  if (!scene)
    return;
  g_autoptr(GError) error = NULL;
  GArray *faces = NULL;
  g_assert_true(derush_faces_detect_file(scene, models, &faces, &error));
  g_assert_no_error(error);
  const float big[4] = {1200, 700, 1200 + 245, 700 + 357};
  const float couple[4] = {1500, 800, 1500 + COUPLE_W, 800 + COUPLE_H};
  g_assert_cmpuint(faces_in(faces, big, 90, 160), ==, 1);
  g_assert_cmpuint(faces_in(faces, couple, 18, 40), ==, 2);
  g_assert_cmpuint(faces->len, ==, 3);
  g_array_unref(faces);
  test_rmrf(tmp);
}

/* The couple alone on a 4000 x 3000 canvas: the preview finds no face
 * (and hints at no large one: no coarse pass), nor does `derush faces` (the object detector sees no
 * one 12 px wide); with the people given as boxes, the fine pass finds
 * both faces in their heads' region. */
static void
test_small_faces_people(void)
{
  g_autofree char *models = NULL, *tmp = NULL;
  const char *layers[] = {COUPLE " +2100+1300", NULL};
  g_autofree char *scene = models_and_scene("4000x3000", layers, &models, &tmp);
  if (!scene)
    return;
  g_autoptr(GError) error = NULL;
  GArray *faces = NULL;
  g_assert_true(derush_faces_detect_file(scene, models, &faces, &error));
  g_assert_cmpuint(faces->len, ==, 0);
  g_array_unref(faces);

  DerushFaceModels *m = _derush_face_models_get(models, &error);
  g_assert_no_error(error);
  /* The preview as the analysis has it: the library's one decode, in
   * memory (a plain vips_thumbnail can be read only once). */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(scene, &data, &len, NULL));
  DerushImageInfo info;
  VipsImage *preview = NULL;
  g_assert_true(_derush_image_load((const guint8 *)data, len, scene, 1, DERUSH_THUMB_CACHE_SIZE,
                                   &info, &preview, &error));
  /* Two people side by side, head and shoulders. */
  const float people[2][4] = {{2100, 1300, 2145, 1300 + COUPLE_H},
                              {2146, 1300, 2100 + COUPLE_W, 1300 + COUPLE_H}};
  const DerushFacePeople hint = {people, 2};
  const float couple[4] = {2100, 1300, 2100 + COUPLE_W, 1300 + COUPLE_H};
  for (int with_people = 0; with_people < 2; with_people++) {
    g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
    gint64 forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
    gboolean ok = _derush_faces_find_in_photo(m, scene, 1, preview, 4000, 3000,
                                              with_people ? &hint : NULL, found, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    gint64 n = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS) - forwards;
    g_test_message("people %d: %u faces, %" G_GINT64_FORMAT " forwards", with_people, found->len,
                   n);
    if (!with_people) {
      /* The preview, nothing else: no large face hinted, no people. */
      g_assert_cmpuint(found->len, ==, 0);
      g_assert_cmpint(n, ==, 1);
    } else {
      g_assert_cmpuint(found->len, ==, 2);
      g_assert_cmpuint(faces_in(found, couple, 18, 40), ==, 2);
    }
  }
  g_object_unref(preview);
  test_rmrf(tmp);
}

/* The 512 px preview of a ../shared file, as the analysis decodes it;
 * FALSE (skipped) without the corpus. */
static gboolean
load_preview(const char *rel, DerushFaceImage *pv)
{
  g_autofree char *path = test_shared_path(rel);
  if (!path) {
    g_test_skip("../shared/corpus is needed");
    return FALSE;
  }
  g_autoptr(VipsImage) img = NULL;
  g_assert_cmpint(vips_thumbnail(path, &img, DERUSH_THUMB_CACHE_SIZE, "size", VIPS_SIZE_DOWN, NULL),
                  ==, 0);
  g_assert_cmpint(img->Bands, ==, 3);
  size_t len;
  *pv = (DerushFaceImage){vips_image_write_to_memory(img, &len), img->Xsize, img->Ysize,
                          (gsize)img->Xsize * 3};
  return TRUE;
}

/* The coarse pass (YuNet again at 192 px) runs only when the preview's
 * stride-32 head hints at a face too large for the preview: d011 (a face
 * filling its 322 px frame) gets it, and its face; COCO 9 and 25 (no one)
 * do not: one YuNet forward each.  Looking at a photo again builds no
 * executor plan (its shapes' plans are kept). */
static void
test_coarse_when_hinted(void)
{
  g_autofree char *models = NULL;
  if (!need_models(&models))
    return;
  g_autoptr(GError) error = NULL;
  DerushFaceModels *m = _derush_face_models_get(models, &error);
  g_assert_no_error(error);
  const char *photos[] = {"corpus/faces/images/d011.jpg",
                          "corpus/coco_sample/images/000000000009.jpg",
                          "corpus/coco_sample/images/000000000025.jpg"};
  for (int i = 0; i < 3; i++) {
    DerushFaceImage pv;
    if (!load_preview(photos[i], &pv))
      return;
    for (int again = 0; again < 2; again++) {
      g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
      DerushFacesPasses passes;
      g_assert_true(_derush_faces_find(m, &pv, 0, 0, NULL, NULL, NULL, found, &passes, &error));
      g_assert_no_error(error);
      g_test_message("%s: hint %.2f, %u faces, %d plans built", photos[i], passes.coarse_hint,
                     found->len, passes.plans_built);
      g_assert_cmpuint(found->len, ==, i == 0);
      g_assert_true(passes.coarse == (i == 0));
      g_assert_cmpint(passes.yunet_forwards, ==, 1 + (i == 0));
      if (again)
        g_assert_cmpint(passes.plans_built, ==, 0);
    }
    g_free(pv.rgb);
  }
}

/* Two photos at once get two copies of the networks: with the first copy
 * busy, a second is loaded (YuNet and the eye model: 2 loads) rather than
 * waiting; once both are free, the first is taken again and nothing is
 * loaded. */
static void
test_models_per_core(void)
{
  g_autofree char *models = NULL;
  if (!need_models(&models))
    return;
  if (g_get_num_processors() < 2) {
    g_test_skip("one core: one copy of the networks");
    return;
  }
  g_autoptr(GError) error = NULL;
  DerushFaceModels *m = _derush_face_models_get(models, &error);
  g_assert_no_error(error);
  gint64 loads = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED);
  DerushFaceModels *a = _derush_face_models_acquire(m);
  DerushFaceModels *b = _derush_face_models_acquire(m);
  g_assert_true(a != b);
  gint64 loaded = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED) - loads;
  /* 2 when no earlier test loaded the second copy already. */
  g_assert_true(loaded == 0 || loaded == 2);
  _derush_face_models_release(b);
  _derush_face_models_release(a);
  loads = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED);
  DerushFaceModels *c = _derush_face_models_acquire(m);
  g_assert_true(c == a);
  _derush_face_models_release(c);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED), ==, loads);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/faces-pipeline/analyze-once", test_analyze_runs_faces_once);
  g_test_add_func("/faces-pipeline/burst-open-eyes", test_burst_prefers_open_eyes);
  g_test_add_func("/faces-pipeline/small-faces-around", test_small_faces_around);
  g_test_add_func("/faces-pipeline/small-faces-people", test_small_faces_people);
  g_test_add_func("/faces-pipeline/eyes-one-batch", test_eyes_one_batch);
  g_test_add_func("/faces-pipeline/small-face-via-detector", test_small_face_via_detector);
  g_test_add_func("/faces-pipeline/coarse-when-hinted", test_coarse_when_hinted);
  g_test_add_func("/faces-pipeline/models-per-core", test_models_per_core);
  return g_test_run();
}
