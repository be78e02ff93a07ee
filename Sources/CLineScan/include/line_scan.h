#ifndef EXHUNT_LINE_SCAN_H
#define EXHUNT_LINE_SCAN_H
/*
 * One pass over a log line that finds its separators and what the line checks need to know (non-ASCII bytes,
 * control bytes, quotes), thirty-two bytes at a time with AVX2 where the CPU has it, sixteen with SSE2 (every
 * x86-64), eight at a time with word arithmetic elsewhere. Swift has no portable way to turn a vector comparison into a bit mask,
 * and this loop runs over every byte of every log line.
 */
#include <stddef.h>
#include <stdint.h>

#define EXHUNT_SCAN_HIGH_BIT 1u  /* some byte is >= 0x80 */
#define EXHUNT_SCAN_LOW_BYTE 2u  /* some byte is < 0x20 (tab included) */
#define EXHUNT_SCAN_QUOTE 4u     /* some byte is '"' */

/* Counts the bytes equal to `separator` in `line[0..<length]` and returns that count. For the first `limit`
   separators, starts[k] (k = 1 … limit) is set to the offset just past the k-th one. `flags` receives the
   EXHUNT_SCAN_* bits that hold. Never reads outside the line. */
size_t exhunt_scan_separators(const uint8_t *line, size_t length, uint8_t separator, size_t limit,
                              int64_t *starts, unsigned *flags);

#endif
