/* progress.c: the one-line progress bar `derush scan` draws on a terminal.
 *
 *   1234/5678  812 files/s  ETA 0:05  [#########...........]
 *
 * Only when stderr is a terminal: piped or redirected output must stay free
 * of carriage returns and escape codes, so cli_progress_new() returns NULL
 * there and every function is a no-op on NULL.
 */
#include "cli.h"
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct _CliProgress {
  GMutex lock; /* the scan thread draws, workers report bad files */
  int fd;
  FILE *stream;
  gboolean shown; /* a bar is on screen and must be erased before other text */
};

CliProgress *
cli_progress_new(int fd)
{
  if (!isatty(fd))
    return NULL;
  /* A dumb terminal (Emacs shell, some CI logs) does not understand "\033[K". */
  const char *term = g_getenv("TERM");
  if (term && strcmp(term, "dumb") == 0)
    return NULL;
  CliProgress *progress = g_new0(CliProgress, 1);
  g_mutex_init(&progress->lock);
  progress->fd = fd;
  progress->stream = fd == STDERR_FILENO ? stderr : stdout;
  return progress;
}

static int
terminal_width(int fd)
{
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  return 80;
}

static void
clear_locked(CliProgress *progress)
{
  if (!progress->shown)
    return;
  fputs("\r\033[K", progress->stream);
  fflush(progress->stream);
  progress->shown = FALSE;
}

void
cli_progress_update(CliProgress *progress, const DerushScanProgress *state)
{
  if (!progress)
    return;
  double rate = state->elapsed > 0 ? state->done / state->elapsed : 0;
  g_autoptr(GString) line = g_string_new(NULL);
  /* "+" while the walk still finds files: the total is not final yet. */
  g_string_append_printf(line, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "%s files  %.0f files/s",
                         state->done, state->found, state->walk_done ? "" : "+", rate);
  g_autofree char *eta =
      state->walk_done ? derush_format_eta(state->elapsed, state->done, state->found) : NULL;
  if (eta)
    g_string_append_printf(line, "  ETA %s", eta);

  int width = terminal_width(progress->fd) - 1; /* never wrap: \r must reach the start */
  int bar = width - (int)line->len - 4;
  /* A fixed width while it fits, so the bar does not jump as the numbers grow. */
  if (bar > 30)
    bar = 30;
  if (bar >= 10) {
    double fraction = state->found > 0 ? (double)state->done / state->found : 0;
    int filled = (int)(CLAMP(fraction, 0, 1) * bar);
    g_string_append(line, "  [");
    for (int i = 0; i < bar; i++)
      g_string_append_c(line, i < filled ? '#' : '.');
    g_string_append_c(line, ']');
  }
  if ((int)line->len > width)
    g_string_truncate(line, width > 0 ? width : 0);

  g_mutex_lock(&progress->lock);
  fprintf(progress->stream, "\r%s\033[K", line->str);
  fflush(progress->stream);
  progress->shown = TRUE;
  g_mutex_unlock(&progress->lock);
}

void
cli_progress_clear(CliProgress *progress)
{
  if (!progress)
    return;
  g_mutex_lock(&progress->lock);
  clear_locked(progress);
  g_mutex_unlock(&progress->lock);
}

void
cli_progress_print_bad_file(CliProgress *progress, const char *path, const char *reason)
{
  /* Without a bar there is nothing to interleave with; stdio locks stderr
   * per call, so lines from several workers do not mix. */
  if (!progress) {
    cli_print_file_error(path, reason);
    return;
  }
  g_mutex_lock(&progress->lock);
  clear_locked(progress);
  cli_print_file_error(path, reason);
  g_mutex_unlock(&progress->lock);
}

void
cli_progress_free(CliProgress *progress)
{
  if (!progress)
    return;
  cli_progress_clear(progress);
  g_mutex_clear(&progress->lock);
  g_free(progress);
}
