/* catalog/counters-store.c: being written. */
#include "derush-private.h"
