/* cmd-predict.c: `derush predict`: p(keep), zone and uncertainty of every
 * photo, from one batch prediction (retraining first when labels changed). */
#include "cli-learn.h"

typedef struct {
  gboolean json;
} PrintState;

static gboolean
print_prediction_cb(const DerushPrediction *p, gpointer user_data)
{
  PrintState *st = user_data;
  if (st->json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_add_path(b, "path", p->path);
    cli_json_add_double(b, "p_keep", p->p_keep);
    json_builder_set_member_name(b, "zone");
    json_builder_add_string_value(b, derush_zone_name(p->zone));
    cli_json_add_double(b, "uncertainty", p->uncertainty);
    cli_json_add_model_version(b, p->model_version);
    json_builder_set_member_name(b, "label");
    json_builder_add_string_value(b, derush_label_name(p->label));
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    g_autofree char *path = cli_quote_path(p->path);
    printf("%.3f  %-12s  %.2f  %s\n", p->p_keep, derush_zone_name(p->zone), p->uncertainty, path);
  }
  return TRUE;
}

int
cli_cmd_predict(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE, auto_label = FALSE;
  g_auto(GStrv) dirs = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "JSON Lines: path, p_keep, zone, uncertainty, model_version (null: quality prior)", NULL},
      {"auto-label", 0, 0, G_OPTION_ARG_NONE, &auto_label,
       "Label the unlabelled photos of the confident zones (source auto; one undo)", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Predict keep/trash for every photo.",
      "Predicts every photo of the catalog in one batch with the stored model\n"
      "(retrained first when labels changed since, or when it is stale or\n"
      "damaged) and lists those at or below DIR: p(keep), the zone\n"
      "(likely_keep, unsure, likely_trash) and the uncertainty (0 sure, 1 a\n"
      "coin toss). Without enough labels the quality prior answers\n"
      "(model_version null) and a note on stderr says so.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  g_autofree char *under = NULL;
  if (!cli_open_folder(ctx, "predict", dirs, &under))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  DerushLearnSettings settings;
  DerushTrainResult r;
  if (!derush_catalog_get_learn_settings(ctx->catalog, &settings, &error) ||
      !derush_catalog_update_predictions(ctx->catalog, NULL, &r, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  cli_print_model_state(&r);
  if ((auto_label || settings.auto_label) && r.state == DERUSH_MODEL_TRAINED) {
    gint64 n = derush_catalog_auto_label(ctx->catalog, NULL, &error);
    if (n < 0) {
      cli_print_error(NULL, error);
      return CLI_EXIT_FATAL;
    }
    fprintf(stderr,
            "derush: auto-labelled %" G_GINT64_FORMAT " photos ('derush undo' takes them back)\n",
            n);
  } else if (auto_label) {
    fprintf(stderr, "derush: no trained model: nothing auto-labelled\n");
  }
  PrintState st = {json};
  if (!derush_catalog_foreach_prediction(ctx->catalog, under, print_prediction_cb, &st, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  return CLI_EXIT_OK;
}
