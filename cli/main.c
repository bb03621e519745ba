/* cli/main.c: being written. */
#include "derush.h"
int main(void) { return 2; }
