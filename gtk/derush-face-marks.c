/* derush-face-marks.c: what a photo's faces say, for the grid, the filter,
 * the side panel and the viewer.
 *
 * The faces are found by the analysis, on its worker (derush_catalog_analyze
 * runs the face models when they are there); the app only reads what it
 * stored. It reads a whole folder's faces in one query
 * (derush_catalog_foreach_faces), on the same worker that reads everything
 * else the grid draws (derush_analyzer_collect, after an analysis or a
 * retrain), into each photo's analysis record: counts for the badges, the
 * filter and the side panel, and the boxes for the viewer. So a cell coming
 * on screen costs a hash lookup, as its group badge does, and no photo is
 * ever looked at on the UI thread.
 *
 * Every face counts, as in the learner's features (face_any_closed,
 * face_sharpness_min): a photo of three people with one blinking is a
 * photo with closed eyes.
 */
#include "derush-face-marks.h"
#include "derush-gui-counters.h"
#include <math.h>

/* (record id -> DerushPhotoAnalysis*) as derush_analyzer_collect() builds it. */
static gboolean
collect_faces_cb(gint64 photo_id, const char *path, const DerushFace *faces, int n,
                 gpointer user_data)
{
  GHashTable *records = user_data;
  DerushPhotoAnalysis *a = g_hash_table_lookup(records, &photo_id);
  if (!a)
    return TRUE; /* not listed in the folder (missing, or appeared since) */
  a->faces_known = TRUE;
  a->n_faces = n;
  a->n_closed = a->n_soft = 0;
  g_clear_pointer(&a->face_marks, g_free);
  if (n > 0)
    a->face_marks = g_new0(DerushFaceMark, n);
  for (int i = 0; i < n; i++) {
    DerushFaceMark *m = &a->face_marks[i];
    memcpy(m->box, faces[i].box, sizeof m->box);
    m->closed = derush_face_eyes_closed(&faces[i]);
    m->soft = derush_face_soft(&faces[i]);
    m->eyes_known = !isnan(faces[i].eyes_open[0]) && !isnan(faces[i].eyes_open[1]);
    m->sharpness_known = !isnan(faces[i].sharpness);
    a->n_closed += m->closed;
    a->n_soft += m->soft;
  }
  return TRUE;
}

/**
 * derush_face_marks_collect:
 * @catalog: a connection of the calling (worker) thread
 * @dir: the folder
 * @records: photo id (gint64*) -> DerushPhotoAnalysis*, the folder's
 *   records being built
 * @error: return location for a GError
 *
 * Fills the face fields of @dir's records from the faces the last analysis
 * stored, in one query. Photos whose faces were never looked for keep
 * faces_known FALSE.
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_face_marks_collect(DerushCatalog *catalog, const char *dir, GHashTable *records,
                          GError **error)
{
  derush_gui_counter_add(DERUSH_GUI_COUNTER_FACE_READS, 1);
  return derush_catalog_foreach_faces(catalog, dir, collect_faces_cb, records, error);
}

/**
 * derush_face_marks_closed_eyes:
 * Returns: whether the "Closed Eyes" filter shows the photo: one of its
 *   faces at least has its eyes closed.
 */
gboolean
derush_face_marks_closed_eyes(const DerushPhotoAnalysis *a)
{
  return a->n_closed > 0;
}

/**
 * derush_face_text_closed_badge:
 * @narrow: the short word, for a small cell
 *
 * Returns: (transfer none) (nullable): the grid's badge for closed eyes
 *   ("Eyes closed", narrow "Blink"), NULL when every face has its eyes
 *   open (or no face).
 */
const char *
derush_face_text_closed_badge(const DerushPhotoAnalysis *a, gboolean narrow)
{
  return a->n_closed == 0 ? NULL : narrow ? "Blink" : "Eyes closed";
}

/**
 * derush_face_text_soft_badge:
 * Returns: (transfer none) (nullable): the grid's badge for a face out of
 *   focus ("Face soft"), NULL when no face is softer than the photo.
 */
const char *
derush_face_text_soft_badge(const DerushPhotoAnalysis *a)
{
  return a->n_soft > 0 ? "Face soft" : NULL;
}

/**
 * derush_face_text_badges:
 * @a: a photo's analysis.
 *
 * The face badges in one line, for the compare panes' captions: "⚠ Eyes
 * closed · ⚠ Face soft".
 *
 * Returns: (transfer full) (nullable): NULL when the faces are fine (or
 *   none, or not looked for).
 */
char *
derush_face_text_badges(const DerushPhotoAnalysis *a)
{
  const char *closed = derush_face_text_closed_badge(a, FALSE);
  const char *soft = derush_face_text_soft_badge(a);
  if (!closed && !soft)
    return NULL;
  return g_strdup_printf("%s%s%s%s%s", closed ? "⚠ " : "", closed ? closed : "",
                         closed && soft ? " · " : "", soft ? "⚠ " : "", soft ? soft : "");
}

/* "eyes closed" for a lone face, "eyes closed on 1 of 3 faces" otherwise. */
static char *
on_faces(const char *what, guint n, guint of)
{
  if (of == 1)
    return g_strdup(what);
  return g_strdup_printf("%s on %u of %u faces", what, n, of);
}

/**
 * derush_face_text_reason:
 * @a: a photo's analysis.
 *
 * The side panel's faces row: how many faces, and what is wrong with
 * them in words ("2 faces\n⚠ eyes closed on 1 of 2 faces\n⚠ face softer
 * than the photo"), or that they are fine ("1 face · eyes open · in
 * focus").
 *
 * Returns: (transfer full) (nullable): NULL when the faces were not looked
 *   for, "No face found" when there is none.
 */
char *
derush_face_text_reason(const DerushPhotoAnalysis *a)
{
  if (!a->faces_known)
    return NULL;
  if (a->n_faces == 0)
    return g_strdup("No face found");
  GString *text = g_string_new(NULL);
  g_string_append_printf(text, "%u face%s", a->n_faces, a->n_faces == 1 ? "" : "s");
  if (a->n_closed == 0 && a->n_soft == 0) {
    /* Only what was measured: eyes too small to tell are not "open". */
    guint eyes = 0;
    gboolean sharpness = FALSE;
    for (guint i = 0; i < a->n_faces; i++) {
      eyes += a->face_marks[i].eyes_known;
      sharpness |= a->face_marks[i].sharpness_known;
    }
    if (eyes == a->n_faces)
      g_string_append(text, " · eyes open");
    else if (eyes > 0)
      g_string_append_printf(text, " · eyes open (%u of %u checked)", eyes, a->n_faces);
    g_string_append(text, sharpness ? " · in focus" : "");
    return g_string_free(text, FALSE);
  }
  if (a->n_closed > 0) {
    g_autofree char *closed = on_faces("eyes closed", a->n_closed, a->n_faces);
    g_string_append_printf(text, "\n⚠ %s", closed);
  }
  if (a->n_soft > 0) {
    if (a->n_faces == 1)
      g_string_append(text, "\n⚠ face softer than the photo");
    else if (a->n_soft == a->n_faces)
      g_string_append(text, "\n⚠ faces softer than the photo");
    else
      g_string_append_printf(text, "\n⚠ %u of %u faces softer than the photo", a->n_soft,
                             a->n_faces);
  }
  return g_string_free(text, FALSE);
}

/**
 * derush_face_marks_describe_no_match:
 * @page: the "No Photos Match" page over the grid
 * @closed_eyes: the grid's filter is "Closed Eyes"
 *
 * Under "Closed Eyes", an empty grid may mean that no face was ever looked
 * for (no face models): the page says where they go. Any other filter
 * gets the page's own text back.
 */
void
derush_face_marks_describe_no_match(AdwStatusPage *page, gboolean closed_eyes)
{
  /* The template's text, kept on the page the first time it is replaced. */
  const char *normal = g_object_get_data(G_OBJECT(page), "derush-normal-description");
  if (!normal) {
    normal = adw_status_page_get_description(page);
    g_object_set_data_full(G_OBJECT(page), "derush-normal-description",
                           g_strdup(normal ? normal : ""), g_free);
    normal = g_object_get_data(G_OBJECT(page), "derush-normal-description");
  }
  const char *text = closed_eyes ? "No face with closed eyes here. Faces are found by the analysis "
                                   "when the face models are installed (docs/models.md). Choose "
                                   "All Photos, or press Esc to clear the search."
                                 : normal;
  /* Called on every status update: a change only when there is one. */
  if (g_strcmp0(adw_status_page_get_description(page), text) != 0)
    adw_status_page_set_description(page, text);
}

/**
 * derush_face_marks_cover:
 * @a: a photo's analysis record
 * @image_width: the upright photo's width, the face boxes' frame
 * @image_height: its height
 * @frame: where the photo is drawn
 * @rect: a rectangle in @frame's coordinates (a badge)
 *
 * Returns: whether @rect covers part of one of the photo's faces drawn in
 *   @frame: a badge saying "Eyes closed" must not hide the eyes it is about.
 */
gboolean
derush_face_marks_cover(const DerushPhotoAnalysis *a, int image_width, int image_height,
                        const graphene_rect_t *frame, const graphene_rect_t *rect)
{
  if (!a || image_width <= 0 || image_height <= 0)
    return FALSE;
  float sx = frame->size.width / image_width, sy = frame->size.height / image_height;
  for (guint i = 0; i < a->n_faces; i++) {
    const float *b = a->face_marks[i].box;
    graphene_rect_t face =
        GRAPHENE_RECT_INIT(frame->origin.x + b[0] * sx, frame->origin.y + b[1] * sy,
                           (b[2] - b[0]) * sx, (b[3] - b[1]) * sy);
    if (graphene_rect_intersection(&face, rect, NULL))
      return TRUE;
  }
  return FALSE;
}
