#ifndef CLIBZ_SHIM_H
#define CLIBZ_SHIM_H
/* zlib, for gzip-compressed evidence read in place (JSON-lines exports, rotated logs). */
#include <zlib.h>
#endif
