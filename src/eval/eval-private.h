/* eval-private.h: what the evaluations share (not installed): the truth
 * CSV reader and the step that brings the listed files into the catalog. */
#ifndef DERUSH_EVAL_PRIVATE_H
#define DERUSH_EVAL_PRIVATE_H

#include "derush-private.h"
#include "learn/learn-private.h"

G_BEGIN_DECLS

typedef struct {
  char *path;  /* absolute */
  char *group; /* truth group / scene; "" none */
  char *label; /* blur: sharp, defocus_blur, motion_blur */
} TruthRow;

typedef struct {
  void (*on_unreadable)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GHashTable *reported;
} BadFiles;

void _derush_truth_row_clear(gpointer data);

/* Reads a truth CSV whose first column is a path (relative to the CSV's
 * folder or absolute); @group_col and @label_col (or -1) pick the others.
 * A header line (first field "path" or "file") is skipped. Each path once.
 * Returns: (element-type TruthRow) the rows, or NULL with @error set. */
GArray *_derush_truth_read(const char *csv, int group_col, int label_col, GError **error);

/* Reports @path once through @user_data (a BadFiles). */
void _derush_truth_bad_file_cb(const char *path, const char *reason, gpointer user_data);

/* Scans and analyzes the files of @rows (grouping with @gopt); files that
 * do not exist are reported to @bad (nullable: reported nowhere). */
gboolean _derush_truth_bring_in(DerushCatalog *cat, GArray *rows, const DerushGroupOptions *gopt,
                                BadFiles *bad, GError **error);

/* The photo id at @path when it is readable, 0 when not (reported to @bad),
 * -1 with @error set when the catalog fails. */
gint64 _derush_truth_readable_id(DerushCatalog *cat, const char *path, BadFiles *bad,
                                 GError **error);

/* The simulated photographer of derush_eval_learning() on a built dataset
 * (eval-learning.c): @y the truth, one per photo; points appended to
 * @curve (DerushLearningPoint). */
gboolean _derush_learning_simulate(DerushDataset *ds, const float *y, DerushLearnOrder order,
                                   int step, guint32 seed, const DerushFitOptions *fo,
                                   GArray *curve, GError **error);

G_END_DECLS

#endif /* DERUSH_EVAL_PRIVATE_H */
