/* test-gtk-faces.c: faces in derush-gtk: the "Closed Eyes" filter, the
 * grid's "Eyes closed" and "Face soft" badges, the side panel's reason, the
 * compare panes' captions and the viewer's face boxes.
 *
 * The test builds a folder from ../shared/corpus/faces (three photos whose
 * eyes are closed, four open, one copy of an open one with its face
 * blurred: a near-duplicate pair to compare), lets the app find the faces
 * in its background analysis (../shared/models linked where it looks), and
 * reads the library's answer back from the catalog through the public API:
 * the app must show exactly that. It skips, saying why, without a display, the corpus or the
 * models. Screenshots land in $G_TEST_BUILDDIR/gtk-screenshots/.
 */
#include "faces-scene.h"
#include "gtk-harness.h"
#include <math.h>
#include <unistd.h>

/* Closed and open in ../shared/corpus/faces/truth.csv, with p(open) far
 * from the threshold (the face detector's tuning must not flip them). */
static const char *const closed_photos[] = {"d007.jpg", "d014.jpg", "d020.jpg", NULL};
static const char *const open_photos[] = {"d004.jpg", "d005.jpg", "d009.jpg", "d015.jpg", NULL};
#define SOFT_SOURCE "d009.jpg"
#define SOFT_COPY "d009-soft.jpg"

typedef struct {
  GHashTable *closed; /* basename -> faces, of the photos with closed eyes */
  GHashTable *soft;   /* basename -> faces, of those with a soft face */
  GHashTable *faces;  /* basename -> number of faces (GINT_TO_POINTER) */
} LibraryAnswer;

static gboolean
answer_cb(gint64 id, const char *path, const DerushFace *faces, int n, gpointer user_data)
{
  LibraryAnswer *answer = user_data;
  char *name = g_path_get_basename(path);
  gboolean closed = FALSE, soft = FALSE;
  for (int i = 0; i < n; i++) {
    closed |= derush_face_eyes_closed(&faces[i]);
    soft |= derush_face_soft(&faces[i]);
  }
  if (closed)
    g_hash_table_add(answer->closed, g_strdup(name));
  if (soft)
    g_hash_table_add(answer->soft, g_strdup(name));
  g_hash_table_insert(answer->faces, name, GINT_TO_POINTER(n));
  return TRUE;
}

/* A copy of @src whose face is blurred (sigma 6 px): softer than its photo. */
static void
make_soft_face(const char *src, const char *dst, const char *models)
{
  g_autoptr(GError) error = NULL;
  GArray *faces = NULL;
  g_assert_true(derush_faces_detect_file(src, models, &faces, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(faces->len, ==, 1);
  const DerushFace *f = &g_array_index(faces, DerushFace, 0);
  g_autoptr(VipsImage) in = vips_image_new_from_file(src, NULL);
  g_assert_nonnull(in);
  VipsImage *up = NULL, *crop = NULL, *blur = NULL, *out = NULL;
  g_assert_cmpint(vips_autorot(in, &up, NULL), ==, 0);
  int x0 = MAX(0, (int)f->box[0]), y0 = MAX(0, (int)f->box[1]);
  int x1 = MIN(up->Xsize, (int)f->box[2]), y1 = MIN(up->Ysize, (int)f->box[3]);
  g_array_unref(faces);
  g_assert_cmpint(vips_crop(up, &crop, x0, y0, x1 - x0, y1 - y0, NULL), ==, 0);
  g_assert_cmpint(vips_gaussblur(crop, &blur, 6.0, NULL), ==, 0);
  g_assert_cmpint(vips_insert(up, blur, &out, x0, y0, NULL), ==, 0);
  g_assert_cmpint(vips_image_write_to_file(out, dst, "Q", 92, NULL), ==, 0);
  g_object_unref(out);
  g_object_unref(blur);
  g_object_unref(crop);
  g_object_unref(up);
}

/* The lines of @out that start with @prefix, without it. */
static GPtrArray *
lines_after(const char *out, const char *prefix)
{
  GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], prefix))
      g_ptr_array_add(found, g_strdup(lines[i] + strlen(prefix)));
  return found;
}

/* The app finds the faces itself, on its analysis worker: the models
 * where it looks for them ($XDG_DATA_HOME/derush/models; the harness
 * clears DERUSH_MODEL_DIR). */
static void
link_models(Fixture *f, const char *models)
{
  g_autofree char *model_home = g_build_filename(f->tmp, "data", "derush", NULL);
  g_autofree char *model_link = g_build_filename(model_home, "models", NULL);
  g_mkdir_with_parents(model_home, 0755);
  g_autofree char *models_abs = g_canonicalize_filename(models, NULL);
  g_assert_cmpint(symlink(models_abs, model_link), ==, 0);
}

static void
test_closed_eyes(Fixture *f, gconstpointer data)
{
  g_autofree char *corpus = test_shared_path("corpus/faces/images");
  g_autofree char *models = test_shared_path("models");
  g_autofree char *yunet =
      models ? g_build_filename(models, "face_detection_yunet_2023mar.onnx", NULL) : NULL;
  if (!corpus || !yunet || !g_file_test(yunet, G_FILE_TEST_EXISTS)) {
    g_test_skip("needs ../shared/corpus/faces and the face models in ../shared/models");
    return;
  }
  if (!need_display())
    return;

  /* The folder: closed, open, and a soft copy. */
  g_mkdir_with_parents(f->photos, 0755);
  const char *const *sets[] = {closed_photos, open_photos};
  for (guint s = 0; s < G_N_ELEMENTS(sets); s++)
    for (int i = 0; sets[s][i]; i++) {
      g_autofree char *src = g_build_filename(corpus, sets[s][i], NULL);
      g_autofree char *dst = g_build_filename(f->photos, sets[s][i], NULL);
      g_autofree char *bytes = NULL;
      gsize len = 0;
      g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
      test_write_file(dst, bytes, len);
    }
  g_autofree char *soft_src = g_build_filename(corpus, SOFT_SOURCE, NULL);
  g_autofree char *soft_dst = g_build_filename(f->photos, SOFT_COPY, NULL);
  make_soft_face(soft_src, soft_dst, models);

  link_models(f, models);

  g_autofree char *grid_shot = g_build_filename(f->shots, "gtk-faces-grid.png", NULL);
  g_autofree char *filter_shot = g_build_filename(f->shots, "gtk-faces-closed-eyes.png", NULL);
  g_autofree char *viewer_shot = g_build_filename(f->shots, "gtk-faces-viewer.png", NULL);
  g_autofree char *compare_shot = g_build_filename(f->shots, "gtk-faces-compare.png", NULL);
  g_autofree char *script =
      g_strdup_printf("wait-loaded\n"
                      "wait-analyzed\n"
                      "sort name\n"
                      "wait-thumbnails\n"
                      "screenshot %s\n" /* every cell drawn */
                      "print-face-cells\n"
                      "filter closed-eyes\n"
                      "wait-thumbnails\n"
                      "print-grid\n"
                      "screenshot %s\n"
                      "filter all\n"
                      "select-name %s\n"
                      "print-faces\n"
                      "select-name %s\n"
                      "print-faces\n"
                      "select-name %s\n"
                      "print-faces\n"
                      "select-name %s\n"
                      "key space\n"
                      "wait-viewer\n"
                      "print-face-boxes\n"
                      "key d\n"
                      "print-face-boxes\n"
                      "sleep 400\n" /* the page's crossfade */
                      "screenshot %s\n"
                      "key d\n"
                      "print-face-boxes\n"
                      "key Escape\n"
                      "select-name %s\n"
                      "key c\n"
                      "wait-compare\n"
                      "print-compare\n"
                      "screenshot %s\n"
                      "key Escape\n"
                      "counters\n"
                      "quit\n",
                      grid_shot, filter_shot, closed_photos[0], SOFT_COPY, open_photos[0],
                      closed_photos[1], viewer_shot, SOFT_COPY, compare_shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_screenshot(out, grid_shot);
  check_screenshot(out, filter_shot);
  check_screenshot(out, viewer_shot);
  check_screenshot(out, compare_shot);

  /* What the library stored (and the app read): the answer the app must
   * show. It agrees with the truth on these photos: a filter to test. */
  LibraryAnswer answer = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                          g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                          g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_foreach_faces(cat, f->photos, answer_cb, &answer, &error));
  derush_catalog_close(cat);
  g_assert_cmpuint(g_hash_table_size(answer.faces), ==, 8);
  g_assert_cmpuint(g_hash_table_size(answer.closed), ==, g_strv_length((GStrv)closed_photos));
  for (int i = 0; closed_photos[i]; i++)
    g_assert_true(g_hash_table_contains(answer.closed, closed_photos[i]));
  g_assert_true(g_hash_table_contains(answer.soft, SOFT_COPY));

  /* The filter shows exactly the photos with closed eyes. */
  g_autoptr(GPtrArray) shown = lines_after(out, "grid ");
  g_assert_cmpuint(shown->len, ==, g_hash_table_size(answer.closed));
  for (guint i = 0; i < shown->len; i++) {
    const char *name = strchr(shown->pdata[i], ' ');
    g_assert_nonnull(name);
    g_assert_true(g_hash_table_contains(answer.closed, name + 1));
  }

  /* Every cell: "Eyes closed" exactly on those, "Face soft" on the soft copy. */
  g_autoptr(GPtrArray) cells = lines_after(out, "face-cell ");
  g_assert_cmpuint(cells->len, ==, 8);
  for (guint i = 0; i < cells->len; i++) {
    g_auto(GStrv) w = g_strsplit(cells->pdata[i], " ", 2);
    g_test_message("cell %s: %s", w[0], w[1]);
    g_assert_cmpint(strstr(w[1], "Eyes closed") != NULL, ==,
                    g_hash_table_contains(answer.closed, w[0]));
    g_assert_cmpint(strstr(w[1], "Face soft") != NULL, ==,
                    g_hash_table_contains(answer.soft, w[0]));
  }

  /* The side panel's reasons, in the order they were asked for. */
  g_autoptr(GPtrArray) reasons = lines_after(out, "faces ");
  g_assert_cmpuint(reasons->len, ==, 3);
  g_assert_cmpstr(reasons->pdata[0], ==, "1 face / ⚠ eyes closed");
  g_assert_cmpstr(reasons->pdata[1], ==, "1 face / ⚠ face softer than the photo");
  g_assert_cmpstr(reasons->pdata[2], ==, "1 face · eyes open · in focus");

  /* The viewer: no boxes, D shows the photo's one face, D hides it. */
  g_autoptr(GPtrArray) boxes = lines_after(out, "face-boxes ");
  g_assert_cmpuint(boxes->len, ==, 3);
  g_assert_cmpstr(boxes->pdata[0], ==, "0");
  g_assert_cmpint(atoi(boxes->pdata[1]), ==,
                  GPOINTER_TO_INT(g_hash_table_lookup(answer.faces, closed_photos[1])));
  g_assert_cmpstr(boxes->pdata[2], ==, "0");

  /* Compare: the blurred copy beside its original (a near-duplicate
   * pair), and only its caption says "Face soft". */
  g_autoptr(GPtrArray) panes = lines_after(out, "compare-pane ");
  g_assert_cmpuint(panes->len, ==, 2);
  for (guint i = 0; i < panes->len; i++) {
    g_test_message("pane %s", (char *)panes->pdata[i]);
    gboolean is_copy = strstr(panes->pdata[i], SOFT_COPY "|") != NULL;
    g_assert_true(is_copy || strstr(panes->pdata[i], SOFT_SOURCE "|"));
    g_assert_cmpint(strstr(panes->pdata[i], "Face soft") != NULL, ==, is_copy);
  }

  /* Cheap for the cells: the faces were read folder-wide, once per
   * analysis (or retrain), never per cell drawn or photo selected. */
  gint64 reads = counter_from(out, "face_reads");
  g_test_message("face reads %" G_GINT64_FORMAT ", cells drawn %" G_GINT64_FORMAT, reads,
                 counter_from(out, "cells_drawn"));
  g_assert_cmpint(reads, >=, 1);
  g_assert_cmpint(reads, <=, 3); /* the analysis, the prior's prediction, a retrain */
  g_assert_cmpint(counter_from(out, "cells_drawn"), >, 8 * reads);

  g_hash_table_unref(answer.closed);
  g_hash_table_unref(answer.soft);
  g_hash_table_unref(answer.faces);
}

/* Without the face models, "Closed Eyes" finds nothing and says why. */
static void
test_no_models(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 3);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos,
                          "wait-loaded\n"
                          "wait-analyzed\n"
                          "filter closed-eyes\n"
                          "wait-no-match 1\n"
                          "print-no-match-text\n"
                          "select 0\n"
                          "print-faces\n"
                          "filter keep\n" /* no keep label: empty too */
                          "wait-no-match 1\n"
                          "print-no-match-text\n"
                          "filter all\n"
                          "wait-no-match 0\n"
                          "print-shown\n"
                          "quit\n",
                          &out, &err),
                  ==, 0);
  g_autoptr(GPtrArray) text = lines_after(out, "no-match-text ");
  g_assert_cmpuint(text->len, ==, 2);
  g_assert_nonnull(strstr(text->pdata[0], "face models"));
  g_assert_nonnull(strstr(text->pdata[0], "docs/models.md"));
  /* Another filter gets the page's own words back. */
  g_assert_null(strstr(text->pdata[1], "face"));
  g_assert_nonnull(strstr(text->pdata[1], "Choose All Photos"));
  /* Faces never looked for: the side panel has no Faces row. */
  g_assert_nonnull(strstr(out, "faces -\n"));
  g_assert_nonnull(strstr(out, "shown 3\n"));
}

/* ../shared/models when it holds the face models, else NULL (skipped). */
static char *
face_models(void)
{
  g_autofree char *models = test_shared_path("models");
  g_autofree char *yunet =
      models ? g_build_filename(models, "face_detection_yunet_2023mar.onnx", NULL) : NULL;
  if (yunet && g_file_test(yunet, G_FILE_TEST_EXISTS))
    return g_steal_pointer(&models);
  g_test_skip("needs the face models in ../shared/models");
  return NULL;
}

/* The face box of @path's one face, from the catalog (what the app read). */
static gboolean
box_cb(gint64 id, const char *path, const DerushFace *faces, int n, gpointer user_data)
{
  GHashTable *boxes = user_data;
  g_assert_cmpint(n, ==, 1);
  g_hash_table_insert(boxes, g_path_get_basename(path),
                      g_memdup2(faces[0].box, sizeof faces[0].box));
  return TRUE;
}

/* The grid's "Eyes closed" badge never hides the face it is about: a
 * closed-eye face (corpus d003, 168 px) in the top right corner of a
 * 1200 x 800 photo, where the badge goes, sends it to the bottom right;
 * the same face in the bottom right corner leaves it at the top. */
static void
test_badge_clear_of_face(Fixture *f, gconstpointer data)
{
  g_autofree char *models = face_models();
  if (!models || !need_display())
    return;
  g_mkdir_with_parents(f->photos, 0755);
  const char *names[] = {"top.jpg", "low.jpg"};
  const char *top[] = {"d003.jpg 100 +1030+0", NULL}, *low[] = {"d003.jpg 100 +1030+630", NULL};
  const char *const *layers[] = {top, low};
  for (int i = 0; i < 2; i++) {
    g_autofree char *path = g_build_filename(f->photos, names[i], NULL);
    if (!build_scene(path, "1200x800", layers[i]))
      return;
  }
  link_models(f, models);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-faces-badge-clear.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "wait-thumbnails\n"
                                            "screenshot %s\n"
                                            "print-cells\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_screenshot(out, shot);

  g_autoptr(GHashTable) boxes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_foreach_faces(cat, f->photos, box_cb, boxes, &error));
  derush_catalog_close(cat);
  for (int i = 0; i < 2; i++) {
    const float *b = g_hash_table_lookup(boxes, names[i]);
    g_assert_nonnull(b);
    g_autofree char *photo_at = g_strdup_printf("photo %s ", names[i]);
    g_autofree char *pill_at = g_strdup_printf("pill %s ", names[i]);
    g_autoptr(GPtrArray) photo = lines_after(out, photo_at);
    g_autoptr(GPtrArray) pills = lines_after(out, pill_at);
    g_assert_cmpuint(photo->len, ==, 1);
    float px, py, pw, ph;
    g_assert_cmpint(sscanf(photo->pdata[0], "%f %f %f %f", &px, &py, &pw, &ph), ==, 4);
    /* The face in the cell (the photos are 1200 x 800). */
    float fx0 = px + b[0] * pw / 1200, fy0 = py + b[1] * ph / 800;
    float fx1 = px + b[2] * pw / 1200, fy1 = py + b[3] * ph / 800;
    gboolean found = FALSE;
    for (guint k = 0; k < pills->len; k++) {
      float x, y, w, h;
      char text[32] = "";
      g_assert_cmpint(sscanf(pills->pdata[k], "%f %f %f %f %31[^\n]", &x, &y, &w, &h, text), ==, 5);
      if (strcmp(text, "Eyes closed") != 0)
        continue;
      found = TRUE;
      g_assert_true(x + w <= fx0 || x >= fx1 || y + h <= fy0 || y >= fy1);
      /* Top right unless the face is there. */
      g_assert_cmpint(y + h / 2 < py + ph / 2, ==, i == 1);
    }
    g_assert_true(found);
  }
}

/* A face too small to tell its eyes (~33 px: eyes under 20 px apart)
 * beside one that is clearly open (corpus d004 at 16% and 60% on a
 * 900 x 500 photo): the side panel says how many were checked and the
 * viewer draws the small one white, not green ("open"). */
static void
test_eyes_unchecked(Fixture *f, gconstpointer data)
{
  g_autofree char *models = face_models();
  if (!models || !need_display())
    return;
  g_mkdir_with_parents(f->photos, 0755);
  g_autofree char *path = g_build_filename(f->photos, "two.jpg", NULL);
  const char *layers[] = {"d004.jpg 60 +80+60", "d004.jpg 16 +650+200", NULL};
  if (!build_scene(path, "900x500", layers))
    return;
  link_models(f, models);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-faces-unchecked.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "select-name two.jpg\n"
                                            "print-faces\n"
                                            "key space\n"
                                            "wait-viewer\n"
                                            "key d\n"
                                            "print-face-boxes\n"
                                            "sleep 400\n"
                                            "screenshot %s\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_screenshot(out, shot);
  /* What the library stored: two faces, the eyes of the larger open, of
   * the smaller unknown. */
  GArray *faces = NULL;
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_get_faces(cat, path, &faces, &error));
  derush_catalog_close(cat);
  g_assert_cmpuint(faces->len, ==, 2);
  g_autoptr(GString) want = g_string_new("face-states");
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *face = &g_array_index(faces, DerushFace, i);
    gboolean known = !isnan(face->eyes_open[0]) && !isnan(face->eyes_open[1]);
    g_assert_false(derush_face_eyes_closed(face));
    g_assert_cmpint(known, ==, face->box[2] - face->box[0] > 100);
    g_string_append(want, known ? " open" : " unchecked");
  }
  g_array_unref(faces);
  g_autoptr(GPtrArray) reason = lines_after(out, "faces ");
  g_assert_cmpuint(reason->len, ==, 1);
  g_assert_cmpstr(reason->pdata[0], ==, "2 faces · eyes open (1 of 2 checked) · in focus");
  g_assert_nonnull(strstr(out, "face-boxes 2\n"));
  g_autoptr(GPtrArray) states = lines_after(out, "face-states");
  g_assert_cmpuint(states->len, ==, 1);
  g_assert_nonnull(strstr(out, want->str));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk-faces/closed-eyes", Fixture, NULL, fixture_setup, test_closed_eyes,
             fixture_teardown);
  g_test_add("/gtk-faces/no-models", Fixture, NULL, fixture_setup, test_no_models,
             fixture_teardown);
  g_test_add("/gtk-faces/badge-clear-of-face", Fixture, NULL, fixture_setup,
             test_badge_clear_of_face, fixture_teardown);
  g_test_add("/gtk-faces/eyes-unchecked", Fixture, NULL, fixture_setup, test_eyes_unchecked,
             fixture_teardown);
  int rc = g_test_run();
  stop_display();
  return rc;
}
