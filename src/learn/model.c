/* model.c: a trained model as the catalog keeps it, and its answers.
 *
 * The blob is derush's own little-endian header (dataset version,
 * calibration, thresholds, the CV figures) followed by XGBoost's UBJSON
 * model and its xxh64, so a damaged blob is refused before XGBoost parses
 * a byte of it: a corrupt model is a state, never a crash.
 *
 * Without a model the quality prior answers (prior.c).
 */
#include "learn-private.h"
#include <xxhash.h>

#define BLOB_MAGIC "DRLM"
#define BLOB_FORMAT 1

void
_derush_learn_model_free(DerushLearnModel *model)
{
  if (!model)
    return;
  _derush_booster_free(model->booster);
  _derush_calibration_clear(&model->calibration);
  g_free(model);
}

static void
put_u64(GByteArray *out, guint64 v)
{
  guint64 le = GUINT64_TO_LE(v);
  g_byte_array_append(out, (const guint8 *)&le, 8);
}

static void
put_f64(GByteArray *out, double v)
{
  guint64 bits;
  memcpy(&bits, &v, 8);
  put_u64(out, bits);
}

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
} Reader;

static guint64
get_u64(Reader *r)
{
  if (r->bad || r->end - r->p < 8) {
    r->bad = TRUE;
    return 0;
  }
  guint64 le;
  memcpy(&le, r->p, 8);
  r->p += 8;
  return GUINT64_FROM_LE(le);
}

static double
get_f64(Reader *r)
{
  guint64 bits = get_u64(r);
  double v;
  memcpy(&v, &bits, 8);
  return v;
}

GBytes *
_derush_learn_model_to_blob(DerushLearnModel *model, GError **error)
{
  g_autoptr(GBytes) xgb = _derush_booster_save(model->booster, error);
  if (!xgb)
    return NULL;
  gsize xlen;
  const void *xdata = g_bytes_get_data(xgb, &xlen);
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, (const guint8 *)BLOB_MAGIC, 4);
  put_u64(out, BLOB_FORMAT);
  put_u64(out, (guint64)model->dataset_version);
  put_u64(out, (guint64)model->n_cols);
  const DerushCalibration *c = &model->calibration;
  put_u64(out, c->isotonic);
  put_f64(out, c->a);
  put_f64(out, c->b);
  guint iso_n = c->isotonic ? c->iso_x->len : 0;
  put_u64(out, iso_n);
  for (guint i = 0; i < iso_n; i++) {
    put_f64(out, g_array_index(c->iso_x, double, i));
    put_f64(out, g_array_index(c->iso_y, double, i));
  }
  put_f64(out, model->threshold);
  put_f64(out, model->keep_threshold);
  const DerushTrainResult *in = &model->info;
  put_u64(out, (guint64)in->labels);
  put_u64(out, (guint64)in->keep);
  put_u64(out, (guint64)in->trash);
  put_f64(out, in->cv_accuracy);
  put_f64(out, in->cv_roc_auc);
  put_f64(out, in->cv_log_loss);
  put_f64(out, in->cv_keep_loss);
  put_u64(out, xlen);
  put_u64(out, XXH64(xdata, xlen, 0));
  g_byte_array_append(out, xdata, xlen);
  return g_byte_array_free_to_bytes(out);
}

DerushLearnModel *
_derush_learn_model_from_blob(const void *data, gsize len, GError **error)
{
  Reader r = {data, (const guint8 *)data + len, FALSE};
  g_autoptr(DerushLearnModel) model = NULL;
  if (len < 4 || memcmp(data, BLOB_MAGIC, 4) != 0)
    goto corrupt;
  r.p += 4;
  if (get_u64(&r) != BLOB_FORMAT)
    goto corrupt;
  model = g_new0(DerushLearnModel, 1);
  model->dataset_version = (gint64)get_u64(&r);
  model->n_cols = (int)get_u64(&r);
  DerushCalibration *c = &model->calibration;
  _derush_calibration_clear(c);
  c->isotonic = get_u64(&r) != 0;
  c->a = get_f64(&r);
  c->b = get_f64(&r);
  guint64 iso_n = get_u64(&r);
  if (r.bad || iso_n > (guint64)(r.end - r.p) / 16 || (c->isotonic && iso_n == 0))
    goto corrupt;
  if (c->isotonic) {
    c->iso_x = g_array_sized_new(FALSE, FALSE, sizeof(double), iso_n);
    c->iso_y = g_array_sized_new(FALSE, FALSE, sizeof(double), iso_n);
    for (guint64 i = 0; i < iso_n; i++) {
      double x = get_f64(&r), y = get_f64(&r);
      g_array_append_val(c->iso_x, x);
      g_array_append_val(c->iso_y, y);
    }
  }
  model->threshold = get_f64(&r);
  model->keep_threshold = get_f64(&r);
  DerushTrainResult *in = &model->info;
  in->labels = (gint64)get_u64(&r);
  in->keep = (gint64)get_u64(&r);
  in->trash = (gint64)get_u64(&r);
  in->cv_accuracy = get_f64(&r);
  in->cv_roc_auc = get_f64(&r);
  in->cv_log_loss = get_f64(&r);
  in->cv_keep_loss = get_f64(&r);
  guint64 xlen = get_u64(&r), xhash = get_u64(&r);
  if (r.bad || xlen != (guint64)(r.end - r.p) || XXH64(r.p, xlen, 0) != xhash ||
      model->n_cols <= 0 || !(model->threshold >= 0 && model->threshold <= 1))
    goto corrupt;
  model->booster = _derush_booster_load(r.p, xlen, error);
  if (!model->booster)
    return NULL;
  in->state = DERUSH_MODEL_TRAINED;
  in->threshold = model->threshold;
  in->keep_threshold = model->keep_threshold;
  in->isotonic = c->isotonic;
  in->trees = _derush_booster_trees(model->booster);
  in->dataset_version = model->dataset_version;
  return g_steal_pointer(&model);
corrupt:
  g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "the stored model is damaged");
  return NULL;
}

gboolean
_derush_learn_predict(DerushLearnModel *model, const DerushDataset *ds, double *p_keep, int *zone,
                      double *uncertainty, GError **error)
{
  guint n = ds->photos->len;
  double t = _derush_prior_trash_threshold(), u = _derush_prior_keep_threshold();
  if (model) {
    if (model->n_cols != ds->n_cols) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED,
                  "the model has %d columns, the dataset %d", model->n_cols, ds->n_cols);
      return FALSE;
    }
    g_autofree float *raw = g_new(float, MAX(n, 1));
    if (!_derush_booster_predict(model->booster, ds->x, n, ds->n_cols, raw, error))
      return FALSE;
    /* The counters count the catalog-wide batches only (not CV folds nor
     * explanations): tests assert one per retrain. */
    derush_counter_add(DERUSH_COUNTER_PREDICTION_BATCHES, 1);
    derush_counter_add(DERUSH_COUNTER_PHOTOS_PREDICTED, (gint64)n);
    for (guint i = 0; i < n; i++)
      p_keep[i] = _derush_calibration_apply(&model->calibration, raw[i]);
    t = model->threshold;
    u = model->keep_threshold;
  } else {
    _derush_prior_predict(ds, p_keep);
  }
  for (guint i = 0; i < n; i++) {
    zone[i] = _derush_zone_of(p_keep[i], t, u);
    /* Junk the model does not want either is trash however few the
     * labels (the threshold may be 0: calibration.c). */
    if (model && zone[i] != DERUSH_ZONE_LIKELY_TRASH && p_keep[i] < 0.5 &&
        _derush_prior_is_junk(&g_array_index(ds->photos, DerushLearnPhoto, i)))
      zone[i] = DERUSH_ZONE_LIKELY_TRASH;
    uncertainty[i] = _derush_uncertainty_of(p_keep[i]);
  }
  return TRUE;
}
