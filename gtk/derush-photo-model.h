/* derush-photo-model.h: the open folder's photos as the grid shows them:
 * the store, its by-id and by-path indexes, the filter (mode, hidden
 * labels, search) and the sort. A GListModel of what is shown. */
#pragma once

#include <gtk/gtk.h>
#include "derush.h"
#include "derush-analysis-table.h"
#include "derush-folder-loader.h"
#include "derush-photo-item.h"

G_BEGIN_DECLS

typedef enum {
  DERUSH_FILTER_ALL,
  DERUSH_FILTER_UNLABELLED,
  DERUSH_FILTER_KEEP,
  DERUSH_FILTER_TRASH,
  DERUSH_FILTER_BEST,            /* the best pick of each group, and photos in none */
  DERUSH_FILTER_PREDICTED_TRASH, /* the model's likely trash, not labelled by the user */
  DERUSH_FILTER_UNSURE,          /* the model's unsure zone, not labelled by the user */
  DERUSH_FILTER_CLOSED_EYES,     /* a face with closed eyes (derush-face-marks.c) */
  DERUSH_N_FILTERS
} DerushFilterMode;

typedef enum {
  DERUSH_SORT_TIME,
  DERUSH_SORT_NAME,
  DERUSH_SORT_GROUP,     /* groups together, in time order of their start */
  DERUSH_SORT_SHARPNESS, /* sharpest first; not analysed last */
  DERUSH_SORT_P_KEEP,    /* the model's p(keep), highest first; not predicted last */
} DerushSortMode;

/* What the dataset status shows; counted by derush_photo_model_get_stats(). */
typedef struct {
  guint total;
  guint labelled; /* keep + trash */
  guint keep;
  guint trash;
  guint unlabelled;
  guint unreadable; /* unreadable or missing */
  guint shown;      /* after the filter */
  guint selected;
} DerushDatasetStats;

#define DERUSH_TYPE_PHOTO_MODEL (derush_photo_model_get_type())
G_DECLARE_FINAL_TYPE(DerushPhotoModel, derush_photo_model, DERUSH, PHOTO_MODEL, GObject)

DerushPhotoModel *derush_photo_model_new(void);

GListModel *derush_photo_model_get_all(DerushPhotoModel *self);
guint derush_photo_model_get_n_photos(DerushPhotoModel *self);
DerushPhotoItem *derush_photo_model_lookup_id(DerushPhotoModel *self, gint64 id);
DerushPhotoItem *derush_photo_model_lookup_path(DerushPhotoModel *self, const char *path);
void derush_photo_model_foreach(DerushPhotoModel *self, GFunc func, gpointer user_data);

void derush_photo_model_set_folder(DerushPhotoModel *self, const char *folder);
void derush_photo_model_clear(DerushPhotoModel *self);
void derush_photo_model_append(DerushPhotoModel *self, GPtrArray *items);
void derush_photo_model_apply_changes(DerushPhotoModel *self, GPtrArray *replaced, GArray *removed,
                                      GArray *relabeled);

gboolean derush_photo_model_set_filter(DerushPhotoModel *self, DerushFilterMode mode);
DerushFilterMode derush_photo_model_get_filter(DerushPhotoModel *self);
gboolean derush_photo_model_set_sort(DerushPhotoModel *self, DerushSortMode mode);
DerushSortMode derush_photo_model_get_sort(DerushPhotoModel *self);
void derush_photo_model_set_hide_labelled(DerushPhotoModel *self, gboolean hide);
gboolean derush_photo_model_set_search(DerushPhotoModel *self, const char *text);
void derush_photo_model_labels_changed(DerushPhotoModel *self);

void derush_photo_model_publish_analysis(DerushPhotoModel *self, GHashTable *table);
void derush_photo_model_get_analysis_counts(DerushPhotoModel *self, guint *grouped, guint *best,
                                            guint *flagged);
void derush_photo_model_get_stats(DerushPhotoModel *self, DerushDatasetStats *stats);
GPtrArray *derush_photo_model_get_group(DerushPhotoModel *self, DerushPhotoItem *current);

G_END_DECLS
