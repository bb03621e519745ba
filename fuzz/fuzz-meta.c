/* fuzz/fuzz-meta.c: metadata from outside bytes (EXIF, XMP, IPTC through
 * gexiv2 into DerushMeta), exactly as the scanner reads a mapped file. */
#include "fuzz.h"
#include "derush-private.h"
#include <math.h>

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  return 0;
}

/* What read_all() promises whatever the bytes say (derush.h). */
static void
check(const DerushMeta *m)
{
  g_assert_true(m->orientation >= 1 && m->orientation <= 8);
  g_assert_true(!m->has_rating || (m->rating >= -1 && m->rating <= 5));
  g_assert_true(isnan(m->gps_lat) || (m->gps_lat >= -90 && m->gps_lat <= 90));
  g_assert_true(isnan(m->gps_lon) || (m->gps_lon >= -180 && m->gps_lon <= 180));
  g_assert_true(!m->has_offset || (m->offset_minutes > -24 * 60 && m->offset_minutes < 24 * 60));
  g_assert_true(!m->make || g_utf8_validate(m->make, -1, NULL));
  g_assert_true(!m->model || g_utf8_validate(m->model, -1, NULL));
  g_assert_true(!m->lens || g_utf8_validate(m->lens, -1, NULL));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  DerushMeta meta;
  derush_meta_init(&meta);
  GError *error = NULL;
  if (_derush_meta_read_buffer(data, size, &meta, &error))
    check(&meta);
  else
    g_assert_true(error && error->domain == DERUSH_ERROR);
  g_clear_error(&error);
  derush_meta_clear(&meta);
  return 0;
}
