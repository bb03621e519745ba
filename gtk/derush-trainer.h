/* derush-trainer.h: learning in the background: debounced retrains after
 * labels, one batch prediction each, explanations and active learning on
 * workers. */
#pragma once

#include <gio/gio.h>
#include "derush-photo-item.h"

G_BEGIN_DECLS

/* One label the model's auto-labelling made (derush_catalog_auto_label()). */
typedef struct {
  gint64 photo_id;
  DerushLabel label;
  int stars;
} DerushAutoLabel;

#define DERUSH_TYPE_TRAINER (derush_trainer_get_type())
G_DECLARE_FINAL_TYPE(DerushTrainer, derush_trainer, DERUSH, TRAINER, GObject)

DerushTrainer *derush_trainer_new(const char *catalog_path);
void derush_trainer_set_folder(DerushTrainer *self, const char *dir);
void derush_trainer_set_delay(DerushTrainer *self, guint delay_ms);
void derush_trainer_labels_changed(DerushTrainer *self, gboolean by_user);
void derush_trainer_refresh(DerushTrainer *self);
void derush_trainer_cancel(DerushTrainer *self);
gboolean derush_trainer_is_busy(DerushTrainer *self);
gboolean derush_trainer_is_running(DerushTrainer *self);
const DerushTrainResult *derush_trainer_get_result(DerushTrainer *self);

void derush_trainer_next_async(DerushTrainer *self, int n, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *derush_trainer_next_finish(DerushTrainer *self, GAsyncResult *result, GError **error);
void derush_trainer_explain_async(DerushTrainer *self, const char *path, int max_reasons,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
DerushExplanation *derush_trainer_explain_finish(DerushTrainer *self, GAsyncResult *result,
                                                 GError **error);

G_END_DECLS
