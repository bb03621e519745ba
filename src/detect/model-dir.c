/* model-dir.c: where model files are found (/work/NN-API.md's contract).
 *
 * Model weights are data, never part of the project: every model is looked
 * up by file name by this one function, in one order. */
#include "model-dir.h"

#ifndef DERUSH_MODELS_DATADIR
#define DERUSH_MODELS_DATADIR "/usr/local/share/derush/models"
#endif

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
