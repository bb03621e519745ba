/* derush-prediction-panel.h: the side panel's model section: the current
 * photo's p(keep), uncertainty and reasons, and the dataset tiles. */
#pragma once

#include "derush-photo-item.h"
#include "derush-trainer.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_PREDICTION_PANEL (derush_prediction_panel_get_type())
G_DECLARE_FINAL_TYPE(DerushPredictionPanel, derush_prediction_panel, DERUSH, PREDICTION_PANEL,
                     GtkWidget)

void derush_prediction_panel_set_trainer(DerushPredictionPanel *self, DerushTrainer *trainer);
void derush_prediction_panel_set_item(DerushPredictionPanel *self, DerushPhotoItem *item);
void derush_prediction_panel_update(DerushPredictionPanel *self);
void derush_prediction_panel_set_model(DerushPredictionPanel *self, const DerushTrainResult *result,
                                       gboolean training);
gboolean derush_prediction_panel_is_explaining(DerushPredictionPanel *self);
char *derush_prediction_panel_describe(DerushPredictionPanel *self);

G_END_DECLS
