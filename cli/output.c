/* cli/output.c: being written. */
#include "derush.h"
