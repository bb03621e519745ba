/* derush-window-session.c: what the window shows of its folder session
 * (derush-folder-session.c does the work: loader, monitor, analyzer,
 * regroup): the job line in the header bar, the pages and toasts after a
 * load, the banner when the folder goes away, the analysis' badges; and
 * the ways to open a folder (chooser, drop, recent). The grid, selection
 * and model are derush-window.c's; labels and keys derush-window-actions.c's. */
#include "derush-window-private.h"

static void
progress_cb(DerushFolderSession *session, const char *text, double fraction, DerushWindow *self)
{
  gtk_label_set_text(self->progress_label, text);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction(self->progress_bar, MIN(fraction, 1.0));
  else
    gtk_progress_bar_pulse(self->progress_bar);
}

static void
jobs_changed_cb(DerushFolderSession *session, DerushWindow *self)
{
  gtk_widget_set_visible(self->jobs_box, derush_folder_session_is_loading(session) ||
                                             derush_folder_session_is_analyzing(session));
  _derush_window_update_actions(self);
}

static void
photos_changed_cb(DerushFolderSession *session, DerushWindow *self)
{
  if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "message"))
    gtk_stack_set_visible_child_name(self->stack, "grid");
  _derush_window_queue_status(self);
}

static void
folder_missing_cb(DerushFolderSession *session, DerushWindow *self)
{
  g_autofree char *display = g_filename_display_name(derush_window_get_folder(self));
  g_autofree char *message = g_strdup_printf(
      "The folder %s is no longer available. Labels stay saved in the catalog.", display);
  _derush_window_show_problem(self, message);
  _derush_window_queue_status(self);
  _derush_window_update_actions(self);
}

static void
loaded_cb(DerushFolderSession *session, gboolean ok, const GError *error, const GError *scan_error,
          const DerushScanSummary *summary, DerushWindow *self)
{
  guint n = derush_photo_model_get_n_photos(self->model);
  g_autofree char *display = g_filename_display_name(derush_window_get_folder(self));

  if (!ok) {
    g_autofree char *message = g_strdup_printf("Cannot read the catalog: %s", error->message);
    derush_window_show_toast(self, message);
    _derush_window_show_message(self, "dialog-error-symbolic", "Cannot Read the Catalog",
                                error->message);
  } else if (scan_error) {
    gboolean missing = derush_folder_session_is_folder_missing(session);
    g_autofree char *message = missing
                                   ? g_strdup_printf("The folder %s is not available", display)
                                   : g_strdup_printf("Scan incomplete: %s", scan_error->message);
    _derush_window_show_problem(self, message);
    if (n == 0)
      _derush_window_show_message(
          self, missing ? "folder-remote-symbolic" : "dialog-warning-symbolic",
          missing ? "Folder Not Available" : "Cannot Scan This Folder", message);
  } else if (n == 0) {
    g_autofree char *description =
        g_strdup_printf("%s holds no photos derush can read (JPEG, HEIC, PNG, TIFF, WebP, AVIF "
                        "or camera RAW).",
                        display);
    _derush_window_show_message(self, "folder-pictures-symbolic", "No Photos", description);
    derush_window_show_toast(self, "No photos in this folder");
  } else {
    if (summary->added + summary->updated + summary->moved + summary->missing > 0) {
      g_autofree char *message = g_strdup_printf(
          "%'" G_GINT64_FORMAT " new, %'" G_GINT64_FORMAT " changed, %'" G_GINT64_FORMAT
          " gone · %'" G_GINT64_FORMAT " unreadable",
          summary->added, summary->updated + summary->moved, summary->missing, summary->unreadable);
      derush_window_show_toast(self, message);
    }
    gtk_stack_set_visible_child_name(self->stack, "grid");
    if (_derush_window_get_current_position(self) < 0)
      _derush_window_select_position(self, 0);
    gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
  }
  _derush_window_save_settings(self);
  _derush_window_update_recent_menu(self);
  _derush_window_queue_status(self);
  _derush_window_update_actions(self);
}

static void
analyzed_cb(DerushFolderSession *session, GHashTable *table, DerushWindow *self)
{
  derush_window_apply_analysis(self, table, TRUE);
  _derush_window_learning_analyzed(self);
  g_autofree char *note = derush_folder_session_take_model_note(session);
  if (note)
    derush_window_show_toast(self, note);
}

static void
analysis_failed_cb(DerushFolderSession *session, const GError *error, DerushWindow *self)
{
  g_autofree char *message = g_strdup_printf("Analysis failed: %s", error->message);
  derush_window_show_toast(self, message);
}

/* Called once, when the window has its session. */
void
_derush_window_connect_session(DerushWindow *self)
{
  g_signal_connect(self->session, "progress", G_CALLBACK(progress_cb), self);
  g_signal_connect(self->session, "jobs-changed", G_CALLBACK(jobs_changed_cb), self);
  g_signal_connect(self->session, "photos-changed", G_CALLBACK(photos_changed_cb), self);
  g_signal_connect(self->session, "folder-missing", G_CALLBACK(folder_missing_cb), self);
  g_signal_connect(self->session, "loaded", G_CALLBACK(loaded_cb), self);
  g_signal_connect(self->session, "analyzed", G_CALLBACK(analyzed_cb), self);
  g_signal_connect(self->session, "analysis-failed", G_CALLBACK(analysis_failed_cb), self);
}

/**
 * derush_window_apply_analysis:
 * @table: photo id (gint64*) -> DerushPhotoAnalysis*, from the analyzer.
 * @groups_changed: the groups may differ (an analysis), not only the
 *   per-photo values (a retrain): the side panel's group strip then
 *   indexes every photo again (O(photos)).
 *
 * Publishes the whole table at once (O(1): each item looks its record up
 * when next asked) and notifies only the items the grid's cells show, so
 * only the visible cells redraw: 100,000 changed records cost the main
 * thread what twenty cells cost. The model itself is untouched unless a
 * filter or sort reads the analysis. (bench-refresh times this call.)
 *
 * Returns: the number of cells told.
 */
guint
derush_window_apply_analysis(DerushWindow *self, GHashTable *table, gboolean groups_changed)
{
  derush_photo_model_publish_analysis(self->model, table);
  guint told = 0;
  for (guint i = 0; i < self->cells->len; i++) {
    DerushPhotoItem *item = derush_grid_cell_get_item(self->cells->pdata[i]);
    if (item) {
      derush_photo_item_notify_analysis(item);
      told++;
    }
  }
  /* The side panel and the compare view may show an item no cell does. */
  DerushPhotoItem *current = derush_window_get_current(self);
  if (current)
    derush_photo_item_notify_analysis(current);
  if (groups_changed) {
    derush_side_panel_groups_changed(self->side_panel);
    derush_grid_layout_groups_changed(self->layout);
  }
  g_debug("analysis: %u records for %u photos", g_hash_table_size(table),
          derush_photo_model_get_n_photos(self->model));
  return told;
}

/** derush_window_cancel_jobs: stops the scan and the analysis (the stop button). */
void
derush_window_cancel_jobs(DerushWindow *self)
{
  derush_folder_session_cancel(self->session);
}

/* Whatever the last folder showed goes; the session fills the model again. */
static void
start_load(DerushWindow *self, const char *folder, gboolean scan)
{
  _derush_window_show_viewer(self, FALSE);
  _derush_window_show_compare(self, FALSE);
  derush_thumbnailer_clear(self->thumbnailer);
  gtk_revealer_set_reveal_child(self->banner, FALSE);

  g_autofree char *base = g_path_get_basename(folder);
  g_autofree char *display = g_filename_display_name(base);
  adw_window_title_set_title(self->window_title, display);
  gtk_window_set_title(GTK_WINDOW(self), display);
  /* A full disk opens the catalog read-only, holding its lock (see
   * catalog.c): the session's own connections would wait on it and then
   * fail, so it says why now instead of "Reading Photos…" forever. */
  if (derush_catalog_is_read_only(self->catalog)) {
    g_autofree char *where = g_filename_display_name(self->catalog_path);
    g_autofree char *why = g_strdup_printf(
        "The disk holding the catalog (%s) is full, so derush can save nothing now. Your "
        "decisions so far are safe. Free some space, then open the folder again.",
        where);
    _derush_window_show_message(self, "drive-harddisk-symbolic", "Disk Full", why);
    return;
  }
  _derush_window_show_message(self, "folder-pictures-symbolic", "Reading Photos…",
                              "Each photo is read once; later visits only check what changed.");
  derush_folder_session_load(self->session, folder, scan);
  _derush_window_learning_set_folder(self);
}

/**
 * derush_window_open_folder:
 * @dir: a folder (relative paths are taken from the working folder).
 *
 * Scans @dir into the catalog on a worker and shows its photos.
 */
void
derush_window_open_folder(DerushWindow *self, const char *dir)
{
  g_return_if_fail(DERUSH_IS_WINDOW(self));
  g_autofree char *folder = g_canonicalize_filename(dir, NULL);
  /* Without a trailing slash "/a/b" would also match "/a/bc" as @under. */
  if (strlen(folder) > 1 && g_str_has_suffix(folder, G_DIR_SEPARATOR_S))
    folder[strlen(folder) - 1] = '\0';
  /* A search among another folder's names would hide this one's photos
   * (a rescan keeps it). */
  if (g_strcmp0(derush_window_get_folder(self), folder) != 0)
    _derush_window_set_search_mode(self, FALSE);
  start_load(self, folder, TRUE);
}

/**
 * derush_window_reload:
 * Lists the open folder again from the catalog, without a scan: after an
 * apply or its undo the catalog already says where each photo is (a moved
 * row has its new path, a trashed one is marked missing).
 */
void
derush_window_reload(DerushWindow *self)
{
  const char *folder = derush_window_get_folder(self);
  if (folder)
    start_load(self, folder, FALSE);
}

/** derush_window_get_folder: Returns: (transfer none) (nullable): the open folder. */
const char *
derush_window_get_folder(DerushWindow *self)
{
  return self->session ? derush_folder_session_get_folder(self->session) : NULL;
}

static void
chooser_response_cb(GtkNativeDialog *dialog, int response, DerushWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    g_autofree char *path = file ? g_file_get_path(file) : NULL;
    if (path)
      derush_window_open_folder(self, path);
  }
  g_object_unref(dialog);
}

/* GtkFileChooserNative: GtkFileDialog is GTK 4.10. */
void
_derush_window_choose_folder(DerushWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Open Folder", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Open", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
  if (derush_window_get_folder(self)) {
    g_autoptr(GFile) current = g_file_new_for_path(derush_window_get_folder(self));
    g_autoptr(GFile) parent = g_file_get_parent(current);
    if (parent)
      gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(chooser), parent, NULL);
  }
  g_signal_connect(chooser, "response", G_CALLBACK(chooser_response_cb), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

gboolean
_derush_window_drop_cb(GtkDropTarget *target, const GValue *value, double x, double y,
                       DerushWindow *self)
{
  GFile *file = g_value_get_object(value);
  g_autofree char *path = file ? g_file_get_path(file) : NULL;
  if (!path || !g_file_test(path, G_FILE_TEST_IS_DIR))
    return FALSE;
  derush_window_open_folder(self, path);
  return TRUE;
}
