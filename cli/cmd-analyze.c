/* cmd-analyze.c: `derush analyze`: features, hashes and groups, and the
 * grouping options the analysis commands share. */
#include "cli-analysis.h"

void
cli_group_args_init(CliGroupArgs *args)
{
  DerushGroupOptions d;
  derush_group_options_init(&d);
  args->session_gap_min = d.session_gap_s / 60;
  args->burst_gap_s = d.burst_gap_s;
  args->phash_radius = d.phash_radius;
  args->dhash_radius = d.dhash_radius;
  args->phash_safety = d.phash_safety;
  args->no_transforms = !d.transforms;
  args->no_rotations = !d.rotations;
}

gboolean
cli_group_options_finish(const char *command, const CliGroupArgs *args, DerushGroupOptions *options)
{
  derush_group_options_init(options);
  if (!(args->session_gap_min >= 0) || !(args->burst_gap_s >= 0)) {
    cli_usage_error(command, "--session-gap and --burst-gap must be 0 or more");
    return FALSE;
  }
  if (args->phash_radius < 0 || args->phash_radius > 64 || args->dhash_radius < 0 ||
      args->dhash_radius > 64 || args->phash_safety < 0 || args->phash_safety > 64) {
    cli_usage_error(command, "hash radii must be between 0 and 64");
    return FALSE;
  }
  options->session_gap_s = args->session_gap_min * 60;
  options->burst_gap_s = args->burst_gap_s;
  options->phash_radius = args->phash_radius;
  options->dhash_radius = args->dhash_radius;
  options->phash_safety = args->phash_safety;
  options->transforms = !args->no_transforms;
  options->rotations = !args->no_rotations;
  return TRUE;
}

int
cli_cmd_analyze(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  int threads = 0;
  g_auto(GStrv) dirs = NULL;
  CliGroupArgs gargs;
  cli_group_args_init(&gargs);
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as one JSON object", NULL},
      {"threads", 'j', 0, G_OPTION_ARG_INT, &threads, "Worker threads (default: one per core)",
       "N"},
      CLI_GROUP_ENTRIES(&gargs),
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Compute features, perceptual hashes and groups.",
      "For every readable photo under DIR (default: the whole catalog) that lacks\n"
      "features or hashes of the current versions, decodes its cached 512 px preview\n"
      "once and computes both, in parallel; then recomputes the sessions, bursts and\n"
      "near-duplicate groups of the catalog ('derush groups' lists them). Photos\n"
      "already analyzed are not decoded again. When the detector model is found\n"
      "(docs/models.md), the same decode also runs the object detector ('derush\n"
      "detect'). Scan first: analyze reads the catalog.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!cli_job_check_threads("analyze", threads))
    return CLI_EXIT_FATAL;
  DerushGroupOptions gopt;
  if (!cli_group_options_finish("analyze", &gargs, &gopt))
    return CLI_EXIT_FATAL;
  g_autofree char *under = NULL;
  if (!cli_open_folder(ctx, "analyze", dirs, &under))
    return CLI_EXIT_FATAL;

  g_autoptr(CliJob) job = cli_job_new();
  DerushAnalyzeOptions options;
  derush_analyze_options_init(&options);
  options.threads = threads;
  cli_job_get_callbacks(job, &options.progress, &options.on_bad_file, &options.user_data,
                        &options.cancellable);
  options.group = &gopt;

  DerushAnalyzeSummary sum = {0};
  g_autoptr(GError) error = NULL;
  cli_job_begin(job);
  gboolean ok = derush_catalog_analyze(ctx->catalog, under, &options, &sum, &error);
  int signo = cli_job_end(job);
  if (sum.detector_missing)
    cli_print_model_hint_once(DERUSH_DETECTOR_MODEL);
  if (!cli_job_report("analyze", signo, ok, error))
    return CLI_EXIT_FATAL;

  if (json) {
    const CliJsonInt counts[] = {
        {"analyzed", sum.analyzed},
        {"up_to_date", sum.up_to_date},
        {"failed", sum.failed},
        {"photos_grouped", sum.groups.photos},
        {"sessions", sum.groups.sessions},
        {"bursts", sum.groups.bursts},
        {"near_dups", sum.groups.near_dups},
        {"detected", sum.detected},
        {"objects", sum.objects},
        {"face_photos", sum.face_photos},
        {"faces", sum.faces},
    };
    JsonBuilder *b = cli_json_summary_new(counts, G_N_ELEMENTS(counts), sum.seconds);
    cli_json_add_double(b, "group_seconds", sum.groups.seconds);
    cli_json_summary_print(b);
  } else {
    double rate = sum.seconds > 0 ? sum.analyzed / sum.seconds : 0;
    printf("Analyzed %" G_GINT64_FORMAT " photos in %.2f s (%.0f photos/s); %" G_GINT64_FORMAT
           " up to date, %" G_GINT64_FORMAT " failed\n",
           sum.analyzed, sum.seconds, rate, sum.up_to_date, sum.failed);
    printf("Groups: %" G_GINT64_FORMAT " sessions, %" G_GINT64_FORMAT " bursts, %" G_GINT64_FORMAT
           " near-duplicate sets over %" G_GINT64_FORMAT " photos (%.3f s)\n",
           sum.groups.sessions, sum.groups.bursts, sum.groups.near_dups, sum.groups.photos,
           sum.groups.seconds);
    /* The photos looked at, not the photos with something in them. */
    if (sum.detected > 0)
      printf("Objects: %" G_GINT64_FORMAT " found (%" G_GINT64_FORMAT " photos looked at)\n",
             sum.objects, sum.detected);
    if (sum.face_photos > 0)
      printf("Faces: %" G_GINT64_FORMAT " found (%" G_GINT64_FORMAT " photos looked at)\n",
             sum.faces, sum.face_photos);
  }
  return cli_job_exit_status(signo, sum.failed);
}
