/* cmd-import.c: `derush import photo-derush DIR`: decisions made in
 * photo-derush, imported once (derush never needs its file afterwards). */
#include "cli.h"

static void
unknown_cb(const char *name, gpointer user_data)
{
  g_autofree char *why =
      g_strdup_printf("listed in %s but not a photo derush found there", (const char *)user_data);
  cli_print_file_error(name, why);
}

static void
scan_bad_cb(const char *path, const char *reason, gpointer user_data)
{
  cli_print_file_error(path, reason);
}

int
cli_cmd_import(CliContext *ctx, int argc, char **argv)
{
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, "photo-derush DIR"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Import decisions from another tool.",
      "photo-derush DIR: reads DIR/.ratings_tags.json. Manual keep/trash labels\n"
      "become decisions with source 'import', ratings become stars; auto labels are\n"
      "kept apart (source 'auto', only for undecided photos); tags are ignored. DIR\n"
      "is scanned first. A malformed or truncated file imports nothing; importing\n"
      "again changes nothing; decisions already made in derush are never overridden.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!args || !args[0] || !args[1] || args[2])
    return cli_usage_error("import", "expected: derush import photo-derush DIR");
  if (strcmp(args[0], "photo-derush") != 0)
    return cli_usage_error("import", "unknown source '%s' (known: photo-derush)", args[0]);
  g_autofree char *dir = g_canonicalize_filename(args[1], NULL);
  if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
    cli_print_file_error(args[1], "not a folder");
    return CLI_EXIT_FATAL;
  }
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.on_bad_file = scan_bad_cb;
  DerushScanSummary scan;
  g_autoptr(GError) error = NULL;
  const char *roots[] = {dir, NULL};
  if (!derush_catalog_scan(ctx->catalog, roots, &options, &scan, &error)) {
    cli_print_error(dir, error);
    return CLI_EXIT_FATAL;
  }
  DerushImportSummary sum;
  if (!derush_catalog_import_photo_derush(ctx->catalog, dir, unknown_cb, ".ratings_tags.json", &sum,
                                          &error)) {
    cli_print_error(NULL, error);
    return CLI_EXIT_FATAL;
  }
  printf("Imported %" G_GINT64_FORMAT " entries: %" G_GINT64_FORMAT " labels, %" G_GINT64_FORMAT
         " ratings, %" G_GINT64_FORMAT " auto labels kept apart; %" G_GINT64_FORMAT
         " changes, %" G_GINT64_FORMAT " unknown files\n",
         sum.entries, sum.labels, sum.stars, sum.auto_labels, sum.changed, sum.unknown);
  return sum.unknown > 0 ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}
