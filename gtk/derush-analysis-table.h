/* derush-analysis-table.h: the latest analysis results, shared by all items. */
#pragma once

#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_ANALYSIS_TABLE (derush_analysis_table_get_type())
G_DECLARE_FINAL_TYPE(DerushAnalysisTable, derush_analysis_table, DERUSH, ANALYSIS_TABLE, GObject)

DerushAnalysisTable *derush_analysis_table_new(void);
void derush_analysis_table_publish(DerushAnalysisTable *self, GHashTable *records);
guint derush_analysis_table_get_generation(DerushAnalysisTable *self);
const DerushPhotoAnalysis *derush_analysis_table_lookup(DerushAnalysisTable *self, gint64 id);
guint derush_analysis_table_get_size(DerushAnalysisTable *self);
double derush_analysis_table_get_sharpness_rank(DerushAnalysisTable *self, double sharpness);

G_END_DECLS
