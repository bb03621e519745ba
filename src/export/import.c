/* import.c: decisions from photo-derush's .ratings_tags.json.
 *
 * The whole file is parsed and checked before anything is written: a
 * malformed or truncated file (photo-derush rewrites it in place, without a
 * temporary file, so a crash there leaves exactly that) imports nothing.
 * The decisions are then written as one durable batch per distinct change
 * (all "keep", all "trash, 4 stars"...): the label core commits each batch
 * itself and cannot join an outer transaction. A crash between batches
 * leaves whole batches; importing again completes the rest, since the
 * import is idempotent.
 *
 * Rules (from photo-derush's own code): a key is a bare file name in DIR;
 * "state" keep/trash with "label_source" manual or missing is a person's
 * decision (source IMPORT); with "auto" it is the old model's guess, kept
 * apart as source AUTO and only where nobody decided; "rating" 0-5 becomes
 * stars; other keys ("tags", "objects", ...) are ignored. A decision made
 * in derush (user, undo, redo) is never overridden by an import, so
 * importing again writes nothing new. */
#include "export-private.h"
#include <json-glib/json-glib.h>

typedef struct {
  gint64 id;
  DerushLabelChange change;
  DerushLabelSource source;
} Entry;

static gboolean
corrupt(GError **error, const char *file, const char *key, const char *why)
{
  g_autofree char *display = g_filename_display_name(file);
  if (key)
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s: entry \"%s\": %s; nothing imported",
                display, key, why);
  else
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s: %s; nothing imported", display,
                why);
  return FALSE;
}

/* Same change and source: one set_labels call, one batch. */
static guint
entry_hash(gconstpointer p)
{
  const Entry *e = p;
  return (guint)(e->change.set_label | e->change.label << 1 | e->change.set_stars << 3 |
                 e->change.stars << 4 | e->source << 8);
}

static gboolean
entry_equal(gconstpointer a, gconstpointer b)
{
  return entry_hash(a) == entry_hash(b);
}

/**
 * derush_catalog_import_photo_derush:
 * See derush.h.
 */
gboolean
derush_catalog_import_photo_derush(DerushCatalog *catalog, const char *dir,
                                   void (*on_unknown)(const char *name, gpointer user_data),
                                   gpointer user_data, DerushImportSummary *summary, GError **error)
{
  memset(summary, 0, sizeof *summary);
  g_autofree char *file = g_build_filename(dir, ".ratings_tags.json", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents(file, &text, &len, &local)) {
    int code = g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? DERUSH_ERROR_NOT_FOUND
                                                                        : DERUSH_ERROR_IO;
    g_set_error(error, DERUSH_ERROR, code, "%s", local->message);
    g_error_free(local);
    return FALSE;
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, (gssize)len, &local)) {
    g_autofree char *why = g_strdup_printf("not valid JSON (truncated?): %s", local->message);
    g_error_free(local);
    return corrupt(error, file, NULL, why);
  }
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    return corrupt(error, file, NULL, "not a JSON object of file names");

  /* Pass 1: check everything, decide every change. */
  g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(Entry));
  JsonObject *obj = json_node_get_object(root);
  g_autoptr(GList) members = json_object_get_members(obj);
  /* photo-derush keys its labels by base name, so "sub/a.jpg" after "a.jpg"
   * replaces it (its dict does). Each photo is decided once, from the last
   * entry naming it: two entries for one photo would otherwise be written
   * in hash order, and importing again would flip it (found by fuzzing). */
  g_autoptr(GHashTable) last_entry = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (GList *l = members; l; l = l->next)
    g_hash_table_insert(last_entry, g_path_get_basename(l->data), l->data);
  for (GList *l = members; l; l = l->next) {
    const char *key = l->data;
    JsonNode *node = json_object_get_member(obj, key);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      return corrupt(error, file, key, "not an object");
    JsonObject *e = json_node_get_object(node);
    const char *state = NULL, *source = NULL;
    gint64 rating = -1;
    if (json_object_has_member(e, "state")) {
      JsonNode *n = json_object_get_member(e, "state");
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return corrupt(error, file, key, "\"state\" is not a string");
      state = json_node_get_string(n);
    }
    if (json_object_has_member(e, "label_source")) {
      JsonNode *n = json_object_get_member(e, "label_source");
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return corrupt(error, file, key, "\"label_source\" is not a string");
      source = json_node_get_string(n);
    }
    if (json_object_has_member(e, "rating")) {
      JsonNode *n = json_object_get_member(e, "rating");
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
        return corrupt(error, file, key, "\"rating\" is not a whole number");
      rating = json_node_get_int(n);
      if (rating < 0 || rating > 5)
        return corrupt(error, file, key, "\"rating\" is not 0 to 5");
    }
    summary->entries++;
    /* photo-derush reduces keys to their base name on load; so do we. */
    g_autofree char *base = g_path_get_basename(key);
    if (g_hash_table_lookup(last_entry, base) != key)
      continue; /* a later entry names the same photo */
    g_autofree char *path = g_build_filename(dir, base, NULL);
    gint64 id;
    DerushLabel current;
    DerushLabelSource current_source;
    gboolean labelled;
    if (!_derush_catalog_label_by_path(catalog, path, &id, &current, &current_source, &labelled)) {
      summary->unknown++;
      if (on_unknown)
        on_unknown(key, user_data);
      continue;
    }
    summary->matched++;
    gboolean decided_here =
        labelled && (current_source == DERUSH_SOURCE_USER || current_source == DERUSH_SOURCE_UNDO ||
                     current_source == DERUSH_SOURCE_REDO);
    DerushLabel label = DERUSH_LABEL_NONE;
    gboolean has_state = state && (strcmp(state, "keep") == 0 || strcmp(state, "trash") == 0);
    if (has_state)
      label = strcmp(state, "keep") == 0 ? DERUSH_LABEL_KEEP : DERUSH_LABEL_TRASH;
    gboolean is_auto = source && strcmp(source, "auto") == 0;
    Entry manual = {id, {0}, DERUSH_SOURCE_IMPORT};
    if (has_state && !is_auto) {
      manual.change.set_label = TRUE;
      manual.change.label = label;
      summary->labels++;
    }
    if (rating >= 0) {
      manual.change.set_stars = TRUE;
      manual.change.stars = (int)rating;
      summary->stars++;
    }
    if ((manual.change.set_label || manual.change.set_stars) && !decided_here)
      g_array_append_val(entries, manual);
    if (has_state && is_auto) {
      summary->auto_labels++;
      /* The old model's guess: only where nobody decided anything. */
      if (!labelled || current == DERUSH_LABEL_NONE) {
        Entry guess = {id, {TRUE, label, FALSE, 0}, DERUSH_SOURCE_AUTO};
        g_array_append_val(entries, guess);
      }
    }
  }

  /* Pass 2: one batch per distinct decision. */
  g_autoptr(GHashTable) groups =
      g_hash_table_new_full(entry_hash, entry_equal, NULL, (GDestroyNotify)g_array_unref);
  for (guint i = 0; i < entries->len; i++) {
    Entry *e = &g_array_index(entries, Entry, i);
    GArray *ids = g_hash_table_lookup(groups, e);
    if (!ids) {
      ids = g_array_new(FALSE, FALSE, sizeof(gint64));
      g_hash_table_insert(groups, e, ids);
    }
    g_array_append_val(ids, e->id);
  }
  gint64 events_before = derush_counter_get(DERUSH_COUNTER_LABEL_EVENTS);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, groups);
  gboolean ok = TRUE;
  while (ok && g_hash_table_iter_next(&it, &key, &value)) {
    Entry *e = key;
    GArray *ids = value;
    ok = derush_catalog_set_labels(catalog, (const gint64 *)(gpointer)ids->data, ids->len,
                                   &e->change, e->source, NULL, error);
  }
  summary->changed = derush_counter_get(DERUSH_COUNTER_LABEL_EVENTS) - events_before;
  return ok;
}
