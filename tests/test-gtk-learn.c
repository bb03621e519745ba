/* test-gtk-learn.c: learning in the app, driven by its --replay option.
 *
 * The demo set's garden session is labelled through the keyboard (K and T,
 * as a user would) with its truth: blurred, shaken and mis-exposed frames
 * trash. Then the test checks, against the library's own answers from the
 * catalog the app wrote:
 * - one training per quiet window (a run of labels trains once), one batch
 *   prediction per training, every batch made on the trainer's worker;
 * - the filters "predicted trash" and "unsure" show exactly the unlabelled
 *   photos in those zones, and the p(keep) sort orders by the stored p;
 * - N selects active learning's pick (derush_catalog_next(), as `derush
 *   next`);
 * - the side panel shows the model's tiles, the current photo's p(keep)
 *   and its reasons; best picks follow the model;
 * - auto-labelling stays off by default; when on, its labels are drawn
 *   apart from the user's (source auto).
 * Screenshots land in $G_TEST_BUILDDIR/gtk-screenshots/gtk-learn-*.png.
 */
#include "gtk-harness.h"

#define N_LABELS 12

typedef struct {
  GPtrArray *keep, *trash; /* basenames, from the demo's truth */
} Truth;

static void
truth_load(Truth *t, const char *demo)
{
  g_autofree char *path = g_build_filename(demo, "truth.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  t->keep = g_ptr_array_new_with_free_func(g_free);
  t->trash = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; lines[i]; i++) {
    if (!g_str_has_prefix(lines[i], "2024-06-01 Garden/"))
      continue;
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) < 5 || g_str_has_suffix(f[0], ".DNG"))
      continue; /* a RAW half is labelled with its JPEG */
    gboolean bad = strstr("defocus motion under over noisy", f[4]) != NULL;
    g_ptr_array_add(bad ? t->trash : t->keep, g_path_get_basename(f[0]));
  }
  g_assert_cmpuint(t->keep->len, >=, N_LABELS / 2);
  g_assert_cmpuint(t->trash->len, >=, N_LABELS / 2);
}

static void
truth_clear(Truth *t)
{
  g_ptr_array_unref(t->keep);
  g_ptr_array_unref(t->trash);
}

/* K and T on @n_keep and @n_trash photos, in one quick run. */
static void
append_labels(GString *script, const Truth *t, guint n_keep, guint n_trash)
{
  g_assert_cmpuint(n_keep, <=, t->keep->len);
  g_assert_cmpuint(n_trash, <=, t->trash->len);
  for (guint i = 0; i < MAX(n_keep, n_trash); i++) {
    if (i < n_keep)
      g_string_append_printf(script, "select-name %s\nkey k\n", (const char *)t->keep->pdata[i]);
    if (i < n_trash)
      g_string_append_printf(script, "select-name %s\nkey t\n", (const char *)t->trash->pdata[i]);
  }
}

static int
test_strcmp_ptr(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
garden_dir(void)
{
  return g_build_filename(test_demo_dir(), "2024-06-01 Garden", NULL);
}

static gboolean
have_demo(void)
{
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return FALSE;
  }
  return TRUE;
}

/* The value after @key in the @nth (0-based) line that starts with it. */
static gint64
nth_counter(const char *out, const char *name, int nth)
{
  g_autofree char *key = g_strdup_printf("counter %s ", name);
  const char *p = out;
  for (int i = 0; i <= nth; i++) {
    p = strstr(p, key);
    g_assert_nonnull(p);
    p += strlen(key);
  }
  return g_ascii_strtoll(p, NULL, 10);
}

typedef struct {
  GHashTable *p;          /* basename -> p(keep) (double*) */
  GHashTable *auto_set;   /* paths the model auto-labelled */
  GHashTable *raw_halves; /* RAW halves of RAW+JPEG pairs: not shown, the JPEG is */
  guint trash_zone;       /* not labelled by the user, likely trash, by a model */
  guint unsure_zone;
  guint auto_labels;
} Stored;

static gboolean
auto_cb(const DerushPhoto *photo, gpointer user_data)
{
  Stored *st = user_data;
  if (photo->labelled && photo->label != DERUSH_LABEL_NONE &&
      photo->label_source == DERUSH_SOURCE_AUTO)
    g_hash_table_add(st->auto_set, g_strdup(photo->path));
  if (photo->pair_path && derush_is_raw_name(photo->path))
    g_hash_table_add(st->raw_halves, g_strdup(photo->path));
  return TRUE;
}

static gboolean
stored_cb(const DerushPrediction *prediction, gpointer user_data)
{
  Stored *st = user_data;
  g_hash_table_insert(st->p, g_path_get_basename(prediction->path),
                      g_memdup2(&prediction->p_keep, sizeof(double)));
  g_assert_cmpint(prediction->model_version, >, 0);
  if (!g_hash_table_contains(st->raw_halves, prediction->path) &&
      (prediction->label == DERUSH_LABEL_NONE ||
       g_hash_table_contains(st->auto_set, prediction->path))) {
    st->trash_zone += prediction->zone == DERUSH_ZONE_LIKELY_TRASH;
    st->unsure_zone += prediction->zone == DERUSH_ZONE_UNSURE;
  }
  return TRUE;
}

static void
stored_load(Stored *st, DerushCatalog *cat, const char *dir)
{
  g_autoptr(GError) error = NULL;
  st->p = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  st->auto_set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  st->raw_halves = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_assert_true(derush_catalog_foreach_photo(cat, dir, auto_cb, st, &error));
  g_assert_true(derush_catalog_foreach_prediction(cat, dir, stored_cb, st, &error));
  g_assert_no_error(error);
  st->auto_labels = g_hash_table_size(st->auto_set);
}

static void
stored_clear(Stored *st)
{
  g_hash_table_unref(st->p);
  g_hash_table_unref(st->auto_set);
  g_hash_table_unref(st->raw_halves);
}

/* The N of the @nth "shown N" line (not a counter such as
 * placeholders_shown). */
static guint
shown_nth(const char *out, int nth)
{
  const char *p = out;
  for (int i = 0; i <= nth; i++) {
    while ((p = strstr(p, "shown ")) && p != out && p[-1] != '\n')
      p++;
    g_assert_nonnull(p);
    p += 6;
  }
  return (guint)g_ascii_strtoull(p, NULL, 10);
}

static gboolean
best_by_model_cb(const DerushGroup *group, gpointer user_data)
{
  guint *counts = user_data;
  counts[group->best_by == DERUSH_BEST_BY_MODEL]++;
  return TRUE;
}

static void
test_train_predict(Fixture *f, gconstpointer data)
{
  if (!need_display() || !have_demo())
    return;
  g_autofree char *garden = garden_dir();
  Truth t;
  truth_load(&t, test_demo_dir());
  g_autofree char *grid = g_build_filename(f->shots, "gtk-learn-grid.png", NULL);
  g_autofree char *unsure = g_build_filename(f->shots, "gtk-learn-unsure.png", NULL);
  g_autofree char *sorted = g_build_filename(f->shots, "gtk-learn-sort-pkeep.png", NULL);
  g_autoptr(GString) script = g_string_new("train-delay 1500\n"
                                           "wait-loaded\n"
                                           "wait-analyzed\n"
                                           "wait-learned\n"
                                           "learn-state\n"
                                           "counters\n");
  append_labels(script, &t, N_LABELS / 2, N_LABELS / 2);
  g_string_append_printf(script,
                         "wait-learned\n"
                         "counters\n"
                         "learn-state\n"
                         "sort name\n"
                         "select-name %s\n"
                         "wait-learned\n"
                         "learn-state\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "filter predicted-trash\n"
                         "print-shown\n"
                         "filter unsure\n"
                         "print-shown\n"
                         "select 0\n"
                         "wait-learned\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "filter all\n"
                         "sort p-keep\n"
                         "print-grid\n"
                         "select 0\n"
                         "wait-learned\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "key n\n"
                         "wait-learned\n"
                         "print-current\n"
                         "print-cells\n"
                         "counters\n"
                         "quit\n",
                         (const char *)t.keep->pdata[N_LABELS], grid, unsure, sorted);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, garden, script->str, &out, &err), ==, 0);
  check_screenshot(out, grid);
  check_screenshot(out, unsure);
  check_screenshot(out, sorted);

  /* Before any label: the model says what it needs. */
  g_assert_nonnull(strstr(out, "model The model needs 3 more keep labels and 3 more trash labels "
                               "and 2 more labels"));
  /* One run of labels, one training, one batch, on the worker. */
  gint64 runs = nth_counter(out, "trainer_runs", 1) - nth_counter(out, "trainer_runs", 0);
  gint64 trained = nth_counter(out, "models_trained", 1) - nth_counter(out, "models_trained", 0);
  gint64 batches =
      nth_counter(out, "predictions_batches", 1) - nth_counter(out, "predictions_batches", 0);
  gint64 worker = nth_counter(out, "trainer_batches", 1) - nth_counter(out, "trainer_batches", 0);
  g_test_message("after %d labels: %" G_GINT64_FORMAT " runs, %" G_GINT64_FORMAT
                 " trained, %" G_GINT64_FORMAT " batches (%" G_GINT64_FORMAT " on the worker)",
                 N_LABELS, runs, trained, batches, worker);
  g_assert_cmpint(runs, ==, 1);
  g_assert_cmpint(trained, ==, 1);
  g_assert_cmpint(batches, ==, 1);
  g_assert_cmpint(worker, ==, batches);
  /* Over the whole run, every batch was the trainer's. */
  g_assert_cmpint(nth_counter(out, "predictions_batches", 2), ==,
                  nth_counter(out, "trainer_batches", 2));

  /* The tiles and the indicator, then the selected photo's prediction
   * and its reasons. */
  g_autofree char *labels_line = g_strdup_printf("model Trained on %d labels", N_LABELS);
  const char *trained_state = strstr(out, labels_line);
  g_assert_nonnull(trained_state);
  g_autofree char *keep_tile = g_strdup_printf("tile Keep labels: %d\n", N_LABELS / 2);
  g_assert_nonnull(strstr(trained_state, keep_tile));
  g_assert_nonnull(strstr(trained_state, "tile CV accuracy: "));
  g_assert_null(strstr(trained_state, "tile CV accuracy: –"));
  g_assert_nonnull(strstr(out, "indicator Model "));
  g_assert_nonnull(strstr(trained_state, "prediction 0."));
  g_assert_true(strstr(trained_state, "reason ↑ ") || strstr(trained_state, "reason ↓ "));

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  Stored st = {0};
  stored_load(&st, cat, garden);
  /* The filters show exactly the unlabelled photos of the model's zones. */
  g_test_message("predicted trash %u, unsure %u", st.trash_zone, st.unsure_zone);
  g_assert_cmpuint(shown_nth(out, 0), ==, st.trash_zone);
  g_assert_cmpuint(shown_nth(out, 1), ==, st.unsure_zone);
  g_assert_cmpuint(st.trash_zone + st.unsure_zone, >, 0);

  /* The p(keep) sort: never increasing, every photo predicted. */
  double last = 2;
  guint n = 0;
  for (const char *p = strstr(out, "grid 0 "); p; p = strstr(p + 1, "\ngrid ")) {
    const char *name = strchr(p + (*p == '\n' ? 6 : 5), ' ') + 1;
    g_autofree char *base = g_strndup(name, strcspn(name, "\n"));
    const double *pk = g_hash_table_lookup(st.p, base);
    g_assert_nonnull(pk);
    g_assert_cmpfloat(*pk, <=, last);
    last = *pk;
    n++;
  }
  /* Every photo but the RAW halves of pairs (one cell, the JPEG's). */
  g_assert_cmpuint(n, ==, g_hash_table_size(st.p) - g_hash_table_size(st.raw_halves));

  /* N went to active learning's first pick of this folder. */
  g_autoptr(GPtrArray) picks = derush_catalog_next(cat, 50, &error);
  g_assert_no_error(error);
  const char *want = NULL;
  for (guint i = 0; i < picks->len && !want; i++) {
    const DerushPick *pick = picks->pdata[i];
    if (g_str_has_prefix(pick->path, garden))
      want = strrchr(pick->path, '/') + 1;
  }
  g_assert_nonnull(want);
  g_autofree char *current = g_strdup_printf("current %s\n", want);
  g_assert_nonnull(strstr(out, current));

  /* Auto-labelling is off by default: no auto label, none drawn. */
  g_assert_cmpuint(st.auto_labels, ==, 0);
  g_assert_null(strstr(out, " auto\n"));

  /* Best of group follows the model once it is trained. */
  guint by[2] = {0, 0};
  g_assert_true(
      derush_catalog_foreach_group(cat, garden, DERUSH_GROUP_BURST, best_by_model_cb, by, &error));
  g_assert_cmpuint(by[1], >, 0);
  g_assert_cmpuint(by[0], ==, 0);
  stored_clear(&st);
  derush_catalog_close(cat);
  truth_clear(&t);
}

/* The phone snaps of the garden (PXL_*), sorted: the auto-labels taste's
 * trash. */
static GPtrArray *
phone_snaps(const char *garden)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *phone = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) dir = g_dir_open(garden, 0, &error);
  g_assert_no_error(error);
  for (const char *name; (name = g_dir_read_name(dir));)
    if (g_str_has_prefix(name, "PXL_"))
      g_ptr_array_add(phone, g_strdup(name));
  g_ptr_array_sort(phone, (GCompareFunc)test_strcmp_ptr);
  g_assert_cmpuint(phone->len, >, 10);
  return phone;
}

/* K on the camera's flowers, T on phone snaps: a taste the garden's
 * features teach in 20 labels (the truth's blur and exposure cannot: CV
 * accuracy 0.55-0.71, every photo unsure). */
static void
append_camera_taste(GString *script, GPtrArray *phone)
{
  for (int i = 10; i < 22; i++)
    g_string_append_printf(script, "select-name IMG_42%02d.JPG\nkey k\n", i);
  for (guint i = 0; i < 8; i++)
    g_string_append_printf(script, "select-name %s\nkey t\n", (const char *)phone->pdata[i]);
}

/* Auto-labelling on (the catalog's setting): after the training, the
 * confident zones are labelled, source auto, and drawn apart. */
static void
test_auto_labels(Fixture *f, gconstpointer data)
{
  if (!need_display() || !have_demo())
    return;
  g_autofree char *garden = garden_dir();
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  DerushLearnSettings settings;
  g_assert_true(derush_catalog_get_learn_settings(cat, &settings, &error));
  g_assert_false(settings.auto_label);
  settings.auto_label = TRUE;
  g_assert_true(derush_catalog_set_learn_settings(cat, &settings, &error));
  derush_catalog_close(cat);

  g_autofree char *shot = g_build_filename(f->shots, "gtk-learn-auto.png", NULL);
  g_autofree char *trash = g_build_filename(f->shots, "gtk-learn-predicted-trash.png", NULL);
  g_autoptr(GString) script = g_string_new("train-delay 300\n"
                                           "wait-loaded\n"
                                           "wait-analyzed\n"
                                           "wait-learned\n");
  /* This photographer keeps the camera's flowers and trashes the phone
   * snaps. */
  g_autoptr(GPtrArray) phone = phone_snaps(garden);
  append_camera_taste(script, phone);
  g_string_append_printf(script,
                         "wait-learned\n"
                         "sort p-keep\n"
                         "select 0\n"
                         "wait-learned\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "print-cells\n"
                         "filter predicted-trash\n"
                         "print-shown\n"
                         "select 0\n"
                         "wait-learned\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "quit\n",
                         shot, trash);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, garden, script->str, &out, &err), ==, 0);
  check_screenshot(out, shot);
  g_assert_nonnull(strstr(out, "toast: The model labelled "));

  cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  Stored st = {0};
  stored_load(&st, cat, garden);
  g_test_message("auto labels: %u", st.auto_labels);
  g_assert_cmpuint(st.auto_labels, >, 0);
  /* "Predicted trash" lists the model's likely trash the user did not
   * decide, its own auto-labels included (suggestions to confirm). */
  check_screenshot(out, trash);
  g_test_message("predicted trash %u", st.trash_zone);
  g_assert_cmpuint(shown_nth(out, 0), ==, st.trash_zone);
  /* Each bound cell draws an auto label exactly when the catalog says so. */
  guint drawn = 0;
  for (const char *p = strstr(out, "cell "); p; p = strstr(p + 1, "\ncell ")) {
    p += *p == '\n' ? 6 : 5;
    g_autofree char *name = g_strndup(p, strcspn(p, " "));
    g_autofree char *path = g_build_filename(garden, name, NULL);
    g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(cat, path, &error);
    g_assert_no_error(error);
    const char *eol = p + strcspn(p, "\n");
    gboolean is_auto = eol - p > 5 && g_str_has_prefix(eol - 5, " auto");
    gboolean stored_auto =
        photo->label != DERUSH_LABEL_NONE && photo->label_source == DERUSH_SOURCE_AUTO;
    g_assert_cmpint(is_auto, ==, stored_auto);
    drawn += is_auto;
  }
  g_assert_cmpuint(drawn, >, 0);
  stored_clear(&st);
  derush_catalog_close(cat);

  /* The app again: one Ctrl+Z takes every auto-label back, and the
   * trainings that follow (at start-up, after the undo) do not put them
   * back: auto-labelling follows the user's own labels only. */
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_assert_cmpint(run_app(f, garden,
                          "train-delay 300\n"
                          "wait-loaded\n"
                          "wait-analyzed\n"
                          "wait-learned\n"
                          "key <Control>z\n"
                          "wait-learned\n"
                          "print-cells\n"
                          "counters\n"
                          "quit\n",
                          &out2, &err2),
                  ==, 0);
  g_assert_nonnull(strstr(out2, "toast: Undone: "));
  g_assert_null(strstr(out2, "toast: The model labelled "));
  g_assert_null(strstr(out2, " auto\n"));
  g_assert_cmpint(counter_from(out2, "trainer_runs"), >=, 2);
  cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  Stored after = {0};
  stored_load(&after, cat, garden);
  g_assert_cmpuint(after.auto_labels, ==, 0);
  stored_clear(&after);
  derush_catalog_close(cat);
}

/* "Predicted trash" with photos in it. 12 kept labels cannot vouch for a
 * 2 % keep-loss budget (that takes 49: calibration.c), so the catalog's
 * budget is 20 % here, as a user in a hurry would set it; auto-labelling
 * stays off. The filter then shows exactly the unlabelled photos of the
 * likely-trash zone (25 of 77 when measured), each under p(keep) 0.5. */
static void
test_predicted_trash(Fixture *f, gconstpointer data)
{
  if (!need_demo())
    return;
  g_autofree char *garden = garden_dir();
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  DerushLearnSettings settings = {.keep_loss_budget = 0.2, .auto_label = FALSE};
  g_assert_true(derush_catalog_set_learn_settings(cat, &settings, &error));
  derush_catalog_close(cat);

  g_autofree char *shot = g_build_filename(f->shots, "gtk-learn-predicted-trash-zone.png", NULL);
  g_autoptr(GPtrArray) phone = phone_snaps(garden);
  g_autoptr(GString) script = g_string_new("train-delay 300\n"
                                           "wait-loaded\n"
                                           "wait-analyzed\n"
                                           "wait-learned\n");
  append_camera_taste(script, phone);
  g_string_append_printf(script,
                         "wait-learned\n"
                         "filter predicted-trash\n"
                         "print-shown\n"
                         "print-grid\n"
                         "select 0\n"
                         "wait-learned\n"
                         "wait-thumbnails\n"
                         "screenshot %s\n"
                         "quit\n",
                         shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, garden, script->str, &out, &err), ==, 0);
  check_screenshot(out, shot);

  cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  Stored st = {0};
  stored_load(&st, cat, garden);
  g_test_message("predicted trash %u of %u photos", st.trash_zone, g_hash_table_size(st.p));
  g_assert_cmpuint(st.trash_zone, >, 0);
  g_assert_cmpuint(shown_nth(out, 0), ==, st.trash_zone);
  guint listed = 0;
  for (const char *p = strstr(out, "grid 0 "); p; p = strstr(p + 1, "\ngrid ")) {
    const char *name = strchr(p + (*p == '\n' ? 6 : 5), ' ') + 1;
    g_autofree char *base = g_strndup(name, strcspn(name, "\n"));
    g_autofree char *path = g_build_filename(garden, base, NULL);
    g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(cat, path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(photo->label, ==, DERUSH_LABEL_NONE);
    const double *pk = g_hash_table_lookup(st.p, base);
    g_assert_nonnull(pk);
    g_assert_cmpfloat(*pk, <, 0.5); /* under the trash threshold, which is at most 0.5 */
    listed++;
  }
  g_assert_cmpuint(listed, ==, st.trash_zone);
  stored_clear(&st);
  derush_catalog_close(cat);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk/learn/train-predict", Fixture, NULL, fixture_setup, test_train_predict,
             fixture_teardown);
  g_test_add("/gtk/learn/auto-labels", Fixture, NULL, fixture_setup, test_auto_labels,
             fixture_teardown);
  g_test_add("/gtk/learn/predicted-trash", Fixture, NULL, fixture_setup, test_predicted_trash,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
