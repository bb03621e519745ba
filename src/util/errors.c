/* errors.c: the DERUSH_ERROR domain and errno conversion. */
#include "derush-private.h"
#include <errno.h>

G_DEFINE_QUARK(derush - error - quark, derush_error)

/* One place maps errno to our codes, so every caller reports a missing file
 * or a permission problem the same way. */
void
_derush_set_errno_error(GError **error, int errsv, const char *what, const char *path)
{
  int code;
  switch (errsv) {
  case ENOENT:
  case ENOTDIR:
    code = DERUSH_ERROR_NOT_FOUND;
    break;
  default:
    code = DERUSH_ERROR_IO;
    break;
  }
  g_autofree char *display = path ? g_filename_display_name(path) : NULL;
  if (display)
    g_set_error(error, DERUSH_ERROR, code, "%s: %s: %s", display, what, g_strerror(errsv));
  else
    g_set_error(error, DERUSH_ERROR, code, "%s: %s", what, g_strerror(errsv));
}

/**
 * _derush_reason_without_path:
 * @message: an error message, maybe "PATH: what: why" as
 *   _derush_set_errno_error() writes it
 * @path: the file it is about
 *
 * Returns: (transfer full): @message without its leading "PATH: " when it
 * names @path, for a reason stored (and printed) beside that path: the
 * path is said once.
 */
char *
_derush_reason_without_path(const char *message, const char *path)
{
  g_autofree char *display = g_filename_display_name(path);
  gsize n = strlen(display);
  if (strncmp(message, display, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
    return g_strdup(message + n + 2);
  return g_strdup(message);
}
