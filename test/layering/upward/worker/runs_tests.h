// A worker header that includes the coordinator: check-layers.py must
// reject it (the layering test expects it to fail on this tree).
#include "coordinator/hands_out_tests.h"
