/* derush-private.h: interfaces between libderush's areas (not installed).
 *
 * Each area (meta/, image/, catalog/, scan/, util/) exposes here what the
 * others call; the public facade is include/derush.h.
 */
#ifndef DERUSH_PRIVATE_H
#define DERUSH_PRIVATE_H

#include "derush.h"
#include <vips/vips.h>
#include <math.h>
#include <string.h>

G_BEGIN_DECLS

/* libvips 8.14 has no autoptr for VipsImage (it arrived in 8.16). */
#if VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION < 16
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VipsImage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VipsSource, g_object_unref)
#endif

/* Refuse to decode images with more pixels than this (decompression bombs).
 * A 30000x2000 panorama is 60 MP; the largest camera sensors are ~150 MP. */
#define DERUSH_PIXEL_LIMIT ((gint64)400 * 1000 * 1000)

/* Bumped whenever a fix lets the decoders read files they failed on: a
 * scan reads unreadable photos recorded by an older version again even
 * when the file did not change. 1: decode before the EXIF turn (JPEGs in
 * orientations 3-8 failed with "out of order read"). */
#define DERUSH_READER_VERSION 1

/* ---------------------------------------------------------------- util/ */

/* Maps a GError-less failure to a GError in DERUSH_ERROR. */
void _derush_set_errno_error(GError **error, int errsv, const char *what, const char *path);

/* @message without a leading "PATH: " naming @path. (transfer full) */
char *_derush_reason_without_path(const char *message, const char *path);

/* A photo file mapped into memory once, so exiv2, libvips, libraw and the
 * hash all read the same bytes without opening the file again. */
typedef struct {
  int fd;
  const guint8 *data; /* NULL for an empty file */
  gsize len;
  gint64 mtime_ns;
  gint64 dev, ino;
} DerushMappedFile;

struct stat;
int _derush_open_photo(const char *path, struct stat *st, GError **error);
gboolean _derush_mapped_file_open(DerushMappedFile *file, const char *path, GError **error);
void _derush_mapped_file_close(DerushMappedFile *file);
/* For g_auto(DerushMappedFile) file = DERUSH_MAPPED_FILE_INIT: closed on
 * every return path (closing an unopened one is a no-op). */
#define DERUSH_MAPPED_FILE_INIT                                                                    \
  {                                                                                                \
    .fd = -1                                                                                       \
  }
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DerushMappedFile, _derush_mapped_file_close)

/* Fast content hash: xxh64 over the size and three 64 KiB samples (head,
 * middle, tail). Identifies a file across renames and moves without reading
 * all of it. The _fd and _buf forms return the same value for the same bytes. */
#define DERUSH_HASH_SAMPLE (64 * 1024)
guint64 _derush_content_hash_buf(const guint8 *data, gsize len);
gboolean _derush_content_hash_path(const char *path, gint64 *size_out, guint64 *hash_out,
                                   GError **error);

/* A fixed sketch of an embedding (util/sketch.c): its unit vector
 * projected on DERUSH_SKETCH_SIZE fixed orthonormal directions, so inner
 * products of sketches approximate cosines of the embeddings. FALSE (all
 * NAN) for a vector with no direction. */
#define DERUSH_SKETCH_SIZE 64
gboolean _derush_sketch(const float *in, int n, float *out);
/* ... and its stored form, a byte a value (DERUSH_SKETCH_SIZE bytes). */
void _derush_sketch_pack(const float *sketch, gint8 *out);
float _derush_sketch_value(gint8 packed);

/* Between small enums and their names (util/enum-names.c). */
const char *_derush_enum_name(const char *const *names, guint n_names, int value,
                              const char *fallback);
gboolean _derush_enum_from_name(const char *const *names, guint n_names, const char *name,
                                gboolean ignore_case, int *value);

/* Lower-case extension without the dot ("" when none), into @buf. */
void _derush_file_ext(const char *name, char *buf, gsize buf_len);

/* ---------------------------------------------------------------- meta/ */

/* Global lock around exiv2: it is not thread-safe for XMP (DESIGN.md). */
void _derush_exiv2_lock(void);
void _derush_exiv2_unlock(void);

/* Parses EXIF/XMP from @data (a whole file) into @meta (which the caller has
 * derush_meta_init()ed). Counts DERUSH_COUNTER_METADATA_PARSED. A file with
 * no metadata at all is not an error: @meta keeps its defaults. */
gboolean _derush_meta_read_buffer(const guint8 *data, gsize len, DerushMeta *meta, GError **error);

/* The encoded bytes of the smallest preview the file embeds whose long
 * edge reaches @min_edge (else the largest): a camera JPEG's EXIF
 * thumbnail, a RAW's previews (meta/embedded-preview.c). */
GBytes *_derush_meta_embedded_preview(const guint8 *data, gsize len, int min_edge, GError **error);

/* --------------------------------------------------------------- image/ */

typedef struct {
  char format[16];    /* "jpeg", "png", "tiff", "webp", "heif", "avif", "gif", "raw" */
  char raw_format[8]; /* "cr2", "nef", ... for RAW, else "" */
  int width, height;  /* displayed size, after orientation (the header's) */
  char note[256];     /* what was ignored to decode it ("colour profile ignored (...)"), or "" */
} DerushImageInfo;

/**
 * _derush_image_load:
 * @data, @len: the whole file.
 * @name: file name (its extension routes RAW files to libraw).
 * @orientation: EXIF orientation from the metadata (1-8), applied where the
 *   loader does not apply it itself (RAW previews); JPEG/TIFF/WebP orientation
 *   is read by libvips from the data, and HEIF comes back already rotated.
 * @thumb_size: long edge of the thumbnail to make, or 0 for header only.
 * @info: (out): format and displayed size.
 * @thumb: (out) (optional): an oriented sRGB 8-bit 3-band image, in memory.
 * Refuses images over DERUSH_PIXEL_LIMIT (DERUSH_ERROR_TOO_LARGE) before
 * decoding; reports truncated or corrupt data as DERUSH_ERROR_CORRUPT.
 * Counts HEADERS_READ, IMAGES_DECODED and RAW_PREVIEWS.
 */
gboolean _derush_image_load(const guint8 *data, gsize len, const char *name, int orientation,
                            int thumb_size, DerushImageInfo *info, VipsImage **thumb,
                            GError **error);

/* Writes @image to @path (format from the extension: .jpg/.png) through a
 * temporary file and rename, so a reader never sees half a file. */
gboolean _derush_image_save_atomic(VipsImage *image, const char *path, GError **error);

/* Where the cached thumbnail of content @hash lives under @cache_dir. */
char *_derush_thumb_cache_path(const char *cache_dir, guint64 hash);

/* Resizes an in-memory image so its long edge is @size (never up). */
VipsImage *_derush_image_fit(VipsImage *image, int size, GError **error);

/* Converts the libvips error buffer (then cleared) to @error with @code,
 * prefixed by @what. */
void _derush_set_vips_error(GError **error, int code, const char *what);
/* vips_error_clear(), safe beside a failed decode run again for its error
 * text (image-load.c): use it instead of vips_error_clear(). */
void _derush_vips_error_clear(void);

/* Any decoded image to sRGB, 8-bit (scaled, not clipped), 3 bands (alpha
 * flattened on grey). Lazy. */
VipsImage *_derush_image_normalise(VipsImage *in, GError **error);

/* Turns a stored image upright for EXIF orientation 1-8 (mirrors included).
 * Lazy. */
VipsImage *_derush_image_orient(VipsImage *in, int orientation, GError **error);

/* The thumbnail cache, keyed by content hash: the scanner stores the
 * thumbnail it made while the file was open; lookup returns NULL on a miss
 * (a damaged cache file counts as one) and counts THUMBNAIL_CACHE_HITS;
 * store shrinks to DERUSH_THUMB_CACHE_SIZE and counts THUMBNAILS_WRITTEN. */
gboolean _derush_thumb_cache_store(const char *cache_dir, guint64 hash, VipsImage *thumb,
                                   GError **error);
VipsImage *_derush_thumb_cache_lookup(const char *cache_dir, guint64 hash);
/* The cached preview of @hash shrunk on load to @size, or NULL on a miss
 * (image/preview.c). */
VipsImage *_derush_thumb_cache_read(const char *cache_dir, guint64 hash, int size);

typedef enum {
  DERUSH_PREVIEW_STRICT = 1 << 0,      /* fail when the file's hash is not the one given */
  DERUSH_PREVIEW_NAME_ERRORS = 1 << 1, /* prefix decoder errors with the file's name */
} DerushPreviewFlags;

/* library.c: what derush_shutdown() calls, last registered first. */
typedef void (*DerushShutdownFunc)(void);
void _derush_on_shutdown(DerushShutdownFunc func);
/* library.c: sets the OpenMP wait settings derush runs with (passive
 * threads that spin briefly, see derush_restart_with_idle_threads) unless
 * the user set either; TRUE when it set them. */
gboolean _derush_set_openmp_env(void);

/* Starts libvips on first use (image/decoders.c); thread-safe. */
gboolean _derush_decoders_ensure(GError **error);
void _derush_decoders_shutdown(void);

/* The one preview path (image/preview.c documents it): the cached preview,
 * else one decode of the original that fills the cache. */
VipsImage *_derush_preview_image(const char *cache_dir, const char *path, guint64 content_hash,
                                 int orientation, int size, DerushPreviewFlags flags,
                                 gboolean *from_cache, GCancellable *cancellable, GError **error);
DerushPreview *_derush_preview_from_image(VipsImage *image, GError **error);

G_END_DECLS

#endif /* DERUSH_PRIVATE_H */
