/* cull.c: "trash the exact and edited copies", "keep the best of every
 * burst, trash the rest", "keep the best of every group, trash the rest"
 * as one reviewed step (issue 21).
 *
 * A cull is a decision, not a file operation: the photos it picks are
 * labelled trash in ONE label batch (source auto), so `derush undo` (or
 * the app's undo) takes it back whole, and `derush apply --trash` then
 * moves them to the desktop trash through the journal that `derush
 * undo-apply` reverses. A dry run labels nothing and lists the same
 * photos. Never picked: the best pick of any burst or near-duplicate set
 * (a photo can be the best of its burst and a lesser copy elsewhere),
 * the other half of a best's RAW+JPEG pair, photos labelled keep (the
 * user's word wins) and photos already labelled trash (a second run has
 * nothing to do).
 */
#include "derush-decisions.h"
#include "grouping.h"

typedef struct {
  DerushCatalog *cat;
  DerushCullKind kind;
  GHashTable *bests;  /* ids of every best pick (and its pair half) */
  GHashTable *picked; /* id -> TRUE */
  GArray *ids;
  DerushCullFunc func;
  gpointer user_data;
  GError *error;
} Cull;

static gboolean
wanted(DerushCullKind kind, DerushGroupKind group_kind, DerushRelation r)
{
  if (r == DERUSH_RELATION_BEST || group_kind == DERUSH_GROUP_SESSION)
    return FALSE;
  switch (kind) {
  case DERUSH_CULL_COPIES:
    return group_kind == DERUSH_GROUP_NEAR_DUP &&
           (r == DERUSH_RELATION_EXACT || r == DERUSH_RELATION_EDITED);
  case DERUSH_CULL_BURSTS:
    return group_kind == DERUSH_GROUP_BURST;
  case DERUSH_CULL_GROUPS:
    return TRUE;
  }
  return FALSE;
}

/* Both passes walk the bursts and near-duplicate sets with their details:
 * @pass gets each one's; FALSE (c->error set) stops. */
static gboolean
each_group(Cull *c, const DerushGroup *g,
           void (*pass)(Cull *c, const DerushGroup *g, const DerushGroupDetails *d))
{
  if (g->kind == DERUSH_GROUP_SESSION)
    return TRUE;
  g_autoptr(DerushGroupDetails) d = derush_catalog_group_details(c->cat, g, &c->error);
  if (d)
    pass(c, g, d);
  return d != NULL;
}

static void
bests_pass(Cull *c, const DerushGroup *g, const DerushGroupDetails *d)
{
  for (guint i = 0; i < d->n_members; i++)
    if (d->members[i].relation == DERUSH_RELATION_BEST)
      g_hash_table_add(c->bests, g_memdup2(&d->members[i].id, sizeof(gint64)));
}

static gboolean
bests_cb(const DerushGroup *g, gpointer user_data)
{
  return each_group(user_data, g, bests_pass);
}

static void
pick_pass(Cull *c, const DerushGroup *g, const DerushGroupDetails *d)
{
  for (guint i = 0; i < d->n_members; i++) {
    const DerushGroupMember *m = &d->members[i];
    if (!wanted(c->kind, g->kind, m->relation) || g_hash_table_contains(c->bests, &m->id) ||
        g_hash_table_contains(c->picked, &m->id))
      continue;
    g_autoptr(GError) local = NULL;
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(c->cat, m->path, &local);
    if (!p || p->label != DERUSH_LABEL_NONE) /* kept by the user, or already trash */
      continue;
    g_hash_table_add(c->picked, g_memdup2(&m->id, sizeof(gint64)));
    g_array_append_val(c->ids, m->id);
    if (c->func) {
      DerushCullItem item = {m->id, m->path, m->relation, g->best_path};
      c->func(&item, c->user_data);
    }
  }
}

static gboolean
pick_cb(const DerushGroup *g, gpointer user_data)
{
  return each_group(user_data, g, pick_pass);
}

/**
 * derush_catalog_cull:
 * @catalog: the catalog
 * @kind: what to trash (#DerushCullKind)
 * @under: (nullable): only groups with a member at or below this folder
 * @dry_run: label nothing, only list
 * @func: (nullable): called once per photo picked, in group order
 * @user_data: for @func
 * @n_trashed: (out) (optional): photos picked
 * @batch: (out) (optional): the label batch (0 on a dry run or when none)
 * @error: return location for a GError
 *
 * Labels trash, in one undoable batch, the photos @kind picks by the rules
 * at the top of cull.c, from the groups the last analysis stored.
 *
 * Returns: FALSE with @error set when the catalog cannot be read or
 *   written (nothing is labelled then).
 *
 * See also: derush_catalog_apply(), derush_catalog_undo()
 */
gboolean
derush_catalog_cull(DerushCatalog *catalog, DerushCullKind kind, const char *under,
                    gboolean dry_run, DerushCullFunc func, gpointer user_data, gint64 *n_trashed,
                    gint64 *batch, GError **error)
{
  g_return_val_if_fail(catalog != NULL, FALSE);
  Cull c = {catalog,
            kind,
            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
            g_array_new(FALSE, FALSE, sizeof(gint64)),
            func,
            user_data,
            NULL};
  gboolean ok = derush_catalog_foreach_group(catalog, NULL, -1, bests_cb, &c, error) && !c.error &&
                derush_catalog_foreach_group(catalog, under, -1, pick_cb, &c, error) && !c.error;
  if (c.error)
    g_propagate_error(error, g_steal_pointer(&c.error));
  if (batch)
    *batch = 0;
  if (ok && !dry_run && c.ids->len) {
    DerushLabelChange change = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
    ok = derush_catalog_set_labels(catalog, (const gint64 *)c.ids->data, c.ids->len, &change,
                                   DERUSH_SOURCE_AUTO, batch, error);
  }
  if (n_trashed)
    *n_trashed = ok ? c.ids->len : 0;
  g_hash_table_unref(c.bests);
  g_hash_table_unref(c.picked);
  g_array_unref(c.ids);
  return ok;
}
