/* test-decisions.c: decisions that are never lost.
 *
 * The CLI as scripts see it (label, undo, redo, history, export, import)
 * and the reliability promises: kill -9 at random moments, two writers at
 * once. Sidecars are test-decisions-sidecars.c's, applies
 * test-decisions-apply.c's. Every check reads the state back from the
 * catalog or the disk, never from what a command printed. */
#include "decisions-test-util.h"
#include <poll.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
  ADD("/decisions/import/photo-derush", test_import_photo_derush);
  ADD("/decisions/export/reports", test_reports);
#undef ADD
  return g_test_run();
}
