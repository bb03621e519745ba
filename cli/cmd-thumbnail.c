/* cmd-thumbnail.c: `derush thumbnail`: the picture the app would show. */
#include "cli.h"

#define THUMB_MIN_SIZE 16
#define THUMB_MAX_SIZE 4096
#define THUMB_DEFAULT_SIZE 256

int
cli_cmd_thumbnail(CliContext *ctx, int argc, char **argv)
{
  int size = THUMB_DEFAULT_SIZE;
  g_autofree char *out = NULL;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
      {"size", 's', 0, G_OPTION_ARG_INT, &size, "Long edge in pixels, 16 to 4096 (default 256)",
       "N"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
       "Where to write; .png or .jpg by extension (required)", "OUT"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Write the thumbnail of a photo.",
      "Writes FILE's thumbnail, upright (EXIF orientation applied) and in sRGB, with\n"
      "its long edge N pixels (never enlarged), to OUT. Sizes up to 512 come from\n"
      "the thumbnail cache when it has the photo, and fill it otherwise. Exit 1 when\n"
      "FILE is damaged or not an image derush reads, 2 when it is missing or OUT\n"
      "cannot be written.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!files || !files[0])
    return cli_usage_error("thumbnail", "no file given");
  if (files[1])
    return cli_usage_error("thumbnail", "one file at a time");
  if (!out)
    return cli_usage_error("thumbnail", "-o OUT is required");
  if (size < THUMB_MIN_SIZE || size > THUMB_MAX_SIZE)
    return cli_usage_error("thumbnail", "--size must be between %d and %d", THUMB_MIN_SIZE,
                           THUMB_MAX_SIZE);

  g_autofree char *path = g_canonicalize_filename(files[0], NULL);
  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;
  g_autoptr(GError) error = NULL;
  if (!derush_thumbnail_save(ctx->catalog, path, size, out, &error)) {
    cli_print_error(files[0], error);
    /* A bad photo is the "bad file" case; anything else (missing file,
     * unwritable output) means nothing could be done. */
    if (error->domain == DERUSH_ERROR &&
        (error->code == DERUSH_ERROR_CORRUPT || error->code == DERUSH_ERROR_UNSUPPORTED ||
         error->code == DERUSH_ERROR_TOO_LARGE))
      return CLI_EXIT_BAD_FILES;
    return CLI_EXIT_FATAL;
  }
  return CLI_EXIT_OK;
}
