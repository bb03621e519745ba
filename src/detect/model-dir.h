/* model-dir.h: where model files are found (not installed). */
#ifndef DERUSH_MODEL_DIR_H
#define DERUSH_MODEL_DIR_H

#include <glib.h>

G_BEGIN_DECLS

/* The path of model @file_name, searched in order: @model_dir (nullable,
 * `--model-dir`), $DERUSH_MODEL_DIR, $XDG_DATA_HOME/derush/models, the
 * installed data folder. NULL when no folder has it. */
char *_derush_model_find(const char *file_name, const char *model_dir);

G_END_DECLS

#endif /* DERUSH_MODEL_DIR_H */
