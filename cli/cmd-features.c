/* cmd-features.c: `derush features`: one photo's feature vector by name.
 *
 * Each FILE is scanned and analyzed first (both skip what is up to date),
 * so the answer is never stale and a file outside any scanned folder works.
 */
#include "cli-analysis.h"
#include <math.h>

static void
add_embedding_json(JsonBuilder *b, const DerushEmbeddingInfo *e)
{
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, e->name);
  json_builder_set_member_name(b, "size");
  json_builder_add_int_value(b, e->size);
  json_builder_set_member_name(b, "version");
  json_builder_add_int_value(b, e->version);
  json_builder_end_object(b);
}

/* The detector features (NAN without the model) and the stored embeddings'
 * identities: "embedding" the detector's own ({"name", "size", "version"},
 * null when none), "embeddings" every one stored (YOLOX's, MobileNetV2's). */
static void
add_detector_json(JsonBuilder *b, const float *det, const DerushEmbeddingInfo *const *embeddings)
{
  json_builder_set_member_name(b, "detect_version");
  json_builder_add_int_value(b, DERUSH_DETECT_VERSION);
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    cli_json_add_double(b, derush_detect_feature_info(i)->name, det[i]);
  json_builder_set_member_name(b, "embedding");
  if (embeddings[DERUSH_EMBEDDING_YOLOX])
    add_embedding_json(b, embeddings[DERUSH_EMBEDDING_YOLOX]);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "embeddings");
  json_builder_begin_array(b);
  for (int k = 0; k < DERUSH_N_EMBEDDINGS; k++)
    if (embeddings[k])
      add_embedding_json(b, embeddings[k]);
  json_builder_end_array(b);
}

static void
print_features(const char *path, const float *v, const float *det,
               const DerushEmbeddingInfo *const *embeddings, gboolean json)
{
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_add_path(b, "path", path);
    json_builder_set_member_name(b, "features_version");
    json_builder_add_int_value(b, DERUSH_FEATURES_VERSION);
    for (int i = 0; i < DERUSH_N_FEATURES; i++)
      cli_json_add_double(b, derush_feature_info(i)->name, v[i]);
    cli_json_add_double(b, "quality_score", derush_features_quality_score(v));
    json_builder_set_member_name(b, "exposure");
    static const char *const flags[] = {"ok", "under", "over"};
    json_builder_add_string_value(b, flags[derush_features_exposure_flag(v)]);
    json_builder_set_member_name(b, "blank");
    json_builder_add_boolean_value(b, derush_features_blank(v));
    /* The lone-photo judgement; sharpness_score is in the vector above. */
    double sure = 0;
    json_builder_set_member_name(b, "soft");
    json_builder_add_boolean_value(b, derush_features_soft(v, &sure));
    cli_json_add_double(b, "soft_confidence",
                        isnan(v[DERUSH_FEATURE_SHARPNESS_SCORE]) ? NAN : sure);
    json_builder_set_member_name(b, "soft_visible");
    json_builder_add_boolean_value(b, derush_features_soft_visible(v, &sure));
    cli_json_add_double(b, "soft_visible_confidence",
                        isnan(v[DERUSH_FEATURE_EDGE_WIDTH_CRISP]) ? NAN : sure);
    json_builder_set_member_name(b, "noisy");
    json_builder_add_boolean_value(b, derush_features_noisy(v, &sure));
    cli_json_add_double(b, "noisy_confidence", isnan(v[DERUSH_FEATURE_NOISE_FLAT]) ? NAN : sure);
    add_detector_json(b, det, embeddings);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
    return;
  }
  g_autofree char *display = cli_quote_path(path);
  printf("%s\n", display);
  for (int i = 0; i < DERUSH_N_FEATURES; i++) {
    const DerushFeatureInfo *info = derush_feature_info(i);
    if (isnan(v[i]))
      printf("  %-18s %12s  %s\n", info->name, "-", info->meaning);
    else
      printf("  %-18s %12.5g  %s\n", info->name, v[i], info->meaning);
  }
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++) {
    const DerushFeatureInfo *info = derush_detect_feature_info(i);
    if (isnan(det[i]))
      printf("  %-18s %12s  %s\n", info->name, "-", info->meaning);
    else
      printf("  %-18s %12.5g  %s\n", info->name, det[i], info->meaning);
  }
  printf("  %-18s %12s  %s\n", "blank", derush_features_blank(v) ? "yes" : "no",
         "almost no detail anywhere (lens cap, plain colour)");
  double sure = 0;
  gboolean soft = derush_features_soft(v, &sure);
  printf("  %-18s %12s  %s (%.0f%% sure)\n", "soft", soft ? "yes" : "no",
         "softer than a sharp photo of any scene", 100 * sure);
  soft = derush_features_soft_visible(v, &sure);
  printf("  %-18s %12s  %s (%.0f%% sure)\n", "soft_visible", soft ? "yes" : "no",
         "soft at screen size: the app's warning", 100 * sure);
  gboolean noisy = derush_features_noisy(v, &sure);
  printf("  %-18s %12s  %s (%.0f%% sure)\n", "noisy", noisy ? "yes" : "no",
         "visible grain at screen size", 100 * sure);
  for (int k = 0; k < DERUSH_N_EMBEDDINGS; k++)
    if (embeddings[k])
      printf("  %-18s %12d  %s, version %d\n", "embedding", embeddings[k]->size,
             embeddings[k]->name, embeddings[k]->version);
}

int
cli_cmd_features(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  if (!cli_parse_files_command(
          ctx, "features", &argc, &argv, "Print the feature vector of photos.",
          "Scans and analyzes each FILE as needed (nothing is decoded again when it is\n"
          "up to date), then prints every feature with its meaning; docs/features.md\n"
          "has the table. Undefined values are \"-\" (null in JSON), never 0.",
          "One JSON object per file: path, features_version, then every feature by name "
          "(null when undefined)",
          &json, &files))
    return CLI_EXIT_FATAL;

  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  int n_failed = 0;
  g_autoptr(GPtrArray) photos = cli_scan_photo_args(ctx, files, &n_failed);
  if (photos->len == 0)
    return CLI_EXIT_FATAL;

  g_autoptr(GError) error = NULL;
  for (guint i = 0; i < photos->len; i++) {
    const char *path = ((DerushPhoto *)photos->pdata[i])->path;
    DerushAnalyzeOptions aopt;
    derush_analyze_options_init(&aopt);
    aopt.threads = 1;
    aopt.no_groups = TRUE; /* one photo's vector; groups are analyze's job */
    aopt.on_bad_file = cli_print_bad_file_cb;
    DerushAnalyzeSummary asum;
    if (!derush_catalog_analyze(ctx->catalog, path, &aopt, &asum, &error)) {
      cli_print_error(NULL, error);
      return CLI_EXIT_FATAL;
    }
    if (asum.detector_missing)
      cli_print_model_hint_once(DERUSH_DETECTOR_MODEL);
    float v[DERUSH_N_FEATURES];
    const DerushPhoto *photo = photos->pdata[i];
    if (!derush_catalog_get_features(ctx->catalog, path, v, &error)) {
      cli_print_photo_error(photo, error);
      g_clear_error(&error);
      n_failed++;
      continue;
    }
    float det[DERUSH_N_DETECT_FEATURES];
    if (!derush_catalog_get_detector_features(ctx->catalog, photo->id, det, &error)) {
      cli_print_error(path, error);
      return CLI_EXIT_FATAL;
    }
    /* The embeddings themselves are for the learner; here their sizes and
     * versions. */
    const DerushEmbeddingInfo *embeddings[DERUSH_N_EMBEDDINGS] = {NULL};
    for (int k = 0; k < DERUSH_N_EMBEDDINGS; k++) {
      g_autofree float *e = derush_catalog_get_embedding(ctx->catalog, photo->id, k, NULL, NULL);
      if (e)
        embeddings[k] = derush_embedding_info(k);
    }
    print_features(path, v, det, embeddings, json);
  }
  return cli_files_exit_status(n_failed, (int)g_strv_length(files));
}
