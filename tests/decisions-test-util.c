/* decisions-test-util.c: the decision tests' fixture and readers. */
#include "decisions-test-util.h"

void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "cat.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->env = test_isolated_env(f->tmp, f->catalog);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);
  g_autofree char *data_home = g_build_filename(f->tmp, "xdg-data", NULL);
  /* The trash of this test's own XDG_DATA_HOME, not the user's. */
  g_setenv("XDG_DATA_HOME", data_home, TRUE);

  for (int i = 0; i < N; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%04d.png", i);
    f->paths[i] = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(f->paths[i], 16 + i, 16);
  }
  DerushCatalog *cat = test_open_scanned(f->catalog, cache, f->photos);
  g_autoptr(GError) error = NULL;
  for (int i = 0; i < N; i++) {
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, f->paths[i], &error);
    g_assert_no_error(error);
    f->ids[i] = p->id;
  }
  derush_catalog_close(cat);
}

void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  /* Read-only folders made by a test must not stop the clean-up. */
  const char *chmod_argv[] = {"chmod", "-R", "u+rwX", f->tmp, NULL};
  g_spawn_sync(NULL, (char **)chmod_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
               NULL, NULL, NULL, NULL, NULL, NULL);
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  g_strfreev(f->env);
  for (int i = 0; i < N; i++)
    g_free(f->paths[i]);
}

GPtrArray *
parse_lines(const char *text)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    json_parser_load_from_data(parser, lines[i], -1, &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
    g_ptr_array_add(objects, json_object_ref(json_node_get_object(json_parser_get_root(parser))));
  }
  return objects;
}

DerushCatalog *
open_catalog(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  return cat;
}

DerushPhoto *
photo_at(Fixture *f, const char *path)
{
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  derush_catalog_close(cat);
  return p;
}
