/* meta/capture-time.c: being written. */
#include "derush-private.h"
