/* derush-cull-groups.c: "keep the best of every group, trash the rest" as one reviewed step.
 *
 * The step photographers ask peers for: after the analysis, every burst and
 * near-duplicate set of the folder keeps its best pick and sends the rest
 * to trash. Nothing irreversible happens without a look first: a dialog
 * says how many photos each side gets (labels the photographer set stay as
 * they are; a group whose best pick is in another folder is left alone, so
 * a set is never emptied here), then the labels are written (undoable, as
 * any label) and the apply dialog opens on its dry run of the trash, where
 * the photographer confirms the files' move or goes back to the grid.
 */
#include "derush-apply-dialog.h"
#include "derush-window-private.h"

typedef struct {
  GPtrArray *keep;   /* best picks, unlabelled */
  GPtrArray *trash;  /* the other members, unlabelled */
  GHashTable *bests; /* group id -> TRUE: groups with a best pick here */
  guint groups;
} Plan;

static void
find_bests_cb(gpointer item, gpointer user_data)
{
  Plan *plan = user_data;
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  if (a->group_id && a->group_size >= 2 && a->is_best)
    g_hash_table_add(plan->bests, g_memdup2(&a->group_id, sizeof a->group_id));
}

static void
plan_cb(gpointer item, gpointer user_data)
{
  Plan *plan = user_data;
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  if (!a->group_id || a->group_size < 2 || !g_hash_table_contains(plan->bests, &a->group_id) ||
      derush_photo_item_get_label(item) != DERUSH_LABEL_NONE)
    return;
  g_ptr_array_add(a->is_best ? plan->keep : plan->trash, item);
}

static void
plan_clear(Plan *plan)
{
  g_clear_pointer(&plan->keep, g_ptr_array_unref);
  g_clear_pointer(&plan->trash, g_ptr_array_unref);
  g_clear_pointer(&plan->bests, g_hash_table_unref);
}

static void
plan_make(DerushWindow *self, Plan *plan)
{
  plan->keep = g_ptr_array_new_with_free_func(g_object_unref);
  plan->trash = g_ptr_array_new_with_free_func(g_object_unref);
  plan->bests = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  derush_photo_model_foreach(self->model, find_bests_cb, plan);
  derush_photo_model_foreach(self->model, plan_cb, plan);
  for (guint i = 0; i < plan->keep->len; i++)
    g_object_ref(plan->keep->pdata[i]);
  for (guint i = 0; i < plan->trash->len; i++)
    g_object_ref(plan->trash->pdata[i]);
  plan->groups = g_hash_table_size(plan->bests);
}

static void
response_cb(AdwMessageDialog *dialog, const char *response, DerushWindow *self)
{
  g_object_set_data(G_OBJECT(self), "derush-cull-dialog", NULL);
  if (!g_str_equal(response, "cull"))
    return;
  Plan plan = {0};
  plan_make(self, &plan); /* again: labels may have changed while it was open */
  DerushLabelChange keep = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  DerushLabelChange trash = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
  gboolean ok = (plan.keep->len == 0 || derush_window_write_labels(self, plan.keep, &keep)) &&
                (plan.trash->len == 0 || derush_window_write_labels(self, plan.trash, &trash));
  if (ok) {
    g_autofree char *message =
        g_strdup_printf("Kept %u best picks, %u photos to trash", plan.keep->len, plan.trash->len);
    derush_window_show_toast(self, message);
  }
  derush_window_refilter(self);
  plan_clear(&plan);
  if (ok)
    derush_cull_review_trash(self);
}

/**
 * derush_cull_dialog_new:
 * @title: the question
 * @body: what the cull would do (its dry run)
 *
 * Returns: (transfer none): a cull's confirmation, "cull" or "cancel",
 *   not yet presented.
 */
GtkWidget *
derush_cull_dialog_new(DerushWindow *self, const char *title, const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new(GTK_WINDOW(self), title, body);
  adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", "_Cancel", "cull",
                                   "_Label and Review", NULL);
  adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "cull",
                                             ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "cull");
  adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
  return dialog;
}

/**
 * derush_cull_review_trash:
 * The review after a cull labelled photos trash: the apply dialog on its
 * dry run of the trash (the files move only when the photographer says so).
 */
void
derush_cull_review_trash(DerushWindow *self)
{
  if (gtk_widget_activate_action(GTK_WIDGET(self), "win.apply", NULL)) {
    DerushApplyDialog *apply = derush_apply_dialog_find(self);
    if (apply)
      derush_apply_dialog_set_choice(apply, DERUSH_APPLY_CHOICE_TRASH, NULL, DERUSH_XMP_DARKTABLE);
  }
}

/**
 * derush_cull_groups_cb:
 * win.cull-groups: asks, then keeps each group's best pick and trashes the
 * rest, then opens the apply dialog on its dry run (see above).
 */
void
derush_cull_groups_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (!derush_window_is_analyzed(self)) {
    derush_window_show_toast(self, "Groups are not known yet");
    return;
  }
  Plan plan = {0};
  plan_make(self, &plan);
  if (plan.keep->len + plan.trash->len == 0) {
    derush_window_show_toast(self, plan.groups ? "Every group here is labelled already"
                                               : "No burst or near-duplicate group here");
    plan_clear(&plan);
    return;
  }
  g_autofree char *body = g_strdup_printf(
      "%u groups: %u best picks to keep, %u other photos to trash. Photos you labelled stay as "
      "they are. Nothing moves yet: the next step shows what the trash would take.",
      plan.groups, plan.keep->len, plan.trash->len);
  GtkWidget *dialog = derush_cull_dialog_new(self, "Keep the Best of Every Group?", body);
  g_signal_connect(dialog, "response", G_CALLBACK(response_cb), self);
  g_object_set_data(G_OBJECT(self), "derush-cull-dialog", dialog);
  gtk_window_present(GTK_WINDOW(dialog));
  plan_clear(&plan);
}

/**
 * derush_window_cull_groups_respond:
 * @response: "cull" or "cancel".
 *
 * Answers the open "Keep the Best of Every Group?" dialog, as its buttons do
 * (the replay's `cull-groups-respond`).
 *
 * Returns: FALSE when no such dialog is open.
 */
gboolean
derush_window_cull_groups_respond(DerushWindow *self, const char *response)
{
  AdwMessageDialog *dialog = g_object_get_data(G_OBJECT(self), "derush-cull-dialog");
  if (!dialog)
    return FALSE;
  adw_message_dialog_response(dialog, response);
  gtk_window_close(GTK_WINDOW(dialog));
  return TRUE;
}
