/* cli-commands.h: the table of `derush` subcommands, and the two programs
 * that carry them (not installed).
 *
 * `derush` is a light front: it links the catalog, the scan and the
 * sidecars but not the decoders, the neural networks or XGBoost, so ls,
 * label, undo and --version start without mapping libvips, oneDNN and the
 * ~100 libraries behind them (measured: 35 ms of CPU before, README
 * "Start-up"). A decode it needs (label of a new file) loads the
 * derush-decoders module (src/image/decoders-module.h). Every other command
 * has no function in the front's table: the front executes derush-full,
 * which has them all, with the same arguments. commands.c is built twice,
 * with DERUSH_CLI_FRONT for the front.
 */
#ifndef DERUSH_CLI_COMMANDS_H
#define DERUSH_CLI_COMMANDS_H

#include "cli.h"

typedef struct {
  const char *name;
  const char *summary;
  /* NULL in the front for a command only derush-full carries. */
  CliCommandFunc run;
  /* Whether the command's work counters become the catalog's "last
   * command": stats only reads them, so it must not overwrite them. */
  gboolean records;
  /* Whether it may run a neural network or XGBoost: main() then makes
   * their OpenMP threads idle passively (derush_restart_with_idle_threads). */
  gboolean runs_models;
} CliCommand;

extern const CliCommand cli_commands[];
extern const gsize cli_n_commands;

/* Executes derush-full with @argv (main()'s, as given): beside this
 * program first (the build tree), else in the installed libexec folder.
 * Returns only when it could not: the reason is printed, and the exit
 * status to use is returned. */
int cli_run_full_program(char **argv);

#endif
