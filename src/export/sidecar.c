/* sidecar.c: decisions to and from XMP sidecars.
 *
 * Writing merges into what is there: the sidecar is parsed by exiv2, only
 * xmp:Rating and digiKam:PickLabel are set or cleared, and the whole packet
 * is written back through a temporary file and a rename, so darktable's
 * history, Lightroom's develop settings and keywords all survive.
 *
 * The sidecars table remembers each sidecar as derush last wrote or read it
 * (mtime, size, xxh64 of the bytes). A scan reads only sidecars that differ
 * from that record, so our own writes never come back as new decisions, and
 * a later edit by another program is picked up as a SIDECAR decision. The
 * same record makes an export refuse to overwrite an edit no scan has read
 * yet: another program's decision is never silently lost.
 *
 * Over 600 lines: writing, reading back and the scanner's hooks share one
 * decision model (rating, pick label) and one XMP merge.
 */
#include "export-private.h"
#include <errno.h>
#include <gexiv2/gexiv2.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static const char *const style_names[] = {"darktable", "lightroom", "digikam"};

#define TAG_RATING "Xmp.xmp.Rating"
#define TAG_PICK "Xmp.digiKam.PickLabel"
#define PICK_REJECTED 1
#define PICK_PENDING 2
#define PICK_ACCEPTED 3

/* An empty packet to merge into when a photo has no sidecar yet. */
static const char empty_packet[] =
    "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
    " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"></rdf:RDF></x:xmpmeta>"
    "<?xpacket end=\"w\"?>";

/**
 * derush_xmp_style_name:
 * Returns: (transfer none): "darktable", "lightroom" or "digikam".
 */
const char *
derush_xmp_style_name(DerushXmpStyle style)
{
  return _derush_enum_name(style_names, G_N_ELEMENTS(style_names), style, "darktable");
}

/**
 * derush_xmp_style_from_name:
 * @style: (out): the style
 * Returns: FALSE when @name is not a style.
 */
gboolean
derush_xmp_style_from_name(const char *name, DerushXmpStyle *style)
{
  int value;
  if (!_derush_enum_from_name(style_names, G_N_ELEMENTS(style_names), name, TRUE, &value))
    return FALSE;
  *style = (DerushXmpStyle)value;
  return TRUE;
}

/**
 * derush_sidecar_path:
 * darktable appends ".xmp" to the whole name (IMG_1.CR2.xmp), so a RAW and
 * its JPEG have a sidecar each; Lightroom and digiKam replace the extension
 * (IMG_1.xmp), so a pair shares one.
 * Returns: (transfer full): the sidecar path.
 */
char *
derush_sidecar_path(const char *photo_path, DerushXmpStyle style)
{
  if (style == DERUSH_XMP_DARKTABLE)
    return g_strconcat(photo_path, ".xmp", NULL);
  const char *slash = strrchr(photo_path, '/');
  const char *dot = strrchr(photo_path, '.');
  gsize stem = dot && (!slash || dot > slash + 1) ? (gsize)(dot - photo_path) : strlen(photo_path);
  return g_strdup_printf("%.*s.xmp", (int)stem, photo_path);
}

/* ------------------------------------------------------------ XMP values */

/* What a sidecar (or the catalog, translated) says, field by field. */
typedef struct {
  gboolean has_rating;
  int rating;
  gboolean has_pick;
  int pick;
} XmpDecision;

static XmpDecision
decision_for(DerushLabel label, int stars)
{
  XmpDecision d = {0};
  switch (label) {
  case DERUSH_LABEL_TRASH:
    d = (XmpDecision){TRUE, -1, TRUE, PICK_REJECTED};
    break;
  case DERUSH_LABEL_KEEP:
    d = (XmpDecision){TRUE, stars, TRUE, PICK_ACCEPTED};
    break;
  case DERUSH_LABEL_NONE:
    /* Undecided: stars if any; no pick label (digiKam's "pending" would
     * claim a decision nobody made). 0 stars: our fields are removed. */
    d.has_rating = stars > 0;
    d.rating = stars;
    break;
  }
  return d;
}

static gboolean
decision_equal(const XmpDecision *a, const XmpDecision *b)
{
  return a->has_rating == b->has_rating && (!a->has_rating || a->rating == b->rating) &&
         a->has_pick == b->has_pick && (!a->has_pick || a->pick == b->pick);
}

static gboolean
read_int_tag(GExiv2Metadata *md, const char *tag, int *out)
{
  if (!gexiv2_metadata_try_has_tag(md, tag, NULL))
    return FALSE;
  g_autofree char *s = gexiv2_metadata_try_get_tag_string(md, tag, NULL);
  if (!s)
    return FALSE;
  char *end = NULL;
  double v = g_ascii_strtod(g_strstrip(s), &end);
  if (end == s || !isfinite(v))
    return FALSE;
  *out = (int)round(v);
  return TRUE;
}

/* Caller holds the exiv2 lock. */
static XmpDecision
decision_read(GExiv2Metadata *md)
{
  XmpDecision d = {0};
  d.has_rating = read_int_tag(md, TAG_RATING, &d.rating) && d.rating >= -1 && d.rating <= 5;
  d.has_pick = read_int_tag(md, TAG_PICK, &d.pick) && d.pick >= 0 && d.pick <= 3;
  return d;
}

static guint64
bytes_hash(const void *data, gsize len)
{
  return XXH64(data, len, 0);
}

/* ------------------------------------------------------- sidecar records */

static gint64
stat_mtime_ns(const struct stat *st)
{
  return (gint64)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* A sidecar file as read from disk: bytes and what they say. */
typedef struct {
  char *data;
  gsize len;
  struct stat st;
  XmpDecision decision;
} SidecarFile;

static void
sidecar_file_clear(SidecarFile *f)
{
  g_clear_pointer(&f->data, g_free);
}

/* Opens a sidecar's bytes in @md, refusing what exiv2 would silently read
 * as empty (xmp-check.c). Caller holds the exiv2 lock. */
static gboolean
open_checked(GExiv2Metadata *md, const char *data, gsize len, GError **error)
{
  int properties = 0;
  if (!_derush_xmp_check(data, len, &properties, error))
    return FALSE;
  GError *local = NULL;
  if (len > G_MAXLONG || !gexiv2_metadata_open_buf(md, (const guint8 *)data, (glong)len, &local)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s",
                local ? local->message : "too large");
    g_clear_error(&local);
    return FALSE;
  }
  /* Not gexiv2_metadata_get_xmp_tags(): gexiv2 0.14 sorts a copy of the
   * properties first, and that sort never ends on some packets (fuzz-sidecar
   * found one: fuzz/regressions/sidecar/gexiv2-sort-hang.xmp). */
  if (properties > 0 && !gexiv2_metadata_has_xmp(md)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "exiv2 could read none of its %d properties", properties);
    return FALSE;
  }
  return TRUE;
}

/* Reads and parses @path. FALSE with NOT_FOUND when it does not exist. */
static gboolean
sidecar_read(const char *path, SidecarFile *f, GError **error)
{
  memset(f, 0, sizeof *f);
  if (stat(path, &f->st) != 0) {
    _derush_set_errno_error(error, errno, "cannot read sidecar", path);
    return FALSE;
  }
  GError *local = NULL;
  if (!g_file_get_contents(path, &f->data, &f->len, &local)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_IO, "%s", local->message);
    g_error_free(local);
    return FALSE;
  }
  _derush_exiv2_lock();
  GExiv2Metadata *md = gexiv2_metadata_new();
  gboolean ok = open_checked(md, f->data, f->len, &local);
  if (ok)
    f->decision = decision_read(md);
  g_object_unref(md);
  _derush_exiv2_unlock();
  if (!ok) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "cannot parse this XMP sidecar: %s",
                local->message);
    g_clear_error(&local);
    sidecar_file_clear(f);
    return FALSE;
  }
  return TRUE;
}

/* Sets or clears one integer tag. Caller holds the exiv2 lock. */
static gboolean
put_tag(GExiv2Metadata *md, const char *tag, gboolean has, int value, GError **error)
{
  if (!has) {
    if (gexiv2_metadata_try_has_tag(md, tag, NULL))
      return gexiv2_metadata_try_clear_tag(md, tag, error);
    return TRUE;
  }
  char buf[16];
  g_snprintf(buf, sizeof buf, "%d", value);
  return gexiv2_metadata_try_set_tag_string(md, tag, buf, error);
}

/* One parse of @base (an existing sidecar's bytes, or NULL for a new one):
 * when it already says @want, sets *@same and returns NULL; otherwise
 * returns the packet with our two fields set to @want and every other field
 * carried over. */
static char *
merged_packet(const char *base, gsize base_len, const XmpDecision *want, gboolean *same,
              GError **error)
{
  *same = FALSE;
  if (!base) {
    base = empty_packet;
    base_len = sizeof empty_packet - 1;
  }
  GError *local = NULL;
  char *packet = NULL;
  _derush_exiv2_lock();
  GExiv2Metadata *md = gexiv2_metadata_new();
  gboolean ok = open_checked(md, base, base_len, &local);
  if (ok) {
    XmpDecision found = decision_read(md);
    *same = decision_equal(&found, want);
  }
  if (ok && !*same && put_tag(md, TAG_RATING, want->has_rating, want->rating, &local) &&
      put_tag(md, TAG_PICK, want->has_pick, want->pick, &local))
    packet = gexiv2_metadata_try_generate_xmp_packet(md, GEXIV2_USE_COMPACT_FORMAT, 0, &local);
  g_object_unref(md);
  _derush_exiv2_unlock();
  if (packet && !*packet) {
    /* exiv2 generates nothing at all for a packet left without properties
     * (a photo unlabelled after an export): a 0-byte sidecar, which no
     * reader, and not our own parse check, takes for XMP (make torture
     * found it). An empty but well-formed packet says the same. */
    g_free(packet);
    packet = g_strdup(empty_packet);
  }
  if (!ok) {
    /* Nothing we could merge into without losing what it holds. */
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "cannot parse this XMP sidecar (%s); left as it is", local->message);
    g_clear_error(&local);
  } else if (!packet && !*same) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "cannot merge into the XMP sidecar: %s",
                local ? local->message : "exiv2 gave nothing");
    g_clear_error(&local);
  }
  return packet;
}

/* Keeps @data (an unparsable sidecar about to be replaced) as @path.bak,
 * or .bak.1, .bak.2... when taken: a backup never replaces another. */
static gboolean
keep_backup(const char *path, const char *data, gsize len, int mode, GError **error)
{
  for (int n = 0; n < 1000; n++) {
    g_autofree char *bak =
        n == 0 ? g_strconcat(path, ".bak", NULL) : g_strdup_printf("%s.bak.%d", path, n);
    struct stat st;
    if (lstat(bak, &st) == 0)
      continue;
    return _derush_write_atomic(bak, data, len, mode, error);
  }
  g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_IO, "no free .bak name");
  return FALSE;
}

/* ------------------------------------------------------------- writing */

typedef struct {
  DerushCatalog *cat;
  DerushXmpStyle style;
  DerushSidecarFlags flags;
  DerushSidecarFunc func;
  gpointer user_data;
  DerushSidecarSummary *sum;
  GHashTable *done; /* sidecar paths handled in this run (pairs share one) */
  GArray *records;  /* SidecarRecord to store at the end */
} Export;

typedef struct {
  char *path;
  DerushSidecarState st;
} SidecarRecord;

static void
report(Export *ex, const char *path, DerushSidecarResult result, const GError *error)
{
  if (result == DERUSH_SIDECAR_WRITTEN)
    ex->sum->written++;
  else if (result == DERUSH_SIDECAR_UNCHANGED)
    ex->sum->unchanged++;
  else
    ex->sum->failed++;
  if (ex->func)
    ex->func(path, result, error, ex->user_data);
}

static gboolean
read_only(const char *path, const struct stat *st)
{
  /* No write bit at all counts as read-only even for root: somebody made
   * the file so on purpose, and rename() would replace it regardless. */
  return (st->st_mode & 0222) == 0 || access(path, W_OK) != 0;
}

/* Writes one photo's decision to @path. */
static DerushSidecarResult
export_one(Export *ex, const char *path, DerushLabel label, int stars, GError **error)
{
  XmpDecision want = decision_for(label, stars);
  g_autofree char *data = NULL;
  gsize len = 0;
  struct stat st;
  gboolean exists = stat(path, &st) == 0;
  if (!exists && errno != ENOENT) {
    _derush_set_errno_error(error, errno, "cannot read sidecar", path);
    return DERUSH_SIDECAR_FAILED;
  }
  if (!exists && !want.has_rating && !want.has_pick)
    return DERUSH_SIDECAR_UNCHANGED; /* nothing to say, nothing there */
  if (exists) {
    GError *local = NULL;
    if (!g_file_get_contents(path, &data, &len, &local)) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_IO, "%s", local->message);
      g_error_free(local);
      return DERUSH_SIDECAR_FAILED;
    }
  }
  gboolean same = FALSE;
  GError *parse_error = NULL;
  g_autofree char *packet = merged_packet(data, len, &want, &same, &parse_error);
  gboolean replace = FALSE;
  if (!packet && !same) {
    if (!g_error_matches(parse_error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT) ||
        !(ex->flags & DERUSH_SIDECAR_FORCE)) {
      g_propagate_error(error, parse_error);
      return DERUSH_SIDECAR_FAILED;
    }
    /* Asked to: the unreadable bytes go to a .bak, the decision to a new
     * sidecar. */
    g_clear_error(&parse_error);
    packet = merged_packet(NULL, 0, &want, &same, error);
    if (!packet)
      return DERUSH_SIDECAR_FAILED;
    replace = TRUE;
  }
  if (same)
    return DERUSH_SIDECAR_UNCHANGED;
  if (exists && !replace) {
    DerushSidecarState known;
    gboolean ours = _derush_catalog_sidecar_state_get(ex->cat, path, &known) &&
                    known.size == (gint64)st.st_size &&
                    (known.mtime_ns == stat_mtime_ns(&st) || known.hash == bytes_hash(data, len));
    if (!ours) {
      /* Another program decided something no scan has read yet: writing
       * now would lose it. */
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED,
                  "changed by another program since derush last read it; run 'derush scan'"
                  " first");
      return DERUSH_SIDECAR_FAILED;
    }
  }
  if (exists && read_only(path, &st)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_IO, "sidecar is read-only");
    return DERUSH_SIDECAR_FAILED;
  }
  if (ex->flags & DERUSH_SIDECAR_DRY_RUN)
    return DERUSH_SIDECAR_WRITTEN;
  if (replace && !keep_backup(path, data, len, (int)(st.st_mode & 07777), error))
    return DERUSH_SIDECAR_FAILED;
  gsize packet_len = strlen(packet);
  if (!_derush_write_atomic(path, packet, packet_len, exists ? (int)(st.st_mode & 07777) : 0666,
                            error))
    return DERUSH_SIDECAR_FAILED;
  struct stat now;
  if (stat(path, &now) == 0) {
    SidecarRecord r = {g_strdup(path), {stat_mtime_ns(&now), (gint64)now.st_size, 0}};
    r.st.hash = bytes_hash(packet, packet_len);
    g_array_append_val(ex->records, r);
  }
  return DERUSH_SIDECAR_WRITTEN;
}

static void
export_photo(Export *ex, const char *photo_path, DerushLabel label, int stars)
{
  g_autofree char *path = derush_sidecar_path(photo_path, ex->style);
  if (g_hash_table_contains(ex->done, path))
    return;
  g_hash_table_add(ex->done, g_strdup(path));
  g_autoptr(GError) error = NULL;
  DerushSidecarResult r = export_one(ex, path, label, stars, &error);
  report(ex, path, r, error);
}

static gboolean
store_records(Export *ex, GError **error)
{
  if (ex->records->len == 0)
    return TRUE;
  if (!_derush_catalog_begin(ex->cat, error))
    return FALSE;
  for (guint i = 0; i < ex->records->len; i++) {
    SidecarRecord *r = &g_array_index(ex->records, SidecarRecord, i);
    if (!_derush_catalog_sidecar_state_put(ex->cat, r->path, &r->st, error)) {
      _derush_catalog_rollback(ex->cat);
      return FALSE;
    }
  }
  return _derush_catalog_commit(ex->cat, error);
}

static void
record_clear(gpointer p)
{
  g_free(((SidecarRecord *)p)->path);
}

/* Flushes the records every few hundred files, so a killed export keeps
 * the records of what it wrote (a missing record only makes the next scan
 * read that sidecar once). */
#define RECORD_BATCH 500

static gboolean
export_row_cb(const char *path, DerushLabel label, int stars, gpointer user_data, GError **error)
{
  Export *ex = user_data;
  export_photo(ex, path, label, stars);
  if (ex->records->len >= RECORD_BATCH) {
    /* The catalog's listing statement is stepping; the write goes
     * through the same connection, which SQLite allows. */
    if (!store_records(ex, error))
      return FALSE;
    g_array_set_size(ex->records, 0);
  }
  return TRUE;
}

/**
 * derush_catalog_export_sidecars:
 * @under: (nullable): a folder or photo; NULL with @ids NULL for all
 * @ids: (nullable) (array length=n_ids): only these photos and their partners
 * @func: (nullable): told about each sidecar
 * @summary: (out): counts
 *
 * See derush.h.
 *
 * Returns: FALSE with @error set when the catalog cannot be read or the
 * records of the written sidecars cannot be stored.
 */
gboolean
derush_catalog_export_sidecars(DerushCatalog *catalog, const char *under, const gint64 *ids,
                               gsize n_ids, DerushXmpStyle style, DerushSidecarFlags flags,
                               DerushSidecarFunc func, gpointer user_data,
                               DerushSidecarSummary *summary, GError **error)
{
  memset(summary, 0, sizeof *summary);
  Export ex = {catalog, style, flags, func, user_data, summary, NULL, NULL};
  ex.done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ex.records = g_array_new(FALSE, FALSE, sizeof(SidecarRecord));
  g_array_set_clear_func(ex.records, record_clear);
  gboolean ok = TRUE;

  /* Selected photos with their partners: the rows to visit. */
  ok = _derush_catalog_foreach_decision(catalog,
                                        ids     ? NULL
                                        : under ? under
                                                : "/",
                                        ids, n_ids, export_row_cb, &ex, error);
  if (ok)
    ok = store_records(&ex, error);
  g_hash_table_destroy(ex.done);
  g_array_free(ex.records, TRUE);
  return ok;
}

/**
 * derush_catalog_set_sidecar_sync:
 * @enabled: keep sidecars in sync from now on, or stop
 * @style: the sidecar style to keep in sync
 * Returns: FALSE with @error when the setting cannot be stored.
 */
gboolean
derush_catalog_set_sidecar_sync(DerushCatalog *catalog, gboolean enabled, DerushXmpStyle style,
                                GError **error)
{
  return _derush_catalog_put_setting(catalog, "sidecar_sync",
                                     enabled ? derush_xmp_style_name(style) : NULL, error);
}

/**
 * derush_catalog_get_sidecar_sync:
 * @style: (out) (optional): the style kept in sync
 * Returns: TRUE when sidecar sync is on.
 */
gboolean
derush_catalog_get_sidecar_sync(DerushCatalog *catalog, DerushXmpStyle *style)
{
  g_autofree char *value = _derush_catalog_get_setting(catalog, "sidecar_sync");
  DerushXmpStyle s;
  if (!value || !derush_xmp_style_from_name(value, &s))
    return FALSE;
  if (style)
    *style = s;
  return TRUE;
}

/* ---------------------------------------------------------- scan hooks */

/* A sidecar (or embedded rating) the scanner noticed. */
typedef struct {
  char *photo_path;
  char *sidecar_path; /* NULL for an embedded rating */
  struct stat st;
  int rating; /* embedded only: -1..5, 0 meaning "no rating" */
} Seen;

static void
seen_free(gpointer p)
{
  Seen *s = p;
  g_free(s->photo_path);
  g_free(s->sidecar_path);
  g_free(s);
}

GPtrArray *
_derush_sidecars_seen_new(void)
{
  return g_ptr_array_new_with_free_func(seen_free);
}

void
_derush_sidecars_seen_add(GPtrArray *seen, const char *dir, const char *name)
{
  g_autofree char *photo = g_build_filename(dir, name, NULL);
  /* Both namings: a folder may hold darktable's and Lightroom's. Two
   * stat()s of names that are usually absent: cheap next to a scan. */
  for (int style = DERUSH_XMP_DARKTABLE; style <= DERUSH_XMP_LIGHTROOM; style++) {
    g_autofree char *path = derush_sidecar_path(photo, style);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    Seen *s = g_new0(Seen, 1);
    s->photo_path = g_strdup(photo);
    s->sidecar_path = g_steal_pointer(&path);
    s->st = st;
    g_ptr_array_add(seen, s);
  }
}

gboolean
_derush_sidecars_note_embedded(DerushCatalog *cat, const char *path, const DerushMeta *meta,
                               GPtrArray *embedded, GError **error)
{
  int old = 0;
  if (!_derush_catalog_xmp_rating(cat, path, &old, error))
    return FALSE;
  int now = meta->has_rating ? meta->rating : 0;
  /* Only a change is news: an unchanged embedded rating must not undo a
   * decision made in derush since. */
  if (now != old) {
    Seen *s = g_new0(Seen, 1);
    s->photo_path = g_strdup(path);
    s->rating = now;
    g_ptr_array_add(embedded, s);
  }
  return TRUE;
}

/* Turns what a sidecar says into a change of the catalog's decision
 * (fields it does not express stay as they are). */
static gboolean
change_from(const XmpDecision *d, DerushLabel current, DerushLabelChange *c)
{
  memset(c, 0, sizeof *c);
  if ((d->has_rating && d->rating < 0) || (d->has_pick && d->pick == PICK_REJECTED)) {
    c->set_label = TRUE;
    c->label = DERUSH_LABEL_TRASH;
  } else if (d->has_pick && d->pick == PICK_ACCEPTED) {
    c->set_label = TRUE;
    c->label = DERUSH_LABEL_KEEP;
  } else if ((d->has_pick && d->pick == PICK_PENDING) ||
             (d->has_rating && current == DERUSH_LABEL_TRASH)) {
    /* Rated again after a reject: no longer rejected. */
    c->set_label = TRUE;
    c->label = DERUSH_LABEL_NONE;
  }
  if (d->has_rating && d->rating >= 0) {
    c->set_stars = TRUE;
    c->stars = d->rating;
  }
  return c->set_label || c->set_stars;
}

static gboolean
apply_decision(DerushCatalog *cat, const char *photo_path, const XmpDecision *d, GError **error)
{
  gint64 id;
  DerushLabel label;
  if (!_derush_catalog_photo_decision(cat, photo_path, &id, &label, error))
    return error == NULL || *error == NULL; /* not a catalogued photo: nothing to do */
  DerushLabelChange c;
  if (!change_from(d, label, &c))
    return TRUE;
  return derush_catalog_set_labels(cat, &id, 1, &c, DERUSH_SOURCE_SIDECAR, NULL, error);
}

gboolean
_derush_sidecars_apply_scan(DerushCatalog *cat, GPtrArray *seen, GPtrArray *embedded,
                            GError **error)
{
  for (guint i = 0; embedded && i < embedded->len; i++) {
    Seen *s = embedded->pdata[i];
    XmpDecision d = {TRUE, s->rating, FALSE, 0};
    if (s->rating == 0) /* the rating was removed: no stars, not a reject */
      d.rating = 0;
    if (!apply_decision(cat, s->photo_path, &d, error))
      return FALSE;
  }
  for (guint i = 0; seen && i < seen->len; i++) {
    Seen *s = seen->pdata[i];
    DerushSidecarState known;
    gboolean have = _derush_catalog_sidecar_state_get(cat, s->sidecar_path, &known);
    if (have && known.size == (gint64)s->st.st_size && known.mtime_ns == stat_mtime_ns(&s->st))
      continue; /* as we wrote or last read it: not news */
    SidecarFile f;
    GError *local = NULL;
    if (!sidecar_read(s->sidecar_path, &f, &local)) {
      /* A damaged sidecar is another program's business: skip it, the
       * catalog's decision stands. */
      g_clear_error(&local);
      continue;
    }
    DerushSidecarState now = {stat_mtime_ns(&f.st), (gint64)f.st.st_size,
                              bytes_hash(f.data, f.len)};
    gboolean news = !have || known.hash != now.hash;
    /* Nor is a sidecar saying what the catalog said when it was written:
     * our own bytes, from an export killed before it recorded them (make
     * torture found scans putting such stale decisions over the labels
     * made since). Another program's edit says something else. */
    DerushLabel then_label;
    int then_stars;
    if (news && !_derush_catalog_decision_at(cat, s->photo_path, now.mtime_ns, &then_label,
                                             &then_stars, error)) {
      sidecar_file_clear(&f);
      return FALSE;
    }
    if (news) {
      XmpDecision then = decision_for(then_label, then_stars);
      news = !decision_equal(&f.decision, &then);
    }
    gboolean ok = TRUE;
    if (news)
      ok = apply_decision(cat, s->photo_path, &f.decision, error);
    sidecar_file_clear(&f);
    /* Recorded after the decision: a crash in between makes the next scan
     * read it again, and an equal decision writes no event. */
    if (!ok || !_derush_catalog_sidecar_state_put(cat, s->sidecar_path, &now, error))
      return FALSE;
  }
  return TRUE;
}
