/* cmd-history.c: `derush history`: every decision change, oldest first.
 *
 * The history is the append-only event log itself (undo and redo are
 * events too), so this is also the audit trail of a culling session. */
#include "cli.h"

typedef struct {
  gboolean json;
  gint64 shown;
} HistoryState;

static char *
iso_time(gint64 time_ns)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(time_ns / 1000000000);
  if (!t)
    return g_strdup("?");
  g_autofree char *base = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf("%s.%03dZ", base, (int)(time_ns / 1000000 % 1000));
}

static gboolean
history_event_cb(const DerushLabelEvent *e, gpointer user_data)
{
  HistoryState *state = user_data;
  g_autofree char *when = iso_time(e->time_ns);
  if (state->json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, e->id);
    json_builder_set_member_name(b, "batch");
    json_builder_add_int_value(b, e->batch);
    json_builder_set_member_name(b, "time");
    json_builder_add_string_value(b, when);
    json_builder_set_member_name(b, "time_ns");
    json_builder_add_int_value(b, e->time_ns);
    cli_json_add_path(b, "path", e->path);
    json_builder_set_member_name(b, "old_label");
    json_builder_add_string_value(b, derush_label_name(e->old_label));
    json_builder_set_member_name(b, "new_label");
    json_builder_add_string_value(b, derush_label_name(e->new_label));
    json_builder_set_member_name(b, "old_stars");
    json_builder_add_int_value(b, e->old_stars);
    json_builder_set_member_name(b, "new_stars");
    json_builder_add_int_value(b, e->new_stars);
    json_builder_set_member_name(b, "source");
    json_builder_add_string_value(b, derush_label_source_name(e->source));
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    cli_print_json(stdout, node);
  } else {
    g_autofree char *path = cli_quote_path(e->path);
    printf("%s  batch %-5" G_GINT64_FORMAT " %-7s %s %d* -> %s %d*  %s\n", when, e->batch,
           derush_label_source_name(e->source), derush_label_name(e->old_label), e->old_stars,
           derush_label_name(e->new_label), e->new_stars, path);
  }
  state->shown++;
  return !ferror(stdout);
}

int
cli_cmd_history(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON Lines: one object per change", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, "[FILE]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Show the history of decisions, oldest first.",
      "Every label or stars change (by a person, an import, a sidecar, an undo or a\n"
      "redo) is an event; with FILE, only that photo's. Nothing is ever deleted from\n"
      "the history. Times are UTC.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (args && args[0] && args[1])
    return cli_usage_error("history", "only one file can be shown");
  g_autofree char *path = args && args[0] ? g_canonicalize_filename(args[0], NULL) : NULL;
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  if (path) {
    g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(ctx->catalog, path, &error);
    if (!photo) {
      cli_print_error(path, error);
      return CLI_EXIT_FATAL;
    }
  }
  HistoryState state = {json, 0};
  if (!derush_catalog_foreach_event(ctx->catalog, path, history_event_cb, &state, &error)) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return CLI_EXIT_FATAL;
  }
  return CLI_EXIT_OK;
}
