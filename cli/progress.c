/* cli/progress.c: being written. */
#include "derush.h"
