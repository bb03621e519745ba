/* image/decoders-loader.c: the decoders for the light `derush` front,
 * loaded on the first decode (decoders-module.h says why).
 *
 * Built into the front only, in place of decoders.c, image-load.c and
 * thumbnail.c: it defines the three functions the scan calls and forwards
 * them to the derush-decoders module. The module is looked for beside the
 * program first (the build tree, where both sit in cli/), then in the
 * installed module folder. A missing or mismatched module is an error on
 * the first decode, never a crash. */
#include "image/decoders-module.h"
#include <gmodule.h>

#ifndef DERUSH_MODULEDIR
#define DERUSH_MODULEDIR "/usr/local/lib/derush"
#endif

static char *load_error; /* why the module could not be used, or NULL */

static GModule *
open_in(const char *dir, GString *tried)
{
  g_autofree char *path = g_build_filename(dir, DERUSH_DECODERS_MODULE_NAME ".so", NULL);
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", path);
    return NULL;
  }
  /* BIND_LOCAL: its symbols stay its own; the ones it needs from the
   * library (counters, errors, mapped files) come from this program. */
  GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
  if (!module)
    load_error = g_strdup_printf("cannot load the image decoders: %s", g_module_error());
  return module;
}

static gpointer
load_module(gpointer data)
{
  g_autoptr(GString) tried = g_string_new(NULL);
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
  GModule *module = exe_dir ? open_in(exe_dir, tried) : NULL;
  if (!module && !load_error)
    module = open_in(DERUSH_MODULEDIR, tried);
  if (!module) {
    if (!load_error)
      load_error = g_strdup_printf("cannot find the image decoders (%s)", tried->str);
    return NULL;
  }
  gpointer table = NULL;
  if (!g_module_symbol(module, DERUSH_DECODERS_MODULE_SYMBOL, &table) || !table ||
      ((const DerushDecodersModule *)table)->version != DERUSH_DECODERS_MODULE_VERSION) {
    load_error =
        g_strdup_printf("%s is not the image decoders of this derush", g_module_name(module));
    g_module_close(module);
    return NULL;
  }
  /* Never unloaded: libvips registers types and threads of its own. */
  g_module_make_resident(module);
  return (gpointer)table;
}

static const DerushDecodersModule *
get_module(GError **error)
{
  static GOnce once = G_ONCE_INIT;
  const DerushDecodersModule *table = g_once(&once, load_module, NULL);
  if (!table)
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, load_error);
  return table;
}

gboolean
_derush_decoders_ensure(GError **error)
{
  const DerushDecodersModule *table = get_module(error);
  return table && table->ensure(error);
}

gboolean
_derush_image_load(const guint8 *data, gsize len, const char *name, int orientation, int thumb_size,
                   DerushImageInfo *info, VipsImage **thumb, GError **error)
{
  const DerushDecodersModule *table = get_module(error);
  return table && table->image_load(data, len, name, orientation, thumb_size, info, thumb, error);
}

gboolean
_derush_image_save_atomic(VipsImage *image, const char *path, GError **error)
{
  const DerushDecodersModule *table = get_module(error);
  return table && table->image_save_atomic(image, path, error);
}
