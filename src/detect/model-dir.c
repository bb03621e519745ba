/* model-dir.c: where model files are found.
 *
 * Model weights are data, never part of the project: every model (the
 * detector, the embedding, the face models) is looked up by file name by
 * this one function, in one order that docs/models.md documents. */
#include "detect-private.h"

#ifndef DERUSH_MODELS_DATADIR
#define DERUSH_MODELS_DATADIR "/usr/local/share/derush/models"
#endif

static GMutex override_lock;
static char *override_dir;

/**
 * derush_model_set_dir:
 * @dir: (nullable): a folder holding model files (`--model-dir`), or NULL
 *   to forget it
 *
 * Sets the process-wide folder searched first for model files.
 */
void
derush_model_set_dir(const char *dir)
{
  g_mutex_lock(&override_lock);
  g_free(override_dir);
  override_dir = dir ? g_canonicalize_filename(dir, NULL) : NULL;
  g_mutex_unlock(&override_lock);
}

static char *
in_dir(const char *dir, const char *file_name)
{
  if (!dir || !*dir)
    return NULL;
  char *path = g_build_filename(dir, file_name, NULL);
  if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return path;
  g_free(path);
  return NULL;
}

char *
_derush_model_find(const char *file_name, const char *model_dir)
{
  g_return_val_if_fail(file_name != NULL, NULL);
  char *path = in_dir(model_dir, file_name);
  if (!path) {
    g_mutex_lock(&override_lock);
    path = in_dir(override_dir, file_name);
    g_mutex_unlock(&override_lock);
  }
  if (!path)
    path = in_dir(g_getenv("DERUSH_MODEL_DIR"), file_name);
  if (!path) {
    g_autofree char *user = g_build_filename(g_get_user_data_dir(), "derush", "models", NULL);
    path = in_dir(user, file_name);
  }
  if (!path)
    path = in_dir(DERUSH_MODELS_DATADIR, file_name);
  return path;
}

/**
 * derush_model_find:
 * @file_name: a model's file name, e.g. DERUSH_DETECTOR_MODEL
 *
 * Looks in the folder given to derush_model_set_dir() (`--model-dir`), then
 * `$DERUSH_MODEL_DIR`, then `$XDG_DATA_HOME/derush/models`, then the
 * installed data folder (`PREFIX/share/derush/models`).
 *
 * Returns: (transfer full) (nullable): the model's path, or NULL when no
 * folder has it.
 */
char *
derush_model_find(const char *file_name)
{
  return _derush_model_find(file_name, NULL);
}

/**
 * derush_model_missing_hint:
 * @file_name: the model that was not found
 *
 * Returns: (transfer full): one paragraph telling the user where to put
 * @file_name (the folders searched, in order) and where docs/models.md
 * gives its checksum.
 */
char *
derush_model_missing_hint(const char *file_name)
{
  g_autofree char *user = g_build_filename(g_get_user_data_dir(), "derush", "models", NULL);
  return g_strdup_printf("model %s not found: put it in %s (or a folder named by --model-dir or "
                         "DERUSH_MODEL_DIR, or %s); docs/models.md says where to get it and its "
                         "sha256. Everything else works without it.",
                         file_name, user, DERUSH_MODELS_DATADIR);
}
