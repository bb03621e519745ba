/* cmd-ls.c: `derush ls`: list what the catalog knows, without touching files.
 *
 * Streams rows as the catalog returns them (ordered by path), so listing
 * 100,000 photos needs no more memory than listing ten.
 */
#include "cli.h"
#include <errno.h>
#include <unistd.h>

typedef struct {
  gboolean json;
} LsState;

static gboolean
ls_photo_cb(const DerushPhoto *photo, gpointer user_data)
{
  LsState *state = user_data;
  if (state->json) {
    g_autoptr(JsonNode) node = cli_photo_to_json(photo);
    cli_print_json(stdout, node);
  } else {
    cli_print_photo_line(stdout, photo);
  }
  /* A closed pipe (`derush ls | head`) ends the listing early. */
  return !ferror(stdout);
}

int
cli_cmd_ls(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON Lines: one object per photo", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "List the photos in the catalog, ordered by path.",
      "Lists every photo under DIR (default: the whole catalog) as the catalog knows\n"
      "it: files are not read, so run 'derush scan DIR' first. Without --json, one\n"
      "line per photo: status, size, capture time, camera and path. With --json, one\n"
      "JSON object per line with the keys documented in docs/cli.md; absent values\n"
      "are null.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (args && args[0] && args[1])
    return cli_usage_error("ls", "only one folder can be listed");

  g_autofree char *under = args && args[0] ? g_canonicalize_filename(args[0], NULL) : NULL;
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;

  if (under && derush_catalog_count_photos(ctx->catalog, under, -1) == 0) {
    /* A folder that no longer exists may still have rows (all missing) and
     * is listed; one that never existed is a typo worth an error. */
    if (!g_file_test(under, G_FILE_TEST_EXISTS)) {
      cli_print_file_error(args[0], g_strerror(ENOENT));
      return CLI_EXIT_FATAL;
    }
    /* Stdout stays empty for scripts; a person gets a hint. */
    if (isatty(STDERR_FILENO)) {
      g_autofree char *display = cli_quote_path(args[0]);
      fprintf(stderr, "derush: no photos under %s; run derush scan %s\n", display, display);
    }
    return CLI_EXIT_OK;
  }

  LsState state = {.json = json};
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_foreach_photo(ctx->catalog, under, ls_photo_cb, &state, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  return CLI_EXIT_OK;
}
