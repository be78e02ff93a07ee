#define _GNU_SOURCE
#include "mapped_evidence.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* 4 TiB of address space: no memory and no commit charge (PROT_NONE), a few page-table entries at most. */
static const size_t region_size = (size_t)1 << 42;
static uintptr_t region_base;
static _Atomic size_t region_next;
static _Atomic long absorbed;
static struct sigaction previous;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static size_t page;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    uintptr_t a = (uintptr_t)info->si_addr;
    if (region_base != 0 && a >= region_base && a < region_base + region_size) {
        void *p = (void *)(a & ~(uintptr_t)(page - 1));
        /* mmap is a plain system call: safe to use here. */
        if (mmap(p, page, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
            atomic_fetch_add(&absorbed, 1);
            return;
        }
    }
    /* Not ours: hand the fault to whoever handled SIGBUS before (the default action ends the process). */
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(sig, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void reserve(void) {
    page = (size_t)sysconf(_SC_PAGESIZE);
    void *r = mmap(NULL, region_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) != 0) { munmap(r, region_size); return; }
    region_base = (uintptr_t)r;
}

static void *map(int fd, size_t length, int prot, int flags, int *guarded) {
    pthread_once(&once, reserve);
    *guarded = 0;
    if (length == 0) { errno = EINVAL; return NULL; }
    size_t rounded = (length + page - 1) & ~(page - 1);
    if (region_base != 0) {
        size_t at = atomic_fetch_add(&region_next, rounded);
        if (at + rounded <= region_size) {
            void *p = mmap((void *)(region_base + at), length, prot, flags | MAP_FIXED, fd, 0);
            if (p != MAP_FAILED) { *guarded = 1; return p; }
            return NULL;
        }
    }
    void *p = mmap(NULL, length, prot, flags, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

const void *exhunt_map_file(int fd, size_t length, int *guarded) {
    return map(fd, length, PROT_READ, MAP_PRIVATE, guarded);
}

void *exhunt_map_scratch(int fd, size_t length, int *guarded) {
    return map(fd, length, PROT_READ, MAP_SHARED, guarded);
}

void exhunt_unmap(const void *address, size_t length, int guarded) {
    if (address == NULL || length == 0) return;
    if (guarded) {
        /* Give the pages back but keep the range reserved, so a stale address still faults into our handler's
           range rather than into some later allocation. */
        mmap((void *)address, length, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    } else {
        munmap((void *)address, length);
    }
}

void exhunt_zero_tail(const void *address, size_t length, size_t valid) {
    pthread_once(&once, reserve);
    uintptr_t start = ((uintptr_t)address + valid + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)address + length + page - 1) & ~(uintptr_t)(page - 1);
    if (end > start) mmap((void *)start, end - start, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

long exhunt_absorbed_faults(void) { return atomic_load(&absorbed); }

void exhunt_install_fault_guard(void) { pthread_once(&once, reserve); }

int exhunt_fault_guard_active(void) {
    struct sigaction current;
    if (region_base == 0 || sigaction(SIGBUS, NULL, &current) != 0) return 0;
    return (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_sigbus;
}

int exhunt_open_scratch(const char *dir) {
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/exhunt-zip-XXXXXX", dir) >= (int)sizeof path) { errno = ENAMETOOLONG; return -1; }
    fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

int exhunt_open_memory_scratch(void) {
    return memfd_create("exhunt-zip", MFD_CLOEXEC);
}
