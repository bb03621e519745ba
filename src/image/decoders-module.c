/* image/decoders-module.c: the table the derush-decoders module exports
 * (decoders-module.h says why the module exists). Built into the module
 * only. */
#include "image/decoders-module.h"
#include <gmodule.h>

G_MODULE_EXPORT extern const DerushDecodersModule derush_decoders_module;

const DerushDecodersModule derush_decoders_module = {
    .version = DERUSH_DECODERS_MODULE_VERSION,
    .ensure = _derush_decoders_ensure,
    .image_load = _derush_image_load,
    .image_save_atomic = _derush_image_save_atomic,
};
