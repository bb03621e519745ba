/* derush-side-panel.c: decisions, group, details and dataset status beside the grid.
 *
 * The panel only shows state: its buttons activate the window's actions
 * (win.keep, win.stars-N...), so mouse and keyboard take the same path.
 * The window tells it which photo is current and what the dataset counts
 * are; it reads nothing from the catalog itself (everything it shows was
 * read once, at scan time, into the photo record, or by the analysis).
 *
 * Under the decisions, the current photo's group (burst, near-duplicates,
 * else session) runs as a strip of thumbnails, DerushGroupStrip; a click
 * on one selects it (win.select-photo).
 */
#include "derush-side-panel.h"
#include "derush-photo-text.h"
#include "derush-face-marks.h"
#include <adwaita.h>
#include <math.h>

struct _DerushSidePanel {
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkWidget *stars_box;
  GtkWidget *strip_group;
  DerushGroupStrip *group_strip;
  DerushPredictionPanel *prediction_panel;
  GtkWidget *details_group;
  /* update_details() clears status_row..faces_row in one loop. faces_row
   * sits in faces_group, over the model's section: what is wrong with the
   * faces is a reason to trash, read at a glance. */
  AdwActionRow *name_row, *status_row, *date_row, *camera_row, *lens_row, *exposure_row, *size_row,
      *quality_row, *faces_row;
  GtkWidget *stats_grid;
  GtkWidget *faces_group;

  GtkWidget *star_buttons[5];
  GtkWidget *stat_values[7];
  GtkWidget *unreadable_tile;
  DerushPhotoItem *item;
  GSignalGroup *item_signals;
};

G_DEFINE_FINAL_TYPE(DerushSidePanel, derush_side_panel, GTK_TYPE_WIDGET)

enum {
  STAT_TOTAL,
  STAT_LABELLED,
  STAT_UNLABELLED,
  STAT_KEEP,
  STAT_TRASH,
  STAT_SELECTED,
  STAT_UNREADABLE,
  N_STATS
};
static const char *const stat_names[N_STATS] = {"Total", "Labelled", "Unlabelled", "Keep",
                                                "Trash", "Selected", "Unavailable"};
static const char *const stat_classes[N_STATS] = {NULL,    NULL,     NULL,     "keep",
                                                  "trash", "accent", "warning"};

/**
 * _derush_format_exposure:
 * @meta: a photo's metadata.
 *
 * Shutter as a fraction under a second ("1/250 s"), aperture, ISO and focal
 * length (with the 35 mm equivalent when it differs), joined by dots.
 *
 * Returns: (transfer full) (nullable): the text, NULL when nothing is known.
 */
char *
_derush_format_exposure(const DerushMeta *meta)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
  double t = meta->exposure_time;
  if (!isnan(t) && t > 0) {
    if (t < 0.5)
      g_ptr_array_add(parts, g_strdup_printf("1/%.0f s", 1.0 / t));
    else
      g_ptr_array_add(parts, g_strdup_printf("%.1f s", t));
  }
  if (!isnan(meta->f_number) && meta->f_number > 0)
    g_ptr_array_add(parts, g_strdup_printf("f/%.1f", meta->f_number));
  if (!isnan(meta->iso) && meta->iso > 0)
    g_ptr_array_add(parts, g_strdup_printf("ISO %.0f", meta->iso));
  if (!isnan(meta->focal_length_mm) && meta->focal_length_mm > 0) {
    if (!isnan(meta->focal_length_35mm) &&
        fabs(meta->focal_length_35mm - meta->focal_length_mm) > 1)
      g_ptr_array_add(parts, g_strdup_printf("%.0f mm (%.0f mm eq.)", meta->focal_length_mm,
                                             meta->focal_length_35mm));
    else
      g_ptr_array_add(parts, g_strdup_printf("%.0f mm", meta->focal_length_mm));
  }
  if (!isnan(meta->exposure_bias) && fabs(meta->exposure_bias) > 0.01)
    g_ptr_array_add(parts, g_strdup_printf("%+.1f EV", meta->exposure_bias));
  g_ptr_array_add(parts, NULL);
  char *text = parts->len > 1 ? g_strjoinv(" · ", (char **)parts->pdata) : NULL;
  g_ptr_array_unref(parts);
  return text;
}

static void
set_row(AdwActionRow *row, const char *value)
{
  gtk_widget_set_visible(GTK_WIDGET(row), value != NULL);
  adw_action_row_set_subtitle(row, value ? value : "");
}

/**
 * _derush_stat_tile_new:
 * @name: the caption under the value
 * @css_class: (nullable): a colour class ("keep", "trash")
 * @value_text: what the value shows at first
 * @value: (out) (transfer none): the value's label, to set later
 *
 * One dataset tile (style.css: .stat): a number over its caption.
 *
 * Returns: (transfer floating): the tile.
 */
GtkWidget *
_derush_stat_tile_new(const char *name, const char *css_class, const char *value_text,
                      GtkWidget **value)
{
  GtkWidget *tile = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class(tile, "card");
  gtk_widget_add_css_class(tile, "stat");
  if (css_class)
    gtk_widget_add_css_class(tile, css_class);
  *value = gtk_label_new(value_text);
  gtk_widget_add_css_class(*value, "title-3");
  gtk_widget_add_css_class(*value, "numeric");
  GtkWidget *caption = gtk_label_new(name);
  gtk_widget_add_css_class(caption, "caption");
  gtk_widget_add_css_class(caption, "dim-label");
  gtk_box_append(GTK_BOX(tile), *value);
  gtk_box_append(GTK_BOX(tile), caption);
  return tile;
}

static void
update_stars(DerushSidePanel *self)
{
  int stars = self->item ? derush_photo_item_get_stars(self->item) : 0;
  for (int i = 0; i < 5; i++) {
    gtk_button_set_icon_name(GTK_BUTTON(self->star_buttons[i]),
                             i < stars ? "starred-symbolic" : "non-starred-symbolic");
    if (i < stars)
      gtk_widget_add_css_class(self->star_buttons[i], "lit");
    else
      gtk_widget_remove_css_class(self->star_buttons[i], "lit");
  }
}

/* The group strip's heading: hidden with the strip, while the photo is in
 * no group (or before the analysis has run). */
static void
strip_changed_cb(DerushSidePanel *self)
{
  DerushStripKind kind = derush_group_strip_get_kind(self->group_strip);
  /* The strip follows the panel's photo (update_details), so it shows no
   * group without one; checked again as derush_photo_text_best() needs an
   * item. */
  gboolean shown = kind != DERUSH_STRIP_NONE && self->item;
  gtk_widget_set_visible(self->strip_group, shown);
  if (!shown)
    return;
  guint n = g_list_model_get_n_items(derush_group_strip_get_members(self->group_strip));
  const char *what =
      derush_group_kind_title(kind == DERUSH_STRIP_BURST      ? DERUSH_GROUP_BURST
                              : kind == DERUSH_STRIP_NEAR_DUP ? DERUSH_GROUP_NEAR_DUP
                                                              : DERUSH_GROUP_SESSION);
  g_autofree char *title = g_strdup_printf("%s · %u photos", what, n);
  DerushPhotoItem *best = derush_group_strip_get_best(self->group_strip);
  g_autofree char *description = NULL;
  if (kind == DERUSH_STRIP_SESSION)
    description = g_strdup("In no burst or near-duplicate set");
  else if (best == self->item)
    description = derush_photo_text_best(self->item, NULL);
  else if (best)
    description = derush_photo_text_best(self->item, best);
  adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(self->strip_group), title);
  adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(self->strip_group), description);
}

/* Group and quality indicators: hidden until the analysis has run. */
static void
update_analysis(DerushSidePanel *self)
{
  derush_group_strip_set_current(self->group_strip, self->item); /* strip_changed_cb */
  if (!self->item) {
    set_row(self->quality_row, NULL);
    set_row(self->faces_row, NULL);
    gtk_widget_set_visible(self->faces_group, FALSE);
    return;
  }
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(self->item);

  g_autofree char *quality = NULL;
  g_autofree char *sharpness = derush_photo_text_sharpness(self->item);
  if (sharpness) {
    const char *exposure = a->exposure == DERUSH_EXPOSURE_UNDER  ? "⚠ under-exposed"
                           : a->exposure == DERUSH_EXPOSURE_OVER ? "⚠ over-exposed"
                                                                 : "exposure fine";
    g_autofree char *soft = derush_photo_text_soft(a);
    quality =
        g_strdup_printf("%s\n%s%s%s", sharpness, soft ? soft : "", soft ? "\n" : "", exposure);
  }
  set_row(self->quality_row, quality);
  /* Closed eyes and soft faces, in words (derush-face-marks.c). */
  g_autofree char *faces = derush_face_text_reason(a);
  set_row(self->faces_row, faces);
  gtk_widget_set_visible(self->faces_group, faces != NULL);
}

static void
update_details(DerushSidePanel *self)
{
  update_stars(self);
  gtk_widget_set_sensitive(self->details_group, self->item != NULL);
  if (!self->item) {
    set_row(self->name_row, "No photo selected");
    for (AdwActionRow **r = &self->status_row; r <= &self->faces_row; r++)
      set_row(*r, NULL);
    /* The strip too: left on the last photo, it would go on showing (and
     * holding) a photo an apply just moved away, and describe its group
     * for no photo when the folder is listed again (derush-gtk crashed
     * there on a NULL item in CI at 34c43b4, the move-undo GUI test). */
    update_analysis(self);
    return;
  }
  const DerushPhoto *p = derush_photo_item_get_photo(self->item);
  g_autofree char *folder = g_path_get_dirname(p->path);
  g_autofree char *folder_display = g_filename_display_name(folder);
  g_autofree char *name =
      g_strdup_printf("%s\n%s", derush_photo_item_get_display_name(self->item), folder_display);
  set_row(self->name_row, name);

  const char *reason = p->reason ? p->reason : derush_photo_item_get_thumb_error(self->item);
  if (reason) {
    adw_preferences_row_set_title(ADW_PREFERENCES_ROW(self->status_row),
                                  p->status == DERUSH_PHOTO_MISSING      ? "Missing"
                                  : p->status == DERUSH_PHOTO_UNREADABLE ? "Unreadable"
                                                                         : "No preview");
  }
  set_row(self->status_row, reason);

  g_autofree char *date = derush_format_capture_time(p->meta.capture_time_ns, p->meta.has_offset,
                                                     p->meta.offset_minutes, p->meta.time_source);
  if (date) {
    /* ISO 8601 reads better with a space than with the T. */
    char *t = strchr(date, 'T');
    if (t)
      *t = ' ';
    if (p->meta.time_source == DERUSH_TIME_FILE_MTIME) {
      char *with = g_strconcat(date, " (file date)", NULL);
      g_free(date);
      date = with;
    }
  }
  set_row(self->date_row, date);

  g_autofree char *camera = derush_meta_camera_name(&p->meta);
  set_row(self->camera_row, camera);
  set_row(self->lens_row, p->meta.lens);
  g_autofree char *exposure = _derush_format_exposure(&p->meta);
  set_row(self->exposure_row, exposure);

  g_autofree char *bytes = p->size >= 0 ? g_format_size(p->size) : NULL;
  g_autofree char *format =
      p->format ? g_ascii_strup(p->raw_format ? p->raw_format : p->format, -1) : NULL;
  GString *size = g_string_new(NULL);
  if (p->width > 0 && p->height > 0)
    g_string_append_printf(size, "%d × %d (%.1f MP)", p->width, p->height,
                           p->width * (double)p->height / 1e6);
  if (bytes)
    g_string_append_printf(size, "%s%s", size->len ? " · " : "", bytes);
  if (format)
    g_string_append_printf(size, "%s%s", size->len ? " · " : "", format);
  if (p->pair_path) {
    g_autofree char *pair = g_path_get_basename(p->pair_path);
    g_autofree char *pair_display = g_filename_display_name(pair);
    g_string_append_printf(size, "\npaired with %s", pair_display);
  }
  g_autofree char *size_text = g_string_free(size, FALSE);
  set_row(self->size_row, *size_text ? size_text : NULL);
  update_analysis(self);
}

static void
star_clicked_cb(GtkButton *button, DerushSidePanel *self)
{
  int n = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(button), "stars"));
  /* Clicking the current rating clears it, as in most photo tools. */
  if (self->item && derush_photo_item_get_stars(self->item) == n)
    n = 0;
  g_autofree char *action = g_strdup_printf("win.stars-%d", n);
  gtk_widget_activate_action(GTK_WIDGET(self), action, NULL);
}

static void
derush_side_panel_dispose(GObject *object)
{
  DerushSidePanel *self = DERUSH_SIDE_PANEL(object);
  g_clear_object(&self->item_signals);
  g_clear_object(&self->item);
  gtk_widget_dispose_template(GTK_WIDGET(self), DERUSH_TYPE_SIDE_PANEL);
  G_OBJECT_CLASS(derush_side_panel_parent_class)->dispose(object);
}

static void
derush_side_panel_class_init(DerushSidePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_side_panel_dispose;

  g_type_ensure(DERUSH_TYPE_GROUP_STRIP);
  g_type_ensure(DERUSH_TYPE_PREDICTION_PANEL);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/derush/Derush/derush-side-panel.ui");
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, scroller);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, stars_box);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, strip_group);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, group_strip);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, prediction_panel);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, details_group);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, name_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, status_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, date_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, camera_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, lens_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, exposure_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, size_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, quality_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, faces_row);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, faces_group);
  gtk_widget_class_bind_template_child(widget_class, DerushSidePanel, stats_grid);
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "derush-side-panel");
}

static void
derush_side_panel_init(DerushSidePanel *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));

  for (int i = 0; i < 5; i++) {
    GtkWidget *b = gtk_button_new_from_icon_name("non-starred-symbolic");
    g_object_set_data(G_OBJECT(b), "stars", GINT_TO_POINTER(i + 1));
    g_autofree char *tip = g_strdup_printf("%d star%s (%d)", i + 1, i ? "s" : "", i + 1);
    gtk_widget_set_tooltip_text(b, tip);
    gtk_widget_set_focus_on_click(b, FALSE);
    gtk_widget_add_css_class(b, "flat");
    gtk_widget_add_css_class(b, "circular");
    g_signal_connect(b, "clicked", G_CALLBACK(star_clicked_cb), self);
    gtk_box_append(GTK_BOX(self->stars_box), b);
    self->star_buttons[i] = b;
  }

  for (int i = 0; i < N_STATS; i++) {
    GtkWidget *value;
    GtkWidget *tile = _derush_stat_tile_new(stat_names[i], stat_classes[i], "0", &value);
    gtk_grid_attach(GTK_GRID(self->stats_grid), tile, i % 3, i / 3, 1, 1);
    self->stat_values[i] = value;
    if (i == STAT_UNREADABLE)
      self->unreadable_tile = tile;
  }

  g_signal_connect_swapped(self->group_strip, "changed", G_CALLBACK(strip_changed_cb), self);
  self->item_signals = g_signal_group_new(DERUSH_TYPE_PHOTO_ITEM);
  g_signal_group_connect_swapped(self->item_signals, "notify::stars", G_CALLBACK(update_stars),
                                 self);
  g_signal_group_connect_swapped(self->item_signals, "notify::thumb-error",
                                 G_CALLBACK(update_details), self);
  g_signal_group_connect_swapped(self->item_signals, "notify::analysis",
                                 G_CALLBACK(update_analysis), self);
  update_details(self);
}

/**
 * derush_side_panel_set_item:
 * @item: (nullable): the current photo (the first selected), or NULL.
 */
void
derush_side_panel_set_item(DerushSidePanel *self, DerushPhotoItem *item)
{
  g_return_if_fail(DERUSH_IS_SIDE_PANEL(self));
  if (self->item == item)
    return;
  g_set_object(&self->item, item);
  g_signal_group_set_target(self->item_signals, item);
  derush_prediction_panel_set_item(self->prediction_panel, item);
  update_details(self);
}

/** derush_side_panel_set_stats: shows the dataset counts. */
void
derush_side_panel_set_stats(DerushSidePanel *self, const DerushDatasetStats *stats)
{
  const guint values[N_STATS] = {stats->total, stats->labelled, stats->unlabelled, stats->keep,
                                 stats->trash, stats->selected, stats->unreadable};
  for (int i = 0; i < N_STATS; i++) {
    char text[32];
    g_snprintf(text, sizeof text, "%u", values[i]);
    gtk_label_set_text(GTK_LABEL(self->stat_values[i]), text);
  }
  /* Only worth a tile when there is something to look at. */
  gtk_widget_set_visible(self->unreadable_tile, stats->unreadable > 0);
}

/**
 * derush_side_panel_set_photos:
 * @photos: (nullable): every photo of the folder (DerushPhotoItem), where
 *   the group strip finds the current photo's group.
 * @thumbnailer: (nullable): where the strip asks for its thumbnails.
 */
void
derush_side_panel_set_photos(DerushSidePanel *self, GListModel *photos,
                             DerushThumbnailer *thumbnailer)
{
  g_return_if_fail(DERUSH_IS_SIDE_PANEL(self));
  derush_group_strip_set_thumbnailer(self->group_strip, thumbnailer);
  derush_group_strip_set_photos(self->group_strip, photos);
  derush_group_strip_set_current(self->group_strip, self->item);
}

/** derush_side_panel_groups_changed: a new analysis is out: show the groups it found. */
void
derush_side_panel_groups_changed(DerushSidePanel *self)
{
  g_return_if_fail(DERUSH_IS_SIDE_PANEL(self));
  derush_group_strip_groups_changed(self->group_strip);
  update_analysis(self);
}

/** derush_side_panel_get_group_strip: Returns: (transfer none): the group strip. */
DerushGroupStrip *
derush_side_panel_get_group_strip(DerushSidePanel *self)
{
  g_return_val_if_fail(DERUSH_IS_SIDE_PANEL(self), NULL);
  return self->group_strip;
}

/** derush_side_panel_get_prediction_panel: Returns: (transfer none): the model section. */
DerushPredictionPanel *
derush_side_panel_get_prediction_panel(DerushSidePanel *self)
{
  g_return_val_if_fail(DERUSH_IS_SIDE_PANEL(self), NULL);
  return self->prediction_panel;
}

/**
 * derush_side_panel_get_quality_text:
 * Returns: (transfer none) (nullable): what the Quality row says of the
 *   current photo (sharpness, soft and noisy warnings, exposure), NULL
 *   while the row is hidden (for the tests).
 */
const char *
derush_side_panel_get_quality_text(DerushSidePanel *self)
{
  g_return_val_if_fail(DERUSH_IS_SIDE_PANEL(self), NULL);
  if (!gtk_widget_get_visible(GTK_WIDGET(self->quality_row)))
    return NULL;
  return adw_action_row_get_subtitle(self->quality_row);
}

/**
 * derush_side_panel_get_faces_text:
 * Returns: (transfer none) (nullable): what the Faces row says of the
 *   current photo, NULL while the row is hidden (for the tests).
 */
const char *
derush_side_panel_get_faces_text(DerushSidePanel *self)
{
  g_return_val_if_fail(DERUSH_IS_SIDE_PANEL(self), NULL);
  if (!gtk_widget_get_visible(GTK_WIDGET(self->faces_row)))
    return NULL;
  return adw_action_row_get_subtitle(self->faces_row);
}
