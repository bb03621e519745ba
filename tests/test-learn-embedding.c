/* test-learn-embedding.c: the learning dataset's embedding columns
 * (src/learn/dataset-embedding.c): cosine similarity to the kept and the
 * trashed photos' mean embedding, never counting a photo's own CV group,
 * NAN when the photo has no current embedding or no such label. On the
 * synthetic shoot of learn-shoot.c with embeddings written directly. */
#include "catalog/detections-store.h"
#include "learn-shoot.h"

enum { KEEP_SIM, TRASH_SIM, MARGIN, N_COLS };
static const char *const names[N_COLS] = {"emb_keep_similarity", "emb_trash_similarity",
                                          "emb_keep_margin"};

static void
find_columns(int *col)
{
  for (int k = 0; k < N_COLS; k++) {
    col[k] = -1;
    for (int c = 0; c < _derush_dataset_n_columns(); c++)
      if (strcmp(_derush_dataset_column_name(c), names[k]) == 0)
        col[k] = c;
    g_assert_cmpint(col[k], >=, 0);
  }
}

static float
cell(const DerushDataset *ds, guint photo, int col)
{
  return ds->x[(gsize)photo * ds->n_cols + col];
}

/* Stores for photo @i an embedding along axis @axis (plus a little of
 * axis 100 + @i so no two are equal), at @content_hash (the photo's own is
 * 1000 + @i in learn-shoot.c). */
static void
store_embedding(Shoot *s, guint i, int axis, guint64 content_hash)
{
  int size = derush_embedding_info(DERUSH_LEARN_EMBEDDING)->size;
  g_autofree float *v = g_new0(float, size);
  v[axis] = 1;
  v[100 + i] = 0.2f;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_store_embedding(s->cat, g_array_index(s->ids, gint64, i),
                                                content_hash, DERUSH_LEARN_EMBEDDING, v, size,
                                                &error));
  g_assert_no_error(error);
}

static DerushDataset *
load(Shoot *s)
{
  g_autoptr(GError) error = NULL;
  DerushDataset *ds = _derush_dataset_load(s->cat, &error);
  g_assert_no_error(error);
  return ds;
}

static void
test_missing(void)
{
  Shoot s;
  shoot_make(&s, 2, 4, 3);
  shoot_label(&s, 0, 10);
  int col[N_COLS];
  find_columns(col);
  /* Labels but no embedding stored: every cell missing. */
  g_autoptr(DerushDataset) ds = load(&s);
  g_assert_cmpuint(ds->photos->len, ==, 10);
  for (guint i = 0; i < ds->photos->len; i++)
    for (int k = 0; k < N_COLS; k++)
      g_assert_true(isnan(cell(ds, i, col[k])));
  /* An embedding of another version of the photo is not current. */
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_begin(s.cat, &error));
  for (guint i = 0; i < 10; i++)
    store_embedding(&s, i, i % 2, i == 9 ? 77 : 1000 + i);
  g_assert_true(_derush_catalog_commit(s.cat, &error));
  g_autoptr(DerushDataset) with = load(&s);
  for (int k = 0; k < N_COLS; k++)
    g_assert_true(isnan(cell(with, 9, col[k])));
  g_assert_false(isnan(cell(with, 6, col[KEEP_SIM])));
  /* The dataset holds no embedding once built (100 MB at 100k photos). */
  for (guint i = 0; i < with->photos->len; i++)
    g_assert_null(g_array_index(with->photos, DerushLearnPhoto, i).embedding);
  shoot_free(&s);
}

static void
test_similarity(void)
{
  /* One burst (photos 0-2, one CV group) and six singles (3-8). Axis 0 is
   * the look of the kept photos, axis 1 the trashed ones'; photo 8 has no
   * embedding. */
  Shoot s;
  shoot_make(&s, 1, 6, 5);
  static const int axis[8] = {0, 0, 1, 0, 1, 0, 1, 0};
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_begin(s.cat, &error));
  for (guint i = 0; i < 8; i++)
    store_embedding(&s, i, axis[i], 1000 + i);
  g_assert_true(_derush_catalog_commit(s.cat, &error));
  shoot_label_one(&s, 0, DERUSH_LABEL_KEEP);
  shoot_label_one(&s, 2, DERUSH_LABEL_TRASH);
  shoot_label_one(&s, 4, DERUSH_LABEL_TRASH);
  int col[N_COLS];
  find_columns(col);

  g_autoptr(DerushDataset) ds = load(&s);
  g_assert_cmpint(ds->cv_group[0], ==, ds->cv_group[1]);
  g_assert_cmpint(ds->cv_group[0], !=, ds->cv_group[3]);
  g_assert_cmpint(ds->cv_group[3], !=, ds->cv_group[5]);
  /* The only keeper is photo 0: photo 5 (single, its look) is close to it,
   * photo 1 (its burst) is not compared with it, nor is photo 0 itself. */
  g_assert_cmpfloat(cell(ds, 5, col[KEEP_SIM]), >, 0.5);
  g_assert_cmpfloat(cell(ds, 5, col[TRASH_SIM]), <, 0);
  g_assert_cmpfloat(cell(ds, 5, col[MARGIN]), >, 0.5);
  g_assert_true(isnan(cell(ds, 1, col[KEEP_SIM])));
  g_assert_true(isnan(cell(ds, 0, col[KEEP_SIM])));
  /* Trash outside the burst (photo 4) still counts for photo 1. */
  g_assert_cmpfloat(cell(ds, 1, col[TRASH_SIM]), <, 0);
  g_assert_true(isnan(cell(ds, 1, col[MARGIN])));
  /* Photo 6 looks like the trash; photo 8 has no embedding. */
  g_assert_cmpfloat(cell(ds, 6, col[MARGIN]), <, -0.5);
  for (int k = 0; k < N_COLS; k++)
    g_assert_true(isnan(cell(ds, 8, col[k])));

  /* A second keeper outside the burst: photo 0 now has a keeper to be
   * compared with. An auto label is not the user's and changes nothing. */
  gint64 seven = g_array_index(s.ids, gint64, 7);
  DerushLabelChange auto_keep = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  g_assert_true(_derush_catalog_set_labels_each(s.cat, &seven, &auto_keep, 1, DERUSH_SOURCE_AUTO,
                                                NULL, &error));
  g_autoptr(DerushDataset) with_auto = load(&s);
  g_assert_true(isnan(cell(with_auto, 0, col[KEEP_SIM])));
  shoot_label_one(&s, 3, DERUSH_LABEL_KEEP);
  g_autoptr(DerushDataset) more = load(&s);
  g_assert_cmpfloat(cell(more, 0, col[KEEP_SIM]), >, 0.5);
  g_assert_cmpfloat(cell(more, 3, col[KEEP_SIM]), >, 0.5);

  /* Relabelling (eval learning's photographer) follows the labels given,
   * not the catalog's. */
  g_autoptr(DerushDataset) re = _derush_dataset_load_relabelable(s.cat, &error);
  g_assert_no_error(error);
  int label_of[9] = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
  _derush_dataset_relabel(re, label_of);
  g_assert_true(isnan(cell(re, 5, col[KEEP_SIM])));
  label_of[6] = 1; /* a keeper of the other look */
  label_of[3] = 0;
  _derush_dataset_relabel(re, label_of);
  g_assert_cmpfloat(cell(re, 4, col[KEEP_SIM]), >, 0.5);
  g_assert_cmpfloat(cell(re, 5, col[MARGIN]), <, -0.5);

  /* Their reasons in words. */
  g_autofree char *like = _derush_reason_text(col[MARGIN], 0.8, 1);
  g_assert_cmpstr(like, ==, "more like your keepers than your trash");
  g_autofree char *unlike = _derush_reason_text(col[KEEP_SIM], -0.3, -1);
  g_assert_cmpstr(unlike, ==, "unlike the photos you keep");
  shoot_free(&s);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/learn/embedding/missing", test_missing);
  g_test_add_func("/learn/embedding/similarity", test_similarity);
  return g_test_run();
}
