#ifndef CDEFLATE_SHIM_H
#define CDEFLATE_SHIM_H
/* libdeflate: whole-buffer raw deflate for zip members whose inflated size is known (two to three times zlib's
   streaming speed), and its CRC-32. zlib stays for streams and for members libdeflate refuses. */
#include <libdeflate.h>
#endif
