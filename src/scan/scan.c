/* scan/scan.c: being written. */
#include "derush-private.h"
