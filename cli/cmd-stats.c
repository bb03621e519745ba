/* cmd-stats.c: `derush stats`: how much work derush did, and on what.
 *
 * Reads only: stats is not recorded as a command, so it never hides the
 * counters of the scan it is asked about.
 */
#include "cli.h"

static void
add_counters(JsonBuilder *builder, const gint64 values[DERUSH_N_COUNTERS])
{
  for (int c = 0; c < DERUSH_N_COUNTERS; c++) {
    json_builder_set_member_name(builder, derush_counter_name((DerushCounter)c));
    json_builder_add_int_value(builder, values[c]);
  }
}

static void
add_count(JsonBuilder *builder, const char *key, gint64 value)
{
  json_builder_set_member_name(builder, key);
  if (value >= 0)
    json_builder_add_int_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

int
cli_cmd_stats(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Show the work counters and photo totals of the catalog.",
      "Counters count the work the library did: files opened, metadata parsed,\n"
      "images decoded, thumbnails written, cache hits... They are kept since the\n"
      "catalog was created and for the last recorded command (scan, ls, info,\n"
      "thumbnail; stats itself is not recorded).",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (args && args[0])
    return cli_usage_error("stats", "unexpected argument '%s'", args[0]);
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;

  gint64 total[DERUSH_N_COUNTERS] = {0}, last[DERUSH_N_COUNTERS] = {0};
  g_autofree char *last_command = NULL;
  g_autoptr(GError) error = NULL;
  const char *catalog_path = derush_catalog_get_path(ctx->catalog);
  if (!derush_catalog_get_counters(ctx->catalog, total, last, &last_command, &error)) {
    cli_print_error(catalog_path, error);
    return CLI_EXIT_FATAL;
  }
  static const struct {
    const char *key;
    int status;
  } counts[] = {
      {"total", -1},
      {"ok", DERUSH_PHOTO_OK},
      {"unreadable", DERUSH_PHOTO_UNREADABLE},
      {"missing", DERUSH_PHOTO_MISSING},
  };
  gint64 photos[G_N_ELEMENTS(counts)];
  for (gsize i = 0; i < G_N_ELEMENTS(counts); i++)
    photos[i] = derush_catalog_count_photos(ctx->catalog, NULL, counts[i].status);
  g_autofree char *catalog = cli_quote_path(catalog_path);

  if (json) {
    g_autoptr(JsonBuilder) builder = json_builder_new();
    json_builder_begin_object(builder);
    cli_json_add_path(builder, "catalog", catalog_path);
    json_builder_set_member_name(builder, "photos");
    json_builder_begin_object(builder);
    for (gsize i = 0; i < G_N_ELEMENTS(counts); i++)
      add_count(builder, counts[i].key, photos[i]);
    json_builder_end_object(builder);
    json_builder_set_member_name(builder, "since_created");
    json_builder_begin_object(builder);
    add_counters(builder, total);
    json_builder_end_object(builder);
    json_builder_set_member_name(builder, "last_command");
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "command");
    if (last_command)
      json_builder_add_string_value(builder, last_command);
    else
      json_builder_add_null_value(builder);
    add_counters(builder, last);
    json_builder_end_object(builder);
    json_builder_end_object(builder);
    g_autoptr(JsonNode) root = json_builder_get_root(builder);
    cli_print_json(stdout, root);
    return CLI_EXIT_OK;
  }

  printf("Catalog: %s\n", catalog);
  printf("Photos:  %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " ok, %" G_GINT64_FORMAT
         " unreadable, %" G_GINT64_FORMAT " missing)\n\n",
         photos[0], photos[1], photos[2], photos[3]);
  g_autofree char *last_title =
      g_strdup_printf("last command (%s)", last_command ? last_command : "none");
  printf("%-24s %15s %24s\n", "counter", "since created", last_title);
  for (int c = 0; c < DERUSH_N_COUNTERS; c++)
    printf("%-24s %15" G_GINT64_FORMAT " %24" G_GINT64_FORMAT "\n",
           derush_counter_name((DerushCounter)c), total[c], last[c]);
  return CLI_EXIT_OK;
}
