/* learn-shoot.h: a synthetic shoot for the learning tests (test-learn*.c):
 * catalog rows and feature vectors written directly, no image decoded, so a
 * case takes milliseconds. */
#ifndef DERUSH_TEST_LEARN_SHOOT_H
#define DERUSH_TEST_LEARN_SHOOT_H

#include "catalog/catalog-private.h"
#include "learn/learn-private.h"
#include "test-util.h"

/* A shoot of @n_bursts bursts of 3 frames (0.5 s apart, bursts 20 s
 * apart, a new session every 10 bursts) and @n_singles single frames. The
 * taste: the sharpest frame of each burst is kept when well exposed, the
 * others are trashed; singles are kept when sharp and well exposed. Its
 * truth is returned in @keep_out (by photo id order). */
typedef struct {
  DerushCatalog *cat;
  char *dir;
  GArray *ids;  /* gint64, insertion order */
  GArray *keep; /* gboolean, truth */
} Shoot;

void shoot_make(Shoot *s, int n_bursts, int n_singles, guint32 seed);
void shoot_free(Shoot *s);
/* Labels photos @from..@to-1 (insertion order) with their truth, one batch. */
void shoot_label(Shoot *s, guint from, guint to);
void shoot_label_one(Shoot *s, guint i, DerushLabel label);
void exec_sql(DerushCatalog *cat, const char *sql);

#endif /* DERUSH_TEST_LEARN_SHOOT_H */
