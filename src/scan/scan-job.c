/* scan-job.c: what a scanner worker does to one file.
 *
 * The file is opened and mapped once; the content hash, exiv2, the image
 * header, the decoder and the thumbnail cache all read that one mapping.
 * Decoding happens at most once per file version, and not at all when the
 * thumbnail cache already holds this content. */
#include "scan-job.h"
#include <errno.h>

DerushScanJob *
_derush_scan_job_new(DerushJobKind kind, const char *dir, const char *name, const struct stat *st,
                     gint64 row_id)
{
  DerushScanJob *job = g_new0(DerushScanJob, 1);
  job->kind = kind;
  job->path = g_build_filename(dir, name, NULL);
  job->dir = g_strdup(dir);
  job->name = job->path + strlen(job->path) - strlen(name);
  job->st = *st;
  job->row_id = row_id;
  job->file.fd = -1;
  derush_meta_init(&job->meta);
  return job;
}

void
_derush_scan_job_free(DerushScanJob *job)
{
  if (!job)
    return;
  if (job->mapped)
    _derush_mapped_file_close(&job->file);
  g_clear_error(&job->open_error);
  derush_meta_clear(&job->meta);
  g_free(job->reason);
  g_free(job->dir);
  g_free(job->path);
  g_free(job);
}

static gboolean
ensure_mapped(DerushScanJob *job)
{
  if (job->mapped || job->open_error)
    return job->mapped;
  if (!_derush_mapped_file_open(&job->file, job->path, &job->open_error))
    return FALSE;
  job->mapped = TRUE;
  /* The version actually read is the one recorded, not the walk's stat. */
  job->st.st_size = (off_t)job->file.len;
  job->st.st_ino = (ino_t)job->file.ino;
  job->st.st_dev = (dev_t)job->file.dev;
  job->st.st_mtim.tv_sec = job->file.mtime_ns / 1000000000;
  job->st.st_mtim.tv_nsec = job->file.mtime_ns % 1000000000;
  job->hash = _derush_content_hash_buf(job->file.data, job->file.len);
  return TRUE;
}

static void
set_unreadable(DerushScanJob *job, const char *reason)
{
  job->status = DERUSH_PHOTO_UNREADABLE;
  g_free(job->reason);
  job->reason = g_strdup(reason);
}

/* No usable date in the file: its mtime is the best guess. It is a real
 * instant, so it carries the machine's UTC offset at that time. */
static void
fall_back_to_mtime(DerushMeta *meta, gint64 mtime_ns)
{
  meta->time_source = DERUSH_TIME_FILE_MTIME;
  meta->capture_time_ns = mtime_ns;
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local(mtime_ns / 1000000000);
  meta->has_offset = local != NULL;
  meta->offset_minutes = local ? (int)(g_date_time_get_utc_offset(local) / G_TIME_SPAN_MINUTE) : 0;
}

static void
read_file(DerushScanJob *job, const DerushJobContext *ctx)
{
  job->bytes = (gint64)job->file.len;
  if (job->file.len == 0) {
    fall_back_to_mtime(&job->meta, job->file.mtime_ns);
    set_unreadable(job, "empty file (0 bytes)");
    return;
  }

  /* Metadata first: its orientation routes the RAW preview's rotation. A
   * file exiv2 cannot parse may still be a readable image: the decoder
   * decides, and the metadata error is kept only if it fails too. */
  g_autoptr(GError) meta_error = NULL;
  if (!_derush_meta_read_buffer(job->file.data, job->file.len, &job->meta, &meta_error)) {
    derush_meta_clear(&job->meta);
    derush_meta_init(&job->meta);
  }
  if (job->meta.time_source == DERUSH_TIME_NONE)
    fall_back_to_mtime(&job->meta, job->file.mtime_ns);

  g_autofree char *cached = NULL;
  gboolean want_thumb = ctx->thumbnails && ctx->cache_dir;
  if (want_thumb) {
    cached = _derush_thumb_cache_path(ctx->cache_dir, job->hash);
    if (g_file_test(cached, G_FILE_TEST_IS_REGULAR)) {
      derush_counter_add(DERUSH_COUNTER_THUMBNAIL_CACHE_HITS, 1);
      want_thumb = FALSE;
    }
  }

  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) thumb = NULL;
  if (!_derush_image_load(job->file.data, job->file.len, job->name, job->meta.orientation,
                          want_thumb ? DERUSH_THUMB_CACHE_SIZE : 0, &job->info,
                          want_thumb ? &thumb : NULL, &error)) {
    set_unreadable(job, error->message);
    /* The format may have been read before the failure (truncated data),
     * but a size is recorded only when pixels decoded: a header can lie
     * (a SOF claiming 19000x20000 over 2048x1536 of data), and the reason
     * already quotes what it claims. */
    job->have_info = job->info.format[0] != '\0';
    job->info.width = job->info.height = 0;
    return;
  }
  job->have_info = TRUE;
  job->status = DERUSH_PHOTO_OK;
  /* Readable, with a note of what was ignored to read it (shown as the
   * photo's reason by ls --json, info and the app's tooltip). */
  if (job->info.note[0])
    job->reason = g_strdup(job->info.note);
  if (thumb && !_derush_image_save_atomic(thumb, cached, &error)) {
    /* A full cache disk must not make the photo unreadable: the thumbnail
     * is made again next time it is needed. */
    g_clear_error(&error);
  } else if (thumb) {
    derush_counter_add(DERUSH_COUNTER_THUMBNAILS_WRITTEN, 1);
  }
}

void
_derush_scan_job_run(DerushScanJob *job, const DerushJobContext *ctx)
{
  if (!ensure_mapped(job))
    return;
  if (job->kind == DERUSH_JOB_READ) {
    read_file(job, ctx);
    /* Release the mapping now: results are small, mappings are not. */
    _derush_mapped_file_close(&job->file);
    job->mapped = FALSE;
  }
}
