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

gboolean derush_catalog_foreach_batch(DerushCatalog *catalog, gint64 after,
                                      DerushLabelBatchFunc func, gpointer user_data,
                                      GError **error);

gint64 derush_catalog_last_batch(DerushCatalog *catalog, GError **error);

/* How XMP sidecars are named (what reads them). */
typedef enum {
  DERUSH_XMP_DARKTABLE, /* IMG_1234.CR2.xmp */
  DERUSH_XMP_LIGHTROOM, /* IMG_1234.xmp */
  DERUSH_XMP_DIGIKAM,   /* IMG_1234.xmp (digiKam's default) */
} DerushXmpStyle;

const char *derush_xmp_style_name(DerushXmpStyle style);
gboolean derush_xmp_style_from_name(const char *name, DerushXmpStyle *style);
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

gboolean derush_catalog_export_sidecars(DerushCatalog *catalog, const char *under,
                                        const gint64 *ids, gsize n_ids, DerushXmpStyle style,
                                        DerushSidecarFlags flags, DerushSidecarFunc func,
                                        gpointer user_data, DerushSidecarSummary *summary,
                                        GError **error);

gboolean derush_catalog_set_sidecar_sync(DerushCatalog *catalog, gboolean enabled,
                                         DerushXmpStyle style, GError **error);
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

gboolean derush_catalog_plan_apply(DerushCatalog *catalog, DerushApplyAction action,
                                   const char *under, const char *dest, DerushFileOpFunc func,
                                   gpointer user_data, DerushApplySummary *summary, GError **error);

gboolean derush_catalog_apply(DerushCatalog *catalog, DerushApplyAction action, const char *under,
                              const char *dest, DerushFileOpFunc func, gpointer user_data,
                              DerushApplySummary *summary, GError **error);

gint64 derush_catalog_undo_apply(DerushCatalog *catalog, DerushFileOpFunc func, gpointer user_data,
                                 GError **error);

gint64 derush_catalog_recover_file_ops(DerushCatalog *catalog, GError **error);

/* Reports: `derush export --csv/--json`. */
typedef enum {
  DERUSH_REPORT_CSV,
  DERUSH_REPORT_JSON, /* JSON Lines */
} DerushReportFormat;

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

gboolean derush_catalog_import_photo_derush(DerushCatalog *catalog, const char *dir,
                                            void (*on_unknown)(const char *name,
                                                               gpointer user_data),
                                            gpointer user_data, DerushImportSummary *summary,
                                            GError **error);

G_END_DECLS

#endif /* DERUSH_EXPORT_H */
