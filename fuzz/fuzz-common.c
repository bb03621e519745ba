/* fuzz/fuzz-common.c: set-up shared by the harnesses (see fuzz.h). */
#include "fuzz.h"
#include "derush-private.h"
#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>

void
fuzz_init(const char *argv0)
{
  static gboolean done;
  if (done)
    return;
  done = TRUE;
  g_autoptr(GError) error = NULL;
  if (!derush_init(argv0, &error))
    g_error("derush_init: %s", error->message);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
}

static char *temp_dir;

static void
remove_tree(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      remove_tree(child);
    else
      g_unlink(child);
  }
  g_rmdir(path);
}

static void
remove_temp_dir(void)
{
  remove_tree(temp_dir);
  g_clear_pointer(&temp_dir, g_free);
}

const char *
fuzz_temp_dir(void)
{
  if (!temp_dir) {
    /* Harnesses that write files fsync them (the catalog, sidecars): on
     * tmpfs that costs nothing, on a disk it would be most of each run. */
    const char *base = g_getenv("TMPDIR");
    if (!base || !*base)
      base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
    temp_dir = g_build_filename(base, "derush-fuzz-XXXXXX", NULL);
    if (!g_mkdtemp(temp_dir))
      g_error("%s: %s", temp_dir, g_strerror(errno));
    atexit(remove_temp_dir);
  }
  return temp_dir;
}

static DerushCatalog *open_catalog;

static void
close_catalog(void)
{
  g_clear_pointer(&open_catalog, derush_catalog_close);
}

DerushCatalog *
fuzz_catalog_with_photos(const char *const *names, char **folder_out)
{
  g_autofree char *folder = g_build_filename(fuzz_temp_dir(), "photos", NULL);
  g_autofree char *db = g_build_filename(fuzz_temp_dir(), "catalog.db", NULL);
  g_mkdir_with_parents(folder, 0700);
  VipsImage *black = NULL;
  if (vips_black(&black, 16, 12, "bands", 3, NULL))
    g_error("vips_black: %s", vips_error_buffer());
  for (const char *const *n = names; *n; n++) {
    g_autofree char *path = g_build_filename(folder, *n, NULL);
    if (vips_jpegsave(black, path, NULL))
      g_error("jpegsave: %s", vips_error_buffer());
  }
  g_object_unref(black);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(db, &error);
  if (!cat)
    g_error("catalog: %s", error->message);
  g_autofree char *cache = g_build_filename(fuzz_temp_dir(), "cache", NULL);
  derush_catalog_set_cache_dir(cat, cache);
  open_catalog = cat;
  atexit(close_catalog); /* before the temp folder goes (atexit is LIFO) */
  fuzz_scan(cat, folder);
  *folder_out = g_steal_pointer(&folder);
  return cat;
}

void
fuzz_scan(DerushCatalog *cat, const char *folder)
{
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.thumbnails = FALSE;
  options.threads = 1;
  const char *roots[] = {folder, NULL};
  DerushScanSummary summary;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_scan(cat, roots, &options, &summary, &error))
    g_error("scan: %s", error->message);
}

void
fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  if (!g_file_set_contents(path, (const char *)data, (gssize)size, &error))
    g_error("%s", error->message);
}
