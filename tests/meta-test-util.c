/* meta-test-util.c: what the metadata test programs share (test-meta,
 * test-meta-corpus): a reference clock through GDateTime, reading a file
 * as the scanner does, and listing the corpus' files. */
#include "meta-test-util.h"

/* Reference conversion through GDateTime, a different code path from ours. */
gint64
ref_ns(int y, int mo, int d, int h, int mi, int s, gint64 frac_ns, int offset_min)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc(y, mo, d, h, mi, s);
  g_assert_nonnull(dt);
  return (g_date_time_to_unix(dt) - (gint64)offset_min * 60) * NS + frac_ns;
}

gboolean
read_file(const char *path, DerushMeta *meta, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  derush_meta_init(meta);
  return _derush_meta_read_buffer((const guint8 *)data, len, meta, error);
}

void
collect_files(const char *dir, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      collect_files(path, out);
    else
      g_ptr_array_add(out, g_steal_pointer(&path));
  }
}

gboolean
is_photo(const char *path)
{
  return !g_str_has_suffix(path, ".md") && !g_str_has_suffix(path, ".txt");
}

GPtrArray *
camera_files(const char *dir)
{
  GPtrArray *files = g_ptr_array_new();
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".jpg") && !g_str_has_suffix(name, ".JPG"))
      continue;
    g_ptr_array_add(files, g_build_filename(dir, name, NULL));
  }
  g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
  return files;
}
