/* learn-private.h: the learning area's internal interface (not installed).
 *
 * dataset.c turns catalog rows into a float matrix (one row per photo, NAN
 * for missing values); booster.c wraps XGBoost's C API; calibration.c turns
 * raw scores into honest probabilities and chooses the thresholds; fit.c
 * trains with grouped cross-validation; model.c keeps, stores and applies a
 * trained model; active.c picks what to ask next; explain.c puts
 * contributions into words; learn.c ties them to the catalog.
 */
#ifndef DERUSH_LEARN_PRIVATE_H
#define DERUSH_LEARN_PRIVATE_H

#include "derush-learn.h"
#include "derush-private.h"

G_BEGIN_DECLS

/* A fixed 64-bit mixer (splitmix64's finaliser): data-independent orders
 * that are the same on every run (fold ties, cold-start picks). */
static inline guint64
_derush_mix64(guint64 x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

/* ---- dataset.c ---- */

/* One photo of the dataset. */
typedef struct {
  gint64 id;
  char *path;
  gint64 pair_id;
  gboolean has_time;
  gint64 time_ns;
  gint64 size;
  int width, height;
  gboolean has_features;
  float vector[DERUSH_N_FEATURES];
  DerushLabel label;
  DerushLabelSource source;
  gint64 group[3];                          /* session, burst, near-dup group ids (0: none) */
  float detector[DERUSH_N_DETECT_FEATURES]; /* NAN when the detector did not run */
  float faces[DERUSH_N_FACE_FEATURES];      /* NAN when the face models did not run */
  gboolean has_sketch;                      /* the DERUSH_LEARN_EMBEDDING's sketch is known */
  gint8 sketch[DERUSH_SKETCH_SIZE];         /* packed (_derush_sketch_value()) */
} DerushLearnPhoto;

typedef struct {
  GArray *photos;   /* DerushLearnPhoto, by id */
  int n_cols;       /* _derush_dataset_n_columns() */
  float *x;         /* photos->len x n_cols, row-major, NAN missing */
  gint64 *cv_group; /* per photo: burst, near-dup and RAW+JPEG pair joined:
                     * the unit folds never split and active learning asks once */
} DerushDataset;

int _derush_dataset_n_columns(void);
/* (transfer none): the column's stable name. */
const char *_derush_dataset_column_name(int col);

/* An empty dataset; add photos, then _derush_dataset_build(). */
DerushDataset *_derush_dataset_new(void);
void _derush_dataset_add(DerushDataset *ds, const DerushLearnPhoto *photo);
/* Computes the matrix (group context included) and the CV groups. */
void _derush_dataset_build(DerushDataset *ds);
void _derush_dataset_free(DerushDataset *ds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushDataset, _derush_dataset_free)

/* The catalog's photos, built. */
DerushDataset *_derush_dataset_load(DerushCatalog *cat, GError **error);

/* Recomputes the label-dependent column (the embedding's) for the labels
 * @label_of (per photo: 1 keep, 0 trash, < 0 none) instead of the photos'
 * own: eval learning's simulated photographer. */
void _derush_dataset_relabel(DerushDataset *ds, const int *label_of);

/* ---- dataset-embedding.c ---- */

/* The embedding whose sketch the dataset compares photos by. */
#define DERUSH_LEARN_EMBEDDING DERUSH_EMBEDDING_MOBILENET

/* Fills column @col of @ds for the labels @label_of (as above). */
void _derush_dataset_embedding_columns(DerushDataset *ds, const int *label_of, int col);
/* Whether @margin (@n labelled photos, @keep 1 or 0) tells keep from
 * trash well above chance (exposed for its test). */
gboolean _derush_embedding_gate_passes(const double *margin, const float *keep, int n);

/* The model-free score (quality features), for the prior and cold starts. */
double _derush_dataset_quality(const DerushLearnPhoto *photo);

/* ---- booster.c: XGBoost ---- */

typedef struct _DerushBooster DerushBooster;
/* Labelled rows binned for training (booster.c says why one sketch). */
typedef struct _DerushTrainSet DerushTrainSet;

typedef struct {
  int rounds, max_depth;
  double eta, min_child_weight, subsample, colsample;
  int max_bin; /* histogram bins a column */
  int threads;
} DerushBoostParams;

/* Hyper-parameters for @n labels (fit.c documents the choice). */
void _derush_boost_params_for(int n, int threads, DerushBoostParams *params);

/* Trains binary:logistic on @n rows of @m columns (NAN missing). Fixed
 * seed: the same rows give the same model. */
DerushBooster *_derush_booster_train(const float *x, int n, int m, const float *y,
                                     const DerushBoostParams *params, GError **error);
/* @n rows of @m columns at @x with labels @y, binned at quantile cuts of
 * their own (one sketch) or, when @cuts is given, at @cuts' (no sketch;
 * the same @max_bin). Reference-counted: boosters hold it while training. */
DerushTrainSet *_derush_train_set_new(const float *x, int n, int m, const float *y,
                                      const DerushTrainSet *cuts, int max_bin, GError **error);
void _derush_train_set_unref(DerushTrainSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushTrainSet, _derush_train_set_unref)
/* _derush_booster_train on rows already binned. */
DerushBooster *_derush_booster_train_on(DerushTrainSet *set, const DerushBoostParams *params,
                                        GError **error);
/* The same in steps: a booster on those rows with no tree yet, boosted up
 * to @trees trees in total by each _derush_booster_boost() (early stopping
 * grows its folds' models in lockstep), then the training rows dropped. */
DerushBooster *_derush_booster_new(DerushTrainSet *set, const DerushBoostParams *params,
                                   GError **error);
gboolean _derush_booster_boost(DerushBooster *b, int trees, GError **error);
void _derush_booster_end_training(DerushBooster *b);
/* Raw p(keep) of @n rows in one in-place call (XGBoosterPredictFromDense). */
gboolean _derush_booster_predict(DerushBooster *b, const float *x, gsize n, int m, float *out,
                                 GError **error);
/* ... with the first @trees trees only (0: all): early stopping's curve. */
gboolean _derush_booster_predict_trees(DerushBooster *b, const float *x, gsize n, int m, int trees,
                                       float *out, GError **error);
/* Per-column contributions in log-odds, @n x (@m + 1) (the last is the
 * bias), through a DMatrix of these rows only. */
gboolean _derush_booster_contribs(DerushBooster *b, const float *x, gsize n, int m, float *out,
                                  GError **error);
/* The number of boosted trees of @b. */
int _derush_booster_trees(DerushBooster *b);
GBytes *_derush_booster_save(DerushBooster *b, GError **error);
DerushBooster *_derush_booster_load(const void *data, gsize len, GError **error);
void _derush_booster_free(DerushBooster *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushBooster, _derush_booster_free)

/* ---- calibration.c ---- */

typedef struct {
  gboolean isotonic;
  double a, b;   /* Platt: p = 1 / (1 + exp(a * logit(raw) + b)) */
  GArray *iso_x; /* isotonic: raw breakpoints (double, ascending) */
  GArray *iso_y; /* ... and their calibrated values */
} DerushCalibration;

void _derush_calibration_clear(DerushCalibration *c);
/* Fits on out-of-fold raw scores: isotonic when the data supports it
 * (enough of each class), Platt otherwise. */
void _derush_calibration_fit(DerushCalibration *c, const double *raw, const float *y, int n);
double _derush_calibration_apply(const DerushCalibration *c, double raw);

/* The trash threshold: the conformal one for @budget (capped at 0.5), 0
 * (no trash zone) with too few keepers to vouch for it. */
double _derush_threshold_for_keep_loss(const double *p, const float *y, int n, double budget);
/* The keep threshold: the lowest u with at most @budget of the trash at or
 * above it (at least 0.5 and @trash_threshold). */
double _derush_threshold_for_junk_leak(const double *p, const float *y, int n, double budget,
                                       double trash_threshold);

typedef struct {
  double accuracy, roc_auc, log_loss, keep_loss, junk_leak;
} DerushLearnMetrics;

/* ROC-AUC of @p against @y (1 keep, 0 trash), ties counted half; NAN with
 * one class. */
double _derush_roc_auc(const double *p, const float *y, int n);

/* Metrics of @p against @y (1 keep, 0 trash); keep_loss and junk_leak at
 * @threshold. NAN where undefined (AUC with one class). */
void _derush_learn_metrics(const double *p, const float *y, int n, double threshold,
                           DerushLearnMetrics *m);

/* keep_loss and junk_leak of @m from zones (what the user is shown): kept
 * photos in the likely-trash zone, trash outside it. */
void _derush_zone_losses(const int *zone, const float *y, int n, DerushLearnMetrics *m);

/* Zone and uncertainty (binary entropy of p, 0..1) of one prediction. */
DerushZone _derush_zone_of(double p, double threshold, double keep_threshold);
double _derush_uncertainty_of(double p);

/* ---- model.c ---- */

typedef struct {
  DerushBooster *booster;
  int n_cols;
  gint64 dataset_version;
  DerushCalibration calibration;
  double threshold, keep_threshold;
  DerushTrainResult info; /* counts and CV metrics */
  int cv_folds, cv_trees; /* of the fit that made it (not stored): folds, trees each grew */
} DerushLearnModel;

void _derush_learn_model_free(DerushLearnModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushLearnModel, _derush_learn_model_free)

GBytes *_derush_learn_model_to_blob(DerushLearnModel *model, GError **error);
/* NULL with DERUSH_ERROR_CORRUPT when the blob is not a model. */
DerushLearnModel *_derush_learn_model_from_blob(const void *data, gsize len, GError **error);

/* Answers for every photo of @ds: with @model in one batch call, or the
 * quality prior when @model is NULL. Fills the @n = ds->photos->len arrays. */
gboolean _derush_learn_predict(DerushLearnModel *model, const DerushDataset *ds, double *p_keep,
                               int *zone, double *uncertainty, GError **error);

/* ---- fit.c ---- */

typedef struct {
  double keep_loss_budget;
  double junk_leak_budget;
  int folds;
  int threads;
} DerushFitOptions;

/* The state training would be in with these counts (TRAINED when enough). */
DerushModelState _derush_learn_state_for(gint64 keep, gint64 trash);

/* Gives each of the @n labelled rows (@rows, labels @y) a fold in
 * @fold_of, whole CV groups together, classes balanced. Returns the number
 * of folds (< 2: every label in one group, no cross-validation possible). */
int _derush_learn_assign_folds(const DerushDataset *ds, const guint *rows, const float *y, guint n,
                               int folds, int *fold_of);

/* Trains on the photos of @ds whose index is in @rows with labels @y
 * (1 keep, 0 trash): grouped K-fold CV, calibration and thresholds from the
 * out-of-fold predictions, then the final model on all of them. Returns
 * NULL with no error when there are too few labels (@state says why). */
DerushLearnModel *_derush_learn_fit(const DerushDataset *ds, const guint *rows, const float *y,
                                    guint n, const DerushFitOptions *options,
                                    DerushModelState *state, GError **error);

/* ---- learn.c ---- */

/* The fit options for @options (nullable): the catalog's keep-loss budget
 * when it says < 0. */
gboolean _derush_learn_fit_options(DerushCatalog *cat, const DerushTrainOptions *options,
                                   DerushFitOptions *fo, GError **error);

/* ---- prior.c ---- */

/* The prior's zone thresholds. */
double _derush_prior_trash_threshold(void);
double _derush_prior_keep_threshold(void);
/* Blank, blurred beyond use or almost black: what the prior calls trash. */
gboolean _derush_prior_is_junk(const DerushLearnPhoto *photo);
/* The prior's p(keep) of every photo of @ds (0.5 when not analysed). */
void _derush_prior_predict(const DerushDataset *ds, double *p);

/* ---- active.c ---- */

/* Indices (into ds->photos) of up to @n photos to label next among those
 * with @label_of[i] < 0 (the others: 1 keep, 0 trash), given the current
 * predictions @p_keep (the prior's when @have_model is FALSE; NAN unknown). */
GArray *_derush_active_pick(const DerushDataset *ds, const int *label_of, const double *p_keep,
                            gboolean have_model, int n);

/* ---- explain.c ---- */

/* Words for column @col at @value pushing by @contribution. (transfer full) */
char *_derush_reason_text(int col, double value, double contribution);

G_END_DECLS

#endif /* DERUSH_LEARN_PRIVATE_H */
