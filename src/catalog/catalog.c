/* catalog/catalog.c: being written. */
#include "derush-private.h"
