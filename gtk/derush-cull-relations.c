/* derush-cull-relations.c: one action per kind of group member (issue 21).
 *
 * An exact or edited copy is a photo to delete; a burst's lesser frames are
 * photos to drop once the best is chosen. "Trash the exact and edited
 * copies" and "keep the best of every burst, trash the rest" are the
 * library's cull (derush_catalog_cull, as `derush cull --copies` and
 * `--bursts`): first its dry run, whose count the dialog shows; then the
 * cull itself writes the trash labels in ONE batch, so Ctrl+Z takes the
 * whole step back; then the apply dialog opens on its dry run of the trash
 * (the files move only when the photographer confirms there).
 */
#include "derush-window-private.h"

typedef struct {
  guint n, exact, edited;
} Tally;

static void
tally_cb(const DerushCullItem *item, gpointer user_data)
{
  Tally *t = user_data;
  t->n++;
  t->exact += item->relation == DERUSH_RELATION_EXACT;
  t->edited += item->relation == DERUSH_RELATION_EDITED;
}

static DerushCullKind
kind_of(GtkWidget *dialog)
{
  return GPOINTER_TO_INT(g_object_get_data(G_OBJECT(dialog), "derush-cull-kind"));
}

static void
response_cb(AdwMessageDialog *dialog, const char *response, DerushWindow *self)
{
  g_object_set_data(G_OBJECT(self), "derush-cull-dialog", NULL);
  if (!g_str_equal(response, "cull"))
    return;
  DerushCullKind kind = kind_of(GTK_WIDGET(dialog));
  gint64 before = derush_catalog_get_last_event_id(self->catalog);
  Tally t = {0};
  gint64 n = 0;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_cull(self->catalog, kind, derush_window_get_folder(self), FALSE, tally_cb, &t,
                           &n, NULL, &error)) {
    g_autofree char *message = g_strdup_printf("Not saved: %s", error->message);
    derush_window_show_toast(self, message);
    return;
  }
  g_autoptr(GArray) changes = derush_window_relabel_since(self, before, NULL);
  derush_window_refilter(self);
  derush_window_learning_labels_changed(self, TRUE);
  g_autofree char *message =
      kind == DERUSH_CULL_COPIES
          ? g_strdup_printf("%u %s to trash (%u exact, %u edited) · Ctrl+Z takes %s back", t.n,
                            t.n == 1 ? "copy" : "copies", t.exact, t.edited,
                            t.n == 1 ? "it" : "them")
          : g_strdup_printf("%u burst %s to trash · Ctrl+Z takes %s back", t.n,
                            t.n == 1 ? "frame" : "frames", t.n == 1 ? "it" : "them");
  derush_window_show_toast(self, message);
  if (n > 0)
    derush_cull_review_trash(self);
}

/**
 * derush_cull_relations_cb:
 * win.cull-copies and win.cull-bursts: the cull's dry run, a dialog with
 * its count, then the cull and the review (see above).
 */
void
derush_cull_relations_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (!derush_window_is_analyzed(self)) {
    derush_window_show_toast(self, "Groups are not known yet");
    return;
  }
  DerushCullKind kind =
      g_str_equal(action, "win.cull-copies") ? DERUSH_CULL_COPIES : DERUSH_CULL_BURSTS;
  Tally t = {0};
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_cull(self->catalog, kind, derush_window_get_folder(self), TRUE, tally_cb, &t,
                           NULL, NULL, &error)) {
    g_autofree char *message = g_strdup_printf("Cannot plan it: %s", error->message);
    derush_window_show_toast(self, message);
    return;
  }
  if (t.n == 0) {
    derush_window_show_toast(self, kind == DERUSH_CULL_COPIES
                                       ? "No unlabelled exact or edited copy here"
                                       : "No unlabelled burst frame to trash here");
    return;
  }
  const char *title = kind == DERUSH_CULL_COPIES ? "Trash the Exact and Edited Copies?"
                                                 : "Keep the Best of Every Burst?";
  g_autofree char *what =
      kind == DERUSH_CULL_COPIES
          ? g_strdup_printf("%u %s to trash: %u exact, %u edited (resized, re-encoded, "
                            "cropped or turned grey). Each set keeps its best pick.",
                            t.n, t.n == 1 ? "copy" : "copies", t.exact, t.edited)
          : g_strdup_printf("%u %s to trash: every burst keeps its best pick.", t.n,
                            t.n == 1 ? "frame" : "frames");
  g_autofree char *body =
      g_strdup_printf("%s Photos you labelled stay as they are, and Ctrl+Z takes the whole step "
                      "back. Nothing moves yet: the next step shows what the trash would take.",
                      what);
  GtkWidget *dialog = derush_cull_dialog_new(self, title, body);
  g_object_set_data(G_OBJECT(dialog), "derush-cull-kind", GINT_TO_POINTER(kind));
  g_signal_connect(dialog, "response", G_CALLBACK(response_cb), self);
  /* The key derush_window_cull_groups_respond() answers. */
  g_object_set_data(G_OBJECT(self), "derush-cull-dialog", dialog);
  gtk_window_present(GTK_WINDOW(dialog));
}
