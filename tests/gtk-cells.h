/* gtk-cells.h: what derush-gtk's replay says about its grid cells, parsed
 * for the GUI tests (print-cell-texts, print-cells). */
#ifndef DERUSH_GTK_CELLS_H
#define DERUSH_GTK_CELLS_H

#include "gtk-harness.h"

/* One "cell POS|NAME|group G|best B|relation R|badge ...|header ...|warning
 * ...|sharpness ..." line of print-cell-texts. */
typedef struct {
  guint pos;
  char *name;
  gint64 group;
  gboolean best;
  char *relation;
  char *badge, *header, *warning, *sharpness;
} Cell;

/* The print-cell-texts lines of @out, in order (element-type Cell). */
GPtrArray *parse_cells(const char *out);

/* The word of a full badge ("Copy" of "Copy · 3"). (transfer full) */
char *badge_word(const char *badge);
/* @word is what a badge should call @c: the group's kind ("Burst",
 * "Duplicates") on the best pick, else its relation to it ("Copy" for an
 * exact copy, "Edited", "Burst", "Scene"); or, for a narrow cell, a
 * shorter form of it ("Dups" for "Duplicates", or the first letter). */
gboolean badge_names(const Cell *c, const char *word);

/* One "pill NAME X Y W H TEXT" line of print-cells. */
typedef struct {
  char name[64];
  float x, y, w, h;
  char text[64];
} Pill;

/* The pills of @out (element-type Pill). */
GArray *parse_pills(const char *out);

/* The demo shoot's garden (77 photos: bursts, near-duplicates, soft and
 * badly exposed frames), or NULL when the test skips. (transfer full) */
char *demo_garden(void);

#endif
