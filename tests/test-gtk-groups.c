/* test-gtk-groups.c: derush-gtk's group views: the compare view's zoom
 * and pan kept in step, and the side panel's group strip.
 *
 * The app runs under the display of gtk-harness.c, driven by its --replay
 * option; groups are read back from the catalog with the library. */
#include "gtk-harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------ compare zoom and group strip */

typedef struct {
  double zoom, scale, cx, cy;
} PaneState;

/* The panes of the @nth "compare-state" (0-based): a block starts at pane 0. */
static GArray *
compare_block(const char *out, guint nth)
{
  GArray *panes = g_array_new(FALSE, TRUE, sizeof(PaneState));
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  int block = -1;
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) w = g_strsplit(lines[i], " ", -1);
    if (g_strv_length(w) != 9 || !g_str_equal(w[0], "compare-pane"))
      continue;
    if (g_str_equal(w[1], "0"))
      block++;
    if (block != (int)nth)
      continue;
    PaneState p = {g_ascii_strtod(w[3], NULL), g_ascii_strtod(w[5], NULL),
                   g_ascii_strtod(w[7], NULL), g_ascii_strtod(w[8], NULL)};
    g_array_append_val(panes, p);
  }
  g_assert_cmpint(block, >=, (int)nth);
  return panes;
}

/* Compare: Z, +/- and a drag in one pane move every pane alike. */
static void
test_compare_sync(Fixture *f, gconstpointer data)
{
  const char *demo = need_demo();
  if (!demo)
    return;
  g_autofree char *fit = g_build_filename(f->shots, "gtk-compare-fit.png", NULL);
  g_autofree char *zoomed = g_build_filename(f->shots, "gtk-compare-zoomed.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "sort group\n"
                                            "select 0\n"
                                            "key g\n"
                                            "key c\n"
                                            "wait-compare\n"
                                            "sleep 200\n"
                                            "compare-state\n" /* 0: fitted */
                                            "screenshot %s\n"
                                            "key z\n"
                                            "wait-compare\n"
                                            "compare-state\n" /* 1: 100%, centred */
                                            "key plus\n"
                                            "key plus\n"
                                            "compare-pan 1 150 90\n"
                                            "compare-state\n" /* 2: 200%, panned together */
                                            "compare-pan 0 -40 -30\n"
                                            "key minus\n"
                                            "compare-state\n" /* 3: 150%, still together */
                                            "wait-compare\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key z\n"
                                            "compare-state\n" /* 4: fitted again */
                                            "key Escape\n"
                                            "quit\n",
                                            fit, zoomed);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, fit);
  check_screenshot(out, zoomed);

  const double want_zoom[] = {0, 1, 2, 1.5, 0};
  for (guint b = 0; b < G_N_ELEMENTS(want_zoom); b++) {
    g_autoptr(GArray) panes = compare_block(out, b);
    g_assert_cmpuint(panes->len, >=, 2);
    g_assert_cmpuint(panes->len, <=, 4);
    PaneState *first = &g_array_index(panes, PaneState, 0);
    for (guint i = 0; i < panes->len; i++) {
      PaneState *p = &g_array_index(panes, PaneState, i);
      g_test_message("state %u pane %u: zoom %.3f scale %.4f centre %.4f %.4f", b, i, p->zoom,
                     p->scale, p->cx, p->cy);
      g_assert_cmpfloat_with_epsilon(p->zoom, want_zoom[b], 1e-6);
      /* The same relative spot in every pane, whatever the photo's size. */
      g_assert_cmpfloat_with_epsilon(p->cx, first->cx, 1e-4);
      g_assert_cmpfloat_with_epsilon(p->cy, first->cy, 1e-4);
      if (want_zoom[b] > 0)
        g_assert_cmpfloat_with_epsilon(p->scale, want_zoom[b], 1e-6); /* 100% is 1:1 */
      else
        g_assert_cmpfloat(p->scale, <, 1.0); /* the demo's photos are larger than a pane */
    }
    if (b == 0 || b == 1 || b == 4) {
      g_assert_cmpfloat_with_epsilon(first->cx, 0.5, 1e-4);
      g_assert_cmpfloat_with_epsilon(first->cy, 0.5, 1e-4);
    }
  }
  /* Dragging pane 1 right and down shows more of the top left: the
   * centre moved up and left in every pane (block 2 asserted equal). */
  g_autoptr(GArray) panned = compare_block(out, 2);
  g_assert_cmpfloat(g_array_index(panned, PaneState, 0).cx, <, 0.5 - 1e-3);
  g_assert_cmpfloat(g_array_index(panned, PaneState, 0).cy, <, 0.5 - 1e-3);
  /* Then pane 0 dragged back a little: the centre followed. */
  g_autoptr(GArray) back = compare_block(out, 3);
  g_assert_cmpfloat(g_array_index(back, PaneState, 0).cx, >,
                    g_array_index(panned, PaneState, 0).cx);
}

typedef struct {
  char *kind;
  char *current;
  GPtrArray *members; /* basenames, in strip order */
  GPtrArray *best;    /* basenames marked best */
  int current_index;
} StripState;

static void
strip_state_free(StripState *s)
{
  g_free(s->kind);
  g_free(s->current);
  g_ptr_array_unref(s->members);
  g_ptr_array_unref(s->best);
  g_free(s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(StripState, strip_state_free)

/* The @nth "strip-state" of @out (0-based). */
static StripState *
strip_block(const char *out, guint nth)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint seen = 0;
  for (guint i = 0; lines[i]; i++) {
    char kind[32], current[256];
    guint n;
    if (sscanf(lines[i], "strip kind %31s members %u current %255s", kind, &n, current) != 3 ||
        seen++ != nth)
      continue;
    StripState *s = g_new0(StripState, 1);
    s->kind = g_strdup(kind);
    s->current = g_strdup(current);
    s->members = g_ptr_array_new_with_free_func(g_free);
    s->best = g_ptr_array_new_with_free_func(g_free);
    s->current_index = -1;
    for (guint k = 0; k < n; k++) {
      const char *line = lines[i + 1 + k];
      g_assert_nonnull(line);
      g_autofree char *prefix = g_strdup_printf("strip-member %u ", k);
      g_assert_true(g_str_has_prefix(line, prefix));
      g_autofree char *name = g_strdup(line + strlen(prefix));
      if (g_str_has_suffix(name, " current")) {
        name[strlen(name) - strlen(" current")] = '\0';
        g_assert_cmpint(s->current_index, ==, -1);
        s->current_index = k;
      }
      if (g_str_has_suffix(name, " best")) {
        name[strlen(name) - strlen(" best")] = '\0';
        g_ptr_array_add(s->best, g_strdup(name));
      }
      g_ptr_array_add(s->members, g_steal_pointer(&name));
    }
    return s;
  }
  g_assert_not_reached();
}

typedef struct {
  const char *path; /* the photo whose smallest group is wanted */
  int rank;         /* of the group found: burst 0, near-duplicates 1, session 2 */
  char *kind;
  GPtrArray *members; /* basenames */
  char *best;
} FindGroup;

static gboolean
find_group_cb(const DerushGroup *group, gpointer user_data)
{
  FindGroup *find = user_data;
  int rank = group->kind == DERUSH_GROUP_BURST ? 0 : group->kind == DERUSH_GROUP_NEAR_DUP ? 1 : 2;
  if (group->n_members < 2 || rank >= find->rank)
    return TRUE;
  gboolean in = FALSE;
  for (guint i = 0; i < group->n_members && !in; i++)
    in = g_str_equal(group->member_paths[i], find->path);
  if (!in)
    return TRUE;
  find->rank = rank;
  g_free(find->kind);
  find->kind = g_strdup(rank == 0 ? "burst" : rank == 1 ? "near-dup" : "session");
  g_ptr_array_set_size(find->members, 0);
  for (guint i = 0; i < group->n_members; i++)
    g_ptr_array_add(find->members, g_path_get_basename(group->member_paths[i]));
  g_free(find->best);
  find->best = rank < 2 && group->best_path ? g_path_get_basename(group->best_path) : NULL;
  return TRUE;
}

static gboolean
find_path_cb(const DerushPhoto *p, gpointer user_data)
{
  char **found = ((char **)user_data);
  g_autofree char *base = g_path_get_basename(p->path);
  if (g_str_equal(base, found[0])) {
    g_assert_null(found[1]); /* the demo's names are unique */
    found[1] = g_strdup(p->path);
  }
  return TRUE;
}

static gpointer
copy_name(gconstpointer name, gpointer data)
{
  return g_strdup(name);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The strip shows exactly the members of the current photo's smallest
 * group in the catalog (burst, else near-duplicates, else session), its
 * best pick, and the current photo. */
static void
check_strip(DerushCatalog *cat, const char *demo, StripState *s)
{
  char *found[2] = {s->current, NULL};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(cat, demo, find_path_cb, found, &error));
  g_assert_nonnull(found[1]);
  g_autofree char *path = found[1];
  FindGroup find = {path, 3, NULL, g_ptr_array_new_with_free_func(g_free), NULL};
  g_assert_true(derush_catalog_foreach_group(cat, demo, -1, find_group_cb, &find, &error));
  g_test_message("%s: strip %s of %u, catalog %s of %u", s->current, s->kind, s->members->len,
                 find.kind ? find.kind : "none", find.members->len);
  g_assert_cmpstr(s->kind, ==, find.kind ? find.kind : "none");
  if (!find.kind) { /* in no group: the strip is hidden */
    g_assert_cmpuint(s->members->len, ==, 0);
    g_ptr_array_unref(find.members);
    return;
  }
  g_ptr_array_sort(find.members, compare_names);
  /* A deep copy: the copy frees its strings as the original does. */
  g_autoptr(GPtrArray) shown = g_ptr_array_copy(s->members, copy_name, NULL);
  g_ptr_array_sort(shown, compare_names);
  g_assert_cmpuint(shown->len, ==, find.members->len);
  for (guint i = 0; i < shown->len; i++)
    g_assert_cmpstr(shown->pdata[i], ==, find.members->pdata[i]);
  if (find.best) {
    g_assert_cmpuint(s->best->len, ==, 1);
    g_assert_cmpstr(s->best->pdata[0], ==, find.best);
  } else {
    g_assert_cmpuint(s->best->len, ==, 0);
  }
  g_assert_cmpint(s->current_index, >=, 0);
  g_assert_cmpstr(s->members->pdata[s->current_index], ==, s->current);
  g_ptr_array_unref(find.members);
  g_free(find.kind);
  g_free(find.best);
}

static char *
current_from(const char *out, guint nth)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint seen = 0;
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "current ") && seen++ == nth)
      return g_strdup(lines[i] + strlen("current "));
  g_assert_not_reached();
}

/* The side panel's group strip: the right members for photos in a burst,
 * near-duplicates or only a session, and a click selects the member. */
static void
test_group_strip(Fixture *f, gconstpointer data)
{
  const char *demo = need_demo();
  if (!demo)
    return;
  g_autofree char *grouped = g_build_filename(f->shots, "gtk-strip-group.png", NULL);
  g_autofree char *clicked = g_build_filename(f->shots, "gtk-strip-clicked.png", NULL);
  g_autofree char *session = g_build_filename(f->shots, "gtk-strip-session.png", NULL);
  GString *script = g_string_new("wait-loaded\n"
                                 "wait-analyzed\n"
                                 "sort group\n"
                                 "select 0\n"
                                 "key g\n"
                                 "sleep 100\n"
                                 "strip-state\n" /* 0 */
                                 "print-current\n"
                                 "wait-thumbnails\n"
                                 "sleep 300\n");
  g_string_append_printf(script, "screenshot %s\n", grouped);
  /* The first member, unless it is the current photo: then the last. */
  g_string_append(script, "strip-click 0\n"
                          "sleep 100\n"
                          "print-current\n"
                          "strip-state\n" /* 1 */
                          "sort time\n");
  g_string_append_printf(script, "wait-thumbnails\nsleep 300\nscreenshot %s\n", clicked);
  /* A spread of photos: bursts, near-duplicates and photos in neither. */
  for (guint pos = 0; pos < 320; pos += 23) {
    g_string_append_printf(script, "select %u\nsleep 50\nstrip-state\n", pos);
    /* For a human: 161 is a photo in no burst or near-duplicate set (the
     * demo set is generated the same each time), so the strip falls back
     * on its session. */
    if (pos == 161)
      g_string_append_printf(script, "wait-thumbnails\nsleep 300\nscreenshot %s\n", session);
  }
  g_string_append(script, "quit\n");
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script->str, &out, &err), ==, 0);
  g_string_free(script, TRUE);
  check_screenshot(out, grouped);
  check_screenshot(out, clicked);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);

  /* G lands on a group: the strip lists it, ringing the current photo. */
  g_autoptr(StripState) first = strip_block(out, 0);
  g_autofree char *current0 = current_from(out, 0);
  g_assert_cmpstr(first->kind, !=, "session");
  g_assert_cmpstr(first->current, ==, current0);
  check_strip(cat, demo, first);

  /* Clicking member 0 selects it in the grid (the grid's order and the
   * strip's differ, so it is another photo unless it was the current). */
  g_autofree char *current1 = current_from(out, 1);
  g_assert_cmpstr(current1, ==, first->members->pdata[0]);
  if (first->current_index != 0)
    g_assert_cmpstr(current1, !=, current0);
  g_autoptr(StripState) after = strip_block(out, 1);
  g_assert_cmpstr(after->current, ==, current1);
  g_assert_cmpint(after->current_index, ==, 0);
  g_assert_cmpuint(after->members->len, ==, first->members->len);

  guint kinds[4] = {0, 0, 0, 0}; /* burst, near-dup, session, none */
  g_auto(GStrv) blocks = g_strsplit(out, "strip kind ", -1);
  for (guint b = 2; b + 1 < g_strv_length(blocks); b++) {
    g_autoptr(StripState) s = strip_block(out, b);
    check_strip(cat, demo, s);
    kinds[g_str_equal(s->kind, "burst")      ? 0
          : g_str_equal(s->kind, "near-dup") ? 1
          : g_str_equal(s->kind, "session")  ? 2
                                             : 3]++;
  }
  derush_catalog_close(cat);
  g_test_message("strips checked: %u bursts, %u near-duplicate sets, %u sessions, %u none",
                 kinds[0], kinds[1], kinds[2], kinds[3]);
  /* The spread met a session-only photo and a group. */
  g_assert_cmpuint(kinds[2], >=, 1);
  g_assert_cmpuint(kinds[0] + kinds[1], >=, 1);
  check_screenshot(out, session);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk/compare-sync", Fixture, NULL, fixture_setup, test_compare_sync,
             fixture_teardown);
  g_test_add("/gtk/group-strip", Fixture, NULL, fixture_setup, test_group_strip, fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
