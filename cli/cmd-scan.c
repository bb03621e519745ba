/* cmd-scan.c: `derush scan`: bring the catalog up to date with folders. */
#include "cli.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static void
print_summary_json(const DerushScanSummary *summary, const char *catalog_path)
{
  const CliJsonInt counts[] = {
      {"files_seen", summary->files_seen},
      {"dirs_walked", summary->dirs_walked},
      {"added", summary->added},
      {"updated", summary->updated},
      {"unchanged", summary->unchanged},
      {"moved", summary->moved},
      {"missing", summary->missing},
      {"unreadable", summary->unreadable},
      {"metadata_parsed", summary->metadata_parsed},
      {"thumbnails_written", summary->thumbnails_written},
      {"bytes_read", summary->bytes_read},
  };
  JsonBuilder *builder = cli_json_summary_new(counts, G_N_ELEMENTS(counts), summary->seconds);
  cli_json_add_path(builder, "catalog", catalog_path);
  cli_json_summary_print(builder);
}

static void
print_summary_text(const DerushScanSummary *summary, const char *catalog_path)
{
  double rate = summary->seconds > 0 ? summary->files_seen / summary->seconds : 0;
  printf("Scanned %" G_GINT64_FORMAT " files in %" G_GINT64_FORMAT " folders in %.2f s (%.0f "
         "files/s)\n",
         summary->files_seen, summary->dirs_walked, summary->seconds, rate);
  printf("  %" G_GINT64_FORMAT " added, %" G_GINT64_FORMAT " updated, %" G_GINT64_FORMAT
         " unchanged, %" G_GINT64_FORMAT " moved, %" G_GINT64_FORMAT " missing, %" G_GINT64_FORMAT
         " unreadable\n",
         summary->added, summary->updated, summary->unchanged, summary->moved, summary->missing,
         summary->unreadable);
  g_autofree char *catalog = cli_quote_path(catalog_path);
  printf("Catalog: %s\n", catalog);
}

/* Checks a root before the scan, so "derush: PATH: reason" always names the
 * path exactly as the user typed it, whatever the library's wording. */
static gboolean
check_root(const char *arg)
{
  struct stat st;
  if (stat(arg, &st) != 0) {
    cli_print_file_error(arg, g_strerror(errno));
    return FALSE;
  }
  if (access(arg, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) != 0) {
    cli_print_file_error(arg, g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

int
cli_cmd_scan(CliContext *ctx, int argc, char **argv)
{
  gboolean json = FALSE, hidden = FALSE, follow_symlinks = FALSE, no_thumbnails = FALSE;
  g_auto(GStrv) exclude = NULL;
  g_auto(GStrv) dirs = NULL;
  int threads = 0;
  const GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as one JSON object", NULL},
      {"exclude", 'x', 0, G_OPTION_ARG_FILENAME_ARRAY, &exclude,
       "Skip files and folders matching GLOB (name or path; repeatable)", "GLOB"},
      {"hidden", 0, 0, G_OPTION_ARG_NONE, &hidden, "Also scan hidden files and folders", NULL},
      {"follow-symlinks", 0, 0, G_OPTION_ARG_NONE, &follow_symlinks,
       "Follow symbolic links to folders (loops are detected)", NULL},
      {"no-thumbnails", 0, 0, G_OPTION_ARG_NONE, &no_thumbnails,
       "Do not fill the thumbnail cache while scanning", NULL},
      {"threads", 'j', 0, G_OPTION_ARG_INT, &threads, "Worker threads (default: one per core)",
       "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, "DIR…"},
      {NULL},
  };
  g_autoptr(GOptionContext) context = cli_option_context_new(
      ctx, NULL, "Scan folders (or single photos) into the catalog.",
      "Walks each DIR recursively. Unchanged files (same size, mtime and inode) are\n"
      "not opened again; changed files are re-read once; deleted files are marked\n"
      "missing; moved or renamed files are re-linked by content hash. Bad files are\n"
      "reported on stderr as \"derush: PATH: REASON\" and recorded, never fatal.\n"
      "On a terminal a progress bar is drawn on stderr; nothing extra when piped.\n"
      "Ctrl-C stops the scan, keeps what was done, prints the summary and exits 130;\n"
      "the next scan resumes. Exit status 1 means some files were unreadable.",
      entries);
  if (!cli_option_context_parse(context, &argc, &argv))
    return CLI_EXIT_FATAL;
  if (!dirs || !dirs[0])
    return cli_usage_error("scan", "no folder to scan");
  if (!cli_job_check_threads("scan", threads))
    return CLI_EXIT_FATAL;

  /* The catalog stores absolute paths; scanning "." from two places must
   * name the same photos. */
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; dirs[i]; i++) {
    if (!check_root(dirs[i]))
      return CLI_EXIT_FATAL;
    g_ptr_array_add(roots, g_canonicalize_filename(dirs[i], NULL));
  }
  g_ptr_array_add(roots, NULL);

  if (!cli_open_catalog(ctx))
    return CLI_EXIT_FATAL;

  g_autoptr(CliJob) job = cli_job_new();
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.exclude = (const char *const *)exclude;
  options.include_hidden = hidden;
  options.follow_symlinks = follow_symlinks;
  options.thumbnails = !no_thumbnails;
  options.threads = threads;
  cli_job_get_callbacks(job, &options.progress, &options.on_bad_file, &options.user_data,
                        &options.cancellable);

  DerushScanSummary summary = {0};
  g_autoptr(GError) error = NULL;
  cli_job_begin(job);
  gboolean ok = derush_catalog_scan(ctx->catalog, (const char *const *)roots->pdata, &options,
                                    &summary, &error);
  int signo = cli_job_end(job);

  if (!cli_job_report("scan", signo, ok, error))
    return CLI_EXIT_FATAL;

  const char *catalog_path = derush_catalog_get_path(ctx->catalog);
  if (json)
    print_summary_json(&summary, catalog_path);
  else
    print_summary_text(&summary, catalog_path);

  return cli_job_exit_status(signo, summary.unreadable);
}
