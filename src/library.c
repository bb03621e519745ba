/* library.c: process set-up and the small shared pieces of the public API. */
#include "catalog/catalog-private.h"
#include "derush-private.h"
#include "nn/nn.h"
#include <gexiv2/gexiv2.h>
#include <malloc.h>
#include <unistd.h>

/* The executor's error domain lives here, not in nn/, so derush_init()
 * can fill it before any thread starts without linking the executor into
 * the light `derush` front (cli/cli-commands.h: light commands never map
 * oneDNN). */
G_DEFINE_QUARK(derush - nn - error - quark, _derush_nn_error)

/* What derush_shutdown() releases: registered by the parts that started
 * (libvips, the detector), so this file names none of them. */
static GMutex shutdown_lock;
static GPtrArray *shutdown_hooks; /* of DerushShutdownFunc, in registration order */

/**
 * _derush_on_shutdown:
 * @func: what derush_shutdown() calls, once
 *
 * Registers @func for derush_shutdown(), which calls the hooks in reverse
 * order (the last part started is the first released). Registering the same
 * function again does nothing. Thread-safe.
 */
void
_derush_on_shutdown(DerushShutdownFunc func)
{
  g_mutex_lock(&shutdown_lock);
  if (!shutdown_hooks)
    shutdown_hooks = g_ptr_array_new();
  gpointer hook = (gpointer)func;
  if (!g_ptr_array_find(shutdown_hooks, hook, NULL))
    g_ptr_array_add(shutdown_hooks, hook);
  g_mutex_unlock(&shutdown_lock);
}

/**
 * derush_init:
 * @argv0: (nullable): the program name, for libvips.
 *
 * Initialises gexiv2 and SQLite. Call once from main() before any thread
 * starts: without gexiv2_initialize() HEIC/AVIF files open but show no
 * EXIF. libvips starts on the first decode (image/decoders.c), so commands
 * that decode nothing start in milliseconds; see derush_init_decoders().
 *
 * Returns: FALSE with @error set when a library refuses to start.
 */
gboolean
derush_init(const char *argv0, GError **error)
{
  /* libtiff/libheif/libjpeg warnings arrive as GLib warnings from libvips
   * for files that decode (or fail with a proper error) anyway: silence them
   * at the source, since they may come through the structured log API where
   * a handler cannot catch them. */
  g_setenv("VIPS_WARNING", "0", FALSE);
  /* Each decode thread would otherwise get its own malloc arena, and the
   * large short-lived buffers of full decodes (HEIF, AVIF, PNG) fragment
   * them: a scan of the shared corpus peaked at 855 MB RSS with the default
   * arenas and 636 MB with two. */
  mallopt(M_ARENA_MAX, 2);
  if (!gexiv2_initialize()) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "cannot start gexiv2");
    return FALSE;
  }
  gexiv2_log_set_level(GEXIV2_LOG_LEVEL_MUTE);
  /* G_DEFINE_QUARK fills its static on first use without a lock: two
   * worker threads failing at once both wrote it (make tsan). Filled here,
   * before any thread, it is only ever read. */
  (void)derush_error_quark();
  (void)_derush_nn_error_quark();

  return _derush_catalog_library_init(error);
}

/* Spin iterations before an idle OpenMP thread sleeps: about 0.1 ms, far
 * longer than the gap between two oneDNN primitives of a forward and far
 * shorter than a scheduler time slice. */
#define SPIN_COUNT "10000"

gboolean
_derush_set_openmp_env(void)
{
  if (g_getenv("OMP_WAIT_POLICY") || g_getenv("GOMP_SPINCOUNT"))
    return FALSE;
  g_setenv("OMP_WAIT_POLICY", "passive", TRUE);
  g_setenv("GOMP_SPINCOUNT", SPIN_COUNT, TRUE);
  return TRUE;
}

/**
 * derush_restart_with_idle_threads:
 * @argv: main()'s argument vector, as main() received it.
 *
 * oneDNN and XGBoost run their threads on libgomp, which reads
 * OMP_WAIT_POLICY and GOMP_SPINCOUNT once, in a constructor that runs when
 * the program loads (libraw pulls it in): a g_setenv() from main() on
 * changes nothing. By default its threads spin 300,000 iterations after
 * every parallel region; on the 2-core machine with another busy process
 * that made a YOLOX-nano forward about 8x slower (bench/nn.sh: 6,530 ms
 * median against 845 ms passive) and takes the CPU from the app's UI
 * thread. Fully passive threads sleep between oneDNN's ~100 primitives of
 * a forward, 18.0 ms a forward instead of 10.7 with a 10,000-iteration
 * spin on the idle machine (bench/nn-threads.sh). When neither variable is
 * set, this sets the short spin and executes the same program again, so
 * the runtime starts with it; the executor drops to one thread while the
 * machine is busy (src/nn/nn-threads.h), where even a short spin hurts.
 * Call it from main() of a program that runs models, before any thread
 * starts. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT is respected.
 *
 * Returns only when there was nothing to do or the exec failed; the program
 * then goes on (with spinning threads in the second case).
 */
void
derush_restart_with_idle_threads(char **argv)
{
  g_return_if_fail(argv != NULL && argv[0] != NULL);
  if (!_derush_set_openmp_env())
    return;
  /* The path the link names, not the link: under valgrind executing
   * "/proc/self/exe" runs the tool itself, which refuses to start ("You
   * cannot run ... directly"), while reading the link gives the program's
   * path. derush-full's model commands and derush-gtk could not run under
   * valgrind at all. */
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  execv(self ? self : "/proc/self/exe", argv);
}

/**
 * derush_shutdown:
 * Releases what the library started (libvips' global state, the
 * detector), so leak checkers see only real leaks.
 */
void
derush_shutdown(void)
{
  /* A copy: a hook may register another part while it runs. */
  g_mutex_lock(&shutdown_lock);
  GPtrArray *hooks = shutdown_hooks ? g_ptr_array_copy(shutdown_hooks, NULL, NULL) : NULL;
  g_mutex_unlock(&shutdown_lock);
  for (guint i = hooks ? hooks->len : 0; i > 0; i--)
    ((DerushShutdownFunc)hooks->pdata[i - 1])();
  g_clear_pointer(&hooks, g_ptr_array_unref);
}

static char *
env_or(const char *var, const char *fallback_base, const char *leaf)
{
  const char *v = g_getenv(var);
  if (v && *v)
    return g_strdup(v);
  return g_build_filename(fallback_base, "derush", leaf, NULL);
}

/**
 * derush_default_catalog_path:
 * Returns: (transfer full): $DERUSH_CATALOG, else $XDG_DATA_HOME/derush/catalog.db.
 */
char *
derush_default_catalog_path(void)
{
  return env_or("DERUSH_CATALOG", g_get_user_data_dir(), "catalog.db");
}

/**
 * derush_default_cache_dir:
 * Returns: (transfer full): $DERUSH_CACHE_DIR, else $XDG_CACHE_HOME/derush.
 */
char *
derush_default_cache_dir(void)
{
  return env_or("DERUSH_CACHE_DIR", g_get_user_cache_dir(), NULL);
}

/** derush_photo_status_name: (transfer none): "ok", "unreadable", "missing". */
const char *
derush_photo_status_name(DerushPhotoStatus status)
{
  switch (status) {
  case DERUSH_PHOTO_OK:
    return "ok";
  case DERUSH_PHOTO_UNREADABLE:
    return "unreadable";
  case DERUSH_PHOTO_MISSING:
    return "missing";
  }
  return "unknown";
}

/** derush_time_source_name: (transfer none): "exif_original", ..., NULL for NONE. */
const char *
derush_time_source_name(DerushTimeSource source)
{
  switch (source) {
  case DERUSH_TIME_EXIF_ORIGINAL:
    return "exif_original";
  case DERUSH_TIME_EXIF_DIGITIZED:
    return "exif_digitized";
  case DERUSH_TIME_FILE_MTIME:
    return "file_mtime";
  case DERUSH_TIME_NONE:
    break;
  }
  return NULL;
}

void
derush_meta_init(DerushMeta *meta)
{
  memset(meta, 0, sizeof *meta);
  meta->iso = meta->exposure_time = meta->f_number = NAN;
  meta->focal_length_mm = meta->focal_length_35mm = meta->exposure_bias = NAN;
  meta->gps_lat = meta->gps_lon = NAN;
  meta->flash = -1;
  meta->orientation = 1;
  meta->time_source = DERUSH_TIME_NONE;
}

void
derush_meta_clear(DerushMeta *meta)
{
  g_clear_pointer(&meta->make, g_free);
  g_clear_pointer(&meta->model, g_free);
  g_clear_pointer(&meta->lens, g_free);
}

void
derush_photo_free(DerushPhoto *photo)
{
  if (!photo)
    return;
  g_free(photo->path);
  g_free(photo->reason);
  g_free(photo->format);
  g_free(photo->raw_format);
  g_free(photo->pair_path);
  derush_meta_clear(&photo->meta);
  g_free(photo);
}
