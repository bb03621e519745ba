/* main.c: derush-gtk's entry point; everything else is in libderush-gtk so
 * tests link the same code. */
#include "derush-application.h"
#include <locale.h>

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  return derush_application_run(argc, argv);
}
