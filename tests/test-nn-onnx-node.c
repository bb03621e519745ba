/* test-nn-onnx-node.c: the ONNX project's own operator tests (Debian's
 * libonnx-testdata: node/<case>/model.onnx with protobuf inputs and expected
 * outputs), run through the executor.  Every case whose operators and
 * attributes the executor supports must match; the rest are skipped, each
 * saying why, and a last test reports the counts.  Skips when the package is
 * absent. */
#include "nn/nn.h"
#include "nn/onnx.pb-c.h"
#include "test-util.h"
#include <math.h>
#include <string.h>

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"

static int n_run, n_passed, n_skipped;

static Onnx__TensorProto *
read_tensor_pb(const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, NULL))
    return NULL;
  return onnx__tensor_proto__unpack(NULL, len, (const uint8_t *)data);
}

/* The element size of the integer types an expected output may have (the
 * executor returns quantized tensors as float32 holding the integers). */
static gsize
int_size(int32_t type)
{
  switch (type) {
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    return 1;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    return 4;
  default:
    return 0;
  }
}

static float
int_at(int32_t type, const uint8_t *raw, const int32_t *typed, gsize i)
{
  if (!raw)
    return (float)typed[i]; /* int32_data holds every narrower type too */
  switch (type) {
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    return raw[i];
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    return (int8_t)raw[i];
  default: {
    int32_t v;
    memcpy(&v, raw + 4 * i, 4);
    return (float)v;
  }
  }
}

/* The tensor as float32 values, or NULL for other types; with @ints, the
 * uint8/int8/int32 types too, converted. */
static float *
tensor_floats(const Onnx__TensorProto *t, gboolean ints, gsize *n, int64_t *dims, int *rank)
{
  gsize isize = ints ? int_size(t->data_type) : 0;
  if ((t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && !isize) || t->n_dims > 8)
    return NULL;
  *rank = (int)t->n_dims;
  *n = 1;
  for (size_t i = 0; i < t->n_dims; i++) {
    if (t->dims[i] < 0 || t->dims[i] > (1 << 24) || *n * (gsize)MAX(t->dims[i], 1) > (1u << 26))
      return NULL; /* not a tensor (a sequence or map read as one) */
    dims[i] = t->dims[i];
    *n *= (gsize)t->dims[i];
  }
  if (isize) {
    gboolean raw = t->has_raw_data && t->raw_data.len == *n * isize;
    if (!raw && t->n_int32_data != *n)
      return NULL;
    float *v = g_new0(float, MAX(*n, 1));
    for (gsize i = 0; i < *n; i++)
      v[i] = int_at(t->data_type, raw ? t->raw_data.data : NULL, t->int32_data, i);
    return v;
  }
  gboolean raw = t->has_raw_data && t->raw_data.len == *n * sizeof(float);
  if (!raw && t->n_float_data != *n)
    return NULL;
  float *v = g_new0(float, MAX(*n, 1));
  if (raw && t->raw_data.len) /* an empty tensor may have no data pointer */
    memcpy(v, t->raw_data.data, t->raw_data.len);
  else if (*n)
    memcpy(v, t->float_data, *n * sizeof(float));
  return v;
}

static int
strcmp_indirect(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static void
skip_absent(void)
{
  g_test_skip("libonnx-testdata is not installed (" NODE_DIR ")");
}

static void
skip(const char *why)
{
  n_skipped++;
  g_test_skip(why);
}

static gboolean
close_enough(float got, float want)
{
  if (isnan(want))
    return isnan(got);
  if (isinf(want))
    return got == want;
  return fabsf(got - want) <= 1e-4f + 1e-3f * fabsf(want);
}

/* Loads the case's model with its integer inputs turned into initializers;
 * fills the float inputs.  NULL with @why set when the case cannot run. */
static DerushNnModel *
load_case(const char *dir, gboolean params_const, GPtrArray *floats, GArray *shapes, GArray *ranks,
          char **why)
{
  g_autofree char *model_path = g_build_filename(dir, "model.onnx", NULL);
  g_autofree char *set = g_build_filename(dir, "test_data_set_0", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  if (!g_file_get_contents(model_path, &bytes, &len, NULL) ||
      !g_file_test(set, G_FILE_TEST_IS_DIR)) {
    *why = g_strdup("no model or data set");
    return NULL;
  }
  Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, (const uint8_t *)bytes);
  g_assert_nonnull(mp);
  Onnx__GraphProto *gp = mp->graph;
  size_t kept = 0, n_in = gp->n_input;
  for (size_t i = 0; i < n_in; i++) {
    g_autofree char *p = g_strdup_printf("%s/input_%zu.pb", set, i);
    Onnx__TensorProto *t = read_tensor_pb(p);
    if (!t) {
      *why = g_strdup_printf("input %zu unreadable", i);
      onnx__model_proto__free_unpacked(mp, NULL);
      return NULL;
    }
    int64_t dims[8];
    int rank = 0;
    gsize n = 0;
    float *v = tensor_floats(t, FALSE, &n, dims, &rank);
    /* With @params_const, only input 0 (the data) stays a runtime input. */
    if (v && rank > 0 && n > 0 && (!params_const || i == 0)) {
      g_ptr_array_add(floats, v);
      g_array_append_vals(shapes, dims, 1);
      g_array_append_val(ranks, rank);
      gp->input[kept++] = gp->input[i];
      onnx__tensor_proto__free_unpacked(t, NULL);
      continue;
    }
    g_free(v);
    free(t->name);
    t->name = strdup(gp->input[i]->name);
    onnx__value_info_proto__free_unpacked(gp->input[i], NULL);
    gp->initializer = realloc(gp->initializer, sizeof(void *) * (gp->n_initializer + 1));
    gp->initializer[gp->n_initializer++] = t;
  }
  gp->n_input = kept;
  size_t size = onnx__model_proto__get_packed_size(mp);
  g_autofree uint8_t *packed = g_malloc(MAX(size, 1));
  onnx__model_proto__pack(mp, packed);
  onnx__model_proto__free_unpacked(mp, NULL);
  g_autoptr(GError) error = NULL;
  DerushNnModel *m = _derush_nn_model_load_from_data(packed, size, &error);
  if (!m)
    *why = g_strdup(error->message);
  return m;
}

typedef enum { CASE_SKIPPED, CASE_FAILED, CASE_PASSED } CaseResult;

/* One attempt at a case (see test_case); CASE_SKIPPED sets @why. */
static CaseResult
run_case(const char *name, const char *dir, gboolean params_const, char **why)
{
  g_autoptr(GPtrArray) floats = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) shapes = g_array_new(FALSE, TRUE, sizeof(int64_t) * 8);
  g_autoptr(GArray) ranks = g_array_new(FALSE, TRUE, sizeof(int));
  g_autoptr(DerushNnModel) m = load_case(dir, params_const, floats, shapes, ranks, why);
  if (!m)
    return CASE_SKIPPED;
  int n_in = (int)floats->len;
  g_autofree const int64_t **sp = g_new(const int64_t *, MAX(n_in, 1));
  for (int i = 0; i < n_in; i++)
    sp[i] = (const int64_t *)(shapes->data + i * sizeof(int64_t) * 8);
  /* Expected outputs: float32, or integers. */
  int n_out = _derush_nn_model_n_outputs(m);
  g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
  int64_t want_dims[16][8];
  int want_rank[16];
  gsize want_n[16];
  if (n_out > 16) {
    *why = g_strdup("more than 16 outputs");
    return CASE_SKIPPED;
  }
  for (int i = 0; i < n_out; i++) {
    g_autofree char *p = g_strdup_printf("%s/test_data_set_0/output_%d.pb", dir, i);
    Onnx__TensorProto *t = read_tensor_pb(p);
    float *v = t ? tensor_floats(t, TRUE, &want_n[i], want_dims[i], &want_rank[i]) : NULL;
    if (t)
      onnx__tensor_proto__free_unpacked(t, NULL);
    if (!v) {
      *why = g_strdup("an expected output is not float32, uint8, int8 or int32");
      return CASE_SKIPPED;
    }
    g_ptr_array_add(want, v);
  }
  g_autoptr(GError) error = NULL;
  if (!_derush_nn_model_run_many(m, n_in, (const float *const *)floats->pdata, sp,
                                 (const int *)ranks->data, &error)) {
    if (g_error_matches(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED)) {
      *why = g_strdup(error->message);
      return CASE_SKIPPED;
    }
    g_test_message("%s: %s", name, error->message);
    return CASE_FAILED;
  }
  for (int i = 0; i < n_out; i++) {
    const int64_t *shape;
    int rank;
    const float *got = _derush_nn_model_output(m, i, &shape, &rank);
    gsize n = 1;
    for (int k = 0; k < rank; k++)
      n *= (gsize)shape[k];
    if (n != want_n[i]) {
      g_test_message("%s: output %d has %zu values, expected %zu", name, i, n, want_n[i]);
      return CASE_FAILED;
    }
    const float *w = want->pdata[i];
    for (gsize k = 0; k < n; k++)
      if (!close_enough(got[k], w[k])) {
        g_test_message("%s: output %d[%zu] = %g, expected %g", name, i, k, got[k], w[k]);
        return CASE_FAILED;
      }
  }
  return CASE_PASSED;
}

/* Every float input a runtime input first; if the executor needs some of
 * them constant (scales, weights, Resize's sizes), again with only input 0
 * at run time and the others initializers, as real models have them. */
static void
test_case(gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = g_build_filename(NODE_DIR, name, NULL);
  g_autofree char *why = NULL;
  CaseResult r = run_case(name, dir, FALSE, &why);
  if (r == CASE_SKIPPED && why && strstr(why, "constant")) {
    g_clear_pointer(&why, g_free);
    r = run_case(name, dir, TRUE, &why);
  }
  if (r == CASE_SKIPPED) {
    skip(why);
    return;
  }
  n_run++;
  if (r == CASE_FAILED)
    g_test_fail();
  else
    n_passed++;
}

static void
test_counts(void)
{
  g_test_message("ONNX node tests: %d run, %d passed, %d skipped", n_run, n_passed, n_skipped);
  g_assert_cmpint(n_passed, ==, n_run);
  g_assert_cmpint(n_run, >, 0);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_autoptr(GDir) d = g_dir_open(NODE_DIR, 0, NULL);
  if (!d) {
    g_test_add_func("/nn/onnx-node/absent", (GTestFunc)skip_absent);
    return g_test_run();
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *e;
  while ((e = g_dir_read_name(d)))
    g_ptr_array_add(names, g_strdup(e));
  g_ptr_array_sort(names, (GCompareFunc)strcmp_indirect);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_strdup_printf("/nn/onnx-node/%s", (char *)names->pdata[i]);
    g_test_add_data_func(path, names->pdata[i], test_case);
  }
  g_test_add_func("/nn/onnx-node/~counts", test_counts);
  return g_test_run();
}
