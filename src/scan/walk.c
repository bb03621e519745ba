/* walk.c: reading one folder for the scanner.
 *
 * Only photo-named files are stat()ed: a folder of 10,000 sidecars and
 * videos costs a readdir, not 10,000 system calls. Symlinked folders are
 * followed only on request, and every folder is remembered by device and
 * inode so that a link back to an ancestor (or a bind mount) cannot loop. */
#include "walk.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

void
_derush_walker_init(DerushWalker *walker, const DerushScanOptions *options)
{
  memset(walker, 0, sizeof *walker);
  walker->patterns = g_ptr_array_new_with_free_func((GDestroyNotify)g_pattern_spec_free);
  for (int i = 0; options->exclude && options->exclude[i]; i++)
    g_ptr_array_add(walker->patterns, g_pattern_spec_new(options->exclude[i]));
  walker->include_hidden = options->include_hidden;
  walker->follow_symlinks = options->follow_symlinks;
  walker->visited = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void
_derush_walker_clear(DerushWalker *walker)
{
  g_clear_pointer(&walker->patterns, g_ptr_array_unref);
  g_clear_pointer(&walker->visited, g_hash_table_destroy);
}

gboolean
_derush_walker_excluded(DerushWalker *walker, const char *name, const char *path)
{
  if (!walker->include_hidden && name[0] == '.')
    return TRUE;
  for (guint i = 0; i < walker->patterns->len; i++) {
    GPatternSpec *p = walker->patterns->pdata[i];
    if (g_pattern_spec_match_string(p, name) || g_pattern_spec_match_string(p, path))
      return TRUE;
  }
  return FALSE;
}

gboolean
_derush_walker_visit(DerushWalker *walker, const struct stat *st)
{
  char *key = g_strdup_printf("%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
  if (g_hash_table_contains(walker->visited, key)) {
    g_free(key);
    return FALSE;
  }
  g_hash_table_add(walker->visited, key);
  return TRUE;
}

static void
entry_free(gpointer p)
{
  DerushWalkEntry *e = p;
  g_free(e->name);
  g_free(e->reason);
  g_free(e);
}

static int
entry_cmp(gconstpointer a, gconstpointer b)
{
  const DerushWalkEntry *x = *(DerushWalkEntry *const *)a, *y = *(DerushWalkEntry *const *)b;
  return strcmp(x->name, y->name);
}

static DerushWalkEntry *
bad_entry(const char *name, const char *reason, const struct stat *st)
{
  DerushWalkEntry *e = g_new0(DerushWalkEntry, 1);
  e->name = g_strdup(name);
  e->kind = DERUSH_WALK_BAD;
  e->reason = g_strdup(reason);
  e->photo = derush_is_photo_name(name);
  if (st)
    e->st = *st;
  return e;
}

/* What a photo-named entry that is not a regular file is, for its reason. */
static const char *
not_a_file_reason(mode_t mode)
{
  if (S_ISFIFO(mode))
    return "not a regular file: a named pipe (FIFO)";
  if (S_ISSOCK(mode))
    return "not a regular file: a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "not a regular file: a device";
  return "not a regular file";
}

GPtrArray *
_derush_walker_read_dir(DerushWalker *walker, const char *dir, GError **error)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    int errsv = errno;
    if (fd >= 0)
      close(fd);
    _derush_set_errno_error(error, errsv, "cannot read folder", dir);
    return NULL;
  }
  derush_counter_add(DERUSH_COUNTER_DIRS_WALKED, 1);
  GPtrArray *out = g_ptr_array_new_with_free_func(entry_free);
  struct dirent *de;
  while ((errno = 0, de = readdir(d)) != NULL) {
    const char *name = de->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    gboolean maybe_dir = de->d_type == DT_DIR || de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;
    gboolean photo = derush_is_photo_name(name);
    if (!maybe_dir && !photo)
      continue;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (_derush_walker_excluded(walker, name, path))
      continue;

    struct stat lst = {0}, st;
    gboolean is_link = FALSE;
    if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) {
      if (fstatat(fd, name, &lst, AT_SYMLINK_NOFOLLOW) != 0)
        continue; /* vanished between readdir and stat */
      is_link = S_ISLNK(lst.st_mode);
    }
    derush_counter_add(DERUSH_COUNTER_FILES_STATTED, 1);
    if (fstatat(fd, name, &st, 0) != 0) {
      int errsv = errno;
      if (errsv == ELOOP)
        g_ptr_array_add(out, bad_entry(name, "symlink loop", &lst));
      else if (is_link && errsv == ENOENT && photo)
        g_ptr_array_add(out, bad_entry(name, "broken symlink: its target does not exist", &lst));
      else if (errsv != ENOENT && photo)
        g_ptr_array_add(out, bad_entry(name, g_strerror(errsv), &lst));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (is_link && !walker->follow_symlinks)
        continue;
      DerushWalkEntry *e = g_new0(DerushWalkEntry, 1);
      e->name = g_strdup(name);
      e->kind = DERUSH_WALK_DIR;
      e->st = st;
      g_ptr_array_add(out, e);
    } else if (S_ISREG(st.st_mode) && photo) {
      DerushWalkEntry *e = g_new0(DerushWalkEntry, 1);
      e->name = g_strdup(name);
      e->kind = DERUSH_WALK_FILE;
      e->st = st;
      g_ptr_array_add(out, e);
    } else if (photo && !S_ISREG(st.st_mode)) {
      g_ptr_array_add(out, bad_entry(name, not_a_file_reason(st.st_mode), &st));
    }
  }
  int errsv = errno;
  closedir(d);
  if (errsv != 0) {
    g_ptr_array_unref(out);
    _derush_set_errno_error(error, errsv, "cannot read folder", dir);
    return NULL;
  }
  g_ptr_array_sort(out, entry_cmp);
  return out;
}
