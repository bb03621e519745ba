/* scan/walk.c: being written. */
#include "derush-private.h"
