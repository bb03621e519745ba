/* cli/cmd-thumbnail.c: being written. */
#include "derush.h"
