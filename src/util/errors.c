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
