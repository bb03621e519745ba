/* cli-analysis.h: what the analysis commands (analyze, features, groups,
 * eval) share (not installed). */
#ifndef DERUSH_CLI_ANALYSIS_H
#define DERUSH_CLI_ANALYSIS_H

#include "cli.h"

G_BEGIN_DECLS

int cli_cmd_analyze(CliContext *ctx, int argc, char **argv);
int cli_cmd_features(CliContext *ctx, int argc, char **argv);
int cli_cmd_groups(CliContext *ctx, int argc, char **argv);
int cli_cmd_cull(CliContext *ctx, int argc, char **argv);
int cli_cmd_eval(CliContext *ctx, int argc, char **argv);
int cli_cmd_faces(CliContext *ctx, int argc, char **argv);
int cli_cmd_detect(CliContext *ctx, int argc, char **argv);
int cli_cmd_detections(CliContext *ctx, int argc, char **argv);

/* cmd-detect.c: prints derush_model_missing_hint() for @file_name on
 * stderr, once per process. */
void cli_print_model_hint_once(const char *file_name);

/* The grouping options as command-line options: entries to append to a
 * command's own (terminated by {NULL}); values land in @holder, and
 * cli_group_options_finish() checks them into @options. */
typedef struct {
  double session_gap_min;
  double burst_gap_s;
  int phash_radius;
  int dhash_radius;
  int phash_safety;
  gboolean no_transforms;
  gboolean no_rotations;
} CliGroupArgs;

void cli_group_args_init(CliGroupArgs *args);

/* Entries to put in a command's GOptionEntry array. */
#define CLI_GROUP_ENTRIES(a)                                                                       \
  {"session-gap",                                                                                  \
   0,                                                                                              \
   0,                                                                                              \
   G_OPTION_ARG_DOUBLE,                                                                            \
   &(a)->session_gap_min,                                                                          \
   "A pause longer than MIN minutes starts a new session (default 30)",                            \
   "MIN"},                                                                                         \
      {"burst-gap",                                                                                \
       0,                                                                                          \
       0,                                                                                          \
       G_OPTION_ARG_DOUBLE,                                                                        \
       &(a)->burst_gap_s,                                                                          \
       "Same camera at most S seconds apart is a burst (default 2)",                               \
       "S"},                                                                                       \
      {"phash-radius",                                                                             \
       0,                                                                                          \
       0,                                                                                          \
       G_OPTION_ARG_INT,                                                                           \
       &(a)->phash_radius,                                                                         \
       "Near-duplicates: pHash distance at most N (default 10)",                                   \
       "N"},                                                                                       \
      {"dhash-radius",                                                                             \
       0,                                                                                          \
       0,                                                                                          \
       G_OPTION_ARG_INT,                                                                           \
       &(a)->dhash_radius,                                                                         \
       "... confirmed by dHash distance at most N (default 12)",                                   \
       "N"},                                                                                       \
      {"phash-safety",                                                                             \
       0,                                                                                          \
       0,                                                                                          \
       G_OPTION_ARG_INT,                                                                           \
       &(a)->phash_safety,                                                                         \
       "Never cluster photos more than N pHash bits apart (default 16)",                           \
       "N"},                                                                                       \
      {"no-transforms",                                                                            \
       0,                                                                                          \
       0,                                                                                          \
       G_OPTION_ARG_NONE,                                                                          \
       &(a)->no_transforms,                                                                        \
       "Do not match mirrored, upside-down or cropped copies",                                     \
       NULL},                                                                                      \
  {                                                                                                \
    "no-rotations", 0, 0, G_OPTION_ARG_NONE, &(a)->no_rotations,                                   \
        "Do not match copies turned by other angles", NULL                                         \
  }

/* Returns FALSE (after printing a usage error for @command) when a value is
 * out of range. */
gboolean cli_group_options_finish(const char *command, const CliGroupArgs *args,
                                  DerushGroupOptions *options);

G_END_DECLS

#endif /* DERUSH_CLI_ANALYSIS_H */
