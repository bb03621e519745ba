/* fuzz/fuzz.h: what every harness shares.
 *
 * A harness is one .c file defining LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(). It is linked twice: with libFuzzer's main in the
 * clang build (make fuzz), and with replay-main.c in the normal and ASan
 * builds, where `make check` feeds it every committed corpus and regression
 * file. */
#ifndef DERUSH_FUZZ_H
#define DERUSH_FUZZ_H

#include "derush.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* derush_init() once, with GLib criticals made fatal: a g_return_if_fail
 * that bad bytes can reach is a bug the fuzzer should stop on. */
void fuzz_init(const char *argv0);

/* A fresh private folder (removed at exit) under $TMPDIR, else /dev/shm. */
const char *fuzz_temp_dir(void);

/* Writes @data to @path, whole; aborts on failure (the harness's own
 * set-up, not the code under test). */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* A catalog in the temp folder whose photos/ folder holds a tiny JPEG for
 * each of @names (NULL-terminated), scanned; *@folder_out: that folder. */
DerushCatalog *fuzz_catalog_with_photos(const char *const *names, char **folder_out);

/* Scans @folder (no thumbnails, one thread); aborts on a fatal error. */
void fuzz_scan(DerushCatalog *cat, const char *folder);

#endif
