/* cli/cmd-scan.c: being written. */
#include "derush.h"
