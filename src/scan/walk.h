/* walk.h: reading one folder for the scanner. */
#ifndef DERUSH_WALK_H
#define DERUSH_WALK_H

#include "derush-private.h"
#include <sys/stat.h>

typedef enum {
  DERUSH_WALK_FILE, /* a photo-named file to look at */
  DERUSH_WALK_DIR,  /* a folder to descend into */
  DERUSH_WALK_BAD,  /* an entry that cannot be read: see reason */
} DerushWalkKind;

typedef struct {
  char *name; /* base name, file-system bytes */
  DerushWalkKind kind;
  struct stat st; /* of the target for symlinks; of the link itself when BAD */
  char *reason;   /* for DERUSH_WALK_BAD */
  gboolean photo; /* BAD: named like a photo, so recorded as an unreadable one */
} DerushWalkEntry;

typedef struct {
  GPtrArray *patterns; /* GPatternSpec*, matched on base names and full paths */
  gboolean include_hidden;
  gboolean follow_symlinks;
  GHashTable *visited; /* "dev:ino" of folders already walked (loop guard) */
} DerushWalker;

void _derush_walker_init(DerushWalker *walker, const DerushScanOptions *options);
void _derush_walker_clear(DerushWalker *walker);

/* TRUE when @name (at @path) is excluded by a pattern or by being hidden. */
gboolean _derush_walker_excluded(DerushWalker *walker, const char *name, const char *path);

/* Marks folder (dev, ino) visited; FALSE when it already was (a loop). */
gboolean _derush_walker_visit(DerushWalker *walker, const struct stat *st);

/* Reads folder @dir: photo-named files with their stat, sub-folders and bad
 * entries, sorted by name (a GPtrArray of DerushWalkEntry*, owned). */
GPtrArray *_derush_walker_read_dir(DerushWalker *walker, const char *dir, GError **error);

#endif
