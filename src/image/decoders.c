/* image/decoders.c: starting libvips when the first decode needs it.
 *
 * Starting libvips costs about half of a short command's CPU (its module
 * loading), so derush_init() leaves it out and the entry points that
 * decode (scan, analyze, thumbnails, previews) call
 * _derush_decoders_ensure() first: `derush --version`, `ls`, `label` and
 * `undo` never pay for it. libvips aborts on a concurrent start, so the
 * start runs once under g_once; programs that decode from several threads
 * at once call derush_init_decoders() from main() anyway. */
#include "derush-private.h"

#include <vips/vector.h>

static void
quiet_vips_warnings(const char *log_domain, GLogLevelFlags log_level, const char *message,
                    gpointer user_data)
{
  /* libtiff and libheif warnings arrive as VIPS warnings for files that
   * decode fine; real failures come back as errors from the call. */
}

static char *start_error; /* why libvips refused to start, or NULL */

static gpointer
start_vips(gpointer data)
{
  if (VIPS_INIT(g_get_prgname() ? g_get_prgname() : "derush") != 0) {
    start_error = g_strdup_printf("cannot start libvips: %s", vips_error_buffer());
    vips_error_clear();
    return GINT_TO_POINTER(FALSE);
  }
  /* Only the loaders derush routes to; everything else (matlab, fits,
   * magick...) is attack surface with no photo behind it. */
  vips_operation_block_set("VipsForeignLoad", TRUE);
  static const char *const allowed[] = {
      "VipsForeignLoadJpeg", "VipsForeignLoadPng",   "VipsForeignLoadTiff",
      "VipsForeignLoadWebp", "VipsForeignLoadHeif",  "VipsForeignLoadGif",
      "VipsForeignLoadSpng", "VipsForeignLoadNsgif", "VipsForeignLoadPpm",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(allowed); i++)
    vips_operation_block_set(allowed[i], FALSE);
  vips_cache_set_max(0);
  /* No run-time generated SIMD code (liborc). Debian 12's liborc 0.4.33
   * frees a program's code chunk without its global lock while another
   * thread allocates one under it, so two threads decoding at once corrupt
   * its chunk list: the scan's intermittent "double free or corruption
   * (fasttop)" (issue 16, defect 10). A four-thread reducev loop crashed in
   * 2 of 6 runs with it and 0 of 5 without (tests/test-decoders.c). libvips
   * then uses its C paths; newer liborc (0.4.34+) takes the lock. */
  vips_vector_set_enabled(FALSE);
  g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, quiet_vips_warnings, NULL);
  _derush_on_shutdown(_derush_decoders_shutdown);
  return GINT_TO_POINTER(TRUE);
}

static GOnce vips_once = G_ONCE_INIT;

/**
 * _derush_decoders_ensure:
 * @error: return location for a GError
 *
 * Starts libvips unless it is running. Thread-safe; cheap once started.
 *
 * Returns: FALSE with @error set when libvips refuses to start.
 */
gboolean
_derush_decoders_ensure(GError **error)
{
  if (GPOINTER_TO_INT(g_once(&vips_once, start_vips, NULL)))
    return TRUE;
  g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, start_error);
  return FALSE;
}

/**
 * _derush_decoders_shutdown:
 *
 * Releases libvips' global state if it was started, so leak checkers see
 * only real leaks.
 */
void
_derush_decoders_shutdown(void)
{
  if (vips_once.status == G_ONCE_STATUS_READY && GPOINTER_TO_INT(vips_once.retval))
    vips_shutdown();
}

/**
 * derush_init_decoders:
 * @error: return location for a GError
 *
 * Starts the image decoders (libvips) now, on the calling thread. Without
 * this call the first decode starts them; a program that decodes from
 * several threads from the start (the app) calls it from main().
 *
 * Returns: FALSE with @error set when libvips refuses to start.
 */
gboolean
derush_init_decoders(GError **error)
{
  return _derush_decoders_ensure(error);
}
