/* derush-compare.c: 2-4 members of a group side by side.
 *
 * One page of the window's stack, a homogeneous row of panes, each a
 * GtkPicture and a caption. A pane shows the cached grid thumbnail at once
 * and is upgraded to a 1600 px decode made on a worker (enough to judge
 * focus on half a screen, and a quarter of a full decode's cost). Showing
 * another group cancels the decodes still running, and a late result for
 * a group no longer shown is dropped.
 *
 * The focused pane (Left/Right) is the one K keeps; the window owns the
 * labels, this widget only shows them.
 */
#include "derush-compare.h"
#include "derush-thumbnailer.h"

#define DECODE_SIZE 1600

struct _DerushCompare {
  GtkWidget parent_instance;
  GPtrArray *items; /* DerushPhotoItem, best first */
  GPtrArray *panes; /* GtkWidget (borrowed: children) */
  guint focused;
  GCancellable *cancellable;
  guint pending;
};

G_DEFINE_FINAL_TYPE(DerushCompare, derush_compare, GTK_TYPE_WIDGET)

typedef struct {
  DerushCompare *self;       /* (owned) */
  GCancellable *cancellable; /* (owned): the show this decode belongs to */
  guint index;
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
  GError *error = NULL;
  GdkTexture *texture = _derush_decode_texture(d->path, d->orientation, DECODE_SIZE, &error);
  if (texture)
    g_task_return_pointer(task, texture, g_object_unref);
  else
    g_task_return_error(task, error);
}

static GtkPicture *
pane_picture(GtkWidget *pane)
{
  return GTK_PICTURE(gtk_widget_get_first_child(pane));
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
  /* A failed decode keeps the thumbnail: still comparable, only smaller. */
  if (texture && d->index < self->panes->len)
    gtk_picture_set_paintable(pane_picture(self->panes->pdata[d->index]), GDK_PAINTABLE(texture));
}

static void
update_caption(DerushCompare *self, guint i)
{
  DerushPhotoItem *item = self->items->pdata[i];
  GtkWidget *pane = self->panes->pdata[i];
  GtkWidget *label = gtk_widget_get_last_child(pane);
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  DerushLabel l = derush_photo_item_get_label(item);
  g_autofree char *text =
      g_strdup_printf("%s%s%s", a->is_best ? "★ " : "", derush_photo_item_get_display_name(item),
                      l == DERUSH_LABEL_KEEP    ? " · Keep"
                      : l == DERUSH_LABEL_TRASH ? " · Trash"
                                                : "");
  gtk_label_set_text(GTK_LABEL(label), text);
  gtk_widget_remove_css_class(pane, "keep");
  gtk_widget_remove_css_class(pane, "trash");
  if (l != DERUSH_LABEL_NONE)
    gtk_widget_add_css_class(pane, l == DERUSH_LABEL_KEEP ? "keep" : "trash");
  if (i == self->focused)
    gtk_widget_add_css_class(pane, "focused");
  else
    gtk_widget_remove_css_class(pane, "focused");
}

static void
label_changed_cb(GObject *item, GParamSpec *pspec, DerushCompare *self)
{
  for (guint i = 0; i < self->items->len; i++)
    if (self->items->pdata[i] == (gpointer)item)
      update_caption(self, i);
}

/** derush_compare_clear: drops the members shown and their decodes. */
void
derush_compare_clear(DerushCompare *self)
{
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  self->pending = 0;
  for (guint i = 0; i < self->items->len; i++)
    g_signal_handlers_disconnect_by_data(self->items->pdata[i], self);
  g_ptr_array_set_size(self->items, 0);
  for (guint i = 0; i < self->panes->len; i++)
    gtk_widget_unparent(self->panes->pdata[i]);
  g_ptr_array_set_size(self->panes, 0);
  self->focused = 0;
}

/**
 * derush_compare_show:
 * @items: (element-type DerushPhotoItem): 2-4 photos, the best first.
 */
void
derush_compare_show(DerushCompare *self, GPtrArray *items)
{
  g_return_if_fail(DERUSH_IS_COMPARE(self));
  derush_compare_clear(self);
  self->cancellable = g_cancellable_new();
  for (guint i = 0; i < items->len; i++) {
    DerushPhotoItem *item = items->pdata[i];
    g_ptr_array_add(self->items, g_object_ref(item));
    GtkWidget *pane = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_add_css_class(pane, "compare-pane");
    GtkWidget *picture = gtk_picture_new();
    gtk_picture_set_can_shrink(GTK_PICTURE(picture), TRUE);
    gtk_picture_set_content_fit(GTK_PICTURE(picture), GTK_CONTENT_FIT_CONTAIN);
    gtk_widget_set_vexpand(picture, TRUE);
    gtk_widget_set_hexpand(picture, TRUE);
    GdkTexture *thumb = derush_photo_item_get_texture(item);
    if (thumb)
      gtk_picture_set_paintable(GTK_PICTURE(picture), GDK_PAINTABLE(thumb));
    GtkWidget *caption = gtk_label_new(NULL);
    gtk_label_set_ellipsize(GTK_LABEL(caption), PANGO_ELLIPSIZE_MIDDLE);
    gtk_widget_add_css_class(caption, "caption-heading");
    gtk_box_append(GTK_BOX(pane), picture);
    gtk_box_append(GTK_BOX(pane), caption);
    gtk_widget_set_parent(pane, GTK_WIDGET(self));
    g_ptr_array_add(self->panes, pane);
    update_caption(self, i);
    g_signal_connect_object(item, "notify::label", G_CALLBACK(label_changed_cb), self, 0);

    const DerushPhoto *photo = derush_photo_item_get_photo(item);
    if (photo->status != DERUSH_PHOTO_OK)
      continue;
    DecodeData *d = g_new0(DecodeData, 1);
    d->self = g_object_ref(self);
    d->cancellable = g_object_ref(self->cancellable);
    d->index = i;
    d->path = g_strdup(photo->path);
    d->orientation = photo->meta.orientation;
    g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, decode_done_cb, NULL);
    g_task_set_source_tag(task, derush_compare_show);
    g_task_set_task_data(task, d, (GDestroyNotify)decode_data_free);
    g_task_run_in_thread(task, decode_worker);
    self->pending++;
  }
}

/** derush_compare_get_focused: Returns: (transfer none) (nullable): the focused member. */
DerushPhotoItem *
derush_compare_get_focused(DerushCompare *self)
{
  return self->focused < self->items->len ? self->items->pdata[self->focused] : NULL;
}

/** derush_compare_get_items: Returns: (transfer none) (element-type DerushPhotoItem): the members.
 */
GPtrArray *
derush_compare_get_items(DerushCompare *self)
{
  return self->items;
}

/** derush_compare_move_focus: focuses the member @delta panes away (clamped). */
void
derush_compare_move_focus(DerushCompare *self, int delta)
{
  if (self->items->len == 0)
    return;
  int next = CLAMP((int)self->focused + delta, 0, (int)self->items->len - 1);
  guint old = self->focused;
  self->focused = next;
  update_caption(self, old);
  update_caption(self, self->focused);
}

/** derush_compare_is_loading: a 1600 px decode is still running. */
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
  g_clear_pointer(&self->panes, g_ptr_array_unref);
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
  self->panes = g_ptr_array_new();
  GtkLayoutManager *layout = gtk_widget_get_layout_manager(GTK_WIDGET(self));
  gtk_box_layout_set_homogeneous(GTK_BOX_LAYOUT(layout), TRUE);
  gtk_box_layout_set_spacing(GTK_BOX_LAYOUT(layout), 12);
  gtk_widget_set_focusable(GTK_WIDGET(self), TRUE);
}

/** derush_compare_new: Returns: (transfer floating): an empty compare page. */
GtkWidget *
derush_compare_new(void)
{
  return g_object_new(DERUSH_TYPE_COMPARE, NULL);
}
