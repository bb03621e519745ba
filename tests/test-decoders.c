/* test-decoders.c: the image decoders shared by several threads at once.
 *
 * The scan and the analyzer decode from a pool of workers. Debian 12's
 * liborc frees generated code without the lock it allocates under, so
 * libvips' vector paths corrupted the heap now and then when two workers
 * resized at once (issue 16, defect 10); derush turns them off. */
#include "test-util.h"

#include <vips/vector.h>

static void
test_no_runtime_codegen(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_init_decoders(&error));
  g_assert_no_error(error);
  /* The heap corruption came from liborc's generated code; it stays off. */
  g_assert_false(vips_vector_isenabled());
}

/* What crashed: libvips resizes built and freed on several threads at once
 * (each reducev compiles its own vector program when vectors are on). */
typedef struct {
  int rounds;
  int done;
} Worker;

static gpointer
resize_loop(gpointer data)
{
  Worker *w = data;
  for (int i = 0; i < w->rounds; i++) {
    g_autoptr(VipsImage) matrix = vips_image_new_matrix(64 + i % 7, 64);
    g_autoptr(VipsImage) u8 = NULL, small = NULL;
    if (vips_cast(matrix, &u8, VIPS_FORMAT_UCHAR, NULL) == 0 &&
        vips_reducev(u8, &small, 1.7 + (i % 5) * 0.1, NULL) == 0 &&
        vips_image_wio_input(small) == 0)
      w->done++;
  }
  return NULL;
}

/* Without the fix, 3,000 rounds crashed ("malloc_consolidate(): unaligned
 * fastbin chunk", SIGSEGV) in 2 of 10 runs; make torture runs that many
 * (DERUSH_STRESS_ROUNDS), make check a short round. */
static void
test_threads_stress(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_init_decoders(&error));
  const char *env = g_getenv("DERUSH_STRESS_ROUNDS");
  int rounds = env ? atoi(env) : 300;
  Worker workers[4];
  GThread *threads[4];
  for (int i = 0; i < 4; i++) {
    workers[i] = (Worker){rounds, 0};
    threads[i] = g_thread_new("resize", resize_loop, &workers[i]);
  }
  for (int i = 0; i < 4; i++) {
    g_thread_join(threads[i]);
    g_assert_cmpint(workers[i].done, ==, rounds);
  }
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/decoders/no-runtime-codegen", test_no_runtime_codegen);
  g_test_add_func("/decoders/threads-stress", test_threads_stress);
  return g_test_run();
}
