/* test-decisions.c: decisions that are never lost.
 *
 * The CLI as scripts see it (label, undo, redo, history, export, apply,
 * import), and the reliability promises: kill -9 at random moments, two
 * writers at once, read-only folders and sidecars, a full disk while writing
 * sidecars, a crash in the middle of an apply. Every check reads the state
 * back from the catalog or the disk, never from what a command printed. */
#include "test-util.h"
#include <poll.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 8

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  GStrv env;
  gint64 ids[N];
  char *paths[N];
} Fixture;

static void
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
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  derush_catalog_set_cache_dir(cat, cache);
  DerushScanSummary s;
  const char *roots[] = {f->photos, NULL};
  g_assert_true(derush_catalog_scan(cat, roots, NULL, &s, &error));
  for (int i = 0; i < N; i++) {
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, f->paths[i], &error);
    g_assert_no_error(error);
    f->ids[i] = p->id;
  }
  derush_catalog_close(cat);
}

static void
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

/* Runs derush on the fixture's catalog and environment. */
#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

static GPtrArray *
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

static DerushCatalog *
open_catalog(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  return cat;
}

static DerushPhoto *
photo_at(Fixture *f, const char *path)
{
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  derush_catalog_close(cat);
  return p;
}

/* ------------------------------------------------------------------ CLI */

static void
test_cli_label_undo_history(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "label", f->paths[0], f->paths[1], "keep", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Saved keep for 2 photos"));
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(run(f, &out, NULL, "label", f->paths[1], "trash", "--stars", "4", NULL), ==, 0);
  g_clear_pointer(&out, g_free);
  /* Stars alone keep the label. */
  g_assert_cmpint(run(f, &out, NULL, "label", "--stars", "2", f->paths[0], NULL), ==, 0);
  g_clear_pointer(&out, g_free);

  g_assert_cmpint(run(f, &out, NULL, "ls", "--json", f->photos, NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(out);
  g_assert_cmpuint(rows->len, ==, N);
  JsonObject *r0 = rows->pdata[0], *r1 = rows->pdata[1], *r2 = rows->pdata[2];
  g_assert_cmpstr(json_object_get_string_member(r0, "label"), ==, "keep");
  g_assert_cmpint(json_object_get_int_member(r0, "stars"), ==, 2);
  g_assert_cmpstr(json_object_get_string_member(r1, "label"), ==, "trash");
  g_assert_cmpint(json_object_get_int_member(r1, "stars"), ==, 4);
  g_assert_cmpstr(json_object_get_string_member(r1, "label_source"), ==, "user");
  g_assert_true(json_object_get_null_member(r2, "label_source"));
  g_clear_pointer(&out, g_free);

  /* history --json: one line per change, documented keys. */
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) events = parse_lines(out);
  g_assert_cmpuint(events->len, ==, 4);
  static const char *const keys[] = {"id",        "batch",     "time",      "time_ns",
                                     "path",      "old_label", "new_label", "old_stars",
                                     "new_stars", "source",    NULL};
  JsonObject *e2 = events->pdata[2];
  for (int k = 0; keys[k]; k++)
    g_assert_true(json_object_has_member(e2, keys[k]));
  g_assert_cmpstr(json_object_get_string_member(e2, "path"), ==, f->paths[1]);
  g_assert_cmpstr(json_object_get_string_member(e2, "old_label"), ==, "keep");
  g_assert_cmpstr(json_object_get_string_member(e2, "new_label"), ==, "trash");
  g_assert_cmpint(json_object_get_int_member(e2, "new_stars"), ==, 4);
  g_assert_cmpstr(json_object_get_string_member(e2, "source"), ==, "user");
  const char *time = json_object_get_string_member(e2, "time");
  g_assert_true(g_str_has_suffix(time, "Z"));
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601(time, NULL);
  g_assert_nonnull(parsed);
  g_assert_cmpint(g_date_time_to_unix(parsed), ==,
                  json_object_get_int_member(e2, "time_ns") / 1000000000);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", f->paths[1], NULL), ==, 0);
  g_autoptr(GPtrArray) one = parse_lines(out);
  g_assert_cmpuint(one->len, ==, 2);
  g_clear_pointer(&out, g_free);

  /* Undo two batches: photo 0 back to keep/0, photo 1 back to keep/0. */
  g_assert_cmpint(run(f, &out, NULL, "undo", "2", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Undid batch 3: 1 photo changed"));
  g_assert_nonnull(strstr(out, "Undid batch 2: 1 photo changed"));
  g_clear_pointer(&out, g_free);
  g_autoptr(DerushPhoto) p1 = photo_at(f, f->paths[1]);
  g_assert_cmpint(p1->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(p1->stars, ==, 0);
  g_assert_cmpint(p1->label_source, ==, DERUSH_SOURCE_UNDO);
  g_assert_cmpint(run(f, &out, NULL, "redo", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Redid batch 2: 1 photo changed"));
  g_clear_pointer(&out, g_free);
  g_autoptr(DerushPhoto) p1b = photo_at(f, f->paths[1]);
  g_assert_cmpint(p1b->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(p1b->stars, ==, 4);
  g_assert_cmpint(run(f, &out, NULL, "undo", "10", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Only 2 batches were there to undo"));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "undo", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Nothing to undo"));
  g_clear_pointer(&out, g_free);

  /* Errors: usage 2; a missing FILE among good ones 1; only bad ones 2. */
  g_assert_cmpint(run(f, NULL, &err, "label", f->paths[0], NULL), ==, 2);
  g_assert_nonnull(strstr(err, "Try 'derush label --help'"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "--stars", "6", NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "undo", "zero", NULL), ==, 2);
  g_autofree char *nope = g_build_filename(f->photos, "nope.png", NULL);
  g_assert_cmpint(run(f, NULL, &err, "label", nope, "trash", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "nope.png: No such file"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(run(f, &out, &err, "label", nope, f->paths[5], "trash", NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Saved trash for 1 photo"));
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(run(f, NULL, NULL, "history", nope, NULL), ==, 2);
  /* A FILE not scanned before is scanned by label. */
  g_autofree char *fresh = g_build_filename(f->photos, "new", "fresh.png", NULL);
  test_make_quadrant_image(fresh, 20, 20);
  g_assert_cmpint(run(f, &out, NULL, "label", fresh, "keep", NULL), ==, 0);
  g_autoptr(DerushPhoto) pf = photo_at(f, fresh);
  g_assert_cmpint(pf->label, ==, DERUSH_LABEL_KEEP);
}

/* ---------------------------------------------------------- kill -9 */

typedef struct {
  gint64 id;
  int label, stars;
  gint64 batch;
} Ack;

/* Starts label-writer; returns its pid and the read end of its stdout. */
static GPid
start_writer(Fixture *f, int seed, int count, int smin, int smax, const gint64 *ids, int n,
             int *out_fd)
{
  const char *bin = g_getenv("DERUSH_LABEL_WRITER");
  g_assert_nonnull(bin);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(bin));
  g_ptr_array_add(argv, g_strdup(f->catalog));
  g_ptr_array_add(argv, g_strdup_printf("%d", seed));
  g_ptr_array_add(argv, g_strdup_printf("%d", count));
  g_ptr_array_add(argv, g_strdup_printf("%d", smin));
  g_ptr_array_add(argv, g_strdup_printf("%d", smax));
  for (int i = 0; i < n; i++)
    g_ptr_array_add(argv, g_strdup_printf("%" G_GINT64_FORMAT, ids[i]));
  g_ptr_array_add(argv, NULL);
  GPid pid;
  g_autoptr(GError) error = NULL;
  g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                           &pid, NULL, out_fd, NULL, &error);
  g_assert_no_error(error);
  return pid;
}

/* Reads @fd into @s until it holds an "ack" line or @timeout_ms pass:
 * the writer's start-up takes 20-40 ms alone, far more under sanitizers on
 * a loaded machine, and a kill timed from the spawn then lands before any
 * label (30 kills gave 4 acknowledged labels in one such run). */
static void
read_until_ack(int fd, GString *s, int timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  char buf[4096];
  while (!strstr(s->str, "ack ") && g_get_monotonic_time() < end) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0)
      continue;
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0)
      return;
    g_string_append_len(s, buf, r);
  }
}

static char *
read_all_after(int fd, GString *s)
{
  char buf[4096];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0)
    g_string_append_len(s, buf, r);
  close(fd);
  return g_string_free(s, FALSE);
}

static char *
read_all(int fd)
{
  return read_all_after(fd, g_string_new(NULL));
}

/* Parses "ack" lines into @acks; returns the last "try" line that has no
 * ack after it (the decision in flight when the process died), if any. */
static gboolean
parse_writer(const char *text, GArray *acks, Ack *pending)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  gboolean in_flight = FALSE;
  for (int i = 0; lines[i]; i++) {
    Ack a = {0};
    if (sscanf(lines[i], "try %" G_GINT64_FORMAT " %d %d", &a.id, &a.label, &a.stars) == 3) {
      *pending = a;
      in_flight = TRUE;
    } else if (sscanf(lines[i], "ack %" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT, &a.id, &a.label,
                      &a.stars, &a.batch) == 4) {
      g_array_append_val(acks, a);
      in_flight = FALSE;
    } else if (g_str_has_prefix(lines[i], "fail")) {
      g_error("label-writer failed: %s", lines[i]);
    }
  }
  return in_flight;
}

typedef struct {
  int label, stars;
} State;

static gboolean
state_cb(const DerushPhoto *p, gpointer data)
{
  State *s = g_new(State, 1);
  s->label = p->label;
  s->stars = p->stars;
  g_hash_table_insert(data, g_memdup2(&p->id, sizeof p->id), s);
  return TRUE;
}

static GHashTable *
read_states(DerushCatalog *cat)
{
  GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(cat, NULL, state_cb, t, &error));
  return t;
}

static void
test_kill_9(Fixture *f, gconstpointer data)
{
  /* known[i]: the state of photo i as last verified. */
  State known[N] = {{0}};
  GRand *r = g_rand_new_with_seed(7);
  int total_acks = 0, mid_flight = 0;
  for (int round = 0; round < 30; round++) {
    int fd;
    GPid pid = start_writer(f, round, 0, 0, 5, f->ids, N, &fd);
    /* Every other kill is timed from the first acknowledged label, so
     * kills land mid-run whatever the start-up costs; the others are
     * timed from the spawn and can land before, during or after it. */
    GString *early = g_string_new(NULL);
    if (round % 2)
      read_until_ack(fd, early, 10000);
    g_usleep(g_rand_int_range(r, 5, 150) * 1000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    g_autofree char *text = read_all_after(fd, early);
    g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(Ack));
    Ack pending = {0};
    gboolean in_flight = parse_writer(text, acks, &pending);
    mid_flight += in_flight;
    total_acks += acks->len;
    State last[N];
    memcpy(last, known, sizeof last);
    for (guint k = 0; k < acks->len; k++) {
      Ack *a = &g_array_index(acks, Ack, k);
      for (int i = 0; i < N; i++)
        if (f->ids[i] == a->id)
          last[i] = (State){a->label, a->stars};
    }
    DerushCatalog *cat = open_catalog(f);
    g_autoptr(GError) error = NULL;
    g_assert_true(derush_catalog_check_integrity(cat, &error));
    g_autoptr(GHashTable) states = read_states(cat);
    for (int i = 0; i < N; i++) {
      State *s = g_hash_table_lookup(states, &f->ids[i]);
      g_assert_nonnull(s);
      gboolean is_acked = s->label == last[i].label && s->stars == last[i].stars;
      /* The one decision in flight may or may not have been committed. */
      gboolean is_pending = in_flight && pending.id == f->ids[i] && s->label == pending.label &&
                            s->stars == pending.stars;
      if (!is_acked && !is_pending)
        g_error("round %d photo %d: catalog %d/%d, acknowledged %d/%d", round, i, s->label,
                s->stars, last[i].label, last[i].stars);
      known[i] = *s;
    }
    derush_catalog_close(cat);
  }
  g_test_message("%d acknowledged labels over 30 kills, %d killed mid-call", total_acks,
                 mid_flight);
  g_assert_cmpint(total_acks, >, 30);
  g_rand_free(r);
}

typedef struct {
  GHashTable *events; /* "batch:photo" -> "label stars" */
} EventIndex;

static gboolean
index_event_cb(const DerushLabelEvent *e, gpointer data)
{
  g_hash_table_insert(
      data, g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, e->batch, e->photo_id),
      g_strdup_printf("%d %d", e->new_label, e->new_stars));
  return TRUE;
}

static void
test_two_writers(Fixture *f, gconstpointer data)
{
  /* A: photos 0-2 and shared 6-7 with 1-2 stars; B: 3-5 and 6-7 with 3-4. */
  gint64 a_ids[] = {f->ids[0], f->ids[1], f->ids[2], f->ids[6], f->ids[7]};
  gint64 b_ids[] = {f->ids[3], f->ids[4], f->ids[5], f->ids[6], f->ids[7]};
  int fa, fb;
  GPid pa = start_writer(f, 1, 300, 1, 2, a_ids, 5, &fa);
  GPid pb = start_writer(f, 2, 300, 3, 4, b_ids, 5, &fb);
  g_autofree char *ta = read_all(fa);
  g_autofree char *tb = read_all(fb);
  int sa, sb;
  waitpid(pa, &sa, 0);
  waitpid(pb, &sb, 0);
  g_spawn_close_pid(pa);
  g_spawn_close_pid(pb);
  g_assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
  g_assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
  g_autoptr(GArray) acks_a = g_array_new(FALSE, FALSE, sizeof(Ack));
  g_autoptr(GArray) acks_b = g_array_new(FALSE, FALSE, sizeof(Ack));
  Ack pending;
  g_assert_false(parse_writer(ta, acks_a, &pending));
  g_assert_false(parse_writer(tb, acks_b, &pending));
  g_assert_cmpuint(acks_a->len, ==, 300);
  g_assert_cmpuint(acks_b->len, ==, 300);

  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  g_autoptr(GHashTable) events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_assert_true(derush_catalog_foreach_event(cat, NULL, index_event_cb, events, &error));
  g_autoptr(GHashTable) states = read_states(cat);
  for (int w = 0; w < 2; w++) {
    GArray *acks = w == 0 ? acks_a : acks_b;
    for (guint k = 0; k < acks->len; k++) {
      Ack *a = &g_array_index(acks, Ack, k);
      if (a->batch == 0)
        continue; /* it was already so: nothing to record */
      g_autofree char *key =
          g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, a->batch, a->id);
      g_autofree char *want = g_strdup_printf("%d %d", a->label, a->stars);
      g_assert_cmpstr(g_hash_table_lookup(events, key), ==, want);
    }
  }
  for (int i = 0; i < N; i++) {
    State *s = g_hash_table_lookup(states, &f->ids[i]);
    Ack *last_a = NULL, *last_b = NULL;
    for (guint k = 0; k < acks_a->len; k++)
      if (g_array_index(acks_a, Ack, k).id == f->ids[i])
        last_a = &g_array_index(acks_a, Ack, k);
    for (guint k = 0; k < acks_b->len; k++)
      if (g_array_index(acks_b, Ack, k).id == f->ids[i])
        last_b = &g_array_index(acks_b, Ack, k);
    gboolean ok = (last_a && s->label == last_a->label && s->stars == last_a->stars) ||
                  (last_b && s->label == last_b->label && s->stars == last_b->stars);
    if (!ok)
      g_error("photo %d: catalog %d/%d is neither writer's last decision", i, s->label, s->stars);
  }
  derush_catalog_close(cat);
}

/* ------------------------------------------------------------ sidecars */

static const char darktable_sidecar[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"XMP Core 4.4.0-Exiv2\">\n"
    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "  <rdf:Description rdf:about=\"\" xmlns:darktable=\"http://darktable.sf.net/\"\n"
    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"2\"\n"
    "    darktable:xmp_version=\"5\" darktable:history_end=\"2\">\n"
    "   <darktable:history><rdf:Seq>\n"
    "     <rdf:li darktable:num=\"0\" darktable:operation=\"exposure\" darktable:enabled=\"1\""
    " darktable:params=\"0000803f\"/>\n"
    "     <rdf:li darktable:num=\"1\" darktable:operation=\"colorin\" darktable:enabled=\"1\""
    " darktable:params=\"gz12eJ\"/>\n"
    "   </rdf:Seq></darktable:history>\n"
    "  </rdf:Description>\n"
    " </rdf:RDF>\n"
    "</x:xmpmeta>\n";

static gboolean
have_exiftool(void)
{
  g_autofree char *path = g_find_program_in_path("exiftool");
  return path != NULL;
}

static int
exiftool(char **out, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, "exiftool");
  va_list ap;
  va_start(ap, out);
  for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, NULL,
               &status, &error);
  g_assert_no_error(error);
  return g_spawn_check_wait_status(status, NULL) ? 0 : 1;
}

/* exiftool -j -struct's object for @path. */
static JsonObject *
exif_json(const char *path)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(exiftool(&out, "-j", "-struct", path, NULL), ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_data(parser, out, -1, &error);
  g_assert_no_error(error);
  JsonArray *a = json_node_get_array(json_parser_get_root(parser));
  return json_object_ref(json_array_get_object_element(a, 0));
}

static void
test_sidecar_merge(Fixture *f, gconstpointer data)
{
  if (!have_exiftool()) {
    g_test_skip("exiftool is not installed");
    return;
  }
  /* A darktable sidecar with history, then keywords and a Lightroom field
   * added by exiftool: everything another program wrote. */
  g_autofree char *xmp = g_strconcat(f->paths[0], ".xmp", NULL);
  test_write_file(xmp, darktable_sidecar, strlen(darktable_sidecar));
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-dc:Subject=beach",
                           "-XMP-dc:Subject=family", "-XMP-crs:Exposure2012=+0.5", xmp, NULL),
                  ==, 0);
  g_autofree char *out = NULL;
  /* The scan reads its rating as a sidecar decision. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) p0 = photo_at(f, f->paths[0]);
  g_assert_cmpint(p0->stars, ==, 2);
  g_assert_cmpint(p0->label_source, ==, DERUSH_SOURCE_SIDECAR);

  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], "keep", "--stars", "5", NULL), ==, 0);
  g_autofree char *before = NULL;
  g_assert_true(g_file_get_contents(xmp, &before, NULL, NULL));
  /* Dry run: says, writes nothing. */
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", "--dry-run", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Would write 2 sidecars"));
  g_clear_pointer(&out, g_free);
  g_autofree char *xmp1 = g_strconcat(f->paths[1], ".xmp", NULL);
  g_assert_false(g_file_test(xmp1, G_FILE_TEST_EXISTS));
  g_autofree char *same = NULL;
  g_assert_true(g_file_get_contents(xmp, &same, NULL, NULL));
  g_assert_cmpstr(before, ==, same);

  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 2 sidecars (darktable)"));
  g_clear_pointer(&out, g_free);
  g_autoptr(JsonObject) j0 = exif_json(xmp);
  g_assert_cmpint(json_object_get_int_member(j0, "Rating"), ==, -1);
  g_assert_cmpint(json_object_get_int_member(j0, "PickLabel"), ==, 1);
  JsonArray *subject = json_object_get_array_member(j0, "Subject");
  g_assert_cmpuint(json_array_get_length(subject), ==, 2);
  g_assert_cmpstr(json_array_get_string_element(subject, 1), ==, "family");
  g_assert_cmpstr(json_object_get_string_member(j0, "Exposure2012"), ==, "+0.5");
  g_assert_cmpint(json_object_get_int_member(j0, "History_end"), ==, 2);
  JsonArray *history = json_object_get_array_member(j0, "History");
  g_assert_nonnull(history);
  g_assert_cmpuint(json_array_get_length(history), ==, 2);
  g_assert_cmpstr(
      json_object_get_string_member(json_array_get_object_element(history, 1), "Operation"), ==,
      "colorin");
  g_autoptr(JsonObject) j1 = exif_json(xmp1);
  g_assert_cmpint(json_object_get_int_member(j1, "Rating"), ==, 5);
  g_assert_cmpint(json_object_get_int_member(j1, "PickLabel"), ==, 3);
  /* No temporary file left behind. */
  g_autoptr(GDir) dir = g_dir_open(f->photos, 0, NULL);
  for (const char *name; (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));

  /* Lightroom naming: NAME.xmp. Unlabelling removes our fields only. */
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--style", "lightroom", f->photos, NULL),
                  ==, 0);
  g_autofree char *lr = g_build_filename(f->photos, "IMG_0001.xmp", NULL);
  g_autoptr(JsonObject) jl = exif_json(lr);
  g_assert_cmpint(json_object_get_int_member(jl, "Rating"), ==, 5);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "none", "--stars", "0", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_autoptr(JsonObject) jn = exif_json(xmp);
  g_assert_false(json_object_has_member(jn, "Rating"));
  g_assert_false(json_object_has_member(jn, "PickLabel"));
  g_assert_true(json_object_has_member(jn, "History"));
  g_assert_true(json_object_has_member(jn, "Subject"));
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--style", "nope", NULL), ==, 2);
}

static int
n_events_of(Fixture *f, const char *path, DerushLabelSource source)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", path, NULL), ==, 0);
  g_autoptr(GPtrArray) events = parse_lines(out);
  int n = 0;
  for (guint i = 0; i < events->len; i++)
    n += g_strcmp0(json_object_get_string_member(events->pdata[i], "source"),
                   derush_label_source_name(source)) == 0;
  return n;
}

static void
test_sidecar_round_trip(Fixture *f, gconstpointer data)
{
  if (!have_exiftool()) {
    g_test_skip("exiftool is not installed");
    return;
  }
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[2], "keep", "--stars", "3", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  /* Our own write never comes back as a decision. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 0);
  /* Another program's later edit: an export does not overwrite it... */
  g_autofree char *xmp = g_strconcat(f->paths[2], ".xmp", NULL);
  g_usleep(20000);
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-xmp:Rating=-1", xmp, NULL), ==,
                  0);
  /* (Not `label`: it scans its FILEs first, which reads the edit.) */
  g_assert_cmpint(run(f, NULL, NULL, "undo", NULL), ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "export", "--xmp", f->photos, NULL), ==, 1);
  g_assert_nonnull(strstr(err, "changed by another program"));
  g_autoptr(JsonObject) j = exif_json(xmp);
  g_assert_cmpint(json_object_get_int_member(j, "Rating"), ==, -1);
  /* ...the next scan makes it a decision, once. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[2]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(p->label_source, ==, DERUSH_SOURCE_SIDECAR);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 1);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 1);
  /* Sidecar decisions are not undone (they are another program's). */
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "undo", NULL), ==, 0);
  g_autoptr(DerushPhoto) p2 = photo_at(f, f->paths[2]);
  g_assert_cmpint(p2->label, ==, DERUSH_LABEL_TRASH);

  /* Embedded XMP: a JPEG rejected in another program. */
  g_autofree char *jpg = g_build_filename(f->photos, "rated.jpg", NULL);
  test_make_quadrant_image(jpg, 32, 32);
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-xmp:Rating=-1", jpg, NULL), ==,
                  0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) pj = photo_at(f, jpg);
  g_assert_cmpint(pj->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(pj->label_source, ==, DERUSH_SOURCE_SIDECAR);
  /* Relabelled in derush: an unchanged file's rating does not win back. */
  g_assert_cmpint(run(f, NULL, NULL, "label", jpg, "keep", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) pj2 = photo_at(f, jpg);
  g_assert_cmpint(pj2->label, ==, DERUSH_LABEL_KEEP);
}

/* Runs derush as user "nobody" (root ignores file modes). */
static void
drop_to_nobody(gpointer data)
{
  if (setgid(65534) != 0 || setuid(65534) != 0)
    _exit(126);
}

static int
run_as_nobody(Fixture *f, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("DERUSH_BIN"));
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, f->catalog);
  va_list ap;
  va_start(ap, err);
  for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_auto(GStrv) env = g_get_environ();
  for (int i = 0; f->env[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(f->env[i], "=", 2);
    env = g_environ_setenv(env, kv[0], kv[1], TRUE);
  }
  int status;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT,
               geteuid() == 0 ? drop_to_nobody : NULL, NULL, &out, err, &status, &error);
  g_assert_no_error(error);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_sidecar_read_only(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--sync", NULL), ==, 0);
  g_autofree char *out = NULL, *err = NULL;
  /* A read-only sidecar: the label is kept, the failure reported. */
  g_assert_cmpint(run(f, &out, NULL, "label", f->paths[3], "keep", NULL), ==, 0);
  g_autofree char *xmp = g_strconcat(f->paths[3], ".xmp", NULL);
  g_assert_true(g_file_test(xmp, G_FILE_TEST_EXISTS));
  g_assert_cmpint(chmod(xmp, 0444), ==, 0);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, &err, "label", f->paths[3], "trash", NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Saved trash"));
  g_assert_nonnull(strstr(err, "read-only"));
  g_assert_nonnull(strstr(err, "saved in the catalog"));
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[3]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  g_clear_pointer(&err, g_free);
  g_clear_pointer(&out, g_free);

  /* A read-only folder: the sidecar cannot be created. */
  if (geteuid() == 0) {
    const char *chown_argv[] = {"chown", "-R", "65534:65534", f->tmp, NULL};
    int st;
    g_spawn_sync(NULL, (char **)chown_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &st,
                 NULL);
    g_assert_true(g_spawn_check_wait_status(st, NULL));
  }
  g_assert_cmpint(chmod(f->photos, 0555), ==, 0);
  int status = run_as_nobody(f, &err, "label", f->paths[4], "keep", "--stars", "2", NULL);
  g_assert_cmpint(chmod(f->photos, 0755), ==, 0);
  g_assert_cmpint(status, ==, 1);
  g_assert_nonnull(strstr(err, "Permission denied"));
  g_autoptr(DerushPhoto) p4 = photo_at(f, f->paths[4]);
  g_assert_cmpint(p4->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(p4->stars, ==, 2);
  g_autofree char *xmp4 = g_strconcat(f->paths[4], ".xmp", NULL);
  g_assert_false(g_file_test(xmp4, G_FILE_TEST_EXISTS));
}

/* Disk full while writing sidecars: each failure is reported, the old
 * sidecar is intact, no temporary file stays, the catalog is unharmed. */
static void
test_sidecar_disk_full(Fixture *f, gconstpointer data)
{
  if (test_running_on_valgrind()) {
    g_test_skip("the forked writer _exit()s on purpose: not a leak test");
    return;
  }
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], f->paths[1], "keep", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", NULL), ==, 0);
  g_autofree char *xmp0 = g_strconcat(f->paths[0], ".xmp", NULL);
  g_autofree char *before = NULL;
  g_assert_true(g_file_get_contents(xmp0, &before, NULL, NULL));
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], f->paths[1], f->paths[2], "trash", NULL),
                  ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    DerushCatalog *cat = derush_catalog_open(f->catalog, NULL);
    if (!cat)
      _exit(3);
    /* Smaller than any packet: every sidecar write fails with EFBIG. */
    struct rlimit rl = {512, 512};
    setrlimit(RLIMIT_FSIZE, &rl);
    DerushSidecarSummary sum;
    GError *error = NULL;
    gboolean ok = derush_catalog_export_sidecars(cat, NULL, NULL, 0, DERUSH_XMP_DARKTABLE, 0, NULL,
                                                 NULL, &sum, &error);
    _exit(ok && sum.failed == 3 && sum.written == 0 ? 0 : 4);
  }
  int status;
  waitpid(pid, &status, 0);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_autofree char *after = NULL;
  g_assert_true(g_file_get_contents(xmp0, &after, NULL, NULL));
  g_assert_cmpstr(before, ==, after);
  g_autoptr(GDir) dir = g_dir_open(f->photos, 0, NULL);
  for (const char *name; (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));
  g_autofree char *xmp2 = g_strconcat(f->paths[2], ".xmp", NULL);
  g_assert_false(g_file_test(xmp2, G_FILE_TEST_EXISTS));
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  derush_catalog_close(cat);
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[0]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  /* Space again: the same export now succeeds. */
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 3 sidecars"));
}

/* -------------------------------------------------------------- apply */

static gboolean
file_exists(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
test_apply_move_and_undo(Fixture *f, gconstpointer data)
{
  g_autofree char *keep = g_build_filename(f->tmp, "keepers", NULL);
  /* A RAW+JPEG pair (a TIFF renamed .dng pairs like a RAW). */
  g_autofree char *jpg = g_build_filename(f->photos, "PAIR.jpg", NULL);
  g_autofree char *tif = g_build_filename(f->photos, "PAIR.tif", NULL);
  g_autofree char *dng = g_build_filename(f->photos, "PAIR.dng", NULL);
  test_make_quadrant_image(jpg, 40, 30);
  test_make_quadrant_image(tif, 40, 30);
  g_assert_cmpint(rename(tif, dng), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", jpg, f->paths[0], "keep", "--stars", "3", NULL), ==,
                  0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", NULL), ==, 0);
  /* A name already taken at the destination. */
  g_autofree char *taken = g_build_filename(keep, "IMG_0000.png", NULL);
  test_make_quadrant_image(taken, 10, 10);
  g_autofree char *before = NULL;
  gsize before_len = 0;
  g_assert_true(g_file_get_contents(taken, &before, &before_len, NULL));

  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "apply", "--move-keepers-to", keep, "--dry-run", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Would move 3 photos (6 files with sidecars"));
  g_assert_true(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "apply", "--move-keepers-to", keep, NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "Will move 3 photos"));
  g_clear_pointer(&out, g_free);
  g_autofree char *after = NULL;
  gsize after_len = 0;
  g_assert_true(g_file_get_contents(taken, &after, &after_len, NULL));
  g_assert_cmpmem(before, before_len, after, after_len); /* never overwritten */
  g_assert_true(file_exists(keep, "IMG_0000-1.png"));
  g_assert_true(file_exists(keep, "IMG_0000-1.png.xmp"));
  g_assert_true(file_exists(keep, "PAIR.jpg"));
  g_assert_true(file_exists(keep, "PAIR.dng"));
  g_assert_true(file_exists(keep, "PAIR.jpg.xmp"));
  g_assert_true(file_exists(keep, "PAIR.dng.xmp"));
  g_assert_false(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(dng, G_FILE_TEST_EXISTS));
  /* The rows followed the files: labels stay attached. */
  g_autofree char *moved = g_build_filename(keep, "IMG_0000-1.png", NULL);
  g_autoptr(DerushPhoto) pm = photo_at(f, moved);
  g_assert_cmpint(pm->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(pm->stars, ==, 3);
  g_autofree char *moved_dng = g_build_filename(keep, "PAIR.dng", NULL);
  g_autoptr(DerushPhoto) pd = photo_at(f, moved_dng);
  g_assert_cmpint(pd->label, ==, DERUSH_LABEL_KEEP);
  g_assert_nonnull(pd->pair_path);
  g_assert_true(g_str_has_suffix(pd->pair_path, "keepers/PAIR.jpg"));
  /* A rescan sees no missing photo and no new one. */
  g_assert_cmpint(run(f, &out, NULL, "scan", "--json", f->photos, keep, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "\"added\":1,\"updated\":0")); /* only the one in the way */
  g_assert_nonnull(strstr(out, "\"missing\":0"));
  g_clear_pointer(&out, g_free);

  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Restored 6 files"));
  g_clear_pointer(&out, g_free);
  g_assert_true(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_true(file_exists(f->photos, "IMG_0000.png.xmp"));
  g_assert_false(file_exists(keep, "IMG_0000-1.png"));
  g_assert_true(file_exists(keep, "IMG_0000.png"));
  g_autoptr(DerushPhoto) back = photo_at(f, f->paths[0]);
  g_assert_cmpint(back->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Nothing to undo"));
  g_clear_pointer(&out, g_free);

  /* Copies: the originals stay, undo removes only the copies. */
  g_autofree char *copies = g_build_filename(f->tmp, "copies", NULL);
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--copy-keepers-to", copies, NULL), ==, 0);
  g_assert_true(file_exists(copies, "PAIR.dng"));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_cmpint(run(f, NULL, NULL, "undo-apply", NULL), ==, 0);
  g_assert_false(file_exists(copies, "PAIR.dng"));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", "--move-trash-to", keep, NULL), ==, 2);
}

static void
test_apply_trash_and_restore(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], f->paths[2], "trash", NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Will trash 2 photos"));
  g_clear_pointer(&out, g_free);
  g_assert_false(g_file_test(f->paths[1], G_FILE_TEST_EXISTS));
  /* In this test's freedesktop trash, with its .trashinfo. */
  g_autofree char *trashed =
      g_build_filename(f->tmp, "xdg-data", "Trash", "files", "IMG_0001.png", NULL);
  g_autofree char *info =
      g_build_filename(f->tmp, "xdg-data", "Trash", "info", "IMG_0001.png.trashinfo", NULL);
  g_assert_true(g_file_test(trashed, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(info, G_FILE_TEST_EXISTS));
  g_autoptr(DerushPhoto) gone = photo_at(f, f->paths[1]);
  g_assert_cmpint(gone->status, ==, DERUSH_PHOTO_MISSING);
  g_assert_cmpint(gone->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Restored 2 files"));
  g_assert_true(g_file_test(f->paths[1], G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(trashed, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(info, G_FILE_TEST_EXISTS));
  g_autoptr(DerushPhoto) back = photo_at(f, f->paths[1]);
  g_assert_cmpint(back->status, ==, DERUSH_PHOTO_OK);
}

/* Runs derush in the background and kills it after @delay_ms. */
static void
run_and_kill(Fixture *f, int delay_ms, const char *const *args)
{
  test_run_derush_killed(f->catalog, NULL, delay_ms, NULL, NULL, args);
}

#define MANY 240

/* Each of the MANY photos (and its sidecar) exists exactly once: in the
 * source folder or in @dest, and the catalog row points to it. */
static void
check_each_once(Fixture *f, const char *src, const char *dest, int *n_moved)
{
  /* Opening the catalog repairs a half-done apply first. */
  g_assert_cmpint(run(f, NULL, NULL, "stats", NULL), ==, 0);
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(derush_catalog_recover_file_ops(cat, &error), ==, 0);
  *n_moved = 0;
  for (int i = 0; i < MANY; i++) {
    g_autofree char *name = g_strdup_printf("m%03d.png", i);
    g_autofree char *xmp = g_strdup_printf("m%03d.png.xmp", i);
    int here = file_exists(src, name), there = file_exists(dest, name);
    if (here + there != 1)
      g_error("%s: %d copies", name, here + there);
    if (file_exists(src, xmp) + file_exists(dest, xmp) != 1)
      g_error("%s: lost or duplicated", xmp);
    g_autofree char *path = g_build_filename(here ? src : dest, name, NULL);
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
    *n_moved += there;
  }
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  derush_catalog_close(cat);
  g_autoptr(GDir) dir = g_dir_open(dest, 0, NULL);
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));
}

static void
test_apply_killed(Fixture *f, gconstpointer data)
{
  g_autofree char *many = g_build_filename(f->tmp, "many", NULL);
  g_autofree char *dest = g_build_filename(f->tmp, "rejects", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(args, g_strdup("--catalog"));
  g_ptr_array_add(args, g_strdup(f->catalog));
  g_ptr_array_add(args, g_strdup("label"));
  for (int i = 0; i < MANY; i++) {
    g_autofree char *name = g_strdup_printf("m%03d.png", i);
    char *path = g_build_filename(many, name, NULL);
    test_make_quadrant_image(path, 8, 8);
    g_ptr_array_add(args, path);
  }
  g_ptr_array_add(args, g_strdup("trash"));
  g_ptr_array_add(args, NULL);
  g_assert_cmpint(run(f, NULL, NULL, "scan", "--no-thumbnails", many, NULL), ==, 0);
  g_autofree char *label_out = NULL;
  g_assert_cmpint(test_run_derush((const char *const *)args->pdata, (const char *const *)f->env,
                                  &label_out, NULL),
                  ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", many, NULL), ==, 0);

  GRand *r = g_rand_new_with_seed(3);
  int partial = 0;
  for (int round = 0; round < 10; round++) {
    const char *apply[] = {"apply", "--move-trash-to", dest, many, NULL};
    const char *undo[] = {"undo-apply", NULL};
    run_and_kill(f, g_rand_int_range(r, 25, 90), round % 2 ? undo : apply);
    int moved;
    check_each_once(f, many, dest, &moved);
    partial += moved > 0 && moved < MANY;
    /* Finish the job properly and check again. */
    if (round % 2) {
      /* Each undo-apply restores one apply (a killed apply was finished by
       * a second one): undo until nothing is left. */
      for (int k = 0; k < 10; k++) {
        g_autofree char *out = NULL;
        g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
        if (strstr(out, "Nothing to undo"))
          break;
      }
    } else {
      g_assert_cmpint(run(f, NULL, NULL, "apply", "--move-trash-to", dest, many, NULL), ==, 0);
    }
    check_each_once(f, many, dest, &moved);
    g_assert_cmpint(moved, ==, (round % 2) ? 0 : MANY);
  }
  g_test_message("%d of 10 kills left a half-done apply or undo", partial);
  g_rand_free(r);
}

/* ---------------------------------------------------- reports, import */

static const char ratings_example[] =
    "{\n"
    "  \"IMG_0001.png\": { \"state\": \"keep\", \"label_source\": \"manual\" },\n"
    "  \"IMG_0002.png\": { \"state\": \"trash\", \"label_source\": \"auto\" },\n"
    "  \"IMG_0003.png\": { \"rating\": 4, \"tags\": [\"beach\", \"family\"], \"state\": \"keep\","
    " \"label_source\": \"manual\" },\n"
    "  \"IMG_0004.png\": { \"label_source\": \"auto\" },\n"
    "  \"IMG_0005.png\": { \"rating\": 2 },\n"
    "  \"old/dir/IMG_0006.png\": { \"state\": \"trash\" },\n"
    "  \"IMG_0007.png\": { \"state\": \"keep\", \"future_key\": {\"x\": 1} }\n"
    "}\n";

static void
check_label(Fixture *f, int i, DerushLabel label, int stars, int source)
{
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[i]);
  g_assert_cmpint(p->label, ==, label);
  g_assert_cmpint(p->stars, ==, stars);
  if (source < 0)
    g_assert_false(p->labelled);
  else
    g_assert_cmpint(p->label_source, ==, source);
}

static void
test_import_photo_derush(Fixture *f, gconstpointer data)
{
  g_autofree char *json = g_build_filename(f->photos, ".ratings_tags.json", NULL);
  /* Malformed variants first: each imports nothing. */
  const char *bad[] = {
      "{\n  \"IMG_0001.png\": { \"state\": \"keep\" },\n  \"IMG_0003.png\": { \"rat", /* cut */
      "[1, 2, 3]",
      "{\"IMG_0001.png\": { \"state\": \"keep\" }, \"IMG_0003.png\": { \"rating\": \"four\" }}",
      "{\"IMG_0001.png\": { \"state\": \"keep\" }, \"IMG_0003.png\": { \"rating\": 9 }}",
      "{\"IMG_0001.png\": { \"state\": \"keep\" }, \"IMG_0003.png\": \"keep\"}",
      "",
  };
  for (gsize k = 0; k < G_N_ELEMENTS(bad); k++) {
    test_write_file(json, bad[k], strlen(bad[k]));
    g_autofree char *err = NULL;
    g_assert_cmpint(run(f, NULL, &err, "import", "photo-derush", f->photos, NULL), ==, 2);
    g_assert_nonnull(strstr(err, "nothing imported"));
    check_label(f, 1, DERUSH_LABEL_NONE, 0, -1);
  }
  g_assert_cmpint(run(f, NULL, NULL, "import", "photo-derush", f->tmp, NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "import", "lightroom", f->photos, NULL), ==, 2);

  /* A decision made in derush before the import stands. */
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[7], "trash", NULL), ==, 0);
  test_write_file(json, ratings_example, strlen(ratings_example));
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "import", "photo-derush", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Imported 7 entries"));
  g_clear_pointer(&out, g_free);
  check_label(f, 1, DERUSH_LABEL_KEEP, 0, DERUSH_SOURCE_IMPORT);
  check_label(f, 2, DERUSH_LABEL_TRASH, 0, DERUSH_SOURCE_AUTO); /* kept apart */
  check_label(f, 3, DERUSH_LABEL_KEEP, 4, DERUSH_SOURCE_IMPORT);
  check_label(f, 4, DERUSH_LABEL_NONE, 0, -1);
  check_label(f, 5, DERUSH_LABEL_NONE, 2, DERUSH_SOURCE_IMPORT);
  check_label(f, 6, DERUSH_LABEL_TRASH, 0, DERUSH_SOURCE_IMPORT); /* no source = manual */
  check_label(f, 7, DERUSH_LABEL_TRASH, 0, DERUSH_SOURCE_USER);
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) first = parse_lines(out);
  g_clear_pointer(&out, g_free);
  /* Idempotent: no new event the second time. */
  g_assert_cmpint(run(f, &out, NULL, "import", "photo-derush", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "; 0 changes"));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) second = parse_lines(out);
  g_assert_cmpuint(first->len, ==, second->len);
  g_assert_cmpuint(first->len, ==, 1 + 5);
}

static void
test_reports(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "keep", "--stars", "5", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], "trash", NULL), ==, 0);
  g_autofree char *csv = g_build_filename(f->tmp, "out.csv", NULL);
  g_autofree char *jsonl = g_build_filename(f->tmp, "out.jsonl", NULL);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--csv", csv, "--json", jsonl, f->photos, NULL), ==,
                  0);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
  g_assert_cmpstr(lines[0], ==, "path,label,stars,prediction,group");
  g_autofree char *row0 = g_strdup_printf("%s,keep,5,,", f->paths[0]);
  g_autofree char *row1 = g_strdup_printf("%s,trash,0,,", f->paths[1]);
  g_autofree char *row2 = g_strdup_printf("%s,none,0,,", f->paths[2]);
  g_assert_cmpstr(lines[1], ==, row0);
  g_assert_cmpstr(lines[2], ==, row1);
  g_assert_cmpstr(lines[3], ==, row2);
  g_assert_cmpuint(g_strv_length(lines), ==, N + 2);
  g_autofree char *jtext = NULL;
  g_assert_true(g_file_get_contents(jsonl, &jtext, NULL, NULL));
  g_autoptr(GPtrArray) rows = parse_lines(jtext);
  g_assert_cmpuint(rows->len, ==, N);
  JsonObject *r0 = rows->pdata[0];
  g_assert_cmpstr(json_object_get_string_member(r0, "path"), ==, f->paths[0]);
  g_assert_cmpstr(json_object_get_string_member(r0, "label"), ==, "keep");
  g_assert_cmpint(json_object_get_int_member(r0, "stars"), ==, 5);
  g_assert_true(json_object_get_null_member(r0, "prediction"));
  g_assert_true(json_object_get_null_member(r0, "group"));
  g_assert_cmpint(run(f, NULL, NULL, "export", NULL), ==, 2);
}

/* A grouped photo's report row names its group: the id `derush groups`
 * lists (it was written as null whatever the grouping). The fixture's
 * photos are one picture at eight widths: one near-duplicate group. */
static void
test_report_groups(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "analyze", f->photos, NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "groups", "--json", "--kind", "near_dup", NULL), ==, 0);
  g_autoptr(GPtrArray) groups = parse_lines(out);
  g_assert_cmpuint(groups->len, >=, 1);
  g_autoptr(GHashTable) group_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < groups->len; i++) {
    JsonObject *g = groups->pdata[i];
    gint64 id = json_object_get_int_member(g, "id");
    JsonArray *paths = json_object_get_array_member(g, "paths");
    for (guint k = 0; k < json_array_get_length(paths); k++)
      g_hash_table_insert(group_of, g_strdup(json_array_get_string_element(paths, k)),
                          GINT_TO_POINTER((int)id));
  }
  g_autofree char *csv = g_build_filename(f->tmp, "out.csv", NULL);
  g_autofree char *jsonl = g_build_filename(f->tmp, "out.jsonl", NULL);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--csv", csv, "--json", jsonl, f->photos, NULL), ==,
                  0);
  g_autofree char *jtext = NULL;
  g_assert_true(g_file_get_contents(jsonl, &jtext, NULL, NULL));
  g_autoptr(GPtrArray) rows = parse_lines(jtext);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
  guint grouped = 0;
  for (guint i = 0; i < rows->len; i++) {
    JsonObject *r = rows->pdata[i];
    const char *path = json_object_get_string_member(r, "path");
    gpointer id = g_hash_table_lookup(group_of, path);
    if (!id)
      continue;
    grouped++;
    g_assert_false(json_object_get_null_member(r, "group"));
    g_assert_cmpint(json_object_get_int_member(r, "group"), ==, GPOINTER_TO_INT(id));
    g_autofree char *tail = g_strdup_printf(",%d", GPOINTER_TO_INT(id));
    g_assert_true(g_str_has_suffix(lines[i + 1], tail));
  }
  g_assert_cmpuint(grouped, >=, 2);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/decisions/cli/label-undo-history", test_cli_label_undo_history);
  ADD("/decisions/reports/groups", test_report_groups);
  ADD("/decisions/reliability/kill-9", test_kill_9);
  ADD("/decisions/reliability/two-writers", test_two_writers);
  ADD("/decisions/sidecar/merge", test_sidecar_merge);
  ADD("/decisions/sidecar/round-trip", test_sidecar_round_trip);
  ADD("/decisions/sidecar/read-only", test_sidecar_read_only);
  ADD("/decisions/sidecar/disk-full", test_sidecar_disk_full);
  ADD("/decisions/apply/move-and-undo", test_apply_move_and_undo);
  ADD("/decisions/apply/trash-and-restore", test_apply_trash_and_restore);
  ADD("/decisions/apply/killed", test_apply_killed);
  ADD("/decisions/import/photo-derush", test_import_photo_derush);
  ADD("/decisions/export/reports", test_reports);
#undef ADD
  return g_test_run();
}
