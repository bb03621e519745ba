/* derush-learn.h: learning the photographer's taste (part of the public API;
 * include derush.h).
 *
 * From the user's keep/trash labels derush trains a gradient-boosted model
 * (XGBoost) on each photo's quality features, EXIF and its place in its
 * burst and near-duplicate group; grouped cross-validation calibrates it and
 * chooses the p(keep) under which a photo is "likely trash" so that at most
 * a budget of the photos the user keeps would be called trash. Every photo
 * is predicted in one batch call and the answers are stored in the catalog
 * with the model's version. Before there are enough labels the predictions
 * are a quality prior, and say so.
 */
#ifndef DERUSH_LEARN_H
#define DERUSH_LEARN_H

#include "derush-catalog.h"
#include "derush-labels.h"
#include "derush-quality.h"
#include "derush-detect.h"
#include "derush-faces.h"

G_BEGIN_DECLS

/* The learning dataset's column layout (src/learn/dataset.c; the last term
 * is the layout's own number: 4 from the embedding's neighbour margin, 3
 * was a layout since reverted). A model trained on another version is
 * stale: it is retrained, never mixed. */
#define DERUSH_LEARN_DATASET_VERSION                                                               \
  (DERUSH_FEATURES_VERSION * 1000000 + DERUSH_DETECT_VERSION * 10000 +                             \
   DERUSH_FACES_VERSION * 100 + 4)

/* Below these a model is not trained: the quality prior answers. */
#define DERUSH_LEARN_MIN_LABELS 8
#define DERUSH_LEARN_MIN_PER_CLASS 3

typedef enum {
  DERUSH_MODEL_NONE,       /* no label yet: quality prior */
  DERUSH_MODEL_FEW_LABELS, /* fewer than MIN_LABELS, or MIN_PER_CLASS of a class: prior */
  DERUSH_MODEL_ONE_CLASS,  /* every label is the same: prior */
  DERUSH_MODEL_TRAINED,    /* a model answers */
  DERUSH_MODEL_STALE,      /* the stored model has another dataset version */
  DERUSH_MODEL_CORRUPT,    /* the stored model cannot be read */
} DerushModelState;

/** (transfer none): "none", "few_labels", "one_class", "trained", "stale", "corrupt". */
const char *derush_model_state_name(DerushModelState state);
/** (transfer none): one sentence a user reads about @state. */
const char *derush_model_state_text(DerushModelState state);

/** (transfer full) (nullable): "needs 3 more trash labels"; NULL when enough to train. */
char *derush_learn_needs_text(gint64 keep, gint64 trash);

typedef enum {
  DERUSH_ZONE_LIKELY_TRASH,
  DERUSH_ZONE_UNSURE,
  DERUSH_ZONE_LIKELY_KEEP,
} DerushZone;

/** (transfer none): "likely_trash", "unsure", "likely_keep". */
const char *derush_zone_name(DerushZone zone);

/* The learning settings, stored in the catalog. */
typedef struct {
  double keep_loss_budget; /* at most this fraction of kept photos predicted trash (0.02) */
  gboolean auto_label;     /* label the confident zones after training (FALSE) */
} DerushLearnSettings;

gboolean derush_catalog_get_learn_settings(DerushCatalog *catalog, DerushLearnSettings *settings,
                                           GError **error);
gboolean derush_catalog_set_learn_settings(DerushCatalog *catalog,
                                           const DerushLearnSettings *settings, GError **error);

typedef struct {
  double keep_loss_budget; /* < 0: the catalog's setting */
  int folds;               /* grouped cross-validation folds (5) */
  int threads;             /* XGBoost threads, 0 = every core */
} DerushTrainOptions;

void derush_train_options_init(DerushTrainOptions *options);

/* What a training (or the stored model) says about itself. Fractions in
 * 0..1; NAN when there is no model. */
typedef struct {
  DerushModelState state;
  gint64 labels, keep, trash;
  double cv_accuracy, cv_roc_auc, cv_log_loss;
  double cv_keep_loss;    /* out-of-fold kept photos predicted trash */
  double threshold;       /* p(keep) under which a photo is likely trash */
  double keep_threshold;  /* p(keep) from which a photo is likely keep */
  gint64 model_version;   /* 0: no model (the prior answers) */
  gboolean isotonic;      /* calibration: isotonic (TRUE) or Platt */
  int trees;              /* boosted trees the CV's early stopping kept */
  gint64 predicted;       /* photos predicted by the batch that followed */
  gint64 dataset_version; /* of the model */
  double seconds;
  guint best_changed; /* groups whose best pick the new predictions changed */
} DerushTrainResult;

/**
 * derush_catalog_train:
 * Trains on every keep/trash label in the catalog, stores the model as a
 * new version, predicts every photo in one batch and stores the answers,
 * then chooses each group's best pick again by them
 * (derush_catalog_update_best_picks()).
 * Too few labels or one class only is not an error: the prior's predictions
 * are stored and @result->state says why.
 */
gboolean derush_catalog_train(DerushCatalog *catalog, const DerushTrainOptions *options,
                              DerushTrainResult *result, GError **error);

/**
 * derush_catalog_model_info:
 * Loads the stored model (as the app does at start-up) and describes it:
 * state TRAINED, STALE, CORRUPT, or NONE when there is none.
 */
gboolean derush_catalog_model_info(DerushCatalog *catalog, DerushTrainResult *result,
                                   GError **error);

/**
 * derush_catalog_update_predictions:
 * Predicts every photo in one batch with the stored model and stores the
 * answers. A stale or corrupt model, or labels newer than the model, are
 * retrained first; without enough labels the prior answers.
 */
gboolean derush_catalog_update_predictions(DerushCatalog *catalog,
                                           const DerushTrainOptions *options,
                                           DerushTrainResult *result, GError **error);

/* One stored prediction. */
typedef struct {
  gint64 photo_id;
  const char *path; /* (transfer none) */
  double p_keep;    /* calibrated probability that the user keeps it */
  DerushZone zone;
  double uncertainty;   /* 0 (sure) .. 1 (a coin toss) */
  gint64 model_version; /* 0: the quality prior */
  DerushLabel label;    /* the photo's current label */
} DerushPrediction;

typedef gboolean (*DerushPredictionFunc)(const DerushPrediction *prediction, gpointer user_data);

/**
 * derush_catalog_foreach_prediction:
 * @under: (nullable): only photos at or below this folder
 * Lists the stored predictions ordered by path.
 */
gboolean derush_catalog_foreach_prediction(DerushCatalog *catalog, const char *under,
                                           DerushPredictionFunc func, gpointer user_data,
                                           GError **error);

/* One reason of an explanation. */
typedef struct {
  char *feature;       /* the dataset column, e.g. "burst_sharpness_ratio" */
  double value;        /* its value for the photo (NAN when missing) */
  double contribution; /* its push in log-odds: > 0 toward keep */
  char *text;          /* e.g. "softer than the rest of its burst" */
} DerushReason;

typedef struct {
  char *path;
  double p_keep;
  gint64 model_version;
  guint n_reasons;
  DerushReason *reasons; /* strongest first */
} DerushExplanation;

void derush_explanation_free(DerushExplanation *explanation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushExplanation, derush_explanation_free)

/**
 * derush_catalog_explain:
 * @paths: (array zero-terminated=1): photos to explain
 * @max_reasons: reasons per photo (the strongest)
 * Per-feature contributions of the stored model for these photos only.
 * Returns: (transfer full) (element-type DerushExplanation): one per path,
 * or NULL with @error set (no trained model: DERUSH_ERROR_NOT_FOUND).
 */
GPtrArray *derush_catalog_explain(DerushCatalog *catalog, const char *const *paths, int max_reasons,
                                  GError **error);

/* One photo active learning asks about. */
typedef struct {
  gint64 photo_id;
  char *path;
  double p_keep;
  double uncertainty;
  gint64 burst;   /* burst group id, 0 none */
  gint64 session; /* session group id, 0 none */
} DerushPick;

void derush_pick_free(DerushPick *pick);

/**
 * derush_catalog_next:
 * The @n unlabelled photos whose labels would teach the model most: the
 * most uncertain, spread across sessions and groups, never two from one
 * burst or near-duplicate group. Uses the stored predictions (call
 * derush_catalog_update_predictions() first).
 * Returns: (transfer full) (element-type DerushPick): possibly fewer than @n.
 */
GPtrArray *derush_catalog_next(DerushCatalog *catalog, int n, GError **error);

/**
 * derush_catalog_auto_label:
 * Labels the unlabelled photos of the confident zones (likely keep, likely
 * trash) of the stored predictions, with source AUTO, as one batch: one
 * derush_catalog_undo() takes it back. Needs a trained model (else 0).
 * Returns: photos labelled, or -1 with @error set.
 */
gint64 derush_catalog_auto_label(DerushCatalog *catalog, gint64 *batch_out, GError **error);

/**
 * derush_catalog_prediction_scores:
 * The stored p(keep) of every photo by id, for DerushGroupOptions.score:
 * pass derush_prediction_score and the table. (Grouping without a score
 * function uses them by itself: group/best-pick.c.)
 * Returns: (transfer full): a table of gint64* -> double*, empty without a
 * trained model.
 */
GHashTable *derush_catalog_prediction_scores(DerushCatalog *catalog, GError **error);
/** A DerushScoreFunc reading the table of derush_catalog_prediction_scores(). */
double derush_prediction_score(gint64 photo_id, const float *vector, gpointer table);

/* `derush eval learning`. */
typedef enum {
  DERUSH_LEARN_ORDER_ACTIVE, /* derush_catalog_next()'s order */
  DERUSH_LEARN_ORDER_RANDOM, /* a seeded shuffle */
} DerushLearnOrder;

typedef struct {
  gint64 labels;
  DerushModelState state;
  double accuracy;  /* of p(keep) >= 0.5 on the photos not yet labelled */
  double keep_loss; /* their kept photos predicted likely trash */
  double junk_leak; /* their trash photos not predicted likely trash */
  double roc_auc, log_loss;
} DerushLearningPoint;

typedef struct {
  gint64 photos; /* listed photos derush could read */
  GArray *curve; /* DerushLearningPoint */
} DerushLearningEval;

void derush_learning_eval_clear(DerushLearningEval *eval);

/**
 * derush_eval_learning:
 * @taste_csv: `path,label` (keep or trash)
 * @step: labels added between two points (10)
 * @seed: the random order's shuffle (0: derush's default, 42)
 * Simulates a photographer labelling the listed photos in @order from no
 * label, training as derush_catalog_train() does after every @step labels
 * and measuring on the photos not yet labelled. The catalog's own labels
 * are not touched.
 */
gboolean derush_eval_learning(DerushCatalog *catalog, const char *taste_csv, DerushLearnOrder order,
                              int step, guint32 seed, const DerushTrainOptions *options,
                              DerushLearningEval *result, GError **error);

G_END_DECLS

#endif /* DERUSH_LEARN_H */
