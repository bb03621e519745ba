/* derush-preferences.h: the preferences window (app.preferences, Ctrl+comma). */
#pragma once

#include "derush-window.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_PREFERENCES (derush_preferences_get_type())
G_DECLARE_FINAL_TYPE(DerushPreferences, derush_preferences, DERUSH, PREFERENCES,
                     AdwPreferencesWindow)

DerushPreferences *derush_preferences_present(DerushWindow *window);
DerushPreferences *derush_preferences_find(DerushWindow *window);
gboolean derush_preferences_set(DerushPreferences *self, const char *key, const char *value,
                                GError **error);
gboolean derush_preferences_screenshot(DerushPreferences *self, const char *path, int *width,
                                       int *height, GError **error);

G_END_DECLS
