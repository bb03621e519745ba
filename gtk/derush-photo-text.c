/* derush-photo-text.c: what the app says about a photo, in a photographer's words.
 *
 * The grid's badges, the group headers of the "By Group" sort, the side
 * panel and the compare captions all describe groups, warnings and
 * sharpness; they take their words from here, so a burst reads "Burst"
 * everywhere and a number never stands alone.
 *
 * Sharpness is a log-variance whose scale means nothing to a photographer
 * ("Sharpness 1.53"): it is said as a word and as a rank in the folder
 * ("Sharp · sharper than 82% of this folder").
 */
#include "derush-photo-text.h"
#include <math.h>

/**
 * derush_group_kind_title:
 * Returns: (transfer none): the kind of group as a title: "Burst",
 *   "Duplicates", "Session".
 */
const char *
derush_group_kind_title(DerushGroupKind kind)
{
  switch (kind) {
  case DERUSH_GROUP_BURST:
    return "Burst";
  case DERUSH_GROUP_NEAR_DUP:
    return "Duplicates";
  case DERUSH_GROUP_SESSION:
    return "Session";
  }
  return "Group";
}

/* What the cell's badge calls the photo: the best pick stands for its
 * group, so it gives the group's kind ("Burst", "Duplicates"); any other
 * member gives what it is to the best pick, the decision it calls for (a
 * copy goes, a burst frame loses to the best, a scene shot may stay).
 * @form: 0 the word, 1 a shorter word, 2 one letter. */
static const char *
badge_word(const DerushPhotoAnalysis *a, int form)
{
  static const char *const words[][3] = {
      [DERUSH_RELATION_EXACT] = {"Copy", "Copy", "C"},
      [DERUSH_RELATION_EDITED] = {"Edited", "Edited", "E"},
      [DERUSH_RELATION_BURST] = {"Burst", "Burst", "B"},
      [DERUSH_RELATION_SCENE] = {"Scene", "Scene", "S"},
  };
  if (!a->is_best && a->relation != DERUSH_RELATION_BEST &&
      (guint)a->relation < G_N_ELEMENTS(words) && words[a->relation][0])
    return words[a->relation][form];
  if (a->group_kind == DERUSH_GROUP_NEAR_DUP)
    return form == 0 ? "Duplicates" : form == 1 ? "Dups" : "D";
  if (a->group_kind == DERUSH_GROUP_BURST)
    return form == 2 ? "B" : "Burst";
  return form == 2 ? "G" : derush_group_kind_title(a->group_kind);
}

/**
 * derush_photo_text_group_badge:
 * @a: a photo's analysis.
 * @form: 0 for the full badge, 1 and 2 for the shorter ones a narrow cell
 *   falls back to.
 *
 * The grid cell's badge: what the photo is in its group and how many
 * photos the group has in view ("Burst · 6" on a burst's best pick, "Copy ·
 * 3", "Edited · 3", "Burst · 6", "Scene · 3" on the others, as the header
 * "Burst · 6 photos" counts them). Narrow cells (a portrait photo in the
 * smallest cells) take the word alone (form 1: "Copy", "Dups"), then its
 * letter (form 2: "C"): the kind stays named, never a bare "×3".
 *
 * Returns: (transfer full) (nullable): NULL when the photo is in no group.
 */
char *
derush_photo_text_group_badge(const DerushPhotoAnalysis *a, int form)
{
  if (!a->group_id || a->group_size < 2)
    return NULL;
  form = CLAMP(form, 0, 2);
  if (form == 0)
    return g_strdup_printf("%s · %u", badge_word(a, 0), a->group_size);
  return g_strdup(badge_word(a, form));
}

/**
 * derush_photo_text_group_header:
 * @a: a photo's analysis.
 *
 * The header drawn over a group's first cell in the "By Group" sort
 * ("Burst · 6 photos").
 *
 * Returns: (transfer full) (nullable): NULL when the photo is in no group.
 */
char *
derush_photo_text_group_header(const DerushPhotoAnalysis *a)
{
  if (!a->group_id || a->group_size < 2)
    return NULL;
  return g_strdup_printf("%s · %u photos", derush_group_kind_title(a->group_kind), a->group_size);
}

/**
 * derush_photo_text_warning:
 * Returns: (transfer none) (nullable): the photo's technical warning in
 *   one word ("Dark", "Bright", "Soft", "Noisy"), exposure first; the
 *   soft and noisy verdicts are the library's (derush_soft_warning_init()),
 *   a lone photo's included.
 */
const char *
derush_photo_text_warning(const DerushPhotoAnalysis *a)
{
  return a->exposure == DERUSH_EXPOSURE_UNDER  ? "Dark"
         : a->exposure == DERUSH_EXPOSURE_OVER ? "Bright"
         : a->soft.soft                        ? "Soft"
         : a->soft.noisy                       ? "Noisy"
                                               : NULL;
}

/**
 * derush_photo_text_soft:
 * @a: a photo's analysis.
 *
 * The focus and grain warnings in a sentence, with how sure the lone
 * judgement is: "⚠ soft (certain, 99%) and much softer than the best
 * pick", "⚠ soft on its own (likely, 84%)", "⚠ much softer than the best
 * pick", then "⚠ noisy (likely, 80%)" on a line of its own.
 *
 * Returns: (transfer full) (nullable): NULL when neither is flagged.
 */
char *
derush_photo_text_soft(const DerushPhotoAnalysis *a)
{
  const DerushSoftWarning *w = &a->soft;
  GString *text = g_string_new(NULL);
  if (w->alone)
    g_string_append_printf(text, "⚠ soft%s (%s, %.0f%%)%s", w->vs_group ? "" : " on its own",
                           derush_soft_warning_sureness(w->soft_confidence),
                           100 * w->soft_confidence,
                           w->vs_group ? " and much softer than the best pick" : "");
  else if (w->vs_group)
    g_string_append(text, "⚠ much softer than the best pick");
  if (w->noisy)
    g_string_append_printf(text, "%s⚠ noisy (%s, %.0f%%)", text->len ? "\n" : "",
                           derush_soft_warning_sureness(w->noisy_confidence),
                           100 * w->noisy_confidence);
  if (text->len == 0) {
    g_string_free(text, TRUE);
    return NULL;
  }
  return g_string_free(text, FALSE);
}

/**
 * derush_sharpness_word:
 * @rank: the photo's sharpness rank in its folder, 0..1 (1: the sharpest).
 * @soft: the analysis flagged the photo soft.
 *
 * Returns: (transfer none): "Soft" when flagged, else a word for the rank:
 *   "Sharp" (top quarter), "Average", "Below average" (bottom quarter).
 */
const char *
derush_sharpness_word(double rank, gboolean soft)
{
  if (soft)
    return "Soft";
  if (isnan(rank))
    return "Unknown";
  return rank >= 0.75 ? "Sharp" : rank >= 0.25 ? "Average" : "Below average";
}

/**
 * derush_photo_text_sharpness:
 * @item: a photo.
 *
 * Its sharpness as a word and a percentile of the folder ("Sharp ·
 * sharper than 82% of this folder").
 *
 * Returns: (transfer full) (nullable): NULL before the analysis.
 */
char *
derush_photo_text_sharpness(DerushPhotoItem *item)
{
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  double rank = derush_photo_item_get_sharpness_rank(item);
  if (isnan(a->sharpness) || isnan(rank))
    return NULL;
  const char *word = derush_sharpness_word(rank, a->soft.soft);
  int percent = (int)floor(rank * 100 + 0.5);
  if (percent >= 100)
    return g_strdup_printf("%s · the sharpest of this folder", word);
  if (percent <= 0)
    return g_strdup_printf("%s · the least sharp of this folder", word);
  return g_strdup_printf("%s · sharper than %d%% of this folder", word, percent);
}

/**
 * derush_text_label_change:
 * @label: the label that was set (or taken away).
 * @stars: the stars that were set.
 * @label_changed: the change was to the label (else to the stars).
 * @n_photos: how many photos the change touched.
 * @name: (nullable): the photo's name when there is one.
 *
 * A decision in a few words, for the undo and redo toasts: "Trash on
 * IMG_0042.JPG", "3 stars on 4 photos", "Unlabelled on IMG_0042.JPG".
 *
 * Returns: (transfer full): the text.
 */
char *
derush_text_label_change(DerushLabel label, int stars, gboolean label_changed, guint n_photos,
                         const char *name)
{
  g_autofree char *what = NULL;
  if (label_changed)
    what = g_strdup(label == DERUSH_LABEL_KEEP    ? "Keep"
                    : label == DERUSH_LABEL_TRASH ? "Trash"
                                                  : "Unlabel");
  else if (stars > 0)
    what = g_strdup_printf("%d star%s", stars, stars == 1 ? "" : "s");
  else
    what = g_strdup("No stars");
  if (n_photos == 1 && name)
    return g_strdup_printf("%s on %s", what, name);
  return g_strdup_printf("%s on %u photos", what, n_photos);
}

/**
 * derush_group_at:
 * @model: the grid's items, in the order shown.
 * @pos: a position in @model.
 *
 * Returns: the group of the photo at @pos when it has other members in
 *   view, else 0 (a photo in no group, a spacer, past the end).
 */
gint64
derush_group_at(GListModel *model, guint pos)
{
  g_autoptr(GObject) item = g_list_model_get_item(model, pos);
  if (!item || !DERUSH_IS_PHOTO_ITEM(item))
    return 0;
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(DERUSH_PHOTO_ITEM(item));
  return a->group_size >= 2 ? a->group_id : 0;
}

/**
 * derush_group_place_at:
 * @model: the grid's photos, in the order shown.
 * @pos: a position in @model.
 *
 * Where the photo at @pos stands in the run of its group in @model, for the
 * header line of the "By Group" sort.
 *
 * Returns: 0 when the photo is in no group, else DERUSH_GROUP_PLACE_IN,
 *   with the FIRST and LAST bits set when its neighbours are not in it.
 */
guint
derush_group_place_at(GListModel *model, guint pos)
{
  gint64 group = derush_group_at(model, pos);
  if (!group)
    return 0;
  guint place = DERUSH_GROUP_PLACE_IN;
  if (pos == 0 || derush_group_at(model, pos - 1) != group)
    place |= DERUSH_GROUP_PLACE_FIRST;
  if (derush_group_at(model, pos + 1) != group)
    place |= DERUSH_GROUP_PLACE_LAST;
  return place;
}

/**
 * derush_group_header_at:
 * @model: the grid's photos, in the order shown.
 * @pos: a position in @model.
 *
 * Returns: (transfer full) (nullable): the header over the first photo of a
 *   group's run ("Burst · 6 photos"), NULL anywhere else.
 */
char *
derush_group_header_at(GListModel *model, guint pos)
{
  if (!(derush_group_place_at(model, pos) & DERUSH_GROUP_PLACE_FIRST))
    return NULL;
  g_autoptr(DerushPhotoItem) item = g_list_model_get_item(model, pos);
  return derush_photo_text_group_header(derush_photo_item_get_analysis(item));
}

/**
 * derush_relation_phrase:
 * Returns: (transfer none): what a member is to its group's best pick, as
 *   a phrase: "the best pick", "an exact copy of the best pick", "an edited
 *   copy of the best pick" (resized, re-encoded, cropped...), "another
 *   frame of the burst", "another shot of the scene".
 */
const char *
derush_relation_phrase(DerushRelation relation)
{
  switch (relation) {
  case DERUSH_RELATION_BEST:
    return "the best pick";
  case DERUSH_RELATION_EXACT:
    return "an exact copy of the best pick";
  case DERUSH_RELATION_EDITED:
    return "an edited copy of the best pick";
  case DERUSH_RELATION_BURST:
    return "another frame of the burst";
  case DERUSH_RELATION_SCENE:
    return "another shot of the scene";
  }
  return "in the group";
}

/**
 * derush_photo_text_best:
 * @item: the current photo.
 * @best: (nullable): its group's best pick, NULL when @item is it.
 *
 * The side panel's line under the group: the best pick, why it won, and
 * what @item is to it ("★ Best pick: IMG_0042.JPG (full resolution, less
 * compressed)\nThis one is an edited copy of the best pick").
 *
 * Returns: (transfer full): the text.
 */
char *
derush_photo_text_best(DerushPhotoItem *item, DerushPhotoItem *best)
{
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  /* The model's p(keep) once one is trained on the photographer's labels
   * (group/best-pick.c), else the library's fidelity and quality reason. */
  const char *reason = a->best_by == DERUSH_BEST_BY_MODEL ? "by your taste (the model's p(keep))"
                       : a->best_reason                   ? a->best_reason
                                                          : "by sharpness and exposure";
  if (!best)
    return reason ? g_strdup_printf("★ This is the best pick: %s", reason)
                  : g_strdup("★ This is the best pick");
  g_autofree char *why = reason ? g_strdup_printf(" (%s)", reason) : g_strdup("");
  if (!a->group_id)
    return g_strdup_printf("★ Best pick: %s%s", derush_photo_item_get_display_name(best), why);
  return g_strdup_printf("★ Best pick: %s%s\nThis one is %s",
                         derush_photo_item_get_display_name(best), why,
                         derush_relation_phrase(a->relation));
}
