#ifndef CLIBZ_SHIM_H
#define CLIBZ_SHIM_H
/* zlib: gzip-compressed evidence read in place, raw deflate for zip members (inflated on every core), CRC-32. */
#include <zlib.h>
#endif
