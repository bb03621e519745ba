/* job.c: what scan, analyze and detect wrap around their library call: a
 * progress line on a terminal, bad files printed past it, and Ctrl-C
 * cancelling (cli.h, "job.c"). */
#include "cli.h"
#include <unistd.h>

struct _CliJob {
  CliProgress *progress; /* NULL when stderr is not a terminal */
  GCancellable *cancellable;
  CliInterrupt *interrupt; /* between begin and end */
};

CliJob *
cli_job_new(void)
{
  CliJob *job = g_new0(CliJob, 1);
  job->progress = cli_progress_new(STDERR_FILENO);
  job->cancellable = g_cancellable_new();
  return job;
}

static void
progress_cb(const DerushScanProgress *state, gpointer user_data)
{
  cli_progress_update(user_data, state);
}

static void
bad_file_cb(const char *path, const char *reason, gpointer user_data)
{
  cli_progress_print_bad_file(user_data, path, reason);
}

void
cli_job_get_callbacks(CliJob *job, CliJobProgressFunc *progress, CliJobBadFileFunc *on_bad_file,
                      gpointer *user_data, GCancellable **cancellable)
{
  *progress = job->progress ? progress_cb : NULL;
  *on_bad_file = bad_file_cb;
  *user_data = job->progress;
  *cancellable = job->cancellable;
}

void
cli_job_begin(CliJob *job)
{
  g_return_if_fail(job->interrupt == NULL);
  job->interrupt = cli_interrupt_new(job->cancellable);
}

int
cli_job_end(CliJob *job)
{
  int signo = cli_interrupt_get_signal(job->interrupt);
  g_clear_pointer(&job->interrupt, cli_interrupt_free);
  cli_progress_clear(job->progress);
  return signo;
}

gboolean
cli_job_report(const char *command, int signo, gboolean ok, const GError *error)
{
  if (signo) {
    fprintf(stderr, "derush: interrupted; run the same %s again to finish\n", command);
    return TRUE;
  }
  if (!ok)
    cli_print_model_error(error);
  return ok;
}

int
cli_job_exit_status(int signo, gint64 n_failed)
{
  if (signo)
    return CLI_EXIT_SIGNAL + signo;
  return n_failed > 0 ? CLI_EXIT_BAD_FILES : CLI_EXIT_OK;
}

gboolean
cli_job_check_threads(const char *command, int threads)
{
  if (threads >= 0)
    return TRUE;
  cli_usage_error(command, "--threads must be 0 (one per core) or more");
  return FALSE;
}

void
cli_job_free(CliJob *job)
{
  g_clear_pointer(&job->interrupt, cli_interrupt_free);
  g_clear_pointer(&job->progress, cli_progress_free);
  g_clear_object(&job->cancellable);
  g_free(job);
}
