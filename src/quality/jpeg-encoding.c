/* jpeg-encoding.c: how a JPEG file was encoded, from its header alone:
 * the quality its luma quantisation table stands for, and whether its
 * layout is a camera's or a program's.
 *
 * Why: best-of-group must prefer an original over its copies (issue 21),
 * and the 512 px preview cannot tell them apart (a copy re-encoded at
 * quality 40 or written again by an editor looks as sharp, or sharper,
 * once shrunk). The file header can:
 * - The quantisation table is what the encoder threw away. Its sum is
 *   matched against the IJG tables scaled for quality 1..100 (what
 *   ImageMagick's `identify -format %Q` does), so tables of any maker are
 *   placed on the scale everyone knows: a copy re-encoded at 40 reads ~40.
 * - A camera writes its Exif APP1 segment first, with no JFIF APP0 (the
 *   Exif standard forbids one) and no Photoshop or Adobe segment before
 *   its tables. Programs that decode and encode again (ImageMagick,
 *   libvips, GIMP, Photoshop) write JFIF or Adobe segments first while
 *   keeping the Exif block: a copy keeps the camera's metadata but not its
 *   layout. A segment after the tables was added without encoding again
 *   (a Nikon D70 file carries IPTC there). Measured on the 51 camera
 *   JPEGs of ../shared/corpus/exif_cameras and their ImageMagick copies.
 */
#include "features.h"

#define MAX_HEADER_BYTES (4 << 20) /* give up past this without a scan */
#define MAX_SEGMENTS 256

/* The IJG (libjpeg) luminance table at quality 50, as the standard's
 * Annex K gives it (any order: only the sum is used). */
static const guint8 ijg_luma[64] = {16,  11,  10,  16,  24, 40, 51,  61,  12,  12,  14,  19,  26,
                                    58,  60,  55,  14,  13, 16, 24,  40,  57,  69,  56,  14,  17,
                                    22,  29,  51,  87,  80, 62, 18,  22,  37,  56,  68,  109, 103,
                                    77,  24,  35,  55,  64, 81, 104, 113, 92,  49,  64,  78,  87,
                                    103, 121, 120, 101, 72, 92, 95,  98,  112, 100, 103, 99};

/* The sum of the IJG luma table libjpeg writes for @quality (1..100). */
static int
ijg_sum(int quality)
{
  int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  int sum = 0;
  for (int i = 0; i < 64; i++)
    sum += CLAMP((ijg_luma[i] * scale + 50) / 100, 1, 255);
  return sum;
}

/**
 * _derush_jpeg_quality_of_sum:
 * @sum: the sum of a luma quantisation table's 64 values
 *
 * Returns: the IJG quality (1..100) whose luma table sum is nearest, the
 *   higher one on a tie.
 */
int
_derush_jpeg_quality_of_sum(int sum)
{
  int best = 100, best_d = G_MAXINT;
  for (int q = 100; q >= 1; q--) {
    int d = ABS(ijg_sum(q) - sum);
    if (d < best_d) {
      best_d = d;
      best = q;
    }
  }
  return best;
}

static gboolean
read_exact(FILE *fp, guint8 *buf, gsize n)
{
  return fread(buf, 1, n, fp) == n;
}

/**
 * _derush_jpeg_encoding_read:
 * @path: a file
 * @quality: (out): the IJG quality of its luma table, 1..100
 * @camera: (out): TRUE when its layout is a camera's (see above)
 *
 * Reads the markers up to the first scan; nothing is decoded.
 *
 * Returns: FALSE when @path is not a readable JPEG with a luma table.
 */
gboolean
_derush_jpeg_encoding_read(const char *path, int *quality, gboolean *camera)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return FALSE;
  guint8 head[4];
  gboolean ok = FALSE, first_app = TRUE, exif_first = FALSE, software = FALSE;
  int luma_sum = -1;
  if (!read_exact(fp, head, 2) || head[0] != 0xFF || head[1] != 0xD8)
    goto out;
  for (int seg = 0; seg < MAX_SEGMENTS && ftell(fp) < MAX_HEADER_BYTES; seg++) {
    int c;
    while ((c = fgetc(fp)) == 0xFF) /* fill bytes */
      ;
    if (c == EOF || c == 0x00)
      break;
    int marker = c;
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
      continue; /* no length */
    if (marker == 0xD9 || marker == 0xDA)
      break; /* end, or the scan: every table that matters came before */
    if (!read_exact(fp, head, 2))
      break;
    int len = (head[0] << 8 | head[1]) - 2;
    if (len < 0)
      break;
    long next = ftell(fp) + len;
    if (marker >= 0xE0 && marker <= 0xEF) {
      guint8 tag[14] = {0};
      gsize n = MIN((gsize)len, sizeof tag);
      if (!read_exact(fp, tag, n))
        break;
      if (marker == 0xE1 && n >= 6 && memcmp(tag, "Exif\0\0", 6) == 0)
        exif_first |= first_app;
      else if (luma_sum < 0 && ((marker == 0xE0 && n >= 5 && memcmp(tag, "JFIF", 5) == 0) ||
                                (marker == 0xED && n >= 9 && memcmp(tag, "Photoshop", 9) == 0) ||
                                (marker == 0xEE && n >= 5 && memcmp(tag, "Adobe", 5) == 0)))
        software = TRUE;
      first_app = FALSE;
    } else if (marker == 0xDB) {
      /* One or more tables: Pq/Tq, then 64 values of 8 or 16 bits. */
      int left = len;
      while (left > 0) {
        int pt = fgetc(fp);
        if (pt == EOF)
          break;
        int wide = pt >> 4, id = pt & 15, bytes = wide ? 128 : 64;
        guint8 q[128];
        if (bytes + 1 > left || !read_exact(fp, q, bytes))
          break;
        int sum = 0;
        for (int i = 0; i < 64; i++)
          sum += wide ? (q[2 * i] << 8 | q[2 * i + 1]) : q[i];
        if (id == 0)
          luma_sum = sum;
        left -= bytes + 1;
      }
    }
    if (fseek(fp, next, SEEK_SET) != 0)
      break;
  }
  if (luma_sum > 0) {
    *quality = _derush_jpeg_quality_of_sum(luma_sum);
    *camera = exif_first && !software;
    ok = TRUE;
  }
out:
  fclose(fp);
  return ok;
}

/**
 * _derush_file_features:
 * @path: the photo's file
 * @size: its size in bytes (<= 0 unknown)
 * @vector: (inout): DERUSH_N_FEATURES values; sets JPEG_QUALITY,
 *   CAMERA_JPEG and BYTES_PER_PIXEL (NAN when unknown), reading MEGAPIXELS
 *
 * The features of the file rather than of its pixels.
 */
void
_derush_file_features(const char *path, gint64 size, float *vector)
{
  int quality;
  gboolean camera;
  vector[DERUSH_FEATURE_JPEG_QUALITY] = NAN;
  vector[DERUSH_FEATURE_CAMERA_JPEG] = NAN;
  vector[DERUSH_FEATURE_BYTES_PER_PIXEL] = NAN;
  if (path && _derush_jpeg_encoding_read(path, &quality, &camera)) {
    vector[DERUSH_FEATURE_JPEG_QUALITY] = (float)quality;
    vector[DERUSH_FEATURE_CAMERA_JPEG] = camera ? 1.0f : 0.0f;
  }
  double mp = vector[DERUSH_FEATURE_MEGAPIXELS];
  if (size > 0 && mp > 0)
    vector[DERUSH_FEATURE_BYTES_PER_PIXEL] = (float)(size / (mp * 1e6));
}
