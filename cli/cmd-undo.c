/* cmd-undo.c: `derush undo` and `derush redo`.
 *
 * Both act on whole batches (one `derush label`, one key press in the app)
 * and say which batches they reverted and how many photos changed, read
 * back from the history the library just wrote. */
#include "cli.h"

typedef struct {
  gboolean redo;
  GArray *photo_ids; /* photos changed, for sidecar sync */
  gint64 first_new;  /* first batch written by this command */
} UndoReport;

static gboolean
first_batch_cb(const DerushLabelBatch *b, gpointer user_data)
{
  *(DerushLabelBatch *)user_data = *b;
  return FALSE;
}

typedef struct {
  UndoReport *report;
  DerushCatalog *catalog;
} ReportCtx;

static gboolean
report_batch_cb(const DerushLabelBatch *b, gpointer user_data)
{
  ReportCtx *rc = user_data;
  UndoReport *r = rc->report;
  if (b->source != (r->redo ? DERUSH_SOURCE_REDO : DERUSH_SOURCE_UNDO))
    return TRUE; /* another process's batch, written meanwhile */
  /* A redo's target is the undo it reverts; name the batch the user made. */
  gint64 original = b->target;
  if (r->redo) {
    DerushLabelBatch undo = {0};
    if (derush_catalog_foreach_batch(rc->catalog, b->target - 1, first_batch_cb, &undo, NULL) &&
        undo.id == b->target)
      original = undo.target;
  }
  printf("%s batch %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
         " photo%s changed (as batch %" G_GINT64_FORMAT ")\n",
         r->redo ? "Redid" : "Undid", original, b->n_events, b->n_events == 1 ? "" : "s", b->id);
  return TRUE;
}

static gboolean
collect_photo_cb(const DerushLabelEvent *e, gpointer user_data)
{
  UndoReport *r = user_data;
  if (e->batch >= r->first_new)
    g_array_append_val(r->photo_ids, e->photo_id);
  return TRUE;
}

static int
undo_redo(CliContext *ctx, int argc, char **argv, gboolean redo)
{
  const char *name = redo ? "redo" : "undo";
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, "[N]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL,
      redo ? "Redo the last N undone decision batches (default 1)."
           : "Undo the last N decision batches (default 1).",
      redo ? "Replays the newest undone batches, as long as no new decision was made\n"
             "since. The redo is itself recorded in the history."
           : "Each `derush label` (or action in the app, or import) is one batch; undo\n"
             "restores the photos' previous decisions as a new batch, so history only\n"
             "grows and undo survives restarts. Decisions read from sidecars are not undone.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  gint64 n = 1;
  if (args && args[0]) {
    char *end = NULL;
    n = g_ascii_strtoll(args[0], &end, 10);
    if (*end || n < 1 || n > G_MAXINT || args[1])
      return cli_usage_error(name, "N must be one positive number");
  }
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  gint64 before = derush_catalog_last_batch(ctx->catalog, &error);
  if (before < 0) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  int done = redo ? derush_catalog_redo(ctx->catalog, (int)n, &error)
                  : derush_catalog_undo(ctx->catalog, (int)n, &error);
  if (done < 0) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  if (done == 0) {
    printf("Nothing to %s\n", name);
    return CLI_EXIT_OK;
  }
  UndoReport r = {redo, g_array_new(FALSE, FALSE, sizeof(gint64)), before + 1};
  int status = CLI_EXIT_OK;
  ReportCtx rc = {&r, ctx->catalog};
  if (!derush_catalog_foreach_batch(ctx->catalog, before, report_batch_cb, &rc, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    status = CLI_EXIT_FATAL;
  }
  if (status == CLI_EXIT_OK && done < n)
    printf("Only %d batch%s to %s\n", done, done == 1 ? " was there" : "es were there", name);
  if (status == CLI_EXIT_OK && derush_catalog_get_sidecar_sync(ctx->catalog, NULL)) {
    if (derush_catalog_foreach_event(ctx->catalog, NULL, collect_photo_cb, &r, &error))
      status =
          cli_sync_sidecars(ctx, (const gint64 *)(gpointer)r.photo_ids->data, r.photo_ids->len);
  }
  g_array_free(r.photo_ids, TRUE);
  return status;
}

int
cli_cmd_undo(CliContext *ctx, int argc, char **argv)
{
  return undo_redo(ctx, argc, argv, FALSE);
}

int
cli_cmd_redo(CliContext *ctx, int argc, char **argv)
{
  return undo_redo(ctx, argc, argv, TRUE);
}
