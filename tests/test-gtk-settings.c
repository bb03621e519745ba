/* test-gtk-settings.c: derush-gtk's search bar and preferences (style,
 * advance, thumbnail size, grouping gaps and the regroup they cause).
 *
 * The app runs under the display of gtk-harness.c, driven by its --replay
 * option; counts and groups are read back from the catalog with the
 * library. */
#include "gtk-harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ search and preferences */

/* Every "shown N" line of the replay's output, in order. */
static GArray *
shown_all(const char *out)
{
  GArray *counts = g_array_new(FALSE, FALSE, sizeof(guint));
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "shown ")) {
      guint n = (guint)g_ascii_strtoull(lines[i] + strlen("shown "), NULL, 10);
      g_array_append_val(counts, n);
    }
  return counts;
}

typedef struct {
  const char *root;
  const char *needle; /* lower case ASCII; NULL: any */
  int label;          /* -1: any */
  guint n;
} NameCount;

/* The expectation, from the catalog and plain ASCII lower-casing (the demo
 * names are ASCII): not the app's own folding. */
static gboolean
count_names_cb(const DerushPhoto *p, gpointer user_data)
{
  NameCount *c = user_data;
  g_assert_true(g_str_has_prefix(p->path, c->root));
  const char *rel = p->path + strlen(c->root) + 1;
  g_assert_true(g_str_is_ascii(rel));
  /* A RAW+JPEG pair is one cell, the JPEG's. */
  if (p->pair_path && derush_is_raw_name(p->path))
    return TRUE;
  g_autofree char *lower = g_ascii_strdown(rel, -1);
  if ((c->label < 0 || (int)p->label == c->label) && (!c->needle || strstr(lower, c->needle)))
    c->n++;
  return TRUE;
}

static guint
count_names(DerushCatalog *cat, const char *root, const char *needle, int label)
{
  NameCount c = {root, needle, label, 0};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(cat, root, count_names_cb, &c, &error));
  g_assert_no_error(error);
  return c.n;
}

/* The search bar narrows the grid to the photos whose path below the
 * folder (subfolders, then the file name) holds the text, in any case,
 * together with the filter; Escape clears it. */
static void
test_search(Fixture *f, gconstpointer data)
{
  const char *demo = need_demo();
  if (!demo)
    return;
  g_autofree char *shot = g_build_filename(f->shots, "gtk-search.png", NULL);
  g_autofree char *none_shot = g_build_filename(f->shots, "gtk-search-none.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "print-shown\n" /* 0: all */
                                            "search IMG_42\n"
                                            "print-shown\n" /* 1 */
                                            "search img_421\n"
                                            "print-shown\n" /* 2: longer, stricter */
                                            "search img_42\n"
                                            "print-shown\n" /* 3: shorter again */
                                            "search Beach\n"
                                            "print-shown\n" /* 4: a folder's name */
                                            "select 0 4\n"
                                            "key t\n"
                                            "search img_42\n"
                                            "select 0 3\n"
                                            "key t\n"
                                            "search-stop\n" /* Escape in the entry */
                                            "search-state\n"
                                            "print-shown\n" /* 5: all again */
                                            "filter trash\n"
                                            "print-shown\n" /* 6 */
                                            "key <Control>f\n"
                                            "search-state\n"
                                            "search beach\n"
                                            "print-shown\n" /* 7 */
                                            "search img_4\n"
                                            "print-shown\n" /* 8 */
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            "key Escape\n" /* the window's Escape */
                                            "search-state\n"
                                            "print-shown\n" /* 9 */
                                            "filter all\n"
                                            "search walk/phone/\n"
                                            "print-shown\n" /* 10: a subfolder */
                                            "print-no-match\n"
                                            "search zzz-no-such-photo\n"
                                            /* Waits, not sleeps: the filter runs
                                             * late on a loaded machine. */
                                            "wait-no-match 1\n"
                                            "print-no-match\n"
                                            "screenshot %s\n"
                                            "search\n"
                                            "wait-no-match 0\n"
                                            "print-no-match\n"
                                            "quit\n",
                                            shot, none_shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, shot);

  check_screenshot(out, none_shot);
  /* A search that matches nothing says so over the grid, and only then. */
  g_assert_nonnull(strstr(out, "no-match 0\nno-match 1\n"));
  g_assert_true(g_str_has_prefix(g_strrstr(out, "no-match"), "no-match 0\n"));

  g_autoptr(GArray) shown = shown_all(out);
  g_assert_cmpuint(shown->len, ==, 11);
  guint *s = (guint *)shown->data;
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(s[0], ==, count_names(cat, demo, NULL, -1));
  g_assert_cmpuint(s[1], ==, count_names(cat, demo, "img_42", -1));
  g_assert_cmpuint(s[2], ==, count_names(cat, demo, "img_421", -1));
  g_assert_cmpuint(s[3], ==, s[1]);
  g_assert_cmpuint(s[4], ==, count_names(cat, demo, "beach", -1));
  g_assert_cmpuint(s[5], ==, s[0]);
  guint trash = count_names(cat, demo, NULL, DERUSH_LABEL_TRASH);
  g_assert_cmpuint(s[6], ==, trash);
  g_assert_cmpuint(s[7], ==, count_names(cat, demo, "beach", DERUSH_LABEL_TRASH));
  g_assert_cmpuint(s[8], ==, count_names(cat, demo, "img_4", DERUSH_LABEL_TRASH));
  g_assert_cmpuint(s[9], ==, trash);
  g_assert_cmpuint(s[10], ==, count_names(cat, demo, "walk/phone/", -1));
  derush_catalog_close(cat);
  g_test_message("search: %u photos, img_42 %u, img_421 %u, beach %u; trash %u, of them beach %u, "
                 "img_4 %u; walk/phone/ %u",
                 s[0], s[1], s[2], s[4], s[6], s[7], s[8], s[10]);
  /* Each search narrowed, and the trash filter with it. */
  g_assert_cmpuint(s[2], >, 0);
  g_assert_cmpuint(s[2], <, s[1]);
  g_assert_cmpuint(s[1], <, s[0]);
  g_assert_cmpuint(s[7], >=, 4);
  g_assert_cmpuint(s[8], >=, 3);
  g_assert_cmpuint(s[7] + s[8], ==, s[6]);
  g_assert_cmpuint(s[10], >, 0);

  /* Escape in the entry and the window's Escape both closed and cleared
   * the search; Ctrl+F opened it. */
  g_assert_nonnull(strstr(out, "search mode 0 text \nshown"));
  g_assert_nonnull(strstr(out, "search mode 1 text \nshown"));
  const char *last = g_strrstr(out, "search mode");
  g_assert_true(g_str_has_prefix(last, "search mode 0 text \n"));
}

static void
make_photo_at(const char *root, const char *rel)
{
  g_autofree char *path = g_build_filename(root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  test_make_quadrant_image(path, 320, 240);
}

/* Names beyond ASCII: any case, composed or not (NFD, as macOS writes). */
static void
test_search_names(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  static const char *const names[] = {
      "Été 2024/IMG_0001.jpg",   "Été 2024/écureuil.jpg",
      "hiver/ÉCUREUIL roux.jpg", "hiver/e\u0301cureuil-nfd.jpg", /* e + combining acute */
      "hiver/IMG_0002.jpg",      "p00.jpg",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    make_photo_at(f->photos, names[i]);
  const char *script = "wait-loaded\n"
                       "print-shown\n"
                       "search ÉCUREUIL\n"
                       "print-shown\n"
                       "search été\n"
                       "print-shown\n"
                       "search img_\n"
                       "print-shown\n"
                       "search 2024/IMG\n"
                       "print-shown\n"
                       "search zzz\n"
                       "print-shown\n"
                       "search\n"
                       "print-shown\n"
                       "quit\n";
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  g_autoptr(GArray) shown = shown_all(out);
  static const guint want[] = {6, 3, 2, 2, 1, 0, 6};
  g_assert_cmpuint(shown->len, ==, G_N_ELEMENTS(want));
  for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
    g_assert_cmpuint(g_array_index(shown, guint, i), ==, want[i]);
}

/* The value of @key ("pref advance", "style-dark") in the replay's @nth
 * pref-state block. */
static char *
pref_value(const char *out, guint nth, const char *key)
{
  g_autofree char *text = g_strconcat("\n", out, NULL);
  const char *block = NULL;
  for (guint i = 0; i <= nth; i++) {
    block = strstr(block ? block + 1 : text, "\npref style ");
    g_assert_nonnull(block);
  }
  g_autofree char *prefix = g_strdup_printf("\n%s ", key);
  const char *at = strstr(block, prefix);
  g_assert_nonnull(at);
  at += strlen(prefix);
  return g_strndup(at, strcspn(at, "\n"));
}

static void
assert_prefs(const char *out, guint nth, const char *style, const char *advance,
             const char *thumb_size, const char *session_gap, const char *burst_gap,
             const char *dark)
{
  const char *keys[] = {"pref style",       "pref advance",   "pref thumb-size",
                        "pref session-gap", "pref burst-gap", "style-dark"};
  const char *want[] = {style, advance, thumb_size, session_gap, burst_gap, dark};
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
    g_autofree char *got = pref_value(out, nth, keys[i]);
    g_assert_cmpstr(got, ==, want[i]);
  }
}

/* The preferences window edits the window's settings, which persist in its
 * key file across a restart (the same XDG dirs), and the style reaches
 * AdwStyleManager. */
static void
test_preferences(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-preferences.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "pref-state\n" /* 0: defaults */
                                            "action app.preferences\n"
                                            "sleep 300\n"
                                            "pref-screenshot %s\n"
                                            "pref style light\n"
                                            "pref-state\n" /* 1 */
                                            "pref style dark\n"
                                            "pref-state\n" /* 2 */
                                            "pref style light\n"
                                            "pref advance false\n"
                                            "pref thumb-size 160\n"
                                            "pref session-gap 45\n"
                                            "pref burst-gap 5.5\n"
                                            "pref-state\n" /* 3 */
                                            "pref-close\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_dialog_screenshot(out, shot);
  /* Under Xvfb no portal asks for light: "follow" is dark. */
  assert_prefs(out, 0, "follow", "true", "200", "30", "2", "1");
  assert_prefs(out, 1, "light", "true", "200", "30", "2", "0");
  assert_prefs(out, 2, "dark", "true", "200", "30", "2", "1");
  assert_prefs(out, 3, "light", "false", "160", "45", "5.5", "0");

  /* One store: the app's key file. */
  g_autofree char *ini = g_build_filename(f->tmp, "config", "derush", "derush-gtk.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_NONE, &error));
  g_autofree char *style = g_key_file_get_string(kf, "derush-gtk", "style", &error);
  g_assert_cmpstr(style, ==, "light");
  g_assert_false(g_key_file_get_boolean(kf, "derush-gtk", "advance", &error));
  g_assert_cmpint(g_key_file_get_integer(kf, "derush-gtk", "thumb-size", &error), ==, 160);
  g_assert_cmpint(g_key_file_get_integer(kf, "derush-gtk", "session-gap-minutes", &error), ==, 45);
  g_assert_cmpfloat(g_key_file_get_double(kf, "derush-gtk", "burst-gap-seconds", &error), ==, 5.5);
  g_assert_no_error(error);
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);

  /* A restart reads them back, light from the first frame; without
   * advance, a keep stays on its photo. */
  const char *again = "wait-loaded\n"
                      "pref-state\n" /* 0 */
                      "sort name\n"
                      "select 0\n"
                      "key k\n"
                      "print-current\n"
                      "pref style follow\n"
                      "pref-state\n" /* 1 */
                      "quit\n";
  g_assert_cmpint(run_app(f, f->photos, again, &out, &err), ==, 0);
  assert_prefs(out, 0, "light", "false", "160", "45", "5.5", "0");
  g_assert_nonnull(strstr(out, "current p00.jpg\n"));
  assert_prefs(out, 1, "follow", "false", "160", "45", "5.5", "1");
}

typedef struct {
  GString *text;
  guint n[3];
} GroupList;

static gboolean
list_group_cb(const DerushGroup *group, gpointer user_data)
{
  GroupList *l = user_data;
  g_string_append_printf(l->text, "%" G_GINT64_FORMAT " %d %u %" G_GINT64_FORMAT ";", group->id,
                         group->kind, group->n_members, group->best_id);
  l->n[group->kind]++;
  return TRUE;
}

/* The stored groups, as text to compare, with their counts by kind. */
static char *
list_groups(DerushCatalog *cat, const char *root, guint n[3])
{
  GroupList l = {g_string_new(NULL), {0, 0, 0}};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_group(cat, root, -1, list_group_cb, &l, &error));
  g_assert_no_error(error);
  memcpy(n, l.n, sizeof l.n);
  return g_string_free(l.text, FALSE);
}

/* New grouping gaps regroup the open folder (on the analyzer's worker):
 * the stored groups are exactly what the library makes with those gaps,
 * and not what it makes with the defaults. */
static void
test_preferences_regroup(Fixture *f, gconstpointer data)
{
  const char *demo = need_demo();
  if (!demo)
    return;
  const char *script = "wait-loaded\n"
                       "wait-analyzed\n"
                       "print-analysis\n"
                       "pref session-gap 5\n"
                       "pref burst-gap 30\n"
                       "wait-analyzed\n"
                       "print-analysis\n"
                       "quit\n";
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  guint stored_n[3], defaults_n[3], again_n[3];
  g_autofree char *stored = list_groups(cat, demo, stored_n);

  g_assert_true(derush_catalog_update_groups(cat, NULL, NULL, &error));
  g_autofree char *defaults = list_groups(cat, demo, defaults_n);

  DerushGroupOptions options;
  derush_group_options_init(&options);
  options.session_gap_s = 5 * 60;
  options.burst_gap_s = 30;
  g_assert_true(derush_catalog_update_groups(cat, &options, NULL, &error));
  g_autofree char *again = list_groups(cat, demo, again_n);
  derush_catalog_close(cat);

  g_test_message("groups with 5 min / 30 s: %u sessions, %u bursts, %u near-dups; defaults: %u, "
                 "%u, %u",
                 stored_n[DERUSH_GROUP_SESSION], stored_n[DERUSH_GROUP_BURST],
                 stored_n[DERUSH_GROUP_NEAR_DUP], defaults_n[DERUSH_GROUP_SESSION],
                 defaults_n[DERUSH_GROUP_BURST], defaults_n[DERUSH_GROUP_NEAR_DUP]);
  g_assert_cmpstr(stored, ==, again);
  g_assert_cmpstr(stored, !=, defaults);
  /* Shorter pauses split more sessions. */
  g_assert_cmpuint(stored_n[DERUSH_GROUP_SESSION], >, defaults_n[DERUSH_GROUP_SESSION]);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add("/gtk/search-names", Fixture, NULL, fixture_setup, test_search_names,
             fixture_teardown);
  g_test_add("/gtk/preferences", Fixture, NULL, fixture_setup, test_preferences, fixture_teardown);
  g_test_add("/gtk/preferences-regroup", Fixture, NULL, fixture_setup, test_preferences_regroup,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
