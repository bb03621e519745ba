/* derush-gui-counters.c: the app's work counters (see the header). Atomic:
 * the thumbnailer's workers count textures while the main thread draws. */
#include "derush-gui-counters.h"

static gint64 counters[DERUSH_GUI_N_COUNTERS];

/* The names the replay's `counters` command prints (test-gtk and
 * bench/app.py read them): never rename one. */
static const char *const counter_names[DERUSH_GUI_N_COUNTERS] = {
    [DERUSH_GUI_COUNTER_WIDGETS_CREATED] = "widgets_created",
    [DERUSH_GUI_COUNTER_CELLS_BOUND] = "cells_bound",
    [DERUSH_GUI_COUNTER_CELLS_DRAWN] = "cells_drawn",
    [DERUSH_GUI_COUNTER_TEXTURES_LOADED] = "textures_loaded",
    [DERUSH_GUI_COUNTER_TRAINER_RUNS] = "trainer_runs",
    [DERUSH_GUI_COUNTER_TRAINER_BATCHES] = "trainer_batches",
    [DERUSH_GUI_COUNTER_EXPLANATIONS] = "explanations",
    [DERUSH_GUI_COUNTER_PHOTOS_STREAMED] = "photos_streamed",
    [DERUSH_GUI_COUNTER_PLACEHOLDERS_SHOWN] = "placeholders_used",
    [DERUSH_GUI_COUNTER_PLACEHOLDERS_REPLACED] = "placeholders_replaced",
    [DERUSH_GUI_COUNTER_FACE_READS] = "face_reads",
};

/**
 * derush_gui_counter_add:
 * @counter: which counter
 * @n: amount to add
 *
 * Thread-safe and lock-free.
 */
void
derush_gui_counter_add(DerushGuiCounter counter, gint64 n)
{
  g_return_if_fail((guint)counter < DERUSH_GUI_N_COUNTERS);
  __atomic_add_fetch(&counters[counter], n, __ATOMIC_RELAXED);
}

/**
 * derush_gui_counter_get:
 * @counter: which counter
 *
 * Returns: its value since the process started.
 */
gint64
derush_gui_counter_get(DerushGuiCounter counter)
{
  g_return_val_if_fail((guint)counter < DERUSH_GUI_N_COUNTERS, 0);
  return __atomic_load_n(&counters[counter], __ATOMIC_RELAXED);
}

/**
 * derush_gui_counter_name:
 * @counter: which counter
 *
 * Returns: (transfer none): its stable snake_case name.
 */
const char *
derush_gui_counter_name(DerushGuiCounter counter)
{
  g_return_val_if_fail((guint)counter < DERUSH_GUI_N_COUNTERS, NULL);
  return counter_names[counter];
}

/**
 * derush_gui_counters_snapshot:
 * @out: (out): every counter's value
 */
void
derush_gui_counters_snapshot(gint64 out[DERUSH_GUI_N_COUNTERS])
{
  for (int i = 0; i < DERUSH_GUI_N_COUNTERS; i++)
    out[i] = derush_gui_counter_get((DerushGuiCounter)i);
}
