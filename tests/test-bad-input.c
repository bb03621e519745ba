/* test-bad-input.c: photos that are odd but readable, and photos that lie
 * (issue 16, defects 4 and 9).
 *
 * Every file is generated here: a grey JPEG carrying an RGB ICC profile (as
 * ImageMagick writes black-and-white photos), CMYK without a profile, a
 * 16-bit PNG with gAMA, a profile with broken tags, and a JPEG whose SOF
 * claims 19000x20000 while its data holds 2048x1536. */
#include "test-util.h"
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ generators */

static GBytes *
jpeg_bytes(VipsImage *image, gboolean strip)
{
  void *buf = NULL;
  size_t len = 0;
  g_assert_cmpint(vips_jpegsave_buffer(image, &buf, &len, "strip", strip, NULL), ==, 0);
  return g_bytes_new_take(buf, len);
}

/* A @bands-band @width x @height gradient (so a thumbnail is not flat). */
static VipsImage *
gradient(int width, int height, int bands)
{
  g_autofree guint8 *px = g_malloc((gsize)width * height * bands);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int b = 0; b < bands; b++)
        px[((gsize)y * width + x) * bands + b] = (guint8)((x * 255 / width + b * 40) & 0xff);
  return vips_image_new_from_memory_copy(px, (gsize)width * height * bands, width, height, bands,
                                         VIPS_FORMAT_UCHAR);
}

/* @jpeg with libvips' sRGB profile inserted as an APP2 ICC_PROFILE segment
 * right after SOI, as ImageMagick keeps it on a grey re-save (libvips
 * itself does not write an RGB profile into a 1-band JPEG). */
static GBytes *
with_srgb_profile(GBytes *jpeg, gboolean break_tags)
{
  VipsBlob *blob = NULL;
  g_assert_cmpint(vips_profile_load("srgb", &blob, NULL), ==, 0);
  size_t plen = 0;
  const guint8 *profile = vips_blob_get(blob, &plen);
  g_autofree guint8 *copy = g_memdup2(profile, plen);
  vips_area_unref(VIPS_AREA(blob));
  if (break_tags) {
    /* Every tag's offset points far past the end of the profile. */
    guint32 count = GUINT32_FROM_BE(*(guint32 *)(copy + 128));
    for (guint32 i = 0; i < count && 132 + 12 * i + 8 <= plen; i++)
      *(guint32 *)(copy + 132 + 12 * i + 4) = GUINT32_TO_BE(0x7fff0000u);
  }
  g_assert_cmpuint(plen, <, 60000);
  gsize seg = 2 + 12 + 2 + plen;
  guint8 head[4 + 12 + 2] = {0xff, 0xe2, (guint8)(seg >> 8), (guint8)(seg & 0xff)};
  memcpy(head + 4, "ICC_PROFILE", 12);
  head[16] = 1; /* chunk 1 of 1 */
  head[17] = 1;
  gsize len = 0;
  const guint8 *d = g_bytes_get_data(jpeg, &len);
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, d, 2);
  g_byte_array_append(out, head, sizeof head);
  g_byte_array_append(out, copy, (guint)plen);
  g_byte_array_append(out, d + 2, (guint)(len - 2));
  return g_byte_array_free_to_bytes(out);
}

static GBytes *
grey_jpeg_with_rgb_profile(void)
{
  g_autoptr(VipsImage) grey = gradient(64, 48, 1);
  g_autoptr(VipsImage) typed = NULL;
  g_assert_cmpint(vips_copy(grey, &typed, "interpretation", VIPS_INTERPRETATION_B_W, NULL), ==, 0);
  g_autoptr(GBytes) plain = jpeg_bytes(typed, TRUE);
  return with_srgb_profile(plain, FALSE);
}

static GBytes *
rgb_jpeg_with_broken_profile(void)
{
  g_autoptr(VipsImage) rgb = gradient(64, 48, 3);
  g_autoptr(GBytes) plain = jpeg_bytes(rgb, TRUE);
  return with_srgb_profile(plain, TRUE);
}

static GBytes *
cmyk_jpeg_without_profile(void)
{
  g_autoptr(VipsImage) four = gradient(64, 48, 4);
  g_autoptr(VipsImage) cmyk = NULL;
  g_assert_cmpint(vips_copy(four, &cmyk, "interpretation", VIPS_INTERPRETATION_CMYK, NULL), ==, 0);
  return jpeg_bytes(cmyk, TRUE);
}

static guint32
crc32_of(const guint8 *p, gsize n)
{
  guint32 c = 0xffffffffu;
  for (gsize i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return c ^ 0xffffffffu;
}

static GBytes *
png16_with_gama(void)
{
  g_autoptr(VipsImage) rgb = gradient(64, 48, 3);
  g_autoptr(VipsImage) wide = NULL, typed = NULL;
  g_assert_cmpint(vips_linear1(rgb, &wide, 257.0, 0.0, "uchar", FALSE, NULL), ==, 0);
  g_autoptr(VipsImage) ushort = NULL;
  g_assert_cmpint(vips_cast_ushort(wide, &ushort, NULL), ==, 0);
  g_assert_cmpint(vips_copy(ushort, &typed, "interpretation", VIPS_INTERPRETATION_RGB16, NULL), ==,
                  0);
  void *buf = NULL;
  size_t len = 0;
  g_assert_cmpint(vips_pngsave_buffer(typed, &buf, &len, "bitdepth", 16, NULL), ==, 0);
  /* gAMA 1/2.2 right after IHDR (8 signature + 25 IHDR bytes). */
  guint8 chunk[16] = {0, 0, 0, 4, 'g', 'A', 'M', 'A', 0, 0, 0xb1, 0x8f};
  guint32 crc = GUINT32_TO_BE(crc32_of(chunk + 4, 8));
  memcpy(chunk + 12, &crc, 4);
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, buf, 33);
  g_byte_array_append(out, chunk, sizeof chunk);
  g_byte_array_append(out, (guint8 *)buf + 33, (guint)(len - 33));
  g_free(buf);
  return g_byte_array_free_to_bytes(out);
}

/* A 2048x1536 noise JPEG whose SOF says 19000 wide, 20000 high. */
static GBytes *
jpeg_with_lying_sof(void)
{
  g_autoptr(VipsImage) noise = NULL, noise8 = NULL, rgb = NULL;
  g_assert_cmpint(vips_gaussnoise(&noise, 2048, 1536, "mean", 128.0, "sigma", 50.0, NULL), ==, 0);
  g_assert_cmpint(vips_cast_uchar(noise, &noise8, NULL), ==, 0);
  VipsImage *three[3] = {noise8, noise8, noise8};
  g_assert_cmpint(vips_bandjoin(three, &rgb, 3, NULL), ==, 0);
  g_autoptr(GBytes) good = jpeg_bytes(rgb, TRUE);
  gsize len = 0;
  guint8 *d = g_memdup2(g_bytes_get_data(good, &len), g_bytes_get_size(good));
  gboolean patched = FALSE;
  for (gsize i = 2; !patched && i + 9 < len;) {
    g_assert_cmpint(d[i], ==, 0xff);
    guint seg = ((guint)d[i + 2] << 8) | d[i + 3];
    if (d[i + 1] == 0xc0 || d[i + 1] == 0xc2) {
      d[i + 5] = 20000 >> 8, d[i + 6] = 20000 & 0xff; /* height */
      d[i + 7] = 19000 >> 8, d[i + 8] = 19000 & 0xff; /* width */
      patched = TRUE;
    }
    i += 2 + seg;
  }
  g_assert_true(patched);
  return g_bytes_new_take(d, len);
}

/* A good JPEG with junk before its EOI: libjpeg warns ("extraneous bytes
 * before marker 0xd9"), the image is whole. */
static GBytes *
jpeg_with_harmless_warning(void)
{
  g_autoptr(VipsImage) rgb = gradient(64, 48, 3);
  g_autoptr(GBytes) good = jpeg_bytes(rgb, TRUE);
  gsize len = 0;
  const guint8 *d = g_bytes_get_data(good, &len);
  g_assert_cmpint(d[len - 2], ==, 0xff);
  g_assert_cmpint(d[len - 1], ==, 0xd9);
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, d, (guint)(len - 2));
  g_byte_array_append(out, (const guint8 *)"junk", 4);
  g_byte_array_append(out, d + len - 2, 2);
  return g_byte_array_free_to_bytes(out);
}

/* ------------------------------------------------------------- the tests */

typedef GBytes *(*MakeFunc)(void);

enum { NO_NOTE, NOTE, ANY_NOTE };

/* Decodes @make's file and checks it comes out as a normal thumbnail, with
 * (NOTE) or without (NO_NOTE) a note that its profile was ignored. */
static void
check_readable(MakeFunc make, const char *name, int expect_note)
{
  g_autoptr(GBytes) bytes = make();
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(bytes, &len);
  DerushImageInfo info;
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) thumb = NULL;
  gboolean ok = _derush_image_load(data, len, name, 1, 32, &info, &thumb, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_assert_cmpint(info.width, ==, 64);
  g_assert_cmpint(info.height, ==, 48);
  g_assert_cmpint(vips_image_get_bands(thumb), ==, 3);
  g_assert_cmpint(vips_image_get_format(thumb), ==, VIPS_FORMAT_UCHAR);
  g_assert_cmpint(vips_image_get_width(thumb), ==, 32);
  if (expect_note == NOTE)
    g_assert_true(g_str_has_prefix(info.note, "colour profile ignored ("));
  else if (expect_note == NO_NOTE)
    g_assert_cmpstr(info.note, ==, "");
  g_test_message("%s: note '%s'", name, info.note);
  g_assert_cmpstr(vips_error_buffer(), ==, "");
}

static void
test_grey_rgb_profile(void)
{
  g_autoptr(GBytes) bytes = grey_jpeg_with_rgb_profile();
  /* The file really is a 1-band JPEG with a profile. */
  g_autoptr(VipsImage) header =
      vips_image_new_from_buffer(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "", NULL);
  g_assert_cmpint(vips_image_get_bands(header), ==, 1);
  g_assert_true(vips_image_get_typeof(header, VIPS_META_ICC_NAME) != 0);
  check_readable(grey_jpeg_with_rgb_profile, "grey.jpg", NOTE);
  /* And it is still grey: every pixel has R = G = B. */
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(bytes, &len);
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_assert_true(_derush_image_load(data, len, "grey.jpg", 1, 32, &info, &thumb, NULL));
  const guint8 *px = (const guint8 *)VIPS_IMAGE_ADDR(thumb, 0, 0);
  for (int i = 0; i < vips_image_get_width(thumb) * vips_image_get_height(thumb); i++) {
    g_assert_cmpint(px[3 * i], ==, px[3 * i + 1]);
    g_assert_cmpint(px[3 * i], ==, px[3 * i + 2]);
  }
}

static void
test_broken_profile_tags(void)
{
  /* lcms copes with it or it is ignored: readable either way. */
  check_readable(rgb_jpeg_with_broken_profile, "broken-icc.jpg", ANY_NOTE);
}

static void
test_cmyk_without_profile(void)
{
  check_readable(cmyk_jpeg_without_profile, "cmyk.jpg", NO_NOTE);
}

static void
test_png16_gama(void)
{
  check_readable(png16_with_gama, "wide.png", NO_NOTE);
}

static void
test_harmless_warning(void)
{
  check_readable(jpeg_with_harmless_warning, "junk.jpg", NO_NOTE);
}

static void
test_lying_sof(void)
{
  g_autoptr(GBytes) bytes = jpeg_with_lying_sof();
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(bytes, &len);
  DerushImageInfo info;
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) thumb = NULL;
  g_assert_false(_derush_image_load(data, len, "lie.jpg", 1, 256, &info, &thumb, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_test_message("%s", error->message);
  g_assert_true(g_str_has_prefix(error->message,
                                 "image data ends before the 19000x20000 its header claims ("));
  /* Through a scan: unreadable, with that reason (no longer "ok"). */
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *catalog = g_build_filename(tmp, "cat.db", NULL);
  g_autofree char *photos = g_build_filename(tmp, "photos", NULL);
  g_autofree char *path = g_build_filename(photos, "lie.jpg", NULL);
  test_write_file(path, data, len);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
  g_assert_cmpint(
      test_run_derush_on(catalog, (const char *const *)env, NULL, NULL, "scan", photos, NULL), ==,
      1);
  g_autofree char *out = NULL;
  g_assert_cmpint(test_run_derush_on(catalog, (const char *const *)env, &out, NULL, "ls", "--json",
                                     photos, NULL),
                  ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, "unreadable");
  g_assert_nonnull(strstr(json_object_get_string_member(o, "reason"), "19000x20000"));
  /* The claim is in the reason, not recorded as the photo's size. */
  g_assert_true(json_object_has_member(o, "width"));
  g_assert_true(json_object_get_null_member(o, "width"));
  g_assert_true(json_object_get_null_member(o, "height"));
  test_rmrf(tmp);
}

static GPtrArray *
ls_json(const char *catalog, GStrv env, const char *dir)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(
      test_run_derush_on(catalog, (const char *const *)env, &out, NULL, "ls", "--json", dir, NULL),
      ==, 0);
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, lines[i], -1, NULL));
    g_ptr_array_add(rows, json_object_ref(json_node_get_object(json_parser_get_root(parser))));
  }
  return rows;
}

/* FIFOs, symlink loops and dangling links named like photos are recorded
 * with a reason (defect 5), and cannot be labelled. */
static void
test_non_files(void)
{
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *catalog = g_build_filename(tmp, "cat.db", NULL);
  g_autofree char *photos = g_build_filename(tmp, "photos", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
  g_autofree char *ok = g_build_filename(photos, "ok.png", NULL);
  g_autofree char *fifo = g_build_filename(photos, "fifo.jpg", NULL);
  g_autofree char *loop = g_build_filename(photos, "loop.jpg", NULL);
  g_autofree char *dangling = g_build_filename(photos, "dangling.jpg", NULL);
  test_make_quadrant_image(ok, 8, 8);
  g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
  g_assert_cmpint(symlink("loop.jpg", loop), ==, 0);
  g_assert_cmpint(symlink("nowhere.jpg", dangling), ==, 0);
#define RUN(out, err, ...)                                                                         \
  test_run_derush_on(catalog, (const char *const *)env, out, err, __VA_ARGS__)
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(RUN(&out, &err, "scan", photos, NULL), ==, 1);
  g_assert_nonnull(strstr(out, "4 added"));
  g_autoptr(GPtrArray) rows = ls_json(catalog, env, photos);
  g_assert_cmpuint(rows->len, ==, 4);
  const struct {
    const char *name, *reason;
  } expected[] = {
      {"dangling.jpg", "broken symlink: its target does not exist"},
      {"fifo.jpg", "not a regular file: a named pipe (FIFO)"},
      {"loop.jpg", "symlink loop"},
  };
  for (gsize k = 0; k < G_N_ELEMENTS(expected); k++) {
    g_autofree char *path = g_build_filename(photos, expected[k].name, NULL);
    gboolean found = FALSE;
    for (guint i = 0; i < rows->len; i++) {
      JsonObject *o = rows->pdata[i];
      if (strcmp(json_object_get_string_member(o, "path"), path) != 0)
        continue;
      found = TRUE;
      g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, "unreadable");
      g_assert_cmpstr(json_object_get_string_member(o, "reason"), ==, expected[k].reason);
    }
    g_assert_true(found);
  }
  /* A second scan finds them unchanged, and says so again. */
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(RUN(&out, &err, "scan", photos, NULL), ==, 1);
  g_assert_nonnull(strstr(out, "0 added, 0 updated, 4 unchanged"));
  g_assert_nonnull(strstr(err, "fifo.jpg: not a regular file: a named pipe (FIFO)\n"));

  /* No label on a non-photo: a clear line, exit 2 when nothing was labelled. */
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(RUN(&out, &err, "label", fifo, "keep", NULL), ==, 2);
  g_autofree char *line = g_strdup_printf("derush: %s: not labelled: not a regular file\n", fifo);
  g_assert_cmpstr(err, ==, line);
  g_assert_null(strstr(out, "Saved"));
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(RUN(&out, &err, "label", fifo, ok, "keep", NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Saved keep for 1 photo"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(RUN(NULL, &err, "label", dangling, "keep", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "dangling.jpg: "));
  g_clear_pointer(&rows, g_ptr_array_unref);
  rows = ls_json(catalog, env, photos);
  for (guint i = 0; i < rows->len; i++) {
    JsonObject *o = rows->pdata[i];
    gboolean is_ok = strcmp(json_object_get_string_member(o, "path"), ok) == 0;
    g_assert_cmpstr(json_object_get_string_member(o, "label"), ==, is_ok ? "keep" : "none");
  }
  /* The library refuses too (the app labels through it, not the CLI): the
   * whole batch, with the FIFO named, and nothing saved. */
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushCatalog) cat = derush_catalog_open(catalog, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) fifo_photo = derush_catalog_get_photo(cat, fifo, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) ok_photo = derush_catalog_get_photo(cat, ok, &error);
  g_assert_no_error(error);
  gint64 ids[] = {ok_photo->id, fifo_photo->id};
  DerushLabelChange trash = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
  gint64 batch = -1;
  g_assert_false(
      derush_catalog_set_labels(cat, ids, 2, &trash, DERUSH_SOURCE_USER, &batch, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(error->message, "fifo.jpg: not labelled: not a regular file"));
  g_clear_pointer(&ok_photo, derush_photo_free);
  ok_photo = derush_catalog_get_photo(cat, ok, NULL);
  g_assert_cmpint(ok_photo->label, ==, DERUSH_LABEL_KEEP);
#undef RUN
  test_rmrf(tmp);
}

/* The reason of @name from `ls --json` over @catalog. */
static char *
reason_of(const char *catalog, GStrv env, const char *dir, const char *name)
{
  g_autoptr(GPtrArray) rows = ls_json(catalog, env, dir);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  for (guint i = 0; i < rows->len; i++)
    if (strcmp(json_object_get_string_member(rows->pdata[i], "path"), path) == 0)
      return g_strdup(json_object_get_string_member(rows->pdata[i], "reason"));
  g_error("%s not listed", name);
}

/* Error messages name the path once and carry the library's detail, even
 * when several workers fail at once (defect 11). */
static void
test_messages(void)
{
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *catalog = g_build_filename(tmp, "cat.db", NULL);
  g_autofree char *photos = g_build_filename(tmp, "photos", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
#define RUN(cat, out, err, ...)                                                                    \
  test_run_derush_on(cat, (const char *const *)env, out, err, __VA_ARGS__)
  /* Cut PNGs and JPEGs among good photos, decoded by several workers. */
  const char *kinds[] = {"png", "jpg"};
  g_autoptr(VipsImage) noise = NULL, noise8 = NULL;
  g_assert_cmpint(vips_gaussnoise(&noise, 300, 200, "mean", 128.0, "sigma", 60.0, NULL), ==, 0);
  g_assert_cmpint(vips_cast_uchar(noise, &noise8, NULL), ==, 0);
  for (int i = 0; i < 8; i++) {
    g_autofree char *good = g_strdup_printf("%s/good%d.png", photos, i);
    test_make_quadrant_image(good, 64, 48);
    g_autofree char *name = g_strdup_printf("cut%d.%s", i, kinds[i % 2]);
    g_autofree char *path = g_build_filename(photos, name, NULL);
    g_assert_cmpint(vips_image_write_to_file(noise8, path, NULL), ==, 0);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    test_write_file(path, data, len / 2);
  }
  g_autofree char *empty = g_build_filename(photos, "empty.jpg", NULL);
  test_write_file(empty, "", 0);
  g_autofree char *fifo = g_build_filename(photos, "pipe.jpg", NULL);
  g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);

  g_autofree char *err = NULL;
  g_assert_cmpint(RUN(catalog, NULL, &err, "scan", "--threads", "4", photos, NULL), ==, 1);
  g_autofree char *empty_line = g_strdup_printf("derush: %s: empty file (0 bytes)\n", empty);
  g_assert_nonnull(strstr(err, empty_line));
  g_autofree char *pipe_line =
      g_strdup_printf("derush: %s: not a regular file: a named pipe (FIFO)\n", fifo);
  g_assert_nonnull(strstr(err, pipe_line));
  /* The path is said once per line. */
  g_auto(GStrv) lines = g_strsplit(err, "\n", -1);
  for (int i = 0; lines[i]; i++)
    g_assert_null(strstr(lines[i], photos) ? strstr(strstr(lines[i], photos) + 1, photos) : NULL);
  /* A FIFO given by name: one path too. */
  g_clear_pointer(&err, g_free);
  g_autofree char *alone = g_build_filename(tmp, "alone.db", NULL);
  g_assert_cmpint(RUN(alone, NULL, &err, "scan", fifo, NULL), ==, 1);
  g_autofree char *fifo_line = g_strdup_printf("derush: %s: not a regular file\n", fifo);
  g_assert_cmpstr(err, ==, fifo_line);

  /* Each cut file's reason is the one it gets when scanned alone: its
   * own libvips detail, not another file's and not none. */
  for (int i = 0; i < 8; i++) {
    g_autofree char *name = g_strdup_printf("cut%d.%s", i, kinds[i % 2]);
    g_autofree char *path = g_build_filename(photos, name, NULL);
    g_autofree char *one = g_strdup_printf("%s/one%d.db", tmp, i);
    g_assert_cmpint(RUN(one, NULL, NULL, "scan", "--threads", "1", path, NULL), ==, 1);
    g_autofree char *in_parallel = reason_of(catalog, env, photos, name);
    g_autofree char *by_itself = reason_of(one, env, photos, name);
    g_test_message("%s: %s", name, in_parallel);
    g_assert_cmpstr(in_parallel, ==, by_itself);
    /* "what: detail" */
    g_assert_nonnull(strstr(in_parallel, ": "));
  }
#undef RUN
  test_rmrf(tmp);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/bad-input/grey-jpeg-rgb-profile", test_grey_rgb_profile);
  g_test_add_func("/bad-input/broken-profile-tags", test_broken_profile_tags);
  g_test_add_func("/bad-input/cmyk-without-profile", test_cmyk_without_profile);
  g_test_add_func("/bad-input/png16-gama", test_png16_gama);
  g_test_add_func("/bad-input/jpeg-harmless-warning", test_harmless_warning);
  g_test_add_func("/bad-input/jpeg-lying-sof", test_lying_sof);
  g_test_add_func("/bad-input/non-files", test_non_files);
  g_test_add_func("/bad-input/messages", test_messages);
  return g_test_run();
}
