/* faces-scene.c: test photos with faces built from ../shared/corpus with
 * ImageMagick (the test-faces* programs). */
#include "faces-scene.h"
#include "test-util.h"

/* Runs a program (ImageMagick's convert, exiftool) with @argv; FALSE
 * (the test skipped) when it is not installed. */
gboolean
run_tool(const char *const *argv)
{
  g_autofree char *bin = g_find_program_in_path(argv[0]);
  if (!bin) {
    g_autofree char *msg = g_strdup_printf("%s is needed to build the test photos", argv[0]);
    g_test_skip(msg);
    return FALSE;
  }
  int status = 0;
  g_autofree char *err = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                             &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s failed: %s", argv[0], err);
  return TRUE;
}

/* Builds @out: a grey @size canvas with corpus/faces photos pasted on it,
 * each "NAME PERCENT +X+Y" of @layers scaled by PERCENT (NAME with a '/':
 * a path under ../shared). FALSE (skipped)
 * without the corpus or ImageMagick. */
gboolean
build_scene(const char *out, const char *size, const char *const *layers)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup("convert"));
  g_ptr_array_add(argv, g_strdup("-size"));
  g_ptr_array_add(argv, g_strdup(size));
  g_ptr_array_add(argv, g_strdup("xc:#707070"));
  for (int i = 0; layers[i]; i++) {
    g_auto(GStrv) v = g_strsplit(layers[i], " ", 3);
    g_autofree char *rel =
        strchr(v[0], '/') ? g_strdup(v[0]) : g_strconcat("corpus/faces/images/", v[0], NULL);
    char *path = test_shared_path(rel);
    if (!path) {
      g_test_skip("../shared/corpus is needed");
      return FALSE;
    }
    g_ptr_array_add(argv, g_strdup("("));
    g_ptr_array_add(argv, path);
    g_ptr_array_add(argv, g_strdup("-resize"));
    g_ptr_array_add(argv, g_strdup_printf("%s%%", v[1]));
    g_ptr_array_add(argv, g_strdup(")"));
    g_ptr_array_add(argv, g_strdup("-geometry"));
    g_ptr_array_add(argv, g_strdup(v[2]));
    g_ptr_array_add(argv, g_strdup("-composite"));
  }
  g_ptr_array_add(argv, g_strdup("-quality"));
  g_ptr_array_add(argv, g_strdup("92"));
  g_ptr_array_add(argv, g_strdup(out));
  g_ptr_array_add(argv, NULL);
  return run_tool((const char *const *)argv->pdata);
}
