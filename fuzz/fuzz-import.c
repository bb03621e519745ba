/* fuzz/fuzz-import.c: photo-derush's .ratings_tags.json, imported through
 * the public API into a catalog that knows a few of the photos it names.
 *
 * Beyond "no crash", what derush.h promises: a file that fails imports
 * nothing; every entry is either matched or unknown; importing the same
 * file again writes no event. */
#include "fuzz.h"

static DerushCatalog *catalog;
static char *folder, *json_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  /* Names the committed seeds use; photo-derush keys are bare names. */
  static const char *const names[] = {"a.jpg", "b.jpg", "IMG_0001.JPG", "café.jpg", NULL};
  catalog = fuzz_catalog_with_photos(names, &folder);
  json_path = g_build_filename(folder, ".ratings_tags.json", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_write_file(json_path, data, size);
  gint64 before = derush_catalog_get_last_event_id(catalog);
  g_assert_cmpint(before, >=, 0);
  DerushImportSummary sum;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_import_photo_derush(catalog, folder, NULL, NULL, &sum, &error)) {
    g_assert_true(error && error->domain == DERUSH_ERROR);
    g_assert_cmpint(derush_catalog_get_last_event_id(catalog), ==, before);
    return 0;
  }
  /* Entries naming a base name again are counted in neither. */
  g_assert_cmpint(sum.matched + sum.unknown, <=, sum.entries);
  g_assert_cmpint(sum.changed, >=, 0);
  g_assert_cmpint(derush_catalog_get_last_event_id(catalog), >=, before);

  DerushImportSummary again;
  if (!derush_catalog_import_photo_derush(catalog, folder, NULL, NULL, &again, &error))
    g_error("the second import of the same file failed: %s", error->message);
  g_assert_cmpint(again.entries, ==, sum.entries);
  g_assert_cmpint(again.changed, ==, 0);
  return 0;
}
