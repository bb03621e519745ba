/* derush-export.h: decisions out and in: batches, XMP sidecars, apply, reports, imports (part of
 * the public API; include derush.h). */
#ifndef DERUSH_EXPORT_H
#define DERUSH_EXPORT_H

#include "derush-decisions.h"

G_BEGIN_DECLS

/* One label batch (one user action, the unit of undo), as `derush undo`
 * reports it. */
typedef struct {
  gint64 id;
  gint64 time_ns; /* UTC */
  DerushLabelSource source;
  gint64 target;   /* undo: the batch undone; redo: the undo redone; else 0 */
  gint64 n_events; /* photos it changed */
} DerushLabelBatch;

typedef gboolean (*DerushLabelBatchFunc)(const DerushLabelBatch *batch, gpointer user_data);

/**
 * derush_catalog_foreach_batch:
 * Calls @func for each label batch whose id is greater than @after, oldest
 * first. derush_catalog_last_batch() before an undo and this after it list
 * what the undo did.
 */
gboolean derush_catalog_foreach_batch(DerushCatalog *catalog, gint64 after,
                                      DerushLabelBatchFunc func, gpointer user_data,
                                      GError **error);

/** derush_catalog_last_batch: the newest batch id, 0 when none, -1 on error. */
gint64 derush_catalog_last_batch(DerushCatalog *catalog, GError **error);

/* How XMP sidecars are named (what reads them). */
typedef enum {
  DERUSH_XMP_DARKTABLE, /* IMG_1234.CR2.xmp */
  DERUSH_XMP_LIGHTROOM, /* IMG_1234.xmp */
  DERUSH_XMP_DIGIKAM,   /* IMG_1234.xmp (digiKam's default) */
} DerushXmpStyle;

/** (transfer none): "darktable", "lightroom", "digikam". */
const char *derush_xmp_style_name(DerushXmpStyle style);
/** Parses a style name (any case); FALSE when unknown. */
gboolean derush_xmp_style_from_name(const char *name, DerushXmpStyle *style);
/** Returns: (transfer full): the sidecar path of @photo_path in @style. */
char *derush_sidecar_path(const char *photo_path, DerushXmpStyle style);

typedef enum {
  DERUSH_SIDECAR_WRITTEN,   /* created or merged (or would be, in a dry run) */
  DERUSH_SIDECAR_UNCHANGED, /* already said what the catalog says */
  DERUSH_SIDECAR_FAILED,    /* not written: see the error; the catalog is untouched */
} DerushSidecarResult;

/* Called once per sidecar; @error is set for FAILED only. */
typedef void (*DerushSidecarFunc)(const char *sidecar_path, DerushSidecarResult result,
                                  const GError *error, gpointer user_data);

typedef struct {
  gint64 written;
  gint64 unchanged;
  gint64 failed;
} DerushSidecarSummary;

/* How derush_catalog_export_sidecars() writes. */
typedef enum {
  DERUSH_SIDECAR_DRY_RUN = 1 << 0, /* say what would be written; write nothing */
  DERUSH_SIDECAR_FORCE = 1 << 1,   /* replace a sidecar that cannot be parsed, keeping a .bak */
} DerushSidecarFlags;

/**
 * derush_catalog_export_sidecars:
 * @under: (nullable): only photos at or below this path
 * @ids: (nullable): only these photos (and their RAW+JPEG partners)
 * Writes the decisions of labelled photos to XMP sidecars: trash as
 * xmp:Rating -1 and digiKam:PickLabel 1, keep as PickLabel 3, stars as
 * xmp:Rating. An existing sidecar is merged (every other field survives),
 * through a temporary file and a rename. A photo with no decision left
 * (none, 0 stars) loses our two fields from an existing sidecar and gets
 * no new one. A failure on one sidecar (read-only, disk full) is reported
 * through @func and counted; the others go on. A sidecar that cannot be
 * parsed (malformed XML, truncated, or properties exiv2 cannot read) is
 * never overwritten: it fails with DERUSH_ERROR_CORRUPT and stays as it is,
 * unless @flags has DERUSH_SIDECAR_FORCE: its bytes are then kept as
 * SIDECAR.bak (or .bak.1, .bak.2...) and a new sidecar is written.
 * Returns: FALSE only when the catalog cannot be read.
 */
gboolean derush_catalog_export_sidecars(DerushCatalog *catalog, const char *under,
                                        const gint64 *ids, gsize n_ids, DerushXmpStyle style,
                                        DerushSidecarFlags flags, DerushSidecarFunc func,
                                        gpointer user_data, DerushSidecarSummary *summary,
                                        GError **error);

/**
 * derush_catalog_set_sidecar_sync:
 * Keeps sidecars in @style up to date after every label change made by the
 * CLI (`derush label`, `undo`, `redo`), or stops doing so.
 */
gboolean derush_catalog_set_sidecar_sync(DerushCatalog *catalog, gboolean enabled,
                                         DerushXmpStyle style, GError **error);
/** TRUE when sidecar sync is on; @style (out, optional) gets its style. */
gboolean derush_catalog_get_sidecar_sync(DerushCatalog *catalog, DerushXmpStyle *style);

/* What `derush apply` does to the photos it selects. */
typedef enum {
  DERUSH_APPLY_TRASH,        /* trash photos to the freedesktop trash */
  DERUSH_APPLY_MOVE_TRASH,   /* move trash photos to a folder */
  DERUSH_APPLY_MOVE_KEEPERS, /* move keepers to a folder */
  DERUSH_APPLY_COPY_KEEPERS, /* copy keepers to a folder */
} DerushApplyAction;

typedef enum {
  DERUSH_FILE_OP_MOVE,
  DERUSH_FILE_OP_COPY,
  DERUSH_FILE_OP_TRASH,
} DerushFileOpKind;

/* One planned file operation (a photo, its partner, or a sidecar). */
typedef struct {
  DerushFileOpKind kind;
  const char *src;
  const char *dst; /* NULL for trash */
  gboolean is_photo;
} DerushFileOp;

typedef void (*DerushFileOpFunc)(const DerushFileOp *op, const GError *error, gpointer user_data);

typedef struct {
  gint64 photos; /* photos selected (a pair counts 2) */
  gint64 files;  /* files touched: photos plus sidecars */
  gint64 bytes;
  gint64 done;
  gint64 failed;
} DerushApplySummary;

/**
 * derush_catalog_plan_apply:
 * @under: (nullable): only photos at or below this folder
 * @dest: the folder for MOVE_* and COPY_* (created when missing), NULL for TRASH
 * @func: (nullable): called for each planned operation (a dry run's listing)
 * Fills @summary with what derush_catalog_apply() would do. Touches nothing.
 */
gboolean derush_catalog_plan_apply(DerushCatalog *catalog, DerushApplyAction action,
                                   const char *under, const char *dest, DerushFileOpFunc func,
                                   gpointer user_data, DerushApplySummary *summary, GError **error);

/**
 * derush_catalog_apply:
 * Acts on the decisions: each photo moves (copies, trashes) with its RAW+JPEG
 * partner and its sidecars; a name taken at the destination gets a -1, -2...
 * suffix, never an overwrite. Every operation is journaled (fsync'd) before
 * it happens, so derush_catalog_undo_apply() can restore it and a crash in
 * the middle is repaired by the next derush_catalog_open(). Moved photos keep
 * their catalog rows (and labels); trashed ones are marked missing.
 * @func (nullable) is called after each operation, with @error on failure.
 * Returns: FALSE when the journal cannot be written (nothing moved then).
 */
gboolean derush_catalog_apply(DerushCatalog *catalog, DerushApplyAction action, const char *under,
                              const char *dest, DerushFileOpFunc func, gpointer user_data,
                              DerushApplySummary *summary, GError **error);

/**
 * derush_catalog_undo_apply:
 * Restores the files of the last apply not yet undone (moves back, restores
 * from the trash, deletes copies), after retrying the steps an earlier call
 * could not undo. A step that fails is passed to @func with its error and
 * kept for the next call; it never stops the other steps, and the next call
 * goes on to the apply before. Returns: how many files were restored
 * (0 when there was nothing to undo), or -1 with @error set.
 */
gint64 derush_catalog_undo_apply(DerushCatalog *catalog, DerushFileOpFunc func, gpointer user_data,
                                 GError **error);

/**
 * derush_catalog_recover_file_ops:
 * Finishes or rolls back file operations a crash left half-done. Call it
 * after derush_catalog_open() (the CLI does on every open; apply and
 * undo-apply do first); it is one indexed query when nothing is pending.
 * Returns: how many were repaired, -1 on error.
 */
gint64 derush_catalog_recover_file_ops(DerushCatalog *catalog, GError **error);

/* Reports: `derush export --csv/--json`. */
typedef enum {
  DERUSH_REPORT_CSV,
  DERUSH_REPORT_JSON, /* JSON Lines */
} DerushReportFormat;

/**
 * derush_catalog_export_report:
 * @under: (nullable): only photos at or below this folder
 * Writes one row per photo (path, label, stars, prediction, group) to
 * @out_path through a temporary file and a rename. Returns: rows written,
 * or -1 with @error set.
 */
gint64 derush_catalog_export_report(DerushCatalog *catalog, const char *under,
                                    DerushReportFormat format, const char *out_path,
                                    GError **error);

typedef struct {
  gint64 entries;     /* entries in the file */
  gint64 matched;     /* entries naming a photo the catalog knows in DIR (of entries naming
                       * one base name, only the last counts, as in photo-derush) */
  gint64 unknown;     /* entries naming no known photo (listed by on_unknown) */
  gint64 labels;      /* manual labels (keep/trash) taken */
  gint64 stars;       /* ratings taken */
  gint64 auto_labels; /* auto labels, recorded with source AUTO */
  gint64 changed;     /* photos whose decision changed (events written) */
} DerushImportSummary;

/**
 * derush_catalog_import_photo_derush:
 * @dir: a folder holding photo-derush's .ratings_tags.json (scanned first by
 *   the caller)
 * Imports manual labels and ratings as IMPORT decisions and auto labels as
 * AUTO ones, all in one transaction: a malformed or truncated file imports
 * nothing (DERUSH_ERROR_CORRUPT). Re-importing the same file writes no event.
 */
gboolean derush_catalog_import_photo_derush(DerushCatalog *catalog, const char *dir,
                                            void (*on_unknown)(const char *name,
                                                               gpointer user_data),
                                            gpointer user_data, DerushImportSummary *summary,
                                            GError **error);

G_END_DECLS

#endif /* DERUSH_EXPORT_H */
