/* fuzz/fuzz-settings.c: the app's settings file (derush-gtk.ini), which a
 * user or another version of derush may have written anything into.
 *
 * Beyond "no crash": what is read is in range, and writing it back then
 * reading that gives the same settings (the app never saves a file it
 * would read differently next time). */
#include "fuzz.h"
#include "../gtk/derush-settings.h"
#include <string.h>

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  return 0;
}

static void
check_range(const DerushSettings *s)
{
  g_assert_cmpint(s->thumb_size, >=, 96);
  g_assert_cmpint(s->thumb_size, <=, 512);
  g_assert_true(s->style >= 0 && s->style <= 2);
  g_assert_cmpuint(s->session_gap_min, >=, 1);
  g_assert_cmpuint(s->session_gap_min, <=, 24 * 60);
  g_assert_true(s->burst_gap_s >= 0.5 && s->burst_gap_s <= 60);
  g_assert_nonnull(s->recent);
  g_assert_cmpuint(g_strv_length(s->recent), <=, DERUSH_SETTINGS_MAX_RECENT);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  /* The app ignores a file GLib refuses: it starts with the defaults. */
  gboolean parsed =
      g_key_file_load_from_data(kf, (const char *)data, size, G_KEY_FILE_KEEP_COMMENTS, NULL);
  DerushSettings s;
  derush_settings_read(parsed ? kf : NULL, &s);
  check_range(&s);
  /* The app's save: the key file it read, with its settings and a folder
   * opened since. */
  derush_settings_add_recent(&s, "/photos/trip");
  check_range(&s);
  g_autoptr(GKeyFile) out = parsed ? g_steal_pointer(&kf) : g_key_file_new();
  derush_settings_write(out, &s);
  gsize len = 0;
  g_autofree char *saved = g_key_file_to_data(out, &len, NULL);

  g_autoptr(GKeyFile) again = g_key_file_new();
  g_assert_true(g_key_file_load_from_data(again, saved, len, G_KEY_FILE_KEEP_COMMENTS, NULL));
  DerushSettings t;
  derush_settings_read(again, &t);
  g_assert_cmpint(t.thumb_size, ==, s.thumb_size);
  g_assert_cmpint(t.advance, ==, s.advance);
  g_assert_cmpint(t.show_panel, ==, s.show_panel);
  g_assert_cmpint(t.style, ==, s.style);
  g_assert_cmpuint(t.session_gap_min, ==, s.session_gap_min);
  g_assert_cmpfloat(t.burst_gap_s, ==, s.burst_gap_s);
  g_assert_cmpstr(t.last_folder, ==, s.last_folder);
  g_assert_cmpuint(g_strv_length(t.recent), ==, g_strv_length(s.recent));
  for (guint i = 0; s.recent[i]; i++)
    g_assert_cmpstr(t.recent[i], ==, s.recent[i]);
  derush_settings_clear(&t);
  derush_settings_clear(&s);
  return 0;
}
