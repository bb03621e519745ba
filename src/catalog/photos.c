/* catalog/photos.c: being written. */
#include "derush-private.h"
