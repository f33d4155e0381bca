// Keeps Wine's own services running for the length of a test run: Wine ends
// them when no program is left, and the next program to start would start
// them again as its own children. Waits until the wineserver is stopped.
#include <windows.h>

int main() {
  Sleep(INFINITE);
  return 0;
}
