/* tools/demo-gen.c: being written. */
int main(void) { return 2; }
