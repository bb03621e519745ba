/* derush-window-session.c: the window's folder session: the loader (scan,
 * then list, on a worker), the file monitor and its rescans, the analyzer
 * after each scan, the regroup when the gaps change, and opening a folder
 * (chooser, drop, recent). The grid, selection and model stay in
 * derush-window.c; labels and keys in derush-window-actions.c. */
#include "derush-settings.h"
#include "derush-window-private.h"

static void
set_progress_text(DerushWindow *self, const char *text, gint64 done, gint64 total)
{
  double elapsed = (g_get_monotonic_time() - self->job_started_us) / 1e6;
  /* A second of history at least, so the first items do not promise. */
  g_autofree char *eta = elapsed >= 1 ? derush_format_eta(elapsed, done, total) : NULL;
  if (eta) {
    g_autofree char *full = g_strdup_printf("%s · %s left", text, eta);
    gtk_label_set_text(self->progress_label, full);
  } else {
    gtk_label_set_text(self->progress_label, text);
  }
}

static void
loader_progress_cb(DerushFolderLoader *loader, gint64 done, gint64 found, gboolean walk_done,
                   DerushWindow *self)
{
  g_autofree char *text =
      walk_done
          ? g_strdup_printf("Scanning %'" G_GINT64_FORMAT " of %'" G_GINT64_FORMAT, done, found)
          : g_strdup_printf("Scanning %'" G_GINT64_FORMAT " · %'" G_GINT64_FORMAT " found", done,
                            found);
  set_progress_text(self, text, done, walk_done ? found : 0);
  if (walk_done && found > 0)
    gtk_progress_bar_set_fraction(self->progress_bar, (double)done / (double)found);
  else
    gtk_progress_bar_pulse(self->progress_bar);
}

static void
loader_photos_cb(DerushFolderLoader *loader, GPtrArray *items, DerushWindow *self)
{
  for (guint i = 0; i < items->len; i++) {
    DerushPhotoItem *item = items->pdata[i];
    const DerushPhoto *p = derush_photo_item_get_photo(item);
    g_hash_table_insert(self->by_id, (gpointer)&p->id, item);
    g_hash_table_insert(self->by_path, p->path, item);
    derush_photo_item_set_analysis_table(item, self->analysis_table);
  }
  /* One splice per chunk: the filter and sort models see one change. */
  g_list_store_splice(self->store, g_list_model_get_n_items(G_LIST_MODEL(self->store)), 0,
                      items->pdata, items->len);
  if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "message"))
    gtk_stack_set_visible_child_name(self->stack, "grid");
  _derush_window_queue_status(self);
}

/* A known folder is shown before its scan: what the scan changed comes
 * back as new items for ids already shown (swapped in where the old ones
 * sit), ids that left the folder, and decisions that changed (set on the
 * item shown). One pass over the store finds the first two; it only runs
 * when something changed. */
static void
loader_changes_cb(DerushFolderLoader *loader, GPtrArray *replaced, GArray *removed,
                  GArray *relabeled, DerushWindow *self)
{
  for (guint i = 0; i < relabeled->len; i++) {
    const DerushRelabel *r = &g_array_index(relabeled, DerushRelabel, i);
    DerushPhotoItem *item = g_hash_table_lookup(self->by_id, &r->id);
    if (item)
      derush_photo_item_set_label(item, r->label, r->stars);
  }
  if (relabeled->len > 0)
    _derush_window_refilter(self);

  g_autoptr(GHashTable) todo = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < replaced->len; i++)
    g_hash_table_insert(todo, (gpointer)&derush_photo_item_get_photo(replaced->pdata[i])->id,
                        replaced->pdata[i]);
  for (guint i = 0; i < removed->len; i++)
    g_hash_table_insert(todo, &g_array_index(removed, gint64, i), NULL);

  GListModel *store = G_LIST_MODEL(self->store);
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(guint));
  guint n = g_list_model_get_n_items(store);
  for (guint i = 0; i < n && hits->len < g_hash_table_size(todo); i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(store, i);
    gint64 id = derush_photo_item_get_id(item);
    if (g_hash_table_contains(todo, &id))
      g_array_append_val(hits, i);
  }
  /* From the end, so the positions still to visit stay valid. */
  for (guint j = hits->len; j-- > 0;) {
    guint pos = g_array_index(hits, guint, j);
    g_autoptr(DerushPhotoItem) old = g_list_model_get_item(store, pos);
    const DerushPhoto *p = derush_photo_item_get_photo(old);
    DerushPhotoItem *item = g_hash_table_lookup(todo, &p->id);
    if (g_hash_table_lookup(self->by_path, p->path) == old)
      g_hash_table_remove(self->by_path, p->path);
    g_hash_table_remove(self->by_id, &p->id);
    if (item) {
      const DerushPhoto *np = derush_photo_item_get_photo(item);
      g_hash_table_insert(self->by_id, (gpointer)&np->id, item);
      g_hash_table_insert(self->by_path, np->path, item);
      derush_photo_item_set_analysis_table(item, self->analysis_table);
      g_list_store_splice(self->store, pos, 1, (gpointer *)&item, 1);
    } else {
      g_list_store_remove(self->store, pos);
    }
  }
  _derush_window_queue_status(self);
}

static void
folder_changed_cb(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                  DerushWindow *self)
{
  /* An unplugged disk or a removed folder: one stat() per event, only
   * when something under the folder changed. */
  if (self->folder_missing || !self->folder || g_file_test(self->folder, G_FILE_TEST_IS_DIR))
    return;
  self->folder_missing = TRUE;
  g_autofree char *display = g_filename_display_name(self->folder);
  g_autofree char *message = g_strdup_printf(
      "The folder %s is no longer available. Labels stay saved in the catalog.", display);
  _derush_window_show_problem(self, message);
  _derush_window_queue_status(self);
  _derush_window_update_actions(self);
}

static void start_analysis(DerushWindow *self);

static void
load_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushWindow) self = user_data;
  DerushFolderLoader *loader = DERUSH_FOLDER_LOADER(source);
  DerushScanSummary summary = {0};
  g_autoptr(GError) scan_error = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = derush_folder_loader_load_finish(loader, result, &summary, &scan_error, &error);
  if (loader != self->loader)
    return; /* superseded by another folder */

  self->loading = FALSE;
  gtk_widget_set_visible(self->jobs_box, FALSE);
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->store));
  g_autofree char *display = g_filename_display_name(self->folder);

  if (!ok) {
    g_autofree char *message = g_strdup_printf("Cannot read the catalog: %s", error->message);
    derush_window_show_toast(self, message);
    _derush_window_show_message(self, "dialog-error-symbolic", "Cannot Read the Catalog",
                                error->message);
  } else if (scan_error) {
    gboolean missing = !g_file_test(self->folder, G_FILE_TEST_IS_DIR);
    self->folder_missing = missing;
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
    if (summary.added + summary.updated + summary.moved + summary.missing > 0) {
      g_autofree char *message = g_strdup_printf(
          "%'" G_GINT64_FORMAT " new, %'" G_GINT64_FORMAT " changed, %'" G_GINT64_FORMAT
          " gone · %'" G_GINT64_FORMAT " unreadable",
          summary.added, summary.updated + summary.moved, summary.missing, summary.unreadable);
      derush_window_show_toast(self, message);
    }
    gtk_stack_set_visible_child_name(self->stack, "grid");
    if (_derush_window_get_current_position(self) < 0)
      _derush_window_select_position(self, 0);
    gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
  }
  /* Not after a cancelled scan: the user asked the background work to
   * stop. */
  if (ok && n > 0 && !self->folder_missing && !g_cancellable_is_cancelled(self->load_cancellable))
    start_analysis(self);

  if (!self->folder_missing && !self->monitor) {
    g_autoptr(GFile) dir = g_file_new_for_path(self->folder);
    self->monitor = g_file_monitor_directory(dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
    if (self->monitor)
      g_signal_connect_object(self->monitor, "changed", G_CALLBACK(folder_changed_cb), self, 0);
  }
  _derush_window_save_settings(self);
  _derush_window_update_recent_menu(self);
  _derush_window_queue_status(self);
  _derush_window_update_actions(self);
}

/* ------------------------------------------------------------ analysis */

static void
analyzer_progress_cb(DerushAnalyzer *analyzer, gint64 done, gint64 total, DerushWindow *self)
{
  g_autofree char *text =
      g_strdup_printf("Analyzing %'" G_GINT64_FORMAT "/%'" G_GINT64_FORMAT, done, total);
  set_progress_text(self, text, done, total);
  if (total > 0)
    gtk_progress_bar_set_fraction(self->progress_bar, (double)done / (double)total);
  else
    gtk_progress_bar_pulse(self->progress_bar);
}

static void
analyze_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushWindow) self = user_data;
  DerushAnalyzer *analyzer = DERUSH_ANALYZER(source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = derush_analyzer_analyze_finish(analyzer, result, &error);
  if (analyzer != self->analyzer)
    return; /* superseded by another folder, or the window is gone */

  self->analyzing = FALSE;
  gtk_widget_set_visible(self->jobs_box, self->loading);
  _derush_window_update_actions(self);
  if (!table) {
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_autofree char *message = g_strdup_printf("Analysis failed: %s", error->message);
      derush_window_show_toast(self, message);
    }
    return;
  }

  self->analyzed = TRUE;
  _derush_window_apply_analysis(self, table, TRUE);
  _derush_window_learning_analyzed(self);
}

/**
 * _derush_window_apply_analysis:
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
_derush_window_apply_analysis(DerushWindow *self, GHashTable *table, gboolean groups_changed)
{
  derush_analysis_table_publish(self->analysis_table, g_hash_table_ref(table));
  guint told = 0;
  for (guint i = 0; i < self->cells->len; i++) {
    DerushPhotoItem *item = derush_grid_cell_get_item(self->cells->pdata[i]);
    if (item) {
      derush_photo_item_notify_analysis(item);
      told++;
    }
  }
  /* The side panel and the compare view may show an item no cell does. */
  DerushPhotoItem *current = _derush_window_get_current(self);
  if (current)
    derush_photo_item_notify_analysis(current);
  if (groups_changed)
    derush_side_panel_groups_changed(self->side_panel);
  if (self->filter_mode == DERUSH_FILTER_BEST ||
      self->filter_mode == DERUSH_FILTER_PREDICTED_TRASH ||
      self->filter_mode == DERUSH_FILTER_UNSURE)
    gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (self->sort_mode == DERUSH_SORT_GROUP || self->sort_mode == DERUSH_SORT_SHARPNESS ||
      self->sort_mode == DERUSH_SORT_P_KEEP)
    gtk_sorter_changed(GTK_SORTER(self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  g_debug("analysis: %u records for %u photos", g_hash_table_size(table),
          g_hash_table_size(self->by_id));
  return told;
}

void
_derush_window_cancel_analysis(DerushWindow *self)
{
  if (self->analyze_cancellable)
    g_cancellable_cancel(self->analyze_cancellable);
  g_clear_object(&self->analyze_cancellable);
  if (self->analyzer)
    g_signal_handlers_disconnect_by_data(self->analyzer, self);
  g_clear_object(&self->analyzer);
  self->analyzing = FALSE;
}

/* After every scan: features and hashes of new photos, then the groups.
 * The grid is usable meanwhile; badges appear when it is done. */
static void
start_analysis_full(DerushWindow *self, gboolean regroup)
{
  _derush_window_cancel_analysis(self);
  self->analyzing = TRUE;
  self->analyzed = FALSE;
  gtk_label_set_text(self->progress_label, regroup ? "Grouping…" : "Analyzing…");
  gtk_progress_bar_set_fraction(self->progress_bar, 0);
  self->job_started_us = g_get_monotonic_time();
  gtk_widget_set_visible(self->jobs_box, TRUE);

  self->analyzer = derush_analyzer_new(self->catalog_path);
  self->analyze_cancellable = g_cancellable_new();
  g_signal_connect(self->analyzer, "progress", G_CALLBACK(analyzer_progress_cb), self);
  DerushGroupOptions options;
  derush_group_options_init(&options);
  options.session_gap_s = self->session_gap_min * 60.0;
  options.burst_gap_s = self->burst_gap_s;
  derush_analyzer_set_group_options(self->analyzer, &options);
  if (regroup)
    derush_analyzer_regroup_async(self->analyzer, self->folder, self->analyze_cancellable,
                                  analyze_done_cb, g_object_ref(self));
  else
    derush_analyzer_analyze_async(self->analyzer, self->folder, self->analyze_cancellable,
                                  analyze_done_cb, g_object_ref(self));
  _derush_window_update_actions(self);
}

static void
start_analysis(DerushWindow *self)
{
  start_analysis_full(self, FALSE);
}

/* The grouping gaps changed (preferences): group the folder again with
 * them, on the analyzer's worker. An analysis under way starts over with
 * the new gaps; a scan under way analyses with them when it is done. */
static gboolean
regroup_cb(gpointer data)
{
  DerushWindow *self = data;
  self->regroup_source = 0;
  if (self->folder && !self->loading && !self->folder_missing && g_hash_table_size(self->by_id) > 0)
    start_analysis_full(self, !self->analyzing);
  return G_SOURCE_REMOVE;
}

/* A spin button sends every step: wait for the value to settle, so one
 * regroup runs, not one per click. */
void
_derush_window_queue_regroup(DerushWindow *self)
{
  g_clear_handle_id(&self->regroup_source, g_source_remove);
  self->regroup_source = g_timeout_add(600, regroup_cb, self);
}

/** _derush_window_cancel_jobs: stops the scan and the analysis (the stop button). */
void
_derush_window_cancel_jobs(DerushWindow *self)
{
  if (self->load_cancellable)
    g_cancellable_cancel(self->load_cancellable);
  if (self->analyze_cancellable)
    g_cancellable_cancel(self->analyze_cancellable);
}

static void
start_load(DerushWindow *self, gboolean scan)
{
  _derush_window_cancel_analysis(self);
  self->analyzed = FALSE;
  if (self->load_cancellable)
    g_cancellable_cancel(self->load_cancellable);
  g_clear_object(&self->load_cancellable);
  if (self->loader)
    g_signal_handlers_disconnect_by_data(self->loader, self);
  g_clear_object(&self->loader);
  g_clear_object(&self->monitor);

  _derush_window_show_viewer(self, FALSE);
  _derush_window_show_compare(self, FALSE);
  derush_thumbnailer_clear(self->thumbnailer);
  g_hash_table_remove_all(self->by_id);
  g_hash_table_remove_all(self->by_path);
  g_list_store_remove_all(self->store);
  derush_analysis_table_publish(self->analysis_table, NULL);
  self->folder_missing = FALSE;
  self->loading = TRUE;
  gtk_revealer_set_reveal_child(self->banner, FALSE);

  g_autofree char *base = g_path_get_basename(self->folder);
  g_autofree char *display = g_filename_display_name(base);
  adw_window_title_set_title(self->window_title, display);
  gtk_window_set_title(GTK_WINDOW(self), display);
  _derush_window_show_message(self, "folder-pictures-symbolic", "Reading Photos…",
                              "Each photo is read once; later visits only check what changed.");

  gtk_label_set_text(self->progress_label, scan ? "Scanning…" : "Loading…");
  gtk_progress_bar_set_fraction(self->progress_bar, 0);
  self->job_started_us = g_get_monotonic_time();
  gtk_widget_set_visible(self->jobs_box, TRUE);

  self->loader = derush_folder_loader_new(self->catalog_path, NULL);
  self->load_cancellable = g_cancellable_new();
  g_signal_connect(self->loader, "progress", G_CALLBACK(loader_progress_cb), self);
  g_signal_connect(self->loader, "photos", G_CALLBACK(loader_photos_cb), self);
  g_signal_connect(self->loader, "changes", G_CALLBACK(loader_changes_cb), self);
  derush_folder_loader_load_async(self->loader, self->folder, scan, self->load_cancellable,
                                  load_done_cb, g_object_ref(self));
  _derush_window_learning_set_folder(self);
  _derush_window_update_actions(self);
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
  g_autofree char *previous = g_steal_pointer(&self->folder);
  self->folder = g_canonicalize_filename(dir, NULL);
  /* Without a trailing slash "/a/b" would also match "/a/bc" as @under. */
  if (strlen(self->folder) > 1 && g_str_has_suffix(self->folder, G_DIR_SEPARATOR_S))
    self->folder[strlen(self->folder) - 1] = '\0';
  /* A search among another folder's names would hide this one's photos
   * (a rescan keeps it). */
  if (g_strcmp0(previous, self->folder) != 0)
    _derush_window_set_search_mode(self, FALSE);
  start_load(self, TRUE);
}

/**
 * _derush_window_reload:
 * Lists the open folder again from the catalog, without a scan: after an
 * apply or its undo the catalog already says where each photo is (a moved
 * row has its new path, a trashed one is marked missing).
 */
void
_derush_window_reload(DerushWindow *self)
{
  if (self->folder)
    start_load(self, FALSE);
}

/** derush_window_get_folder: Returns: (transfer none) (nullable): the open folder. */
const char *
derush_window_get_folder(DerushWindow *self)
{
  return self->folder;
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
  if (self->folder) {
    g_autoptr(GFile) current = g_file_new_for_path(self->folder);
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
