/* cmd-eval.c: `derush eval`: numbers against ground truth, in the shapes
 * DESIGN.md fixes for scripts. */
#include "cli-analysis.h"

static void
unreadable_cb(const char *path, const char *reason, gpointer user_data)
{
  GPtrArray *list = user_data;
  g_ptr_array_add(list, g_strdup(path));
  cli_print_file_error(path, reason);
}

static int
eval_grouping(CliContext *ctx, const char *truth, gboolean json, const DerushGroupOptions *gopt)
{
  g_autoptr(GPtrArray) unreadable = g_ptr_array_new_with_free_func(g_free);
  DerushGroupingEval r;
  g_autoptr(GError) error = NULL;
  if (!derush_eval_grouping(ctx->catalog, truth, gopt, unreadable_cb, unreadable, &r, &error)) {
    cli_print_error(truth, error);
    return CLI_EXIT_FATAL;
  }
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_add_double(b, "precision", r.precision);
    cli_json_add_double(b, "recall", r.recall);
    cli_json_add_double(b, "f1", r.f1);
    const CliJsonInt counts[] = {
        {"pairs_truth", r.pairs_truth},     {"pairs_found", r.pairs_found},
        {"pairs_correct", r.pairs_correct}, {"photos", r.photos},
        {"unreadable", r.unreadable},       {"unreadable_expected", r.unreadable_expected},
    };
    cli_json_add_ints(b, counts, G_N_ELEMENTS(counts));
    cli_json_add_path_array(b, "unreadable_paths", (const char *const *)unreadable->pdata,
                            unreadable->len);
    json_builder_set_member_name(b, "by_relation");
    json_builder_begin_object(b);
    for (guint k = 0; k < r.by_relation->len; k++) {
      const DerushRelationRecall *rr = &g_array_index(r.by_relation, DerushRelationRecall, k);
      json_builder_set_member_name(b, rr->relation);
      json_builder_begin_object(b);
      cli_json_add_double(b, "recall", rr->recall);
      json_builder_set_member_name(b, "pairs_truth");
      json_builder_add_int_value(b, rr->pairs_truth);
      json_builder_set_member_name(b, "pairs_correct");
      json_builder_add_int_value(b, rr->pairs_correct);
      json_builder_end_object(b);
    }
    json_builder_end_object(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    printf("Near-duplicate pairs: precision %.3f, recall %.3f, F1 %.3f\n", r.precision, r.recall,
           r.f1);
    printf("  %" G_GINT64_FORMAT " pairs in the truth, %" G_GINT64_FORMAT
           " found, %" G_GINT64_FORMAT " correct; %" G_GINT64_FORMAT " photos, %" G_GINT64_FORMAT
           " unreadable (%" G_GINT64_FORMAT " marked so in the truth)\n",
           r.pairs_truth, r.pairs_found, r.pairs_correct, r.photos, r.unreadable,
           r.unreadable_expected);
    if (r.by_relation->len)
      printf("Recall by relation (truth pairs with such a member):\n");
    for (guint k = 0; k < r.by_relation->len; k++) {
      const DerushRelationRecall *rr = &g_array_index(r.by_relation, DerushRelationRecall, k);
      printf("  %-24s %.3f  (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT ")\n", rr->relation,
             rr->recall, rr->pairs_correct, rr->pairs_truth);
    }
  }
  derush_grouping_eval_clear(&r);
  return CLI_EXIT_OK;
}

static int
eval_blur(CliContext *ctx, const char *truth, gboolean json)
{
  DerushBlurEval r;
  g_autoptr(GError) error = NULL;
  if (!derush_eval_blur(ctx->catalog, truth, &r, &error)) {
    cli_print_error(truth, error);
    return CLI_EXIT_FATAL;
  }
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "triplets");
    json_builder_add_int_value(b, r.triplets);
    cli_json_add_double(b, "ranked_sharp_first", r.ranked_sharp_first);
    json_builder_set_member_name(b, "sharp_first");
    json_builder_add_int_value(b, r.sharp_first);
    json_builder_set_member_name(b, "frames");
    json_builder_add_int_value(b, r.frames);
    json_builder_set_member_name(b, "frames_sharp");
    json_builder_add_int_value(b, r.frames_sharp);
    cli_json_add_double(b, "roc_auc", r.roc_auc);
    cli_json_add_double(b, "soft_accuracy", r.soft_accuracy);
    cli_json_add_double(b, "visible_sharp_flagged", r.visible_sharp_flagged);
    cli_json_add_double(b, "visible_blur_flagged", r.visible_blur_flagged);
    cli_json_add_double(b, "roc_auc_lap_var", r.roc_auc_lap_var);
    cli_json_add_double(b, "roc_auc_old_sharpness", r.roc_auc_old_sharpness);
    json_builder_set_member_name(b, "best_feature");
    if (r.best_feature)
      json_builder_add_string_value(b, r.best_feature);
    else
      json_builder_add_null_value(b);
    cli_json_add_double(b, "best_feature_roc_auc", r.best_feature_roc_auc);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    printf("Sharp frame ranked first in %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
           " scenes (%.3f)\n",
           r.sharp_first, r.triplets, r.ranked_sharp_first);
    printf("Frames on their own (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
           " sharp): sharpness_score ROC-AUC %.3f, soft right on %.3f\n",
           r.frames, r.frames_sharp, r.roc_auc, r.soft_accuracy);
    printf("  The app's soft warning (soft_visible) on %.3f of the sharp frames, %.3f of the"
           " blurred\n",
           r.visible_sharp_flagged, r.visible_blur_flagged);
    printf("  ROC-AUC of lap_var %.3f, of the old sharpness %.3f, of the best old feature"
           " (%s) %.3f\n",
           r.roc_auc_lap_var, r.roc_auc_old_sharpness, r.best_feature ? r.best_feature : "-",
           r.best_feature_roc_auc);
  }
  return CLI_EXIT_OK;
}

static void
faces_bad_file(const char *path, const char *reason, gpointer user_data)
{
  cli_print_file_error(path, reason);
}

static int
eval_faces(const char *truth, const char *model_dir, gboolean json)
{
  DerushFacesEval r;
  g_autoptr(GError) error = NULL;
  if (!derush_eval_faces(truth, model_dir, faces_bad_file, NULL, &r, &error)) {
    cli_print_error(truth, error);
    return CLI_EXIT_FATAL;
  }
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "photos");
    json_builder_add_int_value(b, r.photos);
    cli_json_add_double(b, "count_accuracy", r.count_accuracy);
    cli_json_add_double(b, "closed_precision", r.closed_precision);
    cli_json_add_double(b, "closed_recall", r.closed_recall);
    const struct {
      const char *key;
      gint64 value;
    } ints[] = {{"unreadable", r.unreadable},
                {"faces_truth", r.faces_truth},
                {"faces_found", r.faces_found},
                {"closed_truth", r.closed_truth},
                {"closed_found", r.closed_found},
                {"empty_photos", r.empty_photos},
                {"empty_photos_with_faces", r.empty_photos_with_faces}};
    for (guint i = 0; i < G_N_ELEMENTS(ints); i++) {
      json_builder_set_member_name(b, ints[i].key);
      json_builder_add_int_value(b, ints[i].value);
    }
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    printf("Face count right on %.3f of %" G_GINT64_FORMAT " photos; closed eyes: precision "
           "%.3f, recall %.3f (%" G_GINT64_FORMAT " found, %" G_GINT64_FORMAT
           " in the truth); faces on %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
           " photos without any\n",
           r.count_accuracy, r.photos, r.closed_precision, r.closed_recall, r.closed_found,
           r.closed_truth, r.empty_photos_with_faces, r.empty_photos);
  }
  return r.unreadable ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}

static int
eval_learning(CliContext *ctx, const char *taste, const char *order_name, int step, int seed,
              gboolean json)
{
  DerushLearnOrder order = DERUSH_LEARN_ORDER_ACTIVE;
  if (order_name && g_str_equal(order_name, "random"))
    order = DERUSH_LEARN_ORDER_RANDOM;
  else if (order_name && !g_str_equal(order_name, "active"))
    return cli_usage_error("eval", "--order takes active or random, not '%s'", order_name);
  DerushLearningEval r;
  g_autoptr(GError) error = NULL;
  if (!derush_eval_learning(ctx->catalog, taste, order, step, (guint32)seed, NULL, &r, &error)) {
    cli_print_error(taste, error);
    return CLI_EXIT_FATAL;
  }
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "photos");
  json_builder_add_int_value(b, r.photos);
  json_builder_set_member_name(b, "curve");
  json_builder_begin_array(b);
  if (!json)
    printf("%6s  %-10s  %8s  %9s  %9s  %7s  %8s\n", "labels", "state", "accuracy", "keep_loss",
           "junk_leak", "roc_auc", "log_loss");
  for (guint i = 0; i < r.curve->len; i++) {
    const DerushLearningPoint *pt = &g_array_index(r.curve, DerushLearningPoint, i);
    if (!json)
      printf("%6" G_GINT64_FORMAT "  %-10s  %8.3f  %9.3f  %9.3f  %7.3f  %8.3f\n", pt->labels,
             derush_model_state_name(pt->state), pt->accuracy, pt->keep_loss, pt->junk_leak,
             pt->roc_auc, pt->log_loss);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "labels");
    json_builder_add_int_value(b, pt->labels);
    cli_json_add_double(b, "accuracy", pt->accuracy);
    cli_json_add_double(b, "keep_loss", pt->keep_loss);
    cli_json_add_double(b, "junk_leak", pt->junk_leak);
    cli_json_add_double(b, "roc_auc", pt->roc_auc);
    cli_json_add_double(b, "log_loss", pt->log_loss);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, derush_model_state_name(pt->state));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  if (json) {
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    printf("%" G_GINT64_FORMAT " photos\n", r.photos);
  }
  derush_learning_eval_clear(&r);
  return CLI_EXIT_OK;
}

static int
eval_detector(const char *truth, gboolean json)
{
  DerushDetectorEval r;
  g_autoptr(GError) error = NULL;
  if (!derush_eval_detector(truth, NULL, &r, &error)) {
    if (g_error_matches(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND) &&
        !g_file_test(truth, G_FILE_TEST_IS_DIR))
      cli_print_file_error(truth, "no such folder");
    else
      cli_print_error(truth, error);
    return CLI_EXIT_FATAL;
  }
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    const CliJsonInt counts[] = {
        {"images", r.images},
        {"truth_boxes", r.truth},
        {"detections", r.detections},
        {"classes", r.classes},
    };
    cli_json_add_ints(b, counts, 1);
    cli_json_add_double(b, "map50", r.map50);
    cli_json_add_double(b, "map50_95", r.map50_95);
    cli_json_add_double(b, "map75", r.map75);
    cli_json_add_ints(b, counts + 1, G_N_ELEMENTS(counts) - 1);
    cli_json_add_double(b, "seconds", r.seconds);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
  } else {
    printf("Detector mAP on %" G_GINT64_FORMAT " images: %.3f at IoU 0.50, %.3f at 0.75, %.3f at "
           "0.50:0.95\n",
           r.images, r.map50, r.map75, r.map50_95);
    printf("  %" G_GINT64_FORMAT " truth boxes over %" G_GINT64_FORMAT " classes, %" G_GINT64_FORMAT
           " detections scored (%.1f s)\n",
           r.truth, r.classes, r.detections, r.seconds);
  }
  return CLI_EXIT_OK;
}

int
cli_cmd_eval(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  char *truth = NULL;
  g_autofree char *taste = NULL, *order = NULL;
  int step = 10, seed = 0;
  g_auto(GStrv) rest = NULL;
  CliGroupArgs gargs;
  cli_group_args_init(&gargs);
  const GOptionEntry entries[] = {
      {"truth", 't', 0, G_OPTION_ARG_FILENAME, &truth,
       "The ground-truth CSV (a folder for eval detector)", "CSV|DIR"},
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result as one JSON object", NULL},
      {"taste", 0, 0, G_OPTION_ARG_FILENAME, &taste, "eval learning: the taste CSV (path,label)",
       "CSV"},
      {"order", 0, 0, G_OPTION_ARG_STRING, &order,
       "eval learning: label in derush's active order (default) or at random", "active|random"},
      {"step", 0, 0, G_OPTION_ARG_INT, &step, "eval learning: labels between points (10)", "N"},
      {"seed", 0, 0, G_OPTION_ARG_INT, &seed,
       "eval learning: the random order's shuffle (1 to 2^31-1; default 42)", "S"},
      CLI_GROUP_ENTRIES(&gargs),
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL,
       "grouping|blur|faces|learning|detector"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Measure derush against ground truth.",
      "eval grouping --truth CSV: CSV is path,group[,relation,note], paths relative\n"
      "  to the CSV's folder; an empty group marks a file that is not a photo (it is\n"
      "  reported unreadable). The files are scanned and analyzed as needed, the\n"
      "  catalog is regrouped with the grouping options, and pairwise precision,\n"
      "  recall and F1 of the near-duplicate groups are printed. JSON: {precision,\n"
      "  recall, f1, pairs_truth, pairs_found, pairs_correct, photos, unreadable,\n"
      "  unreadable_expected, unreadable_paths}.\n"
      "eval blur --truth CSV: CSV is file,scene_id,device,label (sharp, defocus_blur,\n"
      "  motion_blur); prints the fraction of scenes whose sharp frame scores above\n"
      "  every blurred one, then judges each frame alone: ROC-AUC of sharpness_score and\n"
      "  the soft flag's accuracy. JSON: {triplets, ranked_sharp_first, sharp_first,\n"
      "  frames, frames_sharp, roc_auc, soft_accuracy, visible_sharp_flagged,\n"
      "  visible_blur_flagged, roc_auc_lap_var,\n"
      "  roc_auc_old_sharpness, best_feature, best_feature_roc_auc}.\n"
      "eval faces --truth CSV: CSV is path,faces,eyes_closed[,note] (faces at least\n"
      "  48 px wide, those with both eyes closed); the files are read directly. JSON:\n"
      "  {photos, count_accuracy, closed_precision, closed_recall, unreadable,\n"
      "  faces_truth, faces_found, closed_truth, closed_found, empty_photos,\n"
      "  empty_photos_with_faces}.\n"
      "eval detector --truth DIR: DIR holds images/, boxes.csv\n"
      "  (image,width,height,class_id,class_name,x0,y0,x1,y1) and classes.txt (the 80\n"
      "  COCO names); runs the detector on every image and prints COCO's mAP\n"
      "  (detections down to 0.01, 100 per image, 101-point interpolation, classes\n"
      "  present averaged). JSON: {images, map50, map50_95, map75, truth_boxes,\n"
      "  detections, classes, seconds}, fractions in 0..1. Needs the model.\n"
      "eval learning --taste CSV [--order random [--seed S]]: CSV is path,label (keep or trash).\n"
      "  Simulates labelling the listed photos from none in derush's active-learning\n"
      "  order (or at random), training as 'derush train' does after every 10 labels\n"
      "  and measuring on the photos not yet labelled. JSON: {photos, curve: [{labels,\n"
      "  accuracy, keep_loss, junk_leak, roc_auc, log_loss, state}]}.",
      entries);
  gboolean parsed = cli_option_context_parse(context, &argc, &argv);
  g_autofree char *truth_owned = truth;
  if (!parsed)
    return CLI_EXIT_FATAL;
  if (!rest || !rest[0])
    return cli_usage_error("eval",
                           "say what to evaluate: grouping, blur, faces, learning or detector");
  if (rest[1])
    return cli_usage_error("eval", "unexpected argument '%s'", rest[1]);
  if (g_str_equal(rest[0], "learning")) {
    const char *csv = taste ? taste : truth;
    if (!csv)
      return cli_usage_error("eval", "--taste CSV is required");
    if (step < 1 || step > 10000)
      return cli_usage_error("eval", "--step must be 1 to 10000");
    if (seed < 0)
      return cli_usage_error("eval", "--seed must be positive");
    if (!g_file_test(csv, G_FILE_TEST_IS_REGULAR)) {
      cli_print_file_error(csv, "no such file");
      return CLI_EXIT_FATAL;
    }
    if (!cli_open_catalog(ctx))
      return CLI_EXIT_FATAL;
    return eval_learning(ctx, csv, order, step, seed, json);
  }
  if (!truth)
    return cli_usage_error("eval", "--truth CSV (DIR for detector) is required");
  if (g_str_equal(rest[0], "detector"))
    return eval_detector(truth, json);
  gboolean grouping = g_str_equal(rest[0], "grouping");
  gboolean faces = g_str_equal(rest[0], "faces");
  if (!grouping && !faces && !g_str_equal(rest[0], "blur"))
    return cli_usage_error(
        "eval", "unknown evaluation '%s' (grouping, blur, faces, learning or detector)", rest[0]);
  DerushGroupOptions gopt;
  if (!cli_group_options_finish("eval", &gargs, &gopt))
    return CLI_EXIT_FATAL;
  if (!g_file_test(truth, G_FILE_TEST_IS_REGULAR)) {
    cli_print_file_error(truth, "no such file");
    return CLI_EXIT_FATAL;
  }
  if (faces)
    return eval_faces(truth, NULL, json);
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  return grouping ? eval_grouping(ctx, truth, json, &gopt) : eval_blur(ctx, truth, json);
}
