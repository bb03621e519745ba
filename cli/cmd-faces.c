/* cmd-faces.c: `derush faces`: the faces of photo files, their eye state
 * and sharpness, straight from the files (no catalog needed). */
#include "cli-analysis.h"
#include <math.h>

static void
add_point(JsonBuilder *b, float x, float y)
{
  json_builder_begin_array(b);
  json_builder_add_double_value(b, x);
  json_builder_add_double_value(b, y);
  json_builder_end_array(b);
}

static void
add_double_or_null(JsonBuilder *b, double v)
{
  if (isfinite(v))
    json_builder_add_double_value(b, v);
  else
    json_builder_add_null_value(b);
}

static void
print_json(const char *path, const GArray *faces)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  cli_json_add_path(b, "path", path);
  json_builder_set_member_name(b, "faces");
  json_builder_begin_array(b);
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "box");
    json_builder_begin_array(b);
    for (int k = 0; k < 4; k++)
      json_builder_add_double_value(b, f->box[k]);
    json_builder_end_array(b);
    cli_json_add_double(b, "score", f->score);
    json_builder_set_member_name(b, "landmarks");
    json_builder_begin_array(b);
    for (int n = 0; n < 5; n++)
      add_point(b, f->landmarks[n][0], f->landmarks[n][1]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "eyes_open");
    json_builder_begin_array(b);
    add_double_or_null(b, f->eyes_open[0]);
    add_double_or_null(b, f->eyes_open[1]);
    json_builder_end_array(b);
    cli_json_add_double(b, "sharpness", f->sharpness);
    cli_json_add_double(b, "area", f->area);
    json_builder_set_member_name(b, "cut");
    json_builder_add_boolean_value(b, f->cut);
    json_builder_set_member_name(b, "eyes_closed");
    json_builder_add_boolean_value(b, derush_face_eyes_closed(f));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  cli_print_json(stdout, root);
}

static void
print_text(const char *path, const GArray *faces)
{
  g_autofree char *display = cli_quote_path(path);
  printf("%s: %u face%s\n", display, faces->len, faces->len == 1 ? "" : "s");
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    printf("  %.0f,%.0f-%.0f,%.0f  score %.2f  eyes open %.2f %.2f%s  sharpness %.2f%s%s\n",
           f->box[0], f->box[1], f->box[2], f->box[3], f->score, f->eyes_open[0], f->eyes_open[1],
           derush_face_eyes_closed(f) ? " (closed)" : "", f->sharpness,
           derush_face_soft(f) ? " (soft)" : "", f->cut ? "  cut" : "");
  }
}

/* The catalog, when one is there to read (--catalog, or the default one
 * already made): its stored detections spare the object detector's
 * forward. `derush faces` never creates a catalog. */
static DerushCatalog *
catalog_if_any(CliContext *ctx)
{
  g_autofree char *path =
      ctx->catalog_path ? g_strdup(ctx->catalog_path) : derush_default_catalog_path();
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return cli_open_catalog(ctx) ? ctx->catalog : NULL;
}

/* The photo's current detections in @cat (NULL when none: then the
 * library runs the detector itself, if its model is found). */
static GArray *
stored_detections(DerushCatalog *cat, const char *path)
{
  if (!cat)
    return NULL;
  g_autoptr(GError) error = NULL;
  GArray *dets = derush_catalog_get_detections(cat, path, &error);
  if (!dets)
    g_debug("%s", error->message);
  return dets;
}

int
cli_cmd_faces(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  if (!cli_parse_files_command(
          ctx, "faces", &argc, &argv, "Find the faces in photos, with eye state and sharpness.",
          "Runs YuNet and the open/closed eye classifier on each FILE (models found in\n"
          "--model-dir, $DERUSH_MODEL_DIR, $XDG_DATA_HOME/derush/models or the installed\n"
          "data folder). Coordinates are in the upright original's pixels; eyes_open is\n"
          "p(open) of the eyes at landmarks 0 and 1 (null when too small to tell).\n"
          "People found by the object detector (stored by `derush detect`/`analyze` in the\n"
          "catalog, or run here when its model is found) say where small faces may be.",
          "One JSON object per file: path, faces [{box, score, landmarks, eyes_open, sharpness, "
          "area, cut, eyes_closed}]",
          &json, &files))
    return CLI_EXIT_FATAL;

  g_autoptr(GError) model_error = NULL;
  if (!derush_faces_load_models(NULL, &model_error)) {
    cli_print_error(NULL, model_error);
    return CLI_EXIT_FATAL;
  }
  DerushCatalog *cat = catalog_if_any(ctx);
  int n_failed = 0;
  for (int i = 0; files[i]; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_canonicalize_filename(files[i], NULL);
    g_autoptr(GArray) dets = stored_detections(cat, path);
    GArray *faces = NULL;
    if (!derush_faces_detect_file_with_detections(path, NULL, dets, &faces, &error)) {
      cli_print_error(path, error);
      n_failed++;
      continue;
    }
    if (json)
      print_json(path, faces);
    else
      print_text(path, faces);
    g_array_unref(faces);
  }
  return cli_files_exit_status(n_failed, (int)g_strv_length(files));
}
