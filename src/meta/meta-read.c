/* meta/meta-read.c: being written. */
#include "derush-private.h"
