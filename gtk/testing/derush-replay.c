/* derush-replay.c: scripted actions for tests and benchmarks.
 *
 * `derush-gtk --replay SCRIPT DIR` runs SCRIPT, one command a line, against
 * the live window, then quits; the exit status is 1 when a command failed or
 * an expectation did not hold. Commands go through the same actions and
 * keyboard tables as the user (GTK 4.8 cannot inject key events, so `key`
 * looks the accelerator up in the window's tables), and read the window
 * through its public testing API (derush-window.h), no private header.
 *
 * The commands are the table `commands` below, one row each (name, the
 * words it needs, its handler, its usage), as cli/main.c's subcommands: a
 * new command is one handler and one row. A handler returns FALSE to be
 * called again on the next tick (a wait), TRUE when its line is done.
 *
 * Over 600 lines: one short handler per command (45 of them) and the
 * table; splitting them by theme would scatter the table's rows.
 *
 * Blank lines and lines starting with # are skipped. Output on stdout is
 * line-oriented ("screenshot FILE WxH", "counter NAME N", "toast: ...",
 * "bench KIND key=value...": see derush-bench-mode.c).
 */
#include "derush-replay.h"
#include "derush-gui-counters.h"
#include "derush-apply-dialog.h"
#include "derush-bench-mode.h"
#include "derush-preferences.h"
#include "derush-replay-ux.h"
#include "derush-replay-faces.h"
#include "derush-compare.h"
#include "derush-side-panel.h"
#include "derush-grid-cell.h"
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#define POLL_MS 25
#define WAIT_TIMEOUT_S 120

struct _DerushReplay {
  GObject parent_instance;
  DerushWindow *window; /* (unowned): the window owns the replay */
  GStrv lines;
  guint next;
  guint source;
  gint64 wait_started;
  guint frames; /* frames drawn since a screenshot was asked for */
  guint tick_id;
  guint attempts;
  DerushBenchMode *bench; /* when the script has bench- commands */
  gboolean bench_started;
  gboolean quit;
  gboolean failed;
};

G_DEFINE_FINAL_TYPE(DerushReplay, derush_replay, G_TYPE_OBJECT)

static void
fail(DerushReplay *self, const char *line, const char *why)
{
  g_printerr("replay: line %u \"%s\": %s\n", self->next, line, why);
  self->failed = TRUE;
}

static void
finish(DerushReplay *self)
{
  g_clear_handle_id(&self->source, g_source_remove);
  GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self->window));
  if (app)
    g_application_quit(G_APPLICATION(app));
}

/* Returns TRUE when the wait is over (met, or timed out and failed). */
static gboolean
wait_until(DerushReplay *self, const char *line, gboolean met)
{
  if (met) {
    self->wait_started = 0;
    return TRUE;
  }
  gint64 now = g_get_monotonic_time();
  if (!self->wait_started)
    self->wait_started = now;
  if (now - self->wait_started > (gint64)WAIT_TIMEOUT_S * G_USEC_PER_SEC) {
    fail(self, line, "timed out");
    self->wait_started = 0;
    return TRUE;
  }
  return FALSE;
}

static gboolean
frame_cb(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  DerushReplay *self = data;
  self->frames++;
  return G_SOURCE_CONTINUE;
}

/* A widget that still needs a layout renders as nothing: wait until two
 * frames have gone by (layout, then paint) before taking the picture. */
static gboolean
frames_passed(DerushReplay *self, guint n)
{
  if (!self->tick_id) {
    self->frames = 0;
    self->tick_id = gtk_widget_add_tick_callback(GTK_WIDGET(self->window), frame_cb, self, NULL);
    gtk_widget_queue_draw(GTK_WIDGET(self->window));
    return FALSE;
  }
  if (self->frames < n)
    return FALSE;
  gtk_widget_remove_tick_callback(GTK_WIDGET(self->window), self->tick_id);
  self->tick_id = 0;
  return TRUE;
}

static int
parse_choice(const char *word, const char *const *choices)
{
  for (int i = 0; choices[i]; i++)
    if (g_strcmp0(word, choices[i]) == 0)
      return i;
  return -1;
}

/* One line of a script: the command, its first word and the rest. */
typedef struct {
  const char *line; /* the whole line, stripped */
  const char *cmd;
  const char *a1; /* (nullable) */
  const char *a2; /* (nullable) the rest of the line after @a1 */
} Line;

typedef gboolean (*CommandFunc)(DerushReplay *self, const Line *l);

/* ------------------------------------------------------------ waits */

/* The conditions of the waits without words (the table's `until`): the
 * line waits until one holds. */
typedef gboolean (*WaitFunc)(DerushWindow *win);

static gboolean
thumbnails_done(DerushWindow *win)
{
  return derush_window_is_loaded(win) && derush_window_get_thumbnails_pending(win) == 0;
}

static gboolean
viewer_done(DerushWindow *win)
{
  return !derush_window_is_viewer_loading(win);
}

static gboolean
compare_done(DerushWindow *win)
{
  return !derush_window_is_compare_loading(win);
}

static gboolean
apply_done(DerushWindow *win)
{
  return !derush_apply_is_busy(win) && derush_window_is_loaded(win);
}

static gboolean
cmd_wait_no_match(DerushReplay *self, const Line *l)
{
  return wait_until(self, l->line,
                    derush_window_is_no_match_shown(self->window) ==
                        (g_ascii_strtoll(l->a1, NULL, 10) != 0));
}

static gboolean
cmd_wait_file(DerushReplay *self, const Line *l)
{
  return wait_until(self, l->line, g_file_test(l->a1, G_FILE_TEST_EXISTS));
}

static gboolean
cmd_sleep(DerushReplay *self, const Line *l)
{
  gint64 ms = l->a1 ? g_ascii_strtoll(l->a1, NULL, 10) : 100;
  gint64 now = g_get_monotonic_time();
  if (!self->wait_started)
    self->wait_started = now;
  if (now - self->wait_started < ms * 1000)
    return FALSE;
  self->wait_started = 0;
  return TRUE;
}

/* ------------------------------------------------------------ the grid */

static gboolean
cmd_select(DerushReplay *self, const Line *l)
{
  guint n = l->a2 ? (guint)g_ascii_strtoull(l->a2, NULL, 10) : 1;
  derush_window_select(self->window, (guint)g_ascii_strtoull(l->a1, NULL, 10), n);
  return TRUE;
}

static gboolean
cmd_key(DerushReplay *self, const Line *l)
{
  if (!derush_window_activate_shortcut(self->window, l->a1))
    fail(self, l->line, "no enabled action for this key");
  return TRUE;
}

static gboolean
cmd_action(DerushReplay *self, const Line *l)
{
  if (!gtk_widget_activate_action(GTK_WIDGET(self->window), l->a1, NULL))
    fail(self, l->line, "no such action");
  return TRUE;
}

static gboolean
cmd_filter(DerushReplay *self, const Line *l)
{
  static const char *const modes[] = {"all",    "unlabelled",  "keep",
                                      "trash",  "best",        "predicted-trash",
                                      "unsure", "closed-eyes", NULL};
  int mode = parse_choice(l->a1, modes);
  if (mode < 0)
    fail(self, l->line, "unknown filter");
  else
    derush_window_set_filter(self->window, mode);
  return TRUE;
}

static gboolean
cmd_sort(DerushReplay *self, const Line *l)
{
  static const char *const modes[] = {"time", "name", "group", "sharpness", "p-keep", NULL};
  int mode = parse_choice(l->a1, modes);
  if (mode < 0)
    fail(self, l->line, "unknown sort");
  else
    derush_window_set_sort(self->window, mode);
  return TRUE;
}

static gboolean
cmd_expect_shown(DerushReplay *self, const Line *l)
{
  guint want = (guint)g_ascii_strtoull(l->a1, NULL, 10);
  guint got = derush_window_get_n_shown(self->window);
  if (got != want) {
    g_autofree char *why = g_strdup_printf("%u photos shown", got);
    fail(self, l->line, why);
  }
  return TRUE;
}

static gboolean
cmd_print_no_match(DerushReplay *self, const Line *l)
{
  g_print("no-match %d\n", derush_window_is_no_match_shown(self->window));
  return TRUE;
}

static gboolean
cmd_print_message(DerushReplay *self, const Line *l)
{
  const char *title = derush_window_get_message(self->window);
  g_print("message %s\n", title ? title : "-");
  return TRUE;
}

static gboolean
cmd_print_shown(DerushReplay *self, const Line *l)
{
  g_print("shown %u\n", derush_window_get_n_shown(self->window));
  return TRUE;
}

static gboolean
cmd_print_subtitle(DerushReplay *self, const Line *l)
{
  /* The header follows the labels from an idle: let it catch up. */
  if (derush_window_is_status_pending(self->window))
    return FALSE;
  g_print("subtitle %s\n", derush_window_get_subtitle(self->window));
  return TRUE;
}

static gboolean
cmd_print_analysis(DerushReplay *self, const Line *l)
{
  guint grouped, best, flagged;
  derush_window_get_analysis_counts(self->window, &grouped, &best, &flagged);
  g_print("analysis grouped %u best %u flagged %u\n", grouped, best, flagged);
  return TRUE;
}

static gboolean
cmd_print_current(DerushReplay *self, const Line *l)
{
  DerushPhotoItem *item = derush_window_get_current(self->window);
  g_print("current %s\n", item ? derush_photo_item_get_display_name(item) : "none");
  return TRUE;
}

/* ------------------------------------------------------------ learning */

static gboolean
cmd_train_delay(DerushReplay *self, const Line *l)
{
  derush_window_set_train_delay(self->window, (guint)g_ascii_strtoull(l->a1, NULL, 10));
  return TRUE;
}

static gboolean
learned(DerushWindow *win)
{
  return derush_window_is_analyzed(win) && !derush_window_is_learning(win) &&
         !derush_window_is_status_pending(win);
}

static gboolean
cmd_learn_state(DerushReplay *self, const Line *l)
{
  g_autofree char *state = derush_window_describe_learning(self->window);
  g_print("%s", state);
  return TRUE;
}

static gboolean
cmd_select_name(DerushReplay *self, const Line *l)
{
  GListModel *shown = G_LIST_MODEL(derush_window_get_model(self->window));
  guint n = g_list_model_get_n_items(shown);
  for (guint i = 0; i < n; i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(shown, i);
    if (g_str_equal(derush_photo_item_get_display_name(item), l->a1)) {
      derush_window_select(self->window, i, 1);
      return TRUE;
    }
  }
  fail(self, l->line, "no such photo shown");
  return TRUE;
}

static gboolean
cmd_print_grid(DerushReplay *self, const Line *l)
{
  GListModel *shown = G_LIST_MODEL(derush_window_get_model(self->window));
  for (guint i = 0; i < g_list_model_get_n_items(shown); i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(shown, i);
    g_print("grid %u %s\n", i, derush_photo_item_get_display_name(item));
  }
  return TRUE;
}

/* What each bound cell draws of the label: a decision, or the model's
 * suggestion (an auto-label); and where the cell sits in @grid (its
 * column is the rank of its x among the cells'). */
static void
print_cell(DerushGridCell *cell, gpointer grid)
{
  DerushPhotoItem *item = derush_grid_cell_get_item(cell);
  if (!item)
    return;
  g_print("cell %s label %s%s\n", derush_photo_item_get_display_name(item),
          derush_label_name(derush_photo_item_get_label(item)),
          derush_grid_cell_is_auto_label(cell) ? " auto" : "");
  double x, y;
  if (gtk_widget_get_mapped(GTK_WIDGET(cell)) &&
      gtk_widget_translate_coordinates(GTK_WIDGET(cell), grid, 0, 0, &x, &y))
    g_print("cell-at %s %.1f %.1f\n", derush_photo_item_get_display_name(item), x, y);
  const graphene_rect_t *photo = derush_grid_cell_get_photo_rect(cell);
  g_print("photo %s %.1f %.1f %.1f %.1f\n", derush_photo_item_get_display_name(item),
          photo->origin.x, photo->origin.y, photo->size.width, photo->size.height);
  guint n = 0;
  const DerushCellPill *pills = derush_grid_cell_get_pills(cell, &n);
  for (guint i = 0; i < n; i++)
    g_print("pill %s %.1f %.1f %.1f %.1f %s\n", derush_photo_item_get_display_name(item),
            pills[i].x, pills[i].y, pills[i].width, pills[i].height, pills[i].text);
}

static gboolean
cmd_print_cells(DerushReplay *self, const Line *l)
{
  GtkWidget *grid = GTK_WIDGET(derush_window_get_grid_view(self->window));
  derush_grid_cell_foreach(grid, print_cell, grid);
  return TRUE;
}

/* A window renders: the picture once laid out (FALSE: call again). */
typedef gboolean (*ScreenshotFunc)(gpointer window, const char *path, int *width, int *height,
                                   GError **error);

static gboolean
take_screenshot(DerushReplay *self, const Line *l, gpointer window, ScreenshotFunc func)
{
  g_autoptr(GError) error = NULL;
  int width = 0, height = 0;
  if (!func(window, l->a1, &width, &height, &error)) {
    /* Still laying out (a toast arriving, a resize): try again shortly. */
    if (++self->attempts < 40)
      return FALSE;
    fail(self, l->line, error->message);
  } else {
    g_print("screenshot %s %dx%d\n", l->a1, width, height);
  }
  self->attempts = 0;
  return TRUE;
}

static gboolean
cmd_screenshot(DerushReplay *self, const Line *l)
{
  if (!frames_passed(self, 2))
    return FALSE;
  return take_screenshot(self, l, self->window, (ScreenshotFunc)derush_window_screenshot);
}

static gboolean
cmd_counters(DerushReplay *self, const Line *l)
{
  for (int i = 0; i < DERUSH_N_COUNTERS; i++)
    g_print("counter %s %" G_GINT64_FORMAT "\n", derush_counter_name(i), derush_counter_get(i));
  for (int i = 0; i < DERUSH_GUI_N_COUNTERS; i++)
    g_print("counter %s %" G_GINT64_FORMAT "\n", derush_gui_counter_name(i),
            derush_gui_counter_get(i));
  g_print("counter cells_alive %u\n", derush_window_get_n_cells(self->window));
  return TRUE;
}

static gboolean
cmd_touch(DerushReplay *self, const Line *l)
{
  if (!g_file_set_contents(l->a1, "", 0, NULL))
    fail(self, l->line, "cannot create the file");
  return TRUE;
}

static gboolean
cmd_quit(DerushReplay *self, const Line *l)
{
  self->quit = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------ compare, strip */

static DerushGroupStrip *
group_strip(DerushReplay *self)
{
  return derush_side_panel_get_group_strip(
      DERUSH_SIDE_PANEL(derush_window_get_side_panel(self->window)));
}

static gboolean
cmd_compare_state(DerushReplay *self, const Line *l)
{
  DerushCompare *compare = DERUSH_COMPARE(derush_window_get_compare(self->window));
  double zoom, scale, cx, cy;
  /* In the C locale's notation, whatever the user's. */
  char z[G_ASCII_DTOSTR_BUF_SIZE], sc[G_ASCII_DTOSTR_BUF_SIZE];
  char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
  for (guint i = 0; derush_compare_get_pane_state(compare, i, &zoom, &scale, &cx, &cy); i++)
    g_print("compare-pane %u zoom %s scale %s center %s %s\n", i,
            g_ascii_formatd(z, sizeof z, "%.3f", zoom),
            g_ascii_formatd(sc, sizeof sc, "%.4f", scale), g_ascii_formatd(x, sizeof x, "%.4f", cx),
            g_ascii_formatd(y, sizeof y, "%.4f", cy));
  return TRUE;
}

static gboolean
cmd_compare_pan(DerushReplay *self, const Line *l)
{
  DerushCompare *compare = DERUSH_COMPARE(derush_window_get_compare(self->window));
  double dx = 0, dy = 0;
  if (sscanf(l->a2, "%lf %lf", &dx, &dy) != 2 ||
      !derush_compare_pan(compare, (guint)g_ascii_strtoull(l->a1, NULL, 10), dx, dy))
    fail(self, l->line, "expected a pane shown and DX DY");
  return TRUE;
}

static gboolean
cmd_strip_state(DerushReplay *self, const Line *l)
{
  /* The panel follows the selection from an idle: let it catch up. */
  if (!wait_until(self, l->line, !derush_window_is_status_pending(self->window)))
    return FALSE;
  DerushGroupStrip *strip = group_strip(self);
  static const char *const kinds[] = {"none", "burst", "near-dup", "session"};
  GListModel *members = derush_group_strip_get_members(strip);
  DerushPhotoItem *current = derush_group_strip_get_current(strip);
  guint n = g_list_model_get_n_items(members);
  g_print("strip kind %s members %u current %s\n", kinds[derush_group_strip_get_kind(strip)], n,
          current ? derush_photo_item_get_display_name(current) : "none");
  for (guint i = 0; i < n; i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(members, i);
    g_print("strip-member %u %s%s%s\n", i, derush_photo_item_get_display_name(item),
            derush_group_strip_is_best(strip, item) ? " best" : "",
            item == current ? " current" : "");
  }
  return TRUE;
}

static gboolean
cmd_strip_click(DerushReplay *self, const Line *l)
{
  if (!derush_group_strip_activate(group_strip(self), (guint)g_ascii_strtoull(l->a1, NULL, 10)))
    fail(self, l->line, "no such member");
  return TRUE;
}

/* ------------------------------------------------------------ search, preferences */

static gboolean
cmd_search(DerushReplay *self, const Line *l)
{
  /* The rest of the line, spaces included. */
  const char *text = l->line + strlen(l->cmd);
  while (*text == ' ' || *text == '\t')
    text++;
  derush_window_set_search(self->window, text);
  return TRUE;
}

static gboolean
cmd_search_stop(DerushReplay *self, const Line *l)
{
  derush_window_stop_search(self->window);
  return TRUE;
}

static gboolean
cmd_search_state(DerushReplay *self, const Line *l)
{
  g_print("search mode %d text %s\n", derush_window_get_search_mode(self->window),
          derush_window_get_search(self->window));
  return TRUE;
}

static gboolean
cmd_pref(DerushReplay *self, const Line *l)
{
  g_autoptr(GError) error = NULL;
  DerushPreferences *prefs = derush_preferences_find(self->window);
  GApplication *app = G_APPLICATION(gtk_window_get_application(GTK_WINDOW(self->window)));
  if (!prefs)
    g_action_group_activate_action(G_ACTION_GROUP(app), "preferences", NULL);
  prefs = derush_preferences_find(self->window);
  if (!prefs)
    fail(self, l->line, "the preferences did not open");
  else if (!derush_preferences_set(prefs, l->a1, l->a2, &error))
    fail(self, l->line, error->message);
  return TRUE;
}

static gboolean
cmd_pref_state(DerushReplay *self, const Line *l)
{
  static const char *const styles[] = {"follow", "dark", "light"};
  guint style, session_gap;
  gboolean advance;
  int thumb_size;
  double burst_gap;
  g_object_get(self->window, "style", &style, "advance", &advance, "thumb-size", &thumb_size,
               "session-gap", &session_gap, "burst-gap", &burst_gap, NULL);
  char burst[G_ASCII_DTOSTR_BUF_SIZE];
  g_print("pref style %s\npref advance %s\npref thumb-size %d\npref session-gap %u\n"
          "pref burst-gap %s\nstyle-dark %d\n",
          styles[MIN(style, 2)], advance ? "true" : "false", thumb_size, session_gap,
          g_ascii_formatd(burst, sizeof burst, "%g", burst_gap),
          adw_style_manager_get_dark(adw_style_manager_get_default()));
  return TRUE;
}

static gboolean
cmd_pref_screenshot(DerushReplay *self, const Line *l)
{
  DerushPreferences *prefs = derush_preferences_find(self->window);
  if (!prefs) {
    fail(self, l->line, "the preferences are not open");
    return TRUE;
  }
  if (!frames_passed(self, 2))
    return FALSE;
  return take_screenshot(self, l, prefs, (ScreenshotFunc)derush_preferences_screenshot);
}

static gboolean
cmd_pref_close(DerushReplay *self, const Line *l)
{
  DerushPreferences *prefs = derush_preferences_find(self->window);
  if (prefs)
    gtk_window_close(GTK_WINDOW(prefs));
  return TRUE;
}

/* ------------------------------------------------------------ apply */

static gboolean
cmd_apply_dialog(DerushReplay *self, const Line *l)
{
  static const char *const choices[] = {"trash", "move", "xmp", NULL};
  int choice = parse_choice(l->a1, choices);
  DerushXmpStyle style = DERUSH_XMP_DARKTABLE;
  DerushApplyDialog *dialog = NULL;
  if (choice < 0 || (choice == DERUSH_APPLY_CHOICE_MOVE && !l->a2) ||
      (choice == DERUSH_APPLY_CHOICE_XMP && l->a2 && !derush_xmp_style_from_name(l->a2, &style)))
    fail(self, l->line, "expected trash, move DIR or xmp [STYLE]");
  else if (!derush_window_activate_shortcut(self->window, "<Control>e") ||
           !(dialog = derush_apply_dialog_find(self->window)))
    fail(self, l->line, "the apply dialog did not open");
  else
    derush_apply_dialog_set_choice(dialog, choice,
                                   choice == DERUSH_APPLY_CHOICE_MOVE ? l->a2 : NULL, style);
  return TRUE;
}

static DerushApplyDialog *
open_dialog(DerushReplay *self, const Line *l)
{
  DerushApplyDialog *dialog = derush_apply_dialog_find(self->window);
  if (!dialog)
    fail(self, l->line, "no apply dialog is open");
  return dialog;
}

static gboolean
cmd_apply_dry_run(DerushReplay *self, const Line *l)
{
  DerushApplyDialog *dialog = open_dialog(self, l);
  if (!dialog)
    return TRUE;
  g_autofree char *dry_run = derush_apply_dialog_get_dry_run(dialog);
  if (!wait_until(self, l->line, dry_run != NULL))
    return FALSE;
  g_print("%s", dry_run ? dry_run : "");
  return TRUE;
}

static gboolean
cmd_apply_confirm(DerushReplay *self, const Line *l)
{
  DerushApplyDialog *dialog = open_dialog(self, l);
  if (dialog && !derush_apply_dialog_confirm(dialog))
    fail(self, l->line, "nothing to confirm");
  return TRUE;
}

static gboolean
cmd_screenshot_dialog(DerushReplay *self, const Line *l)
{
  DerushApplyDialog *dialog = open_dialog(self, l);
  if (!dialog)
    return TRUE;
  return take_screenshot(self, l, dialog, (ScreenshotFunc)derush_apply_dialog_screenshot);
}

static gboolean
cmd_apply_undo(DerushReplay *self, const Line *l)
{
  if (!gtk_widget_activate_action(GTK_WIDGET(self->window), "win.undo-apply", NULL))
    fail(self, l->line, "no such action");
  return TRUE;
}

/* ------------------------------------------------------------ bench */

static gboolean
has_bench(DerushReplay *self, const Line *l)
{
  if (!self->bench)
    fail(self, l->line, "bench commands need the window from the start");
  return self->bench != NULL;
}

/* bench-startup, bench-loaded, bench-first-screen: wait for the moment,
 * then print its time. */
static gboolean
cmd_bench_moment(DerushReplay *self, const Line *l)
{
  if (!has_bench(self, l))
    return TRUE;
  gboolean (*print)(DerushBenchMode *) =
      g_str_equal(l->cmd, "bench-startup")  ? derush_bench_mode_print_startup
      : g_str_equal(l->cmd, "bench-loaded") ? derush_bench_mode_print_loaded
                                            : derush_bench_mode_print_first_screen;
  return wait_until(self, l->line, print(self->bench));
}

/* bench-scroll and bench-refresh: start the measurement once, then wait. */
static gboolean
cmd_bench_run(DerushReplay *self, const Line *l)
{
  if (!has_bench(self, l))
    return TRUE;
  if (!self->bench_started) {
    if (g_str_equal(l->cmd, "bench-refresh"))
      derush_bench_mode_refresh(self->bench, g_strcmp0(l->a1, "groups") == 0);
    else
      derush_bench_mode_scroll(self->bench, l->a1 ? g_ascii_strtod(l->a1, NULL) : 5.0,
                               l->a2 ? g_ascii_strtod(l->a2, NULL) : 0);
    self->bench_started = TRUE;
  }
  if (!wait_until(self, l->line, !derush_bench_mode_is_busy(self->bench)))
    return FALSE;
  self->bench_started = FALSE;
  return TRUE;
}

static gboolean
cmd_bench_memory(DerushReplay *self, const Line *l)
{
  if (has_bench(self, l))
    derush_bench_mode_print_memory(self->bench);
  return TRUE;
}

/* ------------------------------------------------------------ the table */

typedef struct {
  const char *name;
  int n_args; /* words required after the name */
  CommandFunc func;
  const char *usage;
  WaitFunc until; /* instead of @func: the line waits until it holds */
} Command;

static const Command commands[] = {
    {"wait-loaded", 0, NULL, "the scan and listing are done", derush_window_is_loaded},
    {"wait-thumbnails", 0, NULL, "no thumbnail request pending", thumbnails_done},
    {"wait-viewer", 0, NULL, "the viewer's decode is done", viewer_done},
    {"wait-compare", 0, NULL, "the compare view's decodes are done", compare_done},
    {"wait-missing", 0, NULL, "the window noticed the folder is gone",
     derush_window_is_folder_missing},
    {"wait-analyzed", 0, NULL, "the analysis is done and its results shown",
     derush_window_is_analyzed},
    {"wait-no-match", 1, cmd_wait_no_match,
     "0|1: until the \"No Photos Match\" page is hidden (0) or shown (1)"},
    {"wait-apply", 0, NULL, "the apply or undo is done, the folder listed again", apply_done},
    {"wait-file", 1, cmd_wait_file, "FILE: until FILE exists (the test driver's go-ahead)"},
    {"sleep", 0, cmd_sleep, "MS"},
    {"select", 1, cmd_select, "N [COUNT]: select COUNT photos from position N"},
    {"key", 1, cmd_key, "ACCEL: e.g. \"k\", \"<Control>z\", \"space\""},
    {"action", 1, cmd_action, "NAME: e.g. \"win.keep\""},
    {"filter", 1, cmd_filter, "all|unlabelled|keep|trash|best|predicted-trash|unsure|closed-eyes"},
    {"sort", 1, cmd_sort, "time|name|group|sharpness|p-keep"},
    {"expect-shown", 1, cmd_expect_shown, "N: the grid shows N photos"},
    {"print-no-match", 0, cmd_print_no_match, "print \"no-match 0|1\""},
    {"print-message", 0, cmd_print_message,
     "print \"message TITLE\" (the page over the grid: \"Disk Full\"...) or \"message -\""},
    {"print-shown", 0, cmd_print_shown, "print \"shown N\" (photos in the grid now)"},
    {"print-subtitle", 0, cmd_print_subtitle,
     "print \"subtitle TEXT\" (the header's line: photos, labelled)"},
    {"print-analysis", 0, cmd_print_analysis, "print \"analysis grouped N best N flagged N\""},
    {"print-current", 0, cmd_print_current, "print \"current NAME\" (the first selected photo)"},
    {"screenshot", 1, cmd_screenshot, "FILE.png: render the window (prints its size)"},
    {"counters", 0, cmd_counters, "print the work counters"},
    {"touch", 1, cmd_touch, "FILE: create FILE (a signal for the test driver)"},
    {"quit", 0, cmd_quit, ""},
    {"compare-state", 0, cmd_compare_state,
     "print each compare pane's zoom, scale and centre (\"compare-pane I zoom Z scale S center "
     "X Y\")"},
    {"compare-pan", 2, cmd_compare_pan, "I DX DY: pan compare pane I as a drag of DX, DY pixels"},
    {"strip-state", 0, cmd_strip_state,
     "print the side panel's group strip (\"strip kind K members N current NAME\", "
     "\"strip-member I NAME [best] [current]\")"},
    {"strip-click", 1, cmd_strip_click, "N: click the strip's Nth member"},
    {"search", 0, cmd_search, "[TEXT]: search file and folder names for TEXT (none: clear)"},
    {"search-stop", 0, cmd_search_stop, "Escape in the search entry (its stop-search)"},
    {"search-state", 0, cmd_search_state, "print \"search mode 0|1 text TEXT\""},
    {"pref", 2, cmd_pref,
     "KEY VALUE: open the preferences (app.preferences) and set a row: style "
     "follow|dark|light, advance true|false, thumb-size PX, session-gap MIN, burst-gap S"},
    {"pref-state", 0, cmd_pref_state,
     "print \"pref KEY VALUE\" for each key, then \"style-dark 0|1\""},
    {"pref-screenshot", 1, cmd_pref_screenshot, "FILE.png: render the preferences window"},
    {"pref-close", 0, cmd_pref_close, "close the preferences window"},
    {"apply-dialog", 1, cmd_apply_dialog,
     "trash|move DIR|xmp [STYLE]: open the apply dialog (Ctrl+E), choose the action"},
    {"apply-dry-run", 0, cmd_apply_dry_run, "wait for the dialog's dry run, print it"},
    {"screenshot-dialog", 1, cmd_screenshot_dialog, "FILE.png: render the apply dialog"},
    {"apply-confirm", 0, cmd_apply_confirm, "confirm the dialog's action (its confirm button)"},
    {"apply-undo", 0, cmd_apply_undo, "undo the last apply (the toast's Undo button)"},
    {"train-delay", 1, cmd_train_delay, "MS: the quiet time after a label before training"},
    {"wait-learned", 0, NULL,
     "the analysis is done, no training waits or runs, no N pick or reasons are on their way",
     learned},
    {"learn-state", 0, cmd_learn_state,
     "print the learning indicator and the side panel's model section (\"indicator TEXT\", "
     "\"model TEXT\", \"tile NAME: V\", \"prediction TEXT\", \"reason TEXT\")"},
    {"select-name", 1, cmd_select_name, "NAME: select the photo shown with that file name"},
    {"print-grid", 0, cmd_print_grid, "print \"grid I NAME\" for every photo shown, in order"},
    {"print-cells", 0, cmd_print_cells,
     "print \"cell NAME label L [auto]\" for every bound cell, \"cell-at NAME X Y\" where the "
     "cell sits in the grid, \"photo NAME X Y W H\" where it drew the photo, then \"pill NAME X "
     "Y W H TEXT\" for each pill it drew"},
    {"bench-startup", 0, cmd_bench_moment, "wait for the first frame with photos, print its time"},
    {"bench-loaded", 0, cmd_bench_moment, "wait until the scan and listing are done, print it"},
    {"bench-first-screen", 0, cmd_bench_moment,
     "wait for a full screen of thumbnails, print its time"},
    {"bench-scroll", 0, cmd_bench_run,
     "SECS [PX/S]: scroll the grid steadily, print frame times and work"},
    {"bench-refresh", 0, cmd_bench_run,
     "[groups]: change every photo's analysis at once (as a retrain; groups: as an analysis), "
     "print the cost"},
    {"bench-memory", 0, cmd_bench_memory, "print peak and current RSS"},
};

/* Runs one line; FALSE means "not yet, call again" (a wait). */
static gboolean
run_line(DerushReplay *self, const char *raw)
{
  g_autofree char *line = g_strstrip(g_strdup(raw));
  if (!*line || line[0] == '#')
    return TRUE;
  g_auto(GStrv) w = g_strsplit_set(line, " \t", 3);
  Line l = {line, w[0], w[1], w[1] ? w[2] : NULL};
  int n_args = (l.a1 != NULL) + (l.a2 != NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
    if (!g_str_equal(commands[i].name, l.cmd))
      continue;
    if (n_args < commands[i].n_args) {
      g_autofree char *why = g_strdup_printf("usage: %s %s", l.cmd, commands[i].usage);
      fail(self, line, why);
      return TRUE;
    }
    if (commands[i].until)
      return wait_until(self, line, commands[i].until(self->window));
    return commands[i].func(self, &l);
  }
  /* Menus, focus, the grid's words, compare, histogram: derush-replay-ux.c. */
  if (derush_replay_ux_handles(l.cmd)) {
    g_autoptr(GError) error = NULL;
    if (!derush_replay_ux_run(self->window, l.cmd, l.a1, l.a2, &error))
      fail(self, line, error->message);
    return TRUE;
  }
  /* Face badges, the Faces row, the viewer's boxes: derush-replay-faces.c. */
  if (derush_replay_faces_handles(l.cmd)) {
    g_autoptr(GError) error = NULL;
    gboolean done = TRUE;
    if (!derush_replay_faces_run(self->window, l.cmd, &done, &error))
      fail(self, line, error->message);
    return wait_until(self, line, done);
  }
  fail(self, line, "unknown command");
  return TRUE;
}

static gboolean
tick_cb(gpointer data)
{
  DerushReplay *self = data;
  /* A few commands per tick, then back to the main loop so GTK lays out
   * and draws between them as it would between key presses. */
  for (int budget = 4; budget > 0 && self->lines[self->next]; budget--) {
    if (!run_line(self, self->lines[self->next]))
      return G_SOURCE_CONTINUE;
    self->next++;
    if (self->failed || self->quit)
      break;
  }
  if (!self->lines[self->next] || self->failed || self->quit) {
    self->source = 0;
    finish(self);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static void
derush_replay_dispose(GObject *object)
{
  DerushReplay *self = DERUSH_REPLAY(object);
  g_clear_handle_id(&self->source, g_source_remove);
  if (self->tick_id && self->window)
    gtk_widget_remove_tick_callback(GTK_WIDGET(self->window), self->tick_id);
  self->tick_id = 0;
  g_clear_object(&self->bench);
  G_OBJECT_CLASS(derush_replay_parent_class)->dispose(object);
}

static void
derush_replay_finalize(GObject *object)
{
  DerushReplay *self = DERUSH_REPLAY(object);
  g_strfreev(self->lines);
  G_OBJECT_CLASS(derush_replay_parent_class)->finalize(object);
}

static void
derush_replay_class_init(DerushReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_replay_dispose;
  object_class->finalize = derush_replay_finalize;
}

static void
derush_replay_init(DerushReplay *self)
{
}

/**
 * derush_replay_new:
 * @window: the window to drive.
 * @script_path: the script ("-" reads standard input).
 *
 * Returns: (transfer full): the replay, or NULL with @error set.
 */
DerushReplay *
derush_replay_new(DerushWindow *window, const char *script_path, GError **error)
{
  g_autofree char *text = NULL;
  if (g_str_equal(script_path, "-")) {
    g_autoptr(GInputStream) in = g_unix_input_stream_new(0, FALSE);
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
    if (g_output_stream_splice(out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
      return NULL;
    gsize len = g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(out));
    text = g_strndup(g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(out)), len);
  } else if (!g_file_get_contents(script_path, &text, NULL, error)) {
    return NULL;
  }
  DerushReplay *self = g_object_new(DERUSH_TYPE_REPLAY, NULL);
  self->window = window;
  self->lines = g_strsplit(text, "\n", -1);
  /* Made now, before the window is shown, so it sees the first frames. */
  if (strstr(text, "bench-"))
    self->bench = derush_bench_mode_new(window);
  g_object_set_data(G_OBJECT(window), "derush-replay", self);
  return self;
}

/** derush_replay_start: runs the script from the main loop. */
void
derush_replay_start(DerushReplay *self)
{
  if (!self->source)
    self->source = g_timeout_add(POLL_MS, tick_cb, self);
}

/** derush_replay_get_failed: TRUE when a command failed or an expectation did not hold. */
gboolean
derush_replay_get_failed(DerushReplay *self)
{
  return self->failed;
}
