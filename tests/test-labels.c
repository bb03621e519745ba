/* test-labels.c: label decisions, their history, undo/redo, durability. */
#include "test-util.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 12

typedef struct {
  char *tmp;
  char *db;
  char *photos;
  DerushCatalog *cat;
  gint64 ids[N];
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->db = g_build_filename(f->tmp, "catalog.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  for (int i = 0; i < N; i++) {
    g_autofree char *name = g_strdup_printf("p%02d.png", i);
    g_autofree char *path = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(path, 16 + i, 16);
  }
  g_autoptr(GError) error = NULL;
  f->cat = derush_catalog_open(f->db, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);
  derush_catalog_set_cache_dir(f->cat, cache);
  DerushScanSummary s;
  const char *roots[] = {f->photos, NULL};
  g_assert_true(derush_catalog_scan(f->cat, roots, NULL, &s, &error));
  g_assert_cmpint(s.added, ==, N);
  for (int i = 0; i < N; i++) {
    g_autofree char *name = g_strdup_printf("p%02d.png", i);
    g_autofree char *path = g_build_filename(f->photos, name, NULL);
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(f->cat, path, &error);
    g_assert_no_error(error);
    f->ids[i] = p->id;
  }
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  derush_catalog_close(f->cat);
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->db);
  g_free(f->photos);
}

static DerushPhoto *
photo(Fixture *f, int i)
{
  g_autofree char *name = g_strdup_printf("p%02d.png", i);
  g_autofree char *path = g_build_filename(f->photos, name, NULL);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(f->cat, path, &error);
  g_assert_no_error(error);
  return p;
}

static void
set_label(Fixture *f, int i, DerushLabel label)
{
  DerushLabelChange c = {.set_label = TRUE, .label = label};
  g_autoptr(GError) error = NULL;
  g_assert_true(
      derush_catalog_set_labels(f->cat, &f->ids[i], 1, &c, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_no_error(error);
}

static gboolean
count_events(const DerushLabelEvent *e, gpointer data)
{
  (*(int *)data)++;
  return TRUE;
}

static int
n_events(Fixture *f, const char *path)
{
  int n = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_event(f->cat, path, count_events, &n, &error));
  return n;
}

static void
test_set_and_read(Fixture *f, gconstpointer data)
{
  g_autoptr(DerushPhoto) before = photo(f, 0);
  g_assert_false(before->labelled);
  g_assert_cmpint(before->label, ==, DERUSH_LABEL_NONE);
  set_label(f, 0, DERUSH_LABEL_KEEP);
  DerushLabelChange stars = {.set_stars = TRUE, .stars = 4};
  g_autoptr(GError) error = NULL;
  gint64 batch = 0;
  g_assert_true(derush_catalog_set_labels(f->cat, &f->ids[0], 1, &stars, DERUSH_SOURCE_IMPORT,
                                          &batch, &error));
  g_assert_cmpint(batch, >, 0);
  g_autoptr(DerushPhoto) p = photo(f, 0);
  g_assert_true(p->labelled);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(p->stars, ==, 4);
  g_assert_cmpint(p->label_source, ==, DERUSH_SOURCE_IMPORT);
  /* Setting what is already there records nothing. */
  set_label(f, 0, DERUSH_LABEL_KEEP);
  g_assert_cmpint(n_events(f, p->path), ==, 2);
  g_assert_cmpint(n_events(f, NULL), ==, 2);
  /* Bad values are refused, nothing saved. */
  DerushLabelChange bad = {.set_stars = TRUE, .stars = 6};
  g_assert_false(
      derush_catalog_set_labels(f->cat, &f->ids[1], 1, &bad, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  gint64 nobody = 999999;
  DerushLabelChange keep = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  g_assert_false(
      derush_catalog_set_labels(f->cat, &nobody, 1, &keep, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_assert_cmpint(n_events(f, NULL), ==, 2);

  /* Reopened: still there. */
  derush_catalog_close(f->cat);
  g_clear_error(&error);
  f->cat = derush_catalog_open(f->db, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) again = photo(f, 0);
  g_assert_cmpint(again->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(again->stars, ==, 4);
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
}

/* Undo/redo checked against a model: a list of states with a cursor, the
 * way every editor's undo works. */
typedef struct {
  int states[64][N]; /* label per photo */
  int n, cur;
} Model;

static void
check_against_model(Fixture *f, const Model *m)
{
  for (int i = 0; i < N; i++) {
    g_autoptr(DerushPhoto) p = photo(f, i);
    g_assert_cmpint(p->label, ==, m->states[m->cur][i]);
  }
}

static void
test_undo_redo_model(Fixture *f, gconstpointer data)
{
  Model m = {0};
  m.n = 1;
  GRand *r = g_rand_new_with_seed(42);
  g_autoptr(GError) error = NULL;
  for (int step = 0; step < 40 && m.n < 60; step++) {
    int what = g_rand_int_range(r, 0, 10);
    if (what < 5) {
      /* A batch of 1-3 photos. */
      int k = g_rand_int_range(r, 1, 4);
      gint64 ids[3];
      DerushLabel label = g_rand_int_range(r, 0, 3);
      int next[N];
      memcpy(next, m.states[m.cur], sizeof next);
      gboolean changes = FALSE;
      for (int j = 0; j < k; j++) {
        int i = g_rand_int_range(r, 0, N);
        ids[j] = f->ids[i];
        changes |= m.states[m.cur][i] != (int)label;
        next[i] = label;
      }
      DerushLabelChange c = {.set_label = TRUE, .label = label};
      gint64 batch = -1;
      g_assert_true(
          derush_catalog_set_labels(f->cat, ids, k, &c, DERUSH_SOURCE_USER, &batch, &error));
      if (changes) {
        g_assert_cmpint(batch, >, 0);
        m.cur++;
        memcpy(m.states[m.cur], next, sizeof next);
        m.n = m.cur + 1; /* a new change drops the redo stack */
      } else {
        g_assert_cmpint(batch, ==, 0);
      }
    } else if (what < 8) {
      int n = derush_catalog_undo(f->cat, 1, &error);
      g_assert_no_error(error);
      g_assert_cmpint(n, ==, m.cur > 0 ? 1 : 0);
      if (m.cur > 0)
        m.cur--;
    } else {
      int n = derush_catalog_redo(f->cat, 1, &error);
      g_assert_no_error(error);
      g_assert_cmpint(n, ==, m.cur < m.n - 1 ? 1 : 0);
      if (m.cur < m.n - 1)
        m.cur++;
    }
    check_against_model(f, &m);
    /* Undo state lives in the catalog: survives a restart. */
    if (step % 7 == 0) {
      derush_catalog_close(f->cat);
      f->cat = derush_catalog_open(f->db, &error);
      g_assert_no_error(error);
    }
  }
  /* Undo everything, then redo everything. */
  int back = derush_catalog_undo(f->cat, 1000, &error);
  g_assert_cmpint(back, ==, m.cur);
  m.cur = 0;
  check_against_model(f, &m);
  int fwd = derush_catalog_redo(f->cat, 1000, &error);
  g_assert_cmpint(fwd, ==, m.n - 1);
  m.cur = m.n - 1;
  check_against_model(f, &m);
  g_rand_free(r);
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
}

static void
test_pairs_move_and_labels_follow(Fixture *f, gconstpointer data)
{
  /* A RAW+JPEG pair is labelled as one; labels follow a moved photo. */
  g_autofree char *jpg = g_build_filename(f->photos, "IMG_9.jpg", NULL);
  g_autofree char *tif = g_build_filename(f->photos, "IMG_9.tif", NULL);
  g_autofree char *dng = g_build_filename(f->photos, "IMG_9.dng", NULL);
  test_make_quadrant_image(jpg, 40, 30);
  test_make_quadrant_image(tif, 40, 30);
  g_assert_cmpint(rename(tif, dng), ==, 0);
  DerushScanSummary s;
  const char *roots[] = {f->photos, NULL};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_scan(f->cat, roots, NULL, &s, &error));
  g_autoptr(DerushPhoto) j = derush_catalog_get_photo(f->cat, jpg, &error);
  DerushLabelChange c = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
  g_assert_true(derush_catalog_set_labels(f->cat, &j->id, 1, &c, DERUSH_SOURCE_USER, NULL, &error));
  g_autoptr(DerushPhoto) d = derush_catalog_get_photo(f->cat, dng, &error);
  g_assert_cmpint(d->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(derush_catalog_undo(f->cat, 1, &error), ==, 1);
  g_autoptr(DerushPhoto) d2 = derush_catalog_get_photo(f->cat, dng, &error);
  g_assert_cmpint(d2->label, ==, DERUSH_LABEL_NONE);

  set_label(f, 3, DERUSH_LABEL_KEEP);
  g_autoptr(DerushPhoto) p3 = photo(f, 3);
  g_autofree char *moved_dir = g_build_filename(f->photos, "moved", NULL);
  g_autofree char *moved = g_build_filename(moved_dir, "renamed.png", NULL);
  g_mkdir_with_parents(moved_dir, 0755);
  g_assert_cmpint(rename(p3->path, moved), ==, 0);
  g_assert_true(derush_catalog_scan(f->cat, roots, NULL, &s, &error));
  g_assert_cmpint(s.moved, ==, 1);
  g_autoptr(DerushPhoto) m = derush_catalog_get_photo(f->cat, moved, &error);
  g_assert_no_error(error);
  g_assert_cmpint(m->label, ==, DERUSH_LABEL_KEEP);
}

/* Disk full while labelling: the write that does not fit fails cleanly,
 * is not reported saved, and everything acknowledged before is intact. */
static void
test_disk_full(Fixture *f, gconstpointer data)
{
  if (test_running_on_valgrind()) {
    g_test_skip("the forked writer _exit()s on purpose: not a leak test");
    return;
  }
  derush_catalog_close(f->cat);
  f->cat = NULL;
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(fds[0]);
    signal(SIGXFSZ, SIG_IGN);
    DerushCatalog *cat = derush_catalog_open(f->db, NULL);
    if (!cat)
      _exit(3);
    /* Let the files grow a little, then no more: writes get EFBIG. */
    struct stat st;
    g_autofree char *wal = g_strconcat(f->db, "-wal", NULL);
    off_t biggest = 0;
    if (stat(f->db, &st) == 0)
      biggest = st.st_size;
    if (stat(wal, &st) == 0 && st.st_size > biggest)
      biggest = st.st_size;
    struct rlimit rl = {biggest + 64 * 1024, biggest + 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &rl);
    for (int round = 0; round < 2000; round++) {
      gint64 id = f->ids[round % N];
      /* Each visit of a photo changes its stars, so every round writes
       * (an unchanged label is no change to commit). */
      int stars = (round / N) % 6;
      DerushLabelChange c = {.set_stars = TRUE, .stars = stars};
      GError *error = NULL;
      if (!derush_catalog_set_labels(cat, &id, 1, &c, DERUSH_SOURCE_USER, NULL, &error)) {
        dprintf(fds[1], "fail %s\n", error->message);
        _exit(0);
      }
      dprintf(fds[1], "ok %d %d\n", round % N, stars);
    }
    _exit(4);
  }
  close(fds[1]);
  g_autoptr(GString) out = g_string_new(NULL);
  char buf[4096];
  ssize_t r;
  while ((r = read(fds[0], buf, sizeof buf)) > 0)
    g_string_append_len(out, buf, r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_assert_nonnull(strstr(out->str, "fail "));
  /* The last acknowledged stars of each photo are what the catalog holds. */
  int last[N];
  for (int i = 0; i < N; i++)
    last[i] = 0;
  g_auto(GStrv) lines = g_strsplit(out->str, "\n", -1);
  int acked = 0;
  for (int i = 0; lines[i]; i++) {
    int p, s;
    if (sscanf(lines[i], "ok %d %d", &p, &s) == 2) {
      last[p] = s;
      acked++;
    }
  }
  g_assert_cmpint(acked, >, 0);
  g_autoptr(GError) error = NULL;
  f->cat = derush_catalog_open(f->db, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
  for (int i = 0; i < N; i++) {
    g_autoptr(DerushPhoto) p = photo(f, i);
    g_assert_cmpint(p->stars, ==, last[i]);
  }
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD("/labels/set-and-read", test_set_and_read);
  ADD("/labels/undo-redo-model", test_undo_redo_model);
  ADD("/labels/pairs-move-and-labels-follow", test_pairs_move_and_labels_follow);
  ADD("/labels/disk-full", test_disk_full);
#undef ADD
  return g_test_run();
}
