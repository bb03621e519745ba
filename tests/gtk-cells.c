/* gtk-cells.c: the replay's reports on grid cells, parsed (gtk-cells.h). */
#include "gtk-cells.h"

static void
cell_free(Cell *c)
{
  g_free(c->name);
  g_free(c->relation);
  g_free(c->badge);
  g_free(c->header);
  g_free(c->warning);
  g_free(c->sharpness);
  g_free(c);
}

GPtrArray *
parse_cells(const char *out)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func((GDestroyNotify)cell_free);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    /* print-cells writes "cell NAME label L" lines too, without fields. */
    if (!g_str_has_prefix(lines[i], "cell ") || !strchr(lines[i], '|'))
      continue;
    g_auto(GStrv) f = g_strsplit(lines[i] + 5, "|", -1);
    g_assert_cmpuint(g_strv_length(f), ==, 9);
    Cell *c = g_new0(Cell, 1);
    c->pos = (guint)g_ascii_strtoull(f[0], NULL, 10);
    c->name = g_strdup(f[1]);
    c->group = g_ascii_strtoll(f[2] + strlen("group "), NULL, 10);
    c->best = g_str_equal(f[3], "best 1");
    c->relation = g_strdup(f[4] + strlen("relation "));
    c->badge = g_strdup(f[5] + strlen("badge "));
    c->header = g_strdup(f[6] + strlen("header "));
    c->warning = g_strdup(f[7] + strlen("warning "));
    c->sharpness = g_strdup(f[8] + strlen("sharpness "));
    g_ptr_array_add(cells, c);
  }
  return cells;
}

char *
badge_word(const char *badge)
{
  const char *dot = strstr(badge, " · ");
  return dot ? g_strndup(badge, dot - badge) : g_strdup(badge);
}

/* @word, or a shorter form of it. */
static gboolean
word_or_short(const char *full, const char *word)
{
  if (g_str_equal(word, full))
    return TRUE;
  if (g_str_equal(full, "Duplicates") && g_str_equal(word, "Dups"))
    return TRUE;
  return strlen(word) == 1 && word[0] == full[0];
}

gboolean
badge_names(const Cell *c, const char *word)
{
  if (c->best)
    return word_or_short("Burst", word) || word_or_short("Duplicates", word);
  static const char *const words[][2] = {
      {"exact", "Copy"}, {"edited", "Edited"}, {"burst", "Burst"}, {"scene", "Scene"}};
  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (g_str_equal(c->relation, words[i][0]))
      return word_or_short(words[i][1], word);
  return FALSE;
}

GArray *
parse_pills(const char *out)
{
  GArray *pills = g_array_new(FALSE, TRUE, sizeof(Pill));
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    Pill p;
    int used = 0;
    if (sscanf(lines[i], "pill %63s %f %f %f %f %n", p.name, &p.x, &p.y, &p.w, &p.h, &used) == 5 &&
        used > 0) {
      g_strlcpy(p.text, lines[i] + used, sizeof p.text);
      g_array_append_val(pills, p);
    }
  }
  return pills;
}

char *
demo_garden(void)
{
  const char *demo = need_demo();
  return demo ? g_build_filename(demo, "2024-06-01 Garden", NULL) : NULL;
}
