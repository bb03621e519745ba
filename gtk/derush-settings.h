/* derush-settings.h: the app's settings file (derush-gtk.ini), read and
 * written apart from any widget.
 *
 * GLib only (no GTK): the file comes from outside (a user edits it, another
 * version wrote it), so fuzz/fuzz-settings.c feeds it arbitrary bytes, and
 * that harness links this file alone. */
#ifndef DERUSH_SETTINGS_H
#define DERUSH_SETTINGS_H

#include <glib.h>

G_BEGIN_DECLS

#define DERUSH_SETTINGS_MAX_RECENT 8

typedef struct {
  int thumb_size;        /* 96-512 */
  gboolean advance;      /* move on after a label */
  gboolean show_panel;   /* the side panel */
  int style;             /* index in derush_settings_style_names (DerushStyle) */
  guint session_gap_min; /* 1 to 24 * 60 */
  double burst_gap_s;    /* 0.5 to 60 */
  char *last_folder;     /* nullable; file-system bytes */
  char **recent;         /* most recent first, at most MAX_RECENT; never NULL */
} DerushSettings;

/* "follow", "dark", "light", NULL: DerushStyle's order. */
extern const char *const derush_settings_style_names[];

/* $XDG_CONFIG_HOME/derush/derush-gtk.ini */
char *derush_settings_path(void);

/* Reads @kf (NULL: nothing there) into @s: a value missing, malformed or
 * out of range gets its default. Free with derush_settings_clear(). */
void derush_settings_read(GKeyFile *kf, DerushSettings *s);
void derush_settings_clear(DerushSettings *s);

/* Sets @s's keys in @kf, leaving the keys it does not know alone. */
void derush_settings_write(GKeyFile *kf, const DerushSettings *s);

/* Puts @folder first in @s's recent list (once, at most MAX_RECENT) and
 * makes it the last folder. */
void derush_settings_add_recent(DerushSettings *s, const char *folder);

/* The settings file as a key file (empty when it is absent or unreadable). */
GKeyFile *derush_settings_load_file(void);

G_END_DECLS

#endif /* DERUSH_SETTINGS_H */
