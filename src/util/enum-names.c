/* enum-names.c: the one lookup between small enums and their stable names
 * (labels, label sources, sidecar styles, group kinds): each area keeps
 * only its table, indexed by the enum. */
#include "derush-private.h"

/**
 * _derush_enum_name:
 * @names: (array length=n_names): the names, indexed by value
 * @n_names: how many
 * @value: an enum value
 * @fallback: (nullable): for a value outside the table
 *
 * Returns: (transfer none) (nullable): the name of @value, or @fallback.
 */
const char *
_derush_enum_name(const char *const *names, guint n_names, int value, const char *fallback)
{
  return value >= 0 && (guint)value < n_names ? names[value] : fallback;
}

/**
 * _derush_enum_from_name:
 * @names: (array length=n_names): the names, indexed by value
 * @n_names: how many
 * @name: (nullable): a name, as typed
 * @ignore_case: compare ASCII letters regardless of case
 * @value: (out): the value named
 *
 * Returns: FALSE (and @value untouched) when no entry is @name.
 */
gboolean
_derush_enum_from_name(const char *const *names, guint n_names, const char *name,
                       gboolean ignore_case, int *value)
{
  if (!name)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    if (ignore_case ? g_ascii_strcasecmp(name, names[i]) == 0 : strcmp(name, names[i]) == 0) {
      *value = (int)i;
      return TRUE;
    }
  return FALSE;
}
