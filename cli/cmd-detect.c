/* cmd-detect.c: `derush detect` (the object detector over a folder) and
 * `derush detections` (what it found in given photos). */
#include "cli-analysis.h"
#include <math.h>
#include <unistd.h>

void
cli_print_model_hint_once(const char *file_name)
{
  static gboolean said;
  if (said)
    return;
  said = TRUE;
  g_autofree char *hint = derush_model_missing_hint(file_name);
  fprintf(stderr, "derush: %s\n", hint);
}

int
cli_cmd_detect(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  int threads = 0;
  g_auto(GStrv) dirs = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as one JSON object", NULL},
      {"threads", 'j', 0, G_OPTION_ARG_INT, &threads,
       "Preview decoders (default: one per core; the forwards take turns)", "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Find objects in photos (YOLOX-nano, 80 COCO classes).",
      "For every readable photo under DIR (default: the whole catalog) whose\n"
      "detections are missing or stale, decodes its cached preview once, runs the\n"
      "detector and stores the boxes, the detector features and the embedding.\n"
      "Resumable: an interrupted run (Ctrl-C) keeps what it stored and the next one\n"
      "goes on from there. Needs the model file yolox_nano.onnx (docs/models.md);\n"
      "'derush analyze' runs the detector too whenever the model is found.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!cli_job_check_threads("detect", threads))
    return CLI_EXIT_FATAL;
  g_autofree char *under = NULL;
  if (!cli_open_folder(ctx, "detect", dirs, &under))
    return CLI_EXIT_FATAL;

  g_autoptr(CliJob) job = cli_job_new();
  DerushDetectOptions options;
  derush_detect_options_init(&options);
  options.threads = threads;
  cli_job_get_callbacks(job, &options.progress, &options.on_bad_file, &options.user_data,
                        &options.cancellable);

  DerushDetectSummary sum = {0};
  g_autoptr(GError) error = NULL;
  cli_job_begin(job);
  gboolean ok = derush_catalog_detect(ctx->catalog, under, &options, &sum, &error);
  int signo = cli_job_end(job);
  if (!cli_job_report("detect", signo, ok, error))
    return CLI_EXIT_FATAL;
  if (json) {
    const CliJsonInt counts[] = {
        {"detected", sum.detected},
        {"up_to_date", sum.up_to_date},
        {"failed", sum.failed},
        {"objects", sum.objects},
    };
    cli_json_summary_print(cli_json_summary_new(counts, G_N_ELEMENTS(counts), sum.seconds));
  } else {
    double rate = sum.seconds > 0 ? sum.detected / sum.seconds : 0;
    printf("Detected objects in %" G_GINT64_FORMAT
           " photos in %.2f s (%.1f photos/s): %" G_GINT64_FORMAT " objects; %" G_GINT64_FORMAT
           " up to date, %" G_GINT64_FORMAT " failed\n",
           sum.detected, sum.seconds, rate, sum.objects, sum.up_to_date, sum.failed);
  }
  return cli_job_exit_status(signo, sum.failed);
}

static void
print_detections(const char *path, GArray *dets, gboolean json)
{
  if (!json) {
    g_autofree char *shown = cli_quote_path(path);
    printf("%s: %u object%s\n", shown, dets->len, dets->len == 1 ? "" : "s");
    for (guint i = 0; i < dets->len; i++) {
      const DerushDetection *d = &g_array_index(dets, DerushDetection, i);
      printf("  %-14s %.3f  %.1f,%.1f - %.1f,%.1f\n", derush_coco_class_name(d->class_id), d->score,
             d->box[0], d->box[1], d->box[2], d->box[3]);
    }
    return;
  }
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  cli_json_add_path(b, "path", path);
  json_builder_set_member_name(b, "detections");
  json_builder_begin_array(b);
  for (guint i = 0; i < dets->len; i++) {
    const DerushDetection *d = &g_array_index(dets, DerushDetection, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "class");
    json_builder_add_string_value(b, derush_coco_class_name(d->class_id));
    json_builder_set_member_name(b, "class_id");
    json_builder_add_int_value(b, d->class_id);
    json_builder_set_member_name(b, "score");
    /* Four decimals: what a float's score is worth, not its binary noise. */
    json_builder_add_double_value(b, round(d->score * 1e4) / 1e4);
    json_builder_set_member_name(b, "box");
    json_builder_begin_array(b);
    for (int k = 0; k < 4; k++)
      json_builder_add_double_value(b, round(d->box[k] * 10) / 10);
    json_builder_end_array(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  cli_print_json(stdout, root);
}

int
cli_cmd_detections(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  if (!cli_parse_files_command(
          ctx, "detections", &argc, &argv, "Print the objects found in photos.",
          "Scans each FILE and runs the detector on it as needed (nothing is decoded\n"
          "again when it is up to date), then prints its detections, best first: the\n"
          "COCO class, its id (0-79), the score (0..1) and the box [x0, y0, x1, y1] in\n"
          "the upright original's pixels. Detections scoring under 0.25 are not kept.",
          "One JSON object per file: {path, detections: [{class, class_id, score, box}]}", &json,
          &files))
    return CLI_EXIT_FATAL;
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  int n_failed = 0;
  g_autoptr(GPtrArray) photos = cli_scan_photo_args(ctx, files, &n_failed);
  if (photos->len == 0)
    return CLI_EXIT_FATAL;

  for (guint i = 0; i < photos->len; i++) {
    const DerushPhoto *photo = photos->pdata[i];
    g_autoptr(GError) error = NULL;
    DerushDetectOptions options;
    derush_detect_options_init(&options);
    options.threads = 1;
    options.on_bad_file = cli_print_bad_file_cb;
    if (!derush_catalog_detect(ctx->catalog, photo->path, &options, NULL, &error)) {
      cli_print_model_error(error);
      return CLI_EXIT_FATAL;
    }
    g_autoptr(GArray) dets = derush_catalog_get_detections(ctx->catalog, photo->path, &error);
    if (!dets) {
      cli_print_photo_error(photo, error);
      n_failed++;
      continue;
    }
    print_detections(photo->path, dets, json);
  }
  return cli_files_exit_status(n_failed, (int)g_strv_length(files));
}
