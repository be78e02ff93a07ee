#ifndef CLIBZ_SHIM_H
#define CLIBZ_SHIM_H
/* zlib: raw deflate for zip members (inflated on every core) and their CRC-32. */
#include <zlib.h>
#endif
