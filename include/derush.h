/* derush.h: the public API of libderush.
 *
 * libderush is the whole of derush without a GUI: the catalog (SQLite), the
 * folder scanner, metadata reading, thumbnails and the work counters. The
 * `derush` CLI and the GTK app are thin front ends over this header.
 *
 * Each area declares its part in its own header (include/derush-AREA.h),
 * bare: the documentation of every function is with its code, in the .c
 * (libvips' way). A new module adds its own header here.
 *
 * Conventions (GLib's): functions that can fail take a `GError **` last and
 * return FALSE/NULL exactly when they set it. Strings handed out are owned by
 * the caller unless documented `(transfer none)`. Absent numeric metadata is
 * NAN (doubles) or -1 (ints), never 0.
 */
#ifndef DERUSH_H
#define DERUSH_H

#include "derush-base.h"
#include "derush-meta.h"
#include "derush-labels.h"
#include "derush-catalog.h"
#include "derush-decisions.h"
#include "derush-scan.h"
#include "derush-image.h"
#include "derush-export.h"
#include "derush-quality.h"
#include "derush-group.h"
#include "derush-analysis.h"
#include "derush-eval.h"
#include "derush-detect.h"
#include "derush-faces.h"
#include "derush-learn.h"

#endif /* DERUSH_H */
