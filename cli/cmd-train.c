/* cmd-train.c: `derush train`: learn the photographer's taste from the
 * catalog's labels, then predict every photo (one batch). Also the helpers
 * the other learning commands share. */
#include "cli-learn.h"
#include <math.h>

void
cli_json_add_model_version(JsonBuilder *b, gint64 version)
{
  json_builder_set_member_name(b, "model_version");
  if (version > 0)
    json_builder_add_int_value(b, version);
  else
    json_builder_add_null_value(b);
}

void
cli_print_model_state(const DerushTrainResult *r)
{
  if (r->state != DERUSH_MODEL_TRAINED)
    fprintf(stderr, "derush: %s\n", derush_model_state_text(r->state));
}

static void
print_json(const DerushTrainResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  const CliJsonInt counts[] = {{"labels", r->labels}, {"keep", r->keep}, {"trash", r->trash}};
  cli_json_add_ints(b, counts, G_N_ELEMENTS(counts));
  json_builder_set_member_name(b, "cv");
  json_builder_begin_object(b);
  cli_json_add_double(b, "accuracy", r->cv_accuracy);
  cli_json_add_double(b, "roc_auc", r->cv_roc_auc);
  cli_json_add_double(b, "log_loss", r->cv_log_loss);
  cli_json_add_double(b, "keep_loss", r->cv_keep_loss);
  json_builder_end_object(b);
  cli_json_add_double(b, "threshold", r->threshold);
  cli_json_add_model_version(b, r->model_version);
  cli_json_add_double(b, "seconds", r->seconds);
  json_builder_set_member_name(b, "state");
  json_builder_add_string_value(b, derush_model_state_name(r->state));
  cli_json_add_double(b, "keep_threshold", r->keep_threshold);
  json_builder_set_member_name(b, "calibration");
  if (r->state == DERUSH_MODEL_TRAINED)
    json_builder_add_string_value(b, r->isotonic ? "isotonic" : "platt");
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "trees");
  if (r->state == DERUSH_MODEL_TRAINED)
    json_builder_add_int_value(b, r->trees);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "predicted");
  json_builder_add_int_value(b, r->predicted);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  cli_print_json(stdout, root);
}

static void
print_text(const DerushTrainResult *r)
{
  printf("%" G_GINT64_FORMAT " label%s (%" G_GINT64_FORMAT " keep, %" G_GINT64_FORMAT " trash)\n",
         r->labels, r->labels == 1 ? "" : "s", r->keep, r->trash);
  if (r->state != DERUSH_MODEL_TRAINED) {
    printf("No model: %s.\n", derush_model_state_text(r->state));
  } else {
    printf("Model %" G_GINT64_FORMAT " (%d trees, %s calibration)\n", r->model_version, r->trees,
           r->isotonic ? "isotonic" : "Platt");
    if (!isnan(r->cv_accuracy))
      printf("Cross-validated: accuracy %.3f, ROC AUC %.3f, log loss %.3f, keep-loss %.1f%%\n",
             r->cv_accuracy, r->cv_roc_auc, r->cv_log_loss, 100 * r->cv_keep_loss);
    /* A threshold of 0 calls nothing trash: too few keepers to know the
     * keep-loss budget is met ("below p(keep) 0.000" read as a number). */
    if (r->threshold > 0)
      printf("Likely trash below p(keep) %.3f, likely keep from %.3f\n", r->threshold,
             r->keep_threshold);
    else
      printf("No photo called likely trash yet (too few keep labels for the keep-loss budget); "
             "likely keep from %.3f\n",
             r->keep_threshold);
  }
  printf("%" G_GINT64_FORMAT " photos predicted in %.2f s\n", r->predicted, r->seconds);
}

int
cli_cmd_train(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  double budget = -1;
  char *auto_label = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "One JSON object: labels, keep, trash, cv, threshold, model_version, seconds", NULL},
      {"keep-loss-budget", 0, 0, G_OPTION_ARG_DOUBLE, &budget,
       "Set the share of kept photos the model may call trash (a setting; default 0.02)", "F"},
      {"auto-label", 0, 0, G_OPTION_ARG_STRING, &auto_label,
       "Turn auto-labelling of the confident zones on or off (a setting; default off)", "on|off"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Learn keep/trash from the labels and predict every photo.",
      "Trains on every keep/trash label made by a person (auto labels are not\n"
      "training data) with grouped cross-validation: a burst or a near-duplicate\n"
      "group is never split between training and test. The out-of-fold\n"
      "predictions calibrate p(keep) and choose the threshold under which a\n"
      "photo is likely trash, so that at most the keep-loss budget of the\n"
      "photos you keep would be called trash. With fewer than 8 labels, or\n"
      "fewer than 3 of a kind, the predictions are a quality prior and the\n"
      "state says so. Run 'derush analyze' first.",
      entries);
  gboolean parsed = cli_option_context_parse(context, &argc, &argv);
  g_autofree char *auto_owned = auto_label;
  if (!parsed)
    return CLI_EXIT_FATAL;
  if (argc > 1)
    return cli_usage_error("train", "unexpected argument '%s'", argv[1]);
  if (auto_label && strcmp(auto_label, "on") != 0 && strcmp(auto_label, "off") != 0)
    return cli_usage_error("train", "--auto-label takes on or off, not '%s'", auto_label);
  if (budget != -1 && !(budget >= 0 && budget <= 0.5))
    return cli_usage_error("train", "--keep-loss-budget must be between 0 and 0.5");
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  DerushLearnSettings settings;
  if (!derush_catalog_get_learn_settings(ctx->catalog, &settings, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  if (budget != -1 || auto_label) {
    if (budget != -1)
      settings.keep_loss_budget = budget;
    if (auto_label)
      settings.auto_label = strcmp(auto_label, "on") == 0;
    if (!derush_catalog_set_learn_settings(ctx->catalog, &settings, &error)) {
      cli_print_error(NULL, error);
      return CLI_EXIT_FATAL;
    }
  }
  DerushTrainResult r;
  if (!derush_catalog_train(ctx->catalog, NULL, &r, &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  if (settings.auto_label && r.state == DERUSH_MODEL_TRAINED &&
      derush_catalog_auto_label(ctx->catalog, NULL, &error) < 0) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  if (json)
    print_json(&r);
  else
    print_text(&r);
  return CLI_EXIT_OK;
}
