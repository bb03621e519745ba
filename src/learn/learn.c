/* learn.c: learning over the catalog: train, predict, explain, ask next,
 * auto-label, and the settings that steer them.
 *
 * The life of a model: derush_catalog_train() builds the dataset, trains
 * with cross-validation (fit.c), stores the model blob as a new version,
 * then predicts every photo in ONE batch call and stores the answers with
 * that version. derush_catalog_update_predictions() is what start-up and
 * `derush predict` call: it reuses the stored model while it is current,
 * and retrains when labels changed since, when the dataset version moved on
 * (never mixing columns of two versions) or when the blob is damaged.
 * Labels the model itself made (source AUTO) are never training data.
 *
 * Over 600 lines: train, predict, explain, next and auto-label share the
 * model's life cycle above; fit.c and the stores hold the rest.
 */
#include "learn-private.h"
#include "catalog/catalog-private.h"

#define DEFAULT_KEEP_LOSS_BUDGET 0.02
#define JUNK_LEAK_BUDGET 0.10 /* likely keep: at most this share of trash above it */
#define DEFAULT_FOLDS 5
#define KEY_BUDGET "learn.keep_loss_budget"
#define KEY_AUTO_LABEL "learn.auto_label"

static const char *const state_names[] = {"none",    "few_labels", "one_class",
                                          "trained", "stale",      "corrupt"};

/**
 * derush_model_state_name:
 * Returns: (transfer none): the state's stable name.
 */
const char *
derush_model_state_name(DerushModelState state)
{
  return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : "none";
}

/**
 * derush_model_state_text:
 * Returns: (transfer none): what the state means for the user, in a sentence.
 */
const char *
derush_model_state_text(DerushModelState state)
{
  switch (state) {
  case DERUSH_MODEL_NONE:
    return "no labels yet: predictions are a quality prior";
  case DERUSH_MODEL_FEW_LABELS:
    return "too few labels to learn from (8 needed, 3 of each kind): predictions are a "
           "quality prior";
  case DERUSH_MODEL_ONE_CLASS:
    return "every label is the same: label a photo of the other kind; predictions are a "
           "quality prior";
  case DERUSH_MODEL_TRAINED:
    return "trained on your labels";
  case DERUSH_MODEL_STALE:
    return "the model predates the current features: it will be retrained";
  case DERUSH_MODEL_CORRUPT:
    return "the stored model is damaged: it will be retrained";
  }
  return "";
}

static void
append_need(GString *text, gint64 n, const char *what)
{
  if (n <= 0)
    return;
  g_string_append_printf(text, "%s%" G_GINT64_FORMAT " more %slabel%s", text->len ? " and " : "", n,
                         what, n == 1 ? "" : "s");
}

/**
 * derush_learn_needs_text:
 * @keep: the user's keep labels
 * @trash: the user's trash labels
 *
 * What is missing before a model can be trained, in words a user reads:
 * "needs 3 more trash labels", "needs 1 more keep label and 2 more
 * labels". Labelling what it asks for is enough.
 *
 * Returns: (transfer full) (nullable): the sentence, NULL when there are
 * enough labels to train.
 */
char *
derush_learn_needs_text(gint64 keep, gint64 trash)
{
  gint64 need_keep = MAX(0, DERUSH_LEARN_MIN_PER_CLASS - keep);
  gint64 need_trash = MAX(0, DERUSH_LEARN_MIN_PER_CLASS - trash);
  gint64 need_any = MAX(0, DERUSH_LEARN_MIN_LABELS - (keep + trash + need_keep + need_trash));
  if (need_keep + need_trash + need_any == 0)
    return NULL;
  GString *text = g_string_new(NULL);
  append_need(text, need_keep, "keep ");
  append_need(text, need_trash, "trash ");
  append_need(text, need_any, "");
  g_string_prepend(text, "needs ");
  return g_string_free(text, FALSE);
}

/**
 * derush_zone_name:
 * Returns: (transfer none): "likely_trash", "unsure" or "likely_keep".
 */
const char *
derush_zone_name(DerushZone zone)
{
  static const char *const names[] = {"likely_trash", "unsure", "likely_keep"};
  return (guint)zone < G_N_ELEMENTS(names) ? names[zone] : "unsure";
}

/**
 * derush_train_options_init:
 * The catalog's keep-loss budget, 5 folds, every core.
 */
void
derush_train_options_init(DerushTrainOptions *options)
{
  options->keep_loss_budget = -1;
  options->folds = DEFAULT_FOLDS;
  options->threads = 0;
}

/**
 * derush_catalog_get_learn_settings:
 * Fills @settings from the catalog (the defaults where unset: a 2% keep-loss
 * budget, auto-labelling off).
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_catalog_get_learn_settings(DerushCatalog *catalog, DerushLearnSettings *settings,
                                  GError **error)
{
  settings->keep_loss_budget = DEFAULT_KEEP_LOSS_BUDGET;
  settings->auto_label = FALSE;
  g_autofree char *budget = NULL;
  g_autofree char *auto_label = NULL;
  if (!_derush_catalog_read_setting(catalog, KEY_BUDGET, &budget, error) ||
      !_derush_catalog_read_setting(catalog, KEY_AUTO_LABEL, &auto_label, error))
    return FALSE;
  if (budget) {
    double v = g_ascii_strtod(budget, NULL);
    if (v >= 0 && v < 1)
      settings->keep_loss_budget = v;
  }
  settings->auto_label = auto_label && strcmp(auto_label, "1") == 0;
  return TRUE;
}

/**
 * derush_catalog_set_learn_settings:
 * Stores @settings; the budget must be in [0, 0.5].
 */
gboolean
derush_catalog_set_learn_settings(DerushCatalog *catalog, const DerushLearnSettings *settings,
                                  GError **error)
{
  if (!(settings->keep_loss_budget >= 0 && settings->keep_loss_budget <= 0.5)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED,
                "the keep-loss budget must be between 0 and 0.5, not %g",
                settings->keep_loss_budget);
    return FALSE;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_dtostr(buf, sizeof(buf), settings->keep_loss_budget);
  return _derush_catalog_put_setting(catalog, KEY_BUDGET, buf, error) &&
         _derush_catalog_put_setting(catalog, KEY_AUTO_LABEL, settings->auto_label ? "1" : "0",
                                     error);
}

gboolean
_derush_learn_fit_options(DerushCatalog *cat, const DerushTrainOptions *options,
                          DerushFitOptions *fo, GError **error)
{
  DerushTrainOptions defaults;
  if (!options) {
    derush_train_options_init(&defaults);
    options = &defaults;
  }
  fo->keep_loss_budget = options->keep_loss_budget;
  if (fo->keep_loss_budget < 0) {
    DerushLearnSettings s;
    if (!derush_catalog_get_learn_settings(cat, &s, error))
      return FALSE;
    fo->keep_loss_budget = s.keep_loss_budget;
  }
  fo->junk_leak_budget = JUNK_LEAK_BUDGET;
  fo->folds = options->folds > 1 ? options->folds : DEFAULT_FOLDS;
  fo->threads = MAX(options->threads, 0);
  return TRUE;
}

static void
result_init(DerushTrainResult *r)
{
  memset(r, 0, sizeof(*r));
  r->cv_accuracy = r->cv_roc_auc = r->cv_log_loss = r->cv_keep_loss = NAN;
  r->threshold = r->keep_threshold = NAN;
}

/* Predicts every photo of @ds in one batch (or the prior) and stores it. */
static gboolean
predict_and_store(DerushCatalog *cat, DerushLearnModel *model, gint64 version,
                  const DerushDataset *ds, DerushTrainResult *result, GError **error)
{
  guint n = ds->photos->len;
  g_autofree double *p = g_new(double, MAX(n, 1)), *u = g_new(double, MAX(n, 1));
  g_autofree int *zone = g_new(int, MAX(n, 1));
  g_autofree gint64 *ids = g_new(gint64, MAX(n, 1));
  if (!_derush_learn_predict(model, ds, p, zone, u, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    ids[i] = g_array_index(ds->photos, DerushLearnPhoto, i).id;
  if (!_derush_catalog_store_predictions(cat, n, ids, p, zone, u, model ? version : 0, error))
    return FALSE;
  result->predicted = n;
  /* Best of group follows the model (group/best-pick.c), or the quality
   * score again when the prior answered. */
  return derush_catalog_update_best_picks(cat, &result->best_changed, error);
}

/* The rows people labelled keep or trash, and their 1/0 targets. */
static guint
training_rows(const DerushDataset *ds, guint *rows, float *y)
{
  guint n = 0;
  for (guint i = 0; i < ds->photos->len; i++) {
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    if (p->label == DERUSH_LABEL_NONE || p->source == DERUSH_SOURCE_AUTO)
      continue;
    rows[n] = i;
    y[n] = p->label == DERUSH_LABEL_KEEP ? 1.0f : 0.0f;
    n++;
  }
  return n;
}

static gboolean
train_dataset(DerushCatalog *cat, const DerushDataset *ds, const DerushTrainOptions *options,
              DerushTrainResult *result, GError **error)
{
  gint64 start = g_get_monotonic_time();
  DerushFitOptions fo;
  if (!_derush_learn_fit_options(cat, options, &fo, error))
    return FALSE;
  result_init(result);
  guint total = ds->photos->len;
  g_autofree guint *rows = g_new(guint, MAX(total, 1));
  g_autofree float *y = g_new(float, MAX(total, 1));
  gint64 last_event = derush_catalog_get_last_event_id(cat);
  guint n = training_rows(ds, rows, y);
  DerushModelState state;
  g_autoptr(DerushLearnModel) model = _derush_learn_fit(ds, rows, y, n, &fo, &state, error);
  if (!model && state == DERUSH_MODEL_TRAINED)
    return FALSE;
  if (model) {
    *result = model->info;
    g_autoptr(GBytes) blob = _derush_learn_model_to_blob(model, error);
    if (!blob)
      return FALSE;
    gsize len;
    const void *data = g_bytes_get_data(blob, &len);
    if (!_derush_catalog_store_model(cat, data, len, model->dataset_version, n, last_event,
                                     &result->model_version, error))
      return FALSE;
  } else {
    result->state = state;
    result->labels = n;
    for (guint i = 0; i < n; i++)
      result->keep += y[i] > 0.5f;
    result->trash = n - result->keep;
  }
  if (!predict_and_store(cat, model, result->model_version, ds, result, error))
    return FALSE;
  result->seconds = (g_get_monotonic_time() - start) / 1e6;
  return TRUE;
}

/**
 * derush_catalog_train:
 * @catalog: the catalog
 * @options: (nullable): NULL for derush_train_options_init()
 * @result: (out): counts, cross-validated figures, thresholds, version
 * @error: return location for a GError
 *
 * See derush-learn.h. Returns: FALSE with @error set only when the catalog
 * or XGBoost fails; too few labels is a state in @result.
 */
gboolean
derush_catalog_train(DerushCatalog *catalog, const DerushTrainOptions *options,
                     DerushTrainResult *result, GError **error)
{
  g_return_val_if_fail(catalog != NULL && result != NULL, FALSE);
  g_autoptr(DerushDataset) ds = _derush_dataset_load(catalog, error);
  if (!ds)
    return FALSE;
  return train_dataset(catalog, ds, options, result, error);
}

/* Loads the newest stored model. A missing, stale or damaged one is a
 * state in @info, not an error; errors are the catalog's. */
static gboolean
load_model(DerushCatalog *cat, DerushLearnModel **model_out, gint64 *last_event,
           DerushTrainResult *info, GError **error)
{
  result_init(info);
  *model_out = NULL;
  g_autoptr(GBytes) blob = NULL;
  gint64 version = 0, dataset_version = 0;
  if (!_derush_catalog_load_model(cat, &blob, &version, &dataset_version, last_event, error))
    return FALSE;
  if (!blob) {
    info->state = DERUSH_MODEL_NONE;
    return TRUE;
  }
  info->model_version = version;
  info->dataset_version = dataset_version;
  if (dataset_version != DERUSH_LEARN_DATASET_VERSION) {
    info->state = DERUSH_MODEL_STALE;
    return TRUE;
  }
  gsize len;
  const void *data = g_bytes_get_data(blob, &len);
  g_autoptr(GError) local = NULL;
  DerushLearnModel *model = _derush_learn_model_from_blob(data, len, &local);
  if (!model || model->n_cols != _derush_dataset_n_columns()) {
    _derush_learn_model_free(model);
    info->state = DERUSH_MODEL_CORRUPT;
    return TRUE;
  }
  *info = model->info;
  info->model_version = version;
  *model_out = model;
  return TRUE;
}

/**
 * derush_catalog_model_info:
 * @result: (out): the stored model's state, counts and figures
 *
 * What the app calls at start-up: loads the newest model (blob checked,
 * XGBoost model parsed) and describes it. When the labels in the catalog
 * no longer allow a model (undone below the minimum), the state says so.
 */
gboolean
derush_catalog_model_info(DerushCatalog *catalog, DerushTrainResult *result, GError **error)
{
  g_return_val_if_fail(catalog != NULL && result != NULL, FALSE);
  gint64 start = g_get_monotonic_time(), last_event = 0, keep, trash;
  g_autoptr(DerushLearnModel) model = NULL;
  if (!load_model(catalog, &model, &last_event, result, error) ||
      !_derush_catalog_count_labels(catalog, &keep, &trash, error))
    return FALSE;
  DerushModelState by_labels = _derush_learn_state_for(keep, trash);
  if (by_labels != DERUSH_MODEL_TRAINED) {
    result_init(result);
    result->state = by_labels;
    result->labels = keep + trash;
    result->keep = keep;
    result->trash = trash;
  }
  result->seconds = (g_get_monotonic_time() - start) / 1e6;
  return TRUE;
}

/**
 * derush_catalog_update_predictions:
 * @options: (nullable): for a retrain, as derush_catalog_train()
 * @result: (out): the model that answered
 *
 * See derush-learn.h: one batch prediction of every photo, stored; the
 * model is retrained first when it is missing, stale, damaged or older
 * than the newest label.
 */
gboolean
derush_catalog_update_predictions(DerushCatalog *catalog, const DerushTrainOptions *options,
                                  DerushTrainResult *result, GError **error)
{
  g_return_val_if_fail(catalog != NULL && result != NULL, FALSE);
  gint64 start = g_get_monotonic_time(), last_event = 0, keep, trash;
  g_autoptr(DerushLearnModel) model = NULL;
  if (!load_model(catalog, &model, &last_event, result, error) ||
      !_derush_catalog_count_labels(catalog, &keep, &trash, error))
    return FALSE;
  g_autoptr(DerushDataset) ds = _derush_dataset_load(catalog, error);
  if (!ds)
    return FALSE;
  DerushModelState by_labels = _derush_learn_state_for(keep, trash);
  gboolean current = model && last_event == derush_catalog_get_last_event_id(catalog);
  if (by_labels == DERUSH_MODEL_TRAINED && !current)
    return train_dataset(catalog, ds, options, result, error);
  if (by_labels != DERUSH_MODEL_TRAINED) {
    g_clear_pointer(&model, _derush_learn_model_free);
    result_init(result);
    result->state = by_labels;
    result->labels = keep + trash;
    result->keep = keep;
    result->trash = trash;
  }
  if (!predict_and_store(catalog, model, result->model_version, ds, result, error))
    return FALSE;
  result->seconds = (g_get_monotonic_time() - start) / 1e6;
  return TRUE;
}

/**
 * derush_explanation_free:
 * Frees an explanation and its reasons.
 */
void
derush_explanation_free(DerushExplanation *e)
{
  if (!e)
    return;
  for (guint i = 0; i < e->n_reasons; i++) {
    g_free(e->reasons[i].feature);
    g_free(e->reasons[i].text);
  }
  g_free(e->reasons);
  g_free(e->path);
  g_free(e);
}

typedef struct {
  int col;
  double contribution;
} Contribution;

static int
cmp_contribution(const void *pa, const void *pb)
{
  const Contribution *a = pa, *b = pb;
  double x = fabs(a->contribution), y = fabs(b->contribution);
  if (x != y)
    return x > y ? -1 : 1;
  return a->col - b->col;
}

/**
 * derush_catalog_explain:
 * See derush-learn.h. The contributions are computed for these photos
 * only (a DMatrix of their rows): the cost of pred_contribs grows with the
 * rows, and nobody reads 100,000 explanations.
 */
GPtrArray *
derush_catalog_explain(DerushCatalog *catalog, const char *const *paths, int max_reasons,
                       GError **error)
{
  g_return_val_if_fail(catalog != NULL && paths != NULL, NULL);
  gint64 last_event;
  DerushTrainResult info;
  g_autoptr(DerushLearnModel) model = NULL;
  if (!load_model(catalog, &model, &last_event, &info, error))
    return NULL;
  if (!model) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                "no trained model to explain with (%s): run derush train",
                derush_model_state_text(info.state));
    return NULL;
  }
  g_autoptr(DerushDataset) ds = _derush_dataset_load(catalog, error);
  if (!ds)
    return NULL;
  g_autoptr(GHashTable) by_path = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < ds->photos->len; i++)
    g_hash_table_insert(by_path, g_array_index(ds->photos, DerushLearnPhoto, i).path,
                        GUINT_TO_POINTER(i + 1));
  guint n = g_strv_length((char **)paths);
  int m = ds->n_cols;
  g_autofree float *x = g_new(float, (gsize)MAX(n, 1) * m);
  for (guint k = 0; k < n; k++) {
    guint i = GPOINTER_TO_UINT(g_hash_table_lookup(by_path, paths[k]));
    if (!i) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                  "%s: not a readable photo of the catalog", paths[k]);
      return NULL;
    }
    memcpy(x + (gsize)k * m, ds->x + (gsize)(i - 1) * m, m * sizeof(float));
  }
  g_autofree float *raw = g_new(float, MAX(n, 1));
  g_autofree float *contrib = g_new(float, (gsize)MAX(n, 1) * (m + 1));
  if (!_derush_booster_predict(model->booster, x, n, m, raw, error) ||
      !_derush_booster_contribs(model->booster, x, n, m, contrib, error))
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)derush_explanation_free);
  g_autofree Contribution *c = g_new(Contribution, m);
  for (guint k = 0; k < n; k++) {
    DerushExplanation *e = g_new0(DerushExplanation, 1);
    e->path = g_strdup(paths[k]);
    e->p_keep = _derush_calibration_apply(&model->calibration, raw[k]);
    e->model_version = info.model_version;
    for (int j = 0; j < m; j++)
      c[j] = (Contribution){j, contrib[(gsize)k * (m + 1) + j]};
    qsort(c, m, sizeof(Contribution), cmp_contribution);
    e->reasons = g_new0(DerushReason, MAX(max_reasons, 1));
    for (int j = 0; j < m && (int)e->n_reasons < max_reasons; j++) {
      if (c[j].contribution == 0)
        break;
      DerushReason *r = &e->reasons[e->n_reasons++];
      r->feature = g_strdup(_derush_dataset_column_name(c[j].col));
      r->value = x[(gsize)k * m + c[j].col];
      r->contribution = c[j].contribution;
      r->text = _derush_reason_text(c[j].col, r->value, r->contribution);
    }
    g_ptr_array_add(out, e);
  }
  return out;
}

/**
 * derush_pick_free:
 * Frees a pick of derush_catalog_next().
 */
void
derush_pick_free(DerushPick *pick)
{
  if (!pick)
    return;
  g_free(pick->path);
  g_free(pick);
}

typedef struct {
  GHashTable *by_id; /* gint64 id -> index + 1 */
  double *p;
  gboolean have_model;
} StoredPredictions;

static gboolean
stored_prediction_cb(const DerushPrediction *prediction, gpointer user_data)
{
  StoredPredictions *sp = user_data;
  guint i = GPOINTER_TO_UINT(g_hash_table_lookup(sp->by_id, &prediction->photo_id));
  if (i) {
    sp->p[i - 1] = prediction->p_keep;
    sp->have_model |= prediction->model_version > 0;
  }
  return TRUE;
}

/**
 * derush_catalog_next:
 * See derush-learn.h. Photos labelled by people count as labelled; auto
 * labels do not (confirming them teaches too).
 */
GPtrArray *
derush_catalog_next(DerushCatalog *catalog, int n, GError **error)
{
  g_return_val_if_fail(catalog != NULL, NULL);
  g_autoptr(DerushDataset) ds = _derush_dataset_load(catalog, error);
  if (!ds)
    return NULL;
  guint total = ds->photos->len;
  g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autofree double *p = g_new(double, MAX(total, 1));
  g_autofree int *label_of = g_new(int, MAX(total, 1));
  for (guint i = 0; i < total; i++) {
    DerushLearnPhoto *ph = &g_array_index(ds->photos, DerushLearnPhoto, i);
    g_hash_table_insert(by_id, &ph->id, GUINT_TO_POINTER(i + 1));
    p[i] = NAN;
    gboolean by_person = ph->label != DERUSH_LABEL_NONE && ph->source != DERUSH_SOURCE_AUTO;
    label_of[i] = !by_person ? -1 : ph->label == DERUSH_LABEL_KEEP ? 1 : 0;
  }
  StoredPredictions sp = {by_id, p, FALSE};
  if (!derush_catalog_foreach_prediction(catalog, NULL, stored_prediction_cb, &sp, error))
    return NULL;
  g_autoptr(GArray) picks = _derush_active_pick(ds, label_of, p, sp.have_model, n);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)derush_pick_free);
  for (guint k = 0; k < picks->len; k++) {
    guint i = g_array_index(picks, guint, k);
    const DerushLearnPhoto *ph = &g_array_index(ds->photos, DerushLearnPhoto, i);
    DerushPick *pick = g_new0(DerushPick, 1);
    pick->photo_id = ph->id;
    pick->path = g_strdup(ph->path);
    pick->p_keep = p[i];
    pick->uncertainty = isnan(p[i]) ? 1 : _derush_uncertainty_of(p[i]);
    pick->burst = ph->group[DERUSH_GROUP_BURST];
    pick->session = ph->group[DERUSH_GROUP_SESSION];
    g_ptr_array_add(out, pick);
  }
  return out;
}

typedef struct {
  GArray *ids;
  GArray *changes;
} AutoLabels;

static gboolean
auto_label_cb(const DerushPrediction *prediction, gpointer user_data)
{
  AutoLabels *al = user_data;
  if (prediction->model_version <= 0 || prediction->label != DERUSH_LABEL_NONE ||
      prediction->zone == DERUSH_ZONE_UNSURE)
    return TRUE;
  DerushLabelChange change = {.set_label = TRUE};
  change.label =
      prediction->zone == DERUSH_ZONE_LIKELY_KEEP ? DERUSH_LABEL_KEEP : DERUSH_LABEL_TRASH;
  g_array_append_val(al->ids, prediction->photo_id);
  g_array_append_val(al->changes, change);
  return TRUE;
}

/**
 * derush_catalog_auto_label:
 * @batch_out: (out) (optional): the batch, 0 when nothing was labelled
 *
 * See derush-learn.h.
 */
gint64
derush_catalog_auto_label(DerushCatalog *catalog, gint64 *batch_out, GError **error)
{
  g_return_val_if_fail(catalog != NULL, -1);
  if (batch_out)
    *batch_out = 0;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) changes = g_array_new(FALSE, FALSE, sizeof(DerushLabelChange));
  AutoLabels al = {ids, changes};
  if (!derush_catalog_foreach_prediction(catalog, NULL, auto_label_cb, &al, error))
    return -1;
  if (ids->len == 0)
    return 0;
  if (!_derush_catalog_set_labels_each(catalog, (const gint64 *)ids->data,
                                       (const DerushLabelChange *)changes->data, ids->len,
                                       DERUSH_SOURCE_AUTO, batch_out, error))
    return -1;
  return ids->len;
}
