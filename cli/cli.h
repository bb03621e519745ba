/* cli.h: what the `derush` command's files share (not installed).
 *
 * main.c parses the global options and dispatches to one cmd-*.c per
 * subcommand; output.c turns photos into JSON and text, progress.c draws the
 * scan's progress bar and interrupt.c turns Ctrl-C into a cancellation.
 */
#ifndef DERUSH_CLI_H
#define DERUSH_CLI_H

#include "derush.h"
#include <json-glib/json-glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Exit codes: a contract with scripts (docs/cli.md). */
enum {
  CLI_EXIT_OK = 0,        /* everything done, no bad file */
  CLI_EXIT_BAD_FILES = 1, /* done, but some files were unreadable or missing */
  CLI_EXIT_FATAL = 2,     /* usage error or fatal error: nothing (reliable) done */
  CLI_EXIT_SIGNAL = 128,  /* + signal number: interrupted, partial work kept */
};

/* The state one subcommand runs with. The command opens the catalog itself
 * (after its options are parsed, so `--help` and usage errors never create a
 * catalog file); main() records the work counters into it afterwards. */
typedef struct {
  char *catalog_path;     /* --catalog, made absolute, or NULL for the default */
  DerushCatalog *catalog; /* set by cli_open_catalog() */
} CliContext;

/* Opens ctx->catalog (once). Prints the error and returns FALSE when the
 * catalog is unusable; the command then exits with CLI_EXIT_FATAL. */
gboolean cli_open_catalog(CliContext *ctx);

/* A subcommand: @argv[0] is "derush CMD", the rest its arguments. */
typedef int (*CliCommandFunc)(CliContext *ctx, int argc, char **argv);

int cli_cmd_scan(CliContext *ctx, int argc, char **argv);
int cli_cmd_ls(CliContext *ctx, int argc, char **argv);
int cli_cmd_info(CliContext *ctx, int argc, char **argv);
int cli_cmd_thumbnail(CliContext *ctx, int argc, char **argv);
int cli_cmd_stats(CliContext *ctx, int argc, char **argv);
int cli_cmd_label(CliContext *ctx, int argc, char **argv);
int cli_cmd_undo(CliContext *ctx, int argc, char **argv);
int cli_cmd_redo(CliContext *ctx, int argc, char **argv);
int cli_cmd_history(CliContext *ctx, int argc, char **argv);
int cli_cmd_export(CliContext *ctx, int argc, char **argv);
int cli_cmd_apply(CliContext *ctx, int argc, char **argv);
int cli_cmd_undo_apply(CliContext *ctx, int argc, char **argv);
int cli_cmd_import(CliContext *ctx, int argc, char **argv);

/* photo-args.c: scans @files (NULL-terminated) and returns the photos found
 * (DerushPhoto*, owned); bad ones are reported and counted in @n_failed. */
GPtrArray *cli_scan_photo_args(CliContext *ctx, char **files, int *n_failed);

/* photo-args.c: the optional FOLDER argument (analyze, detect, cull, groups,
 * predict) made absolute (NULL: the whole catalog), and the catalog opened;
 * FALSE (reason printed) when more than one folder is given (a usage error
 * of @command), the folder is missing, the catalog unusable or the catalog
 * has no photo under the folder. */
gboolean cli_open_folder(CliContext *ctx, const char *command, char **dirs, char **under);

/* photo-args.c: the options of a command over FILE… whose only own option
 * is --json (info, features, faces, detections): parses @argv into @json
 * and @files (g_strfreev() them); FALSE (exit CLI_EXIT_FATAL) on a usage
 * error, said for @command, or when no FILE is given. */
gboolean cli_parse_files_command(CliContext *ctx, const char *command, int *argc, char ***argv,
                                 const char *summary, const char *description,
                                 const char *json_help, gboolean *json, char ***files);

/* photo-args.c: the exit status of a command over @n_files FILE arguments
 * of which @n_failed gave nothing: CLI_EXIT_FATAL when none worked,
 * CLI_EXIT_BAD_FILES when some did not, else CLI_EXIT_OK. */
int cli_files_exit_status(int n_failed, int n_files);

/* photo-args.c: says why nothing could be read for @photo (a photo of
 * cli_scan_photo_args()): nothing more when it is unreadable (that scan
 * said its reason already), else @error. */
void cli_print_photo_error(const DerushPhoto *photo, const GError *error);

/* photo-args.c: an on_bad_file callback for a library call without a
 * progress line: cli_print_file_error(). */
void cli_print_bad_file_cb(const char *path, const char *reason, gpointer user_data);

/* cmd-label.c: with sidecar sync on, updates the sidecars of @ids (and
 * their partners); returns CLI_EXIT_BAD_FILES when one could not be
 * written (the decision itself is saved), else CLI_EXIT_OK. */
int cli_sync_sidecars(CliContext *ctx, const gint64 *ids, gsize n_ids);

/* ----------------------------------------------------------- option parsing */

/* A GOptionContext for a subcommand with the shared --catalog option added,
 * so `derush scan --catalog X DIR` works as well as `derush --catalog X scan`. */
GOptionContext *cli_option_context_new(CliContext *ctx, const char *parameter_string,
                                       const char *summary, const char *description,
                                       const GOptionEntry *entries);

/* Parses @argv with @context; on a usage error prints it with a hint and
 * returns FALSE (exit CLI_EXIT_FATAL). `--help` prints and exits 0 inside. */
gboolean cli_option_context_parse(GOptionContext *context, int *argc, char ***argv);

/* Prints "derush: MESSAGE" and "Try 'derush CMD --help'." on stderr and
 * returns CLI_EXIT_FATAL, for usage errors found after parsing. */
int cli_usage_error(const char *command, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Text appended to every --help: the exit codes. */
extern const char cli_exit_codes_help[];

/* ---------------------------------------------------------------- output.c */

/* A file name as text output shows it: itself when it is printable UTF-8,
 * else quoted as GNU ls does ('evil'$'\n''name', 'caf'$'\351'). Every path
 * printed as text goes through it. (transfer full) */
char *cli_quote_path(const char *path);

/* @text on one line: control characters and non-UTF-8 bytes escaped. */
char *cli_escape_text(const char *text);

/* "KEY": the path as UTF-8, plus "KEY_bytes": its bytes in base64 only when
 * the name is not valid UTF-8 (lossless JSON, docs/cli.md). */
void cli_json_add_path(JsonBuilder *builder, const char *key, const char *path);
void cli_json_add_path_array(JsonBuilder *builder, const char *key, const char *const *paths,
                             gsize n);

/* Prints "derush: PATH: REASON" on stderr, PATH quoted by cli_quote_path()
 * and REASON on one line. */
void cli_print_file_error(const char *path, const char *reason);

/* Prints a GError about @path (nullable) on stderr, naming the path once even
 * when the library's message already contains it. */
void cli_print_error(const char *path, const GError *error);
/* As cli_print_error() with no path, but a missing model's error
 * (DERUSH_ERROR_NOT_FOUND) as it is: its hint spans lines. */
void cli_print_model_error(const GError *error);

/* The JSON object for one photo, shared by `ls --json` and `info --json`, so
 * both always print the same keys in the same order (docs/cli.md). */
JsonNode *cli_photo_to_json(const DerushPhoto *photo);

/* Writes @node as one compact line plus "\n" to @out (JSON Lines friendly). */
void cli_print_json(FILE *out, JsonNode *node);

/* One aligned line for `derush ls`: status, WxH, capture time, camera, path. */
void cli_print_photo_line(FILE *out, const DerushPhoto *photo);

/* "Key: value" lines with units for `derush info`. */
void cli_print_photo_text(FILE *out, const DerushPhoto *photo);

/* Adds "key": value, or null when @value is NAN/infinite. */
void cli_json_add_double(JsonBuilder *builder, const char *key, double value);

/* One "key": integer member of a JSON summary; cli_json_add_ints() adds
 * @n of them in order. */
typedef struct {
  const char *key;
  gint64 value;
} CliJsonInt;
void cli_json_add_ints(JsonBuilder *builder, const CliJsonInt *ints, gsize n);

/* A job's summary as one JSON object (scan, analyze, detect): opens it with
 * @ints in order and "seconds"; the caller may add members, then
 * cli_json_summary_print() closes, prints and frees it. */
JsonBuilder *cli_json_summary_new(const CliJsonInt *ints, gsize n, double seconds);
void cli_json_summary_print(JsonBuilder *builder);

/* ------------------------------------------------------------- progress.c */

/* The scan's progress line on a terminal. All calls are thread-safe, so bad
 * file messages from worker threads do not tear the bar. */
typedef struct _CliProgress CliProgress;

/* Returns NULL when @fd is not a terminal: piped output gets no escape codes
 * and no carriage returns at all. All functions accept NULL. */
CliProgress *cli_progress_new(int fd);
void cli_progress_update(CliProgress *progress, const DerushScanProgress *state);
/* Erases the bar; the next update draws it again. */
void cli_progress_clear(CliProgress *progress);
/* Clears the bar, then prints "derush: PATH: REASON" on stderr. */
void cli_progress_print_bad_file(CliProgress *progress, const char *path, const char *reason);
void cli_progress_free(CliProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliProgress, cli_progress_free)

/* ------------------------------------------------------------ interrupt.c */

/* Turns SIGINT/SIGTERM into g_cancellable_cancel() while a long command runs.
 * A second signal ends the process at once (the catalog stays consistent:
 * SQLite rolls back the batch in flight). */
typedef struct _CliInterrupt CliInterrupt;

CliInterrupt *cli_interrupt_new(GCancellable *cancellable);
/* The signal that arrived, or 0. */
int cli_interrupt_get_signal(CliInterrupt *interrupt);
void cli_interrupt_free(CliInterrupt *interrupt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliInterrupt, cli_interrupt_free)

/* ------------------------------------------------------------------ job.c */

/* A long command over many photos (scan, analyze, detect): its progress
 * line, its bad files printed past the line, Ctrl-C cancelling it.
 *   job = cli_job_new(); fill the options' progress, on_bad_file, user_data
 *   and cancellable with cli_job_get_callbacks(); cli_job_begin(job);
 *   the library call; signo = cli_job_end(job) (0, or the signal). */
typedef struct _CliJob CliJob;
typedef void (*CliJobProgressFunc)(const DerushScanProgress *state, gpointer user_data);
typedef void (*CliJobBadFileFunc)(const char *path, const char *reason, gpointer user_data);

CliJob *cli_job_new(void);
void cli_job_get_callbacks(CliJob *job, CliJobProgressFunc *progress,
                           CliJobBadFileFunc *on_bad_file, gpointer *user_data,
                           GCancellable **cancellable);
void cli_job_begin(CliJob *job);
int cli_job_end(CliJob *job);
/* After cli_job_end(): says "interrupted" (the library kept the partial
 * work, whether it returned TRUE or a cancellation error) or prints the
 * error; FALSE when the call failed without an interrupt (exit
 * CLI_EXIT_FATAL). */
gboolean cli_job_report(const char *command, int signo, gboolean ok, const GError *error);
/* The job's exit status: the signal's, else CLI_EXIT_BAD_FILES when
 * @n_failed, else CLI_EXIT_OK. */
int cli_job_exit_status(int signo, gint64 n_failed);
/* --threads N of a job: FALSE (usage error printed) when negative. */
gboolean cli_job_check_threads(const char *command, int threads);
void cli_job_free(CliJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliJob, cli_job_free)

G_END_DECLS

#endif /* DERUSH_CLI_H */
