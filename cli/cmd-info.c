/* cli/cmd-info.c: being written. */
#include "derush.h"
