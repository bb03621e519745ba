/* cmd-info.c: `derush info`: everything derush knows about some photos.
 *
 * Each FILE is scanned first (an unchanged file is not read again), so the
 * answer is never stale and a file outside any scanned folder works too.
 */
#include "cli.h"

int
cli_cmd_info(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  if (!cli_parse_files_command(
          ctx, "info", &argc, &argv, "Show everything known about photos.",
          "Scans each FILE into the catalog (unchanged files are not read again), then\n"
          "prints one \"Key: value\" line per field with units, \"-\" when absent, and a\n"
          "blank line between files. With --json, one object per line as 'ls --json'.\n"
          "A FILE that does not exist is an error (exit 2 when no FILE could be shown,\n"
          "1 when some could); an unreadable photo is shown with its reason (exit 1).",
          "Print one JSON object per file (the same keys as ls --json)", &json, &files))
    return CLI_EXIT_FATAL;

  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  int n_failed = 0;
  g_autoptr(GPtrArray) photos = cli_scan_photo_args(ctx, files, &n_failed);

  gboolean bad = FALSE;
  int shown = 0;
  for (guint i = 0; i < photos->len; i++) {
    const DerushPhoto *photo = photos->pdata[i];
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
