/* analyze.h: the analysis pass over catalog photos (not installed). */
#ifndef DERUSH_ANALYZE_H
#define DERUSH_ANALYZE_H

#include "derush-private.h"

G_BEGIN_DECLS

/* derush_catalog_analyze() over several roots at once (folders or single
 * files; NULL-terminated; NULL for the whole catalog). */
gboolean _derush_catalog_analyze_roots(DerushCatalog *catalog, const char *const *roots,
                                       const DerushAnalyzeOptions *options,
                                       DerushAnalyzeSummary *summary, GError **error);

G_END_DECLS

#endif /* DERUSH_ANALYZE_H */
