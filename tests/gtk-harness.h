/* gtk-harness.h: derush-gtk under a display, for the GUI test programs. */
#ifndef DERUSH_GTK_HARNESS_H
#define DERUSH_GTK_HARNESS_H

#include "test-util.h"

typedef struct {
  char *tmp;
  char *photos;
  char *catalog;
  char *shots; /* screenshot folder, kept after the test */
} Fixture;

/* A display for the app: TRUE when there is one; else the test skips. */
gboolean need_display(void);
/* The demo set under a display, or NULL with the test skipped, saying why
 * (no display, or no mate-backgrounds to build it from). */
const char *need_demo(void);
gboolean ensure_display(void);
void stop_display(void);

void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);

/* @n small JPEGs p00.jpg... in f->photos, landscape and portrait. */
void make_photos(Fixture *f, int n);

/* Starts the app on @dir with @script (running); finish_app() waits for it,
 * asserts no critical, and returns its exit status with its output. */
GSubprocess *spawn_app(Fixture *f, const char *dir, const char *script);
int finish_app(GSubprocess *proc, char **out, char **err);
int run_app(Fixture *f, const char *dir, const char *script, char **out, char **err);
/* A stop in the app's script (`touch READY` then `wait-file GO`):
 * await_app() waits until the app touched @path, failing with its output
 * when it exits or hangs first; resume_app() lets it go on past its
 * `wait-file @path`. */
void await_app(GSubprocess *proc, const char *path);
void resume_app(const char *path);

/* The screenshot exists, has the size the app reported and is not blank. */
void check_screenshot(const char *out, const char *path);
/* The same for a dialog (the apply dialog, the preferences): 400 x 400 at least. */
void check_dialog_screenshot(const char *out, const char *path);
gint64 counter_from(const char *out, const char *name);
DerushPhoto *photo(DerushCatalog *cat, Fixture *f, int i);

#endif
