/* tools/demo-gen.c: derush-demo-gen, a believable photo shoot to cull.
 *
 *   derush-demo-gen --out DIR [--count N] [--seed S] [--source DIR]
 *
 * Turns the 12 photographs of Debian's mate-backgrounds package (or the
 * JPEG/PNG/TIFF photos of --source DIR) into a shoot of N photo files
 * (default 320) over five sessions on different days: single frames, bursts
 * of a panning camera, near-duplicate re-shots, defocused, shaken, under- and
 * over-exposed frames, a few noisy high-ISO frames, RAW+JPEG pairs, and two
 * files without EXIF. Every other file carries EXIF written by gexiv2: camera,
 * capture time with sub-seconds, settings coherent with what went wrong
 * (a shaken frame says 1/8 s), orientation, GPS on some.
 *
 * One seed gives the same files byte for byte: the whole shoot is planned
 * first from one GRand on the main thread, the workers only execute the plan,
 * and the noise images get their seeds from the plan.
 *
 * DIR appears at once: the set is built in DIR.tmp-XXXXXX, renamed to DIR,
 * and DIR/.complete is created last, so readers wait for .complete. Runs on
 * the same DIR serialise on an flock of DIR.lock, so a second run finds
 * .complete and exits instead of doing the work twice.
 *
 * DIR/truth.csv has one row per photo file, header
 * `path,session,burst,near_dup_group,kind`:
 *   path            relative to DIR, e.g. "2024-06-01 Garden/IMG_4213.JPG"
 *   session         1..5: photos minutes apart, sessions days apart; empty
 *                   for a file without a capture time (no EXIF)
 *   burst           id of a burst (frames 0.3-1 s apart, same camera,
 *                   panning); empty outside bursts
 *   near_dup_group  id shared by the files that show one scene from one
 *                   viewpoint: burst frames, re-shots, re-encodes and
 *                   re-crops, blurred or mis-exposed retakes, both files of
 *                   a RAW pair, a web export; empty for a scene shot once.
 *                   Grouping checks compare against this column.
 *   kind            sharp | burst (a sharp burst frame) | near_dup (a later
 *                   re-encoded, resized or re-cropped copy) | defocus |
 *                   motion | under | over | noisy | raw_pair (the JPEG and
 *                   its "RAW", a TIFF named .DNG that libvips reads) |
 *                   no_exif (a screenshot PNG, a stripped web export)
 *
 * Exit status: 0 when the set is ready (also when DIR/.complete was already
 * there); 2 on any error, with a message naming the file, and the
 * temporary folder removed.
 */

#include "demo-gen.h"

#include <vips/vector.h>

/* --------------------------------------------------------------- files */

static gboolean
is_source_name(const char *name)
{
  static const char *const exts[] = {".jpg", ".jpeg", ".png", ".tif", ".tiff"};
  g_autofree char *lower = g_ascii_strdown(name, -1);

  for (guint i = 0; i < G_N_ELEMENTS(exts); i++) {
    if (g_str_has_suffix(lower, exts[i]))
      return TRUE;
  }
  return FALSE;
}

static int
compare_source_cb(gconstpointer a, gconstpointer b)
{
  const Source *sa = *(Source *const *)a, *sb = *(Source *const *)b;
  return strcmp(sa->path, sb->path);
}

/* Sorted by name: the plan refers to sources by index, so the order must
 * not depend on the file system's. */
static GPtrArray *
sources_list(const char *dir_path, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, error);
  GPtrArray *sources;
  const char *name;

  if (dir == NULL)
    return NULL;
  sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
  while ((name = g_dir_read_name(dir)) != NULL) {
    if (!is_source_name(name))
      continue;
    Source *source = g_new0(Source, 1);
    source->path = g_build_filename(dir_path, name, NULL);
    g_ptr_array_add(sources, source);
  }
  g_ptr_array_sort(sources, compare_source_cb);
  if (sources->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no JPEG, PNG or TIFF photos in %s",
                dir_path);
    g_ptr_array_unref(sources);
    return NULL;
  }
  return sources;
}

static int
remove_entry_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove(path);
}

/* rm -rf without following symlinks; a missing path is fine. */
static gboolean
remove_tree(const char *path)
{
  return nftw(path, remove_entry_cb, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT;
}

static gboolean
set_errno_error(GError **error, int errsv, const char *what, const char *path)
{
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "cannot %s %s: %s", what, path,
              g_strerror(errsv));
  return FALSE;
}

/* flock on DIR.lock. The holder unlinks it when done; a waiter that then
 * wakes up on the unlinked inode tries again on a fresh file. */
static int
lock_acquire(const char *lock_path, GError **error)
{
  for (;;) {
    struct stat held, named;
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      set_errno_error(error, errno, "create", lock_path);
      return -1;
    }
    while (flock(fd, LOCK_EX) < 0) {
      if (errno != EINTR) {
        set_errno_error(error, errno, "lock", lock_path);
        close(fd);
        return -1;
      }
    }
    if (fstat(fd, &held) == 0 && g_stat(lock_path, &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      return fd;
    close(fd);
  }
}

static void
lock_release(const char *lock_path, int fd)
{
  g_unlink(lock_path);
  close(fd);
}

/* Under the lock nobody else builds a set here, so leftover DIR.tmp-*
 * folders are from a killed run. */
static void
remove_stale_tmp(const char *out)
{
  g_autofree char *parent = g_path_get_dirname(out);
  g_autofree char *base = g_path_get_basename(out);
  g_autofree char *prefix = g_strconcat(base, ".tmp-", NULL);
  g_autoptr(GDir) dir = g_dir_open(parent, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    if (g_str_has_prefix(name, prefix)) {
      g_autofree char *path = g_build_filename(parent, name, NULL);
      remove_tree(path);
    }
  }
}

/* A DIR without .complete is removed only if it is a demo set (it has a
 * truth.csv) or empty: a mistyped --out must not wipe someone's photos. */
static gboolean
remove_incomplete(const char *out, GError **error)
{
  g_autofree char *truth = g_build_filename(out, "truth.csv", NULL);
  g_autoptr(GDir) dir = NULL;

  if (!g_file_test(out, G_FILE_TEST_EXISTS))
    return TRUE;
  dir = g_dir_open(out, 0, NULL);
  if (!g_file_test(truth, G_FILE_TEST_EXISTS) && (dir == NULL || g_dir_read_name(dir) != NULL)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s exists and is not a demo set (no truth.csv); not touching it", out);
    return FALSE;
  }
  if (!remove_tree(out))
    return set_errno_error(error, errno, "remove", out);
  return TRUE;
}

static gboolean
make_folders(const char *tmp_dir, GPtrArray *jobs, GError **error)
{
  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    g_autofree char *path = g_build_filename(tmp_dir, job->path, NULL);
    g_autofree char *folder = g_path_get_dirname(path);
    if (g_mkdir_with_parents(folder, 0755) < 0)
      return set_errno_error(error, errno, "create", folder);
  }
  return TRUE;
}

static void
csv_id(GString *row, int id)
{
  if (id > 0)
    g_string_append_printf(row, "%d", id);
  g_string_append_c(row, ',');
}

static gboolean
truth_write(const char *tmp_dir, GPtrArray *jobs, GError **error)
{
  g_autoptr(GString) csv = g_string_new("path,session,burst,near_dup_group,kind\n");
  g_autofree char *path = g_build_filename(tmp_dir, "truth.csv", NULL);

  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    /* Our names never hold a comma or a quote, so no CSV quoting. */
    g_string_append_printf(csv, "%s,", job->path);
    csv_id(csv, job->session);
    csv_id(csv, job->burst);
    csv_id(csv, job->group);
    g_string_append_printf(csv, "%s\n", kind_names[job->kind]);
  }
  if (!g_file_set_contents(path, csv->str, (gssize)csv->len, error)) {
    g_prefix_error(error, "cannot write %s: ", path);
    return FALSE;
  }
  return TRUE;
}

static char *
summary_new(GPtrArray *jobs, const char *out, double seconds)
{
  GString *line = g_string_new(NULL);
  int counts[N_KINDS] = {0}, bursts = 0, groups = 0;

  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    counts[job->kind]++;
    bursts = MAX(bursts, job->burst);
    groups = MAX(groups, job->group);
  }
  g_string_append_printf(line, "%s: %u photos in %s (", PROG, jobs->len, out);
  for (int k = 0; k < N_KINDS; k++)
    g_string_append_printf(line, "%s%d %s", k ? ", " : "", counts[k], kind_names[k]);
  g_string_append_printf(line, "; %d sessions, %d bursts, %d near-dup groups) in %.1f s",
                         (int)G_N_ELEMENTS(sessions), bursts, groups, seconds);
  return g_string_free(line, FALSE);
}

/* --------------------------------------------------------------- main */

typedef struct {
  char *out, *source;
  int count, seed;
} Options;

/* Everything between taking the lock and renaming the finished set. */
static gboolean
build_set(const Options *opts, const char *tmp_dir, GPtrArray **jobs_out, GError **error)
{
  g_autoptr(GPtrArray) sources = sources_list(opts->source, error);
  g_autoptr(GPtrArray) jobs = NULL;
  Context ctx = {.tmp_dir = (char *)tmp_dir};
  gboolean ok;

  if (sources == NULL)
    return FALSE;
  ctx.sources = sources;
  g_mutex_init(&ctx.lock);
  ok = run_parallel(source_load_worker, sources, &ctx, error);
  if (ok) {
    jobs = plan_shoot(sources, opts->count, (guint32)opts->seed);
    g_autoptr(GPtrArray) shots = shots_new(jobs, sources);
    /* Longest shots first, so no 8-frame burst is left running alone at
     * the end; the order changes no byte of the output. */
    g_ptr_array_sort(shots, compare_shot_size_cb);
    ok = make_folders(tmp_dir, jobs, error) && run_parallel(shot_worker, shots, &ctx, error) &&
         truth_write(tmp_dir, jobs, error);
  }
  g_mutex_clear(&ctx.lock);
  if (ok)
    *jobs_out = g_steal_pointer(&jobs);
  return ok;
}

static gboolean
publish(const char *tmp_dir, const char *out, const Options *opts, GError **error)
{
  g_autofree char *complete = g_build_filename(out, ".complete", NULL);
  g_autofree char *stamp = g_strdup_printf("%s seed=%d count=%d\n", PROG, opts->seed, opts->count);

  if (g_rename(tmp_dir, out) < 0)
    return set_errno_error(error, errno, "rename the set to", out);
  if (!g_file_set_contents(complete, stamp, -1, error)) {
    g_prefix_error(error, "cannot write %s: ", complete);
    return FALSE;
  }
  return TRUE;
}

static gboolean
generate(const Options *opts, const char *out, char **summary, GError **error)
{
  g_autofree char *tmp_dir = g_strconcat(out, ".tmp-XXXXXX", NULL);
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 start = g_get_monotonic_time();

  remove_stale_tmp(out);
  if (!remove_incomplete(out, error))
    return FALSE;
  /* mkdtemp makes it private (0700); the set is for other users too. */
  if (g_mkdtemp(tmp_dir) == NULL || g_chmod(tmp_dir, 0755) < 0)
    return set_errno_error(error, errno, "create", tmp_dir);
  if (!build_set(opts, tmp_dir, &jobs, error) || !publish(tmp_dir, out, opts, error)) {
    remove_tree(tmp_dir);
    return FALSE;
  }
  *summary = summary_new(jobs, out, (g_get_monotonic_time() - start) / 1e6);
  return TRUE;
}

static int
run(const Options *opts)
{
  g_autofree char *out = g_canonicalize_filename(opts->out, NULL);
  g_autofree char *complete = g_build_filename(out, ".complete", NULL);
  g_autofree char *lock_path = g_strconcat(out, ".lock", NULL);
  g_autofree char *parent = g_path_get_dirname(out);
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (g_file_test(complete, G_FILE_TEST_EXISTS))
    return 0;
  if (g_mkdir_with_parents(parent, 0755) < 0) {
    g_printerr("%s: cannot create %s: %s\n", PROG, parent, g_strerror(errno));
    return EXIT_FAILED;
  }
  fd = lock_acquire(lock_path, &error);
  if (fd >= 0 && !g_file_test(complete, G_FILE_TEST_EXISTS))
    generate(opts, out, &summary, &error);
  if (fd >= 0)
    lock_release(lock_path, fd);
  if (error != NULL) {
    g_printerr("%s: %s\n", PROG, error->message);
    return EXIT_FAILED;
  }
  if (summary != NULL)
    g_print("%s\n", summary);
  return 0;
}

static gboolean
parse_options(int *argc, char ***argv, Options *opts)
{
  GOptionEntry entries[] = {
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out, "Folder to create", "DIR"},
      {"count", 'n', 0, G_OPTION_ARG_INT, &opts->count, "Photo files to make (default 320)", "N"},
      {"seed", 's', 0, G_OPTION_ARG_INT, &opts->seed, "Random seed (default 1)", "S"},
      {"source", 0, 0, G_OPTION_ARG_FILENAME, &opts->source,
       "Folder of photos to start from (default " DEFAULT_SOURCE ")", "DIR"},
      G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- make a demo photo shoot to cull");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_printerr("%s: %s\n", PROG, error->message);
    return FALSE;
  }
  if (opts->out == NULL || opts->count < 1) {
    g_printerr("%s: usage: %s --out DIR [--count N>=1] [--seed S] [--source DIR]\n", PROG, PROG);
    return FALSE;
  }
  return TRUE;
}

/* The default source is a Debian package, not part of the repo: say how
 * to get it rather than failing on a missing folder. */
static gboolean
check_source(Options *opts)
{
  if (opts->source != NULL)
    return TRUE;
  if (!g_file_test(DEFAULT_SOURCE, G_FILE_TEST_IS_DIR)) {
    g_printerr("%s: no source photos: %s is missing.\n"
               "Install the Debian package mate-backgrounds (scripts/install-deps.sh does),\n"
               "or pass --source DIR with a folder of JPEG photos.\n",
               PROG, DEFAULT_SOURCE);
    return FALSE;
  }
  opts->source = g_strdup(DEFAULT_SOURCE);
  return TRUE;
}

/* libvips warns on stderr for every recoverable decode problem; the error
 * that matters reaches the user through the GError. */
static void
ignore_log_cb(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main(int argc, char **argv)
{
  Options opts = {.count = DEFAULT_COUNT, .seed = 1};
  int status = EXIT_FAILED;

  if (parse_options(&argc, &argv, &opts) && check_source(&opts)) {
    /* Before any thread: concurrent vips_init aborts. */
    if (VIPS_INIT(argv[0])) {
      g_printerr("%s: cannot start libvips: %s\n", PROG, vips_error_buffer());
      return EXIT_FAILED;
    }
    /* Debian 12's liborc frees generated code without its lock, and the
     * workers below write photos at once: the heap corruption derush's
     * decoders avoid the same way (src/image/decoders.c). */
    vips_vector_set_enabled(FALSE);
    /* Parallelism comes from one file per worker; vips' own threads per
     * pipeline would only oversubscribe the cores. No operation repeats,
     * so the cache would only hold memory. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ignore_log_cb, NULL);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    gexiv2_initialize();
    gexiv2_log_set_level(GEXIV2_LOG_LEVEL_MUTE);
    status = run(&opts);
    vips_shutdown();
  }
  g_free(opts.out);
  g_free(opts.source);
  return status;
}
