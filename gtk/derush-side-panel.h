/* derush-side-panel.h: decisions, group, details and dataset status beside the grid. */
#pragma once

#include "derush-group-strip.h"
#include "derush-photo-model.h"
#include "derush-prediction-panel.h"
#include "derush-thumbnailer.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_SIDE_PANEL (derush_side_panel_get_type())
G_DECLARE_FINAL_TYPE(DerushSidePanel, derush_side_panel, DERUSH, SIDE_PANEL, GtkWidget)

void derush_side_panel_set_item(DerushSidePanel *self, DerushPhotoItem *item);
void derush_side_panel_set_stats(DerushSidePanel *self, const DerushDatasetStats *stats);
void derush_side_panel_set_photos(DerushSidePanel *self, GListModel *photos,
                                  DerushThumbnailer *thumbnailer);
void derush_side_panel_groups_changed(DerushSidePanel *self);
DerushGroupStrip *derush_side_panel_get_group_strip(DerushSidePanel *self);
DerushPredictionPanel *derush_side_panel_get_prediction_panel(DerushSidePanel *self);
const char *derush_side_panel_get_faces_text(DerushSidePanel *self);
const char *derush_side_panel_get_quality_text(DerushSidePanel *self);

GtkWidget *_derush_stat_tile_new(const char *name, const char *css_class, const char *value_text,
                                 GtkWidget **value);

/* Formats "1/250 s · f/2.8 · ISO 400 · 35 mm"; NULL when nothing is known. */
char *_derush_format_exposure(const DerushMeta *meta);

G_END_DECLS
