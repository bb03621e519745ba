/* derush-photo-item.c: one photo of the grid's model.
 *
 * DerushPhotoItem wraps the catalog's DerushPhoto record and adds what only
 * the app needs: the thumbnail texture (set by DerushThumbnailer, dropped
 * again when evicted from its cache) and the GCancellable of the pending
 * thumbnail request. The item, not the cell, owns the cancellable: cells are
 * recycled while the request belongs to the photo (STYLE.md).
 *
 * Changes are announced with property notifications, so a label change
 * redraws exactly the cells bound to the item, and nothing else.
 */
#include "derush-photo-item.h"
#include <math.h>
#include <string.h>

struct _DerushPhotoItem {
  GObject parent_instance;

  DerushPhoto *photo;
  char *display_name; /* UTF-8 basename, made on first use */
  GdkTexture *texture;
  int texture_size; /* the long edge the texture was requested at */
  int pins;         /* cells bound to the item: its texture is not evicted */
  char *thumb_error;
  GCancellable *cancellable;
  DerushPhotoAnalysis analysis;
};

G_DEFINE_FINAL_TYPE(DerushPhotoItem, derush_photo_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_LABEL, PROP_STARS, PROP_TEXTURE, PROP_THUMB_ERROR, PROP_ANALYSIS, N_PROPS };

static GParamSpec *properties[N_PROPS];

static void
derush_photo_item_dispose(GObject *object)
{
  DerushPhotoItem *self = DERUSH_PHOTO_ITEM(object);

  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  g_clear_object(&self->texture);

  G_OBJECT_CLASS(derush_photo_item_parent_class)->dispose(object);
}

static void
derush_photo_item_finalize(GObject *object)
{
  DerushPhotoItem *self = DERUSH_PHOTO_ITEM(object);

  g_clear_pointer(&self->photo, derush_photo_free);
  g_free(self->display_name);
  g_free(self->thumb_error);
  g_free(self->analysis.best_name);

  G_OBJECT_CLASS(derush_photo_item_parent_class)->finalize(object);
}

static void
derush_photo_item_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushPhotoItem *self = DERUSH_PHOTO_ITEM(object);

  switch (prop_id) {
  case PROP_LABEL:
    g_value_set_int(value, self->photo->label);
    break;
  case PROP_STARS:
    g_value_set_int(value, self->photo->stars);
    break;
  case PROP_TEXTURE:
    g_value_set_object(value, self->texture);
    break;
  case PROP_THUMB_ERROR:
    g_value_set_string(value, self->thumb_error);
    break;
  case PROP_ANALYSIS:
    g_value_set_pointer(value, &self->analysis);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_photo_item_class_init(DerushPhotoItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = derush_photo_item_dispose;
  object_class->finalize = derush_photo_item_finalize;
  object_class->get_property = derush_photo_item_get_property;

  properties[PROP_LABEL] =
      g_param_spec_int("label", NULL, NULL, DERUSH_LABEL_NONE, DERUSH_LABEL_TRASH,
                       DERUSH_LABEL_NONE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARS] =
      g_param_spec_int("stars", NULL, NULL, 0, 5, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXTURE] = g_param_spec_object("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_THUMB_ERROR] = g_param_spec_string("thumb-error", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* One notification for the whole record: cells redraw once per
   * analysis, whatever changed in it. */
  properties[PROP_ANALYSIS] =
      g_param_spec_pointer("analysis", NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
derush_photo_item_init(DerushPhotoItem *self)
{
  self->analysis.sharpness = NAN;
}

/**
 * derush_photo_item_new:
 * @photo: (transfer full): the catalog record.
 *
 * Safe to call on a worker thread: the item is handed to the main thread
 * in bulk afterwards.
 *
 * Returns: (transfer full): a new item.
 */
DerushPhotoItem *
derush_photo_item_new(DerushPhoto *photo)
{
  g_return_val_if_fail(photo != NULL, NULL);
  DerushPhotoItem *self = g_object_new(DERUSH_TYPE_PHOTO_ITEM, NULL);
  self->photo = photo;
  return self;
}

/** derush_photo_item_get_photo: Returns: (transfer none): the record. */
const DerushPhoto *
derush_photo_item_get_photo(DerushPhotoItem *self)
{
  return self->photo;
}

gint64
derush_photo_item_get_id(DerushPhotoItem *self)
{
  return self->photo->id;
}

/**
 * derush_photo_item_get_name:
 * Returns: (transfer none): the file's basename in file system bytes (a
 * pointer into the path, so sorting by name allocates nothing).
 */
const char *
derush_photo_item_get_name(DerushPhotoItem *self)
{
  const char *slash = strrchr(self->photo->path, G_DIR_SEPARATOR);
  return slash ? slash + 1 : self->photo->path;
}

/** derush_photo_item_get_display_name: Returns: (transfer none): the basename in UTF-8. */
const char *
derush_photo_item_get_display_name(DerushPhotoItem *self)
{
  if (!self->display_name)
    self->display_name = g_filename_display_name(derush_photo_item_get_name(self));
  return self->display_name;
}

DerushLabel
derush_photo_item_get_label(DerushPhotoItem *self)
{
  return self->photo->label;
}

int
derush_photo_item_get_stars(DerushPhotoItem *self)
{
  return self->photo->stars;
}

/**
 * derush_photo_item_set_label:
 * Records what the catalog now holds (after a committed change, undo or
 * redo) and notifies only what changed, so bound cells redraw.
 */
void
derush_photo_item_set_label(DerushPhotoItem *self, DerushLabel label, int stars)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  g_object_freeze_notify(G_OBJECT(self));
  if (self->photo->label != label) {
    self->photo->label = label;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_LABEL]);
  }
  if (self->photo->stars != stars) {
    self->photo->stars = stars;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STARS]);
  }
  self->photo->labelled = TRUE;
  g_object_thaw_notify(G_OBJECT(self));
}

/** derush_photo_item_get_texture: Returns: (transfer none) (nullable): the thumbnail. */
GdkTexture *
derush_photo_item_get_texture(DerushPhotoItem *self)
{
  return self->texture;
}

/** derush_photo_item_get_texture_size: the size the texture was made for, 0 without one. */
int
derush_photo_item_get_texture_size(DerushPhotoItem *self)
{
  return self->texture ? self->texture_size : 0;
}

/**
 * derush_photo_item_set_texture:
 * @texture: (nullable): the thumbnail, or NULL to drop it (evicted).
 * @size: the long edge it was requested at (may exceed the texture's own
 *   size for small photos: the request is what was satisfied).
 * Main thread only.
 */
void
derush_photo_item_set_texture(DerushPhotoItem *self, GdkTexture *texture, int size)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  self->texture_size = size;
  if (g_set_object(&self->texture, texture))
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_TEXTURE]);
}

/** derush_photo_item_get_thumb_error: Returns: (transfer none) (nullable): why there is no
 * thumbnail. */
const char *
derush_photo_item_get_thumb_error(DerushPhotoItem *self)
{
  return self->thumb_error;
}

void
derush_photo_item_set_thumb_error(DerushPhotoItem *self, const char *message)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  if (g_strcmp0(self->thumb_error, message) == 0)
    return;
  g_free(self->thumb_error);
  self->thumb_error = g_strdup(message);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_THUMB_ERROR]);
}

/**
 * derush_photo_item_get_cancellable:
 * The cancellable of the item's pending thumbnail request; a fresh one
 * after derush_photo_item_cancel().
 * Returns: (transfer none): the cancellable.
 */
GCancellable *
derush_photo_item_get_cancellable(DerushPhotoItem *self)
{
  if (!self->cancellable)
    self->cancellable = g_cancellable_new();
  return self->cancellable;
}

/** derush_photo_item_cancel: drops the pending thumbnail request, if any. */
void
derush_photo_item_cancel(DerushPhotoItem *self)
{
  if (self->cancellable) {
    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
  }
}

/* Pins count the cells bound to the item: the thumbnailer's texture cache
 * never evicts a pinned item, so a visible cell never falls back to its
 * placeholder. */
void
derush_photo_item_pin(DerushPhotoItem *self)
{
  self->pins++;
}

void
derush_photo_item_unpin(DerushPhotoItem *self)
{
  g_return_if_fail(self->pins > 0);
  self->pins--;
}

gboolean
derush_photo_item_is_pinned(DerushPhotoItem *self)
{
  return self->pins > 0;
}

/** derush_photo_item_get_analysis: Returns: (transfer none): what analysis found (zeroes before).
 */
const DerushPhotoAnalysis *
derush_photo_item_get_analysis(DerushPhotoItem *self)
{
  return &self->analysis;
}

static gboolean
same_double(double a, double b)
{
  return (isnan(a) && isnan(b)) || a == b;
}

/**
 * derush_photo_item_set_analysis:
 * @analysis: the new record (its best_name is copied).
 *
 * Notifies "analysis" only when something differs, so a re-analysis that
 * changed nothing redraws nothing. Main thread only.
 *
 * Returns: TRUE when the record changed.
 */
gboolean
derush_photo_item_set_analysis(DerushPhotoItem *self, const DerushPhotoAnalysis *analysis)
{
  g_return_val_if_fail(DERUSH_IS_PHOTO_ITEM(self), FALSE);
  const DerushPhotoAnalysis *a = analysis, *o = &self->analysis;
  if (a->group_id == o->group_id && a->group_kind == o->group_kind &&
      a->group_size == o->group_size && a->is_best == o->is_best &&
      a->group_time_ns == o->group_time_ns && g_strcmp0(a->best_name, o->best_name) == 0 &&
      same_double(a->sharpness, o->sharpness) && a->exposure == o->exposure &&
      a->blurry == o->blurry)
    return FALSE;
  g_free(self->analysis.best_name);
  self->analysis = *a;
  self->analysis.best_name = g_strdup(a->best_name);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ANALYSIS]);
  return TRUE;
}
