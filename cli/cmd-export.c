/* cmd-export.c: `derush export`: decisions out to other software.
 *
 * --xmp writes XMP sidecars (merged, never clobbered); --csv and --json
 * write a report of every photo. All three can be combined in one run. */
#include "cli.h"

typedef struct {
  gboolean dry_run;
  gboolean force;
} ExportState;

static void
sidecar_cb(const char *path, DerushSidecarResult result, const GError *error, gpointer user_data)
{
  ExportState *state = user_data;
  if (result == DERUSH_SIDECAR_FAILED &&
      g_error_matches(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT) && !state->force) {
    g_autofree char *reason =
        g_strdup_printf("%s; --force replaces it, keeping a .bak", error->message);
    cli_print_file_error(path, reason);
  } else if (result == DERUSH_SIDECAR_FAILED) {
    cli_print_error(path, error);
  } else if (result == DERUSH_SIDECAR_WRITTEN && state->dry_run) {
    g_autofree char *display = cli_quote_path(path);
    printf("would write %s\n", display);
  }
}

int
cli_cmd_export(CliContext *ctx, int argc, char **argv)
{
  gboolean xmp = FALSE, dry_run = FALSE, sync = FALSE, no_sync = FALSE, force = FALSE;
  g_autofree char *style_name = NULL;
  g_autofree char *csv = NULL, *json = NULL;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"xmp", 0, 0, G_OPTION_ARG_NONE, &xmp, "Write decisions to XMP sidecars", NULL},
      {"style", 0, 0, G_OPTION_ARG_STRING, &style_name,
       "Sidecar naming: darktable (NAME.EXT.xmp, default), lightroom or digikam (NAME.xmp)",
       "STYLE"},
      {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "Say what would be written; write nothing",
       NULL},
      {"force", 0, 0, G_OPTION_ARG_NONE, &force,
       "Replace sidecars that cannot be parsed (each kept as SIDECAR.bak)", NULL},
      {"sync", 0, 0, G_OPTION_ARG_NONE, &sync,
       "Also keep these sidecars up to date on every label, undo and redo", NULL},
      {"no-sync", 0, 0, G_OPTION_ARG_NONE, &no_sync, "Stop keeping sidecars up to date", NULL},
      {"csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write a CSV report to FILE", "FILE"},
      {"json", 0, 0, G_OPTION_ARG_FILENAME, &json, "Write a JSON Lines report to FILE", "FILE"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Write decisions to XMP sidecars, CSV or JSON.",
      "--xmp writes every labelled photo's decision under DIR (default: the whole\n"
      "catalog) to its sidecar: trash as xmp:Rating -1 and digiKam:PickLabel 1, keep\n"
      "as PickLabel 3, stars as xmp:Rating. Existing sidecars are merged: every field\n"
      "derush did not write survives. A sidecar edited by another program since the\n"
      "last scan is not overwritten (run derush scan first: the edit becomes a\n"
      "decision). A sidecar that cannot be parsed is left as it is and reported,\n"
      "unless --force (its bytes are kept as SIDECAR.bak). --csv/--json write path, label, stars, "
      "prediction, group per photo.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  DerushXmpStyle style = DERUSH_XMP_DARKTABLE;
  if (style_name && !derush_xmp_style_from_name(style_name, &style))
    return cli_usage_error("export", "unknown --style '%s' (darktable, lightroom, digikam)",
                           style_name);
  if ((sync || no_sync) && !xmp && !no_sync)
    return cli_usage_error("export", "--sync goes with --xmp");
  if (sync && no_sync)
    return cli_usage_error("export", "--sync and --no-sync contradict each other");
  if (!xmp && !csv && !json && !no_sync)
    return cli_usage_error("export", "say what to write: --xmp, --csv FILE and/or --json FILE");
  if (args && args[0] && args[1])
    return cli_usage_error("export", "only one folder can be exported");
  g_autofree char *under = args && args[0] ? g_canonicalize_filename(args[0], NULL) : NULL;
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  int status = CLI_EXIT_OK;

  if (no_sync || (sync && !dry_run)) {
    if (!derush_catalog_set_sidecar_sync(ctx->catalog, sync, style, &error)) {
      cli_print_error(derush_catalog_get_path(ctx->catalog), error);
      return CLI_EXIT_FATAL;
    }
    if (sync)
      printf("Sidecar sync on (%s): every label, undo and redo updates the sidecars\n",
             derush_xmp_style_name(style));
    else
      printf("Sidecar sync off\n");
  }
  if (xmp) {
    ExportState state = {dry_run, force};
    DerushSidecarSummary sum;
    if (!derush_catalog_export_sidecars(ctx->catalog, under, NULL, 0, style,
                                        (dry_run ? DERUSH_SIDECAR_DRY_RUN : 0) |
                                            (force ? DERUSH_SIDECAR_FORCE : 0),
                                        sidecar_cb, &state, &sum, &error)) {
      cli_print_error(derush_catalog_get_path(ctx->catalog), error);
      return CLI_EXIT_FATAL;
    }
    printf("%s %" G_GINT64_FORMAT " sidecar%s (%s), %" G_GINT64_FORMAT
           " already up to date, %" G_GINT64_FORMAT " failed\n",
           dry_run ? "Would write" : "Wrote", sum.written, sum.written == 1 ? "" : "s",
           derush_xmp_style_name(style), sum.unchanged, sum.failed);
    if (sum.failed > 0)
      status = CLI_EXIT_BAD_FILES;
  }
  const char *reports[2] = {csv, json};
  for (int k = 0; k < 2; k++) {
    if (!reports[k])
      continue;
    if (dry_run) {
      printf("Would write %s\n", reports[k]);
      continue;
    }
    gint64 rows = derush_catalog_export_report(
        ctx->catalog, under, k == 0 ? DERUSH_REPORT_CSV : DERUSH_REPORT_JSON, reports[k], &error);
    if (rows < 0) {
      cli_print_error(reports[k], error);
      return CLI_EXIT_FATAL;
    }
    printf("Wrote %" G_GINT64_FORMAT " photo%s to %s\n", rows, rows == 1 ? "" : "s", reports[k]);
  }
  return status;
}
