/* image/thumbnail.c: being written. */
#include "derush-private.h"
