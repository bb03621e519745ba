/* test-faces-cli.c: `derush faces --json FILE...` as scripts see it, with
 * the catalog's stored detections (issue 20's contract, docs/cli.md).
 *
 * A face too small for the preview is found only where the object
 * detector saw a person. Here `derush faces` gets a model folder holding
 * the two face models and NOT the detector's: the people can only come
 * from the catalog, which `derush detect` filled. Skipped without
 * ../shared (corpus and models) or ImageMagick. */
#include "faces-scene.h"
#include "test-util.h"
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define YUNET "face_detection_yunet_2023mar.onnx"
#define EYE "open_closed_eye.onnx"

/* Photo folder, catalog, a face-only model folder (links into
 * ../shared/models) and the derush environment. */
typedef struct {
  char *tmp, *photos, *db, *models, *face_models;
  GStrv env;
} Fixture;

static void
fixture_free(Fixture *fx)
{
  if (fx->tmp)
    test_rmrf(fx->tmp);
  g_free(fx->tmp);
  g_free(fx->photos);
  g_free(fx->db);
  g_free(fx->models);
  g_free(fx->face_models);
  g_strfreev(fx->env);
}

static void
link_model(const Fixture *fx, const char *name)
{
  g_autofree char *from = g_build_filename(fx->models, name, NULL);
  g_autofree char *to = g_build_filename(fx->face_models, name, NULL);
  g_assert_cmpint(symlink(from, to), ==, 0);
}

/* FALSE (skipped) without the three models. */
static gboolean
fixture_init(Fixture *fx)
{
  memset(fx, 0, sizeof *fx);
  fx->models = test_shared_path("models");
  const char *need[] = {YUNET, EYE, DERUSH_DETECTOR_MODEL};
  for (gsize i = 0; i < G_N_ELEMENTS(need); i++) {
    g_autofree char *p = fx->models ? g_build_filename(fx->models, need[i], NULL) : NULL;
    if (!p || !g_file_test(p, G_FILE_TEST_EXISTS)) {
      g_test_skip("../shared/models with the face and object models is needed");
      return FALSE;
    }
  }
  fx->tmp = test_make_tmpdir();
  fx->photos = g_build_filename(fx->tmp, "photos", NULL);
  fx->face_models = g_build_filename(fx->tmp, "face-models", NULL);
  fx->db = g_build_filename(fx->tmp, "cat.db", NULL);
  g_mkdir_with_parents(fx->photos, 0755);
  g_mkdir_with_parents(fx->face_models, 0755);
  link_model(fx, YUNET);
  link_model(fx, EYE);
  fx->env = test_isolated_env(fx->tmp, fx->db);
  /* tests/test-faces.c: oneDNN's YuNet plan and MALLOC_PERTURB_. */
  fx->env = g_environ_setenv(fx->env, "MALLOC_PERTURB_", "0", TRUE);
  return TRUE;
}

/* `derush faces --json --model-dir FACE_MODELS @paths...` (exit 0): one
 * parsed object per file, in order. */
static GPtrArray *
faces_json(const Fixture *fx, const char *const *paths)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  const char *head[] = {"--catalog", fx->db, "faces", "--json", "--model-dir", fx->face_models};
  for (gsize i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, (gpointer)head[i]);
  for (int i = 0; paths[i]; i++)
    g_ptr_array_add(argv, (gpointer)paths[i]);
  g_ptr_array_add(argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status =
      test_run_derush((const char *const *)argv->pdata, (const char *const *)fx->env, &out, &err);
  if (status != 0)
    g_error("derush faces: exit %d: %s", status, err);
  g_auto(GStrv) lines = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, g_strv_length((GStrv)paths));
  GPtrArray *objects = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
  for (int i = 0; lines[i]; i++) {
    g_autoptr(GError) error = NULL;
    JsonNode *n = json_from_string(lines[i], &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(n));
    g_ptr_array_add(objects, n);
  }
  return objects;
}

static JsonArray *
faces_of(GPtrArray *objects, guint i, const char *path)
{
  JsonObject *o = json_node_get_object(g_ptr_array_index(objects, i));
  g_assert_cmpstr(json_object_get_string_member(o, "path"), ==, path);
  return json_object_get_array_member(o, "faces");
}

static double
num(JsonArray *a, guint i)
{
  return json_array_get_double_element(a, i);
}

/* The keys and their shapes; the landmarks inside the box, the
 * subject's right eye on the photo's left. Returns the box. */
static JsonArray *
check_face(JsonObject *f)
{
  JsonArray *box = json_object_get_array_member(f, "box");
  g_assert_cmpuint(json_array_get_length(box), ==, 4);
  g_assert_cmpfloat(num(box, 2), >, num(box, 0));
  g_assert_cmpfloat(num(box, 3), >, num(box, 1));
  g_assert_cmpfloat(json_object_get_double_member(f, "score"), >=, 0.7);
  JsonArray *lm = json_object_get_array_member(f, "landmarks");
  g_assert_cmpuint(json_array_get_length(lm), ==, 5);
  for (guint n = 0; n < 5; n++) {
    JsonArray *p = json_array_get_array_element(lm, n);
    g_assert_cmpuint(json_array_get_length(p), ==, 2);
    g_assert_cmpfloat(num(p, 0), >=, num(box, 0));
    g_assert_cmpfloat(num(p, 0), <=, num(box, 2));
    g_assert_cmpfloat(num(p, 1), >=, num(box, 1));
    g_assert_cmpfloat(num(p, 1), <=, num(box, 3));
  }
  g_assert_cmpfloat(num(json_array_get_array_element(lm, 0), 0), <,
                    num(json_array_get_array_element(lm, 1), 0));
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(f, "eyes_open")), ==, 2);
  g_assert_true(json_object_has_member(f, "sharpness"));
  return box;
}

/* A man (COCO 294 at 50%, his face ~33 px) on a 2400 x 1800 canvas: 7 px
 * in the 512 px preview, where YuNet cannot see it; and corpus d004, one
 * open face of ~250 px in 600 x 800 (truth.csv). */
static void
test_cli_faces_stored_people(void)
{
  Fixture fx;
  if (!fixture_init(&fx)) {
    fixture_free(&fx);
    return;
  }
  g_autofree char *man = g_build_filename(fx.photos, "man.jpg", NULL);
  g_autofree char *open = g_build_filename(fx.photos, "open.jpg", NULL);
  g_autofree char *d004 = test_shared_path("corpus/faces/images/d004.jpg");
  const char *layers[] = {"corpus/coco_sample/images/000000000294.jpg 50 +1100+800", NULL};
  if (!d004 || !build_scene(man, "2400x1800", layers)) {
    if (!d004)
      g_test_skip("../shared/corpus is needed");
    fixture_free(&fx);
    return;
  }
  test_copy_file(d004, open);
  const char *const *e = (const char *const *)fx.env;
  g_assert_cmpint(test_run_derush_on(fx.db, e, NULL, NULL, "scan", fx.photos, NULL), ==, 0);

  /* Scanned, no detections stored, no detector here: no face. */
  const char *paths[] = {man, open, NULL};
  g_autoptr(GPtrArray) before = faces_json(&fx, paths);
  g_assert_cmpuint(json_array_get_length(faces_of(before, 0, man)), ==, 0);

  g_assert_cmpint(
      test_run_derush_on(fx.db, e, NULL, NULL, "detect", "--model-dir", fx.models, fx.photos, NULL),
      ==, 0);
  g_autoptr(GPtrArray) after = faces_json(&fx, paths);
  /* His face, through the stored person box, in original pixels: inside
   * the pasted photo's top (320 x 214 px at +1100+800), 20-50 px wide. */
  JsonArray *faces = faces_of(after, 0, man);
  g_assert_cmpuint(json_array_get_length(faces), ==, 1);
  JsonObject *f = json_array_get_object_element(faces, 0);
  JsonArray *box = check_face(f);
  g_assert_cmpfloat(num(box, 0), >=, 1100);
  g_assert_cmpfloat(num(box, 1), >=, 800);
  g_assert_cmpfloat(num(box, 2), <=, 1100 + 320);
  g_assert_cmpfloat(num(box, 3), <=, 800 + 110);
  g_assert_cmpfloat(num(box, 2) - num(box, 0), >=, 20);
  g_assert_cmpfloat(num(box, 2) - num(box, 0), <=, 50);
  /* Eyes ~13 px apart: too close to tell, null (docs/cli.md). */
  JsonArray *eyes = json_object_get_array_member(f, "eyes_open");
  g_assert_true(json_array_get_null_element(eyes, 0));
  g_assert_true(json_array_get_null_element(eyes, 1));

  /* The open face, in its own 408 x 594 pixels, both eyes open. */
  faces = faces_of(after, 1, open);
  g_assert_cmpuint(json_array_get_length(faces), ==, 1);
  f = json_array_get_object_element(faces, 0);
  box = check_face(f);
  g_assert_cmpfloat(num(box, 2) - num(box, 0), >, 91);
  g_assert_cmpfloat(num(box, 2), <=, 408 + 8);
  eyes = json_object_get_array_member(f, "eyes_open");
  g_assert_cmpfloat(num(eyes, 0), >=, DERUSH_FACE_CLOSED_P);
  g_assert_cmpfloat(num(eyes, 1), >=, DERUSH_FACE_CLOSED_P);
  g_assert_cmpfloat(json_object_get_double_member(f, "sharpness"), >, 0);
  fixture_free(&fx);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/faces-cli/stored-people", test_cli_faces_stored_people);
  return g_test_run();
}
