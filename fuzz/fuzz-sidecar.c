/* fuzz/fuzz-sidecar.c: XMP sidecars, read and merged, through the public
 * API as a user meets them: the input is another program's sidecar next to
 * a photo the catalog knows; a scan reads it (a foreign decision), then
 * `export --xmp` merges derush's decision into it.
 *
 * Beyond "no crash": a sidecar export reports as written must read back
 * with derush's rating in it (a merge that loses our own field would be
 * silently wrong). */
#include "fuzz.h"
#include "derush-private.h"

static DerushCatalog *catalog;
static char *folder, *photo, *sidecar;
static gint64 photo_id;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  static const char *const names[] = {"photo.jpg", NULL};
  catalog = fuzz_catalog_with_photos(names, &folder);
  photo = g_build_filename(folder, "photo.jpg", NULL);
  sidecar = derush_sidecar_path(photo, DERUSH_XMP_DARKTABLE);
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(catalog, photo, &error);
  if (!p)
    g_error("%s", error->message);
  photo_id = p->id;
  return 0;
}

typedef struct {
  DerushSidecarResult result;
  gboolean called;
} Outcome;

static void
outcome_cb(const char *path, DerushSidecarResult result, const GError *error, gpointer user_data)
{
  Outcome *o = user_data;
  o->called = TRUE;
  o->result = result;
  g_assert_true(result != DERUSH_SIDECAR_FAILED || error != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_write_file(sidecar, data, size);
  fuzz_scan(catalog, folder);

  /* Whatever the sidecar said, derush's decision is trash: the export has
   * something of its own to merge in. */
  g_autoptr(GError) error = NULL;
  DerushLabelChange trash = {TRUE, DERUSH_LABEL_TRASH, TRUE, 0};
  if (!derush_catalog_set_labels(catalog, &photo_id, 1, &trash, DERUSH_SOURCE_USER, NULL, &error))
    g_error("set_labels: %s", error->message);

  Outcome o = {0};
  DerushSidecarSummary sum;
  if (!derush_catalog_export_sidecars(catalog, folder, NULL, 0, DERUSH_XMP_DARKTABLE, FALSE,
                                      outcome_cb, &o, &sum, &error))
    g_error("export: %s", error->message);
  g_assert_true(o.called);
  g_assert_cmpint(sum.written + sum.unchanged + sum.failed, ==, 1);

  if (o.result == DERUSH_SIDECAR_WRITTEN) {
    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(sidecar, &text, &len, NULL));
    DerushMeta meta;
    derush_meta_init(&meta);
    gboolean ok = _derush_meta_read_buffer((const guint8 *)text, len, &meta, &error);
    if (!ok)
      g_error("derush wrote a sidecar it cannot read back: %s", error->message);
    g_assert_true(meta.has_rating);
    g_assert_cmpint(meta.rating, ==, -1);
    derush_meta_clear(&meta);
  }
  return 0;
}
