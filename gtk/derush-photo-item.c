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
 *
 * Analysis records are not copied into each item: the item looks its
 * record up in the window's DerushAnalysisTable, again whenever the table
 * was replaced, so a new analysis of 100,000 photos costs the main thread
 * nothing per item (derush-analysis-table.c).
 */
#include "derush-photo-item.h"
#include "derush-analysis-table.h"
#include <math.h>
#include <string.h>

struct _DerushPhotoItem {
  GObject parent_instance;

  DerushPhoto *photo;
  char *display_name; /* UTF-8 basename, made on first use */
  char *search_key;   /* folded path under the open folder, made on first search */
  GdkTexture *texture;
  int texture_size; /* the long edge the texture was requested at */
  int pins;         /* cells bound to the item: its texture is not evicted */
  char *thumb_error;
  GCancellable *cancellable;
  DerushAnalysisTable *analysis_table; /* nullable */
  guint analysis_generation;           /* of the table, when @analysis was looked up */
  const DerushPhotoAnalysis *analysis; /* in the table, or no_analysis */
};

/* What an item shows before (or without) an analysis. */
static const DerushPhotoAnalysis no_analysis = {.sharpness = NAN, .p_keep = NAN};

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
  g_clear_object(&self->analysis_table);
  self->analysis = &no_analysis;

  G_OBJECT_CLASS(derush_photo_item_parent_class)->dispose(object);
}

static void
derush_photo_item_finalize(GObject *object)
{
  DerushPhotoItem *self = DERUSH_PHOTO_ITEM(object);

  if (self->photo) {
    /* Interned (derush_photo_item_new()): not ours to free. */
    self->photo->format = self->photo->raw_format = NULL;
    self->photo->meta.make = self->photo->meta.model = self->photo->meta.lens = NULL;
  }
  g_clear_pointer(&self->photo, derush_photo_free);
  g_free(self->display_name);
  g_free(self->search_key);
  g_free(self->thumb_error);

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
    g_value_set_pointer(value, (gpointer)derush_photo_item_get_analysis(self));
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
  self->analysis = &no_analysis;
}

/**
 * derush_photo_item_new:
 * @photo: (transfer full): the catalog record, whose format, raw_format,
 *   meta.make, meta.model and meta.lens are interned strings
 *   (g_intern_string(): a few distinct values for thousands of photos),
 *   which the item never frees.
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

/**
 * derush_search_fold:
 * @text: UTF-8 text, or a file name in file system bytes.
 *
 * Folds @text for a case-insensitive substring search (strstr() on two
 * folded strings): case-folded, then normalised (NFKC), so "É", "é" and
 * "e\u0301" meet. ASCII, the usual file name, takes one allocation.
 *
 * Returns: (transfer full): the folded text.
 */
char *
derush_search_fold(const char *text)
{
  gboolean ascii = TRUE;
  for (const char *c = text; *c && ascii; c++)
    ascii = !(*c & 0x80);
  if (ascii)
    return g_ascii_strdown(text, -1);
  g_autofree char *utf8 = g_utf8_validate(text, -1, NULL) ? NULL : g_filename_display_name(text);
  g_autofree char *folded = g_utf8_casefold(utf8 ? utf8 : text, -1);
  return g_utf8_normalize(folded, -1, G_NORMALIZE_ALL);
}

/**
 * derush_photo_item_get_search_key:
 * @folder: the open folder: what a search looks at is the path below it
 *   (subfolder names, then the file name).
 *
 * Made on the first search and kept, so each keystroke of a search costs a
 * strstr() per photo and no allocation (~5 MB at 100,000 photos).
 *
 * Returns: (transfer none): the path below @folder, folded by
 *   derush_search_fold().
 */
const char *
derush_photo_item_get_search_key(DerushPhotoItem *self, const char *folder)
{
  if (G_LIKELY(self->search_key))
    return self->search_key;
  const char *rel = self->photo->path;
  gsize n = folder ? strlen(folder) : 0;
  if (n > 0 && strncmp(rel, folder, n) == 0 &&
      (rel[n] == G_DIR_SEPARATOR || folder[n - 1] == G_DIR_SEPARATOR))
    for (rel += n; *rel == G_DIR_SEPARATOR; rel++)
      ;
  self->search_key = derush_search_fold(rel);
  return self->search_key;
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
 * Records what the catalog now holds after the user's change (or its undo
 * or redo) and notifies only what changed, so bound cells redraw.
 */
void
derush_photo_item_set_label(DerushPhotoItem *self, DerushLabel label, int stars)
{
  derush_photo_item_set_label_full(self, label, stars, DERUSH_SOURCE_USER);
}

/**
 * derush_photo_item_set_label_full:
 * @source: who made the change: DERUSH_SOURCE_AUTO for the model's
 *   auto-labels, which the grid draws apart from the user's.
 */
void
derush_photo_item_set_label_full(DerushPhotoItem *self, DerushLabel label, int stars,
                                 DerushLabelSource source)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  g_object_freeze_notify(G_OBJECT(self));
  gboolean was_auto = self->photo->labelled && self->photo->label_source == DERUSH_SOURCE_AUTO;
  self->photo->label_source = source;
  if (self->photo->label != label || was_auto != (source == DERUSH_SOURCE_AUTO)) {
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

/**
 * derush_photo_item_get_label_source:
 * Returns: who made the photo's last label change (DERUSH_SOURCE_USER when
 *   it never had one).
 */
DerushLabelSource
derush_photo_item_get_label_source(DerushPhotoItem *self)
{
  return self->photo->labelled ? self->photo->label_source : DERUSH_SOURCE_USER;
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
 * derush_photo_item_has_placeholder:
 * Returns: whether the texture is a stand-in (the photo's embedded
 * preview, set with size 0) waiting for the real thumbnail.
 */
gboolean
derush_photo_item_has_placeholder(DerushPhotoItem *self)
{
  return self->texture && self->texture_size == 0;
}

/**
 * derush_photo_item_set_texture:
 * @texture: (nullable): the thumbnail, or NULL to drop it (evicted).
 * @size: the long edge it was requested at (may exceed the texture's own
 *   size for small photos: the request is what was satisfied), or 0 for a
 *   placeholder (the embedded preview shown until the real one is made).
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

/**
 * derush_photo_item_get_analysis:
 * Main thread only.
 * Returns: (transfer none): what analysis found (zeroes and a NAN
 *   sharpness before), valid until the analysis table is published again.
 */
const DerushPhotoAnalysis *
derush_photo_item_get_analysis(DerushPhotoItem *self)
{
  if (self->analysis_table) {
    guint generation = derush_analysis_table_get_generation(self->analysis_table);
    if (self->analysis_generation != generation) {
      const DerushPhotoAnalysis *a =
          derush_analysis_table_lookup(self->analysis_table, self->photo->id);
      self->analysis = a ? a : &no_analysis;
      self->analysis_generation = generation;
    }
  }
  return self->analysis;
}

/**
 * derush_photo_item_set_analysis_table:
 * @table: (nullable): where the item finds its analysis record.
 */
void
derush_photo_item_set_analysis_table(DerushPhotoItem *self, DerushAnalysisTable *table)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  if (g_set_object(&self->analysis_table, table)) {
    self->analysis_generation = 0;
    self->analysis = &no_analysis;
  }
}

/**
 * derush_photo_item_notify_analysis:
 * Tells the cells and panels showing the item that its record may have
 * changed (the table was published again). The window calls it for the
 * items on screen only.
 */
void
derush_photo_item_notify_analysis(DerushPhotoItem *self)
{
  g_return_if_fail(DERUSH_IS_PHOTO_ITEM(self));
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ANALYSIS]);
}

/**
 * derush_photo_item_get_sharpness_rank:
 * Where the photo's sharpness stands in its folder (see
 * derush_analysis_table_get_sharpness_rank()).
 * Returns: 0..1 (1: the sharpest), NAN when unknown.
 */
double
derush_photo_item_get_sharpness_rank(DerushPhotoItem *self)
{
  g_return_val_if_fail(DERUSH_IS_PHOTO_ITEM(self), NAN);
  if (!self->analysis_table)
    return NAN;
  return derush_analysis_table_get_sharpness_rank(self->analysis_table,
                                                  derush_photo_item_get_analysis(self)->sharpness);
}
