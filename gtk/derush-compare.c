/* derush-compare.c: a group's members side by side, four at a time.
 *
 * One page of the window's stack: a homogeneous row of panes, each a
 * DerushZoomView, a caption and what tells the frames apart (sharpness as
 * a word and a rank, warnings). More than four would be too small to judge
 * focus, so a bigger group (a 6-frame burst) keeps its best pick in the
 * first pane and slides the other three along the rest: Left/Right past
 * the last pane, or a click in the strip of every member under the panes,
 * brings frames 5, 6... in. A pane shows the cached grid thumbnail at
 * once and is upgraded to a 1600 px decode made on a worker (enough to
 * judge focus on half a screen, and a quarter of a full decode's cost);
 * zooming in past fit asks for the full size. Showing another group
 * cancels the decodes still running, and a late result for a group no
 * longer shown is dropped.
 *
 * Zoom and pan are synchronised: every pane shows the same zoom factor
 * around the same normalised centre, so a burst shot at different sizes
 * (a crop, a RAW's preview) still lines up on the same spot. The pane the
 * user drags, scrolls or Ctrl+scrolls tells the others through
 * "view-changed"; Z and +/- go through the focused pane the same way.
 *
 * The focused pane (Left/Right, or a click) is the one K keeps; the window
 * owns the labels, this widget only shows them.
 *
 * Over 600 lines: the sliding window over a big group, the decodes and
 * their cancellation, and the synchronised zoom belong to one page.
 */
#include "derush-compare.h"
#include "derush-photo-text.h"
#include "derush-thumbnailer.h"
#include "derush-zoom-view.h"
#include "derush-face-marks.h"

#define DECODE_SIZE 1600

typedef struct {
  GtkWidget *box; /* (borrowed: a child) the zoom view, then the caption row */
  DerushZoomView *view;
  GtkWidget *caption;
  GtkWidget *quality; /* sharpness and warnings, under the caption */
  GtkWidget *zoom_label;
  int loaded; /* long edge shown: DECODE_SIZE, 0 = full size, -1 = the thumbnail */
  int wanted; /* the decode asked for last, same units */
} Pane;

struct _DerushCompare {
  GtkWidget parent_instance;
  GPtrArray *items; /* DerushPhotoItem: every member, best first */
  GPtrArray *shown; /* DerushPhotoItem (borrowed from @items): pane i shows shown[i] */
  guint first;      /* the member in pane 1; pane 0 always shows the best pick */
  GtkWidget *row;   /* (child) the panes */
  GtkWidget *strip; /* (child) every member, when there are more than panes */
  GtkWidget *strip_box;
  GPtrArray *panes; /* Pane* (owned) */
  guint focused;
  double zoom; /* every pane's: 0 = fit, 1 = 100% */
  GCancellable *cancellable;
  guint pending;
};

G_DEFINE_FINAL_TYPE(DerushCompare, derush_compare, GTK_TYPE_WIDGET)

typedef struct {
  DerushCompare *self;       /* (owned) */
  GCancellable *cancellable; /* (owned): the show this decode belongs to */
  guint index;
  int size; /* DECODE_SIZE, or 0 for the full size */
  char *path;
  int orientation;
} DecodeData;

static void
decode_data_free(DecodeData *d)
{
  g_object_unref(d->self);
  g_object_unref(d->cancellable);
  g_free(d->path);
  g_free(d);
}

static void
decode_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DecodeData *d = task_data;
  derush_decode_texture_return(task, d->path, d->orientation, d->size, cancellable);
}

static void
decode_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  DecodeData *d = g_task_get_task_data(G_TASK(result));
  DerushCompare *self = d->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer(G_TASK(result), &error);
  if (d->cancellable != self->cancellable)
    return; /* another group is shown now */
  self->pending--;
  if (!texture || d->index >= self->panes->len)
    return; /* a failed decode keeps what is shown: still comparable */
  Pane *pane = self->panes->pdata[d->index];
  if (pane->loaded == 0)
    return; /* the full size came first */
  pane->loaded = d->size;
  derush_zoom_view_set_paintable(pane->view, GDK_PAINTABLE(texture));
}

static void
request_decode(DerushCompare *self, guint i, int size)
{
  Pane *pane = self->panes->pdata[i];
  const DerushPhoto *photo = derush_photo_item_get_photo(self->shown->pdata[i]);
  if (photo->status != DERUSH_PHOTO_OK)
    return;
  pane->wanted = size;
  DecodeData *d = g_new0(DecodeData, 1);
  d->self = g_object_ref(self);
  d->cancellable = g_object_ref(self->cancellable);
  d->index = i;
  d->size = size;
  d->path = g_strdup(photo->path);
  d->orientation = photo->meta.orientation;
  g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, decode_done_cb, NULL);
  g_task_set_source_tag(task, request_decode);
  g_task_set_task_data(task, d, (GDestroyNotify)decode_data_free);
  g_task_run_in_thread(task, decode_worker);
  self->pending++;
}

/* Past fit, only the full size is sharp: ask for it once per pane. */
static void
zoom_changed(DerushCompare *self)
{
  char text[16] = "";
  if (self->zoom > 0)
    g_snprintf(text, sizeof text, "%.0f%%", self->zoom * 100);
  for (guint i = 0; i < self->panes->len; i++) {
    Pane *pane = self->panes->pdata[i];
    gtk_label_set_text(GTK_LABEL(pane->zoom_label), text);
    gtk_widget_set_visible(pane->zoom_label, self->zoom > 0);
    if (self->zoom > 0 && pane->loaded != 0 && pane->wanted != 0)
      request_decode(self, i, 0);
  }
}

/* One pane was panned or zoomed by the user: the others follow. */
static void
view_changed_cb(DerushZoomView *view, DerushCompare *self)
{
  double cx, cy;
  self->zoom = derush_zoom_view_get_zoom(view);
  derush_zoom_view_get_center(view, &cx, &cy);
  for (guint i = 0; i < self->panes->len; i++) {
    Pane *pane = self->panes->pdata[i];
    if (pane->view == view)
      continue;
    derush_zoom_view_set_zoom(pane->view, self->zoom);
    derush_zoom_view_set_center(pane->view, cx, cy);
  }
  zoom_changed(self);
}

static void
update_caption(DerushCompare *self, guint i)
{
  DerushPhotoItem *item = self->shown->pdata[i];
  Pane *pane = self->panes->pdata[i];
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  DerushLabel l = derush_photo_item_get_label(item);
  g_autofree char *text =
      g_strdup_printf("%s%s%s", a->is_best ? "★ " : "", derush_photo_item_get_display_name(item),
                      l == DERUSH_LABEL_KEEP    ? " · Keep"
                      : l == DERUSH_LABEL_TRASH ? " · Trash"
                                                : "");
  gtk_label_set_text(GTK_LABEL(pane->caption), text);
  /* What tells the frames apart: closed eyes and soft faces (a burst of
   * a portrait), sharpness and warnings. */
  g_autofree char *sharpness = derush_photo_text_sharpness(item);
  g_autofree char *faces = derush_face_text_badges(a);
  const char *warning = derush_photo_text_warning(a);
  g_autofree char *quality = g_strdup_printf(
      "%s%s%s%s%s%s", faces ? faces : "", faces && (warning || sharpness) ? " · " : "",
      warning ? "⚠ " : "", warning ? warning : "", warning && sharpness ? " · " : "",
      sharpness ? sharpness : "");
  gtk_label_set_text(GTK_LABEL(pane->quality), quality);
  gtk_widget_set_visible(pane->quality, *quality != '\0');
  if (warning || faces)
    gtk_widget_add_css_class(pane->quality, "warning");
  else
    gtk_widget_remove_css_class(pane->quality, "warning");
  gtk_widget_remove_css_class(pane->box, "keep");
  gtk_widget_remove_css_class(pane->box, "trash");
  if (l != DERUSH_LABEL_NONE)
    gtk_widget_add_css_class(pane->box, l == DERUSH_LABEL_KEEP ? "keep" : "trash");
  if (i == self->focused)
    gtk_widget_add_css_class(pane->box, "focused");
  else
    gtk_widget_remove_css_class(pane->box, "focused");
}

static void update_strip(DerushCompare *self);

static void
label_changed_cb(GObject *item, GParamSpec *pspec, DerushCompare *self)
{
  for (guint i = 0; i < self->shown->len; i++)
    if (self->shown->pdata[i] == (gpointer)item)
      update_caption(self, i);
  update_strip(self);
}

static void
set_focus(DerushCompare *self, guint index)
{
  guint old = self->focused;
  self->focused = index;
  update_caption(self, old);
  update_caption(self, self->focused);
}

/* A click picks the pane K keeps, as Left/Right do. */
static void
pane_pressed_cb(GtkGestureClick *gesture, int n_press, double x, double y, DerushCompare *self)
{
  GtkWidget *box = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(gesture));
  for (guint i = 0; i < self->panes->len; i++)
    if (((Pane *)self->panes->pdata[i])->box == box)
      set_focus(self, i);
  gtk_widget_grab_focus(GTK_WIDGET(self));
}

/* The panes go, with their decodes (a late result is dropped). */
static void
clear_panes(DerushCompare *self)
{
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  self->pending = 0;
  for (guint i = 0; i < self->panes->len; i++)
    gtk_box_remove(GTK_BOX(self->row), ((Pane *)self->panes->pdata[i])->box);
  g_ptr_array_set_size(self->panes, 0);
  g_ptr_array_set_size(self->shown, 0);
}

/** derush_compare_clear: drops the members shown and their decodes. */
void
derush_compare_clear(DerushCompare *self)
{
  clear_panes(self);
  for (guint i = 0; i < self->items->len; i++)
    g_signal_handlers_disconnect_by_data(self->items->pdata[i], self);
  g_ptr_array_set_size(self->items, 0);
  self->focused = 0;
  self->first = 1;
  update_strip(self);
}

static Pane *
pane_new(DerushCompare *self, DerushPhotoItem *item)
{
  Pane *pane = g_new0(Pane, 1);
  pane->loaded = -1;
  pane->wanted = -1;
  pane->box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class(pane->box, "compare-pane");
  GtkGesture *click = gtk_gesture_click_new();
  g_signal_connect(click, "pressed", G_CALLBACK(pane_pressed_cb), self);
  gtk_widget_add_controller(pane->box, GTK_EVENT_CONTROLLER(click));

  pane->view = DERUSH_ZOOM_VIEW(derush_zoom_view_new());
  const DerushPhoto *photo = derush_photo_item_get_photo(item);
  /* The real size: the thumbnail, the 1600 px and the full decode all
   * land on the same spot, and panes line up by relative position. */
  derush_zoom_view_set_image_size(pane->view, photo->width, photo->height);
  GdkTexture *thumb = derush_photo_item_get_texture(item);
  if (thumb)
    derush_zoom_view_set_paintable(pane->view, GDK_PAINTABLE(thumb));
  g_signal_connect(pane->view, "view-changed", G_CALLBACK(view_changed_cb), self);

  GtkWidget *row = gtk_center_box_new();
  pane->caption = gtk_label_new(NULL);
  gtk_label_set_ellipsize(GTK_LABEL(pane->caption), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class(pane->caption, "caption-heading");
  pane->zoom_label = gtk_label_new(NULL);
  gtk_widget_add_css_class(pane->zoom_label, "caption");
  gtk_widget_add_css_class(pane->zoom_label, "numeric");
  gtk_widget_add_css_class(pane->zoom_label, "dim-label");
  gtk_widget_set_visible(pane->zoom_label, FALSE);
  gtk_center_box_set_center_widget(GTK_CENTER_BOX(row), pane->caption);
  gtk_center_box_set_end_widget(GTK_CENTER_BOX(row), pane->zoom_label);

  pane->quality = gtk_label_new(NULL);
  gtk_label_set_ellipsize(GTK_LABEL(pane->quality), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class(pane->quality, "caption");

  gtk_box_append(GTK_BOX(pane->box), GTK_WIDGET(pane->view));
  gtk_box_append(GTK_BOX(pane->box), row);
  gtk_box_append(GTK_BOX(pane->box), pane->quality);
  gtk_box_append(GTK_BOX(self->row), pane->box);
  return pane;
}

#define MAX_PANES 4

/* Builds the panes for the best pick and the members from @self->first,
 * keeping the zoom and the centre the photographer was looking at. */
static void
layout_panes(DerushCompare *self)
{
  double cx = 0.5, cy = 0.5;
  if (self->panes->len > 0)
    derush_zoom_view_get_center(((Pane *)self->panes->pdata[0])->view, &cx, &cy);
  clear_panes(self);
  self->cancellable = g_cancellable_new();
  if (self->items->len == 0)
    return;
  g_ptr_array_add(self->shown, self->items->pdata[0]);
  for (guint k = self->first; k < self->items->len && self->shown->len < MAX_PANES; k++)
    g_ptr_array_add(self->shown, self->items->pdata[k]);
  for (guint i = 0; i < self->shown->len; i++) {
    Pane *pane = pane_new(self, self->shown->pdata[i]);
    g_ptr_array_add(self->panes, pane);
    if (self->zoom > 0) {
      derush_zoom_view_set_zoom(pane->view, self->zoom);
      derush_zoom_view_set_center(pane->view, cx, cy);
    }
    update_caption(self, i);
    request_decode(self, i, DECODE_SIZE);
  }
  self->focused = MIN(self->focused, self->panes->len - 1);
  zoom_changed(self);
  update_strip(self);
}

static void
strip_clicked_cb(GtkButton *button, DerushCompare *self)
{
  DerushPhotoItem *item = g_object_get_data(G_OBJECT(button), "derush-item");
  derush_compare_show_member(self, item);
  gtk_widget_grab_focus(GTK_WIDGET(self));
}

/* The strip: every member as a small thumbnail in capture order (best
 * first), the ones in the panes marked; hidden when all fit the panes. */
static void
update_strip(DerushCompare *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(self->strip_box)))
    gtk_box_remove(GTK_BOX(self->strip_box), child);
  gboolean needed = self->items->len > MAX_PANES;
  gtk_widget_set_visible(self->strip, needed);
  if (!needed)
    return;
  for (guint k = 0; k < self->items->len; k++) {
    DerushPhotoItem *item = self->items->pdata[k];
    GtkWidget *button = gtk_button_new();
    gtk_widget_add_css_class(button, "compare-strip-member");
    gtk_widget_set_focusable(button, FALSE);
    GdkTexture *texture = derush_photo_item_get_texture(item);
    GtkWidget *content;
    if (texture) {
      content = gtk_picture_new_for_paintable(GDK_PAINTABLE(texture));
      gtk_picture_set_can_shrink(GTK_PICTURE(content), TRUE);
      gtk_widget_set_size_request(content, 72, 48);
    } else {
      content = gtk_label_new(derush_photo_item_get_display_name(item));
    }
    gtk_button_set_child(GTK_BUTTON(button), content);
    DerushLabel l = derush_photo_item_get_label(item);
    const char *label = l == DERUSH_LABEL_KEEP    ? " · Keep"
                        : l == DERUSH_LABEL_TRASH ? " · Trash"
                                                  : "";
    g_autofree char *tip = g_strdup_printf("%s%s%s", k == 0 ? "★ " : "",
                                           derush_photo_item_get_display_name(item), label);
    gtk_widget_set_tooltip_text(button, tip);
    if (g_ptr_array_find(self->shown, item, NULL))
      gtk_widget_add_css_class(button, "shown");
    if (l != DERUSH_LABEL_NONE)
      gtk_widget_add_css_class(button, l == DERUSH_LABEL_KEEP ? "keep" : "trash");
    g_object_set_data_full(G_OBJECT(button), "derush-item", g_object_ref(item), g_object_unref);
    g_signal_connect(button, "clicked", G_CALLBACK(strip_clicked_cb), self);
    gtk_box_append(GTK_BOX(self->strip_box), button);
  }
  g_autofree char *where =
      g_strdup_printf("%u–%u of %u", self->first + 1,
                      MIN(self->first + MAX_PANES - 1, self->items->len), self->items->len);
  GtkWidget *hint = gtk_label_new(where);
  gtk_widget_add_css_class(hint, "dim-label");
  gtk_widget_add_css_class(hint, "caption");
  gtk_widget_set_margin_start(hint, 8);
  gtk_box_append(GTK_BOX(self->strip_box), hint);
}

/**
 * derush_compare_show:
 * @items: (element-type DerushPhotoItem): 2 photos or more, the best first,
 *   then the one to show beside it, then the others.
 *
 * Shows the best pick and up to three more; the strip reaches the others.
 * Each group starts fitted.
 */
void
derush_compare_show(DerushCompare *self, GPtrArray *items)
{
  g_return_if_fail(DERUSH_IS_COMPARE(self));
  derush_compare_clear(self);
  self->zoom = 0;
  for (guint i = 0; i < items->len; i++) {
    DerushPhotoItem *item = items->pdata[i];
    g_ptr_array_add(self->items, g_object_ref(item));
    g_signal_connect_object(item, "notify::label", G_CALLBACK(label_changed_cb), self, 0);
  }
  self->first = 1;
  layout_panes(self);
}

/**
 * derush_compare_show_member:
 * @item: a member of the group shown.
 *
 * Brings @item into the panes (sliding the others along) and focuses it.
 *
 * Returns: FALSE when @item is not a member.
 */
gboolean
derush_compare_show_member(DerushCompare *self, DerushPhotoItem *item)
{
  g_return_val_if_fail(DERUSH_IS_COMPARE(self), FALSE);
  guint k;
  if (!g_ptr_array_find(self->items, item, &k))
    return FALSE;
  guint pane;
  if (!g_ptr_array_find(self->shown, item, &pane)) {
    /* Slide so that @item is in the first pane after the best pick's,
     * with the panes after it full. */
    guint span = MAX_PANES - 1;
    self->first = MAX(1, MIN(k, self->items->len > span ? self->items->len - span : 1));
    layout_panes(self);
    g_ptr_array_find(self->shown, item, &pane);
  }
  set_focus(self, pane);
  return TRUE;
}

/**
 * derush_compare_toggle_zoom:
 * Every pane between fit and 100%, on the photos' centres (Z).
 */
void
derush_compare_toggle_zoom(DerushCompare *self)
{
  g_return_if_fail(DERUSH_IS_COMPARE(self));
  self->zoom = self->zoom > 0 ? 0 : 1;
  for (guint i = 0; i < self->panes->len; i++) {
    Pane *pane = self->panes->pdata[i];
    derush_zoom_view_set_zoom(pane->view, self->zoom);
    derush_zoom_view_set_center(pane->view, 0.5, 0.5);
  }
  zoom_changed(self);
}

/**
 * derush_compare_zoom_step:
 * @direction: > 0 zooms every pane in one step, < 0 out (down to fit).
 */
void
derush_compare_zoom_step(DerushCompare *self, int direction)
{
  g_return_if_fail(DERUSH_IS_COMPARE(self));
  if (self->focused < self->panes->len)
    derush_zoom_view_zoom_step(((Pane *)self->panes->pdata[self->focused])->view, direction, -1,
                               -1); /* view_changed_cb syncs the others */
}

/**
 * derush_compare_pan:
 * @index: a pane.
 * @dx: logical pixels to move its photo right, as a drag; @dy down.
 *
 * Pans that pane as a drag would; the others follow.
 *
 * Returns: FALSE when there is no such pane.
 */
gboolean
derush_compare_pan(DerushCompare *self, guint index, double dx, double dy)
{
  g_return_val_if_fail(DERUSH_IS_COMPARE(self), FALSE);
  if (index >= self->panes->len)
    return FALSE;
  derush_zoom_view_pan_by(((Pane *)self->panes->pdata[index])->view, dx, dy);
  return TRUE;
}

/**
 * derush_compare_get_pane_state:
 * @index: a pane.
 * @zoom: (out): 0 when fitted, else the zoom factor; @scale: (out) the
 *   scale drawn now (fit included); @cx, @cy: (out) the normalised centre
 *   shown.
 *
 * Returns: FALSE when there is no such pane.
 */
gboolean
derush_compare_get_pane_state(DerushCompare *self, guint index, double *zoom, double *scale,
                              double *cx, double *cy)
{
  g_return_val_if_fail(DERUSH_IS_COMPARE(self), FALSE);
  if (index >= self->panes->len)
    return FALSE;
  DerushZoomView *view = ((Pane *)self->panes->pdata[index])->view;
  *zoom = derush_zoom_view_get_zoom(view);
  *scale = derush_zoom_view_get_scale(view);
  derush_zoom_view_get_center(view, cx, cy);
  return TRUE;
}

/** derush_compare_get_focused: Returns: (transfer none) (nullable): the focused member. */
DerushPhotoItem *
derush_compare_get_focused(DerushCompare *self)
{
  return self->focused < self->shown->len ? self->shown->pdata[self->focused] : NULL;
}

/**
 * derush_compare_get_items:
 * Returns: (transfer none) (element-type DerushPhotoItem): the members in
 *   the panes, the best pick first.
 */
GPtrArray *
derush_compare_get_items(DerushCompare *self)
{
  return self->shown;
}

/**
 * derush_compare_get_members:
 * Returns: (transfer none) (element-type DerushPhotoItem): every member of
 *   the group shown, the best pick first.
 */
GPtrArray *
derush_compare_get_members(DerushCompare *self)
{
  return self->items;
}

/**
 * derush_compare_move_focus:
 * Focuses the member @delta panes away; past the last pane (or back before
 * the second) the panes slide along the group's other members.
 */
void
derush_compare_move_focus(DerushCompare *self, int delta)
{
  if (self->shown->len == 0)
    return;
  int target = (int)self->focused + delta;
  guint last_shown = self->first + self->shown->len - 2; /* member index in the last pane */
  if (target >= (int)self->shown->len && last_shown + 1 < self->items->len) {
    self->first++;
    layout_panes(self);
    set_focus(self, self->shown->len - 1);
    return;
  }
  if (target == 0 && delta < 0 && self->first > 1) {
    self->first--;
    layout_panes(self);
    set_focus(self, 1);
    return;
  }
  set_focus(self, CLAMP(target, 0, (int)self->shown->len - 1));
}

/** derush_compare_is_loading: a decode is still running (replay waits on it). */
gboolean
derush_compare_is_loading(DerushCompare *self)
{
  return self->pending > 0;
}

static void
derush_compare_dispose(GObject *object)
{
  DerushCompare *self = DERUSH_COMPARE(object);
  if (self->items)
    derush_compare_clear(self);
  g_clear_pointer(&self->items, g_ptr_array_unref);
  g_clear_pointer(&self->shown, g_ptr_array_unref);
  g_clear_pointer(&self->panes, g_ptr_array_unref);
  g_clear_pointer(&self->row, gtk_widget_unparent);
  g_clear_pointer(&self->strip, gtk_widget_unparent);
  G_OBJECT_CLASS(derush_compare_parent_class)->dispose(object);
}

static void
derush_compare_class_init(DerushCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_compare_dispose;
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "derush-compare");
}

static void
derush_compare_init(DerushCompare *self)
{
  self->items = g_ptr_array_new_with_free_func(g_object_unref);
  self->shown = g_ptr_array_new();
  self->panes = g_ptr_array_new_with_free_func(g_free);
  self->first = 1;
  GtkLayoutManager *layout = gtk_widget_get_layout_manager(GTK_WIDGET(self));
  gtk_orientable_set_orientation(GTK_ORIENTABLE(layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing(GTK_BOX_LAYOUT(layout), 8);
  self->row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_set_homogeneous(GTK_BOX(self->row), TRUE);
  gtk_widget_set_vexpand(self->row, TRUE);
  gtk_widget_set_parent(self->row, GTK_WIDGET(self));
  self->strip = gtk_scrolled_window_new();
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(self->strip), GTK_POLICY_AUTOMATIC,
                                 GTK_POLICY_NEVER);
  gtk_widget_add_css_class(self->strip, "compare-strip");
  self->strip_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign(self->strip_box, GTK_ALIGN_CENTER);
  gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(self->strip), self->strip_box);
  gtk_widget_set_visible(self->strip, FALSE);
  gtk_widget_set_parent(self->strip, GTK_WIDGET(self));
  gtk_widget_set_focusable(GTK_WIDGET(self), TRUE);
}

/** derush_compare_new: Returns: (transfer floating): an empty compare page. */
GtkWidget *
derush_compare_new(void)
{
  return g_object_new(DERUSH_TYPE_COMPARE, NULL);
}

/**
 * derush_compare_get_pane_quality:
 * Returns: (transfer full) (nullable): the sharpness and warnings pane
 *   @index shows, NULL when there is no such pane.
 */
char *
derush_compare_get_pane_quality(DerushCompare *self, guint index)
{
  if (index >= self->panes->len)
    return NULL;
  return g_strdup(gtk_label_get_text(GTK_LABEL(((Pane *)self->panes->pdata[index])->quality)));
}

/**
 * derush_compare_click_member:
 * Clicks @item's button in the strip, as the photographer would.
 * Returns: FALSE when the strip is hidden or does not show @item.
 */
gboolean
derush_compare_click_member(DerushCompare *self, DerushPhotoItem *item)
{
  if (!gtk_widget_get_visible(self->strip))
    return FALSE;
  for (GtkWidget *b = gtk_widget_get_first_child(self->strip_box); b;
       b = gtk_widget_get_next_sibling(b))
    if (GTK_IS_BUTTON(b) && g_object_get_data(G_OBJECT(b), "derush-item") == item) {
      g_signal_emit_by_name(b, "clicked");
      return TRUE;
    }
  return FALSE;
}
