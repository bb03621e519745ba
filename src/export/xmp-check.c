/* xmp-check.c: is this sidecar something we can merge into without loss?
 *
 * exiv2 does not say when it fails: a sidecar with malformed XML opens
 * "fine" with no properties at all (the XMP toolkit's parse error becomes a
 * muted warning), and merging our two fields into that empty result would
 * write a packet without the other program's keywords. So the bytes are
 * checked first: well-formed XML (GMarkup: elements balanced, attributes
 * quoted, valid UTF-8), and the number of properties they hold (children
 * and attributes of rdf:Description), which exiv2's reading must then
 * reflect (see sidecar.c). */
#include "export-private.h"

typedef struct {
  GPtrArray *stack; /* element names, innermost last (transfer none: GMarkup's) */
  int properties;
} Check;

static gboolean
is_description(const char *name)
{
  const char *colon = strchr(name, ':');
  return strcmp(colon ? colon + 1 : name, "Description") == 0;
}

static void
start_cb(GMarkupParseContext *context, const char *name, const char **attr_names,
         const char **attr_values, gpointer user_data, GError **error)
{
  Check *c = user_data;
  if (c->stack->len > 0 && is_description(g_ptr_array_index(c->stack, c->stack->len - 1)))
    c->properties++;
  if (is_description(name))
    for (int i = 0; attr_names[i]; i++)
      if (strcmp(attr_names[i], "xmlns") != 0 && !g_str_has_prefix(attr_names[i], "xmlns:") &&
          !g_str_has_prefix(attr_names[i], "rdf:"))
        c->properties++;
  g_ptr_array_add(c->stack, (gpointer)name);
}

static void
end_cb(GMarkupParseContext *context, const char *name, gpointer user_data, GError **error)
{
  Check *c = user_data;
  if (c->stack->len > 0)
    g_ptr_array_set_size(c->stack, c->stack->len - 1);
}

/**
 * _derush_xmp_check:
 * @data: a sidecar's bytes
 * @n_properties: (out): how many properties its rdf:Description elements hold
 *
 * Returns: FALSE with DERUSH_ERROR_CORRUPT (and the parser's reason) when
 * the bytes are not a well-formed XMP document.
 */
gboolean
_derush_xmp_check(const char *data, gsize len, int *n_properties, GError **error)
{
  *n_properties = 0;
  if (len == 0) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "empty file");
    return FALSE;
  }
  static const GMarkupParser parser = {start_cb, end_cb, NULL, NULL, NULL};
  Check c = {g_ptr_array_new(), 0};
  GMarkupParseContext *context = g_markup_parse_context_new(&parser, 0, &c, NULL);
  g_autoptr(GError) local = NULL;
  gboolean ok = g_markup_parse_context_parse(context, data, (gssize)len, &local) &&
                g_markup_parse_context_end_parse(context, &local);
  g_markup_parse_context_free(context);
  g_ptr_array_free(c.stack, TRUE);
  if (!ok) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "malformed XML: %s", local->message);
    return FALSE;
  }
  *n_properties = c.properties;
  return TRUE;
}
