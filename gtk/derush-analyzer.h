/* derush-analyzer.h: features, hashes and groups of a folder, off the main thread. */
#pragma once

#include <gio/gio.h>
#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_ANALYZER (derush_analyzer_get_type())
G_DECLARE_FINAL_TYPE(DerushAnalyzer, derush_analyzer, DERUSH, ANALYZER, GObject)

DerushAnalyzer *derush_analyzer_new(const char *catalog_path);
void derush_analyzer_set_group_options(DerushAnalyzer *self, const DerushGroupOptions *options);
void derush_analyzer_regroup_async(DerushAnalyzer *self, const char *dir, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
void derush_analyzer_analyze_async(DerushAnalyzer *self, const char *dir, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
GHashTable *derush_analyzer_collect(DerushCatalog *catalog, const char *dir, GError **error);
gboolean derush_analyzer_get_detector_missing(DerushAnalyzer *self);
GHashTable *derush_analyzer_analyze_finish(DerushAnalyzer *self, GAsyncResult *result,
                                           GError **error);

G_END_DECLS
