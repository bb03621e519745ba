/* photo-args.c: FILE arguments of info, label, features, faces and
 * detections, and the FOLDER argument of the commands that read the
 * catalog under a folder.
 *
 * Each of those commands takes photo files, brings them up to date in the
 * catalog (a scan of just those files: an unchanged one is not read again)
 * and then works on their catalog rows. One function does that for all of
 * them, so they report bad arguments the same way. */
#include "cli.h"
#include <errno.h>
#include <sys/stat.h>

void
cli_print_bad_file_cb(const char *path, const char *reason, gpointer user_data)
{
  cli_print_file_error(path, reason);
}

/**
 * cli_parse_files_command:
 * @command: the subcommand, for usage errors
 * @json_help: what --json prints
 * @json: (out): whether --json was given
 * @files: (out) (transfer full): the FILE arguments (NULL-terminated)
 *
 * The option parsing of info, features, faces and detections, which take
 * photo files and no option but --json, so they say the same about a
 * missing FILE.
 *
 * Returns: FALSE (exit CLI_EXIT_FATAL) on a usage error or no FILE.
 */
gboolean
cli_parse_files_command(CliContext *ctx, const char *command, int *argc, char ***argv,
                        const char *summary, const char *description, const char *json_help,
                        gboolean *json, char ***files)
{
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, json, json_help, NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, files, NULL, "FILE…"},
      {NULL},
  };
  g_autoptr(GOptionContext) context =
      cli_option_context_new(ctx, NULL, summary, description, entries);
  if (!cli_option_context_parse(context, argc, argv))
    return FALSE;
  if (!*files || !(*files)[0]) {
    cli_usage_error(command, "no file given");
    return FALSE;
  }
  return TRUE;
}

int
cli_files_exit_status(int n_failed, int n_files)
{
  if (n_failed == n_files)
    return CLI_EXIT_FATAL;
  return n_failed ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}

void
cli_print_photo_error(const DerushPhoto *photo, const GError *error)
{
  /* The scan reports an unreadable photo every time, read again or not:
   * saying it here too printed each reason twice. */
  if (photo->status == DERUSH_PHOTO_OK)
    cli_print_error(photo->path, error);
}

/**
 * cli_scan_photo_args:
 * @files: NULL-terminated paths, as typed
 * @n_failed: (inout): incremented for each argument that gives no photo
 *
 * Missing files and folders are reported here, before the scan, so one typo
 * does not make the whole scan fail (the library treats a missing root as
 * fatal). The catalog must be open.
 *
 * Returns: (transfer full): the photos found (DerushPhoto*), in argument
 * order; empty when none.
 */
GPtrArray *
cli_scan_photo_args(CliContext *ctx, char **files, int *n_failed)
{
  GPtrArray *photos = g_ptr_array_new_with_free_func((GDestroyNotify)derush_photo_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; files[i]; i++) {
    struct stat st;
    if (stat(files[i], &st) != 0) {
      cli_print_file_error(files[i], g_strerror(errno));
      (*n_failed)++;
    } else if (S_ISDIR(st.st_mode)) {
      cli_print_file_error(files[i], "is a folder, not a photo (derush ls lists folders)");
      (*n_failed)++;
    } else if (!derush_is_photo_name(files[i])) {
      /* Said before the scan, which reads a file it is given whatever its
       * name: `derush label * keep` put notes.txt in the catalog as an
       * unreadable photo with the label. A folder scan skips such names. */
      cli_print_file_error(files[i], "not a photo format derush reads");
      (*n_failed)++;
    } else {
      g_ptr_array_add(paths, g_canonicalize_filename(files[i], NULL));
    }
  }
  if (paths->len == 0)
    return photos;
  g_ptr_array_add(paths, NULL);

  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.on_bad_file = cli_print_bad_file_cb;
  DerushScanSummary summary;
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_scan(ctx->catalog, (const char *const *)paths->pdata, &options, &summary,
                           &error)) {
    cli_print_error(NULL, error);
    *n_failed += (int)paths->len - 1;
    return photos;
  }
  for (guint i = 0; i + 1 < paths->len; i++) {
    const char *path = paths->pdata[i];
    g_autoptr(GError) get_error = NULL;
    DerushPhoto *photo = derush_catalog_get_photo(ctx->catalog, path, &get_error);
    if (!photo) {
      /* The scan skips names it does not read (foo.txt). */
      if (g_error_matches(get_error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND))
        cli_print_file_error(path, "not in the catalog after scanning");
      else
        cli_print_error(path, get_error);
      (*n_failed)++;
      continue;
    }
    g_ptr_array_add(photos, photo);
  }
  return photos;
}

/**
 * cli_open_folder:
 * @dirs: (nullable): the remaining arguments; only the first is used
 * @under: (out) (transfer full): the folder made absolute, or NULL (the
 *   whole catalog) when none was given
 *
 * The optional FOLDER of the commands that work on the catalog's photos
 * under it (analyze, detect, cull, groups, predict): made absolute, and the
 * catalog opened. A folder of which the catalog holds no photo is said
 * plainly: a new user's `derush analyze DIR` before any scan printed
 * "Analyzed 0 photos" and exited 0, as if DIR had been looked at.
 *
 * Returns: FALSE, with the reason printed, when more than one folder is
 * given (a usage error of @command), the folder does not exist, the catalog
 * cannot be opened or it has no photo under the folder.
 */
gboolean
cli_open_folder(CliContext *ctx, const char *command, char **dirs, char **under)
{
  *under = NULL;
  if (dirs && dirs[0] && dirs[1]) {
    cli_usage_error(command, "give at most one folder");
    return FALSE;
  }
  if (dirs && dirs[0]) {
    struct stat st;
    if (stat(dirs[0], &st) != 0) {
      cli_print_file_error(dirs[0], g_strerror(errno));
      return FALSE;
    }
    *under = g_canonicalize_filename(dirs[0], NULL);
  }
  if (!cli_open_catalog(ctx))
    return FALSE;
  if (*under && derush_catalog_count_photos(ctx->catalog, *under, -1) == 0) {
    g_autofree char *reason = g_strdup_printf(
        "no photo of this folder is in the catalog yet: run 'derush scan %s' first", dirs[0]);
    cli_print_file_error(dirs[0], reason);
    return FALSE;
  }
  return TRUE;
}
