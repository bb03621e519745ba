/* image/image-load.c: being written. */
#include "derush-private.h"
