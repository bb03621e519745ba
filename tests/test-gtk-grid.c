/* test-gtk-grid.c: the grid's layout in derush-gtk's "By Group" sort.
 *
 * Each group starts a row of its own, under its header, at any cell size
 * (the grid pads the row before it with empty spacer slots: GTK 4.8's
 * GtkGridView has no section headers). The arrow keys, the selection and
 * the labels act on photos only, never on a spacer. The app runs under a
 * display with a --replay script (gtk-harness.c); print-cells says where
 * each cell sits, print-cell-texts the order and groups of the photos.
 */
#include "gtk-cells.h"
#include <math.h>

/* Where each cell sits in the grid ("cell-at NAME X Y" of print-cells in
 * @out), by name. */
typedef struct {
  double x, y;
} Spot;

static GHashTable *
parse_spots(const char *out)
{
  GHashTable *spots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    char name[64];
    Spot s;
    if (sscanf(lines[i], "cell-at %63s %lf %lf", name, &s.x, &s.y) == 3)
      g_hash_table_insert(spots, g_strdup(name), g_memdup2(&s, sizeof s));
  }
  return spots;
}

/* The smallest x and the number of columns of @spots. */
static guint
count_columns(GHashTable *spots, double *left)
{
  g_autoptr(GArray) xs = g_array_new(FALSE, FALSE, sizeof(double));
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, spots);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    gboolean seen = FALSE;
    for (guint i = 0; i < xs->len && !seen; i++)
      seen = fabs(g_array_index(xs, double, i) - ((Spot *)value)->x) < 1;
    if (!seen)
      g_array_append_val(xs, ((Spot *)value)->x);
  }
  *left = G_MAXDOUBLE;
  for (guint i = 0; i < xs->len; i++)
    *left = MIN(*left, g_array_index(xs, double, i));
  return xs->len;
}

/* Every group's first photo, and the first photo after a group, is in the
 * grid's first column, on a row below the photo before it. Returns the
 * number of groups seen. */
static guint
check_groups_start_rows(GPtrArray *cells, GHashTable *spots, const char *when)
{
  double left;
  guint columns = count_columns(spots, &left);
  g_assert_cmpuint(columns, >=, 2); /* else every photo starts a row (columns in use) */
  guint groups = 0;
  for (guint i = 1; i < cells->len; i++) {
    const Cell *c = cells->pdata[i], *before = cells->pdata[i - 1];
    if (c->group == before->group || (!c->group && !before->group))
      continue;
    const Spot *s = g_hash_table_lookup(spots, c->name);
    const Spot *b = g_hash_table_lookup(spots, before->name);
    if (!s || !b)
      continue; /* not bound: past the rows the grid keeps */
    groups += c->group != 0;
    if (fabs(s->x - left) > 0.5 || s->y <= b->y)
      g_error("%s: %s (group %" G_GINT64_FORMAT ") at %.0f,%.0f after %s at %.0f,%.0f: "
              "not at the start of a row (first column at x %.0f)",
              when, c->name, c->group, s->x, s->y, before->name, b->x, b->y, left);
  }
  g_test_message("%s: %u columns, %u groups each starting a row", when, columns, groups);
  return groups;
}

/* The "current NAME" lines of @out, in order. */
static GPtrArray *
parse_currents(const char *out)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "current "))
      g_ptr_array_add(names, g_strdup(lines[i] + strlen("current ")));
  return names;
}

/* print-layout: the name in each slot of the grid ("-": a spacer). */
typedef struct {
  guint columns;
  GPtrArray *slots;
} Layout;

static void
parse_layout(const char *out, Layout *l)
{
  const char *at = strstr(out, "layout columns ");
  g_assert_nonnull(at);
  guint n = 0;
  g_assert_cmpint(sscanf(at, "layout columns %u items %u", &l->columns, &n), ==, 2);
  l->slots = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) lines = g_strsplit(at, "\n", -1);
  for (int i = 1; lines[i] && g_str_has_prefix(lines[i], "slot "); i++) {
    guint pos;
    char name[64];
    g_assert_cmpint(sscanf(lines[i], "slot %u %63s", &pos, name), ==, 2);
    g_assert_cmpuint(pos, ==, l->slots->len);
    g_ptr_array_add(l->slots, g_strdup(name));
  }
  g_assert_cmpuint(l->slots->len, ==, n);
}

static guint
slot_of(const Layout *l, const char *name)
{
  for (guint i = 0; i < l->slots->len; i++)
    if (g_str_equal(l->slots->pdata[i], name))
      return i;
  g_error("%s is not in the grid", name);
}

static gboolean
is_spacer(const Layout *l, guint pos)
{
  return pos < l->slots->len && g_str_equal(l->slots->pdata[pos], "-");
}

/* The whole grid: the photos in order, each group's first photo and the
 * first photo after a group in column 0, spacers only where a row ends. */
static guint
check_layout(const Layout *l, GPtrArray *cells, const char *when)
{
  g_assert_cmpuint(l->columns, >=, 2);
  guint photos = 0, spacers = 0, groups = 0;
  for (guint pos = 0; pos < l->slots->len; pos++) {
    if (is_spacer(l, pos)) {
      spacers++;
      g_assert_true((pos + 1) % l->columns == 0 || is_spacer(l, pos + 1));
      continue;
    }
    g_assert_cmpuint(photos, <, cells->len);
    const Cell *c = cells->pdata[photos], *before = photos ? cells->pdata[photos - 1] : NULL;
    g_assert_cmpstr(l->slots->pdata[pos], ==, c->name);
    if (before && c->group != before->group && (c->group || before->group)) {
      groups += c->group != 0;
      if (pos % l->columns != 0)
        g_error("%s: %s (group %" G_GINT64_FORMAT ") in column %u", when, c->name, c->group,
                pos % l->columns);
    }
    photos++;
  }
  g_assert_cmpuint(photos, ==, cells->len);
  g_test_message("%s: %u columns, %u spacers, %u groups each starting a row", when, l->columns,
                 spacers, groups);
  return groups;
}

/* One Up or Down key from @was to @now in @l: a row away, in the same
 * column or, where that slot is a spacer, on the last photo of that row. */
static gboolean
check_vertical(const Layout *l, const char *was, const char *now, int direction)
{
  guint a = slot_of(l, was), b = slot_of(l, now), c = l->columns;
  if (a == b) /* at the edge */
    return FALSE;
  g_assert_cmpint((int)(b / c), ==, (int)(a / c) + direction);
  if (b % c == a % c)
    return FALSE;
  g_assert_cmpuint(b % c, <, a % c);
  g_assert_true(is_spacer(l, b / c * c + a % c));
  g_assert_true(is_spacer(l, b + 1));
  return TRUE;
}

static gboolean
count_trash_cb(const DerushPhoto *p, gpointer user_data)
{
  *(guint *)user_data += p->label == DERUSH_LABEL_TRASH;
  return TRUE;
}

static void
test_by_group_rows(Fixture *f, gconstpointer data)
{
  g_autofree char *garden = demo_garden();
  if (!garden)
    return;
  const int moves = 10;
  g_autofree char *shot = g_build_filename(f->shots, "gtk-grid-by-group.png", NULL);
  g_autofree char *small = g_build_filename(f->shots, "gtk-grid-by-group-small.png", NULL);
  g_autofree char *regrouped = g_build_filename(f->shots, "gtk-grid-regrouped.png", NULL);
  GString *script = g_string_new("wait-loaded\n"
                                 "wait-analyzed\n"
                                 "sort group\n"
                                 "print-cell-texts 0 200\n"
                                 "print-layout\n"
                                 "wait-thumbnails\n"
                                 "sleep 300\n");
  g_string_append_printf(script, "screenshot %s\nprint-cells\n", shot);
  /* Down through the rows, Right along the photos, then Up. */
  g_string_append(script, "select 0\nprint-current\n");
  for (int k = 0; k < moves; k++)
    g_string_append(script, "key Down\nprint-current\n");
  for (int k = 0; k < moves; k++)
    g_string_append(script, "key Right\nprint-current\n");
  for (int k = 0; k < moves; k++)
    g_string_append(script, "key Up\nprint-current\n");
  /* The grid's own keys (Page Down) select a slot, a spacer too. */
  g_string_append(script, "select-slot 3\nprint-current\n");
  /* Small cells: more columns, laid out again. */
  g_string_append_printf(script,
                         "pref thumb-size 120\n"
                         "wait-thumbnails\n"
                         "sleep 300\n"
                         "screenshot %s\n"
                         "print-cells\n"
                         "print-layout\n"
                         /* Eight photos across group boundaries (spacers
                          * between them), trashed: eight labels. */
                         "select 0 8\n"
                         "print-selection\n"
                         "key t\n"
                         "sleep 200\n"
                         "print-subtitle\n"
                         "counters\n"
                         /* Regrouped (a longer burst gap): laid out again. */
                         "pref burst-gap 30\n"
                         "wait-analyzed\n"
                         "sleep 200\n"
                         "screenshot %s\n"
                         "print-cell-texts 0 200\n"
                         "print-layout\n"
                         "quit\n",
                         small, regrouped);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, garden, script->str, &out, &err), ==, 0);
  g_string_free(script, TRUE);
  check_screenshot(out, shot);
  check_screenshot(out, small);
  check_screenshot(out, regrouped);

  /* The output in three parts: default size, small cells, regrouped. */
  g_autofree char *third_marker = g_strdup_printf("screenshot %s", regrouped);
  char *third = strstr(out, third_marker);
  g_assert_nonnull(third);
  g_autoptr(GPtrArray) regrouped_cells = parse_cells(third);
  Layout after = {0};
  parse_layout(third, &after);
  check_layout(&after, regrouped_cells, "regrouped");
  g_ptr_array_unref(after.slots);
  *third = '\0';

  g_autoptr(GPtrArray) cells = parse_cells(out);
  g_assert_cmpuint(cells->len, >, 20);
  g_autofree char *small_marker = g_strdup_printf("screenshot %s", small);
  char *second = strstr(out, small_marker);
  g_assert_nonnull(second);
  g_autoptr(GHashTable) spots_small = parse_spots(second);
  g_autofree char *first = g_strndup(out, second - out); /* the default size */
  g_autoptr(GHashTable) spots = parse_spots(first);
  /* The cells on screen sit where the layout put them: each group in view
   * starts in the first column (which groups are in view depends on where
   * the keys scrolled to; the layout checks below cover them all). */
  g_assert_cmpuint(check_groups_start_rows(cells, spots, "default size, on screen"), >=, 1);
  g_assert_cmpuint(check_groups_start_rows(cells, spots_small, "120 px, on screen"), >=, 1);
  /* The whole grid, at both sizes: more columns, laid out again. */
  Layout big = {0}, little = {0};
  parse_layout(first, &big);
  parse_layout(second, &little);
  g_assert_cmpuint(check_layout(&big, cells, "default size"), >=, 6);
  check_layout(&little, cells, "120 px");
  g_assert_cmpuint(little.columns, >, big.columns);

  /* The keys land on photos only: Down goes one row down (to the row's
   * last photo where the column is an empty slot), Right to the next photo
   * in order, Up one row up. */
  g_autoptr(GPtrArray) currents = parse_currents(first);
  g_assert_cmpuint(currents->len, ==, 3 * moves + 2);
  g_assert_cmpstr(currents->pdata[0], ==, ((Cell *)cells->pdata[0])->name);
  guint snapped = 0;
  for (int k = 1; k <= 3 * moves; k++) {
    const char *was = currents->pdata[k - 1], *now = currents->pdata[k];
    g_assert_cmpstr(now, !=, "none");
    if (k <= moves || k > 2 * moves) {
      snapped += check_vertical(&big, was, now, k <= moves ? 1 : -1);
    } else {
      guint a = slot_of(&big, was), b = slot_of(&big, now);
      while (is_spacer(&big, ++a))
        ;
      g_assert_cmpuint(b, ==, a);
    }
  }
  g_test_message("%u of %d vertical moves ended on a row's last photo (an empty slot below/above)",
                 snapped, 2 * moves);
  g_assert_cmpuint(snapped, >, 0);
  /* A spacer selected goes to the photo before it, on its row (the demo
   * garden's first group has two photos: slots 2 and 3 are spacers). */
  g_assert_true(is_spacer(&big, 3));
  guint before = 3;
  while (is_spacer(&big, before))
    before--;
  g_assert_cmpstr(currents->pdata[3 * moves + 1], ==, big.slots->pdata[before]);
  g_ptr_array_unref(big.slots);
  g_ptr_array_unref(little.slots);

  /* Eight photos labelled, the spacers between them not counted. */
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  guint trash = 0;
  g_assert_true(derush_catalog_foreach_photo(cat, garden, count_trash_cb, &trash, &error));
  g_assert_no_error(error);
  derush_catalog_close(cat);
  g_assert_cmpuint(trash, ==, 8);
  /* The range selected the eight photos, not the empty slots between them. */
  g_assert_nonnull(strstr(second, "selection photos 8 spacers 0\n"));
  g_assert_nonnull(strstr(second, " · 8 labelled\n"));
  g_test_message("%" G_GINT64_FORMAT " cells alive, %" G_GINT64_FORMAT " made, for %u photos",
                 counter_from(second, "cells_alive"), counter_from(second, "widgets_created"),
                 cells->len);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk-grid/by-group-rows", Fixture, NULL, fixture_setup, test_by_group_rows,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
