#ifndef CEVTX_SHIM_H
#define CEVTX_SHIM_H
#include <stdint.h>
/* Debian's libevtx-dev hard-wires LIBEVTX_HAVE_BFIO but does not ship libbfio.h: skip it. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
typedef intptr_t libbfio_handle_t;
#include <libevtx.h>
#endif
