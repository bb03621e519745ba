/* cmd-label.c: `derush label`: record decisions from the command line.
 *
 * The files are scanned first (an unchanged file is not read again), then
 * every decision of the command is one batch: one durable transaction, one
 * undo step. Nothing is printed as saved before the commit has returned.
 */
#include "cli.h"
#include <sys/stat.h>

static void
sync_failed_cb(const char *sidecar, DerushSidecarResult result, const GError *error,
               gpointer user_data)
{
  if (result != DERUSH_SIDECAR_FAILED)
    return;
  cli_print_error(sidecar, error);
  (*(int *)user_data)++;
}

int
cli_sync_sidecars(CliContext *ctx, const gint64 *ids, gsize n_ids)
{
  DerushXmpStyle style;
  if (n_ids == 0 || !derush_catalog_get_sidecar_sync(ctx->catalog, &style))
    return CLI_EXIT_OK;
  int failed = 0;
  DerushSidecarSummary summary;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_export_sidecars(ctx->catalog, NULL, ids, n_ids, style, 0, sync_failed_cb,
                                      &failed, &summary, &error)) {
    cli_print_error(NULL, error);
    failed++;
  }
  if (failed > 0) {
    fprintf(stderr,
            "derush: the decision is saved in the catalog, but %d sidecar%s could not be"
            " updated\n",
            failed, failed == 1 ? "" : "s");
    return CLI_EXIT_BAD_FILES;
  }
  return CLI_EXIT_OK;
}

int
cli_cmd_label(CliContext *ctx, int argc, char **argv)
{
  int stars = -1;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"stars", 's', 0, G_OPTION_ARG_INT, &stars, "Set the stars, 0 to 5", "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL,
       "FILE… [keep|trash|none]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Record keep/trash decisions and stars.",
      "Scans each FILE (unchanged files are not read again), then sets its label\n"
      "(the last argument: keep, trash or none) and/or its stars (--stars N) as one\n"
      "undoable batch. A RAW+JPEG pair is labelled as one. The decisions are printed\n"
      "only once they are on disk. With sidecar sync on (derush export --xmp --sync),\n"
      "the photos' XMP sidecars are updated too; a sidecar that cannot be written is\n"
      "reported (exit 1) and the decision stays saved in the catalog.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  int n_args = args ? (int)g_strv_length(args) : 0;
  DerushLabelChange change = {0};
  if (n_args > 0 && derush_label_from_name(args[n_args - 1], &change.label)) {
    change.set_label = TRUE;
    g_free(args[n_args - 1]);
    args[--n_args] = NULL;
  }
  if (stars != -1) {
    if (stars < 0 || stars > 5)
      return cli_usage_error("label", "--stars must be 0 to 5, not %d", stars);
    change.set_stars = TRUE;
    change.stars = stars;
  }
  if (!change.set_label && !change.set_stars)
    return cli_usage_error("label", "say what to set: keep, trash, none and/or --stars N");
  if (n_args == 0)
    return cli_usage_error("label", "no file given");

  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  int n_failed = 0;
  /* A FIFO, socket or device named like a photo is recorded by scans (so
   * ls shows it) but is no photo: a decision about it would mean nothing,
   * and it is not even scanned here. */
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  for (int i = 0; args[i]; i++) {
    struct stat st;
    if (stat(args[i], &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
      cli_print_file_error(args[i], "not labelled: not a regular file");
      n_failed++;
    } else {
      g_ptr_array_add(files, args[i]);
    }
  }
  g_ptr_array_add(files, NULL);
  g_autoptr(GPtrArray) photos = cli_scan_photo_args(ctx, (char **)files->pdata, &n_failed);
  if (photos->len == 0)
    return CLI_EXIT_FATAL;
  g_autoptr(GArray) ids = g_array_sized_new(FALSE, FALSE, sizeof(gint64), photos->len);
  for (guint i = 0; i < photos->len; i++)
    g_array_append_val(ids, ((DerushPhoto *)photos->pdata[i])->id);

  gint64 batch = 0;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_set_labels(ctx->catalog, (const gint64 *)(gpointer)ids->data, ids->len,
                                 &change, DERUSH_SOURCE_USER, &batch, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    fprintf(stderr, "derush: nothing was saved\n");
    return CLI_EXIT_FATAL;
  }

  /* Committed: now it may be said. */
  g_autoptr(GString) what = g_string_new(NULL);
  if (change.set_label)
    g_string_append(what, derush_label_name(change.label));
  if (change.set_stars)
    g_string_append_printf(what, "%s%d star%s", what->len ? ", " : "", change.stars,
                           change.stars == 1 ? "" : "s");
  if (batch > 0)
    printf("Saved %s for %u photo%s (batch %" G_GINT64_FORMAT ")\n", what->str, ids->len,
           ids->len == 1 ? "" : "s", batch);
  else
    printf("Already %s: nothing to change\n", what->str);
  int status = cli_sync_sidecars(ctx, (const gint64 *)(gpointer)ids->data, ids->len);
  if (n_failed > 0 && status == CLI_EXIT_OK)
    status = CLI_EXIT_BAD_FILES;
  return status;
}
