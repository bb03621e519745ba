/* derush-replay-faces.h: the replay's commands for faces (badges, the side
 * panel's Faces row, the viewer's boxes). */
#pragma once

#include "derush-window.h"

G_BEGIN_DECLS

gboolean derush_replay_faces_handles(const char *cmd);
gboolean derush_replay_faces_run(DerushWindow *window, const char *cmd, gboolean *done,
                                 GError **error);

G_END_DECLS
