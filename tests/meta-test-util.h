/* meta-test-util.h: helpers of the metadata test programs (meta-test-util.c). */
#pragma once

#include "test-util.h"
#include "meta/meta-private.h"

#define NS G_GINT64_CONSTANT(1000000000)

gint64 ref_ns(int y, int mo, int d, int h, int mi, int s, gint64 frac_ns, int offset_min);
gboolean read_file(const char *path, DerushMeta *meta, GError **error);
void collect_files(const char *dir, GPtrArray *out);
gboolean is_photo(const char *path);
GPtrArray *camera_files(const char *dir);
