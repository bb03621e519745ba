/* derush-grid-cell.c: one recycled cell of the photo grid.
 *
 * A DerushGridCell is a single widget that draws everything in its own
 * snapshot: the thumbnail scaled to fit, the label border and badge, the
 * stars, the RAW+JPEG pair marker, the unreadable/missing marker and the
 * file name. No child widgets: a grid of 200 visible cells is 200 widgets,
 * whatever the number of photos, and a label change redraws one cell
 * (photo-derush rebuilt every badge of every cell, 0.33 s a refresh).
 *
 * The cell follows its item through a GSignalGroup, so a recycled cell
 * never hears about the photo it showed before (STYLE.md, anti-pattern 5).
 * Selection is drawn by CSS on the GtkGridView's child (gridview > child:
 * selected), which GTK restyles by itself.
 *
 * Analysis results (group badge, best pick, blur/exposure warning, the
 * faces' closed eyes and softness) go into snapshot_overlays(), the model's p(keep) bar into
 * snapshot_prediction().
 *
 * Over 600 lines: every mark a cell draws lives in its one snapshot, the
 * point of a childless cell.
 */
#include "derush-grid-cell.h"
#include "derush-gui-counters.h"
#include "derush-photo-text.h"
#include "derush-face-marks.h"
#include "derush-prediction-filter.h"
#include <math.h>

#define PAD 6               /* around the frame, inside the cell */
#define CAPTION 22          /* file name row under the frame */
#define RADIUS 8.0f         /* frame corners, as Adwaita cards */
#define BORDER 4.0f         /* label border width */
#define HEADER 22           /* the group header row over the frame, in the "By Group" sort */
#define PREDICTION_BAR 4.0f /* the p(keep) bar's height */

struct _DerushGridCell {
  GtkWidget parent_instance;

  DerushPhotoItem *item;
  GSignalGroup *item_signals;
  DerushThumbnailer *thumbnailer;
  int thumb_size;
  /* The "By Group" sort: a header row over each frame, where a group's
   * first photo names the group and a line runs over all its photos. */
  gboolean group_headers;
  GtkListItem *list_item;                      /* (unowned, weak pointer): where the cell sits */
  GListModel *model;                           /* the grid's photos, to look at the neighbours */
  const char *face_badges[2];                  /* (interned) the face badges of the last snapshot */
  DerushCellPill pills[DERUSH_CELL_MAX_PILLS]; /* every pill of the last snapshot, for tests */
  guint n_pills;
  guint n_face_badges;
  graphene_rect_t photo; /* where the last snapshot drew the photo, for tests */
};

G_DEFINE_FINAL_TYPE(DerushGridCell, derush_grid_cell, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_ITEM, PROP_THUMB_SIZE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const GdkRGBA keep_color = {0.18f, 0.76f, 0.49f, 1.0f};  /* Adwaita green 3 */
static const GdkRGBA trash_color = {0.88f, 0.11f, 0.14f, 1.0f}; /* Adwaita red 3 */
static const GdkRGBA star_color = {0.96f, 0.83f, 0.18f, 1.0f};  /* Adwaita yellow 3 */
static const GdkRGBA scrim = {0.0f, 0.0f, 0.0f, 0.62f};
static const GdkRGBA white = {1.0f, 1.0f, 1.0f, 1.0f};

static void
request_thumbnail(DerushGridCell *self)
{
  if (!self->item || !self->thumbnailer)
    return;
  int scale = gtk_widget_get_scale_factor(GTK_WIDGET(self));
  derush_thumbnailer_request(self->thumbnailer, self->item, self->thumb_size * scale);
}

static void
item_changed_cb(DerushGridCell *self)
{
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
texture_changed_cb(DerushGridCell *self)
{
  /* Dropped by the thumbnailer's cache while shown (should not happen:
   * bound items are pinned), or replaced by a larger one. */
  if (self->item && !derush_photo_item_get_texture(self->item))
    request_thumbnail(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/* A rounded pill with text, anchored at (x, y) top-left; returns its width. */
static float
snapshot_pill(DerushGridCell *self, GtkSnapshot *snapshot, float x, float y, const char *text,
              const GdkRGBA *bg, const GdkRGBA *fg, gboolean right_align)
{
  PangoLayout *layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
  g_autofree char *markup =
      g_markup_printf_escaped("<span weight='bold' size='small'>%s</span>", text);
  pango_layout_set_markup(layout, markup, -1);
  int tw, th;
  pango_layout_get_pixel_size(layout, &tw, &th);
  float w = tw + 12, h = th + 4;
  if (right_align)
    x -= w;
  GskRoundedRect rr;
  gsk_rounded_rect_init_from_rect(&rr, &GRAPHENE_RECT_INIT(x, y, w, h), h / 2);
  gtk_snapshot_push_rounded_clip(snapshot, &rr);
  gtk_snapshot_append_color(snapshot, bg, &GRAPHENE_RECT_INIT(x, y, w, h));
  gtk_snapshot_pop(snapshot);
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT(x + 6, y + 2));
  gtk_snapshot_append_layout(snapshot, layout, fg);
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
  if (self->n_pills < DERUSH_CELL_MAX_PILLS)
    self->pills[self->n_pills++] = (DerushCellPill){g_intern_string(text), x, y, w, h};
  return w;
}

/* The size snapshot_pill() gives @text, to place pills before drawing them. */
static void
pill_size(DerushGridCell *self, const char *text, float *width, float *height)
{
  PangoLayout *probe = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
  g_autofree char *markup =
      g_markup_printf_escaped("<span weight='bold' size='small'>%s</span>", text);
  pango_layout_set_markup(probe, markup, -1);
  int tw, th;
  pango_layout_get_pixel_size(probe, &tw, &th);
  g_object_unref(probe);
  if (width)
    *width = tw + 12;
  if (height)
    *height = th + 4;
}

/* The model's p(keep): a thin bar along the photo's bottom edge, filled
 * to p, in the zone's colour (the label colours: likely keep green, likely
 * trash red; unsure white). The quality prior, which knows nothing of the
 * user's taste yet, draws grey. A few rectangles: no widget, no text. */
static void
snapshot_prediction(GtkSnapshot *snapshot, const DerushPhotoAnalysis *a,
                    const graphene_rect_t *outer, float inset)
{
  static const GdkRGBA unsure = {1.0f, 1.0f, 1.0f, 0.9f};
  static const GdkRGBA prior = {0.6f, 0.6f, 0.6f, 0.8f};
  if (isnan(a->p_keep))
    return;
  const GdkRGBA *fill = a->model_version <= 0                 ? &prior
                        : a->zone == DERUSH_ZONE_LIKELY_KEEP  ? &keep_color
                        : a->zone == DERUSH_ZONE_LIKELY_TRASH ? &trash_color
                                                              : &unsure;
  float h = PREDICTION_BAR;
  /* Inside the label border, when there is one, so a decision does not
   * hide the model's opinion. */
  graphene_rect_t inner =
      GRAPHENE_RECT_INIT(outer->origin.x + inset, outer->origin.y, outer->size.width - 2 * inset,
                         outer->size.height - inset);
  const graphene_rect_t *frame = &inner;
  graphene_rect_t track = GRAPHENE_RECT_INIT(
      frame->origin.x, frame->origin.y + frame->size.height - h, frame->size.width, h);
  gtk_snapshot_append_color(snapshot, &scrim, &track);
  graphene_rect_t bar = track;
  bar.size.width = (float)(CLAMP(a->p_keep, 0.0, 1.0) * frame->size.width);
  gtk_snapshot_append_color(snapshot, fill, &bar);
}

/* Whether the face badges stacked at @ys (right-aligned at @x1) cover a
 * face of the photo drawn in @frame. */
static gboolean
face_badges_cover(DerushGridCell *self, const DerushPhotoAnalysis *a, const graphene_rect_t *frame,
                  float x1, const float *ys, const float *ws, const float *hs, guint n)
{
  const DerushPhoto *photo = derush_photo_item_get_photo(self->item);
  for (guint i = 0; i < n && photo; i++) {
    graphene_rect_t r = GRAPHENE_RECT_INIT(x1 - ws[i], ys[i], ws[i], hs[i]);
    if (derush_face_marks_cover(a, photo->width, photo->height, frame, &r))
      return TRUE;
  }
  return FALSE;
}

/* What the faces say ("Eyes closed", "Face soft"), top right under the
 * other warnings, each a row lower when the label badge reaches it
 * ("Blink" where "Eyes closed" is too wide for the photo); bottom right,
 * above the stars' row, when at the top they would hide a face and there
 * they would not (heads near the top of a group photo: the badge must not
 * cover the eyes it speaks of). The bottom row stays the group badge's and
 * the stars': a badge that would reach it is left out (small cells; the
 * tooltip and the side panel still say it). The cell remembers what it
 * drew, for the tests. */
static void
snapshot_face_badges(DerushGridCell *self, GtkSnapshot *snapshot, const DerushPhotoAnalysis *a,
                     const graphene_rect_t *frame, float top_left_end, float y)
{
  static const GdkRGBA closed_fg = {1.0f, 0.47f, 0.0f, 1.0f}; /* Adwaita orange 3 */
  static const GdkRGBA soft_fg = {0.97f, 0.76f, 0.29f, 1.0f}; /* as the warnings */
  const char *badges[] = {derush_face_text_closed_badge(a, FALSE), derush_face_text_soft_badge(a)};
  const GdkRGBA *colors[] = {&closed_fg, &soft_fg};
  float y0 = frame->origin.y + 6, x1 = frame->origin.x + frame->size.width - 6;
  float bottom = frame->origin.y + frame->size.height - 6 - PREDICTION_BAR, first = y;
  float ys[2], ws[2], hs[2];
  guint n = 0;
  self->n_face_badges = 0;
  for (guint k = 0; k < G_N_ELEMENTS(badges); k++) {
    if (!badges[k])
      continue;
    float w, h;
    pill_size(self, badges[k], &w, &h);
    if (w > frame->size.width - 12 && k == 0) {
      badges[k] = derush_face_text_closed_badge(a, TRUE); /* a small cell */
      pill_size(self, badges[k], &w, &h);
    }
    if (y <= y0 && x1 - w < top_left_end + 4)
      y += h + 4; /* the label badge is in the way */
    if (y + h > bottom - h - 4 || w > frame->size.width - 12)
      continue;
    self->face_badges[n] = badges[k];
    colors[n] = colors[k];
    ys[n] = y, ws[n] = w, hs[n++] = h;
    y += h + 4;
  }
  if (n > 0 && face_badges_cover(self, a, frame, x1, ys, ws, hs, n)) {
    float low[2], t = bottom - hs[n - 1] - 4; /* the bottom row's top */
    for (guint i = n; i-- > 0;)
      t = (low[i] = t - hs[i]) - 4;
    if (low[0] >= first && !face_badges_cover(self, a, frame, x1, low, ws, hs, n))
      memcpy(ys, low, sizeof low);
  }
  for (guint i = 0; i < n; i++)
    snapshot_pill(self, snapshot, x1, ys[i], self->face_badges[i], &scrim, colors[i], TRUE);
  self->n_face_badges = n;
}

/* Analysis results: the group badge ("Copy · 3", bottom left, with a
 * star on the group's best pick) and a blur/exposure warning (top right,
 * under the RAW marker, and a row lower when the label badge would reach
 * it: small cells). Muted colours on a scrim: they inform, while the label
 * border and badge stay the loudest thing in the cell. Later layers (the
 * p(keep) bar, detection boxes) draw here too. @frame is the photo;
 * @top_left_end is where the label badge ends (x), @top_right_y where the
 * next pill on the right may go. */
static void
snapshot_overlays(DerushGridCell *self, GtkSnapshot *snapshot, const graphene_rect_t *frame,
                  float top_left_end, float top_right_y)
{
  static const GdkRGBA group_bg = {0.21f, 0.52f, 0.89f, 0.88f}; /* Adwaita blue 3 */
  static const GdkRGBA warn_fg = {0.97f, 0.76f, 0.29f, 1.0f};   /* Adwaita yellow 2 */
  static const GdkRGBA dark = {0.1f, 0.1f, 0.1f, 1.0f};
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(self->item);
  float x0 = frame->origin.x + 6, y0 = frame->origin.y + 6;
  float x1 = frame->origin.x + frame->size.width - 6;
  float y1 = frame->origin.y + frame->size.height - 6 - PREDICTION_BAR;

  self->photo = *frame;
  g_autofree char *badge = derush_photo_text_group_badge(a, 0);
  float bottom_row = y1; /* where the group badge's row starts */
  if (badge) {
    float w, h, star_w = 0;
    pill_size(self, badge, &w, &h);
    if (a->is_best)
      pill_size(self, "★", &star_w, NULL), star_w += 4;
    /* A narrow portrait photo in a small cell: a shorter word, then its
     * letter, so the badge stays on the photo instead of spilling over
     * its neighbour, and still names the relation. */
    for (int form = 1; form <= 2 && x0 + star_w + w > x1; form++) {
      g_free(badge);
      badge = derush_photo_text_group_badge(a, form);
      pill_size(self, badge, &w, &h);
    }
    bottom_row = y1 - h;
    float x = x0;
    if (a->is_best)
      x += snapshot_pill(self, snapshot, x, y1 - h, "★", &star_color, &dark, FALSE) + 4;
    snapshot_pill(self, snapshot, x, y1 - h, badge, &group_bg, &white, FALSE);
  }

  const char *warning = derush_photo_text_warning(a);
  float y = top_right_y;
  if (warning) {
    g_autofree char *text = g_strdup_printf("⚠ %s", warning);
    float w, h;
    pill_size(self, text, &w, &h);
    if (y <= y0 && x1 - w < top_left_end + 4)
      y += h + 4; /* the label badge is in the way */
    /* A small cell with a label badge, a RAW mark and a group badge has no
     * row left, and a narrow portrait has no room: the warning is left out
     * rather than drawn over the group badge or past the photo's edge (the
     * tooltip and the side panel still say it). */
    if (y + h <= bottom_row - 2 && w <= x1 - x0) {
      snapshot_pill(self, snapshot, x1, y, text, &scrim, &warn_fg, TRUE);
      y += h + 4;
    }
  }
  snapshot_face_badges(self, snapshot, a, frame, top_left_end, y);
}

/* The "By Group" sort's header row: GtkGridView has no section headers
 * before GTK 4.12, so each cell draws its part. A line in the group's
 * colour runs over every photo of the group, rounded at its first and last,
 * and the first names the group ("Burst · 6 photos"): a group that starts
 * mid-row or wraps to the next still reads as one. */
static void
snapshot_group_header(DerushGridCell *self, GtkSnapshot *snapshot, float left, float right)
{
  static const GdkRGBA burst_color = {0.21f, 0.52f, 0.89f, 1.0f}; /* Adwaita blue 3 */
  static const GdkRGBA dup_color = {0.57f, 0.25f, 0.67f, 1.0f};   /* Adwaita purple 3 */
  if (!self->list_item || !self->model)
    return;
  guint pos = gtk_list_item_get_position(self->list_item);
  guint place = derush_group_place_at(self->model, pos);
  if (!place)
    return;
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(self->item);
  const GdkRGBA *color = a->group_kind == DERUSH_GROUP_BURST ? &burst_color : &dup_color;
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  /* Cells touch their neighbours' edges: the line runs edge to edge in
   * the middle of a group and starts/ends at the frame at its ends. */
  float x0 = place & DERUSH_GROUP_PLACE_FIRST ? left : 0;
  float x1 = place & DERUSH_GROUP_PLACE_LAST ? right : width;
  graphene_rect_t line = GRAPHENE_RECT_INIT(x0, HEADER - 5, x1 - x0, 3);
  GskRoundedRect rr;
  gsk_rounded_rect_init_from_rect(&rr, &line, 1.5f);
  gtk_snapshot_push_rounded_clip(snapshot, &rr);
  gtk_snapshot_append_color(snapshot, color, &line);
  gtk_snapshot_pop(snapshot);
  if (!(place & DERUSH_GROUP_PLACE_FIRST))
    return;
  g_autofree char *header = derush_photo_text_group_header(a);
  PangoLayout *layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
  g_autofree char *markup =
      g_markup_printf_escaped("<span weight='bold' size='small'>%s</span>", header);
  pango_layout_set_markup(layout, markup, -1);
  pango_layout_set_width(layout, (int)(width - left) * PANGO_SCALE);
  pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
  int th;
  pango_layout_get_pixel_size(layout, NULL, &th);
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT(left, HEADER - 6 - th));
  gtk_snapshot_append_layout(snapshot, layout, color);
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
}

static void
derush_grid_cell_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  DerushGridCell *self = DERUSH_GRID_CELL(widget);
  self->n_pills = 0;
  self->photo = GRAPHENE_RECT_INIT(0, 0, 0, 0);
  derush_gui_counter_add(DERUSH_GUI_COUNTER_CELLS_DRAWN, 1);
  if (!self->item)
    return;

  const DerushPhoto *photo = derush_photo_item_get_photo(self->item);
  int width = gtk_widget_get_width(widget);
  float side = MIN(width - 2 * PAD, self->thumb_size);
  float top = self->group_headers ? HEADER : 0;
  if (self->group_headers)
    snapshot_group_header(self, snapshot, (width - side) / 2.0f, (width + side) / 2.0f);
  graphene_rect_t frame = GRAPHENE_RECT_INIT((width - side) / 2.0f, PAD + top, side, side);
  GskRoundedRect rounded;
  gsk_rounded_rect_init_from_rect(&rounded, &frame, RADIUS);

  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(widget), &fg);
  GdkRGBA frame_bg = fg;
  frame_bg.alpha = 0.06f;

  /* The photo, fitted in the square and clipped to rounded corners; the
   * frame then hugs the photo, so landscape and portrait shots read as
   * photos rather than as letterboxed tiles. Until the texture arrives,
   * the whole square is a placeholder. */
  GdkTexture *texture = derush_photo_item_get_texture(self->item);
  if (texture) {
    float tw = gdk_texture_get_width(texture), th = gdk_texture_get_height(texture);
    float s = MIN(side / tw, side / th);
    float dw = tw * s, dh = th * s;
    /* Bottom-aligned, so the name sits under the photo whatever its
     * shape, as in the file manager. */
    frame =
        GRAPHENE_RECT_INIT(frame.origin.x + (side - dw) / 2, frame.origin.y + (side - dh), dw, dh);
    gsk_rounded_rect_init_from_rect(&rounded, &frame, RADIUS);
    gtk_snapshot_push_rounded_clip(snapshot, &rounded);
    gtk_snapshot_append_texture(snapshot, texture, &frame);
    gtk_snapshot_pop(snapshot);
  } else {
    gtk_snapshot_push_rounded_clip(snapshot, &rounded);
    gtk_snapshot_append_color(snapshot, &frame_bg, &frame);
    gtk_snapshot_pop(snapshot);
  }
  float caption_y = PAD + top + side + 3;

  float x0 = frame.origin.x + 6, y0 = frame.origin.y + 6;
  float x1 = frame.origin.x + frame.size.width - 6, y1 = frame.origin.y + frame.size.height - 6;
  gboolean bad = photo->status != DERUSH_PHOTO_OK || derush_photo_item_get_thumb_error(self->item);

  if (bad) {
    /* Unreadable, missing, or no thumbnail could be made: a centred marker
     * (the reason is in the tooltip and the side panel). */
    const char *what = photo->status == DERUSH_PHOTO_MISSING      ? "Missing"
                       : photo->status == DERUSH_PHOTO_UNREADABLE ? "Unreadable"
                                                                  : "No preview";
    g_autofree char *text = g_strdup_printf("⚠ %s", what);
    PangoLayout *probe = gtk_widget_create_pango_layout(widget, NULL);
    g_autofree char *markup =
        g_markup_printf_escaped("<span weight='bold' size='small'>%s</span>", text);
    pango_layout_set_markup(probe, markup, -1);
    int tw, th;
    pango_layout_get_pixel_size(probe, &tw, &th);
    g_object_unref(probe);
    static const GdkRGBA warn_bg = {0.90f, 0.65f, 0.04f, 0.95f};
    static const GdkRGBA dark = {0.1f, 0.1f, 0.1f, 1.0f};
    snapshot_pill(self, snapshot, frame.origin.x + (frame.size.width - tw - 12) / 2,
                  frame.origin.y + (frame.size.height - th - 4) / 2, text, &warn_bg, &dark, FALSE);
  }

  /* Label: a border in the label's colour and a badge, so the decision
   * reads in grey-scale too. The model's auto-labels are drawn apart from
   * the user's, as a suggestion: a thin, faded border and a hollow badge
   * ("auto"), so a glance tells what the user decided. The pills on the
   * right make way for the badge. */
  DerushLabel label = derush_photo_item_get_label(self->item);
  gboolean is_auto = derush_grid_cell_is_auto_label(self);
  float line = label == DERUSH_LABEL_NONE ? 0 : is_auto ? BORDER / 2 : BORDER;
  const char *label_text = label == DERUSH_LABEL_KEEP ? (is_auto ? "✓ Keep · auto" : "✓ Keep")
                                                      : (is_auto ? "✕ Trash · auto" : "✕ Trash");
  float top_left_end = x0;
  if (label != DERUSH_LABEL_NONE) {
    float w;
    pill_size(self, label_text, &w, NULL);
    top_left_end = x0 + w;
  }

  /* RAW+JPEG pair and RAW marker, top right (a row lower when the label
   * badge reaches them). */
  const char *raw = photo->pair_path ? "RAW+JPEG" : photo->raw_format ? "RAW" : NULL;
  float top_right_y = y0;
  if (raw) {
    float w, h;
    pill_size(self, raw, &w, &h);
    if (x1 - w < top_left_end + 4)
      top_right_y += h + 4;
    snapshot_pill(self, snapshot, x1, top_right_y, raw, &scrim, &white, TRUE);
    top_right_y += h + 4;
  }

  gtk_snapshot_push_rounded_clip(snapshot, &rounded);
  snapshot_prediction(snapshot, derush_photo_item_get_analysis(self->item), &frame, line);
  gtk_snapshot_pop(snapshot);
  snapshot_overlays(self, snapshot, &frame, top_left_end, top_right_y);

  if (label != DERUSH_LABEL_NONE) {
    GdkRGBA c = label == DERUSH_LABEL_KEEP ? keep_color : trash_color;
    GskRoundedRect border = rounded;
    GdkRGBA edge = c;
    edge.alpha = is_auto ? 0.6f : 1.0f;
    float widths[4] = {line, line, line, line};
    GdkRGBA colors[4] = {edge, edge, edge, edge};
    gtk_snapshot_append_border(snapshot, &border, widths, colors);
    snapshot_pill(self, snapshot, x0, y0, label_text, is_auto ? &scrim : &c, is_auto ? &c : &white,
                  FALSE);
  }

  /* Stars, bottom right. */
  int stars = derush_photo_item_get_stars(self->item);
  if (stars > 0) {
    char text[32] = "";
    for (int i = 0; i < stars; i++)
      g_strlcat(text, "★", sizeof text);
    PangoLayout *probe = gtk_widget_create_pango_layout(widget, NULL);
    pango_layout_set_markup(probe, "<span weight='bold' size='small'>★</span>", -1);
    int sw, sh;
    pango_layout_get_pixel_size(probe, &sw, &sh);
    g_object_unref(probe);
    snapshot_pill(self, snapshot, x1, y1 - sh - 4, text, &scrim, &star_color, TRUE);
  }

  /* File name under the frame, dimmed and ellipsised. */
  PangoLayout *layout = gtk_widget_create_pango_layout(widget, NULL);
  g_autofree char *caption = g_markup_printf_escaped(
      "<span size='small'>%s</span>", derush_photo_item_get_display_name(self->item));
  pango_layout_set_markup(layout, caption, -1);
  pango_layout_set_width(layout, (int)side * PANGO_SCALE);
  pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
  GdkRGBA dim = fg;
  dim.alpha = 0.7f;
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT((width - side) / 2.0f, caption_y));
  gtk_snapshot_append_layout(snapshot, layout, &dim);
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
}

static void
derush_grid_cell_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  DerushGridCell *self = DERUSH_GRID_CELL(widget);
  int size = self->thumb_size + 2 * PAD;
  if (orientation == GTK_ORIENTATION_VERTICAL)
    size += CAPTION + (self->group_headers ? HEADER : 0);
  *minimum = *natural = size;
}

static gboolean
query_tooltip_cb(GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                 gpointer data)
{
  DerushGridCell *self = DERUSH_GRID_CELL(widget);
  if (!self->item)
    return FALSE;
  const DerushPhoto *photo = derush_photo_item_get_photo(self->item);
  const char *reason =
      photo->reason ? photo->reason : derush_photo_item_get_thumb_error(self->item);
  GString *text = g_string_new(derush_photo_item_get_display_name(self->item));
  if (reason)
    g_string_append_printf(text, "\n%s", reason);
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(self->item);
  g_autofree char *header = derush_photo_text_group_header(a);
  if (header)
    g_string_append_printf(text, "\n%s here, photo %u of %u by time: %s", header, a->group_index,
                           a->group_size, derush_relation_phrase(a->relation));
  if (a->exposure != DERUSH_EXPOSURE_OK)
    g_string_append(text,
                    a->exposure == DERUSH_EXPOSURE_UNDER ? "\nUnder-exposed" : "\nOver-exposed");
  g_autofree char *sharpness = derush_photo_text_sharpness(self->item);
  if (sharpness)
    g_string_append_printf(text, "\n%s", sharpness);
  g_autofree char *soft = derush_photo_text_soft(a);
  if (soft)
    g_string_append_printf(text, "\n%s", soft);
  g_autofree char *faces = derush_face_text_reason(a);
  if (faces && (a->n_closed || a->n_soft))
    g_string_append_printf(text, "\n%s", faces);
  if (!isnan(a->p_keep) && a->model_version > 0)
    g_string_append_printf(text, "\np(keep) %.2f · %s", a->p_keep, derush_zone_text(a->zone));
  if (derush_grid_cell_is_auto_label(self))
    g_string_append(text, "\nLabelled by the model (auto): press K or T to decide");
  gtk_tooltip_set_text(tooltip, text->str);
  g_string_free(text, TRUE);
  return TRUE;
}

static void
derush_grid_cell_dispose(GObject *object)
{
  DerushGridCell *self = DERUSH_GRID_CELL(object);
  derush_grid_cell_set_item(self, NULL);
  derush_grid_cell_set_list_item(self, NULL, NULL);
  g_clear_object(&self->item_signals);
  g_clear_object(&self->thumbnailer);
  G_OBJECT_CLASS(derush_grid_cell_parent_class)->dispose(object);
}

static void
derush_grid_cell_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushGridCell *self = DERUSH_GRID_CELL(object);
  switch (prop_id) {
  case PROP_ITEM:
    g_value_set_object(value, self->item);
    break;
  case PROP_THUMB_SIZE:
    g_value_set_int(value, self->thumb_size);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_grid_cell_set_property(GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  DerushGridCell *self = DERUSH_GRID_CELL(object);
  switch (prop_id) {
  case PROP_ITEM:
    derush_grid_cell_set_item(self, g_value_get_object(value));
    break;
  case PROP_THUMB_SIZE:
    derush_grid_cell_set_thumb_size(self, g_value_get_int(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_grid_cell_class_init(DerushGridCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

  object_class->dispose = derush_grid_cell_dispose;
  object_class->get_property = derush_grid_cell_get_property;
  object_class->set_property = derush_grid_cell_set_property;
  widget_class->snapshot = derush_grid_cell_snapshot;
  widget_class->measure = derush_grid_cell_measure;

  properties[PROP_ITEM] =
      g_param_spec_object("item", NULL, NULL, DERUSH_TYPE_PHOTO_ITEM,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THUMB_SIZE] =
      g_param_spec_int("thumb-size", NULL, NULL, 64, 512, 200,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name(widget_class, "derush-grid-cell");
}

static void
derush_grid_cell_init(DerushGridCell *self)
{
  self->thumb_size = 200;
  derush_gui_counter_add(DERUSH_GUI_COUNTER_WIDGETS_CREATED, 1);

  self->item_signals = g_signal_group_new(DERUSH_TYPE_PHOTO_ITEM);
  g_signal_group_connect_swapped(self->item_signals, "notify::label", G_CALLBACK(item_changed_cb),
                                 self);
  g_signal_group_connect_swapped(self->item_signals, "notify::stars", G_CALLBACK(item_changed_cb),
                                 self);
  g_signal_group_connect_swapped(self->item_signals, "notify::thumb-error",
                                 G_CALLBACK(item_changed_cb), self);
  g_signal_group_connect_swapped(self->item_signals, "notify::analysis",
                                 G_CALLBACK(item_changed_cb), self);
  g_signal_group_connect_swapped(self->item_signals, "notify::texture",
                                 G_CALLBACK(texture_changed_cb), self);

  gtk_widget_set_has_tooltip(GTK_WIDGET(self), TRUE);
  g_signal_connect(self, "query-tooltip", G_CALLBACK(query_tooltip_cb), NULL);
}

/**
 * derush_grid_cell_new:
 * @thumbnailer: (nullable): where the cell asks for its thumbnails.
 * Returns: (transfer floating): a cell.
 */
GtkWidget *
derush_grid_cell_new(DerushThumbnailer *thumbnailer)
{
  DerushGridCell *self = g_object_new(DERUSH_TYPE_GRID_CELL, NULL);
  self->thumbnailer = thumbnailer ? g_object_ref(thumbnailer) : NULL;
  return GTK_WIDGET(self);
}

/**
 * derush_grid_cell_is_auto_label:
 * Returns: TRUE when the photo shown has a label the model's
 *   auto-labelling made (drawn as a suggestion, not a decision).
 */
gboolean
derush_grid_cell_is_auto_label(DerushGridCell *self)
{
  return self->item && derush_photo_item_get_label(self->item) != DERUSH_LABEL_NONE &&
         derush_photo_item_get_label_source(self->item) == DERUSH_SOURCE_AUTO;
}

/** derush_grid_cell_get_item: Returns: (transfer none) (nullable): the item shown. */
DerushPhotoItem *
derush_grid_cell_get_item(DerushGridCell *self)
{
  return self->item;
}

/**
 * derush_grid_cell_set_item:
 * @item: (nullable): the photo to show (bind), or NULL (unbind).
 *
 * Unbinding cancels the thumbnail request of the item left behind, unless
 * another cell still shows it.
 */
void
derush_grid_cell_set_item(DerushGridCell *self, DerushPhotoItem *item)
{
  g_return_if_fail(DERUSH_IS_GRID_CELL(self));
  if (self->item == item)
    return;
  if (self->item) {
    derush_photo_item_unpin(self->item);
    if (!derush_photo_item_is_pinned(self->item))
      derush_photo_item_cancel(self->item);
    g_clear_object(&self->item);
  }
  if (item) {
    self->item = g_object_ref(item);
    derush_photo_item_pin(item);
    derush_gui_counter_add(DERUSH_GUI_COUNTER_CELLS_BOUND, 1);
    request_thumbnail(self);
  }
  g_signal_group_set_target(self->item_signals, item);
  self->n_face_badges = 0; /* until drawn */
  self->n_pills = 0;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ITEM]);
}

int
derush_grid_cell_get_thumb_size(DerushGridCell *self)
{
  return self->thumb_size;
}

/** derush_grid_cell_set_thumb_size: the frame's side in logical pixels. */
void
derush_grid_cell_set_thumb_size(DerushGridCell *self, int size)
{
  g_return_if_fail(DERUSH_IS_GRID_CELL(self));
  if (self->thumb_size == size)
    return;
  self->thumb_size = size;
  gtk_widget_queue_resize(GTK_WIDGET(self));
  request_thumbnail(self);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_THUMB_SIZE]);
}

static void
position_changed_cb(DerushGridCell *self)
{
  if (self->group_headers)
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

/**
 * derush_grid_cell_set_list_item:
 * @list_item: (nullable): the grid's list item holding the cell.
 * @model: (nullable): the grid's photos, in the order shown.
 *
 * Lets the cell see its neighbours, for the group headers.
 */
void
derush_grid_cell_set_list_item(DerushGridCell *self, GtkListItem *list_item, GListModel *model)
{
  g_return_if_fail(DERUSH_IS_GRID_CELL(self));
  if (self->list_item) {
    g_signal_handlers_disconnect_by_func(self->list_item, position_changed_cb, self);
    g_object_remove_weak_pointer(G_OBJECT(self->list_item), (gpointer *)&self->list_item);
  }
  self->list_item = list_item;
  if (list_item) {
    g_object_add_weak_pointer(G_OBJECT(list_item), (gpointer *)&self->list_item);
    g_signal_connect_swapped(list_item, "notify::position", G_CALLBACK(position_changed_cb), self);
  }
  g_set_object(&self->model, model);
}

/**
 * derush_grid_cell_set_group_headers:
 * Shows a header row over the frame where groups are named ("By Group").
 */
void
derush_grid_cell_set_group_headers(DerushGridCell *self, gboolean group_headers)
{
  g_return_if_fail(DERUSH_IS_GRID_CELL(self));
  if (self->group_headers == group_headers)
    return;
  self->group_headers = group_headers;
  gtk_widget_queue_resize(GTK_WIDGET(self));
}

/**
 * derush_grid_cell_get_face_badges:
 * @n: (out): how many
 *
 * Returns: (transfer none) (array length=n): the face badges ("Eyes
 *   closed", "Face soft") the cell drew last time, for the tests.
 */
const char *const *
derush_grid_cell_get_face_badges(DerushGridCell *self, guint *n)
{
  g_return_val_if_fail(DERUSH_IS_GRID_CELL(self), NULL);
  *n = self->n_face_badges;
  return self->face_badges;
}

/**
 * derush_grid_cell_get_photo_rect:
 * @self: a cell.
 *
 * Where the last snapshot drew the photo (cell coordinates, as the pills'),
 * so a test can check that every pill stays on it.
 *
 * Returns: (transfer none): the rectangle; empty before the first snapshot.
 */
const graphene_rect_t *
derush_grid_cell_get_photo_rect(DerushGridCell *self)
{
  return &self->photo;
}

/**
 * derush_grid_cell_get_pills:
 * @n: (out): how many
 *
 * Returns: (transfer none) (array length=n): every pill (label, RAW
 *   marker, warnings, badges, stars) the cell drew last time, with its
 *   place, for the tests (the first DERUSH_CELL_MAX_PILLS).
 */
const DerushCellPill *
derush_grid_cell_get_pills(DerushGridCell *self, guint *n)
{
  g_return_val_if_fail(DERUSH_IS_GRID_CELL(self), NULL);
  *n = self->n_pills;
  return self->pills;
}

/**
 * derush_grid_cell_foreach:
 * @root: a widget holding grid cells (the grid view)
 * @func: called with each cell under @root, bound or not
 * @user_data: for @func
 *
 * For the tests and the replay, which look at what the cells draw.
 */
void
derush_grid_cell_foreach(GtkWidget *root, void (*func)(DerushGridCell *cell, gpointer user_data),
                         gpointer user_data)
{
  for (GtkWidget *c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
    if (DERUSH_IS_GRID_CELL(c))
      func(DERUSH_GRID_CELL(c), user_data);
    else
      derush_grid_cell_foreach(c, func, user_data);
  }
}
