/* test-gtk-util.h: what the GUI tests (test-gtk*.c) share. */
#pragma once

#include "test-util.h"

typedef struct {
  char *tmp;
  char *photos;
  char *catalog;
  char *shots; /* screenshot folder, kept after the test */
} Fixture;

/* Starts Xvfb on a free display unless there is one; FALSE: the test was skipped. */
gboolean need_display(void);
void stop_display(void);
void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);
/* p00.jpg .. in f->photos, landscape and portrait. */
void make_photos(Fixture *f, int n);
/* The app on @dir with @script, running; its output is piped. */
GSubprocess *spawn_app(Fixture *f, const char *dir, const char *script);
/* Waits for the app; its exit status, its output in @out and @err. */
int finish_app(GSubprocess *proc, char **out, char **err);
int run_app(Fixture *f, const char *dir, const char *script, char **out, char **err);
/* The screenshot the app reported exists, has its size and is not blank. */
void check_screenshot(const char *out, const char *path);
/* The value of "counter NAME N" in @out. */
gint64 counter_from(const char *out, const char *name);
/* The catalog's record of p%02d.jpg (@cat is used, not closed). */
DerushPhoto *photo(DerushCatalog *cat, Fixture *f, int i);
