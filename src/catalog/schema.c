/* catalog/schema.c: being written. */
#include "derush-private.h"
