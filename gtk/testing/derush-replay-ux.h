/* derush-replay-ux.h: the replay's commands for menus, focus and the grid's group headers. */
#pragma once

#include "derush-window.h"

G_BEGIN_DECLS

gboolean derush_replay_ux_handles(const char *cmd);
gboolean derush_replay_ux_run(DerushWindow *window, const char *cmd, const char *a1, const char *a2,
                              GError **error);

G_END_DECLS
