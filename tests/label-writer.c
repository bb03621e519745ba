/* label-writer.c: a labelling process for the reliability tests.
 *
 *   label-writer CATALOG SEED COUNT STARS_MIN STARS_MAX ID...
 *
 * Labels random photos among ID... one at a time (random keep/trash/none,
 * stars in [STARS_MIN, STARS_MAX]), COUNT times (0: until killed). Before
 * each call it prints "try ID LABEL STARS"; only after
 * derush_catalog_set_labels() has returned TRUE does it print
 * "ack ID LABEL STARS BATCH". Lines are flushed at once, so whatever the
 * test reads after a kill -9 is exactly what was acknowledged. */
#include "derush.h"
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
  if (argc < 7) {
    fprintf(stderr, "usage: label-writer CATALOG SEED COUNT STARS_MIN STARS_MAX ID...\n");
    return 2;
  }
  GError *error = NULL;
  if (!derush_init(argv[0], &error)) {
    fprintf(stderr, "init: %s\n", error->message);
    return 2;
  }
  DerushCatalog *cat = derush_catalog_open(argv[1], &error);
  if (!cat) {
    fprintf(stderr, "open: %s\n", error->message);
    return 2;
  }
  GRand *rand = g_rand_new_with_seed((guint32)atoi(argv[2]));
  long count = atol(argv[3]);
  int smin = atoi(argv[4]), smax = atoi(argv[5]);
  int n_ids = argc - 6;
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (long i = 0; count == 0 || i < count; i++) {
    gint64 id = g_ascii_strtoll(argv[6 + g_rand_int_range(rand, 0, n_ids)], NULL, 10);
    DerushLabelChange c = {
        .set_label = TRUE,
        .label = (DerushLabel)g_rand_int_range(rand, 0, 3),
        .set_stars = TRUE,
        .stars = g_rand_int_range(rand, smin, smax + 1),
    };
    printf("try %" G_GINT64_FORMAT " %d %d\n", id, c.label, c.stars);
    fflush(stdout);
    gint64 batch = 0;
    if (!derush_catalog_set_labels(cat, &id, 1, &c, DERUSH_SOURCE_USER, &batch, &error)) {
      printf("fail %s\n", error->message);
      fflush(stdout);
      g_clear_error(&error);
      continue;
    }
    printf("ack %" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT "\n", id, c.label, c.stars, batch);
    fflush(stdout);
  }
  g_rand_free(rand);
  derush_catalog_close(cat);
  derush_shutdown();
  return 0;
}
