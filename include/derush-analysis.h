/* derush-analysis.h: the analysis pass (part of the public API; include derush.h). */
#ifndef DERUSH_ANALYSIS_H
#define DERUSH_ANALYSIS_H

#include "derush-scan.h"
#include "derush-group.h"

G_BEGIN_DECLS

/* Whether an analysis runs the object detector (derush-detect.h) and the
 * face models (derush-faces.h). */
typedef enum {
  DERUSH_ANALYZE_DETECT_AUTO,  /* each when its model files are found (default) */
  DERUSH_ANALYZE_DETECT_NEVER, /* features and hashes only */
  DERUSH_ANALYZE_DETECT_ONLY,  /* detections only (derush detect) */
} DerushAnalyzeDetect;

typedef struct {
  int threads; /* 0 = one per core */
  /* Called on the calling thread at most ~10 times a second. */
  void (*progress)(const DerushScanProgress *progress, gpointer user_data);
  void (*on_bad_file)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GCancellable *cancellable;
  const DerushGroupOptions *group; /* nullable: defaults */
  gboolean no_groups;              /* skip the group update */
  DerushAnalyzeDetect detect;
  const char *model_dir; /* nullable: first folder searched for models */
} DerushAnalyzeOptions;

void derush_analyze_options_init(DerushAnalyzeOptions *options);

typedef struct {
  gint64 analyzed;   /* photos whose features and hashes were computed */
  gint64 up_to_date; /* photos that needed nothing */
  gint64 failed;     /* preview could not be made */
  double seconds;
  DerushGroupSummary groups;
  gint64 detected;              /* photos run through the object detector */
  gint64 objects;               /* detections stored */
  gboolean detector_missing;    /* no detector model: detector features stay NAN */
  gint64 face_photos;           /* photos run through the face models */
  gint64 faces;                 /* faces stored */
  gboolean face_models_missing; /* no face models: face features stay NAN */
} DerushAnalyzeSummary;

gboolean derush_catalog_analyze(DerushCatalog *catalog, const char *under,
                                const DerushAnalyzeOptions *options, DerushAnalyzeSummary *summary,
                                GError **error);

G_END_DECLS

#endif /* DERUSH_ANALYSIS_H */
