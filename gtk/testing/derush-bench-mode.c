/* derush-bench-mode.c: frame-time and work measurements of the live window.
 *
 * The replay's bench commands (derush-replay.c) drive this object; it
 * prints one line per measurement on stdout, as `bench KIND key=value...`,
 * which bench/app.sh reads:
 *
 *   bench startup    process start to the first frame that drew bound grid
 *                    cells (the user sees photos), and to the first frame
 *   bench loaded     process start to the first frame after the scan and
 *                    the listing were done
 *   bench first-screen  process start to the first frame whose grid was full
 *                    (or held every photo, once loaded) with every cell on
 *                    screen showing its thumbnail or its embedded preview:
 *                    a new folder's first screenful (first_screen_ms), and
 *                    to the first with no placeholder left (real_screen_ms)
 *   bench scroll     the grid scrolled at a steady speed for N seconds:
 *                    frame intervals from the GdkFrameClock (frame_time of
 *                    successive frames), the main thread's work per frame
 *                    (before-paint to after-paint, wall and CPU: on a busy
 *                    machine the wall time also counts waiting for a core),
 *                    cells drawn and bound, widgets created
 *   bench refresh    every photo's analysis record changed at once, through
 *                    the path a finished analysis takes
 *                    (derush_window_apply_analysis): the time of that call,
 *                    the main thread's CPU time until three frames later
 *                    (minus the same span with nothing to do) and the cells
 *                    drawn meanwhile. As a retrain: new values, same groups;
 *                    with groups=1, as an analysis that may have moved
 *                    photos between groups (the side panel then indexes
 *                    the groups again)
 *   bench memory     VmHWM and VmRSS from /proc/self/status
 *
 * Times on the main thread come from g_get_monotonic_time() and, for CPU,
 * CLOCK_THREAD_CPUTIME_ID. Frame intervals come from the frame clock, so
 * they are what GTK paced (60 Hz without a compositor), not what the X
 * server showed.
 *
 * Over 600 lines: one measurement per bench command, each a small state
 * machine over frame-clock ticks, kept apart from the window under
 * gtk/testing/ with the replay.
 */
#include "derush-bench-mode.h"
#include "derush-gui-counters.h"
#include "derush-grid-cell.h"
#include "derush-window.h"
#include <math.h>
#include <time.h>
#include <unistd.h>

#define FRAME_BUDGET_US 16667 /* 60 frames/s */
#define SETTLE_FRAMES 3

typedef enum { IDLE, SCROLLING, REFRESH_BASELINE, REFRESH_SETTLE } State;

typedef struct {
  gint64 frame_time; /* gdk_frame_clock_get_frame_time() */
  gint64 begin;      /* monotonic, at before-paint */
  gint64 end;        /* monotonic, at after-paint */
  gint64 cpu;        /* the main thread's CPU time in between */
} Frame;

struct _DerushBenchMode {
  GObject parent_instance;
  DerushWindow *window; /* (weak) */
  GdkFrameClock *clock; /* (owned) the window's, once realized */
  gulong before_paint_id, after_paint_id, realize_id;

  /* start-up: first frame, first frame with bound cells drawn */
  gint64 process_start; /* monotonic µs, from /proc/self/stat */
  gint64 first_frame, first_grid_frame;
  gint64 loaded_frame;       /* the first frame after the scan and listing were done */
  gint64 first_screen_frame; /* the first full screen of thumbnails or placeholders */
  gint64 real_screen_frame;  /* the first without a placeholder left */
  gint64 first_items;        /* the first photos reached the model */

  State state;
  GArray *frames; /* Frame */
  gint64 frame_begin, frame_cpu_begin;
  guint tick_id;
  gint64 counters_before[DERUSH_GUI_N_COUNTERS];
  gint64 cpu_before;

  /* scroll */
  double seconds, speed;
  double start_value, value;
  gint64 scroll_start; /* frame time of the first scroll frame */
  gint64 last_tick;    /* frame time of the previous scroll frame */
  double direction;

  /* refresh */
  guint settle;
  gint64 baseline_cpu;
  gint64 apply_us;
  guint told, n_items;
  gboolean groups_changed;
  guint idle_id;
};

G_DEFINE_FINAL_TYPE(DerushBenchMode, derush_bench_mode, G_TYPE_OBJECT)

static gint64
thread_cpu_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The process's start on the monotonic clock: /proc/self/stat's start time
 * is in clock ticks since boot (10 ms here), CLOCK_BOOTTIME counts from the
 * same origin. */
static gint64
process_start_us(void)
{
  g_autofree char *stat = NULL;
  gint64 now = g_get_monotonic_time();
  if (!g_file_get_contents("/proc/self/stat", &stat, NULL, NULL))
    return now;
  /* Field 22; the command name (field 2) may hold spaces, so count from
   * its closing parenthesis. */
  const char *p = strrchr(stat, ')');
  if (!p)
    return now;
  g_auto(GStrv) fields = g_strsplit(p + 2, " ", 0);
  if (g_strv_length(fields) < 20)
    return now;
  guint64 ticks = g_ascii_strtoull(fields[19], NULL, 10);
  struct timespec boot;
  clock_gettime(CLOCK_BOOTTIME, &boot);
  gint64 boot_us = (gint64)boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000;
  gint64 start_us = (gint64)(ticks * G_USEC_PER_SEC / (guint64)sysconf(_SC_CLK_TCK));
  return now - (boot_us - start_us);
}

static void
snapshot_counters(gint64 out[DERUSH_GUI_N_COUNTERS])
{
  derush_gui_counters_snapshot(out);
}

static gint64
counter_delta(DerushBenchMode *self, DerushGuiCounter counter)
{
  return derush_gui_counter_get(counter) - self->counters_before[counter];
}

/* Cells on screen showing a photo, and those among them still without a
 * thumbnail (a placeholder). */
/* The grid's viewport is full of photos (or holds all of them, the load
 * done) and every cell on screen shows its thumbnail. */
static gboolean
screen_full(DerushWindow *window, gboolean real)
{
  guint blank;
  guint mapped = derush_window_count_cells_on_screen(window, &blank);
  if (mapped == 0 || blank > 0 || (real && derush_window_count_placeholders_on_screen(window) > 0))
    return FALSE;
  if (derush_window_is_loaded(window) && mapped >= derush_window_get_n_shown(window))
    return TRUE;
  /* The grid's children are its cells' list item widgets. */
  GtkWidget *grid = GTK_WIDGET(derush_window_get_grid_view(window));
  int cw = 0, ch = 0;
  for (GtkWidget *child = gtk_widget_get_first_child(grid); child && cw <= 0;
       child = gtk_widget_get_next_sibling(child)) {
    if (gtk_widget_get_mapped(child)) {
      cw = gtk_widget_get_width(child);
      ch = gtk_widget_get_height(child);
    }
  }
  int w = gtk_widget_get_width(grid), h = gtk_widget_get_height(grid);
  if (cw <= 0 || ch <= 0 || w <= 0 || h <= 0)
    return FALSE;
  guint capacity = (guint)(MAX(1, w / cw) * ((h + ch - 1) / ch));
  return mapped >= capacity;
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double
percentile(GArray *sorted, double p)
{
  if (sorted->len == 0)
    return 0;
  guint rank = (guint)ceil(p / 100.0 * sorted->len);
  return g_array_index(sorted, double, CLAMP(rank, 1, sorted->len) - 1);
}

/* ------------------------------------------------------------ frame clock */

static void
before_paint_cb(GdkFrameClock *clock, DerushBenchMode *self)
{
  self->frame_begin = g_get_monotonic_time();
  self->frame_cpu_begin = thread_cpu_us();
}

static void finish_scroll(DerushBenchMode *self);
static void refresh_frame_done(DerushBenchMode *self);

static void
after_paint_cb(GdkFrameClock *clock, DerushBenchMode *self)
{
  gint64 now = g_get_monotonic_time();
  if (!self->first_frame)
    self->first_frame = now;
  /* Cells only draw once bound to a photo: the first frame that drew one
   * is the first the user sees photos in. */
  if (!self->first_grid_frame && derush_gui_counter_get(DERUSH_GUI_COUNTER_CELLS_BOUND) > 0 &&
      derush_gui_counter_get(DERUSH_GUI_COUNTER_CELLS_DRAWN) > 0)
    self->first_grid_frame = now;
  if (!self->loaded_frame && self->window && derush_window_is_loaded(self->window))
    self->loaded_frame = now;
  if (!self->first_screen_frame && self->window && screen_full(self->window, FALSE))
    self->first_screen_frame = now;
  if (!self->real_screen_frame && self->window && screen_full(self->window, TRUE))
    self->real_screen_frame = now;

  if (self->state == IDLE)
    return;
  Frame f = {gdk_frame_clock_get_frame_time(clock), self->frame_begin ? self->frame_begin : now,
             now, self->frame_begin ? thread_cpu_us() - self->frame_cpu_begin : 0};
  self->frame_begin = 0;
  g_array_append_val(self->frames, f);
  if (self->state == SCROLLING) {
    if (self->scroll_start &&
        f.frame_time - self->scroll_start >= (gint64)(self->seconds * G_USEC_PER_SEC))
      finish_scroll(self);
  } else {
    refresh_frame_done(self);
  }
}

static void
connect_clock(DerushBenchMode *self)
{
  if (self->clock || !self->window)
    return;
  GdkFrameClock *clock = gtk_widget_get_frame_clock(GTK_WIDGET(self->window));
  if (!clock)
    return;
  self->clock = g_object_ref(clock);
  self->before_paint_id =
      g_signal_connect(clock, "before-paint", G_CALLBACK(before_paint_cb), self);
  self->after_paint_id = g_signal_connect(clock, "after-paint", G_CALLBACK(after_paint_cb), self);
}

static void
realize_cb(GtkWidget *widget, DerushBenchMode *self)
{
  connect_clock(self);
}

static void
items_changed_cb(GListModel *model, guint position, guint removed, guint added,
                 DerushBenchMode *self)
{
  if (!self->first_items && added > 0)
    self->first_items = g_get_monotonic_time();
}

/* A tick callback keeps frames coming while measuring, even when nothing
 * redraws (it asks for the update phase only, so it draws nothing). */
static gboolean
tick_cb(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  DerushBenchMode *self = data;
  if (self->state != SCROLLING)
    return G_SOURCE_CONTINUE;

  GtkAdjustment *adj =
      gtk_scrollable_get_vadjustment(GTK_SCROLLABLE(derush_window_get_grid_view(self->window)));
  gint64 now = gdk_frame_clock_get_frame_time(clock);
  if (!self->scroll_start) {
    self->scroll_start = now;
    self->last_tick = now;
    self->start_value = self->value = gtk_adjustment_get_value(adj);
    return G_SOURCE_CONTINUE;
  }
  double dt = (now - self->last_tick) / (double)G_USEC_PER_SEC;
  self->last_tick = now;
  /* A steady speed in pixels per second of frame time, bouncing at the
   * ends, so a short folder still scrolls for the whole run. */
  double max = gtk_adjustment_get_upper(adj) - gtk_adjustment_get_page_size(adj);
  self->value += self->direction * self->speed * dt;
  if (self->value >= max) {
    self->value = max;
    self->direction = -1;
  } else if (self->value <= 0) {
    self->value = 0;
    self->direction = 1;
  }
  gtk_adjustment_set_value(adj, self->value);
  return G_SOURCE_CONTINUE;
}

static void
start_measuring(DerushBenchMode *self, State state)
{
  connect_clock(self);
  self->state = state;
  g_array_set_size(self->frames, 0);
  self->frame_begin = 0;
  snapshot_counters(self->counters_before);
  self->cpu_before = thread_cpu_us();
  if (!self->tick_id)
    self->tick_id = gtk_widget_add_tick_callback(GTK_WIDGET(self->window), tick_cb, self, NULL);
}

static void
stop_measuring(DerushBenchMode *self)
{
  self->state = IDLE;
  if (self->tick_id && self->window)
    gtk_widget_remove_tick_callback(GTK_WIDGET(self->window), self->tick_id);
  self->tick_id = 0;
}

/* ------------------------------------------------------------ scroll */

static void
finish_scroll(DerushBenchMode *self)
{
  gint64 cpu = thread_cpu_us() - self->cpu_before;
  stop_measuring(self);
  guint blank;
  guint mapped = derush_window_count_cells_on_screen(self->window, &blank);
  GArray *intervals = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *work = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *work_cpu = g_array_new(FALSE, FALSE, sizeof(double));
  guint late = 0, over = 0;
  double sum = 0, worst_work = 0;
  /* The first frame is the one that started the scroll: intervals count
   * from it. */
  for (guint i = 1; i < self->frames->len; i++) {
    Frame *a = &g_array_index(self->frames, Frame, i - 1);
    Frame *b = &g_array_index(self->frames, Frame, i);
    double ms = (b->frame_time - a->frame_time) / 1000.0;
    double w = (b->end - b->begin) / 1000.0;
    double c = b->cpu / 1000.0;
    g_array_append_val(intervals, ms);
    g_array_append_val(work, w);
    g_array_append_val(work_cpu, c);
    sum += ms;
    late += ms > FRAME_BUDGET_US / 1000.0 + 0.5; /* pacing jitter is not a dropped frame */
    over += w > FRAME_BUDGET_US / 1000.0;
    worst_work = MAX(worst_work, w);
  }
  g_array_sort(intervals, compare_double);
  g_array_sort(work, compare_double);
  g_array_sort(work_cpu, compare_double);
  guint n = intervals->len;
  double fps = sum > 0 ? n / (sum / 1000.0) : 0;

  GtkAdjustment *adj =
      gtk_scrollable_get_vadjustment(GTK_SCROLLABLE(derush_window_get_grid_view(self->window)));
  guint shown = derush_window_get_n_shown(self->window);
  guint columns = derush_window_get_n_columns(self->window);
  guint rows = (shown + columns - 1) / MAX(columns, 1);
  double row_px = rows ? gtk_adjustment_get_upper(adj) / rows : 0;
  double travelled = self->speed * (sum / 1000.0);
  guint photos = row_px > 0 ? (guint)(travelled / row_px * columns) : 0;

  g_print("bench scroll seconds=%.1f speed_px_s=%.0f photos_shown=%u columns=%u "
          "photos_passed=%u frames=%u fps=%.1f interval_p50_ms=%.2f interval_p95_ms=%.2f "
          "interval_p99_ms=%.2f interval_max_ms=%.2f frames_late=%u work_p50_ms=%.2f "
          "work_p95_ms=%.2f work_p99_ms=%.2f work_max_ms=%.2f frames_over_16_7ms=%u "
          "work_cpu_p50_ms=%.2f work_cpu_p95_ms=%.2f work_cpu_p99_ms=%.2f "
          "main_cpu_ms=%.0f cells_drawn=%" G_GINT64_FORMAT " cells_bound=%" G_GINT64_FORMAT
          " widgets_created=%" G_GINT64_FORMAT " widgets_total=%" G_GINT64_FORMAT
          " cells_alive=%u cells_mapped=%u cells_waiting_thumbnail=%u thumbnails_pending=%u "
          "analyzed=%d\n",
          self->seconds, self->speed, shown, columns, photos, n, fps, percentile(intervals, 50),
          percentile(intervals, 95), percentile(intervals, 99), percentile(intervals, 100), late,
          percentile(work, 50), percentile(work, 95), percentile(work, 99), worst_work, over,
          percentile(work_cpu, 50), percentile(work_cpu, 95), percentile(work_cpu, 99),
          cpu / 1000.0, counter_delta(self, DERUSH_GUI_COUNTER_CELLS_DRAWN),
          counter_delta(self, DERUSH_GUI_COUNTER_CELLS_BOUND),
          counter_delta(self, DERUSH_GUI_COUNTER_WIDGETS_CREATED),
          derush_gui_counter_get(DERUSH_GUI_COUNTER_WIDGETS_CREATED),
          derush_window_get_n_cells(self->window), mapped, blank,
          derush_window_get_thumbnails_pending(self->window),
          derush_window_is_analyzed(self->window));
  g_array_unref(intervals);
  g_array_unref(work);
  g_array_unref(work_cpu);
}

/**
 * derush_bench_mode_scroll:
 * @seconds: how long to scroll, in frame-clock time.
 * @pixels_per_second: the speed (it bounces at the ends of the grid).
 *
 * Scrolls the grid from a tick callback and prints a `bench scroll` line
 * when done; derush_bench_mode_is_busy() is TRUE meanwhile.
 */
void
derush_bench_mode_scroll(DerushBenchMode *self, double seconds, double pixels_per_second)
{
  g_return_if_fail(DERUSH_IS_BENCH_MODE(self));
  g_return_if_fail(self->window && self->state == IDLE);
  self->seconds = MAX(seconds, 0.1);
  self->speed = pixels_per_second > 0 ? pixels_per_second : 3000;
  self->scroll_start = 0;
  self->direction = 1;
  start_measuring(self, SCROLLING);
}

/* ------------------------------------------------------------ refresh */

/* What a finished analysis hands the window: id -> record, with the record
 * first so values read as DerushPhotoAnalysis* (as derush-analyzer.c). */
typedef struct {
  DerushPhotoAnalysis a;
  gint64 id;
} Entry;

static void
entry_free(Entry *e)
{
  g_free(e->a.best_name);
  g_free(e);
}

/* Every photo's record, with its exposure flag moved on by one: all of them
 * change, as after a retrain that moved every prediction. Built before the
 * clock starts: in the app this table comes from a worker. */
static void
add_changed_entry(gpointer item, gpointer table)
{
  const DerushPhotoAnalysis *old = derush_photo_item_get_analysis(item);
  Entry *e = g_new0(Entry, 1);
  e->a = *old;
  e->a.best_name = g_strdup(old->best_name);
  e->a.exposure = (old->exposure + 1) % 3;
  /* A new model: every p(keep) bar moves. */
  e->a.p_keep = isnan(old->p_keep) ? 0.5 : 1 - old->p_keep;
  e->a.zone = (old->zone + 1) % 3;
  e->a.model_version = old->model_version + 1;
  e->id = derush_photo_item_get_id(item);
  g_hash_table_insert(table, &e->id, e);
}

static GHashTable *
changed_table(DerushWindow *window)
{
  GHashTable *table =
      g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)entry_free);
  derush_photo_model_foreach(derush_window_get_model(window), add_changed_entry, table);
  return table;
}

static gboolean
apply_idle_cb(gpointer data)
{
  DerushBenchMode *self = data;
  self->idle_id = 0;
  g_autoptr(GHashTable) table = changed_table(self->window);
  self->n_items = g_hash_table_size(table);

  self->state = REFRESH_SETTLE;
  self->settle = 0;
  g_array_set_size(self->frames, 0);
  snapshot_counters(self->counters_before);
  self->cpu_before = thread_cpu_us();
  gint64 t0 = g_get_monotonic_time();
  self->told = derush_window_apply_analysis(self->window, table, self->groups_changed);
  self->apply_us = g_get_monotonic_time() - t0;
  /* Freeing the table is the worker's business in the app: not counted. */
  gint64 c0 = thread_cpu_us();
  g_clear_pointer(&table, g_hash_table_unref);
  self->cpu_before += thread_cpu_us() - c0;
  return G_SOURCE_REMOVE;
}

static void
refresh_frame_done(DerushBenchMode *self)
{
  if (++self->settle < SETTLE_FRAMES)
    return;
  if (self->state == REFRESH_BASELINE) {
    /* The same span with nothing to do, then the refresh itself, from an
     * idle (not inside a frame) as a worker's result arrives. */
    self->baseline_cpu = thread_cpu_us() - self->cpu_before;
    self->state = REFRESH_SETTLE;
    self->settle = 0;
    self->state = IDLE;
    self->idle_id = g_idle_add(apply_idle_cb, self);
    return;
  }
  gint64 cpu = thread_cpu_us() - self->cpu_before;
  double first_frame_ms = 0;
  if (self->frames->len > 0) {
    Frame *f = &g_array_index(self->frames, Frame, 0);
    first_frame_ms = (f->end - f->begin) / 1000.0;
  }
  stop_measuring(self);
  guint blank;
  guint visible = derush_window_count_cells_on_screen(self->window, &blank);
  g_print("bench refresh groups=%d items=%u items_notified=%u apply_ms=%.3f first_frame_ms=%.3f "
          "main_cpu_ms=%.3f baseline_cpu_ms=%.3f main_cpu_over_baseline_ms=%.3f "
          "cells_drawn=%" G_GINT64_FORMAT " cells_bound=%" G_GINT64_FORMAT
          " cells_alive=%u cells_mapped=%u\n",
          self->groups_changed, self->n_items, self->told, self->apply_us / 1000.0, first_frame_ms,
          cpu / 1000.0, self->baseline_cpu / 1000.0, MAX(0, cpu - self->baseline_cpu) / 1000.0,
          counter_delta(self, DERUSH_GUI_COUNTER_CELLS_DRAWN),
          counter_delta(self, DERUSH_GUI_COUNTER_CELLS_BOUND),
          derush_window_get_n_cells(self->window), visible);
}

/**
 * derush_bench_mode_refresh:
 * @groups_changed: as an analysis (groups may have moved), not a retrain.
 *
 * Measures three quiet frames, then changes every photo's analysis record
 * at once through the window's own path and measures three more; prints a
 * `bench refresh` line. derush_bench_mode_is_busy() is TRUE meanwhile.
 */
void
derush_bench_mode_refresh(DerushBenchMode *self, gboolean groups_changed)
{
  g_return_if_fail(DERUSH_IS_BENCH_MODE(self));
  g_return_if_fail(self->window && self->state == IDLE);
  self->groups_changed = groups_changed;
  self->settle = 0;
  start_measuring(self, REFRESH_BASELINE);
}

/* While the apply idle is pending the state is IDLE but frames must keep
 * coming: the tick callback stays until the settle frames are counted. */
static gboolean
refreshing(DerushBenchMode *self)
{
  return self->idle_id != 0;
}

/* ------------------------------------------------------------ start-up, memory */

/**
 * derush_bench_mode_print_startup:
 * Prints a `bench startup` line once the grid has drawn photos.
 * Returns: FALSE while no frame drew a bound cell yet (call again).
 */
gboolean
derush_bench_mode_print_startup(DerushBenchMode *self)
{
  g_return_val_if_fail(DERUSH_IS_BENCH_MODE(self), FALSE);
  if (!self->first_grid_frame)
    return FALSE;
  g_print("bench startup first_frame_ms=%.1f first_photos_ms=%.1f grid_ms=%.1f "
          "grid_monotonic_us=%" G_GINT64_FORMAT " photos_shown=%u cells_alive=%u\n",
          (self->first_frame - self->process_start) / 1000.0,
          self->first_items ? (self->first_items - self->process_start) / 1000.0 : -1.0,
          (self->first_grid_frame - self->process_start) / 1000.0, self->first_grid_frame,
          derush_window_get_n_shown(self->window), derush_window_get_n_cells(self->window));
  return TRUE;
}

/**
 * derush_bench_mode_print_loaded:
 * Prints a `bench loaded` line once the scan and the listing are done and a
 * frame went by.
 * Returns: FALSE until then (call again).
 */
gboolean
derush_bench_mode_print_loaded(DerushBenchMode *self)
{
  g_return_val_if_fail(DERUSH_IS_BENCH_MODE(self), FALSE);
  if (!self->loaded_frame)
    return FALSE;
  g_print("bench loaded loaded_ms=%.1f photos_shown=%u\n",
          (self->loaded_frame - self->process_start) / 1000.0,
          derush_window_get_n_shown(self->window));
  return TRUE;
}

/**
 * derush_bench_mode_print_first_screen:
 * Prints a `bench first-screen` line once a frame showed a full screen of
 * thumbnails, placeholders allowed, and one showed it without any (see
 * screen_full()).
 * Returns: FALSE until then (call again).
 */
gboolean
derush_bench_mode_print_first_screen(DerushBenchMode *self)
{
  g_return_val_if_fail(DERUSH_IS_BENCH_MODE(self), FALSE);
  if (!self->first_screen_frame || !self->real_screen_frame)
    return FALSE;
  guint blank;
  g_print("bench first-screen first_screen_ms=%.1f real_screen_ms=%.1f grid_ms=%.1f "
          "photos_shown=%u cells_on_screen=%u placeholders_used=%" G_GINT64_FORMAT " loaded=%d\n",
          (self->first_screen_frame - self->process_start) / 1000.0,
          (self->real_screen_frame - self->process_start) / 1000.0,
          (self->first_grid_frame - self->process_start) / 1000.0,
          derush_window_get_n_shown(self->window),
          derush_window_count_cells_on_screen(self->window, &blank),
          derush_gui_counter_get(DERUSH_GUI_COUNTER_PLACEHOLDERS_SHOWN),
          derush_window_is_loaded(self->window));
  return TRUE;
}

static gint64
status_kb(const char *text, const char *key)
{
  const char *line = strstr(text, key);
  return line ? g_ascii_strtoll(line + strlen(key), NULL, 10) : -1;
}

/** derush_bench_mode_print_memory: prints `bench memory vmhwm_kb=N vmrss_kb=N`. */
void
derush_bench_mode_print_memory(DerushBenchMode *self)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
    return;
  g_print("bench memory vmhwm_kb=%" G_GINT64_FORMAT " vmrss_kb=%" G_GINT64_FORMAT " photos=%u\n",
          status_kb(status, "VmHWM:"), status_kb(status, "VmRSS:"),
          self->window ? derush_photo_model_get_n_photos(derush_window_get_model(self->window))
                       : 0);
}

/** derush_bench_mode_is_busy: TRUE while a scroll or refresh measurement runs. */
gboolean
derush_bench_mode_is_busy(DerushBenchMode *self)
{
  return self->state != IDLE || refreshing(self);
}

/* ------------------------------------------------------------ GObject */

static void
derush_bench_mode_dispose(GObject *object)
{
  DerushBenchMode *self = DERUSH_BENCH_MODE(object);
  stop_measuring(self);
  g_clear_handle_id(&self->idle_id, g_source_remove);
  if (self->clock) {
    g_clear_signal_handler(&self->before_paint_id, self->clock);
    g_clear_signal_handler(&self->after_paint_id, self->clock);
  }
  g_clear_object(&self->clock);
  if (self->window)
    g_clear_signal_handler(&self->realize_id, self->window);
  g_clear_weak_pointer(&self->window);
  G_OBJECT_CLASS(derush_bench_mode_parent_class)->dispose(object);
}

static void
derush_bench_mode_finalize(GObject *object)
{
  DerushBenchMode *self = DERUSH_BENCH_MODE(object);
  g_array_unref(self->frames);
  G_OBJECT_CLASS(derush_bench_mode_parent_class)->finalize(object);
}

static void
derush_bench_mode_class_init(DerushBenchModeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_bench_mode_dispose;
  object_class->finalize = derush_bench_mode_finalize;
}

static void
derush_bench_mode_init(DerushBenchMode *self)
{
  self->frames = g_array_new(FALSE, FALSE, sizeof(Frame));
  self->process_start = process_start_us();
}

/**
 * derush_bench_mode_new:
 * @window: the window to measure; call before it is shown, so the start-up
 *   frames are seen.
 * Returns: (transfer full): the bench mode.
 */
DerushBenchMode *
derush_bench_mode_new(DerushWindow *window)
{
  g_return_val_if_fail(DERUSH_IS_WINDOW(window), NULL);
  DerushBenchMode *self = g_object_new(DERUSH_TYPE_BENCH_MODE, NULL);
  g_set_weak_pointer(&self->window, window);
  g_signal_connect_object(derush_photo_model_get_all(derush_window_get_model(window)),
                          "items-changed", G_CALLBACK(items_changed_cb), self, 0);
  if (gtk_widget_get_realized(GTK_WIDGET(window)))
    connect_clock(self);
  else
    self->realize_id = g_signal_connect(window, "realize", G_CALLBACK(realize_cb), self);
  return self;
}
