/* test-locks.c: the catalog's locks hold whatever else the process does.
 *
 * POSIX advisory locks belong to a process and an inode: closing ANY
 * descriptor of the file drops all of them (SQLite's "How To Corrupt An
 * SQLite Database File", 2.2). GTK's file chooser, GIO monitors and
 * thumbnailers open and close the catalog's files when they list its folder;
 * another derush process then believes it is alone, checkpoints and deletes
 * the WAL this process still commits to, and acknowledged labels vanish.
 * These tests do what those threads do, beside a second process that opens,
 * writes and closes the catalog, and check every acknowledged label. */
#include "test-util.h"
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_PHOTOS 12
#define N_MINE 6 /* photos 0-5 are labelled here, 6-11 by the other process */

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  gint64 ids[N_PHOTOS];
  char *paths[N_PHOTOS];
} Fixture;

static void
fixture_set_up(Fixture *f, const char *catalog_dir)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  /* NULL: next to the photos folder; "photos": inside it. */
  f->catalog = g_build_filename(f->tmp, catalog_dir ? catalog_dir : "", "cat.db", NULL);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);
  g_setenv("DERUSH_CACHE_DIR", cache, TRUE);
  for (int i = 0; i < N_PHOTOS; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%04d.png", i);
    f->paths[i] = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(f->paths[i], 16 + i, 16);
  }
}

static void
fixture_scan(Fixture *f, DerushCatalog *cat)
{
  g_autoptr(GError) error = NULL;
  DerushScanSummary s;
  const char *roots[] = {f->photos, NULL};
  g_assert_true(derush_catalog_scan(cat, roots, NULL, &s, &error));
  g_assert_no_error(error);
  /* The catalog's own files in the folder are not photos. */
  g_assert_cmpint(s.files_seen, ==, N_PHOTOS);
  g_assert_cmpint(s.unreadable, ==, 0);
  for (int i = 0; i < N_PHOTOS; i++) {
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, f->paths[i], &error);
    g_assert_no_error(error);
    f->ids[i] = p->id;
  }
}

static void
fixture_tear_down(Fixture *f)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  for (int i = 0; i < N_PHOTOS; i++)
    g_free(f->paths[i]);
}

/* ------------------------------------------------- a file-chooser thread */

typedef struct {
  const char *catalog;
  gint stop;
  gint64 closes;
} Sniffer;

/* Opens, reads and closes the catalog's three files as fast as it can, the
 * way a file chooser guesses their types. */
static gpointer
sniffer_worker(gpointer data)
{
  Sniffer *s = data;
  g_autofree char *wal = g_strconcat(s->catalog, "-wal", NULL);
  g_autofree char *shm = g_strconcat(s->catalog, "-shm", NULL);
  const char *files[] = {s->catalog, wal, shm};
  char buf[64];
  while (!g_atomic_int_get(&s->stop)) {
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
      int fd = open(files[i], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (read(fd, buf, sizeof buf) < 0)
        g_error("read %s: %s", files[i], g_strerror(errno));
      close(fd);
      s->closes++;
    }
    g_usleep(100);
  }
  return NULL;
}

/* ------------------------------------------- the other process's labels */

typedef struct {
  gint64 id;
  int label, stars;
} Ack;

/* Runs label-writer for @count labels among @ids and adds its "ack" lines
 * to @acks. Each run opens the catalog, writes and closes it: the close is
 * where a process that believes it is the last one checkpoints and deletes
 * the WAL. */
static void
run_writer(const char *catalog, int seed, int count, const gint64 *ids, int n, GArray *acks)
{
  const char *bin = g_getenv("DERUSH_LABEL_WRITER");
  g_assert_nonnull(bin);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(bin));
  g_ptr_array_add(argv, g_strdup(catalog));
  g_ptr_array_add(argv, g_strdup_printf("%d", seed));
  g_ptr_array_add(argv, g_strdup_printf("%d", count));
  g_ptr_array_add(argv, g_strdup("0"));
  g_ptr_array_add(argv, g_strdup("5"));
  for (int i = 0; i < n; i++)
    g_ptr_array_add(argv, g_strdup_printf("%" G_GINT64_FORMAT, ids[i]));
  g_ptr_array_add(argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                             &err, &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("label-writer failed: %s%s", out, err);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    Ack a;
    gint64 batch;
    if (sscanf(lines[i], "ack %" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT, &a.id, &a.label,
               &a.stars, &batch) == 4)
      g_array_append_val(acks, a);
    else if (g_str_has_prefix(lines[i], "fail"))
      g_error("label-writer: %s", lines[i]);
  }
}

typedef struct {
  Fixture *f;
  gint stop;
  GArray *acks; /* Ack, in order */
  int runs;
} OtherProcess;

static gpointer
other_process_worker(gpointer data)
{
  OtherProcess *o = data;
  while (!g_atomic_int_get(&o->stop)) {
    run_writer(o->f->catalog, o->runs, 3, o->f->ids + N_MINE, N_PHOTOS - N_MINE, o->acks);
    o->runs++;
  }
  return NULL;
}

/* ------------------------------------------------------------- checks */

typedef struct {
  int label, stars;
  gboolean set;
} State;

/* Every photo holds the last acknowledged decision, and the file is sound. */
static void
check_catalog(Fixture *f, const State *want)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  g_assert_no_error(error);
  int lost = 0;
  for (int i = 0; i < N_PHOTOS; i++) {
    if (!want[i].set)
      continue;
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, f->paths[i], &error);
    g_assert_no_error(error);
    if ((int)p->label != want[i].label || p->stars != want[i].stars) {
      g_test_message("photo %d: catalog %d/%d, acknowledged %d/%d", i, p->label, p->stars,
                     want[i].label, want[i].stars);
      lost++;
    }
  }
  derush_catalog_close(cat);
  g_assert_cmpint(lost, ==, 0);
}

/* ------------------------------------------------------------- tests */

static void
test_foreign_close(void)
{
  Fixture fx = {0}, *f = &fx;
  fixture_set_up(f, NULL);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  fixture_scan(f, cat);

  Sniffer sniffer = {.catalog = f->catalog};
  OtherProcess other = {.f = f, .acks = g_array_new(FALSE, FALSE, sizeof(Ack))};
  GThread *st = g_thread_new("sniffer", sniffer_worker, &sniffer);
  GThread *ot = g_thread_new("other-process", other_process_worker, &other);

  State want[N_PHOTOS] = {{0}};
  GRand *r = g_rand_new_with_seed(16);
  int acked = 0;
  /* Until the other process has opened and closed the catalog many times
   * (each run is a chance to delete the WAL under us), and at least 300
   * labels. */
  for (int k = 0; k < 300 || g_atomic_int_get(&other.runs) < 20; k++) {
    int i = g_rand_int_range(r, 0, N_MINE);
    DerushLabelChange c = {
        .set_label = TRUE,
        .label = (DerushLabel)g_rand_int_range(r, 0, 3),
        .set_stars = TRUE,
        .stars = g_rand_int_range(r, 0, 6),
    };
    if (!derush_catalog_set_labels(cat, &f->ids[i], 1, &c, DERUSH_SOURCE_USER, NULL, &error))
      g_error("label %d: %s", k, error->message);
    want[i] = (State){c.label, c.stars, TRUE};
    acked++;
    g_usleep(500);
  }
  g_atomic_int_set(&other.stop, 1);
  g_thread_join(ot);
  g_atomic_int_set(&sniffer.stop, 1);
  g_thread_join(st);
  derush_catalog_close(cat);
  g_rand_free(r);

  for (guint k = 0; k < other.acks->len; k++) {
    Ack *a = &g_array_index(other.acks, Ack, k);
    for (int i = N_MINE; i < N_PHOTOS; i++)
      if (f->ids[i] == a->id)
        want[i] = (State){a->label, a->stars, TRUE};
  }
  g_test_message("%d labels here, %u in %d other processes, %" G_GINT64_FORMAT " foreign closes",
                 acked, other.acks->len, other.runs, sniffer.closes);
  g_assert_cmpint(sniffer.closes, >, 100);
  check_catalog(f, want);
  g_array_unref(other.acks);
  fixture_tear_down(f);
}

static int
count_open_fds(void)
{
  g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
  g_assert_nonnull(dir);
  int n = 0;
  while (g_dir_read_name(dir))
    n++;
  return n;
}

/* The catalog inside the folder it scans: the scan, then another process
 * opening and closing it, then a label here. */
static void
test_catalog_in_scanned_folder(void)
{
  Fixture fx = {0}, *f = &fx;
  fixture_set_up(f, "photos");
  g_autoptr(GError) error = NULL;
  int fds_before = count_open_fds();
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  fixture_scan(f, cat);
  State want[N_PHOTOS] = {{0}};
  for (int round = 0; round < 5; round++) {
    DerushLabelChange c = {
        .set_label = TRUE, .label = DERUSH_LABEL_KEEP, .set_stars = TRUE, .stars = round + 1};
    g_assert_true(
        derush_catalog_set_labels(cat, &f->ids[round], 1, &c, DERUSH_SOURCE_USER, NULL, &error));
    want[round] = (State){c.label, c.stars, TRUE};
    /* A rescan of the folder that holds the catalog, by this connection. */
    DerushScanSummary s;
    const char *roots[] = {f->photos, NULL};
    g_assert_true(derush_catalog_scan(cat, roots, NULL, &s, &error));
    g_assert_cmpint(s.unchanged, ==, N_PHOTOS);
    /* Then a whole process that opens, reads and closes the catalog. */
    g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(Ack));
    run_writer(f->catalog, round, 1, &f->ids[N_MINE], 1, acks);
    g_assert_cmpuint(acks->len, ==, 1);
    Ack *a = &g_array_index(acks, Ack, 0);
    want[N_MINE] = (State){a->label, a->stars, TRUE};
  }
  derush_catalog_close(cat);
  /* The descriptions the locks went through are closed with the catalog. */
  g_assert_cmpint(count_open_fds(), ==, fds_before);
  check_catalog(f, want);
  fixture_tear_down(f);
}

/* A peer that still uses POSIX locks (the sqlite3 shell, a derush built
 * before OFD locks): our locks must exclude it after foreign closes too.
 * Were they dropped, the shell, closing last, would checkpoint and delete
 * the WAL this connection has open. */
static void
test_posix_peer(void)
{
  g_autofree char *shell = g_find_program_in_path("sqlite3");
  if (!shell) {
    g_test_skip("no sqlite3 shell (apt-get install sqlite3)");
    return;
  }
  Fixture fx = {0}, *f = &fx;
  fixture_set_up(f, NULL);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  fixture_scan(f, cat);
  g_autofree char *wal = g_strconcat(f->catalog, "-wal", NULL);
  State want[N_PHOTOS] = {{0}};
  for (int round = 0; round < 5; round++) {
    DerushLabelChange c = {
        .set_label = TRUE, .label = DERUSH_LABEL_TRASH, .set_stars = TRUE, .stars = round};
    g_assert_true(
        derush_catalog_set_labels(cat, &f->ids[round], 1, &c, DERUSH_SOURCE_USER, NULL, &error));
    want[round] = (State){c.label, c.stars, TRUE};
    GStatBuf before, after;
    g_assert_cmpint(g_stat(wal, &before), ==, 0);
    Sniffer sniffer = {.catalog = f->catalog};
    GThread *st = g_thread_new("sniffer", sniffer_worker, &sniffer);
    g_usleep(20000);
    g_atomic_int_set(&sniffer.stop, 1);
    g_thread_join(st);
    g_assert_cmpint(sniffer.closes, >, 0);
    const char *argv[] = {shell, f->catalog, "SELECT count(*) FROM photos", NULL};
    g_autofree char *out = NULL;
    int status;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpint(atoi(out), ==, N_PHOTOS);
    /* Still our WAL: the shell saw it was not alone. */
    g_assert_cmpint(g_stat(wal, &after), ==, 0);
    g_assert_cmpint(before.st_ino, ==, after.st_ino);
  }
  derush_catalog_close(cat);
  check_catalog(f, want);
  fixture_tear_down(f);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/locks/foreign-close", test_foreign_close);
  g_test_add_func("/locks/catalog-in-scanned-folder", test_catalog_in_scanned_folder);
  g_test_add_func("/locks/posix-peer", test_posix_peer);
  return g_test_run();
}
