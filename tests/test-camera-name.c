/* test-camera-name.c: derush_meta_camera_name() names the brand once. */
#include "test-util.h"

static char *
name_of(const char *make, const char *model)
{
  DerushMeta meta;
  derush_meta_init(&meta);
  meta.make = g_strdup(make);
  meta.model = g_strdup(model);
  char *name = derush_meta_camera_name(&meta);
  derush_meta_clear(&meta);
  return name;
}

static void
test_names(void)
{
  /* Make and Model as real cameras write them (several from ../shared/corpus). */
  const struct {
    const char *make, *model, *want;
  } cases[] = {
      {"NIKON CORPORATION", "NIKON D40", "Nikon D40"},
      {"NIKON", "E995", "Nikon E995"},
      {"Canon", "Canon EOS 5D", "Canon EOS 5D"},
      {"Canon", "Canon PowerShot S40", "Canon PowerShot S40"},
      {"OLYMPUS IMAGING CORP.", "E-M5", "Olympus E-M5"},
      {"OLYMPUS OPTICAL CO.,LTD", "C2500L", "Olympus C2500L"},
      {"EASTMAN KODAK COMPANY", "KODAK DX6490 ZOOM DIGITAL CAMERA",
       "Kodak DX6490 ZOOM DIGITAL CAMERA"},
      {"FUJIFILM", "X-T4", "Fujifilm X-T4"},
      {"SONY", "DSLR-A700", "Sony DSLR-A700"},
      {"PENTAX Corporation", "PENTAX K-5", "Pentax K-5"},
      {"Apple", "iPhone 12 Pro", "Apple iPhone 12 Pro"},
      {"samsung", "SM-G991B", "Samsung SM-G991B"},
      {"Acme Optics Co., Ltd.", "Acme Z1", "Acme Optics Z1"},
      {"Panasonic", "DMC-GH4", "Panasonic DMC-GH4"},
      {"Apple", "Apple", "Apple"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *got = name_of(cases[i].make, cases[i].model);
    g_test_message("%s + %s -> %s", cases[i].make, cases[i].model, got);
    g_assert_cmpstr(got, ==, cases[i].want);
  }
}

static void
test_partial(void)
{
  g_autofree char *model_only = name_of(NULL, "NIKON D40");
  g_assert_cmpstr(model_only, ==, "NIKON D40");
  g_autofree char *make_only = name_of("NIKON CORPORATION", NULL);
  g_assert_cmpstr(make_only, ==, "Nikon");
  g_autofree char *empty = name_of("", "");
  g_assert_null(empty);
  g_autofree char *none = name_of(NULL, NULL);
  g_assert_null(none);
}

/* `derush info` shows the same name as the app's side panel, on a real
 * Nikon file whose Make is "NIKON CORPORATION" and Model "NIKON D70". */
static void
test_cli_info(void)
{
  g_autofree char *d70 = test_shared_path("corpus/exif_cameras/Nikon D70.jpg");
  if (!d70 || !g_file_test(d70, G_FILE_TEST_EXISTS)) {
    g_test_skip("needs ../shared/corpus/exif_cameras/Nikon D70.jpg");
    return;
  }
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *catalog = g_build_filename(tmp, "catalog.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, catalog);
  g_autofree char *out = NULL, *err = NULL;
  int status = test_run_derush_on(catalog, (const char *const *)env, &out, &err, "info", d70, NULL);
  g_test_message("%s%s", out, err);
  g_assert_cmpint(status, ==, 0);
  g_assert_nonnull(strstr(out, "Camera:          Nikon D70\n"));
  g_assert_nonnull(strstr(out, "Make:            NIKON CORPORATION\n"));
  test_rmrf(tmp);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/camera-name/real-cameras", test_names);
  g_test_add_func("/camera-name/partial", test_partial);
  g_test_add_func("/camera-name/cli-info", test_cli_info);
  return g_test_run();
}
