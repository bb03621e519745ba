/* cmd-explain.c: `derush explain`: why the model keeps or trashes a photo,
 * in the features that pushed it most. */
#include "cli-learn.h"

static void
print_explanation(const DerushExplanation *e, gboolean json)
{
  if (!json) {
    g_autofree char *path = cli_quote_path(e->path);
    printf("%s: p(keep) %.3f\n", path, e->p_keep);
    for (guint i = 0; i < e->n_reasons; i++)
      printf("  %+6.2f  %s\n", e->reasons[i].contribution, e->reasons[i].text);
    return;
  }
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  cli_json_add_path(b, "path", e->path);
  cli_json_add_double(b, "p_keep", e->p_keep);
  json_builder_set_member_name(b, "reasons");
  json_builder_begin_array(b);
  for (guint i = 0; i < e->n_reasons; i++) {
    const DerushReason *r = &e->reasons[i];
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "feature");
    json_builder_add_string_value(b, r->feature);
    cli_json_add_double(b, "value", r->value);
    cli_json_add_double(b, "contribution", r->contribution);
    json_builder_set_member_name(b, "text");
    json_builder_add_string_value(b, r->text);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  cli_json_add_model_version(b, e->model_version);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  cli_print_json(stdout, root);
}

int
cli_cmd_explain(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  int n_reasons = 5;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "One JSON object per photo: path, p_keep, reasons [{feature, value, contribution, text}]",
       NULL},
      {"reasons", 'n', 0, G_OPTION_ARG_INT, &n_reasons, "Reasons per photo (default 5)", "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE..."},
      {NULL},
  };
  g_autoptr(GOptionContext) context =
      cli_option_context_new(ctx, NULL, "Explain the predictions of photos.",
                             "For each FILE, the features that pushed its p(keep) most (XGBoost's\n"
                             "per-feature contributions, in log-odds: positive toward keep), in\n"
                             "words. Needs a trained model ('derush train').",
                             entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!files || !files[0])
    return cli_usage_error("explain", "no photo given");
  if (n_reasons < 1 || n_reasons > 100)
    return cli_usage_error("explain", "--reasons must be 1 to 100");
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  int failed = 0;
  g_autoptr(GPtrArray) photos = cli_scan_photo_args(ctx, files, &failed);
  g_autoptr(GPtrArray) paths = g_ptr_array_new();
  for (guint i = 0; i < photos->len; i++) {
    const DerushPhoto *p = photos->pdata[i];
    if (p->status != DERUSH_PHOTO_OK) {
      failed++; /* its reason was said by the scan */
      continue;
    }
    g_ptr_array_add(paths, p->path);
  }
  g_ptr_array_add(paths, NULL);
  if (paths->len > 1) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) out =
        derush_catalog_explain(ctx->catalog, (const char *const *)paths->pdata, n_reasons, &error);
    if (!out) {
      cli_print_error(NULL, error);
      return CLI_EXIT_FATAL;
    }
    for (guint i = 0; i < out->len; i++)
      print_explanation(out->pdata[i], json);
  }
  return failed ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}
