/* cli/cmd-ls.c: being written. */
#include "derush.h"
