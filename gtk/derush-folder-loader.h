/* derush-folder-loader.h: scan a folder and list its photos off the main thread. */
#pragma once

#include <gio/gio.h>
#include "derush.h"

G_BEGIN_DECLS

/* A photo whose decision alone changed between two listings. */
typedef struct {
  gint64 id;
  DerushLabel label;
  int stars;
} DerushRelabel;

#define DERUSH_TYPE_FOLDER_LOADER (derush_folder_loader_get_type())
G_DECLARE_FINAL_TYPE(DerushFolderLoader, derush_folder_loader, DERUSH, FOLDER_LOADER, GObject)

DerushFolderLoader *derush_folder_loader_new(const char *catalog_path, const char *cache_dir);
void derush_folder_loader_load_async(DerushFolderLoader *self, const char *dir, gboolean scan,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean derush_folder_loader_load_finish(DerushFolderLoader *self, GAsyncResult *result,
                                          DerushScanSummary *summary, GError **scan_error,
                                          GError **error);

G_END_DECLS
