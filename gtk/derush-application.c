/* derush-application.c: the derush-gtk application.
 *
 *   derush-gtk [--catalog FILE] [--replay SCRIPT] [DIR]
 *
 * Opens DIR, else the last folder, else an empty window with an "Open
 * Folder" button. The catalog is chosen as the CLI chooses it: --catalog,
 * else $DERUSH_CATALOG, else $XDG_DATA_HOME/derush/catalog.db.
 *
 * The app is dark by default and follows the system when it asks for a
 * light or dark style (AdwStyleManager, PREFER_DARK); the preferences can
 * make it always dark or always light (the window applies its "style").
 */
#include "derush-application.h"
#include "derush-preferences.h"
#include "testing/derush-replay.h"
#include "derush-settings.h"
#include "derush-window.h"
#include "derush.h"

struct _DerushApplication {
  AdwApplication parent_instance;
  char *catalog_path;
  char *replay_path;
  char *dir;
  DerushReplay *replay;
  gboolean failed;
};

G_DEFINE_FINAL_TYPE(DerushApplication, derush_application, ADW_TYPE_APPLICATION)

static int
derush_application_handle_local_options(GApplication *app, GVariantDict *options)
{
  DerushApplication *self = DERUSH_APPLICATION(app);
  if (g_variant_dict_contains(options, "version")) {
    g_print("derush-gtk %s\n", DERUSH_VERSION);
    return 0;
  }
  g_autofree char *catalog = NULL;
  if (g_variant_dict_lookup(options, "catalog", "^ay", &catalog))
    self->catalog_path = g_canonicalize_filename(catalog, NULL);
  g_variant_dict_lookup(options, "replay", "^ay", &self->replay_path);
  g_autofree const char **rest = NULL;
  if (g_variant_dict_lookup(options, G_OPTION_REMAINING, "^a&ay", &rest) && rest && rest[0]) {
    if (rest[1]) {
      g_printerr("derush-gtk: one folder at a time\n");
      return 2;
    }
    self->dir = g_canonicalize_filename(rest[0], NULL);
  }
  return -1;
}

static char *
last_folder(void)
{
  g_autoptr(GKeyFile) kf = derush_settings_load_file();
  DerushSettings s;
  derush_settings_read(kf, &s);
  char *dir = g_steal_pointer(&s.last_folder);
  derush_settings_clear(&s);
  if (dir && !g_file_test(dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer(&dir, g_free);
  return dir;
}

static void
derush_application_activate(GApplication *app)
{
  DerushApplication *self = DERUSH_APPLICATION(app);
  GtkWindow *existing = gtk_application_get_active_window(GTK_APPLICATION(app));
  if (existing) {
    gtk_window_present(existing);
    return;
  }

  g_autoptr(GError) error = NULL;
  DerushWindow *window = derush_window_new(GTK_APPLICATION(app), self->catalog_path, &error);
  if (!window) {
    g_autofree char *path =
        self->catalog_path ? g_strdup(self->catalog_path) : derush_default_catalog_path();
    g_printerr("derush-gtk: %s: %s\n", path, error->message);
    self->failed = TRUE;
    return;
  }

  if (self->replay_path) {
    self->replay = derush_replay_new(window, self->replay_path, &error);
    if (!self->replay) {
      g_printerr("derush-gtk: --replay: %s\n", error->message);
      self->failed = TRUE;
      gtk_window_destroy(GTK_WINDOW(window));
      return;
    }
  }

  gtk_window_present(GTK_WINDOW(window));
  /* A replay never falls back to the last folder: tests must not depend
   * on what the machine opened before. */
  g_autofree char *dir = self->dir ? g_strdup(self->dir) : self->replay ? NULL : last_folder();
  if (dir)
    derush_window_open_folder(window, dir);
  if (self->replay)
    derush_replay_start(self->replay);
}

static void
quit_cb(GSimpleAction *action, GVariant *param, gpointer data)
{
  g_application_quit(G_APPLICATION(data));
}

static void
about_cb(GSimpleAction *action, GVariant *param, gpointer data)
{
  static const char *const developers[] = {"The derush authors", NULL};
  adw_show_about_window(gtk_application_get_active_window(GTK_APPLICATION(data)),
                        "application-name", "derush", "application-icon", DERUSH_APP_ID, "version",
                        DERUSH_VERSION, "comments",
                        "Cull photos at keyboard speed: keep, trash, stars, undo.", "developers",
                        developers, "license-type", GTK_LICENSE_GPL_3_0, NULL);
}

/* The window's preferences: the app's one main window (dialogs are not
 * the application's windows, but be sure). */
static void
preferences_cb(GSimpleAction *action, GVariant *param, gpointer data)
{
  for (GList *l = gtk_application_get_windows(GTK_APPLICATION(data)); l; l = l->next)
    if (DERUSH_IS_WINDOW(l->data)) {
      derush_preferences_present(l->data);
      return;
    }
}

static void
derush_application_startup(GApplication *app)
{
  G_APPLICATION_CLASS(derush_application_parent_class)->startup(app);

  /* Dark unless the system asks for light: culling is judged on a dark
   * surround, as in every photo tool. */
  adw_style_manager_set_color_scheme(adw_style_manager_get_default(), ADW_COLOR_SCHEME_PREFER_DARK);

  static const GActionEntry entries[] = {
      {"quit", quit_cb, NULL, NULL, NULL},
      {"about", about_cb, NULL, NULL, NULL},
      {"preferences", preferences_cb, NULL, NULL, NULL},
  };
  g_action_map_add_action_entries(G_ACTION_MAP(app), entries, G_N_ELEMENTS(entries), app);
  static const char *const quit_accels[] = {"<Control>q", NULL};
  gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);
  static const char *const close_accels[] = {"<Control>w", NULL};
  gtk_application_set_accels_for_action(GTK_APPLICATION(app), "window.close", close_accels);
  static const char *const preferences_accels[] = {"<Control>comma", NULL};
  gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.preferences",
                                        preferences_accels);
}

static void
derush_application_finalize(GObject *object)
{
  DerushApplication *self = DERUSH_APPLICATION(object);
  g_clear_object(&self->replay);
  g_free(self->catalog_path);
  g_free(self->replay_path);
  g_free(self->dir);
  G_OBJECT_CLASS(derush_application_parent_class)->finalize(object);
}

static void
derush_application_class_init(DerushApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS(klass);
  object_class->finalize = derush_application_finalize;
  app_class->handle_local_options = derush_application_handle_local_options;
  app_class->activate = derush_application_activate;
  app_class->startup = derush_application_startup;
}

static void
derush_application_init(DerushApplication *self)
{
  static const GOptionEntry options[] = {
      {"catalog", 'c', 0, G_OPTION_ARG_FILENAME, NULL,
       "Catalog file (default: $DERUSH_CATALOG, else $XDG_DATA_HOME/derush/catalog.db)", "FILE"},
      {"replay", 0, 0, G_OPTION_ARG_FILENAME, NULL,
       "Run the scripted actions in SCRIPT, then quit (for tests)", "SCRIPT"},
      {"version", 0, 0, G_OPTION_ARG_NONE, NULL, "Show the version", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, "[DIR]"},
      {NULL},
  };
  g_application_add_main_option_entries(G_APPLICATION(self), options);
  g_application_set_option_context_parameter_string(G_APPLICATION(self), "[DIR]");
  g_application_set_option_context_summary(G_APPLICATION(self),
                                           "Cull the photos of DIR: keep, trash, stars, undo.");
}

/**
 * derush_application_new:
 * Returns: (transfer full): the application. Non-unique: each
 * `derush-gtk DIR` is its own window and process, so tests and scripted
 * runs never hand their work to an instance already running.
 */
DerushApplication *
derush_application_new(void)
{
  return g_object_new(DERUSH_TYPE_APPLICATION, "application-id", DERUSH_APP_ID, "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/derush/Derush", NULL);
}

/**
 * derush_application_run:
 * Initialises libderush (before any thread), runs the app.
 * Returns: the exit status (1 when a replay failed or the catalog could
 *   not be opened).
 */
int
derush_application_run(int argc, char **argv)
{
  /* The app runs models in the background: their threads must idle
   * passively, or they take the CPU the UI thread needs. */
  derush_restart_with_idle_threads(argv);
  g_autoptr(GError) error = NULL;
  /* The app decodes from several threads from its first frame: start
   * the decoders here, on the main thread. */
  if (!derush_init(argv[0], &error) || !derush_init_decoders(&error)) {
    g_printerr("derush-gtk: %s\n", error->message);
    return 2;
  }
  g_set_application_name("derush");
  g_autoptr(DerushApplication) app = derush_application_new();
  int status = g_application_run(G_APPLICATION(app), argc, argv);
  if (status == 0 && (app->failed || (app->replay && derush_replay_get_failed(app->replay))))
    status = 1;
  return status;
}
