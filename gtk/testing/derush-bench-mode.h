/* derush-bench-mode.h: frame-time and work measurements of the live window. */
#pragma once

#include "derush-window.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_BENCH_MODE (derush_bench_mode_get_type())
G_DECLARE_FINAL_TYPE(DerushBenchMode, derush_bench_mode, DERUSH, BENCH_MODE, GObject)

DerushBenchMode *derush_bench_mode_new(DerushWindow *window);
gboolean derush_bench_mode_is_busy(DerushBenchMode *self);
gboolean derush_bench_mode_print_startup(DerushBenchMode *self);
gboolean derush_bench_mode_print_loaded(DerushBenchMode *self);
gboolean derush_bench_mode_print_first_screen(DerushBenchMode *self);
void derush_bench_mode_scroll(DerushBenchMode *self, double seconds, double pixels_per_second);
void derush_bench_mode_refresh(DerushBenchMode *self, gboolean groups_changed);
void derush_bench_mode_print_memory(DerushBenchMode *self);

G_END_DECLS
