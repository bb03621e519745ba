/* cmd-apply.c: `derush apply` and `derush undo-apply`: decisions become
 * file operations (trash, move, copy), journaled so they can be undone and
 * survive a crash half-way. A summary is always printed first. */
#include "cli.h"

typedef struct {
  gboolean dry_run;
  int failed;
  gboolean undo;
} ApplyState;

static void
op_cb(const DerushFileOp *op, const GError *error, gpointer user_data)
{
  ApplyState *state = user_data;
  g_autofree char *src = cli_quote_path(op->src);
  g_autofree char *dst = op->dst ? cli_quote_path(op->dst) : NULL;
  if (error) {
    cli_print_error(op->src, error);
    state->failed++;
    return;
  }
  static const char *const verbs[] = {"move", "copy", "trash"};
  static const char *const undo_verbs[] = {"move back", "remove copy", "restore"};
  if (state->undo)
    printf("%s %s\n", undo_verbs[op->kind], op->kind == DERUSH_FILE_OP_MOVE ? dst : src);
  else if (dst)
    printf("%s%s %s -> %s\n", state->dry_run ? "would " : "", verbs[op->kind], src, dst);
  else
    printf("%s%s %s\n", state->dry_run ? "would " : "", verbs[op->kind], src);
}

int
cli_cmd_apply(CliContext *ctx, int argc, char **argv)
{
  gboolean trash = FALSE, dry_run = FALSE;
  g_autofree char *move_trash = NULL, *move_keepers = NULL, *copy_keepers = NULL;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"trash", 0, 0, G_OPTION_ARG_NONE, &trash, "Put photos labelled trash in the desktop trash",
       NULL},
      {"move-trash-to", 0, 0, G_OPTION_ARG_FILENAME, &move_trash,
       "Move photos labelled trash into DIR", "DIR"},
      {"move-keepers-to", 0, 0, G_OPTION_ARG_FILENAME, &move_keepers,
       "Move photos labelled keep into DIR", "DIR"},
      {"copy-keepers-to", 0, 0, G_OPTION_ARG_FILENAME, &copy_keepers,
       "Copy photos labelled keep into DIR", "DIR"},
      {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "Only say what would be done", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, "[FROM]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Trash, move or copy photos by their decision.",
      "Acts on the photos under FROM (default: the whole catalog) labelled trash\n"
      "(--trash, --move-trash-to) or keep (--move-keepers-to, --copy-keepers-to).\n"
      "A RAW+JPEG pair and the photos' XMP sidecars go with them; a name taken at\n"
      "the destination gets -1, -2... (never overwritten). Moved photos keep their\n"
      "decisions in the catalog. Every operation is journaled first: 'derush\n"
      "undo-apply' restores the last apply, and a crash half-way is repaired on the\n"
      "next run. The trash is the desktop's (restorable from the file manager).",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  int n_actions = trash + (move_trash != NULL) + (move_keepers != NULL) + (copy_keepers != NULL);
  if (n_actions != 1)
    return cli_usage_error("apply", "give exactly one of --trash, --move-trash-to,"
                                    " --move-keepers-to, --copy-keepers-to");
  if (args && args[0] && args[1])
    return cli_usage_error("apply", "only one folder can be given");
  DerushApplyAction action = trash          ? DERUSH_APPLY_TRASH
                             : move_trash   ? DERUSH_APPLY_MOVE_TRASH
                             : move_keepers ? DERUSH_APPLY_MOVE_KEEPERS
                                            : DERUSH_APPLY_COPY_KEEPERS;
  const char *dest = move_trash ? move_trash : move_keepers ? move_keepers : copy_keepers;
  g_autofree char *under = args && args[0] ? g_canonicalize_filename(args[0], NULL) : NULL;
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;

  g_autoptr(GError) error = NULL;
  DerushApplySummary sum;
  ApplyState state = {TRUE, 0, FALSE};
  /* The summary first, always: what is about to happen, in numbers. */
  if (!derush_catalog_plan_apply(ctx->catalog, action, under, dest, dry_run ? op_cb : NULL, &state,
                                 &sum, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  static const char *const verbs[] = {"trash", "move", "move", "copy"};
  g_autofree char *size = g_format_size((guint64)sum.bytes);
  g_autofree char *dest_display = dest ? cli_quote_path(dest) : NULL;
  printf("%s %s %" G_GINT64_FORMAT " photo%s (%" G_GINT64_FORMAT " files with sidecars, %s)%s%s\n",
         dry_run ? "Would" : "Will", verbs[action], sum.photos, sum.photos == 1 ? "" : "s",
         sum.files, size, dest ? " to " : "", dest ? dest_display : "");
  fflush(stdout);
  if (dry_run || sum.files == 0)
    return CLI_EXIT_OK;

  state.dry_run = FALSE;
  if (!derush_catalog_apply(ctx->catalog, action, under, dest, op_cb, &state, &sum, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  /* Nothing done (a full or unwritable destination): nothing to undo. */
  printf("Done: %" G_GINT64_FORMAT " file%s, %" G_GINT64_FORMAT " failed%s\n", sum.done,
         sum.done == 1 ? "" : "s", sum.failed,
         sum.done > 0 ? "; 'derush undo-apply' restores them" : "");
  return sum.failed > 0 ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}

int
cli_cmd_undo_apply(CliContext *ctx, int argc, char **argv)
{
  const GOptionEntry entries[] = {{NULL}};
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Restore the files of the last apply.",
      "Moves files back, restores trashed ones from the trash and deletes copies\n"
      "(only copies unchanged since). Run it again to undo the apply before.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (argc > 1)
    return cli_usage_error("undo-apply", "no arguments expected");
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  ApplyState state = {FALSE, 0, TRUE};
  g_autoptr(GError) error = NULL;
  gint64 n = derush_catalog_undo_apply(ctx->catalog, op_cb, &state, &error);
  if (n < 0) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  if (n == 0 && state.failed == 0)
    printf("Nothing to undo\n");
  else
    printf("Restored %" G_GINT64_FORMAT " file%s, %d failed\n", n, n == 1 ? "" : "s", state.failed);
  return state.failed > 0 ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}
