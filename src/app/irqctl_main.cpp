// irqctl: the command-line client of irqd (placeholder until the verbs land).
#include <cstdio>
int main() { std::puts("irqctl: not yet"); return 2; }
