/* derush-settings.c: the app's settings file, parsed and written.
 *
 * A key file in $XDG_CONFIG_HOME rather than GSettings: the app runs from
 * the build tree (make run, tests) where no schema is installed. Whatever
 * the file says, the app starts: a bad value is its default. */
#include "derush-settings.h"
#include "derush.h"
#include <string.h>

#define GROUP "derush-gtk"

const char *const derush_settings_style_names[] = {"follow", "dark", "light", NULL};

char *
derush_settings_path(void)
{
  return g_build_filename(g_get_user_config_dir(), "derush", "derush-gtk.ini", NULL);
}

GKeyFile *
derush_settings_load_file(void)
{
  GKeyFile *kf = g_key_file_new();
  g_autofree char *path = derush_settings_path();
  g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
  return kf;
}

static gboolean
read_boolean(GKeyFile *kf, const char *key, gboolean fallback)
{
  g_autoptr(GError) error = NULL;
  gboolean v = g_key_file_get_boolean(kf, GROUP, key, &error);
  return error ? fallback : v;
}

void
derush_settings_read(GKeyFile *kf, DerushSettings *s)
{
  memset(s, 0, sizeof *s);
  DerushGroupOptions defaults;
  derush_group_options_init(&defaults);
  s->thumb_size = kf ? g_key_file_get_integer(kf, GROUP, "thumb-size", NULL) : 0;
  if (s->thumb_size < 96 || s->thumb_size > 512)
    s->thumb_size = 200;
  s->advance = kf ? read_boolean(kf, "advance", TRUE) : TRUE;
  s->show_panel = kf ? read_boolean(kf, "show-panel", TRUE) : TRUE;

  g_autofree char *style = kf ? g_key_file_get_string(kf, GROUP, "style", NULL) : NULL;
  for (int i = 0; style && derush_settings_style_names[i]; i++)
    if (g_str_equal(style, derush_settings_style_names[i]))
      s->style = i;

  int gap = kf ? g_key_file_get_integer(kf, GROUP, "session-gap-minutes", NULL) : 0;
  s->session_gap_min =
      gap >= 1 && gap <= 24 * 60 ? (guint)gap : (guint)(defaults.session_gap_s / 60);
  double burst = kf ? g_key_file_get_double(kf, GROUP, "burst-gap-seconds", NULL) : 0;
  s->burst_gap_s = burst >= 0.5 && burst <= 60 ? burst : defaults.burst_gap_s;

  s->last_folder = kf ? g_key_file_get_string(kf, GROUP, "last-folder", NULL) : NULL;
  gsize n = 0;
  g_auto(GStrv) recent = kf ? g_key_file_get_string_list(kf, GROUP, "recent", &n, NULL) : NULL;
  GPtrArray *list = g_ptr_array_new();
  for (gsize i = 0; recent && recent[i] && list->len < DERUSH_SETTINGS_MAX_RECENT; i++)
    if (*recent[i])
      g_ptr_array_add(list, g_strdup(recent[i]));
  g_ptr_array_add(list, NULL);
  s->recent = (char **)g_ptr_array_free(list, FALSE);
}

void
derush_settings_clear(DerushSettings *s)
{
  g_clear_pointer(&s->last_folder, g_free);
  g_clear_pointer(&s->recent, g_strfreev);
}

void
derush_settings_write(GKeyFile *kf, const DerushSettings *s)
{
  g_key_file_set_integer(kf, GROUP, "thumb-size", s->thumb_size);
  g_key_file_set_boolean(kf, GROUP, "advance", s->advance);
  g_key_file_set_boolean(kf, GROUP, "show-panel", s->show_panel);
  g_key_file_set_string(kf, GROUP, "style", derush_settings_style_names[s->style]);
  g_key_file_set_integer(kf, GROUP, "session-gap-minutes", (int)s->session_gap_min);
  g_key_file_set_double(kf, GROUP, "burst-gap-seconds", s->burst_gap_s);
  if (s->last_folder)
    g_key_file_set_string(kf, GROUP, "last-folder", s->last_folder);
  if (s->recent && s->recent[0])
    g_key_file_set_string_list(kf, GROUP, "recent", (const char *const *)s->recent,
                               g_strv_length(s->recent));
}

void
derush_settings_add_recent(DerushSettings *s, const char *folder)
{
  GPtrArray *list = g_ptr_array_new();
  g_ptr_array_add(list, g_strdup(folder));
  for (gsize i = 0; s->recent && s->recent[i] && list->len < DERUSH_SETTINGS_MAX_RECENT; i++)
    if (strcmp(s->recent[i], folder) != 0)
      g_ptr_array_add(list, g_strdup(s->recent[i]));
  g_ptr_array_add(list, NULL);
  g_strfreev(s->recent);
  s->recent = (char **)g_ptr_array_free(list, FALSE);
  g_free(s->last_folder);
  s->last_folder = g_strdup(folder);
}
