/* derush-face-marks.h: what a photo's faces say, for the grid, the filter,
 * the side panel and the viewer. */
#pragma once

#include <adwaita.h>
#include "derush-photo-item.h"

G_BEGIN_DECLS

gboolean derush_face_marks_collect(DerushCatalog *catalog, const char *dir, GHashTable *records,
                                   GError **error);
gboolean derush_face_marks_closed_eyes(const DerushPhotoAnalysis *a);
const char *derush_face_text_closed_badge(const DerushPhotoAnalysis *a, gboolean narrow);
const char *derush_face_text_soft_badge(const DerushPhotoAnalysis *a);
char *derush_face_text_reason(const DerushPhotoAnalysis *a);
char *derush_face_text_badges(const DerushPhotoAnalysis *a);
gboolean derush_face_marks_cover(const DerushPhotoAnalysis *a, int image_width, int image_height,
                                 const graphene_rect_t *frame, const graphene_rect_t *rect);
void derush_face_marks_describe_no_match(AdwStatusPage *page, gboolean closed_eyes);

G_END_DECLS
