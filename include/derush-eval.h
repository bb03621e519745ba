/* derush-eval.h: scores against ground truth (`derush eval`) (part of the public API; include
 * derush.h). */
#ifndef DERUSH_EVAL_H
#define DERUSH_EVAL_H

#include "derush-group.h"

G_BEGIN_DECLS

/* Recall over the truth pairs with a member of one relation (the truth
 * CSV's third column: the edit kind of a copy, "original"...). */
typedef struct {
  char *relation;
  gint64 pairs_truth, pairs_correct;
  double recall; /* pairs_correct / pairs_truth */
} DerushRelationRecall;

/* `derush eval grouping`: pairwise scores of near-duplicate groups. */
typedef struct {
  double precision, recall, f1;
  gint64 pairs_truth, pairs_found, pairs_correct;
  gint64 photos;              /* rows with a group */
  gint64 unreadable;          /* listed files derush could not read */
  gint64 unreadable_expected; /* of those, rows with an empty group */
  /* (element-type DerushRelationRecall): one per relation named in the
   * truth, by name; empty when the CSV has no relation column. Freed by
   * derush_grouping_eval_clear(). */
  GArray *by_relation;
} DerushGroupingEval;

void derush_grouping_eval_clear(DerushGroupingEval *result);

gboolean derush_eval_grouping(DerushCatalog *catalog, const char *truth_csv,
                              const DerushGroupOptions *options,
                              void (*on_unreadable)(const char *path, const char *reason,
                                                    gpointer user_data),
                              gpointer user_data, DerushGroupingEval *result, GError **error);

/* `derush eval blur`: does the sharp frame of each scene score highest? */
typedef struct {
  gint64 triplets;           /* scenes with a sharp and at least one blurred frame */
  gint64 sharp_first;        /* scenes whose sharp frame beat every blurred one */
  double ranked_sharp_first; /* sharp_first / triplets */
  /* Every measured frame on its own, sharp against blurred (issue 21). */
  gint64 frames, frames_sharp;  /* measured frames, of which labelled sharp */
  double roc_auc;               /* of derush_features_sharpness_score() */
  double soft_accuracy;         /* frames whose soft flag matches the label */
  double visible_sharp_flagged; /* sharp frames the app warns soft (soft_visible) */
  double visible_blur_flagged;  /* blurred frames it warns soft */
  double roc_auc_lap_var;       /* Laplacian variance alone */
  double roc_auc_old_sharpness; /* derush_features_sharpness() */
  const char *best_feature;     /* the best single feature of version 2's vector */
  double best_feature_roc_auc;  /* its ROC-AUC (either direction) */
} DerushBlurEval;

gboolean derush_eval_blur(DerushCatalog *catalog, const char *truth_csv, DerushBlurEval *result,
                          GError **error);

G_END_DECLS

#endif /* DERUSH_EVAL_H */
