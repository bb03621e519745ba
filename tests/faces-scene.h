/* faces-scene.h: test photos with faces built from ../shared/corpus with
 * ImageMagick, shared by the test-faces* programs. */
#ifndef DERUSH_FACES_SCENE_H
#define DERUSH_FACES_SCENE_H

#include <glib.h>

/* Runs a program (ImageMagick's convert, exiftool) with @argv; FALSE
 * (the test skipped) when it is not installed. */
gboolean run_tool(const char *const *argv);

/* Builds @out: a grey @size canvas with corpus/faces photos pasted on it,
 * each "NAME PERCENT +X+Y" of @layers scaled by PERCENT (NAME with a '/':
 * a path under ../shared). FALSE (skipped) without the corpus or
 * ImageMagick. */
gboolean build_scene(const char *out, const char *size, const char *const *layers);

#endif /* DERUSH_FACES_SCENE_H */
