/* camera-name.c: the camera as a photographer names it, from EXIF Make and Model.
 *
 * Cameras write Make as a company name ("NIKON CORPORATION", "OLYMPUS
 * IMAGING CORP.", "EASTMAN KODAK COMPANY") and often repeat the brand in
 * Model ("NIKON D40", "Canon EOS 5D"); shown side by side they read
 * "NIKON CORPORATION NIKON D40". The app and the CLI both show the brand
 * once, in its usual spelling: "Nikon D40", "Canon EOS 5D".
 */
#include "derush.h"
#include <string.h>

/* Company names as cameras write them (upper-cased prefix) and the brand. */
static const struct {
  const char *prefix;
  const char *brand;
} known_makes[] = {
    {"NIKON", "Nikon"},
    {"CANON", "Canon"},
    {"OLYMPUS", "Olympus"},
    {"OM DIGITAL", "OM System"},
    {"SONY", "Sony"},
    {"FUJIFILM", "Fujifilm"},
    {"FUJI PHOTO", "Fujifilm"},
    {"EASTMAN KODAK", "Kodak"},
    {"KODAK", "Kodak"},
    {"PANASONIC", "Panasonic"},
    {"PENTAX", "Pentax"},
    {"RICOH", "Ricoh"},
    {"SAMSUNG", "Samsung"},
    {"KONICA MINOLTA", "Konica Minolta"},
    {"MINOLTA", "Minolta"},
    {"CASIO", "Casio"},
    {"LEICA", "Leica"},
    {"SIGMA", "Sigma"},
    {"HASSELBLAD", "Hasselblad"},
    {"LG ELECTRONICS", "LG"},
    {"HUAWEI", "Huawei"},
    {"XIAOMI", "Xiaomi"},
    {"APPLE", "Apple"},
    {"GOOGLE", "Google"},
    {"MOTOROLA", "Motorola"},
    {"HTC", "HTC"},
    {"DJI", "DJI"},
    {"GOPRO", "GoPro"},
    {"PHASE ONE", "Phase One"},
};

/* Words companies add to the brand, dropped from an unknown Make. */
static const char *const company_words[] = {
    "CORPORATION", "CORP", "CORP.",   "CO.",     "CO",   "LTD", "LTD.", "CO.,LTD.", "CO.,LTD",
    "INC",         "INC.", "IMAGING", "COMPANY", "GMBH", "AG",  "S.A.", "LIMITED",  NULL,
};

static gboolean
is_company_word(const char *word)
{
  for (int i = 0; company_words[i]; i++)
    if (g_ascii_strcasecmp(word, company_words[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The brand of @make: a known company's usual spelling, else @make without
 * its company words (and trailing commas). */
static char *
brand_of(const char *make)
{
  g_autofree char *upper = g_ascii_strup(make, -1);
  for (gsize i = 0; i < G_N_ELEMENTS(known_makes); i++)
    if (g_str_has_prefix(upper, known_makes[i].prefix))
      return g_strdup(known_makes[i].brand);
  g_auto(GStrv) words = g_strsplit(make, " ", -1);
  GString *brand = g_string_new(NULL);
  for (int i = 0; words[i]; i++) {
    g_strchomp(g_strdelimit(words[i], ",", ' '));
    if (!*words[i] || (i > 0 && is_company_word(words[i])))
      continue;
    if (brand->len)
      g_string_append_c(brand, ' ');
    g_string_append(brand, words[i]);
  }
  return g_string_free(brand, FALSE);
}

/* @model without a leading @word (case-insensitive, whole word), or NULL. */
static const char *
skip_leading_word(const char *model, const char *word)
{
  gsize n = strlen(word);
  if (n == 0 || g_ascii_strncasecmp(model, word, n) != 0)
    return NULL;
  const char *rest = model + n;
  if (*rest != ' ' && *rest != '_')
    return NULL;
  while (*rest == ' ' || *rest == '_')
    rest++;
  return *rest ? rest : NULL;
}

/**
 * derush_meta_camera_name:
 * @meta: a photo's metadata.
 *
 * The camera as a photographer names it: the brand once, in its usual
 * spelling, then the model without the brand it may repeat ("NIKON
 * CORPORATION" + "NIKON D40" -> "Nikon D40"; "Canon" + "Canon EOS 5D" ->
 * "Canon EOS 5D"; "OLYMPUS IMAGING CORP." + "E-M5" -> "Olympus E-M5").
 * The app's side panel and `derush info` show this; `--json` output keeps
 * Make and Model as the file has them.
 *
 * Returns: (transfer full) (nullable): the name, NULL when the file names
 * neither make nor model.
 */
char *
derush_meta_camera_name(const DerushMeta *meta)
{
  g_return_val_if_fail(meta != NULL, NULL);
  const char *make = meta->make && *meta->make ? meta->make : NULL;
  const char *model = meta->model && *meta->model ? meta->model : NULL;
  if (!make)
    return g_strdup(model);
  g_autofree char *brand = brand_of(make);
  if (!model)
    return g_steal_pointer(&brand);
  /* The model may repeat the brand, the make's first word or the whole make. */
  g_autofree char *make_word = g_strdup(make);
  char *space = strchr(make_word, ' ');
  if (space)
    *space = '\0';
  const char *rest = skip_leading_word(model, make);
  if (!rest)
    rest = skip_leading_word(model, brand);
  if (!rest)
    rest = skip_leading_word(model, make_word);
  if (!rest && g_ascii_strcasecmp(model, brand) == 0)
    return g_steal_pointer(&brand);
  return g_strdup_printf("%s %s", brand, rest ? rest : model);
}
