/* cli/cmd-stats.c: being written. */
#include "derush.h"
