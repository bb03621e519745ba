/* cmd-cull.c: `derush cull`: one reviewed step over every group (issue
 * 21): trash the copies, keep the best of every burst, or keep the best of
 * every group; the rules are derush_catalog_cull()'s (src/group/cull.c). */
#include "cli-analysis.h"

typedef struct {
  gboolean dry_run;
} CullState;

static void
item_cb(const DerushCullItem *item, gpointer user_data)
{
  CullState *st = user_data;
  g_autofree char *path = cli_quote_path(item->path);
  g_autofree char *best = cli_quote_path(item->best_path);
  printf("%strash %s (%s, best: %s)\n", st->dry_run ? "would " : "", path,
         derush_relation_name(item->relation), best);
}

int
cli_cmd_cull(CliContext *ctx, int argc, char **argv)
{
  gboolean copies = FALSE, bursts = FALSE, groups = FALSE, dry_run = FALSE;
  g_auto(GStrv) dirs = NULL;
  const GOptionEntry entries[] = {
      {"copies", 0, 0, G_OPTION_ARG_NONE, &copies,
       "Trash the exact and edited copies of each near-duplicate set's best", NULL},
      {"bursts", 0, 0, G_OPTION_ARG_NONE, &bursts,
       "Keep the best of every burst, trash the other frames", NULL},
      {"groups", 0, 0, G_OPTION_ARG_NONE, &groups,
       "Keep the best of every burst and near-duplicate set, trash the rest", NULL},
      {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "Only say what would be labelled trash",
       NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Label trash the lesser members of groups, in one undoable step.",
      "Picks, from the groups the last 'derush analyze' stored (with a member at\n"
      "or below DIR), the photos to trash and labels them trash in one batch:\n"
      "'derush undo' takes the whole step back, 'derush apply --trash' then moves\n"
      "them to the desktop trash ('derush undo-apply' restores them). Never\n"
      "picked: any group's best pick, and photos labelled keep. Run with\n"
      "--dry-run first to review the list.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (copies + bursts + groups != 1)
    return cli_usage_error("cull", "give exactly one of --copies, --bursts, --groups");
  g_autofree char *under = NULL;
  if (!cli_open_folder(ctx, "cull", dirs, &under))
    return CLI_EXIT_FATAL;
  DerushCullKind kind = copies   ? DERUSH_CULL_COPIES
                        : bursts ? DERUSH_CULL_BURSTS
                                 : DERUSH_CULL_GROUPS;
  CullState st = {dry_run};
  gint64 n = 0, batch = 0;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_cull(ctx->catalog, kind, under, dry_run, item_cb, &st, &n, &batch, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  if (dry_run)
    printf("Would label %" G_GINT64_FORMAT " photo%s trash\n", n, n == 1 ? "" : "s");
  else if (n)
    printf("Labelled %" G_GINT64_FORMAT " photo%s trash (batch %" G_GINT64_FORMAT
           "; 'derush undo' takes it back, 'derush apply --trash' trashes the files)\n",
           n, n == 1 ? "" : "s", batch);
  else
    printf("Nothing to trash\n");
  return CLI_EXIT_OK;
}
