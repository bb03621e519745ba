/* output.c: how the CLI prints photos and errors.
 *
 * One function builds the JSON object of a photo, so `ls --json` and
 * `info --json` cannot drift apart; docs/cli.md documents its keys in the
 * order they are added here. Absent values become null, never 0 or "", so a
 * script can tell "no flash tag" from "flash did not fire".
 *
 * Over 600 lines: the photo's JSON object and its text form, the errors,
 * and the tables and numbers every command prints share these helpers.
 */
#include "cli.h"
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ file names */

static gboolean
is_control(gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* Appends byte @b as a bash $'...' escape body. */
static void
append_escaped_byte(GString *out, guchar b)
{
  switch (b) {
  case '\n':
    g_string_append(out, "\\n");
    break;
  case '\t':
    g_string_append(out, "\\t");
    break;
  case '\r':
    g_string_append(out, "\\r");
    break;
  default:
    g_string_append_printf(out, "\\%03o", b);
  }
}

/**
 * cli_quote_path:
 * @path: file-system bytes
 *
 * The one form every text output (stdout and stderr) gives a file name in:
 * the name itself when it is valid UTF-8 without control characters (the
 * common case, unchanged), else GNU ls's shell-escape quoting: the name in
 * single quotes, each run of control characters or bytes that are not
 * UTF-8 as $'\n' or $'\351' between them. So a newline in a name cannot
 * start a forged line, caf\xe9 and caf\xe8 print differently, and the text
 * pasted into a shell names the file again.
 *
 * Returns: (transfer full): the printable form.
 */
char *
cli_quote_path(const char *path)
{
  gboolean plain = g_utf8_validate(path, -1, NULL);
  for (const char *p = path; plain && *p; p = g_utf8_next_char(p))
    plain = !is_control(g_utf8_get_char(p));
  if (plain)
    return g_strdup(path);
  GString *out = g_string_new("'");
  const char *p = path;
  while (*p) {
    gunichar c = g_utf8_get_char_validated(p, -1);
    gboolean bad = c == (gunichar)-1 || c == (gunichar)-2 || is_control(c);
    if (!bad) {
      const char *next = g_utf8_next_char(p);
      if (*p == '\'')
        g_string_append(out, "'\\''");
      else
        g_string_append_len(out, p, next - p);
      p = next;
      continue;
    }
    /* Close the quote, escape the whole run, reopen. */
    g_string_append(out, "'$'");
    while (*p) {
      c = g_utf8_get_char_validated(p, -1);
      if (c != (gunichar)-1 && c != (gunichar)-2 && !is_control(c))
        break;
      const char *next = c == (gunichar)-1 || c == (gunichar)-2 ? p + 1 : g_utf8_next_char(p);
      for (; p < next; p++)
        append_escaped_byte(out, (guchar)*p);
    }
    g_string_append(out, "''");
  }
  g_string_append_c(out, '\'');
  /* '' around an escape at either end says nothing: drop it, as ls does. */
  if (g_str_has_prefix(out->str, "''"))
    g_string_erase(out, 0, 2);
  if (out->len >= 2 && g_str_has_suffix(out->str, "''"))
    g_string_truncate(out, out->len - 2);
  return g_string_free(out, FALSE);
}

/**
 * cli_escape_text:
 * Returns: (transfer full): @text (a reason, a library message that may
 * quote a file name) on one line: control characters and bytes that are
 * not UTF-8 become \n, \t, \xNN.
 */
char *
cli_escape_text(const char *text)
{
  GString *out = g_string_new(NULL);
  for (const char *p = text; *p;) {
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2 || is_control(c)) {
      const char *next = c == (gunichar)-1 || c == (gunichar)-2 ? p + 1 : g_utf8_next_char(p);
      for (; p < next; p++) {
        if (*p == '\n')
          g_string_append(out, "\\n");
        else if (*p == '\t')
          g_string_append(out, "\\t");
        else
          g_string_append_printf(out, "\\x%02x", (guchar)*p);
      }
      continue;
    }
    const char *next = g_utf8_next_char(p);
    g_string_append_len(out, p, next - p);
    p = next;
  }
  return g_string_free(out, FALSE);
}

void
cli_print_file_error(const char *path, const char *reason)
{
  g_autofree char *display = g_filename_display_name(path);
  /* Reasons recorded by older versions began with the path: say it once. */
  gsize n = strlen(display);
  if (strncmp(reason, display, n) == 0 && reason[n] == ':' && reason[n + 1] == ' ')
    reason += n + 2;
  g_autofree char *quoted = cli_quote_path(path);
  g_autofree char *text = cli_escape_text(reason);
  fprintf(stderr, "derush: %s: %s\n", quoted, text);
}

void
cli_print_error(const char *path, const GError *error)
{
  g_autofree char *display = path ? g_filename_display_name(path) : NULL;
  /* Library messages often name the file already; say it once. */
  if (display && !strstr(error->message, display)) {
    cli_print_file_error(path, error->message);
  } else {
    g_autofree char *text = cli_escape_text(error->message);
    fprintf(stderr, "derush: %s\n", text);
  }
}

void
cli_print_model_error(const GError *error)
{
  if (g_error_matches(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND))
    fprintf(stderr, "derush: %s\n", error->message);
  else
    cli_print_error(NULL, error);
}

/* ------------------------------------------------------------------- JSON */

static void
add_string(JsonBuilder *builder, const char *key, const char *value)
{
  json_builder_set_member_name(builder, key);
  if (value && *value)
    json_builder_add_string_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

/**
 * cli_json_add_path:
 * @path: (nullable): file-system bytes
 *
 * Adds "@key": the path as UTF-8 (null when absent), lossless whenever the
 * name is valid UTF-8 (JSON escapes control characters). Only when it is
 * not, adds "@key_bytes" too: the exact bytes in base64, since the UTF-8
 * form shows the bad bytes as U+FFFD (docs/cli.md).
 */
void
cli_json_add_path(JsonBuilder *builder, const char *key, const char *path)
{
  g_autofree char *display = path ? g_filename_display_name(path) : NULL;
  add_string(builder, key, display);
  if (path && !g_utf8_validate(path, -1, NULL)) {
    g_autofree char *bytes_key = g_strconcat(key, "_bytes", NULL);
    g_autofree char *b64 = g_base64_encode((const guchar *)path, strlen(path));
    add_string(builder, bytes_key, b64);
  }
}

/**
 * cli_json_add_path_array:
 * As cli_json_add_path() for a list: "@key": [UTF-8 forms], and, when any
 * is not valid UTF-8, "@key_bytes": [base64 or null for each].
 */
void
cli_json_add_path_array(JsonBuilder *builder, const char *key, const char *const *paths, gsize n)
{
  gboolean lossy = FALSE;
  json_builder_set_member_name(builder, key);
  json_builder_begin_array(builder);
  for (gsize i = 0; i < n; i++) {
    g_autofree char *display = g_filename_display_name(paths[i]);
    json_builder_add_string_value(builder, display);
    lossy |= !g_utf8_validate(paths[i], -1, NULL);
  }
  json_builder_end_array(builder);
  if (!lossy)
    return;
  g_autofree char *bytes_key = g_strconcat(key, "_bytes", NULL);
  json_builder_set_member_name(builder, bytes_key);
  json_builder_begin_array(builder);
  for (gsize i = 0; i < n; i++) {
    if (g_utf8_validate(paths[i], -1, NULL)) {
      json_builder_add_null_value(builder);
    } else {
      g_autofree char *b64 = g_base64_encode((const guchar *)paths[i], strlen(paths[i]));
      json_builder_add_string_value(builder, b64);
    }
  }
  json_builder_end_array(builder);
}

static void
add_int(JsonBuilder *builder, const char *key, gint64 value, gboolean present)
{
  json_builder_set_member_name(builder, key);
  if (present)
    json_builder_add_int_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

void
cli_json_add_double(JsonBuilder *builder, const char *key, double value)
{
  json_builder_set_member_name(builder, key);
  /* JSON has no NaN or Infinity; the library's "absent" is NaN. */
  if (isfinite(value))
    json_builder_add_double_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

void
cli_json_add_ints(JsonBuilder *builder, const CliJsonInt *ints, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    json_builder_set_member_name(builder, ints[i].key);
    json_builder_add_int_value(builder, ints[i].value);
  }
}

JsonBuilder *
cli_json_summary_new(const CliJsonInt *ints, gsize n, double seconds)
{
  JsonBuilder *builder = json_builder_new();
  json_builder_begin_object(builder);
  cli_json_add_ints(builder, ints, n);
  cli_json_add_double(builder, "seconds", seconds);
  return builder;
}

void
cli_json_summary_print(JsonBuilder *builder)
{
  json_builder_end_object(builder);
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  cli_print_json(stdout, root);
  g_object_unref(builder);
}

JsonNode *
cli_photo_to_json(const DerushPhoto *photo)
{
  const DerushMeta *meta = &photo->meta;
  g_autoptr(JsonBuilder) builder = json_builder_new();
  json_builder_begin_object(builder);

  cli_json_add_path(builder, "path", photo->path);
  g_autofree char *uri = g_filename_to_uri(photo->path, NULL, NULL);
  add_string(builder, "uri", uri);
  add_string(builder, "status", derush_photo_status_name(photo->status));
  add_string(builder, "reason", photo->reason);
  add_string(builder, "format", photo->format);
  add_string(builder, "raw_format", photo->raw_format);
  add_int(builder, "width", photo->width, photo->width > 0);
  add_int(builder, "height", photo->height, photo->height > 0);
  add_int(builder, "orientation", meta->orientation, meta->has_orientation);

  g_autofree char *capture_time = derush_format_capture_time(
      meta->capture_time_ns, meta->has_offset, meta->offset_minutes, meta->time_source);
  add_string(builder, "capture_time", capture_time);
  add_int(builder, "capture_time_ns", meta->capture_time_ns, meta->time_source != DERUSH_TIME_NONE);
  add_string(builder, "time_source", derush_time_source_name(meta->time_source));

  add_string(builder, "make", meta->make);
  add_string(builder, "model", meta->model);
  add_string(builder, "lens", meta->lens);
  /* ISO is a whole number in practice; print 400, not 400.0. */
  if (isfinite(meta->iso) && meta->iso == floor(meta->iso) && fabs(meta->iso) < 1e15)
    add_int(builder, "iso", (gint64)meta->iso, TRUE);
  else
    cli_json_add_double(builder, "iso", meta->iso);
  cli_json_add_double(builder, "exposure_time", meta->exposure_time);
  cli_json_add_double(builder, "f_number", meta->f_number);
  cli_json_add_double(builder, "focal_length_mm", meta->focal_length_mm);
  cli_json_add_double(builder, "focal_length_35mm", meta->focal_length_35mm);
  add_int(builder, "flash", meta->flash, meta->flash >= 0);
  cli_json_add_double(builder, "exposure_bias", meta->exposure_bias);
  cli_json_add_double(builder, "gps_lat", meta->gps_lat);
  cli_json_add_double(builder, "gps_lon", meta->gps_lon);
  add_int(builder, "xmp_rating", meta->rating, meta->has_rating);

  add_int(builder, "size", photo->size, photo->size >= 0);
  add_int(builder, "mtime_ns", photo->mtime_ns, TRUE);
  g_autofree char *hash = photo->content_hash
                              ? g_strdup_printf("%016" G_GINT64_MODIFIER "x", photo->content_hash)
                              : NULL;
  add_string(builder, "content_hash", hash);
  cli_json_add_path(builder, "pair", photo->pair_path);
  add_string(builder, "label", derush_label_name(photo->label));
  add_int(builder, "stars", photo->stars, TRUE);
  add_string(builder, "label_source",
             photo->labelled ? derush_label_source_name(photo->label_source) : NULL);

  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

/* Shortest text that reads back as the same double: "0.005", not
 * JsonGenerator's "0.0050000000000000001" (json-glib 1.6 always prints 17
 * significant digits). A whole value keeps ".0" so its JSON type stays a
 * float, as JsonGenerator does. */
static void
append_double(GString *text, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int precision = 15; precision <= 17; precision++) {
    char format[8];
    g_snprintf(format, sizeof format, "%%.%dg", precision);
    g_ascii_formatd(buf, sizeof buf, format, value);
    if (g_ascii_strtod(buf, NULL) == value)
      break;
  }
  g_string_append(text, buf);
  if (!strpbrk(buf, ".eE"))
    g_string_append(text, ".0");
}

static void
append_string(GString *text, const char *value)
{
  g_string_append_c(text, '"');
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf(text, "\\%c", *p);
    else if (*p == '\n')
      g_string_append(text, "\\n");
    else if (*p == '\t')
      g_string_append(text, "\\t");
    else if (*p < 0x20 || *p == 0x7f)
      g_string_append_printf(text, "\\u%04x", *p);
    else
      g_string_append_c(text, (char)*p);
  }
  g_string_append_c(text, '"');
}

static void
append_node(GString *text, JsonNode *node)
{
  switch (json_node_get_node_type(node)) {
  case JSON_NODE_NULL:
    g_string_append(text, "null");
    break;
  case JSON_NODE_OBJECT: {
    JsonObject *object = json_node_get_object(node);
    /* get_members() keeps insertion order: the documented key order. */
    g_autoptr(GList) members = json_object_get_members(object);
    g_string_append_c(text, '{');
    for (GList *l = members; l; l = l->next) {
      if (l != members)
        g_string_append_c(text, ',');
      append_string(text, l->data);
      g_string_append_c(text, ':');
      append_node(text, json_object_get_member(object, l->data));
    }
    g_string_append_c(text, '}');
    break;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *array = json_node_get_array(node);
    g_string_append_c(text, '[');
    for (guint i = 0; i < json_array_get_length(array); i++) {
      if (i > 0)
        g_string_append_c(text, ',');
      append_node(text, json_array_get_element(array, i));
    }
    g_string_append_c(text, ']');
    break;
  }
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type(node)) {
    case G_TYPE_INT64:
      g_string_append_printf(text, "%" G_GINT64_FORMAT, json_node_get_int(node));
      break;
    case G_TYPE_DOUBLE:
      append_double(text, json_node_get_double(node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append(text, json_node_get_boolean(node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      append_string(text, json_node_get_string(node));
      break;
    default:
      g_assert_not_reached();
    }
    break;
  }
}

/**
 * cli_print_json:
 * Writes @node as one compact line. The tree comes from JsonBuilder; only
 * the text is made here, so that doubles print in their shortest exact form
 * (exposure_time 0.005, f_number 7.1) for people reading --json as well.
 */
void
cli_print_json(FILE *out, JsonNode *node)
{
  g_autoptr(GString) text = g_string_new(NULL);
  append_node(text, node);
  g_string_append_c(text, '\n');
  fwrite(text->str, 1, text->len, out);
}

/* ------------------------------------------------------------------- text */

/* Appends @text padded or cut to @width characters (not bytes: camera names
 * and paths may be UTF-8). */
static void
append_column(GString *line, const char *text, int width)
{
  glong chars = g_utf8_strlen(text, -1);
  if (chars > width) {
    const char *end = g_utf8_offset_to_pointer(text, width - 1);
    g_string_append_len(line, text, end - text);
    g_string_append(line, "…");
  } else {
    g_string_append(line, text);
    for (glong i = chars; i < width; i++)
      g_string_append_c(line, ' ');
  }
  g_string_append_c(line, ' ');
}

/* The camera's wall clock as "YYYY-MM-DD HH:MM:SS" (what the photographer
 * saw), computed from the int64: no date strings are parsed after a scan. */
static char *
wall_clock_text(const DerushMeta *meta)
{
  if (meta->time_source == DERUSH_TIME_NONE)
    return NULL;
  gint64 ns = meta->capture_time_ns;
  gint64 seconds = ns / G_GINT64_CONSTANT(1000000000);
  if (ns % G_GINT64_CONSTANT(1000000000) < 0)
    seconds--; /* floor, for times before 1970 */
  if (meta->has_offset)
    seconds += (gint64)meta->offset_minutes * 60;
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc(seconds);
  return time ? g_date_time_format(time, "%Y-%m-%d %H:%M:%S") : NULL;
}

void
cli_print_photo_line(FILE *out, const DerushPhoto *photo)
{
  g_autoptr(GString) line = g_string_new(NULL);
  append_column(line, derush_photo_status_name(photo->status), 10);
  g_autofree char *dims = photo->width > 0 && photo->height > 0
                              ? g_strdup_printf("%dx%d", photo->width, photo->height)
                              : g_strdup("-");
  append_column(line, dims, 11);
  g_autofree char *when = wall_clock_text(&photo->meta);
  append_column(line, when ? when : "-", 19);
  g_autofree char *camera = derush_meta_camera_name(&photo->meta);
  append_column(line, camera ? camera : "-", 24);
  g_autofree char *path = cli_quote_path(photo->path);
  g_string_append(line, path);
  if (photo->reason) {
    g_autofree char *reason = cli_escape_text(photo->reason);
    g_string_append_printf(line, " (%s)", reason);
  }
  g_string_append_c(line, '\n');
  fputs(line->str, out);
}

static void
print_field(FILE *out, const char *key, const char *value)
{
  g_autofree char *label = g_strconcat(key, ":", NULL);
  fprintf(out, "%-16s %s\n", label, value && *value ? value : "-");
}

/* Rounds to one decimal and drops a trailing ".0": f/2.8, f/11, 50 mm. */
static char *
one_decimal(double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.10g", round(value * 10) / 10));
}

static char *
exposure_text(double seconds)
{
  if (!isfinite(seconds) || seconds <= 0)
    return NULL;
  /* Cameras use reciprocal speeds below a quarter second (1/250 s) and
   * decimals above (0.3 s, 2.5 s, 30 s). */
  if (seconds < 0.25)
    return g_strdup_printf("1/%.0f s", round(1 / seconds));
  g_autofree char *value = g_strdup_printf("%.10g", round(seconds * 100) / 100);
  return g_strdup_printf("%s s", value);
}

static char *
focal_text(const DerushMeta *meta)
{
  g_autoptr(GString) text = g_string_new(NULL);
  if (isfinite(meta->focal_length_mm)) {
    g_autofree char *mm = one_decimal(meta->focal_length_mm);
    g_string_append_printf(text, "%s mm", mm);
  }
  if (isfinite(meta->focal_length_35mm)) {
    g_autofree char *eq = one_decimal(meta->focal_length_35mm);
    g_string_append_printf(text, "%s(%s mm eq.)", text->len ? " " : "", eq);
  }
  return text->len ? g_string_free(g_steal_pointer(&text), FALSE) : NULL;
}

static const char *
orientation_meaning(int orientation)
{
  /* What the EXIF value asks a viewer to do to show the photo upright. */
  static const char *const meanings[] = {
      NULL,
      "normal",
      "mirror horizontally",
      "rotate 180°",
      "mirror vertically",
      "mirror horizontally, rotate 270° CW",
      "rotate 90° CW",
      "mirror horizontally, rotate 90° CW",
      "rotate 270° CW",
  };
  return orientation >= 1 && orientation <= 8 ? meanings[orientation] : "invalid";
}

static char *
mtime_text(gint64 mtime_ns)
{
  gint64 seconds = mtime_ns / G_GINT64_CONSTANT(1000000000);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(seconds);
  return time ? g_date_time_format(time, "%Y-%m-%d %H:%M:%S %z") : NULL;
}

void
cli_print_photo_text(FILE *out, const DerushPhoto *photo)
{
  const DerushMeta *meta = &photo->meta;
  g_autofree char *path = cli_quote_path(photo->path);
  print_field(out, "Path", path);
  print_field(out, "Status", derush_photo_status_name(photo->status));
  g_autofree char *reason = photo->reason ? cli_escape_text(photo->reason) : NULL;
  print_field(out, "Reason", reason);

  g_autofree char *format =
      photo->raw_format && *photo->raw_format
          ? g_strdup_printf("%s (%s)", photo->format ? photo->format : "raw", photo->raw_format)
          : g_strdup(photo->format);
  print_field(out, "Format", format);
  g_autofree char *dims = photo->width > 0 && photo->height > 0
                              ? g_strdup_printf("%d x %d", photo->width, photo->height)
                              : NULL;
  print_field(out, "Dimensions", dims);
  g_autofree char *orientation =
      meta->has_orientation
          ? g_strdup_printf("%d (%s)", meta->orientation, orientation_meaning(meta->orientation))
          : NULL;
  print_field(out, "Orientation", orientation);

  g_autofree char *capture_time = derush_format_capture_time(
      meta->capture_time_ns, meta->has_offset, meta->offset_minutes, meta->time_source);
  g_autofree char *captured =
      capture_time ? g_strdup_printf("%s%s", capture_time,
                                     meta->has_offset ? "" : " (camera clock, no time zone)")
                   : NULL;
  print_field(out, "Captured", captured);
  print_field(out, "Time source", derush_time_source_name(meta->time_source));

  g_autofree char *camera = derush_meta_camera_name(meta);
  print_field(out, "Camera", camera);
  print_field(out, "Make", meta->make);
  print_field(out, "Model", meta->model);
  print_field(out, "Lens", meta->lens);
  g_autofree char *iso = isfinite(meta->iso) ? g_strdup_printf("ISO %g", meta->iso) : NULL;
  print_field(out, "ISO", iso);
  g_autofree char *exposure = exposure_text(meta->exposure_time);
  print_field(out, "Exposure", exposure);
  g_autofree char *f_number = isfinite(meta->f_number) ? one_decimal(meta->f_number) : NULL;
  g_autofree char *aperture = f_number ? g_strdup_printf("f/%s", f_number) : NULL;
  print_field(out, "Aperture", aperture);
  g_autofree char *focal = focal_text(meta);
  print_field(out, "Focal length", focal);
  g_autofree char *flash =
      meta->flash >= 0
          ? g_strdup_printf("%d (%s)", meta->flash, meta->flash & 1 ? "fired" : "did not fire")
          : NULL;
  print_field(out, "Flash", flash);
  g_autofree char *bias = NULL;
  if (isfinite(meta->exposure_bias))
    bias = fabs(meta->exposure_bias) < 0.05 ? g_strdup("0 EV")
                                            : g_strdup_printf("%+.1f EV", meta->exposure_bias);
  print_field(out, "Exposure bias", bias);
  g_autofree char *gps = isfinite(meta->gps_lat) && isfinite(meta->gps_lon)
                             ? g_strdup_printf("%.6f° %c, %.6f° %c", fabs(meta->gps_lat),
                                               meta->gps_lat < 0 ? 'S' : 'N', fabs(meta->gps_lon),
                                               meta->gps_lon < 0 ? 'W' : 'E')
                             : NULL;
  print_field(out, "GPS", gps);
  g_autofree char *rating =
      meta->has_rating
          ? g_strdup_printf("%d%s", meta->rating, meta->rating < 0 ? " (rejected)" : "")
          : NULL;
  print_field(out, "XMP rating", rating);

  g_autofree char *size_human = photo->size >= 0 ? g_format_size((guint64)photo->size) : NULL;
  g_autofree char *size =
      size_human ? g_strdup_printf("%s (%" G_GINT64_FORMAT " bytes)", size_human, photo->size)
                 : NULL;
  print_field(out, "File size", size);
  g_autofree char *mtime = mtime_text(photo->mtime_ns);
  print_field(out, "Modified", mtime);
  g_autofree char *hash = photo->content_hash
                              ? g_strdup_printf("%016" G_GINT64_MODIFIER "x", photo->content_hash)
                              : NULL;
  print_field(out, "Content hash", hash);
  g_autofree char *pair = photo->pair_path ? cli_quote_path(photo->pair_path) : NULL;
  print_field(out, "Pair", pair);
  g_autofree char *decision =
      photo->labelled ? g_strdup_printf("%s, %d star%s (by %s)", derush_label_name(photo->label),
                                        photo->stars, photo->stars == 1 ? "" : "s",
                                        derush_label_source_name(photo->label_source))
                      : g_strdup("none");
  print_field(out, "Decision", decision);
}
