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
 *   filter all|unlabelled|keep|trash|best
 *   sort time|name|group|sharpness
 *   expect-shown N           the grid shows N photos
 *   print-shown              print "shown N" (photos in the grid now)
 *   print-analysis           print "analysis grouped N best N flagged N"
 *   screenshot FILE.png      render the window (prints its size)
 *   counters                 print the work counters
 *   touch FILE               create FILE (a signal for the test driver)
 *   quit
 *
 * Blank lines and lines starting with # are skipped. Output on stdout is
 * line-oriented ("screenshot FILE WxH", "counter NAME N", "toast: ...").
 */
#include "derush-replay.h"
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
    static const char *const modes[] = {"all", "unlabelled", "keep", "trash", "best", NULL};
    int mode = parse_choice(a1, modes);
    if (mode < 0)
      fail(self, line, "unknown filter");
    else
      derush_window_set_filter(win, mode);
  } else if (g_str_equal(cmd, "sort") && a1) {
    static const char *const modes[] = {"time", "name", "group", "sharpness", NULL};
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
    g_print("counter cells_alive %u\n", derush_window_get_n_cells(win));
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
