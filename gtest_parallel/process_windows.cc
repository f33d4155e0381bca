// The process layer on Windows: CreateProcess, anonymous pipes, and a
// polling wait on them. Compiled only on Windows.
#include "process.h"
