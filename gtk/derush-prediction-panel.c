/* derush-prediction-panel.c: the side panel's model section.
 *
 * Two groups. "Model" shows the dataset tiles: the keep and trash labels
 * the model learns from, its cross-validated accuracy and keep-loss (the
 * share of kept photos it would call trash), and a line saying what it is
 * doing or missing ("needs 3 more trash labels", "training…"). "Prediction"
 * shows the current photo's p(keep), zone and uncertainty, read from the
 * stored batch prediction (no model call), and the reasons: the features
 * that pushed this prediction most, in words.
 *
 * Reasons cost a per-feature contribution pass over the model (and a read
 * of the dataset), so they are computed for the selected photo only, on
 * the trainer's worker, once the selection has rested for a moment
 * (arrowing through a burst asks for one, not ten); a newer selection
 * cancels the older request.
 */
#include "derush-prediction-panel.h"
#include "derush-prediction-filter.h"
#include "derush-side-panel.h"
#include <adwaita.h>
#include <math.h>

#define EXPLAIN_DELAY_MS 150
#define MAX_REASONS 4

enum { TILE_KEEP, TILE_TRASH, TILE_ACCURACY, TILE_KEEP_LOSS, N_TILES };
static const char *const tile_names[N_TILES] = {"Keep labels", "Trash labels", "CV accuracy",
                                                "Keep-loss"};

struct _DerushPredictionPanel {
  GtkWidget parent_instance;

  GtkWidget *model_group;
  GtkWidget *tiles[N_TILES]; /* value labels */
  GtkWidget *photo_group;
  AdwActionRow *p_row;
  AdwActionRow *reasons_row;

  DerushTrainer *trainer;
  DerushPhotoItem *item;
  GSignalGroup *item_signals;
  guint explain_source;
  GCancellable *explain_cancellable;
  gboolean explaining;
  DerushPhotoItem *explained; /* (unowned) compared only: the item of the reasons shown */
  gint64 explained_version;   /* the model version they came from */
  char *reasons;              /* the text shown, one reason a line */
  char *model_text;
};

G_DEFINE_FINAL_TYPE(DerushPredictionPanel, derush_prediction_panel, GTK_TYPE_WIDGET)

static void
set_subtitle(AdwActionRow *row, const char *text)
{
  adw_action_row_set_subtitle(row, text ? text : "");
  gtk_widget_set_visible(GTK_WIDGET(row), text && *text);
}

static void
cancel_explain(DerushPredictionPanel *self)
{
  g_clear_handle_id(&self->explain_source, g_source_remove);
  if (self->explain_cancellable)
    g_cancellable_cancel(self->explain_cancellable);
  g_clear_object(&self->explain_cancellable);
  self->explaining = FALSE;
}

static void
explain_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushPredictionPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushExplanation) e =
      derush_trainer_explain_finish(DERUSH_TRAINER(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_cancellable(G_TASK(result)) != self->explain_cancellable)
    return; /* superseded */
  self->explaining = FALSE;
  g_clear_object(&self->explain_cancellable);
  GString *text = g_string_new(NULL);
  if (e) {
    /* ↑ pushed toward keep, ↓ toward trash. */
    for (guint i = 0; i < e->n_reasons; i++)
      g_string_append_printf(text, "%s%s %s", i ? "\n" : "",
                             e->reasons[i].contribution > 0 ? "↑" : "↓", e->reasons[i].text);
  } else {
    g_debug("explain: %s", error->message);
  }
  g_free(self->reasons);
  self->reasons = g_string_free(text, FALSE);
  set_subtitle(self->reasons_row, self->reasons);
}

static gboolean
explain_cb(gpointer data)
{
  DerushPredictionPanel *self = data;
  self->explain_source = 0;
  self->explain_cancellable = g_cancellable_new();
  derush_trainer_explain_async(self->trainer, derush_photo_item_get_photo(self->item)->path,
                               MAX_REASONS, self->explain_cancellable, explain_done_cb,
                               g_object_ref(self));
  return G_SOURCE_REMOVE;
}

/* The reasons belong to one photo and one model: ask again when either
 * changed, and only when a trained model answered (the prior has none). */
static void
update_reasons(DerushPredictionPanel *self)
{
  const DerushPhotoAnalysis *a = self->item ? derush_photo_item_get_analysis(self->item) : NULL;
  gint64 version = a && !isnan(a->p_keep) ? a->model_version : 0;
  if (self->explained == self->item && self->explained_version == version)
    return;
  cancel_explain(self);
  self->explained = self->item;
  self->explained_version = version;
  g_clear_pointer(&self->reasons, g_free);
  set_subtitle(self->reasons_row, NULL);
  if (version <= 0 || !self->trainer)
    return;
  self->explaining = TRUE;
  self->explain_source = g_timeout_add(EXPLAIN_DELAY_MS, explain_cb, self);
}

/**
 * derush_prediction_panel_update:
 * Shows the current photo's stored prediction again (after a new batch).
 */
void
derush_prediction_panel_update(DerushPredictionPanel *self)
{
  g_return_if_fail(DERUSH_IS_PREDICTION_PANEL(self));
  const DerushPhotoAnalysis *a = self->item ? derush_photo_item_get_analysis(self->item) : NULL;
  gboolean shown = a && !isnan(a->p_keep);
  gtk_widget_set_visible(self->photo_group, shown);
  if (shown) {
    g_autofree char *p =
        a->model_version > 0
            ? g_strdup_printf("%.2f · %s · uncertainty %.2f", a->p_keep, derush_zone_text(a->zone),
                              a->uncertainty)
            : g_strdup_printf("%.2f · quality prior, not yet your taste", a->p_keep);
    set_subtitle(self->p_row, p);
  }
  update_reasons(self);
}

static void
set_tile(DerushPredictionPanel *self, int tile, const char *value)
{
  gtk_label_set_text(GTK_LABEL(self->tiles[tile]), value);
}

static char *
percent(double fraction)
{
  return isnan(fraction) ? g_strdup("–") : g_strdup_printf("%.0f%%", fraction * 100);
}

/**
 * derush_prediction_panel_set_model:
 * @result: (nullable): what the trainer last said of the model
 * @training: a training is waiting or running
 *
 * Fills the dataset tiles and the model's status line.
 */
void
derush_prediction_panel_set_model(DerushPredictionPanel *self, const DerushTrainResult *result,
                                  gboolean training)
{
  g_return_if_fail(DERUSH_IS_PREDICTION_PANEL(self));
  char buf[32];
  g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, result ? result->keep : 0);
  set_tile(self, TILE_KEEP, buf);
  g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, result ? result->trash : 0);
  set_tile(self, TILE_TRASH, buf);
  gboolean trained = result && result->state == DERUSH_MODEL_TRAINED;
  g_autofree char *accuracy = percent(trained ? result->cv_accuracy : NAN);
  g_autofree char *keep_loss = percent(trained ? result->cv_keep_loss : NAN);
  set_tile(self, TILE_ACCURACY, accuracy);
  set_tile(self, TILE_KEEP_LOSS, keep_loss);

  g_autofree char *needs = result ? derush_learn_needs_text(result->keep, result->trash) : NULL;
  g_free(self->model_text);
  if (training)
    self->model_text = g_strdup("Learning from your labels…");
  else if (!result)
    self->model_text = g_strdup("Looking for a model…");
  else if (trained)
    self->model_text = g_strdup_printf(
        "Trained on %" G_GINT64_FORMAT " labels (model %" G_GINT64_FORMAT ", %s calibration)",
        result->labels, result->model_version, result->isotonic ? "isotonic" : "Platt");
  else if (needs)
    self->model_text = g_strdup_printf("The model %s (3 of each kind, 8 in all)", needs);
  else
    self->model_text = g_strdup(derush_model_state_text(result->state));
  /* Sentence case: the library's sentences start in lower case. */
  self->model_text[0] = g_ascii_toupper(self->model_text[0]);
  adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(self->model_group), self->model_text);
}

/** derush_prediction_panel_set_trainer: where reasons are asked for. */
void
derush_prediction_panel_set_trainer(DerushPredictionPanel *self, DerushTrainer *trainer)
{
  g_return_if_fail(DERUSH_IS_PREDICTION_PANEL(self));
  g_set_object(&self->trainer, trainer);
}

/** derush_prediction_panel_set_item: @item: (nullable): the current photo. */
void
derush_prediction_panel_set_item(DerushPredictionPanel *self, DerushPhotoItem *item)
{
  g_return_if_fail(DERUSH_IS_PREDICTION_PANEL(self));
  if (self->item == item)
    return;
  g_set_object(&self->item, item);
  g_signal_group_set_target(self->item_signals, item);
  derush_prediction_panel_update(self);
}

/** derush_prediction_panel_is_explaining: reasons for the current photo are on their way. */
gboolean
derush_prediction_panel_is_explaining(DerushPredictionPanel *self)
{
  return self->explaining;
}

/**
 * derush_prediction_panel_describe:
 * Returns: (transfer full): what the panel shows, as lines for the replay
 *   ("model TEXT", "tile NAME VALUE", "prediction TEXT", "reason TEXT").
 */
char *
derush_prediction_panel_describe(DerushPredictionPanel *self)
{
  GString *out = g_string_new(NULL);
  g_string_append_printf(out, "model %s\n", self->model_text ? self->model_text : "");
  for (int i = 0; i < N_TILES; i++)
    g_string_append_printf(out, "tile %s: %s\n", tile_names[i],
                           gtk_label_get_text(GTK_LABEL(self->tiles[i])));
  if (gtk_widget_get_visible(self->photo_group))
    g_string_append_printf(out, "prediction %s\n", adw_action_row_get_subtitle(self->p_row));
  if (self->reasons && *self->reasons) {
    g_auto(GStrv) lines = g_strsplit(self->reasons, "\n", -1);
    for (int i = 0; lines[i]; i++)
      g_string_append_printf(out, "reason %s\n", lines[i]);
  }
  return g_string_free(out, FALSE);
}

static GtkWidget *
make_row(const char *title, int lines)
{
  GtkWidget *row = adw_action_row_new();
  adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
  adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), lines);
  gtk_widget_add_css_class(row, "property");
  return row;
}

static void
derush_prediction_panel_dispose(GObject *object)
{
  DerushPredictionPanel *self = DERUSH_PREDICTION_PANEL(object);
  cancel_explain(self);
  g_clear_object(&self->item_signals);
  g_clear_object(&self->item);
  g_clear_object(&self->trainer);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
    gtk_widget_unparent(child);
  G_OBJECT_CLASS(derush_prediction_panel_parent_class)->dispose(object);
}

static void
derush_prediction_panel_finalize(GObject *object)
{
  DerushPredictionPanel *self = DERUSH_PREDICTION_PANEL(object);
  g_free(self->reasons);
  g_free(self->model_text);
  G_OBJECT_CLASS(derush_prediction_panel_parent_class)->finalize(object);
}

static void
derush_prediction_panel_class_init(DerushPredictionPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_prediction_panel_dispose;
  object_class->finalize = derush_prediction_panel_finalize;
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "derush-prediction-panel");
}

static void
derush_prediction_panel_init(DerushPredictionPanel *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager(GTK_WIDGET(self));
  gtk_orientable_set_orientation(GTK_ORIENTABLE(layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing(GTK_BOX_LAYOUT(layout), 18);

  self->photo_group = adw_preferences_group_new();
  adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(self->photo_group), "Prediction");
  self->p_row = ADW_ACTION_ROW(make_row("p(keep)", 2));
  self->reasons_row = ADW_ACTION_ROW(make_row("Why", MAX_REASONS));
  adw_preferences_group_add(ADW_PREFERENCES_GROUP(self->photo_group), GTK_WIDGET(self->p_row));
  adw_preferences_group_add(ADW_PREFERENCES_GROUP(self->photo_group),
                            GTK_WIDGET(self->reasons_row));
  gtk_widget_set_visible(self->photo_group, FALSE);
  gtk_widget_set_visible(GTK_WIDGET(self->reasons_row), FALSE);
  gtk_widget_set_parent(self->photo_group, GTK_WIDGET(self));

  /* The side panel's dataset tiles, one more row of them. */
  self->model_group = adw_preferences_group_new();
  adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(self->model_group), "Model");
  GtkWidget *grid = gtk_grid_new();
  gtk_grid_set_column_spacing(GTK_GRID(grid), 6);
  gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
  gtk_grid_set_column_homogeneous(GTK_GRID(grid), TRUE);
  static const char *const classes[N_TILES] = {"keep", "trash", NULL, NULL};
  for (int i = 0; i < N_TILES; i++) {
    GtkWidget *tile = derush_stat_tile_new(tile_names[i], classes[i], "–", &self->tiles[i]);
    gtk_grid_attach(GTK_GRID(grid), tile, i % 2, i / 2, 1, 1);
  }
  adw_preferences_group_add(ADW_PREFERENCES_GROUP(self->model_group), grid);
  gtk_widget_set_parent(self->model_group, GTK_WIDGET(self));
  derush_prediction_panel_set_model(self, NULL, FALSE);

  self->item_signals = g_signal_group_new(DERUSH_TYPE_PHOTO_ITEM);
  g_signal_group_connect_swapped(self->item_signals, "notify::analysis",
                                 G_CALLBACK(derush_prediction_panel_update), self);
}
