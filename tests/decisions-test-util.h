/* decisions-test-util.h: the fixture of the decision test programs
 * (test-decisions, test-decisions-sidecars, test-decisions-apply): N
 * scanned PNGs in a catalog of their own, with an isolated environment. */
#pragma once

#include "test-util.h"
#include <json-glib/json-glib.h>

#define N 8

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  GStrv env;
  gint64 ids[N];
  char *paths[N];
} Fixture;

/* Runs derush on the fixture's catalog and environment. */
#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

void fixture_set_up(Fixture *f, gconstpointer data);
void fixture_tear_down(Fixture *f, gconstpointer data);
GPtrArray *parse_lines(const char *text);
DerushCatalog *open_catalog(Fixture *f);
DerushPhoto *photo_at(Fixture *f, const char *path);
