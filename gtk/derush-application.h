/* derush-application.h: the derush-gtk application. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DERUSH_TYPE_APPLICATION (derush_application_get_type())
G_DECLARE_FINAL_TYPE(DerushApplication, derush_application, DERUSH, APPLICATION, AdwApplication)

DerushApplication *derush_application_new(void);
int derush_application_run(int argc, char **argv);

G_END_DECLS
