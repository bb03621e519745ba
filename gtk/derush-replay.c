/* derush-replay.c: scripted actions for tests and benchmarks.
 *
 * `derush-gtk --replay SCRIPT DIR` runs SCRIPT, one command a line, against
 * the live window, then quits; the exit status is 1 when a command failed or
 * an expectation did not hold. Commands go through the same actions and
 * keyboard tables as the user (GTK 4.8 cannot inject key events, so `key`
 * looks the accelerator up in the window's tables):
 *
 *   wait-loaded              the scan and listing are done
 *   wait-thumbnails          no thumbnail request pending
 *   wait-viewer              the viewer's decode is done
 *   wait-compare             the compare view's decodes are done
 *   wait-missing             the window noticed the folder is gone
 *   wait-analyzed            the analysis is done and its results shown
 *   sleep MS
 *   select N [COUNT]         select COUNT photos from position N
 *   key ACCEL                e.g. "k", "<Control>z", "space"
 *   action NAME              e.g. "win.keep"
 *   filter all|unlabelled|keep|trash|best|predicted-trash|unsure
 *   sort time|name|group|sharpness|p-keep
 *   search [TEXT]            search file and folder names for TEXT (none: clear)
 *   search-stop              Escape in the search entry (its stop-search)
 *   search-state             print "search mode 0|1 text TEXT"
 *   pref KEY VALUE           open the preferences (app.preferences) and set a row:
 *                            style follow|dark|light, advance true|false,
 *                            thumb-size PX, session-gap MIN, burst-gap S
 *   pref-state               print "pref KEY VALUE" for each key, then
 *                            "style-dark 0|1" (the style manager's answer)
 *   pref-screenshot FILE.png render the preferences window
 *   pref-close               close the preferences window
 *   expect-shown N           the grid shows N photos
 *   print-no-match           print "no-match 0|1": the "No Photos Match" page is shown
 *   wait-no-match 0|1        until the "No Photos Match" page is hidden (0) or shown (1)
 *   print-shown              print "shown N" (photos in the grid now)
 *   print-analysis           print "analysis grouped N best N flagged N"
 *   screenshot FILE.png      render the window (prints its size)
 *   counters                 print the work counters
 *   touch FILE               create FILE (a signal for the test driver)
 *   print-current            print "current NAME" (the first selected photo)
 *   compare-state            print each compare pane's zoom, scale and centre
 *                            ("compare-pane I zoom Z scale S center X Y")
 *   compare-pan I DX DY      pan compare pane I as a drag of DX, DY pixels
 *   strip-state              print the side panel's group strip ("strip kind
 *                            K members N current NAME", "strip-member I NAME
 *                            [best] [current]")
 *   strip-click N            click the strip's Nth member
 *   apply-dialog trash|move DIR|xmp [STYLE]
 *                            open the apply dialog (Ctrl+E), choose the action
 *   apply-dry-run            wait for the dialog's dry run, print it ("dry-run ...")
 *   screenshot-dialog FILE.png  render the apply dialog
 *   apply-confirm            confirm the dialog's action (its confirm button)
 *   apply-undo               undo the last apply (the toast's Undo button)
 *   wait-apply               the apply or undo is done, the folder listed again
 *   wait-file FILE           until FILE exists (the test driver's go-ahead)
 *   train-delay MS           the quiet time after a label before training
 *   wait-learned             the analysis is done, no training waits or runs, no
 *                            N pick or reasons are on their way
 *   learn-state              print the learning indicator and the side panel's model
 *                            section ("indicator TEXT", "model TEXT", "tile NAME: V",
 *                            "prediction TEXT", "reason TEXT")
 *   select-name NAME         select the photo shown with that file name
 *   print-grid               print "grid I NAME" for every photo shown, in order
 *   print-cells              print "cell NAME label L [auto]" for every bound cell
 *   bench-startup            wait for the first frame with photos, print its time
 *   bench-loaded             wait until the scan and listing are done, print the time
 *   bench-scroll SECS [PX/S] scroll the grid steadily, print frame times and work
 *   bench-refresh [groups]   change every photo's analysis at once (as a retrain;
 *                            groups: as an analysis), print the cost
 *   bench-memory             print peak and current RSS
 *   quit
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
#include "derush-window-private.h"
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

/* The compare view's and the group strip's commands; FALSE: call again. */
static gboolean
run_group_command(DerushReplay *self, const char *line, const char *cmd, const char *a1,
                  const char *a2)
{
  DerushWindow *win = self->window;
  DerushGroupStrip *strip = derush_side_panel_get_group_strip(win->side_panel);
  if (g_str_equal(cmd, "print-current")) {
    DerushPhotoItem *item = _derush_window_get_current(win);
    g_print("current %s\n", item ? derush_photo_item_get_display_name(item) : "none");
  } else if (g_str_equal(cmd, "compare-state")) {
    double zoom, scale, cx, cy;
    /* In the C locale's notation, whatever the user's. */
    char z[G_ASCII_DTOSTR_BUF_SIZE], sc[G_ASCII_DTOSTR_BUF_SIZE];
    char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
    for (guint i = 0; derush_compare_get_pane_state(win->compare, i, &zoom, &scale, &cx, &cy); i++)
      g_print("compare-pane %u zoom %s scale %s center %s %s\n", i,
              g_ascii_formatd(z, sizeof z, "%.3f", zoom),
              g_ascii_formatd(sc, sizeof sc, "%.4f", scale),
              g_ascii_formatd(x, sizeof x, "%.4f", cx), g_ascii_formatd(y, sizeof y, "%.4f", cy));
  } else if (g_str_equal(cmd, "compare-pan") && a1 && a2) {
    double dx = 0, dy = 0;
    if (sscanf(a2, "%lf %lf", &dx, &dy) != 2 ||
        !derush_compare_pan(win->compare, (guint)g_ascii_strtoull(a1, NULL, 10), dx, dy))
      fail(self, line, "expected a pane shown and DX DY");
  } else if (g_str_equal(cmd, "strip-state")) {
    /* The panel follows the selection from an idle: let it catch up. */
    if (!wait_until(self, line, win->status_idle == 0))
      return FALSE;
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
  } else if (g_str_equal(cmd, "strip-click") && a1) {
    if (!derush_group_strip_activate(strip, (guint)g_ascii_strtoull(a1, NULL, 10)))
      fail(self, line, "no such member");
  } else {
    fail(self, line, "unknown command");
  }
  return TRUE;
}

/* The learning commands; FALSE: call again. */
static gboolean
run_learn_command(DerushReplay *self, const char *line, const char *cmd, const char *a1)
{
  DerushWindow *win = self->window;
  if (g_str_equal(cmd, "train-delay") && a1) {
    derush_window_set_train_delay(win, (guint)g_ascii_strtoull(a1, NULL, 10));
  } else if (g_str_equal(cmd, "wait-learned")) {
    return wait_until(self, line,
                      derush_window_is_analyzed(win) && !derush_window_is_learning(win) &&
                          win->status_idle == 0);
  } else if (g_str_equal(cmd, "learn-state")) {
    g_autofree char *state = derush_window_describe_learning(win);
    g_print("%s", state);
  } else if (g_str_equal(cmd, "select-name") && a1) {
    GListModel *model = G_LIST_MODEL(win->sort_model);
    guint n = g_list_model_get_n_items(model), i;
    for (i = 0; i < n; i++) {
      g_autoptr(DerushPhotoItem) item = g_list_model_get_item(model, i);
      if (g_str_equal(derush_photo_item_get_display_name(item), a1))
        break;
    }
    if (i < n)
      derush_window_select(win, i, 1);
    else
      fail(self, line, "no such photo shown");
  } else if (g_str_equal(cmd, "print-grid")) {
    GListModel *model = G_LIST_MODEL(win->sort_model);
    for (guint i = 0; i < g_list_model_get_n_items(model); i++) {
      g_autoptr(DerushPhotoItem) item = g_list_model_get_item(model, i);
      g_print("grid %u %s\n", i, derush_photo_item_get_display_name(item));
    }
  } else if (g_str_equal(cmd, "print-cells")) {
    /* What each bound cell draws of the label: a decision or the model's
     * suggestion. */
    for (guint i = 0; i < win->cells->len; i++) {
      DerushGridCell *cell = win->cells->pdata[i];
      DerushPhotoItem *item = derush_grid_cell_get_item(cell);
      if (item)
        g_print("cell %s label %s%s\n", derush_photo_item_get_display_name(item),
                derush_label_name(derush_photo_item_get_label(item)),
                derush_grid_cell_is_auto_label(cell) ? " auto" : "");
    }
  } else {
    fail(self, line, "unknown command");
  }
  return TRUE;
}

/* The search bar's and the preferences' commands; FALSE: call again. */
static gboolean
run_settings_command(DerushReplay *self, const char *line, const char *cmd, const char *a1,
                     const char *a2)
{
  DerushWindow *win = self->window;
  DerushPreferences *prefs = derush_preferences_find(win);
  g_autoptr(GError) error = NULL;
  if (g_str_equal(cmd, "search")) {
    /* The rest of the line, spaces included. */
    const char *text = line + strlen(cmd);
    while (*text == ' ' || *text == '\t')
      text++;
    derush_window_set_search(win, text);
  } else if (g_str_equal(cmd, "search-stop")) {
    g_signal_emit_by_name(win->search_entry, "stop-search");
  } else if (g_str_equal(cmd, "search-state")) {
    g_print("search mode %d text %s\n", gtk_search_bar_get_search_mode(win->search_bar),
            derush_window_get_search(win));
  } else if (g_str_equal(cmd, "pref") && a1 && a2) {
    GApplication *app = G_APPLICATION(gtk_window_get_application(GTK_WINDOW(win)));
    if (!prefs)
      g_action_group_activate_action(G_ACTION_GROUP(app), "preferences", NULL);
    prefs = derush_preferences_find(win);
    if (!prefs)
      fail(self, line, "the preferences did not open");
    else if (!derush_preferences_set(prefs, a1, a2, &error))
      fail(self, line, error->message);
  } else if (g_str_equal(cmd, "pref-state")) {
    static const char *const styles[] = {"follow", "dark", "light"};
    guint style, session_gap;
    gboolean advance;
    int thumb_size;
    double burst_gap;
    g_object_get(win, "style", &style, "advance", &advance, "thumb-size", &thumb_size,
                 "session-gap", &session_gap, "burst-gap", &burst_gap, NULL);
    char burst[G_ASCII_DTOSTR_BUF_SIZE];
    g_print("pref style %s\npref advance %s\npref thumb-size %d\npref session-gap %u\n"
            "pref burst-gap %s\nstyle-dark %d\n",
            styles[MIN(style, 2)], advance ? "true" : "false", thumb_size, session_gap,
            g_ascii_formatd(burst, sizeof burst, "%g", burst_gap),
            adw_style_manager_get_dark(adw_style_manager_get_default()));
  } else if (g_str_equal(cmd, "pref-screenshot") && a1) {
    int width = 0, height = 0;
    if (!prefs) {
      fail(self, line, "the preferences are not open");
    } else if (!frames_passed(self, 2)) {
      return FALSE;
    } else if (!derush_preferences_screenshot(prefs, a1, &width, &height, &error)) {
      if (++self->attempts < 40)
        return FALSE; /* not laid out yet */
      fail(self, line, error->message);
    } else {
      g_print("screenshot %s %dx%d\n", a1, width, height);
    }
    self->attempts = 0;
  } else if (g_str_equal(cmd, "pref-close")) {
    if (prefs)
      gtk_window_close(GTK_WINDOW(prefs));
  } else {
    fail(self, line, "unknown command");
  }
  return TRUE;
}

/* Runs one line; FALSE means "not yet, call again" (a wait). */
static gboolean
run_line(DerushReplay *self, const char *raw)
{
  g_autofree char *line = g_strstrip(g_strdup(raw));
  if (!*line || line[0] == '#')
    return TRUE;
  g_auto(GStrv) w = g_strsplit_set(line, " \t", 3);
  const char *cmd = w[0];
  const char *a1 = w[1], *a2 = a1 ? w[2] : NULL;
  DerushWindow *win = self->window;

  if (g_str_equal(cmd, "wait-loaded"))
    return wait_until(self, line, derush_window_is_loaded(win));
  if (g_str_equal(cmd, "wait-thumbnails"))
    return wait_until(
        self, line, derush_window_is_loaded(win) && derush_window_get_thumbnails_pending(win) == 0);
  if (g_str_equal(cmd, "wait-viewer"))
    return wait_until(self, line, !derush_window_is_viewer_loading(win));
  if (g_str_equal(cmd, "wait-compare"))
    return wait_until(self, line, !derush_window_is_compare_loading(win));
  if (g_str_equal(cmd, "wait-missing"))
    return wait_until(self, line, derush_window_is_folder_missing(win));
  if (g_str_equal(cmd, "wait-no-match") && a1)
    return wait_until(self, line,
                      gtk_widget_get_visible(win->no_match_page) ==
                          (g_ascii_strtoll(a1, NULL, 10) != 0));
  if (g_str_equal(cmd, "wait-analyzed"))
    return wait_until(self, line, derush_window_is_analyzed(win));
  if (g_str_equal(cmd, "sleep")) {
    gint64 ms = a1 ? g_ascii_strtoll(a1, NULL, 10) : 100;
    gint64 now = g_get_monotonic_time();
    if (!self->wait_started)
      self->wait_started = now;
    if (now - self->wait_started < ms * 1000)
      return FALSE;
    self->wait_started = 0;
    return TRUE;
  }
  if (g_str_equal(cmd, "select") && a1) {
    guint n = a2 ? (guint)g_ascii_strtoull(a2, NULL, 10) : 1;
    derush_window_select(win, (guint)g_ascii_strtoull(a1, NULL, 10), n);
  } else if (g_str_equal(cmd, "key") && a1) {
    if (!derush_window_activate_shortcut(win, a1))
      fail(self, line, "no enabled action for this key");
  } else if (g_str_equal(cmd, "action") && a1) {
    if (!gtk_widget_activate_action(GTK_WIDGET(win), a1, NULL))
      fail(self, line, "no such action");
  } else if (g_str_equal(cmd, "filter") && a1) {
    static const char *const modes[] = {"all",  "unlabelled",      "keep",   "trash",
                                        "best", "predicted-trash", "unsure", NULL};
    int mode = parse_choice(a1, modes);
    if (mode < 0)
      fail(self, line, "unknown filter");
    else
      derush_window_set_filter(win, mode);
  } else if (g_str_equal(cmd, "sort") && a1) {
    static const char *const modes[] = {"time", "name", "group", "sharpness", "p-keep", NULL};
    int mode = parse_choice(a1, modes);
    if (mode < 0)
      fail(self, line, "unknown sort");
    else
      derush_window_set_sort(win, mode);
  } else if (g_str_equal(cmd, "expect-shown") && a1) {
    guint want = (guint)g_ascii_strtoull(a1, NULL, 10);
    guint got = derush_window_get_n_shown(win);
    if (got != want) {
      g_autofree char *why = g_strdup_printf("%u photos shown", got);
      fail(self, line, why);
    }
  } else if (g_str_equal(cmd, "print-no-match")) {
    g_print("no-match %d\n", gtk_widget_get_visible(win->no_match_page));
  } else if (g_str_equal(cmd, "print-shown")) {
    g_print("shown %u\n", derush_window_get_n_shown(win));
  } else if (g_str_equal(cmd, "print-analysis")) {
    guint grouped, best, flagged;
    derush_window_get_analysis_counts(win, &grouped, &best, &flagged);
    g_print("analysis grouped %u best %u flagged %u\n", grouped, best, flagged);
  } else if (g_str_equal(cmd, "screenshot") && a1) {
    if (!frames_passed(self, 2))
      return FALSE;
    g_autoptr(GError) error = NULL;
    int width = 0, height = 0;
    if (!derush_window_screenshot(win, a1, &width, &height, &error)) {
      /* Still laying out (a toast arriving, a resize): try again shortly. */
      if (++self->attempts < 40)
        return FALSE;
      fail(self, line, error->message);
    } else {
      g_print("screenshot %s %dx%d\n", a1, width, height);
    }
    self->attempts = 0;
  } else if (g_str_equal(cmd, "counters")) {
    for (int i = 0; i < DERUSH_N_COUNTERS; i++)
      g_print("counter %s %" G_GINT64_FORMAT "\n", derush_counter_name(i), derush_counter_get(i));
    for (int i = 0; i < DERUSH_GUI_N_COUNTERS; i++)
      g_print("counter %s %" G_GINT64_FORMAT "\n", derush_gui_counter_name(i),
              derush_gui_counter_get(i));
    g_print("counter cells_alive %u\n", derush_window_get_n_cells(win));
  } else if (g_str_has_prefix(cmd, "bench-") && !self->bench) {
    fail(self, line, "bench commands need the window from the start");
  } else if (g_str_equal(cmd, "bench-startup")) {
    return wait_until(self, line, derush_bench_mode_print_startup(self->bench));
  } else if (g_str_equal(cmd, "bench-loaded")) {
    return wait_until(self, line, derush_bench_mode_print_loaded(self->bench));
  } else if (g_str_equal(cmd, "bench-scroll") || g_str_equal(cmd, "bench-refresh")) {
    if (!self->bench_started) {
      if (g_str_equal(cmd, "bench-refresh"))
        derush_bench_mode_refresh(self->bench, g_strcmp0(a1, "groups") == 0);
      else
        derush_bench_mode_scroll(self->bench, a1 ? g_ascii_strtod(a1, NULL) : 5.0,
                                 a2 ? g_ascii_strtod(a2, NULL) : 0);
      self->bench_started = TRUE;
    }
    if (!wait_until(self, line, !derush_bench_mode_is_busy(self->bench)))
      return FALSE;
    self->bench_started = FALSE;
  } else if (g_str_equal(cmd, "bench-memory")) {
    derush_bench_mode_print_memory(self->bench);
  } else if (g_str_equal(cmd, "apply-dialog") && a1) {
    static const char *const choices[] = {"trash", "move", "xmp", NULL};
    int choice = parse_choice(a1, choices);
    DerushXmpStyle style = DERUSH_XMP_DARKTABLE;
    DerushApplyDialog *dialog = NULL;
    if (choice < 0 || (choice == DERUSH_APPLY_CHOICE_MOVE && !a2) ||
        (choice == DERUSH_APPLY_CHOICE_XMP && a2 && !derush_xmp_style_from_name(a2, &style)))
      fail(self, line, "expected trash, move DIR or xmp [STYLE]");
    else if (!derush_window_activate_shortcut(win, "<Control>e") ||
             !(dialog = derush_apply_dialog_find(win)))
      fail(self, line, "the apply dialog did not open");
    else
      derush_apply_dialog_set_choice(dialog, choice, choice == DERUSH_APPLY_CHOICE_MOVE ? a2 : NULL,
                                     style);
  } else if (g_str_equal(cmd, "apply-dry-run") || g_str_equal(cmd, "apply-confirm") ||
             g_str_equal(cmd, "screenshot-dialog")) {
    DerushApplyDialog *dialog = derush_apply_dialog_find(win);
    g_autofree char *dry_run = dialog ? derush_apply_dialog_get_dry_run(dialog) : NULL;
    if (!dialog) {
      fail(self, line, "no apply dialog is open");
    } else if (g_str_equal(cmd, "apply-dry-run")) {
      if (!wait_until(self, line, dry_run != NULL))
        return FALSE;
      g_print("%s", dry_run ? dry_run : "");
    } else if (g_str_equal(cmd, "apply-confirm")) {
      if (!derush_apply_dialog_confirm(dialog))
        fail(self, line, "nothing to confirm");
    } else if (a1) {
      g_autoptr(GError) error = NULL;
      int width = 0, height = 0;
      if (!derush_apply_dialog_screenshot(dialog, a1, &width, &height, &error)) {
        if (++self->attempts < 40)
          return FALSE; /* not laid out yet */
        fail(self, line, error->message);
      } else {
        g_print("screenshot %s %dx%d\n", a1, width, height);
      }
      self->attempts = 0;
    }
  } else if (g_str_equal(cmd, "apply-undo")) {
    if (!gtk_widget_activate_action(GTK_WIDGET(win), "win.undo-apply", NULL))
      fail(self, line, "no such action");
  } else if (g_str_equal(cmd, "wait-apply")) {
    return wait_until(self, line, !derush_apply_is_busy(win) && derush_window_is_loaded(win));
  } else if (g_str_equal(cmd, "wait-file") && a1) {
    return wait_until(self, line, g_file_test(a1, G_FILE_TEST_EXISTS));
  } else if (g_str_has_prefix(cmd, "compare-") || g_str_has_prefix(cmd, "strip-") ||
             g_str_equal(cmd, "print-current")) {
    return run_group_command(self, line, cmd, a1, a2);
  } else if (g_str_has_prefix(cmd, "train-") || g_str_has_prefix(cmd, "learn-") ||
             g_str_equal(cmd, "wait-learned") || g_str_equal(cmd, "print-grid") ||
             g_str_equal(cmd, "print-cells") || g_str_equal(cmd, "select-name")) {
    return run_learn_command(self, line, cmd, a1);
  } else if (g_str_has_prefix(cmd, "search") || g_str_has_prefix(cmd, "pref")) {
    return run_settings_command(self, line, cmd, a1, a2);
  } else if (g_str_equal(cmd, "touch") && a1) {
    if (!g_file_set_contents(a1, "", 0, NULL))
      fail(self, line, "cannot create the file");
  } else if (g_str_equal(cmd, "quit")) {
    self->quit = TRUE;
  } else {
    fail(self, line, "unknown command");
  }
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
