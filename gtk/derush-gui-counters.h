/* derush-gui-counters.h: the app's own work counters (cells, widgets,
 * textures), beside the library's DerushCounter: tests and the app bench
 * assert the grid recycles its widgets and draws only what is visible. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DERUSH_GUI_COUNTER_WIDGETS_CREATED,    /* grid cell widgets created */
  DERUSH_GUI_COUNTER_CELLS_BOUND,        /* grid cells bound to a photo */
  DERUSH_GUI_COUNTER_CELLS_DRAWN,        /* grid cell snapshots */
  DERUSH_GUI_COUNTER_TEXTURES_LOADED,    /* previews turned into textures */
  DERUSH_GUI_COUNTER_TRAINER_RUNS,       /* retrain-and-predict jobs started (derush-trainer.c) */
  DERUSH_GUI_COUNTER_TRAINER_BATCHES,    /* batch predictions those jobs made, on their worker */
  DERUSH_GUI_COUNTER_EXPLANATIONS,       /* photos explained for the side panel */
  DERUSH_GUI_COUNTER_PHOTOS_STREAMED,    /* photos shown while a first scan still ran */
  DERUSH_GUI_COUNTER_PLACEHOLDERS_SHOWN, /* embedded previews shown before the thumbnail */
  DERUSH_GUI_COUNTER_PLACEHOLDERS_REPLACED, /* of those, replaced by the real thumbnail */
  DERUSH_GUI_COUNTER_FACE_READS, /* folder-wide face reads (one query each, on a worker) */
  DERUSH_GUI_N_COUNTERS
} DerushGuiCounter;

void derush_gui_counter_add(DerushGuiCounter counter, gint64 n);
gint64 derush_gui_counter_get(DerushGuiCounter counter);
const char *derush_gui_counter_name(DerushGuiCounter counter);
void derush_gui_counters_snapshot(gint64 out[DERUSH_GUI_N_COUNTERS]);

G_END_DECLS
