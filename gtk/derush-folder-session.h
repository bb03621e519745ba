/* derush-folder-session.h: the background work on the open folder: the
 * loader (scan, then list), the file monitor, the analyzer after each scan
 * and the regroup when the gaps change. It fills a DerushPhotoModel and
 * tells the window what to show in signals; it knows no widget. */
#pragma once

#include "derush-photo-model.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_FOLDER_SESSION (derush_folder_session_get_type())
G_DECLARE_FINAL_TYPE(DerushFolderSession, derush_folder_session, DERUSH, FOLDER_SESSION, GObject)

DerushFolderSession *derush_folder_session_new(const char *catalog_path, DerushPhotoModel *model);

void derush_folder_session_load(DerushFolderSession *self, const char *folder, gboolean scan);
void derush_folder_session_cancel(DerushFolderSession *self);
void derush_folder_session_stop(DerushFolderSession *self);
char *derush_folder_session_take_model_note(DerushFolderSession *self);
void derush_folder_session_set_group_gaps(DerushFolderSession *self, double session_gap_s,
                                          double burst_gap_s);
void derush_folder_session_queue_regroup(DerushFolderSession *self);

const char *derush_folder_session_get_folder(DerushFolderSession *self);
gboolean derush_folder_session_is_loading(DerushFolderSession *self);
gboolean derush_folder_session_is_analyzing(DerushFolderSession *self);
gboolean derush_folder_session_is_analyzed(DerushFolderSession *self);
gboolean derush_folder_session_is_folder_missing(DerushFolderSession *self);

G_END_DECLS
