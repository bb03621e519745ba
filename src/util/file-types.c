/* file-types.c: which file names are photos. By extension, case-insensitive:
 * the scanner must not open every file of a tree to find the photos, and a
 * file named .jpg that is not one is reported as unreadable, not skipped.
 * The decoder then goes by the content, not the name: a JPEG saved as .bmp
 * or .svg (as some tools and downloads do) is read as the JPEG it is. */
#include "derush-private.h"
#include <string.h>

static const char *const photo_exts[] = {
    "jpg", "jpeg", "jpe", "jfif", "png", "tif", "tiff", "webp", "heic", "heif",
    "hif", "avif", "gif", "bmp",  "ppm", "pgm", "pbm",  "pnm",  "svg",  NULL,
};

static const char *const raw_exts[] = {
    "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "raf", "orf", "rw2", "rwl", "dng",
    "pef", "kdc", "dcr", "srw", "x3f", "3fr", "erf", "mrw", "mos", "iiq", "mef", NULL,
};

void
_derush_file_ext(const char *name, char *buf, gsize buf_len)
{
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  const char *dot = strrchr(base, '.');
  buf[0] = '\0';
  if (!dot || dot == base || strlen(dot + 1) >= buf_len)
    return;
  gsize i = 0;
  for (const char *p = dot + 1; *p; p++)
    buf[i++] = g_ascii_tolower(*p);
  buf[i] = '\0';
}

static gboolean
ext_in(const char *name, const char *const *list)
{
  char ext[8];
  _derush_file_ext(name, ext, sizeof ext);
  if (!ext[0])
    return FALSE;
  for (int i = 0; list[i]; i++)
    if (strcmp(ext, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * derush_is_raw_name:
 * Returns: TRUE when @name ends in a camera RAW extension.
 */
gboolean
derush_is_raw_name(const char *name)
{
  return ext_in(name, raw_exts);
}

/**
 * derush_is_photo_name:
 * Returns: TRUE when @name ends in an extension derush reads (RAW included).
 */
gboolean
derush_is_photo_name(const char *name)
{
  return ext_in(name, photo_exts) || ext_in(name, raw_exts);
}
