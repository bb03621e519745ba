/* cmd-next.c: `derush next`: the photos whose labels would teach the model
 * most (active learning). */
#include "cli-learn.h"
#include <math.h>

int
cli_cmd_next(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  int n = 10;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "JSON Lines: path, p_keep, uncertainty, burst, session", NULL},
      {"count", 'n', 0, G_OPTION_ARG_INT, &n, "How many photos (default 10)", "N"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "The photos to label next.",
      "Lists the unlabelled photos whose labels would teach the model most:\n"
      "those it is least sure about, spread across sessions, never two from\n"
      "one burst or near-duplicate group. Before there is a model, a spread\n"
      "sample. Predictions are brought up to date first (one batch; a\n"
      "retrain when labels changed).",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (argc > 1)
    return cli_usage_error("next", "unexpected argument '%s'", argv[1]);
  if (n < 1 || n > 100000)
    return cli_usage_error("next", "-n must be 1 to 100000");
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  DerushTrainResult r;
  if (!derush_catalog_update_predictions(ctx->catalog, NULL, &r, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  cli_print_model_state(&r);
  g_autoptr(GPtrArray) picks = derush_catalog_next(ctx->catalog, n, &error);
  if (!picks) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  for (guint i = 0; i < picks->len; i++) {
    const DerushPick *p = picks->pdata[i];
    if (!json) {
      g_autofree char *path = cli_quote_path(p->path);
      printf("%.3f  %.2f  %s\n", p->p_keep, p->uncertainty, path);
      continue;
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_add_path(b, "path", p->path);
    cli_json_add_double(b, "p_keep", p->p_keep);
    cli_json_add_double(b, "uncertainty", p->uncertainty);
    const struct {
      const char *key;
      gint64 id;
    } groups[] = {{"burst", p->burst}, {"session", p->session}};
    for (gsize k = 0; k < G_N_ELEMENTS(groups); k++) {
      json_builder_set_member_name(b, groups[k].key);
      if (groups[k].id)
        json_builder_add_int_value(b, groups[k].id);
      else
        json_builder_add_null_value(b);
    }
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  }
  return CLI_EXIT_OK;
}
