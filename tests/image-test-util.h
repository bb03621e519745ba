/* image-test-util.h: helpers of the image test programs (image-test-util.c). */
#pragma once

#include "test-util.h"

static const guint8 white[3] = {255, 255, 255};
static const guint8 grey[3] = {128, 128, 128};

void image_test_init(int *argc, char ***argv);
void quadrant_colours(VipsImage *image, char out[5]);
void expected_display(const char *stored, int orientation, char out[5]);
VipsImage *make_quadrants(int width, int height, const guint8 br[3]);
gboolean load_path(const char *path, const char *name, int orientation, int size,
                   DerushImageInfo *info, VipsImage **thumb, GError **error);
void assert_thumb_ok(VipsImage *thumb, int size);
void set_orientation(const char *path, int orientation);
