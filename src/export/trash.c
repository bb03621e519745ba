/* trash.c: the freedesktop trash, as apply and undo-apply use it.
 *
 * g_file_trash() does not say where it put a file. When the trash already
 * holds a NAME.trashinfo (an earlier trash of the same name, or a 0-byte one
 * left by a process killed inside g_file_trash), GIO picks the first free
 * name of the form STEM.N.REST (q.jpg -> q.2.jpg: the number goes before the
 * FIRST dot) and creates its .trashinfo with O_EXCL. So the file is found
 * afterwards by reading the .trashinfo files of those names (Path= is the
 * original path, as the file manager reads it to restore), preferring the
 * one whose file is the very inode that was trashed. */
#include "export-private.h"
#include <sys/stat.h>
#include <unistd.h>

/* Candidate trash folders for a file that was at @orig: the home trash, then
 * the top of the file system @orig was on (.Trash-UID, .Trash/UID). */
static GPtrArray *
trash_dirs(const char *orig)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(dirs, g_build_filename(g_get_user_data_dir(), "Trash", NULL));
  g_autofree char *dir = g_path_get_dirname(orig);
  struct stat st;
  if (stat(dir, &st) != 0)
    return dirs;
  g_autofree char *top = g_strdup(dir);
  for (;;) {
    g_autofree char *parent = g_path_get_dirname(top);
    struct stat pst;
    if (strcmp(parent, top) == 0 || stat(parent, &pst) != 0 || pst.st_dev != st.st_dev)
      break;
    g_free(top);
    top = g_steal_pointer(&parent);
  }
  g_ptr_array_add(dirs, g_strdup_printf("%s/.Trash-%u", top, (unsigned)getuid()));
  g_ptr_array_add(dirs, g_strdup_printf("%s/.Trash/%u", top, (unsigned)getuid()));
  return dirs;
}

/* TRUE when @name (an entry of a trash's info folder) is one GIO could have
 * given a file named @base: "BASE.trashinfo" or "STEM.N REST.trashinfo",
 * STEM being @base up to its first dot and N a number from 2. */
gboolean
_derush_trash_info_name_fits(const char *base, const char *name)
{
  static const char suffix[] = ".trashinfo";
  gsize len = strlen(name);
  if (len <= sizeof suffix - 1 || strcmp(name + len - (sizeof suffix - 1), suffix) != 0)
    return FALSE;
  len -= sizeof suffix - 1;
  if (len == strlen(base) && strncmp(name, base, len) == 0)
    return TRUE;
  const char *dot = strchr(base, '.');
  gsize stem = dot ? (gsize)(dot - base) : strlen(base);
  const char *rest = dot ? dot : "";
  if (len <= stem + 1 || strncmp(name, base, stem) != 0 || name[stem] != '.')
    return FALSE;
  const char *p = name + stem + 1;
  if (!g_ascii_isdigit(*p) || *p == '0')
    return FALSE;
  while (p < name + len && g_ascii_isdigit(*p))
    p++;
  gsize tail = (gsize)(name + len - p);
  return tail == strlen(rest) && strncmp(p, rest, tail) == 0;
}

/* The Path= of a .trashinfo, unescaped, or NULL when it cannot be read (a
 * 0-byte file left by a kill, garbage). */
static char *
trash_info_path(const char *info)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  if (!g_key_file_load_from_file(kf, info, G_KEY_FILE_NONE, NULL))
    return NULL;
  g_autofree char *escaped = g_key_file_get_string(kf, "Trash Info", "Path", NULL);
  return escaped ? g_uri_unescape_string(escaped, NULL) : NULL;
}

/**
 * _derush_trash_find:
 * @orig: the path the file had before it was trashed
 * @was: (nullable): its stat before the trash: the file with that inode wins
 * @claimed: (nullable): TRUE for a trashed file already accounted for (by
 *   another journal entry), which is then not a candidate
 * @file_out: (out): the file inside the trash
 * @info_out: (out): its .trashinfo
 *
 * Finds where the trash put the file that was at @orig: the one with @was's
 * inode if any, else the newest .trashinfo naming @orig whose file is there.
 *
 * Returns: FALSE when none is found (outputs untouched).
 */
gboolean
_derush_trash_find(const char *orig, const struct stat *was, DerushTrashClaimedFunc claimed,
                   gpointer user_data, char **file_out, char **info_out)
{
  g_autoptr(GPtrArray) dirs = trash_dirs(orig);
  g_autofree char *base = g_path_get_basename(orig);
  g_autofree char *best_file = NULL, *best_info = NULL;
  gint64 best_mtime = -1;
  gboolean best_same_inode = FALSE;
  for (guint d = 0; d < dirs->len && !best_same_inode; d++) {
    g_autofree char *info_dir = g_build_filename(dirs->pdata[d], "info", NULL);
    g_autoptr(GDir) dir = g_dir_open(info_dir, 0, NULL);
    for (const char *name; dir && (name = g_dir_read_name(dir));) {
      if (!_derush_trash_info_name_fits(base, name))
        continue;
      g_autofree char *info = g_build_filename(info_dir, name, NULL);
      g_autofree char *path = trash_info_path(info);
      if (!path || strcmp(path, orig) != 0)
        continue;
      g_autofree char *fname = g_strndup(name, strlen(name) - strlen(".trashinfo"));
      g_autofree char *file = g_build_filename(dirs->pdata[d], "files", fname, NULL);
      struct stat fst, ist;
      if (lstat(file, &fst) != 0 || stat(info, &ist) != 0)
        continue;
      if (claimed && claimed(file, user_data))
        continue;
      gboolean same_inode = was && fst.st_ino == was->st_ino && fst.st_dev == was->st_dev;
      gint64 mtime = (gint64)ist.st_mtim.tv_sec * 1000000000 + ist.st_mtim.tv_nsec;
      if (same_inode || mtime > best_mtime) {
        best_mtime = mtime;
        best_same_inode = same_inode;
        g_free(best_file);
        g_free(best_info);
        best_file = g_steal_pointer(&file);
        best_info = g_steal_pointer(&info);
        if (same_inode)
          break;
      }
    }
  }
  if (!best_file)
    return FALSE;
  g_free(*file_out);
  g_free(*info_out);
  *file_out = g_steal_pointer(&best_file);
  *info_out = g_steal_pointer(&best_info);
  return TRUE;
}

/**
 * _derush_trash_file:
 * @path: the file to trash
 * @file_out: (out) (nullable): where it went in the trash, NULL when it
 *   cannot be found again (still restorable from the file manager)
 * @info_out: (out) (nullable): its .trashinfo
 *
 * Returns: FALSE with @error set when the file was not trashed.
 */
gboolean
_derush_trash_file(const char *path, char **file_out, char **info_out, GError **error)
{
  struct stat was;
  gboolean have_stat = lstat(path, &was) == 0;
  g_autoptr(GFile) file = g_file_new_for_path(path);
  g_autoptr(GError) local = NULL;
  if (!g_file_trash(file, NULL, &local)) {
    /* GIO's message names the file already; keep only its reason. */
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_IO, "cannot move to the trash: %s",
                local->message);
    return FALSE;
  }
  g_clear_pointer(file_out, g_free);
  g_clear_pointer(info_out, g_free);
  _derush_trash_find(path, have_stat ? &was : NULL, NULL, NULL, file_out, info_out);
  return TRUE;
}
