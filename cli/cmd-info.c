/* cmd-info.c: `derush info`: everything derush knows about some photos.
 *
 * Each FILE is scanned first (an unchanged file is not read again), so the
 * answer is never stale and a file outside any scanned folder works too.
 */
#include "cli.h"
#include <errno.h>
#include <sys/stat.h>

static void
info_bad_file_cb(const char *path, const char *reason, gpointer user_data)
{
  cli_print_file_error(path, reason);
}

int
cli_cmd_info(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "Print one JSON object per file (the same keys as ls --json)", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Show everything known about photos.",
      "Scans each FILE into the catalog (unchanged files are not read again), then\n"
      "prints one \"Key: value\" line per field with units, \"-\" when absent, and a\n"
      "blank line between files. With --json, one object per line as 'ls --json'.\n"
      "A FILE that does not exist is an error (exit 2 when no FILE could be shown,\n"
      "1 when some could); an unreadable photo is shown with its reason (exit 1).",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!files || !files[0])
    return cli_usage_error("info", "no file given");

  /* Missing files are reported here, so one typo does not make the whole
   * scan fail (the library treats a missing root as fatal). */
  int n_files = (int)g_strv_length(files);
  int n_failed = 0;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < n_files; i++) {
    struct stat st;
    if (stat(files[i], &st) != 0) {
      cli_print_file_error(files[i], g_strerror(errno));
      n_failed++;
    } else if (S_ISDIR(st.st_mode)) {
      cli_print_file_error(files[i], "is a folder; use derush ls");
      n_failed++;
    } else {
      g_ptr_array_add(paths, g_canonicalize_filename(files[i], NULL));
    }
  }
  if (paths->len == 0)
    return CLI_EXIT_FATAL;
  g_ptr_array_add(paths, NULL);

  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;

  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.on_bad_file = info_bad_file_cb;
  DerushScanSummary summary = {0};
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_scan(ctx->catalog, (const char *const *)paths->pdata, &options, &summary,
                           &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }

  gboolean bad = FALSE;
  int shown = 0;
  for (guint i = 0; i + 1 < paths->len; i++) {
    const char *path = g_ptr_array_index(paths, i);
    g_autoptr(GError) get_error = NULL;
    g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(ctx->catalog, path, &get_error);
    if (!photo) {
      /* The scan skips names it does not read (foo.txt). */
      if (g_error_matches(get_error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND))
        cli_print_file_error(path, derush_is_photo_name(path) ? "not in the catalog after scanning"
                                                              : "not a photo format derush reads");
      else
        cli_print_error(path, get_error);
      n_failed++;
      continue;
    }
    if (photo->status != DERUSH_PHOTO_OK)
      bad = TRUE;
    if (json) {
      g_autoptr(JsonNode) node = cli_photo_to_json(photo);
      cli_print_json(stdout, node);
    } else {
      if (shown > 0)
        fputc('\n', stdout);
      cli_print_photo_text(stdout, photo);
    }
    shown++;
  }
  if (shown == 0)
    return CLI_EXIT_FATAL;
  return bad || n_failed > 0 ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}
