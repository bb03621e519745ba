/* derush-window-learn.c: the window's learning: the trainer that retrains
 * in the background after labels (derush-trainer.c), its place in the
 * header bar's jobs area, what its answers change on screen, and the N key
 * (the next photo worth labelling).
 *
 * A finished training hands over one table of records (predictions, best
 * picks) that the window publishes whole (derush_window_apply_analysis:
 * only the cells on screen redraw), the model's figures for the side
 * panel's tiles, and the labels auto-labelling made, if the user turned it
 * on. Nothing here predicts, trains or queries on the main thread.
 */
#include "derush-window-private.h"

/* The header's learning indicator: a spinner while a training waits or
 * runs, then the model's cross-validated accuracy. */
static void
update_indicator(DerushWindow *self)
{
  gboolean busy = derush_trainer_is_busy(self->trainer);
  const DerushTrainResult *r = derush_trainer_get_result(self->trainer);
  gtk_widget_set_visible(GTK_WIDGET(self->train_spinner), busy);
  gtk_spinner_set_spinning(self->train_spinner, busy);
  g_autofree char *text = NULL, *tip = NULL;
  if (derush_trainer_is_running(self->trainer)) {
    text = g_strdup("Training…");
  } else if (busy) {
    text = g_strdup("Training soon…");
  } else if (r && r->state == DERUSH_MODEL_TRAINED) {
    text = g_strdup_printf("Model %.0f%%", r->cv_accuracy * 100);
    tip = g_strdup_printf("Trained on %" G_GINT64_FORMAT " labels: cross-validated accuracy "
                          "%.1f%%, keep-loss %.1f%% (kept photos it would call trash)",
                          r->labels, r->cv_accuracy * 100, r->cv_keep_loss * 100);
  } else if (r) {
    g_autofree char *needs = derush_learn_needs_text(r->keep, r->trash);
    text = g_strdup(needs ? "Learning: more labels" : "No model");
    tip = g_strdup_printf("The model %s", needs ? needs : derush_model_state_text(r->state));
  }
  gtk_label_set_text(self->train_label, text ? text : "");
  gtk_widget_set_tooltip_text(self->train_indicator, tip);
  gtk_widget_set_visible(self->train_indicator, text != NULL);
  derush_prediction_panel_set_model(derush_side_panel_get_prediction_panel(self->side_panel), r,
                                    busy);
}

static void
trainer_started_cb(DerushTrainer *trainer, gboolean training, DerushWindow *self)
{
  update_indicator(self);
}

/* The labels auto-labelling made, on the items shown: drawn as the
 * model's suggestions (derush-grid-cell.c). */
static void
apply_auto_labels(DerushWindow *self, GArray *labels)
{
  for (guint i = 0; labels && i < labels->len; i++) {
    const DerushAutoLabel *l = &g_array_index(labels, DerushAutoLabel, i);
    DerushPhotoItem *item = derush_photo_model_lookup_id(self->model, l->photo_id);
    if (item)
      derush_photo_item_set_label_full(item, l->label, l->stars, DERUSH_SOURCE_AUTO);
  }
  if (labels && labels->len > 0) {
    g_autofree char *message = g_strdup_printf(
        "The model labelled %u photos it is sure of (Ctrl+Z takes them back)", labels->len);
    derush_window_show_toast(self, message);
    derush_window_refilter(self);
  }
}

static void
trainer_finished_cb(DerushTrainer *trainer, const DerushTrainResult *result, GHashTable *table,
                    GArray *auto_labels, const char *error, DerushWindow *self)
{
  update_indicator(self);
  if (!result) {
    g_autofree char *message = g_strdup_printf("Learning failed: %s", error);
    derush_window_show_toast(self, message);
    return;
  }
  if (table)
    derush_window_apply_analysis(self, table, result->best_changed > 0);
  apply_auto_labels(self, auto_labels);
}

/**
 * derush_window_learning_labels_changed:
 * @by_user: a label (TRUE), or an undo or redo (FALSE)
 *
 * The labels changed: retrain when they are quiet.
 */
void
derush_window_learning_labels_changed(DerushWindow *self, gboolean by_user)
{
  derush_trainer_labels_changed(self->trainer, by_user);
  update_indicator(self);
}

/** derush_window_learning_set_folder: another folder: what ran for the last one stops. */
void
derush_window_learning_set_folder(DerushWindow *self)
{
  if (self->next_cancellable)
    g_cancellable_cancel(self->next_cancellable);
  derush_trainer_set_folder(self->trainer, derush_window_get_folder(self));
  update_indicator(self);
}

/** derush_window_learning_analyzed: new photos were analysed: predict them. */
void
derush_window_learning_analyzed(DerushWindow *self)
{
  derush_trainer_refresh(self->trainer);
  update_indicator(self);
}

/* N: the first of active learning's picks (derush_catalog_next(), as
 * `derush next`) that is in this folder: it asks for a few, since the
 * catalog may hold other folders. */
static void
next_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) picks = derush_trainer_next_finish(DERUSH_TRAINER(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->trainer)
    return;
  g_clear_object(&self->next_cancellable);
  if (!picks) {
    g_autofree char *message = g_strdup_printf("Cannot choose a photo: %s", error->message);
    derush_window_show_toast(self, message);
    return;
  }
  for (guint i = 0; i < picks->len; i++) {
    const DerushPick *pick = picks->pdata[i];
    if (derush_photo_model_lookup_id(self->model, pick->photo_id)) {
      gtk_widget_activate_action(GTK_WIDGET(self), "win.select-photo", "x", pick->photo_id);
      return;
    }
  }
  derush_window_show_toast(self, "Every photo of this folder is labelled");
}

static void
next_to_label_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (self->next_cancellable)
    g_cancellable_cancel(self->next_cancellable);
  g_clear_object(&self->next_cancellable);
  self->next_cancellable = g_cancellable_new();
  derush_trainer_next_async(self->trainer, 50, self->next_cancellable, next_done_cb,
                            g_object_ref(self));
}

/** derush_window_is_next_pending: an N is still choosing. */
gboolean
derush_window_is_next_pending(DerushWindow *self)
{
  return self->next_cancellable != NULL;
}

void
derush_window_class_init_learning(GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action(widget_class, "win.next-to-label", NULL, next_to_label_cb);
}

/**
 * derush_window_init_learning:
 * Makes the trainer (on the catalog the window opened) and its indicator,
 * beside the scan's in the header bar.
 */
void
derush_window_init_learning(DerushWindow *self)
{
  self->trainer = derush_trainer_new(self->catalog_path);
  g_signal_connect(self->trainer, "started", G_CALLBACK(trainer_started_cb), self);
  g_signal_connect(self->trainer, "finished", G_CALLBACK(trainer_finished_cb), self);
  derush_prediction_panel_set_trainer(derush_side_panel_get_prediction_panel(self->side_panel),
                                      self->trainer);

  self->train_indicator = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class(self->train_indicator, "jobs");
  gtk_widget_set_margin_start(self->train_indicator, 6);
  self->train_spinner = GTK_SPINNER(gtk_spinner_new());
  self->train_label = GTK_LABEL(gtk_label_new(NULL));
  gtk_widget_add_css_class(GTK_WIDGET(self->train_label), "caption");
  gtk_widget_add_css_class(GTK_WIDGET(self->train_label), "numeric");
  gtk_box_append(GTK_BOX(self->train_indicator), GTK_WIDGET(self->train_spinner));
  gtk_box_append(GTK_BOX(self->train_indicator), GTK_WIDGET(self->train_label));
  gtk_widget_set_visible(self->train_indicator, FALSE);
  GtkWidget *jobs_parent = gtk_widget_get_parent(self->jobs_box);
  if (GTK_IS_BOX(jobs_parent))
    gtk_box_insert_child_after(GTK_BOX(jobs_parent), self->train_indicator, self->jobs_box);
  else
    gtk_widget_insert_after(self->train_indicator, jobs_parent, self->jobs_box);
}

/** derush_window_dispose_learning: stops the trainer; its answers no longer come here. */
void
derush_window_dispose_learning(DerushWindow *self)
{
  if (self->next_cancellable)
    g_cancellable_cancel(self->next_cancellable);
  g_clear_object(&self->next_cancellable);
  if (self->trainer) {
    g_signal_handlers_disconnect_by_data(self->trainer, self);
    derush_trainer_cancel(self->trainer);
  }
  g_clear_object(&self->trainer);
}

/**
 * derush_window_set_train_delay:
 * @delay_ms: the quiet time after a label before training (tests shorten it).
 */
void
derush_window_set_train_delay(DerushWindow *self, guint delay_ms)
{
  derush_trainer_set_delay(self->trainer, delay_ms);
}

/** derush_window_is_learning: a training waits, runs, or reasons are on their way. */
gboolean
derush_window_is_learning(DerushWindow *self)
{
  return derush_trainer_is_busy(self->trainer) || derush_window_is_next_pending(self) ||
         derush_prediction_panel_is_explaining(
             derush_side_panel_get_prediction_panel(self->side_panel));
}

/** derush_window_describe_learning: Returns: (transfer full): the panel's model lines. */
char *
derush_window_describe_learning(DerushWindow *self)
{
  g_autofree char *panel =
      derush_prediction_panel_describe(derush_side_panel_get_prediction_panel(self->side_panel));
  return g_strdup_printf("indicator %s\n%s", gtk_label_get_text(self->train_label), panel);
}
