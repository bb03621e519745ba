/* test-util.h: helpers shared by the test programs. */
#ifndef DERUSH_TEST_UTIL_H
#define DERUSH_TEST_UTIL_H

#include "derush-private.h"

/* Calls derush_init() once and sets up GTest; use instead of g_test_init. */
void test_init(int *argc, char ***argv);

/* ../shared (from $DERUSH_SHARED_DIR), or NULL when it is absent: the
 * caller then g_test_skip()s, saying so. (transfer full) */
char *test_shared_path(const char *relative);

/* A fresh temporary folder, removed by test_rmrf(). (transfer full) */
char *test_make_tmpdir(void);
void test_rmrf(const char *path);

/* Copies a file (bytes only, new mtime). */
void test_copy_file(const char *from, const char *to);
void test_write_file(const char *path, const void *data, gsize len);

/* Writes a W x H JPEG (or .png/.tif by extension) whose quadrants are red,
 * green, blue and white (top-left, top-right, bottom-left, bottom-right), so
 * a test can tell its orientation from pixels. */
void test_make_quadrant_image(const char *path, int width, int height);
/* Embeds a @width x @height JPEG of colour @rgb as @path's EXIF thumbnail
 * (IFD1, as cameras write it), with black bands @bar pixels high at its
 * top and bottom (a 3:2 photo letterboxed in a 4:3 thumbnail). */
void test_embed_exif_thumbnail(const char *path, int width, int height, const guint8 rgb[3],
                               int bar);

/* Runs the derush CLI ($DERUSH_BIN) with @argv (NULL-terminated, without
 * the program name) and the environment plus @envp (nullable). Returns the
 * exit status; stdout/stderr out params are optional. */
int test_run_derush(const char *const *argv, const char *const *envp, char **out, char **err);

/* TRUE under valgrind (make valgrind): tests that fork a child which
 * _exit()s on purpose skip there, since memcheck reports the child's
 * abandoned heap as leaks. */
gboolean test_running_on_valgrind(void);

/* The environment for a derush process run by a test: its catalog, its
 * thumbnail cache and XDG folders all inside @tmp, so nothing of the
 * caller's shell (DERUSH_CATALOG, ~/.cache) leaks in. (transfer full) */
GStrv test_isolated_env(const char *tmp, const char *catalog);

/* Runs derush with "--catalog @catalog" first, then the NULL-terminated
 * arguments, in @envp. Output is always captured (an inherited stdout would
 * corrupt the TAP stream); @out/@err are optional. Returns the exit status. */
int test_run_derush_on(const char *catalog, const char *const *envp, char **out, char **err,
                       ...) G_GNUC_NULL_TERMINATED;

/* Starts derush with "--catalog @catalog" then @args (NULL-terminated) in
 * @envp (nullable) and kills it (SIGKILL) after @delay_ms, or, with @ready,
 * as soon as ready(@user_data) returns TRUE after @delay_ms (polled every
 * millisecond). Returns the exit status when it ended first, else 128 + 9. */
int test_run_derush_killed(const char *catalog, const char *const *envp, int delay_ms,
                           gboolean (*ready)(gpointer user_data), gpointer user_data,
                           const char *const *args);

/* The catalog @db opened (with its thumbnail cache in @cache, when given)
 * after a scan of @root, asserting both worked. (transfer full) */
DerushCatalog *test_open_scanned(const char *db, const char *cache, const char *root);

/* Path of the demo set generated for the tests (made once per build). */
const char *test_demo_dir(void);

/* The lines of the demo set's truth.csv, header first. (transfer full) */
GStrv test_demo_truth_lines(void);

#endif
