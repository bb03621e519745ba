/* main.c: the `derush` command: global options and subcommand dispatch.
 *
 * Global options are parsed in strict POSIX mode, so parsing stops at the
 * command name and each subcommand parses the rest with its own
 * GOptionContext (its own --help, summary and exit-code text).
 */
#include "cli.h"
#include "cli-commands.h"
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>

const char cli_exit_codes_help[] =
    "Exit status:\n"
    "  0    success\n"
    "  1    done, but some files were bad (unreadable, or a FILE argument not found)\n"
    "  2    usage error or fatal error (missing root folder, unusable catalog)\n"
    "  130  interrupted (Ctrl-C); the work done so far is kept\n";

gboolean
cli_open_catalog(CliContext *ctx)
{
  if (ctx->catalog)
    return TRUE;
  g_autoptr(GError) error = NULL;
  ctx->catalog = derush_catalog_open(ctx->catalog_path, &error);
  if (!ctx->catalog) {
    g_autofree char *path =
        ctx->catalog_path ? g_strdup(ctx->catalog_path) : derush_default_catalog_path();
    cli_print_error(path, error);
    return FALSE;
  }
  /* A crash in the middle of an apply is repaired before anything else
   * looks at the files (when it can be written: a full disk opens the
   * catalog read-only, and a read-only command still reads). */
  if (!derush_catalog_is_read_only(ctx->catalog) &&
      derush_catalog_recover_file_ops(ctx->catalog, &error) < 0) {
    cli_print_error(derush_catalog_get_path(ctx->catalog), error);
    return FALSE;
  }
  return TRUE;
}

/* --catalog lands in the context; made absolute so JSON output and the
 * catalog's own record name the same file whatever the working folder. */
static gboolean
catalog_option_cb(const char *option_name, const char *value, gpointer data, GError **error)
{
  CliContext *ctx = data;
  g_free(ctx->catalog_path);
  ctx->catalog_path = g_canonicalize_filename(value, NULL);
  return TRUE;
}

/* --model-dir: for every model the command loads (docs/models.md). */
static gboolean
model_dir_option_cb(const char *option_name, const char *value, gpointer data, GError **error)
{
  derush_model_set_dir(value);
  return TRUE;
}

GOptionContext *
cli_option_context_new(CliContext *ctx, const char *parameter_string, const char *summary,
                       const char *description, const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new(parameter_string);
  g_option_context_set_summary(context, summary);
  g_autofree char *full_description = g_strconcat(
      description ? description : "", description ? "\n\n" : "", cli_exit_codes_help, NULL);
  g_option_context_set_description(context, full_description);

  static const GOptionEntry catalog_entries[] = {
      {"catalog", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, catalog_option_cb,
       "Catalog file (default: $DERUSH_CATALOG, else $XDG_DATA_HOME/derush/catalog.db)", "FILE"},
      {"model-dir", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, model_dir_option_cb,
       "Folder searched first for model files (then $DERUSH_MODEL_DIR, "
       "$XDG_DATA_HOME/derush/models, the installed data folder)",
       "DIR"},
      {NULL},
  };
  /* An explicit main group rather than g_option_context_add_main_entries():
   * the --catalog callback needs @ctx as its user data. */
  GOptionGroup *group = g_option_group_new("derush", "Options", "Show options", ctx, NULL);
  if (entries)
    g_option_group_add_entries(group, entries);
  g_option_group_add_entries(group, catalog_entries);
  g_option_context_set_main_group(context, group);
  return context;
}

static const char *
command_of(const char *prgname)
{
  /* prgname is "derush CMD" while a subcommand parses. */
  const char *space = prgname ? strchr(prgname, ' ') : NULL;
  return space ? space + 1 : NULL;
}

gboolean
cli_option_context_parse(GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  if (g_option_context_parse(context, argc, argv, &error))
    return TRUE;
  const char *command = command_of(g_get_prgname());
  fprintf(stderr, "derush: %s\nTry 'derush%s%s --help'.\n", error->message, command ? " " : "",
          command ? command : "");
  return FALSE;
}

int
cli_usage_error(const char *command, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  fprintf(stderr, "derush: %s\nTry 'derush %s --help'.\n", message, command);
  return CLI_EXIT_FATAL;
}

static char *
global_description(void)
{
  GString *text = g_string_new("Commands:\n");
  for (gsize i = 0; i < cli_n_commands; i++)
    g_string_append_printf(text, "  %-11s %s\n", cli_commands[i].name, cli_commands[i].summary);
  g_string_append(text, "\nRun 'derush COMMAND --help' for the options of a command.\n\n"
                        "Environment:\n"
                        "  DERUSH_CATALOG    catalog file when --catalog is not given\n"
                        "  DERUSH_CACHE_DIR  thumbnail cache (default $XDG_CACHE_HOME/derush)\n"
                        "  DERUSH_MODEL_DIR  model files when --model-dir is not given\n\n");
  g_string_append(text, cli_exit_codes_help);
  return g_string_free(text, FALSE);
}

static const CliCommand *
find_command(const char *name)
{
  for (gsize i = 0; i < cli_n_commands; i++)
    if (strcmp(cli_commands[i].name, name) == 0)
      return &cli_commands[i];
  return NULL;
}

static void
print_usage(GOptionContext *context, FILE *out)
{
  g_autofree char *help = g_option_context_get_help(context, TRUE, NULL);
  fputs(help, out);
}

/* Edits (insert, delete, change, swap two neighbours) from @a to @b, up to
 * 3 (more is "far"). */
static int
edit_distance(const char *a, const char *b)
{
  int la = (int)strlen(a), lb = (int)strlen(b);
  if (la > 32 || lb > 32 || ABS(la - lb) > 3)
    return 4;
  int d[33][33];
  for (int i = 0; i <= la; i++)
    for (int j = 0; j <= lb; j++) {
      if (i == 0 || j == 0) {
        d[i][j] = i + j;
        continue;
      }
      int cost = a[i - 1] != b[j - 1];
      d[i][j] = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = MIN(d[i][j], d[i - 2][j - 2] + 1);
    }
  return MIN(d[la][lb], 4);
}

/* "unknown command", the usage, then the nearest command when one is at
 * most 2 edits away ("analyse", "lable"): the last line is what is seen
 * after the usage scrolled by. */
static void
print_unknown_command(GOptionContext *context, const char *name)
{
  fprintf(stderr, "derush: unknown command '%s'\n", name);
  print_usage(context, stderr);
  const char *nearest = NULL;
  int best = 3;
  for (gsize i = 0; i < cli_n_commands; i++) {
    int d = edit_distance(name, cli_commands[i].name);
    if (d < best) {
      best = d;
      nearest = cli_commands[i].name;
    }
  }
  if (nearest)
    fprintf(stderr, "derush: unknown command '%s': did you mean '%s'?\n", name, nearest);
}

/* Runs @command with @argv (argv[0] is the command name). */
static int
run_command(CliContext *ctx, const CliCommand *command, int argc, char **argv)
{
  /* Usage lines then read "derush scan [OPTION…] DIR…". */
  g_autofree char *prgname = g_strdup_printf("derush %s", command->name);
  g_set_prgname(prgname);
  char *saved_argv0 = argv[0];
  argv[0] = prgname;
  derush_counters_reset();
  int status = command->run(ctx, argc, argv);
  argv[0] = saved_argv0;

  if (command->records && ctx->catalog && !derush_catalog_is_read_only(ctx->catalog)) {
    /* Failing to store the counters loses statistics, not work: warn only,
     * and not at all on a full disk, which the command has said already
     * (or which did not stop it reading). */
    g_autoptr(GError) error = NULL;
    if (!derush_catalog_record_command(ctx->catalog, command->name, &error) &&
        !g_error_matches(error, DERUSH_ERROR, DERUSH_ERROR_NO_SPACE))
      cli_print_error(derush_catalog_get_path(ctx->catalog), error);
  }
  return status;
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* GOption rearranges argv: keep it as given, for a restart. */
  g_auto(GStrv) given_argv = g_strdupv(argv);
  g_autoptr(GError) error = NULL;
  /* Before anything can start a thread: libvips aborts on concurrent init. */
  if (!derush_init(argv[0], &error)) {
    fprintf(stderr, "derush: %s\n", error->message);
    return CLI_EXIT_FATAL;
  }
  g_set_prgname("derush");

  CliContext ctx = {0};
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
      {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      &ctx, "COMMAND [ARGS…]", "Cull photos: catalog, scan and inspect them.", NULL, entries);
  g_autofree char *description = global_description();
  g_option_context_set_description(context, description);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix(context, TRUE);

  int status;
  if (!cli_option_context_parse(context, &argc, &argv)) {
    status = CLI_EXIT_FATAL;
  } else if (version) {
    printf("derush %s\n", DERUSH_VERSION);
    status = CLI_EXIT_OK;
  } else if (argc < 2) {
    print_usage(context, stderr);
    status = CLI_EXIT_FATAL;
  } else if (strcmp(argv[1], "help") == 0) {
    /* "derush help scan" is "derush scan --help". */
    const CliCommand *command = argc > 2 ? find_command(argv[2]) : NULL;
    if (command && !command->run) {
      status = cli_run_full_program(given_argv);
    } else if (command) {
      char *help_argv[] = {argv[2], "--help", NULL};
      status = run_command(&ctx, command, 2, help_argv);
    } else if (argc > 2) {
      print_unknown_command(context, argv[2]);
      status = CLI_EXIT_FATAL;
    } else {
      print_usage(context, stdout);
      status = CLI_EXIT_OK;
    }
  } else {
    const CliCommand *command = find_command(argv[1]);
    if (!command) {
      print_unknown_command(context, argv[1]);
      status = CLI_EXIT_FATAL;
    } else if (!command->run) {
      status = cli_run_full_program(given_argv);
    } else {
      if (command->runs_models)
        derush_restart_with_idle_threads(given_argv);
      status = run_command(&ctx, command, argc - 1, argv + 1);
    }
  }

  g_clear_pointer(&ctx.catalog, derush_catalog_close);
  g_free(ctx.catalog_path);
  /* Flush before libvips tears down, so a full disk still shows up as an
   * error rather than a silently short output. */
  if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
    fprintf(stderr, "derush: stdout: %s\n", g_strerror(errno));
    status = CLI_EXIT_FATAL;
  }
  derush_shutdown();
  return status;
}
