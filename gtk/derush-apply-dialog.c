/* derush-apply-dialog.c: act on decisions (trash, move, XMP sidecars) after a dry run.
 *
 * DerushApplyDialog is the GUI face of `derush apply` and `derush export
 * --xmp`: the user picks an action for the open folder, the dialog shows
 * the library's own dry run of it (derush_catalog_plan_apply(), or
 * derush_catalog_export_sidecars() with dry_run), and only then can the
 * action be confirmed. The apply is derush_catalog_apply() (or the export
 * without dry_run); undo is derush_catalog_undo_apply(), offered by the
 * toast that reports the apply. The dialog decides nothing about files
 * itself: what it lists is what the library reported, so the dry run and
 * the apply cannot disagree.
 *
 * Every catalog call is a DerushApplyJob (derush-apply-job.c), run on a
 * worker with its own connection (one connection per thread, as
 * DerushFolderLoader): planning a folder of thousands of photos stats each
 * file, and an apply moves and fsyncs them. The dialog only presents the
 * job's signals (progress, done, failed). A new choice drops the dry run
 * in flight, whose late answer then reaches nobody.
 *
 * Afterwards the window lists the folder again from the catalog (no scan):
 * trashed photos show as missing, photos moved out of the folder are gone,
 * as after any scan that finds them so.
 *
 * Over 600 lines: the dry-run view (stats, file list, notes) and the
 * confirm and undo flow; the job itself is derush-apply-job.c.
 */
#include "derush-screenshot.h"
#include "derush-apply-dialog.h"

/* Files listed in the dry run; the count says how many more there are. */
#define LIST_MAX 8

enum { STAT_A, STAT_B, STAT_C, STAT_D, N_STATS };

struct _DerushApplyDialog {
  AdwWindow parent_instance;

  /* template children */
  GtkWidget *cancel_button;
  GtkWidget *confirm_button;
  GtkStack *stack;
  AdwActionRow *scope_row;
  AdwActionRow *move_row;
  GtkCheckButton *trash_check;
  GtkCheckButton *move_check;
  GtkCheckButton *xmp_check;
  AdwComboRow *style_row;
  GtkSpinner *spinner;
  GtkLabel *headline_label;
  GtkWidget *stats_box;
  GtkLabel *note_label;
  GtkListBox *files_list;
  AdwStatusPage *progress_page;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;

  GtkWidget *stat_cards[N_STATS];
  GtkLabel *stat_values[N_STATS];
  GtkLabel *stat_captions[N_STATS];

  DerushWindow *window; /* (owned) */
  char *catalog_path;
  char *folder;
  char *dest; /* MOVE's folder; NULL until chosen */
  DerushApplyChoice choice;
  DerushXmpStyle style;
  gboolean updating; /* set_choice() is moving the radios: one dry run, not three */

  GCancellable *plan_cancellable;
  DerushApplyJob *planning; /* (owned) the dry run being computed */
  DerushApplyJob *plan;     /* (owned) the dry run on screen; NULL while one is computed */
  DerushApplyJob *running;  /* (owned) the apply in progress */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE(DerushApplyDialog, derush_apply_dialog, ADW_TYPE_WINDOW)

/* ------------------------------------------------------------ display */

static const char *const choice_verbs[] = {"trash", "move", "write"};

static char *
display_path(const char *path)
{
  return g_filename_display_name(path);
}

/* @path relative to the open folder, as the user sees the folder. */
static char *
relative_display(DerushApplyDialog *self, const char *path)
{
  gsize n = strlen(self->folder);
  if (g_str_has_prefix(path, self->folder) && path[n] == G_DIR_SEPARATOR)
    return display_path(path + n + 1);
  return display_path(path);
}

/* The destination folder's name, NULL for the trash. */
static char *
dest_display_name(DerushApplyDialog *self)
{
  if (self->choice != DERUSH_APPLY_CHOICE_MOVE || !self->dest)
    return NULL;
  g_autofree char *base = g_path_get_basename(self->dest);
  return display_path(base);
}

/* A name taken at the destination: the library gave the file a -N suffix. */
static gboolean
is_renamed(const DerushPlannedFile *f)
{
  if (!f->dst)
    return FALSE;
  g_autofree char *a = g_path_get_basename(f->src);
  g_autofree char *b = g_path_get_basename(f->dst);
  return strcmp(a, b) != 0;
}

static void
set_stat(DerushApplyDialog *self, int i, const char *value, const char *caption,
         const char *css_class)
{
  gtk_widget_set_visible(self->stat_cards[i], value != NULL);
  if (!value)
    return;
  gtk_label_set_text(self->stat_values[i], value);
  gtk_label_set_text(self->stat_captions[i], caption);
  static const char *const classes[] = {"warning", "trash", "accent"};
  for (gsize k = 0; k < G_N_ELEMENTS(classes); k++)
    gtk_widget_remove_css_class(self->stat_cards[i], classes[k]);
  if (css_class)
    gtk_widget_add_css_class(self->stat_cards[i], css_class);
}

static void
set_note(DerushApplyDialog *self, const char *text, gboolean warning)
{
  gtk_widget_set_visible(GTK_WIDGET(self->note_label), text != NULL);
  gtk_label_set_text(self->note_label, text ? text : "");
  if (warning)
    gtk_widget_add_css_class(GTK_WIDGET(self->note_label), "warning");
  else
    gtk_widget_remove_css_class(GTK_WIDGET(self->note_label), "warning");
}

static void
clear_files(DerushApplyDialog *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->files_list))))
    gtk_list_box_remove(self->files_list, child);
  gtk_widget_set_visible(GTK_WIDGET(self->files_list), FALSE);
}

static GtkWidget *
file_row(DerushApplyDialog *self, const DerushPlannedFile *f)
{
  AdwActionRow *row = ADW_ACTION_ROW(adw_action_row_new());
  adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
  adw_action_row_set_title_lines(row, 1);
  adw_action_row_set_subtitle_lines(row, 2);
  g_autofree char *title = relative_display(self, f->src);
  adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
  gtk_widget_set_tooltip_text(GTK_WIDGET(row), title);

  g_autofree char *subtitle = NULL;
  const char *tag = NULL, *tag_class = NULL;
  if (self->choice == DERUSH_APPLY_CHOICE_XMP) {
    if (f->xmp == DERUSH_SIDECAR_FAILED) {
      subtitle = g_strdup(f->reason);
      tag = "Left Alone";
      tag_class = "warning";
    } else if (f->xmp == DERUSH_SIDECAR_UNCHANGED) {
      tag = "Up to Date";
    }
  } else if (f->dst) {
    /* The folder is in the Action row: its name and the file's is enough. */
    g_autofree char *dir = g_path_get_dirname(f->dst);
    g_autofree char *dir_name = g_path_get_basename(dir);
    g_autofree char *name = g_path_get_basename(f->dst);
    g_autofree char *to = g_build_filename(dir_name, name, NULL);
    g_autofree char *to_display = display_path(to);
    subtitle = g_strdup_printf("→ %s", to_display);
    if (is_renamed(f)) {
      tag = "Renamed";
      tag_class = "warning";
    }
  }
  if (subtitle)
    adw_action_row_set_subtitle(row, subtitle);

  const char *icon = f->is_photo ? "image-x-generic-symbolic" : "text-x-generic-symbolic";
  GtkWidget *image = gtk_image_new_from_icon_name(icon);
  gtk_widget_add_css_class(image, "dim-label");
  adw_action_row_add_prefix(row, image);
  if (tag) {
    GtkWidget *label = gtk_label_new(tag);
    gtk_widget_add_css_class(label, "caption-heading");
    gtk_widget_add_css_class(label, tag_class ? tag_class : "dim-label");
    adw_action_row_add_suffix(row, label);
  }
  return GTK_WIDGET(row);
}

static void
fill_files(DerushApplyDialog *self, const DerushApplyJob *plan)
{
  clear_files(self);
  guint n = plan->files->len;
  for (guint i = 0; i < n && i < LIST_MAX; i++)
    gtk_list_box_append(self->files_list,
                        file_row(self, &g_array_index(plan->files, DerushPlannedFile, i)));
  if (n > LIST_MAX) {
    g_autofree char *more =
        g_strdup_printf("and %u more file%s", n - LIST_MAX, n - LIST_MAX == 1 ? "" : "s");
    GtkWidget *label = gtk_label_new(more);
    gtk_widget_add_css_class(label, "dim-label");
    gtk_widget_set_margin_top(label, 10);
    gtk_widget_set_margin_bottom(label, 10);
    GtkWidget *row = gtk_list_box_row_new();
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), label);
    gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
    gtk_list_box_append(self->files_list, row);
  }
  gtk_widget_set_visible(GTK_WIDGET(self->files_list), n > 0);
}

static gboolean
plan_has_work(const DerushApplyJob *plan)
{
  if (!plan || plan->error)
    return FALSE;
  return plan->choice == DERUSH_APPLY_CHOICE_XMP ? plan->xmp.written > 0 : plan->sum.files > 0;
}

static void
update_confirm(DerushApplyDialog *self)
{
  static const char *const labels[] = {"_Move to Trash", "_Move Photos", "_Write Sidecars"};
  GtkWidget *button = self->confirm_button;
  gtk_button_set_label(GTK_BUTTON(button), labels[self->choice]);
  if (self->choice == DERUSH_APPLY_CHOICE_TRASH) {
    gtk_widget_remove_css_class(button, "suggested-action");
    gtk_widget_add_css_class(button, "destructive-action");
  } else {
    gtk_widget_remove_css_class(button, "destructive-action");
    gtk_widget_add_css_class(button, "suggested-action");
  }
  gtk_widget_set_sensitive(button, !self->running && plan_has_work(self->plan));
}

static void
show_plan(DerushApplyDialog *self)
{
  const DerushApplyJob *plan = self->plan;
  gboolean planning = self->planning != NULL;
  gtk_spinner_set_spinning(self->spinner, planning);
  gtk_widget_set_visible(GTK_WIDGET(self->spinner), planning);
  update_confirm(self);
  if (planning) {
    /* Keep the previous summary, dimmed, rather than flashing it away. */
    gtk_widget_set_opacity(self->stats_box, 0.4);
    gtk_widget_set_opacity(GTK_WIDGET(self->files_list), 0.4);
    gtk_label_set_text(self->headline_label, "Working out what would change…");
    return;
  }
  gtk_widget_set_opacity(self->stats_box, 1.0);
  gtk_widget_set_opacity(GTK_WIDGET(self->files_list), 1.0);

  if (self->choice == DERUSH_APPLY_CHOICE_MOVE && !self->dest) {
    gtk_label_set_text(self->headline_label,
                       "Choose the folder where photos labelled trash should go.");
    gtk_widget_set_visible(self->stats_box, FALSE);
    set_note(self, NULL, FALSE);
    clear_files(self);
    return;
  }
  if (!plan)
    return;
  if (plan->error) {
    gtk_label_set_text(self->headline_label, "The dry run failed: nothing can be applied.");
    gtk_widget_set_visible(self->stats_box, FALSE);
    set_note(self, plan->error->message, TRUE);
    clear_files(self);
    return;
  }

  g_autofree char *headline = NULL;
  gtk_widget_set_visible(self->stats_box, TRUE);
  if (plan->choice == DERUSH_APPLY_CHOICE_XMP) {
    const DerushSidecarSummary *x = &plan->xmp;
    if (x->written == 0)
      headline = g_strdup(x->unchanged + x->failed == 0
                              ? "No photo in this folder has a decision to write."
                              : "Every sidecar already says what the catalog says.");
    else
      headline = g_strdup_printf(
          "Will write %" G_GINT64_FORMAT " sidecar%s (%s naming). Photos are not touched; other "
          "fields of existing sidecars are kept. Nothing has changed yet.",
          x->written, x->written == 1 ? "" : "s", derush_xmp_style_name(plan->style));
    g_autofree char *a = g_strdup_printf("%" G_GINT64_FORMAT, x->written);
    g_autofree char *b = g_strdup_printf("%" G_GINT64_FORMAT, x->unchanged);
    g_autofree char *c = g_strdup_printf("%" G_GINT64_FORMAT, x->failed);
    set_stat(self, STAT_A, a, x->written == 1 ? "Sidecar to Write" : "Sidecars to Write", "accent");
    set_stat(self, STAT_B, b, "Up to Date", NULL);
    set_stat(self, STAT_C, c, "Left Alone", x->failed > 0 ? "warning" : NULL);
    set_stat(self, STAT_D, NULL, NULL, NULL);
    g_autofree char *note =
        x->failed > 0
            ? g_strdup_printf("%" G_GINT64_FORMAT " sidecar%s will be left alone, for the reason "
                              "given below. One edited by another program is never "
                              "overwritten: rescan the folder (F5) to read its edits first.",
                              x->failed, x->failed == 1 ? "" : "s")
            : NULL;
    set_note(self, note, TRUE);
  } else {
    const DerushApplySummary *s = &plan->sum;
    g_autofree char *size = g_format_size((guint64)s->bytes);
    g_autofree char *to = dest_display_name(self);
    if (s->files == 0)
      headline = g_strdup(plan->choice == DERUSH_APPLY_CHOICE_MOVE
                              ? "No photo in this folder is labelled trash (or they are all "
                                "in that folder already)."
                              : "No photo in this folder is labelled trash.");
    else
      headline = g_strdup_printf("Will move %" G_GINT64_FORMAT " photo%s (%" G_GINT64_FORMAT
                                 " file%s with sidecars, %s) to %s. Nothing has changed yet.",
                                 s->photos, s->photos == 1 ? "" : "s", s->files,
                                 s->files == 1 ? "" : "s", size, to ? to : "the Trash");
    gint64 renamed = 0;
    for (guint i = 0; i < plan->files->len; i++)
      renamed += is_renamed(&g_array_index(plan->files, DerushPlannedFile, i));
    g_autofree char *a = g_strdup_printf("%" G_GINT64_FORMAT, s->photos);
    g_autofree char *b = g_strdup_printf("%" G_GINT64_FORMAT, s->files);
    g_autofree char *d = g_strdup_printf("%" G_GINT64_FORMAT, renamed);
    set_stat(self, STAT_A, a, s->photos == 1 ? "Photo" : "Photos", "trash");
    set_stat(self, STAT_B, b, s->files == 1 ? "File" : "Files", NULL);
    set_stat(self, STAT_C, size, "On Disk", NULL);
    set_stat(self, STAT_D, plan->choice == DERUSH_APPLY_CHOICE_MOVE ? d : NULL, "Renamed",
             renamed > 0 ? "warning" : NULL);
    g_autofree char *note =
        renamed > 0 ? g_strdup_printf("%" G_GINT64_FORMAT " name%s taken in %s: %s a -1, -2… "
                                      "suffix. Nothing is ever overwritten.",
                                      renamed, renamed == 1 ? " is" : "s are", to,
                                      renamed == 1 ? "that file gets" : "those files get")
                    : NULL;
    set_note(self, note, TRUE);
  }
  gtk_label_set_text(self->headline_label, headline);
  fill_files(self, plan);
}

static void
update_rows(DerushApplyDialog *self)
{
  gtk_widget_set_visible(GTK_WIDGET(self->style_row), self->choice == DERUSH_APPLY_CHOICE_XMP);
  g_autofree char *example = derush_sidecar_path("IMG_1234.CR2", self->style);
  g_autofree char *naming =
      g_strdup_printf("%s, %s", example,
                      self->style == DERUSH_XMP_DARKTABLE ? "one per file of a RAW+JPEG pair"
                                                          : "shared by a RAW+JPEG pair");
  adw_action_row_set_subtitle(ADW_ACTION_ROW(self->style_row), naming);
  g_autofree char *dest = self->dest ? display_path(self->dest) : NULL;
  adw_action_row_set_subtitle(self->move_row,
                              dest ? dest : "Photos labelled trash go to a folder you choose");
}

/* ------------------------------------------------------------ dry run */

static void
plan_finished_cb(DerushApplyJob *job, DerushApplyDialog *self)
{
  g_signal_handlers_disconnect_by_data(job, self);
  g_clear_object(&self->plan_cancellable);
  g_clear_object(&self->plan);
  self->plan = g_steal_pointer(&self->planning);
  show_plan(self);
}

/* The dry run in flight, if any, is no longer wanted. */
static void
drop_planning(DerushApplyDialog *self)
{
  if (self->plan_cancellable)
    g_cancellable_cancel(self->plan_cancellable);
  g_clear_object(&self->plan_cancellable);
  if (self->planning)
    g_signal_handlers_disconnect_by_data(self->planning, self);
  g_clear_object(&self->planning);
}

/* Asks the library what the current choice would do. */
static void
start_plan(DerushApplyDialog *self)
{
  drop_planning(self);
  g_clear_object(&self->plan);
  update_rows(self);
  if (self->choice == DERUSH_APPLY_CHOICE_MOVE && !self->dest) {
    show_plan(self);
    return;
  }
  self->plan_cancellable = g_cancellable_new();
  self->planning = derush_apply_job_new(self->choice, self->catalog_path, self->folder, self->dest,
                                        self->style, TRUE);
  /* "failed" too: a failed dry run is shown as such (plan->error). */
  g_signal_connect(self->planning, "done", G_CALLBACK(plan_finished_cb), self);
  g_signal_connect(self->planning, "failed", G_CALLBACK(plan_finished_cb), self);
  derush_apply_job_start(self->planning, self->plan_cancellable);
  show_plan(self);
}

static void
chooser_response_cb(GtkNativeDialog *chooser, int response, DerushApplyDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(chooser));
    g_autofree char *path = file ? g_file_get_path(file) : NULL;
    if (path)
      derush_apply_dialog_set_choice(self, DERUSH_APPLY_CHOICE_MOVE, path, self->style);
  }
  g_clear_object(&self->chooser);
}

/* GtkFileChooserNative: GtkFileDialog is GTK 4.10. */
static void
choose_folder(DerushApplyDialog *self)
{
  if (self->chooser)
    return;
  self->chooser =
      gtk_file_chooser_native_new("Move Photos Labelled Trash To", GTK_WINDOW(self),
                                  GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Select", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(self->chooser), TRUE);
  g_autoptr(GFile) start = g_file_new_for_path(self->dest ? self->dest : self->folder);
  g_autoptr(GFile) parent = g_file_get_parent(start);
  gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(self->chooser), parent ? parent : start,
                                      NULL);
  g_signal_connect(self->chooser, "response", G_CALLBACK(chooser_response_cb), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static void
folder_clicked_cb(DerushApplyDialog *self, GtkButton *button)
{
  choose_folder(self);
}

static void
choice_toggled_cb(DerushApplyDialog *self, GtkCheckButton *check)
{
  /* Both radios of a switch toggle: act on the one turned on. */
  if (self->updating || !gtk_check_button_get_active(check))
    return;
  self->choice = check == self->move_check  ? DERUSH_APPLY_CHOICE_MOVE
                 : check == self->xmp_check ? DERUSH_APPLY_CHOICE_XMP
                                            : DERUSH_APPLY_CHOICE_TRASH;
  start_plan(self);
  if (self->choice == DERUSH_APPLY_CHOICE_MOVE && !self->dest)
    choose_folder(self);
}

static void
style_selected_cb(DerushApplyDialog *self, GParamSpec *pspec, AdwComboRow *row)
{
  if (self->updating)
    return;
  self->style = adw_combo_row_get_selected(row);
  update_rows(self);
  if (self->choice == DERUSH_APPLY_CHOICE_XMP)
    start_plan(self);
}

/* ------------------------------------------------------------ apply */

/* A toast with the outcome; a file that failed is named, as the CLI does
 * on stderr. */
static char *
outcome_message(const char *done, const DerushApplyJob *job)
{
  if (job->failed == 0)
    return g_strdup(done);
  return g_strdup_printf("%s · %d failed: %s", done, job->failed,
                         job->first_error ? job->first_error : "unknown error");
}

static void
progress_cb(DerushApplyJob *job, int done, gint64 total, DerushApplyDialog *self)
{
  g_autofree char *text = g_strdup_printf("%d of %" G_GINT64_FORMAT " files", done, total);
  gtk_label_set_text(self->progress_label, text);
  gtk_progress_bar_set_fraction(self->progress_bar,
                                total > 0 ? MIN(1.0, (double)done / total) : 0.0);
}

/* "done" and "failed" alike: the toast says which. */
static void
apply_finished_cb(DerushApplyJob *job, DerushApplyDialog *self)
{
  g_signal_handlers_disconnect_by_data(job, self);
  g_autoptr(DerushApplyJob) held = g_steal_pointer(&self->running);
  DerushWindow *window = self->window;
  if (!window)
    return; /* the window went away meanwhile (the apply itself is journaled) */
  derush_window_set_applying(window, FALSE);

  g_autofree char *done = NULL;
  gboolean undoable = FALSE;
  if (job->choice == DERUSH_APPLY_CHOICE_XMP) {
    done = job->error ? g_strdup_printf("Sidecars not written: %s", job->error->message)
                      : g_strdup_printf("Wrote %" G_GINT64_FORMAT
                                        " sidecar%s (%s), %" G_GINT64_FORMAT " already up to date",
                                        job->xmp.written, job->xmp.written == 1 ? "" : "s",
                                        derush_xmp_style_name(job->style), job->xmp.unchanged);
  } else {
    int photos = g_atomic_int_get(&job->photos_done);
    g_autofree char *to = dest_display_name(self);
    if (job->error)
      done = g_strdup_printf("Apply stopped: %s", job->error->message);
    else
      done = g_strdup_printf("Moved %d photo%s to %s", photos, photos == 1 ? "" : "s",
                             to ? to : "the Trash");
    undoable = job->sum.done > 0;
    /* The catalog already follows the files: list the folder again. */
    if (job->sum.done > 0 || job->error)
      derush_window_reload(window);
  }
  g_autofree char *message = outcome_message(done, job);
  if (undoable)
    derush_window_show_action_toast(window, message, "_Undo", "win.undo-apply");
  else
    derush_window_show_toast(window, message);
  gtk_window_destroy(GTK_WINDOW(self));
}

/**
 * derush_apply_dialog_confirm:
 * Runs the action of the dry run on screen, as the confirm button does.
 *
 * Returns: FALSE when there is nothing to confirm (no dry run yet, nothing
 *   to do, or an apply already running).
 */
gboolean
derush_apply_dialog_confirm(DerushApplyDialog *self)
{
  g_return_val_if_fail(DERUSH_IS_APPLY_DIALOG(self), FALSE);
  if (self->running || !plan_has_work(self->plan) || derush_window_is_applying(self->window))
    return FALSE;
  DerushApplyJob *job = derush_apply_job_new(self->choice, self->catalog_path, self->folder,
                                             self->dest, self->style, FALSE);
  job->total = self->choice == DERUSH_APPLY_CHOICE_XMP
                   ? self->plan->xmp.written + self->plan->xmp.unchanged + self->plan->xmp.failed
                   : self->plan->sum.files;
  self->running = job;
  derush_window_set_applying(self->window, TRUE);
  /* The analysis reads the photos about to move: stop it; the reload
   * afterwards starts it again. */
  if (self->choice != DERUSH_APPLY_CHOICE_XMP)
    derush_window_cancel_jobs(self->window);

  static const char *const titles[] = {"Moving to the Trash…", "Moving Photos…",
                                       "Writing Sidecars…"};
  static const char *const icons[] = {"user-trash-symbolic", "folder-symbolic",
                                      "document-save-symbolic"};
  adw_status_page_set_title(self->progress_page, titles[self->choice]);
  adw_status_page_set_icon_name(self->progress_page, icons[self->choice]);
  g_autofree char *to = self->dest ? display_path(self->dest) : NULL;
  adw_status_page_set_description(self->progress_page,
                                  self->choice == DERUSH_APPLY_CHOICE_MOVE ? to : NULL);
  gtk_stack_set_visible_child_name(self->stack, "progress");
  gtk_widget_set_sensitive(self->cancel_button, FALSE);
  gtk_window_set_deletable(GTK_WINDOW(self), FALSE);
  update_confirm(self);
  g_signal_connect(job, "progress", G_CALLBACK(progress_cb), self);
  g_signal_connect(job, "done", G_CALLBACK(apply_finished_cb), self);
  g_signal_connect(job, "failed", G_CALLBACK(apply_finished_cb), self);
  derush_apply_job_start(job, NULL);
  return TRUE;
}

static void
confirm_clicked_cb(DerushApplyDialog *self, GtkButton *button)
{
  derush_apply_dialog_confirm(self);
}

/* Files are moving: closing now would hide the outcome (the apply goes on
 * regardless, journaled). */
static gboolean
close_request_cb(GtkWindow *window, gpointer data)
{
  return DERUSH_APPLY_DIALOG(window)->running != NULL;
}

/* ------------------------------------------------------------ undo */

/* "done" and "failed" alike: the toast says which. */
static void
undo_finished_cb(DerushApplyJob *job, DerushWindow *window)
{
  derush_window_set_applying(window, FALSE);
  g_autofree char *done = NULL;
  if (job->restored < 0)
    done = g_strdup_printf("Cannot undo the apply: %s", job->error->message);
  else if (job->restored == 0 && job->failed == 0)
    done = g_strdup("No apply to undo");
  else
    done = g_strdup_printf("Restored %" G_GINT64_FORMAT " file%s", job->restored,
                           job->restored == 1 ? "" : "s");
  if (job->restored != 0 || job->failed > 0)
    derush_window_reload(window);
  g_autofree char *message = outcome_message(done, job);
  derush_window_show_toast(window, message);
}

/**
 * derush_apply_undo:
 * Restores the files of the last apply not yet undone (the library's
 * undo-apply, on a worker), then lists the folder again.
 */
void
derush_apply_undo(DerushWindow *window)
{
  g_return_if_fail(DERUSH_IS_WINDOW(window));
  if (derush_window_is_applying(window))
    return;
  derush_window_set_applying(window, TRUE);
  g_autoptr(DerushApplyJob) job = derush_apply_job_new_undo(derush_window_get_catalog_path(window));
  derush_window_cancel_jobs(window);
  /* The job's task holds it until it has reported; the window until then too. */
  g_signal_connect_object(job, "done", G_CALLBACK(undo_finished_cb), window, 0);
  g_signal_connect_object(job, "failed", G_CALLBACK(undo_finished_cb), window, 0);
  derush_apply_job_start(job, NULL);
}

/** derush_apply_is_busy: an apply or an undo is moving files now. */
gboolean
derush_apply_is_busy(DerushWindow *window)
{
  return derush_window_is_applying(window);
}

/* ------------------------------------------------------------ public */

/**
 * derush_apply_dialog_set_choice:
 * @dest: (nullable): the folder for MOVE (NULL keeps the one chosen)
 * @style: the sidecar naming for XMP
 *
 * Selects an action, as the radio rows do, and starts its dry run.
 */
void
derush_apply_dialog_set_choice(DerushApplyDialog *self, DerushApplyChoice choice, const char *dest,
                               DerushXmpStyle style)
{
  g_return_if_fail(DERUSH_IS_APPLY_DIALOG(self));
  g_return_if_fail(choice <= DERUSH_APPLY_CHOICE_XMP);
  if (self->running)
    return;
  if (dest) {
    g_free(self->dest);
    self->dest = g_canonicalize_filename(dest, NULL);
  }
  self->choice = choice;
  self->style = style;
  self->updating = TRUE;
  GtkCheckButton *checks[] = {self->trash_check, self->move_check, self->xmp_check};
  gtk_check_button_set_active(checks[choice], TRUE);
  adw_combo_row_set_selected(self->style_row, style);
  self->updating = FALSE;
  start_plan(self);
}

/** derush_apply_dialog_is_planning: a dry run is being computed. */
gboolean
derush_apply_dialog_is_planning(DerushApplyDialog *self)
{
  return self->planning != NULL;
}

/**
 * derush_apply_dialog_get_dry_run:
 * The dry run on screen as lines, every file included (the dialog lists
 * the first few): "dry-run photos N files N bytes N" (or "dry-run
 * sidecars write N unchanged N conflicts N"), then "dry-run VERB SRC[ ->
 * DST]" per file.
 *
 * Returns: (transfer full) (nullable): the text, NULL while none is ready.
 */
char *
derush_apply_dialog_get_dry_run(DerushApplyDialog *self)
{
  const DerushApplyJob *plan = self->plan;
  if (!plan)
    return NULL;
  GString *out = g_string_new(NULL);
  if (plan->error)
    g_string_append_printf(out, "dry-run error %s\n", plan->error->message);
  else if (plan->choice == DERUSH_APPLY_CHOICE_XMP)
    g_string_append_printf(out,
                           "dry-run sidecars write %" G_GINT64_FORMAT " unchanged %" G_GINT64_FORMAT
                           " conflicts %" G_GINT64_FORMAT "\n",
                           plan->xmp.written, plan->xmp.unchanged, plan->xmp.failed);
  else
    g_string_append_printf(out,
                           "dry-run photos %" G_GINT64_FORMAT " files %" G_GINT64_FORMAT
                           " bytes %" G_GINT64_FORMAT "\n",
                           plan->sum.photos, plan->sum.files, plan->sum.bytes);
  static const char *const xmp_verbs[] = {"write", "unchanged", "conflict"};
  for (guint i = 0; i < plan->files->len; i++) {
    const DerushPlannedFile *f = &g_array_index(plan->files, DerushPlannedFile, i);
    const char *verb =
        plan->choice == DERUSH_APPLY_CHOICE_XMP ? xmp_verbs[f->xmp] : choice_verbs[plan->choice];
    if (f->dst)
      g_string_append_printf(out, "dry-run %s %s -> %s\n", verb, f->src, f->dst);
    else
      g_string_append_printf(out, "dry-run %s %s\n", verb, f->src);
  }
  return g_string_free(out, FALSE);
}

/**
 * derush_apply_dialog_screenshot:
 * @path: a .png file to write.
 * @width: (out) (optional): the dialog's width, @height likewise.
 *
 * Renders the dialog as derush_window_screenshot() renders the window.
 */
gboolean
derush_apply_dialog_screenshot(DerushApplyDialog *self, const char *path, int *width, int *height,
                               GError **error)
{
  return derush_screenshot_window(GTK_WINDOW(self), path, width, height, error);
}

/**
 * derush_apply_dialog_find:
 * Returns: (transfer none) (nullable): the apply dialog open over @window.
 */
DerushApplyDialog *
derush_apply_dialog_find(DerushWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels(); /* (transfer none) */
  guint n = g_list_model_get_n_items(toplevels);
  for (guint i = 0; i < n; i++) {
    g_autoptr(GObject) w = g_list_model_get_item(toplevels, i);
    if (DERUSH_IS_APPLY_DIALOG(w) &&
        gtk_window_get_transient_for(GTK_WINDOW(w)) == GTK_WINDOW(window))
      return DERUSH_APPLY_DIALOG(w);
  }
  return NULL;
}

/**
 * derush_apply_dialog_present:
 * Opens the dialog over @window for its open folder (or brings the open
 * one forward), with the trash action's dry run started.
 *
 * Returns: (transfer none) (nullable): the dialog; NULL without a folder.
 */
DerushApplyDialog *
derush_apply_dialog_present(DerushWindow *window)
{
  g_return_val_if_fail(DERUSH_IS_WINDOW(window), NULL);
  DerushApplyDialog *self = derush_apply_dialog_find(window);
  if (self) {
    gtk_window_present(GTK_WINDOW(self));
    return self;
  }
  if (!derush_window_get_folder(window))
    return NULL;
  self = g_object_new(DERUSH_TYPE_APPLY_DIALOG, "transient-for", window, NULL);
  self->window = g_object_ref(window);
  self->catalog_path = g_strdup(derush_window_get_catalog_path(window));
  self->folder = g_strdup(derush_window_get_folder(window));
  g_autofree char *folder = display_path(self->folder);
  adw_preferences_row_set_title(ADW_PREFERENCES_ROW(self->scope_row), folder);
  update_rows(self);
  start_plan(self);
  gtk_window_present(GTK_WINDOW(self));
  return self;
}

/* ------------------------------------------------------------ GObject */

static void
derush_apply_dialog_dispose(GObject *object)
{
  DerushApplyDialog *self = DERUSH_APPLY_DIALOG(object);
  drop_planning(self);
  if (self->running)
    g_signal_handlers_disconnect_by_data(self->running, self);
  g_clear_object(&self->running);
  if (self->chooser) {
    g_signal_handlers_disconnect_by_data(self->chooser, self);
    gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
    g_clear_object(&self->chooser);
  }
  gtk_widget_dispose_template(GTK_WIDGET(self), DERUSH_TYPE_APPLY_DIALOG);
  g_clear_object(&self->window);
  G_OBJECT_CLASS(derush_apply_dialog_parent_class)->dispose(object);
}

static void
derush_apply_dialog_finalize(GObject *object)
{
  DerushApplyDialog *self = DERUSH_APPLY_DIALOG(object);
  g_clear_object(&self->plan);
  g_free(self->catalog_path);
  g_free(self->folder);
  g_free(self->dest);
  G_OBJECT_CLASS(derush_apply_dialog_parent_class)->finalize(object);
}

static void
derush_apply_dialog_class_init(DerushApplyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_apply_dialog_dispose;
  object_class->finalize = derush_apply_dialog_finalize;

  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/derush/Derush/derush-apply-dialog.ui");
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, cancel_button);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, confirm_button);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, stack);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, scope_row);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, move_row);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, trash_check);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, move_check);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, xmp_check);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, style_row);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, spinner);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, headline_label);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, stats_box);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, note_label);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, files_list);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, progress_page);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, progress_bar);
  gtk_widget_class_bind_template_child(widget_class, DerushApplyDialog, progress_label);
  gtk_widget_class_bind_template_callback(widget_class, confirm_clicked_cb);
  gtk_widget_class_bind_template_callback(widget_class, folder_clicked_cb);
  gtk_widget_class_bind_template_callback(widget_class, choice_toggled_cb);
  gtk_widget_class_bind_template_callback(widget_class, style_selected_cb);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
derush_apply_dialog_init(DerushApplyDialog *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  /* Number tiles in the side panel's style ("card stat"), made in code as
   * the panel's are: four slots, relabelled per action. */
  for (int i = 0; i < N_STATS; i++) {
    GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    gtk_widget_add_css_class(card, "card");
    gtk_widget_add_css_class(card, "stat");
    GtkWidget *value = gtk_label_new("0");
    gtk_widget_add_css_class(value, "title-3");
    gtk_widget_add_css_class(value, "numeric");
    GtkWidget *caption = gtk_label_new(NULL);
    gtk_widget_add_css_class(caption, "caption");
    gtk_widget_add_css_class(caption, "dim-label");
    gtk_box_append(GTK_BOX(card), value);
    gtk_box_append(GTK_BOX(card), caption);
    gtk_box_append(GTK_BOX(self->stats_box), card);
    self->stat_cards[i] = card;
    self->stat_values[i] = GTK_LABEL(value);
    self->stat_captions[i] = GTK_LABEL(caption);
  }
  g_signal_connect(self, "close-request", G_CALLBACK(close_request_cb), NULL);
}
