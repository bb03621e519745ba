/* interrupt.c: Ctrl-C during a scan cancels it cleanly.
 *
 * g_cancellable_cancel() is not async-signal-safe, so the handler only
 * writes the signal number into a pipe (write() is); a watcher thread reads
 * it and cancels. That works whichever thread the kernel picks to run the
 * handler, and needs no main loop, which the CLI does not have. The library
 * then stops handing out files, commits what is done and returns, so the
 * summary can still be printed and the next scan resumes.
 */
#include "cli.h"
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <glib-unix.h>

struct _CliInterrupt {
  GCancellable *cancellable;
  GThread *watcher;
  int fds[2];
  int signal; /* atomic: set by the watcher, read by the main thread */
  struct sigaction old_int, old_term;
};

/* A signal handler gets no user data: the pipe it writes to has to be a
 * static. Only one CliInterrupt exists at a time. */
static int interrupt_write_fd = -1;

static void
signal_handler(int signo)
{
  int saved_errno = errno;
  unsigned char byte = (unsigned char)signo;
  /* If the pipe is full a byte is already pending: losing this one is fine. */
  if (write(interrupt_write_fd, &byte, 1) < 0) {
  }
  errno = saved_errno;
}

static gpointer
interrupt_watch_worker(gpointer data)
{
  CliInterrupt *interrupt = data;
  for (;;) {
    unsigned char byte = 0;
    ssize_t n = read(interrupt->fds[0], &byte, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) /* end of file: cli_interrupt_free() closed the pipe */
      break;
    g_atomic_int_set(&interrupt->signal, byte);
    g_cancellable_cancel(interrupt->cancellable);
  }
  return NULL;
}

/**
 * cli_interrupt_new:
 * @cancellable: cancelled on the first SIGINT or SIGTERM.
 *
 * Installs the handlers with SA_RESETHAND, so a second Ctrl-C kills the
 * process at once for a user who does not want to wait for the commit.
 *
 * Returns: (transfer full) (nullable): NULL when no pipe could be made; the
 * command then simply runs without graceful interruption.
 */
CliInterrupt *
cli_interrupt_new(GCancellable *cancellable)
{
  g_return_val_if_fail(interrupt_write_fd < 0, NULL);
  CliInterrupt *interrupt = g_new0(CliInterrupt, 1);
  if (!g_unix_open_pipe(interrupt->fds, FD_CLOEXEC, NULL)) {
    g_free(interrupt);
    return NULL;
  }
  /* The handler must never block, even on a full pipe. */
  g_unix_set_fd_nonblocking(interrupt->fds[1], TRUE, NULL);
  interrupt->cancellable = g_object_ref(cancellable);
  interrupt_write_fd = interrupt->fds[1];
  interrupt->watcher = g_thread_new("derush-interrupt", interrupt_watch_worker, interrupt);

  struct sigaction action = {0};
  action.sa_handler = signal_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  /* A signal ignored at start-up (nohup, a background job of a script)
   * stays ignored: whoever started us asked for that. */
  sigaction(SIGINT, NULL, &interrupt->old_int);
  sigaction(SIGTERM, NULL, &interrupt->old_term);
  if (interrupt->old_int.sa_handler != SIG_IGN)
    sigaction(SIGINT, &action, NULL);
  if (interrupt->old_term.sa_handler != SIG_IGN)
    sigaction(SIGTERM, &action, NULL);
  return interrupt;
}

int
cli_interrupt_get_signal(CliInterrupt *interrupt)
{
  return interrupt ? g_atomic_int_get(&interrupt->signal) : 0;
}

void
cli_interrupt_free(CliInterrupt *interrupt)
{
  if (!interrupt)
    return;
  sigaction(SIGINT, &interrupt->old_int, NULL);
  sigaction(SIGTERM, &interrupt->old_term, NULL);
  /* Closing the write end wakes the watcher with end-of-file; unlike a
   * "stop" byte it cannot fail on a pipe full of signal bytes. */
  interrupt_write_fd = -1;
  close(interrupt->fds[1]);
  g_thread_join(interrupt->watcher);
  close(interrupt->fds[0]);
  g_object_unref(interrupt->cancellable);
  g_free(interrupt);
}
