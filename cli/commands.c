/* commands.c: the subcommand table (cli-commands.h), and how the light
 * front hands a command it does not carry to derush-full. */
#include "cli-commands.h"
#include "cli-analysis.h"
#include "cli-learn.h"
#include <errno.h>
#include <unistd.h>

#ifndef DERUSH_LIBEXECDIR
#define DERUSH_LIBEXECDIR "/usr/local/libexec/derush"
#endif

/* In the front, a command that decodes in bulk or runs models is left to
 * derush-full (cli-commands.h); derush-full has every function. */
#ifdef DERUSH_CLI_FRONT
#define FULL_ONLY(func) NULL
#else
#define FULL_ONLY(func) func
#endif

const CliCommand cli_commands[] = {
    {"scan", "Scan folders into the catalog (incremental)", FULL_ONLY(cli_cmd_scan), TRUE},
    {"ls", "List the photos in the catalog", cli_cmd_ls, TRUE},
    {"info", "Show everything known about photos", FULL_ONLY(cli_cmd_info), TRUE},
    {"thumbnail", "Write the thumbnail of a photo", FULL_ONLY(cli_cmd_thumbnail), TRUE},
    {"stats", "Show the work counters and photo totals", cli_cmd_stats, FALSE},
    {"label", "Record keep/trash decisions and stars", cli_cmd_label, TRUE},
    {"undo", "Undo the last decision batches", cli_cmd_undo, TRUE},
    {"redo", "Redo undone decision batches", cli_cmd_redo, TRUE},
    {"history", "Show the history of decisions", cli_cmd_history, TRUE},
    {"export", "Write decisions to XMP sidecars, CSV or JSON", FULL_ONLY(cli_cmd_export), TRUE},
    {"apply", "Trash, move or copy photos by decision", FULL_ONLY(cli_cmd_apply), TRUE},
    {"undo-apply", "Restore the files of the last apply", FULL_ONLY(cli_cmd_undo_apply), TRUE},
    {"import", "Import decisions from another tool", FULL_ONLY(cli_cmd_import), TRUE},
    {"analyze", "Compute features, hashes and groups", FULL_ONLY(cli_cmd_analyze), TRUE, TRUE},
    {"features", "Print the feature vector of photos", FULL_ONLY(cli_cmd_features), TRUE},
    {"faces", "Find faces, closed eyes and soft faces in photos", FULL_ONLY(cli_cmd_faces), TRUE,
     TRUE},
    {"groups", "List sessions, bursts and near-duplicates", FULL_ONLY(cli_cmd_groups), TRUE},
    {"cull", "Label trash the copies, burst frames or group members that are not best",
     FULL_ONLY(cli_cmd_cull), TRUE},
    {"detect", "Find objects in photos (needs the detector model)", FULL_ONLY(cli_cmd_detect), TRUE,
     TRUE},
    {"detections", "Print the objects found in photos", FULL_ONLY(cli_cmd_detections), TRUE},
    {"eval", "Measure grouping, blur, faces, detector or learning against ground truth",
     FULL_ONLY(cli_cmd_eval), TRUE, TRUE},
    {"train", "Learn keep/trash from the labels", FULL_ONLY(cli_cmd_train), TRUE, TRUE},
    {"predict", "Predict keep/trash for every photo", FULL_ONLY(cli_cmd_predict), TRUE, TRUE},
    {"explain", "Say why a photo is predicted keep or trash", FULL_ONLY(cli_cmd_explain), TRUE,
     TRUE},
    {"next", "The photos to label next (active learning)", FULL_ONLY(cli_cmd_next), TRUE, TRUE},
};

const gsize cli_n_commands = G_N_ELEMENTS(cli_commands);

int
cli_run_full_program(char **argv)
{
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
  g_autofree char *beside = exe_dir ? g_build_filename(exe_dir, "derush-full", NULL) : NULL;
  g_autofree char *installed = g_build_filename(DERUSH_LIBEXECDIR, "derush-full", NULL);
  const char *path = beside && g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE) ? beside : installed;
  fflush(stdout);
  execv(path, argv);
  int errsv = errno;
  fprintf(stderr, "derush: cannot run %s: %s\n", path, g_strerror(errsv));
  return CLI_EXIT_FATAL;
}
