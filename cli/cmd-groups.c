/* cmd-groups.c: `derush groups`: sessions, bursts and near-duplicates with
 * their best pick. */
#include "cli-analysis.h"
#include <math.h>

typedef struct {
  DerushCatalog *catalog;
  gboolean json;
  gint64 n;
  GError *error;
} ListState;

static void
add_members(JsonBuilder *b, const DerushGroupDetails *d)
{
  json_builder_set_member_name(b, "members");
  json_builder_begin_array(b);
  for (guint i = 0; i < d->n_members; i++) {
    json_builder_begin_object(b);
    cli_json_add_path(b, "path", d->members[i].path);
    json_builder_set_member_name(b, "relation");
    json_builder_add_string_value(b, derush_relation_name(d->members[i].relation));
    cli_json_add_double(b, "score", d->members[i].score);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

static gboolean
print_group_cb(const DerushGroup *g, gpointer user_data)
{
  ListState *st = user_data;
  g_autoptr(DerushGroupDetails) d = derush_catalog_group_details(st->catalog, g, &st->error);
  if (!d)
    return FALSE;
  st->n++;
  if (st->json) {
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, g->id);
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, derush_group_kind_name(g->kind));
    json_builder_set_member_name(b, "size");
    json_builder_add_int_value(b, g->n_members);
    cli_json_add_path(b, "best", g->best_path);
    cli_json_add_double(b, "best_score", g->best_score);
    json_builder_set_member_name(b, "best_by");
    json_builder_add_string_value(b, derush_best_by_name(g->best_by));
    json_builder_set_member_name(b, "best_reason");
    if (d->best_reason)
      json_builder_add_string_value(b, d->best_reason);
    else
      json_builder_add_null_value(b);
    add_members(b, d);
    cli_json_add_path_array(b, "paths", g->member_paths, g->n_members);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    cli_print_json(stdout, root);
    return TRUE;
  }
  printf("%s %" G_GINT64_FORMAT " (%u photo%s)", derush_group_kind_name(g->kind), g->id,
         g->n_members, g->n_members == 1 ? "" : "s");
  if (!isnan(g->best_score) && g->best_by == DERUSH_BEST_BY_MODEL)
    printf(" best by the model, p(keep) %.2f", g->best_score);
  else if (!isnan(g->best_score))
    printf(" best score %.2f", g->best_score);
  if (d->best_reason)
    printf(" (%s)", d->best_reason);
  printf("\n");
  for (guint i = 0; i < g->n_members; i++) {
    g_autofree char *m = cli_quote_path(g->member_paths[i]);
    printf("  %s %-6s %s\n", g->member_ids[i] == g->best_id ? "*" : " ",
           derush_relation_name(d->members[i].relation), m);
  }
  return TRUE;
}

int
cli_cmd_groups(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE;
  char *kind_name = NULL;
  g_auto(GStrv) dirs = NULL;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json,
       "JSON Lines: one object per group (id, kind, size, best, best_score, best_by, "
       "best_reason, members, paths)",
       NULL},
      {"kind", 'k', 0, G_OPTION_ARG_STRING, &kind_name, "Only session, burst or near_dup groups",
       "KIND"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "[DIR]"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "List sessions, bursts and near-duplicate groups with their best pick.",
      "Lists the groups the last 'derush analyze' computed (with a member at or\n"
      "below DIR when given), ordered by kind then id. Ids are stable while the\n"
      "members stay. The best pick (\"*\") is the member nearest the original\n"
      "(full resolution, colour, never re-encoded, less compressed), then the\n"
      "one the model 'derush train' learnt from your labels would most likely\n"
      "keep (best_by \"model\"), or without a trained model the one with the\n"
      "highest quality score (best_by \"quality\"). Each member is named by its\n"
      "relation to it: best, exact, edited, burst or scene (docs/cli.md).",
      entries);
  gboolean parsed = cli_option_context_parse(context, &argc, &argv);
  g_autofree char *kind_owned = kind_name;
  if (!parsed)
    return CLI_EXIT_FATAL;
  int kind = -1;
  if (kind_name) {
    DerushGroupKind k;
    if (!derush_group_kind_from_name(kind_name, &k))
      return cli_usage_error("groups", "unknown kind '%s' (session, burst or near_dup)", kind_name);
    kind = (int)k;
  }
  g_autofree char *under = NULL;
  if (!cli_open_folder(ctx, "groups", dirs, &under))
    return CLI_EXIT_FATAL;
  ListState st = {ctx->catalog, json, 0, NULL};
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_foreach_group(ctx->catalog, under, kind, print_group_cb, &st, &error) ||
      st.error) {
    cli_print_error(NULL, st.error ? st.error : error);
    g_clear_error(&st.error);
    return CLI_EXIT_FATAL;
  }
  return CLI_EXIT_OK;
}
