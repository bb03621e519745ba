/* image/image-load.c: one decode per photo, from the bytes already in memory.
 *
 * The scanner maps each photo once and hands the same bytes to the hash,
 * exiv2 and this file. Here the header is probed first (cheap, and the only
 * defence against decompression bombs: libvips 8.14 has no pixel limit),
 * then one shrink-on-load thumbnail is made and normalised to what every
 * consumer expects: upright, sRGB, 8-bit, 3 bands, in memory.
 *
 * Camera RAW files go to libraw for their embedded preview only: a
 * demosaic costs seconds, the preview ~0.3 ms, and culling needs no more.
 *
 * Over 600 lines: one loader per format family (JPEG, HEIF, RAW previews,
 * the rest) behind one header probe and one normalisation.
 */
#include "derush-private.h"
#include <libraw/libraw.h>

/**
 * _derush_set_vips_error:
 * @error: (out) (optional): the GError to set.
 * @code: a DerushError code.
 * @what: what failed, in words a user can read ("corrupt image data").
 *
 * Converts the libvips error buffer into @error, once, at the boundary:
 * takes the buffer's text (trimmed, one line) and clears it, so the next
 * file starts clean. The buffer is process-wide in libvips 8.14, so under
 * concurrent decodes a message can carry another thread's text; the code
 * and @what are always this call's own.
 */
/* libvips 8.14 has one error buffer for the whole process: with several
 * workers decoding, one file's failure could take another's text, or have
 * it cleared before it was read ("corrupt image data" with no detail). So
 * decodes run under the reader side of this lock (in parallel, as before),
 * and a failed one is run again under the writer side, alone, for a reason
 * that carries its own detail and no other file's (load_with_vips). */
static GRWLock vips_error_lock;
/* This thread holds vips_error_lock (either side): the helpers below then
 * touch the buffer without taking it again (GRWLock is not recursive). */
static _Thread_local int error_lock_held;

static void
error_lock(gboolean alone)
{
  if (alone)
    g_rw_lock_writer_lock(&vips_error_lock);
  else
    g_rw_lock_reader_lock(&vips_error_lock);
  error_lock_held++;
}

static void
error_unlock(gboolean alone)
{
  error_lock_held--;
  if (alone)
    g_rw_lock_writer_unlock(&vips_error_lock);
  else
    g_rw_lock_reader_unlock(&vips_error_lock);
}

/* vips_error_clear() that never wipes the text of a failed decode being
 * run again alone (see vips_error_lock). */
void
_derush_vips_error_clear(void)
{
  if (error_lock_held) {
    vips_error_clear();
    return;
  }
  error_lock(FALSE);
  vips_error_clear();
  error_unlock(FALSE);
}

/* Takes (and clears) the buffer's text; outside the lock only under its
 * reader side, so a header read failing beside a decode run again alone
 * cannot take that decode's text (test-bad-input saw "corrupt image data"
 * with no detail once in a parallel scan). */
static char *
vips_error_take(void)
{
  if (error_lock_held)
    return vips_error_buffer_copy();
  error_lock(FALSE);
  char *text = vips_error_buffer_copy();
  error_unlock(FALSE);
  return text;
}

void
_derush_set_vips_error(GError **error, int code, const char *what)
{
  g_autofree char *text = vips_error_take();
  /* One line, without the repeats libjpeg produces ("VipsJpeg: Premature
   * end of JPEG file" twice). */
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GString) joined = g_string_new(NULL);
  for (int i = 0; lines[i]; i++) {
    g_strstrip(lines[i]);
    if (!*lines[i] || (i > 0 && strcmp(lines[i], lines[i - 1]) == 0))
      continue;
    if (joined->len)
      g_string_append(joined, "; ");
    g_string_append(joined, lines[i]);
  }
  if (joined->len)
    g_set_error(error, DERUSH_ERROR, code, "%s: %s", what, joined->str);
  else
    g_set_error_literal(error, DERUSH_ERROR, code, what);
}

/* Takes the new image of a pipeline step in place of the current one. */
static void
take(VipsImage **cur, VipsImage *next)
{
  g_object_unref(*cur);
  *cur = next;
}

/**
 * _derush_image_normalise:
 * @in: a decoded (possibly lazy) image.
 * @error: return location for a GError.
 *
 * Brings any loader output to sRGB, 8-bit, 3 bands: other colour spaces
 * (CMYK, Lab, scRGB...) are converted, 16- and 32-bit samples are scaled
 * (not clipped) to 8 bits, alpha is flattened on mid grey (neutral under
 * both light and dark themes) and grey is spread to 3 bands. Lazy: nothing
 * is computed until the caller copies the result.
 *
 * Returns: (transfer full): the new image, or NULL with @error set.
 */
VipsImage *
_derush_image_normalise(VipsImage *in, GError **error)
{
  VipsImage *cur = g_object_ref(in);
  VipsImage *next = NULL;

  VipsInterpretation interp = vips_image_guess_interpretation(cur);
  switch (interp) {
  case VIPS_INTERPRETATION_CMYK:
  case VIPS_INTERPRETATION_LAB:
  case VIPS_INTERPRETATION_LABQ:
  case VIPS_INTERPRETATION_LABS:
  case VIPS_INTERPRETATION_LCH:
  case VIPS_INTERPRETATION_CMC:
  case VIPS_INTERPRETATION_XYZ:
  case VIPS_INTERPRETATION_YXY:
  case VIPS_INTERPRETATION_scRGB:
  case VIPS_INTERPRETATION_HSV:
    if (vips_colourspace(cur, &next, VIPS_INTERPRETATION_sRGB, NULL))
      goto fail;
    take(&cur, next);
    break;
  default:
    break;
  }

  /* Scale by shifting: 65535 must become 255, not be clipped to it. */
  switch (cur->BandFmt) {
  case VIPS_FORMAT_UCHAR:
    break;
  case VIPS_FORMAT_USHORT:
  case VIPS_FORMAT_UINT: {
    int shift = cur->BandFmt == VIPS_FORMAT_USHORT ? 8 : 24;
    if (vips_rshift_const1(cur, &next, shift, NULL))
      goto fail;
    take(&cur, next);
    if (vips_cast_uchar(cur, &next, NULL))
      goto fail;
    take(&cur, next);
    break;
  }
  case VIPS_FORMAT_FLOAT:
  case VIPS_FORMAT_DOUBLE:
    /* Float pixels that are not scRGB (handled above) are 0..1 by the
     * TIFF convention libvips follows for SAMPLEFORMAT_IEEEFP. */
    if (vips_linear1(cur, &next, 255.0, 0.0, "uchar", TRUE, NULL))
      goto fail;
    take(&cur, next);
    break;
  default:
    if (vips_cast_uchar(cur, &next, NULL))
      goto fail;
    take(&cur, next);
    break;
  }

  if (cur->Bands == 2 || cur->Bands >= 4) {
    double grey[3] = {128.0, 128.0, 128.0};
    int n = cur->Bands - 1 >= 3 ? 3 : 1;
    VipsArrayDouble *background = vips_array_double_new(grey, n);
    int rc = vips_flatten(cur, &next, "background", background, "max_alpha", 255.0, NULL);
    vips_area_unref(VIPS_AREA(background));
    if (rc)
      goto fail;
    take(&cur, next);
  }
  if (cur->Bands == 1) {
    VipsImage *three[3] = {cur, cur, cur};
    if (vips_bandjoin(three, &next, 3, NULL))
      goto fail;
    take(&cur, next);
  } else if (cur->Bands > 3) {
    if (vips_extract_band(cur, &next, 0, "n", 3, NULL))
      goto fail;
    take(&cur, next);
  }
  if (vips_copy(cur, &next, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
    goto fail;
  take(&cur, next);
  return cur;

fail:
  g_object_unref(cur);
  _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot convert to sRGB");
  return NULL;
}

/**
 * _derush_image_orient:
 * @in: an image as stored (rows and columns as the sensor wrote them).
 * @orientation: EXIF orientation, 1-8; other values are taken as 1.
 * @error: return location for a GError.
 *
 * Turns a stored image upright as EXIF orientation @orientation says,
 * mirrored cases (2, 4, 5, 7) included. For RAW previews, which libvips
 * cannot auto-rotate: the orientation lives in the RAW file, not in them.
 *
 * Returns: (transfer full): the upright image (lazy), or NULL with @error set.
 */
VipsImage *
_derush_image_orient(VipsImage *in, int orientation, GError **error)
{
  VipsImage *a = NULL, *b = NULL;
  int rc = 0;
  switch (orientation) {
  case 2:
    rc = vips_flip(in, &b, VIPS_DIRECTION_HORIZONTAL, NULL);
    break;
  case 3:
    rc = vips_rot(in, &b, VIPS_ANGLE_D180, NULL);
    break;
  case 4:
    rc = vips_flip(in, &b, VIPS_DIRECTION_VERTICAL, NULL);
    break;
  case 5: /* transpose: rows become columns */
  case 7: /* transverse */
    rc = vips_rot(in, &a, orientation == 5 ? VIPS_ANGLE_D90 : VIPS_ANGLE_D270, NULL);
    if (!rc)
      rc = vips_flip(a, &b, VIPS_DIRECTION_HORIZONTAL, NULL);
    g_clear_object(&a);
    break;
  case 6:
    rc = vips_rot(in, &b, VIPS_ANGLE_D90, NULL);
    break;
  case 8:
    rc = vips_rot(in, &b, VIPS_ANGLE_D270, NULL);
    break;
  default:
    return g_object_ref(in);
  }
  if (rc) {
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot rotate the image");
    return NULL;
  }
  return b;
}

/* Copies a lazy pipeline to memory (this is where pixels are decoded and
 * where truncated data shows up) and drops the metadata that would make a
 * later vips operation rotate or colour-convert it again. */
static VipsImage *
finish(VipsImage *lazy, GError **error)
{
  VipsImage *mem = vips_image_copy_memory(lazy);
  if (!mem) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "corrupt image data");
    return NULL;
  }
  static const char *const drop[] = {
      VIPS_META_ORIENTATION, VIPS_META_EXIF_NAME, VIPS_META_ICC_NAME,
      VIPS_META_XMP_NAME,    VIPS_META_IPTC_NAME,
  };
  for (gsize i = 0; i < G_N_ELEMENTS(drop); i++)
    vips_image_remove(mem, drop[i]);
  return mem;
}

/* Every decoded thumbnail ends here: sRGB 8-bit 3 bands, upright, in
 * memory. Takes @t over. */
static VipsImage *
upright_srgb(VipsImage *t, int orientation, GError **error)
{
  g_autoptr(VipsImage) norm = _derush_image_normalise(t, error);
  g_object_unref(t);
  if (!norm)
    return NULL;
  if (orientation <= 1)
    return finish(norm, error);
  /* Decode first, turn after: a turn reads the image in another order
   * than the loader's sequential access gives ("out of order read"), so
   * the pipeline is brought to memory (a thumbnail: a few hundred kB) and
   * the turn works on that. */
  g_autoptr(VipsImage) decoded = finish(norm, error);
  if (!decoded)
    return NULL;
  g_autoptr(VipsImage) upright = _derush_image_orient(decoded, orientation, error);
  if (!upright)
    return NULL;
  return finish(upright, error);
}

/* The one decode of a libvips-readable buffer: shrink-on-load thumbnail,
 * normalised, oriented (when @orientation > 1), in memory. @data must stay
 * valid until this returns.
 *
 * @icc: the data embeds an ICC profile. Only then is "export_profile" set:
 * libvips 8.14 ignores embedded profiles without it, but with it converts
 * profile-less images too, through XYZ and its ICC sRGB, which costs time
 * and tints greys (white comes back 250,253,253). CMYK without a profile
 * is converted by vips_colourspace() with the built-in CMYK profile. */
static VipsImage *
decode_thumbnail(const guint8 *data, gsize len, int size, gboolean no_rotate, gboolean icc,
                 int orientation, GError **error)
{
  VipsImage *t = NULL;
  /* fail_on=truncated: a JPEG cut short or with damaged entropy data is an
   * error, not a grey smear. Through "option_string": libvips 8.14's
   * thumbnail_buffer does not hand its own "fail_on" to the loader (a JPEG
   * cut in half then decodes "fine" at shrink 8). */
  /* A memory source, not a buffer: some loaders (netpbm) only take
   * sources in 8.14, and the source wraps the mapping without a copy. */
  g_autoptr(VipsSource) source = vips_source_new_from_memory(data, len);
  int rc = icc ? vips_thumbnail_source(source, &t, size, "height", size, "size", VIPS_SIZE_DOWN,
                                       "no_rotate", no_rotate, "export_profile", "srgb",
                                       "option_string", "fail_on=truncated", NULL)
               : vips_thumbnail_source(source, &t, size, "height", size, "size", VIPS_SIZE_DOWN,
                                       "no_rotate", no_rotate, "option_string", "fail_on=truncated",
                                       NULL);
  if (rc) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot decode the image");
    return NULL;
  }
  return upright_srgb(t, orientation, error);
}

/* JPEG, the common case, without vips_thumbnail: libjpeg's DCT scaling
 * (shrink 1/2/4/8, the largest that keeps the long edge >= @size) does most
 * of the reduction while decoding, and the remaining factor of at most 2 is
 * a bilinear reduce instead of thumbnail's lanczos3, which dominated the
 * scan's CPU profile. The embedded profile, when there is one, is applied
 * explicitly; orientation comes from the header. */
static VipsImage *
decode_jpeg_thumbnail(const guint8 *data, gsize len, int width, int height, int size, gboolean icc,
                      VipsFailOn fail_on, int orientation, GError **error)
{
  int long_edge = MAX(width, height), shrink = 8;
  while (shrink > 1 && long_edge / shrink < size)
    shrink /= 2;
  g_autoptr(VipsSource) source = vips_source_new_from_memory(data, len);
  VipsImage *x = NULL;
  if (vips_jpegload_source(source, &x, "shrink", shrink, "fail_on", fail_on, "access",
                           VIPS_ACCESS_SEQUENTIAL, NULL)) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot decode the image");
    return NULL;
  }
  double scale = (double)size / MAX(vips_image_get_width(x), vips_image_get_height(x));
  if (scale < 1.0) {
    VipsImage *y = NULL;
    int rc = vips_resize(x, &y, scale, "kernel", VIPS_KERNEL_LINEAR, NULL);
    g_object_unref(x);
    if (rc) {
      _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot shrink the image");
      return NULL;
    }
    x = y;
  }
  if (icc) {
    VipsImage *y = NULL;
    int rc =
        vips_icc_transform(x, &y, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_RELATIVE, NULL);
    g_object_unref(x);
    if (rc) {
      _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot convert the colour profile");
      return NULL;
    }
    x = y;
  }
  return upright_srgb(x, orientation, error);
}

/* TRUE when libjpeg ran out of entropy-coded data before the last row the
 * header promised: a file cut short, or a header that claims more pixels
 * than the file holds (the rest would come back grey). */
static gboolean
data_ends_early(const GError *error)
{
  return error && (strstr(error->message, "premature end of data segment") ||
                   strstr(error->message, "Premature end of JPEG file") ||
                   strstr(error->message, "Premature end of input file"));
}

/* One decode, counted (IMAGES_DECODED) unless it only re-runs a failure
 * for its error text. */
static VipsImage *
decode_once(const guint8 *data, gsize len, const char *format, int width, int height, int size,
            gboolean icc, gboolean strict, int orientation, gboolean count, GError **error)
{
  if (count)
    derush_counter_add(DERUSH_COUNTER_IMAGES_DECODED, 1);
  /* HEIF: no_rotate as well, in case a libvips reports the EXIF tag that
   * libheif has already honoured. */
  if (strcmp(format, "jpeg") == 0)
    return decode_jpeg_thumbnail(data, len, width, height, size, icc,
                                 strict ? VIPS_FAIL_ON_WARNING : VIPS_FAIL_ON_TRUNCATED,
                                 orientation, error);
  gboolean heif = strcmp(format, "heif") == 0 || strcmp(format, "avif") == 0;
  return decode_thumbnail(data, len, size, heif, icc, 1, error);
}

/* The decode, with what it may refuse sorted out:
 * - a JPEG is decoded strictly first (any libjpeg warning fails), so that
 *   data ending early is seen: then the header's size is a lie or the file
 *   is cut, and the photo is unreadable with that reason (and no size);
 *   other warnings (extraneous bytes...) are harmless: decoded again, lax;
 * - an embedded profile that does not fit (an RGB profile on a grey JPEG,
 *   which icc_transform refuses; broken tags) is ignored with a note in
 *   @info, and the photo decodes as its pixels say (grey, sRGB, CMYK). */
static VipsImage *
decode_checked(const guint8 *data, gsize len, const char *format, int width, int height, int size,
               gboolean icc, int orientation, gboolean count, DerushImageInfo *info, GError **error)
{
  gboolean jpeg = strcmp(format, "jpeg") == 0;
  GError *first = NULL;
  VipsImage *t =
      decode_once(data, len, format, width, height, size, icc, jpeg, orientation, count, &first);
  if (t)
    return t;
  if (data_ends_early(first)) {
    /* Unreadable, with the header's size kept as what the header says (a
     * file cut short has a true one); the reason tells the two apart. */
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "image data ends before the %dx%d its header claims (%s)", width, height,
                first->message);
    g_error_free(first);
    return NULL;
  }
  GError *again = NULL;
  if (jpeg) {
    t = decode_once(data, len, format, width, height, size, icc, FALSE, orientation, count, &again);
    if (t) {
      g_error_free(first);
      return t;
    }
  }
  if (icc) {
    g_clear_error(&again);
    t = decode_once(data, len, format, width, height, size, FALSE, FALSE, orientation, count,
                    &again);
    if (t) {
      g_snprintf(info->note, sizeof info->note, "colour profile ignored (%s)", first->message);
      g_error_free(first);
      return t;
    }
  }
  g_propagate_error(error, again ? again : first);
  if (again)
    g_error_free(first);
  return NULL;
}

/* Maps a loader name (class name or nickname) to derush's format names. */
static const char *
format_from_loader(const char *loader)
{
  static const struct {
    const char *key, *format;
  } map[] = {
      {"jpeg", "jpeg"}, {"png", "png"}, {"tiff", "tiff"}, {"webp", "webp"},
      {"heif", "heif"}, {"gif", "gif"}, {"ppm", "pnm"},
  };
  g_autofree char *lower = g_ascii_strdown(loader, -1);
  for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
    if (strstr(lower, map[i].key))
      return map[i].format;
  return NULL;
}

/* Every format but RAW: probe, check, then one decode. */
static gboolean
load_with_vips(const guint8 *data, gsize len, const char *name, int thumb_size,
               DerushImageInfo *info, VipsImage **thumb, GError **error)
{
  g_autoptr(VipsSource) source = vips_source_new_from_memory(data, len);
  const char *loader = source ? vips_foreign_find_load_source(source) : NULL;
  if (!loader) {
    _derush_vips_error_clear();
    /* A photo extension on bytes no loader recognises: the file is damaged
     * or not what its name says. */
    gboolean named_photo = name && derush_is_photo_name(name);
    g_set_error(error, DERUSH_ERROR, named_photo ? DERUSH_ERROR_CORRUPT : DERUSH_ERROR_UNSUPPORTED,
                "not a known image format (%" G_GSIZE_FORMAT " bytes)", len);
    return FALSE;
  }
  const char *format = format_from_loader(loader);
  if (!format) {
    /* "VipsForeignLoadJxlBuffer" -> "jxl": a format libvips knows but
     * derush does not read (the loader is blocked in derush_init). */
    g_autofree char *kind = g_ascii_strdown(loader, -1);
    if (g_str_has_prefix(kind, "vipsforeignload"))
      memmove(kind, kind + strlen("vipsforeignload"), strlen(kind) - strlen("vipsforeignload") + 1);
    if (g_str_has_suffix(kind, "source"))
      kind[strlen(kind) - strlen("source")] = '\0';
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "unsupported image format (%s)",
                kind);
    return FALSE;
  }

  /* Header only: sequential access opens the file without decoding.
   * Under the lock's reader side: its libvips text must not land in a
   * decode being run again alone. */
  error_lock(FALSE);
  VipsImage *header =
      vips_image_new_from_source(source, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
  derush_counter_add(DERUSH_COUNTER_HEADERS_READ, 1);
  if (!header)
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot read the image header");
  error_unlock(FALSE);
  if (!header)
    return FALSE;
  gboolean heif = strcmp(format, "heif") == 0;
  if (heif) {
    const char *compression = NULL;
    if (vips_image_get_typeof(header, "heif-compression") &&
        vips_image_get_string(header, "heif-compression", &compression) == 0 && compression &&
        strcmp(compression, "av1") == 0)
      format = "avif";
  }
  int width = vips_image_get_width(header), height = vips_image_get_height(header);
  /* libheif has applied the stored rotation already. */
  int orientation = heif ? 1 : vips_image_get_orientation(header);
  gboolean icc = vips_image_get_typeof(header, VIPS_META_ICC_NAME) != 0;
  g_object_unref(header);

  if ((gint64)width * height > DERUSH_PIXEL_LIMIT) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE,
                "%dx%d is over the limit of %" G_GINT64_FORMAT " megapixels", width, height,
                DERUSH_PIXEL_LIMIT / 1000000);
    return FALSE;
  }
  g_strlcpy(info->format, format, sizeof info->format);
  info->raw_format[0] = '\0';
  gboolean swap = orientation >= 5 && orientation <= 8;
  info->width = swap ? height : width;
  info->height = swap ? width : height;
  info->note[0] = '\0';

  if (thumb_size <= 0)
    return TRUE;
  GError *local = NULL;
  error_lock(FALSE);
  VipsImage *t = decode_checked(data, len, format, width, height, thumb_size, icc, orientation,
                                TRUE, info, &local);
  error_unlock(FALSE);
  if (!t) {
    /* Again, alone with the error buffer; not counted as a decode the
     * pipeline asked for. */
    g_clear_error(&local);
    error_lock(TRUE);
    vips_error_clear();
    t = decode_checked(data, len, format, width, height, thumb_size, icc, orientation, FALSE, info,
                       &local);
    vips_error_clear();
    error_unlock(TRUE);
  }
  if (!t)
    g_propagate_error(error, local);
  if (!t)
    return FALSE;
  if (thumb)
    *thumb = t;
  else
    g_object_unref(t);
  return TRUE;
}

/* libraw's flip as an EXIF orientation: the inverse of dcraw's
 * flip = "50132467"[orientation & 7] - '0' (bit 4 transposes, bits 1 and 2
 * mirror). */
static int
exif_from_libraw_flip(int flip)
{
  switch (flip) {
  case 1:
    return 2;
  case 2:
    return 4;
  case 3:
    return 3;
  case 4:
    return 5;
  case 5:
    return 8;
  case 6:
    return 6;
  case 7:
    return 7;
  default:
    return 1;
  }
}

typedef enum {
  RAW_DONE,    /* loaded (or failed with @error set) */
  RAW_NOT_RAW, /* libraw cannot open it: try libvips */
} RawResult;

/* Decodes libraw's preview (JPEG or bitmap) to a normalised, oriented,
 * in-memory thumbnail. */
static VipsImage *
decode_raw_preview(libraw_processed_image_t *preview, int size, int orientation, GError **error)
{
  if (preview->type == LIBRAW_IMAGE_JPEG) {
    /* The preview is untrusted data too: same bomb check as a file. */
    VipsImage *header = vips_image_new_from_buffer(preview->data, preview->data_size, "", "access",
                                                   VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!header) {
      _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "bad RAW preview");
      return NULL;
    }
    gint64 pixels = (gint64)header->Xsize * header->Ysize;
    g_object_unref(header);
    if (pixels > DERUSH_PIXEL_LIMIT) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE,
                  "RAW preview of %" G_GINT64_FORMAT " pixels is over the limit", pixels);
      return NULL;
    }
    /* Camera previews are sRGB (or say Adobe RGB in EXIF, not in a
     * profile): no colour management. */
    derush_counter_add(DERUSH_COUNTER_IMAGES_DECODED, 1);
    return decode_thumbnail(preview->data, preview->data_size, size, TRUE, FALSE, orientation,
                            error);
  }

  if (preview->bits != 8 && preview->bits != 16) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "%d-bit RAW preview", preview->bits);
    return NULL;
  }
  if (preview->colors != 1 && preview->colors != 3) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "%d-colour RAW preview",
                preview->colors);
    return NULL;
  }
  derush_counter_add(DERUSH_COUNTER_IMAGES_DECODED, 1);
  VipsBandFormat fmt = preview->bits == 16 ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR;
  g_autoptr(VipsImage) wrapped = vips_image_new_from_memory(
      preview->data, preview->data_size, preview->width, preview->height, preview->colors, fmt);
  if (!wrapped) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "bad RAW preview");
    return NULL;
  }
  VipsImage *t = NULL;
  VipsInterpretation interp =
      preview->colors == 1
          ? (preview->bits == 16 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W)
          : (preview->bits == 16 ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB);
  g_autoptr(VipsImage) typed = NULL;
  if (vips_copy(wrapped, &typed, "interpretation", interp, NULL) ||
      vips_thumbnail_image(typed, &t, size, "height", size, "size", VIPS_SIZE_DOWN, "no_rotate",
                           TRUE, NULL)) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot shrink the RAW preview");
    return NULL;
  }
  return upright_srgb(t, orientation, error);
}

/* RAW through libraw: header for the size, embedded preview for pixels.
 * Never demosaics. */
static RawResult
load_raw(const guint8 *data, gsize len, const char *name, int orientation, int thumb_size,
         DerushImageInfo *info, VipsImage **thumb, GError **error)
{
  libraw_data_t *lr = libraw_init(0);
  if (!lr) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "cannot start libraw");
    return RAW_DONE;
  }
  /* libraw only reads the buffer; its API is not const-correct. */
  if (libraw_open_buffer(lr, (void *)data, len) != LIBRAW_SUCCESS) {
    libraw_close(lr);
    return RAW_NOT_RAW;
  }
  derush_counter_add(DERUSH_COUNTER_HEADERS_READ, 1);

  int width = lr->sizes.width, height = lr->sizes.height;
  if (width <= 0 || height <= 0 || (gint64)width * height > DERUSH_PIXEL_LIMIT) {
    g_set_error(error, DERUSH_ERROR,
                width <= 0 || height <= 0 ? DERUSH_ERROR_CORRUPT : DERUSH_ERROR_TOO_LARGE,
                "RAW size %dx%d is not plausible", width, height);
    libraw_close(lr);
    return RAW_DONE;
  }
  int ori =
      orientation > 1 && orientation <= 8 ? orientation : exif_from_libraw_flip(lr->sizes.flip);
  gboolean swap = ori >= 5;
  g_strlcpy(info->format, "raw", sizeof info->format);
  _derush_file_ext(name, info->raw_format, sizeof info->raw_format);
  info->width = swap ? height : width;
  info->height = swap ? width : height;
  info->note[0] = '\0';

  if (thumb_size <= 0) {
    libraw_close(lr);
    return RAW_DONE;
  }

  int errc = libraw_unpack_thumb(lr);
  libraw_processed_image_t *preview =
      errc == LIBRAW_SUCCESS ? libraw_dcraw_make_mem_thumb(lr, &errc) : NULL;
  VipsImage *t = NULL;
  if (preview) {
    derush_counter_add(DERUSH_COUNTER_RAW_PREVIEWS, 1);
    t = decode_raw_preview(preview, thumb_size, ori, error);
    libraw_dcraw_clear_mem(preview);
    libraw_close(lr);
    if (!t)
      return RAW_DONE;
  } else {
    libraw_close(lr);
    /* No preview libraw can hand out (some DNGs, old bodies): a TIFF-based
     * RAW may still hold an image libvips reads, oriented by its own tag. */
    DerushImageInfo vinfo = {0};
    g_autoptr(GError) local = NULL;
    if (!load_with_vips(data, len, NULL, thumb_size, &vinfo, &t, &local)) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED,
                  "no embedded preview in this RAW file (%s)", libraw_strerror(errc));
      return RAW_DONE;
    }
  }
  if (thumb)
    *thumb = t;
  else
    g_object_unref(t);
  return RAW_DONE;
}

/**
 * _derush_image_load:
 * @data: (array length=len): the whole file.
 * @len: its length in bytes.
 * @name: the file name; its extension routes RAW files to libraw.
 * @orientation: EXIF orientation from the metadata (1-8), applied to RAW
 *   previews; libvips reads JPEG/TIFF/WebP orientation from @data itself.
 * @thumb_size: long edge of the thumbnail, or 0 for the header only.
 * @info: (out caller-allocates): format and displayed size; on failure,
 *   whatever was read before it (a JPEG with damaged pixel data keeps its
 *   format and size), else "" and -1.
 * @thumb: (out) (optional) (transfer full): the upright sRGB 8-bit 3-band
 *   thumbnail, in memory (readable any number of times).
 * @error: return location for a GError.
 *
 * Reads one photo: header first (refusing more than DERUSH_PIXEL_LIMIT
 * pixels before any decoding), then, when @thumb_size > 0, one
 * shrink-on-load decode. RAW files yield their embedded preview (never a
 * demosaic); a file with a RAW name that libraw cannot open (a JPEG named
 * .nef) is read by content through libvips. Truncated or damaged pixel
 * data fails with DERUSH_ERROR_CORRUPT; bytes no loader knows fail with
 * DERUSH_ERROR_CORRUPT (photo name) or DERUSH_ERROR_UNSUPPORTED.
 *
 * Returns: TRUE on success, FALSE with @error set.
 */
gboolean
_derush_image_load(const guint8 *data, gsize len, const char *name, int orientation, int thumb_size,
                   DerushImageInfo *info, VipsImage **thumb, GError **error)
{
  g_return_val_if_fail(info != NULL, FALSE);
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  memset(info, 0, sizeof *info);
  info->width = info->height = -1;
  if (!_derush_decoders_ensure(error))
    return FALSE;
  if (thumb)
    *thumb = NULL;
  _derush_vips_error_clear();

  if (!data || len == 0) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "empty file (0 bytes)");
    return FALSE;
  }
  if (name && derush_is_raw_name(name)) {
    GError *local = NULL;
    if (load_raw(data, len, name, orientation, thumb_size, info, thumb, &local) == RAW_DONE) {
      if (local) {
        g_propagate_error(error, local);
        return FALSE;
      }
      return TRUE;
    }
  }
  return load_with_vips(data, len, name, thumb_size, info, thumb, error);
}
