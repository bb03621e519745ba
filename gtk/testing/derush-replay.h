/* derush-replay.h: scripted actions for tests and benchmarks. */
#pragma once

#include "derush-window.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_REPLAY (derush_replay_get_type())
G_DECLARE_FINAL_TYPE(DerushReplay, derush_replay, DERUSH, REPLAY, GObject)

DerushReplay *derush_replay_new(DerushWindow *window, const char *script_path, GError **error);
void derush_replay_start(DerushReplay *self);
gboolean derush_replay_get_failed(DerushReplay *self);

G_END_DECLS
