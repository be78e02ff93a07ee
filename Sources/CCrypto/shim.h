#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
/* OpenSSL's SHA-256 uses the CPU's SHA extensions (about 2 GB/s per core here). */
#include <openssl/evp.h>
#endif
