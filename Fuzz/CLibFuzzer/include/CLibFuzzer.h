#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (clang's compiler-rt): SwiftPM renames an executable's `main` to `TARGET_main`, so each
/// target defines that and hands over to libFuzzer here.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size));
