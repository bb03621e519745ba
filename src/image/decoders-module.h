/* image/decoders-module.h: the decoders as a loadable module.
 *
 * The light `derush` front (cli/meson.build) runs ls, label, undo... and
 * must not map libvips, libraw and the ~100 libraries behind them: loading
 * them cost ~30 ms of a 40 ms command. It links decoders-loader.c instead
 * of the decoders; the loader opens the derush-decoders module (made of
 * decoders.c, image-load.c and thumbnail.c plus decoders-module.c) on the
 * first decode and forwards through this table. Every other program (the
 * app, derush-full, tests) links the decoders directly and never sees it.
 */
#ifndef DERUSH_DECODERS_MODULE_H
#define DERUSH_DECODERS_MODULE_H

#include "derush-private.h"

/* Bumped whenever the table changes: a front never uses a module built
 * from other sources. */
#define DERUSH_DECODERS_MODULE_VERSION 1
#define DERUSH_DECODERS_MODULE_SYMBOL "derush_decoders_module"
#define DERUSH_DECODERS_MODULE_NAME "derush-decoders"

typedef struct {
  int version;
  gboolean (*ensure)(GError **error);
  gboolean (*image_load)(const guint8 *data, gsize len, const char *name, int orientation,
                         int thumb_size, DerushImageInfo *info, VipsImage **thumb, GError **error);
  gboolean (*image_save_atomic)(VipsImage *image, const char *path, GError **error);
} DerushDecodersModule;

#endif
