#ifndef EXHUNT_MAPPED_EVIDENCE_H
#define EXHUNT_MAPPED_EVIDENCE_H
/*
 * Read-only mappings of evidence files that cannot take the process down when a file shrinks under it.
 *
 * Touching a page of a mapping past the end of its (truncated) file raises SIGBUS. Every mapping made here
 * lives inside one address range reserved at start (PROT_NONE, no memory behind it); a SIGBUS handler
 * that finds the faulting address inside that range maps a page of zeros over it, counts the fault and
 * lets the instruction run again. Faults anywhere else go to the handler that was there before.
 */
#include <stddef.h>

/* Maps `length` bytes of `fd` read-only. Returns NULL (errno set) on failure. `guarded` is set to 1 when
   the mapping is inside the guarded range, 0 when the range is full or could not be reserved. */
const void *exhunt_map_file(int fd, size_t length, int *guarded);

/* Maps `length` bytes of `fd` read-only and shared: a private temporary file being filled with pwrite. */
void *exhunt_map_scratch(int fd, size_t length, int *guarded);

/* Releases a mapping made by either function above. */
void exhunt_unmap(const void *address, size_t length, int guarded);

/* Replaces the pages of [address, address+length) that lie wholly at or past `valid` bytes with zeros, so
   a file known to have shrunk to `valid` bytes is never touched past its end. */
void exhunt_zero_tail(const void *address, size_t length, size_t valid);

/* An unlinked temporary file in `dir`, open read-write (O_TMPFILE, else mkstemp and unlink); -1 on failure. */
int exhunt_open_scratch(const char *dir);

/* An anonymous memory file (memfd_create), open read-write; -1 on failure. */
int exhunt_open_memory_scratch(void);

/* Reserves the range and installs the SIGBUS handler (once; the first mapping does it too). No other code
   may swap SIGBUS handlers around its work while mappings are read (libyara does unless told not to with
   SCAN_FLAGS_NO_TRYCATCH): restored out of order across threads, they leave the wrong handler in place, and
   a read past the end of a shrunken file then faults forever instead of reading zeros. */
void exhunt_install_fault_guard(void);

/* 1 when the SIGBUS handler in place is the guard's own. */
int exhunt_fault_guard_active(void);

/* Number of faults past the end of a file absorbed so far. */
long exhunt_absorbed_faults(void);

#endif
