/* fuzz/replay-main.c: feeds files to a harness without libFuzzer.
 *
 * `make check` builds every harness with gcc against this main() and runs
 * it over fuzz/corpus/NAME and fuzz/regressions/NAME: each input the fuzzer
 * ever crashed on stays a test, and no clang is needed to run them. Output
 * is TAP, one case per file; a crash ends the program (meson counts it). */
#include "fuzz.h"
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A hang is a finding too (libFuzzer's -timeout): fail on it in seconds
 * with the file's name rather than at meson's timeout. */
#define REPLAY_TIMEOUT_S 30
static const char *current;

static void
alarm_cb(int sig)
{
  static const char msg[] = "Bail out! replay: one input ran over 30 s: ";
  if (write(2, msg, sizeof msg - 1) < 0 || write(2, current, strlen(current)) < 0 ||
      write(2, "\n", 1) < 0)
    _exit(3);
  _exit(3);
}

static void
collect(const char *path, GPtrArray *files)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add(files, g_strdup(path));
    return;
  }
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    collect(child, files);
  }
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
  signal(SIGALRM, alarm_cb);
  LLVMFuzzerInitialize(&argc, &argv);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; i < argc; i++)
    collect(argv[i], files);
  g_ptr_array_sort(files, compare_paths);
  printf("1..%u\n", files->len);
  if (files->len == 0)
    printf("# no inputs under the given folders\n");
  fflush(stdout);
  for (guint i = 0; i < files->len; i++) {
    const char *path = files->pdata[i];
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
      printf("not ok %u %s # %s\n", i + 1, path, error->message);
      continue;
    }
    /* libFuzzer hands over a copy exactly as long as the input: do the
     * same, so ASan sees a read past the end. */
    guint8 *copy = g_malloc(len ? len : 1);
    memcpy(copy, data, len);
    current = path;
    alarm(REPLAY_TIMEOUT_S);
    LLVMFuzzerTestOneInput(copy, len);
    alarm(0);
    g_free(copy);
    printf("ok %u %s\n", i + 1, path);
    fflush(stdout);
  }
  return 0;
}
