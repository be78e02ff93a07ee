#include "line_scan.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The bytes past the last whole block or word, with the same results. */
static size_t scan_bytes(const uint8_t *p, size_t from, size_t n, uint8_t sep, size_t limit, int64_t *starts,
                         size_t count, unsigned *flags) {
    unsigned f = 0;
    for (size_t i = from; i < n; i++) {
        uint8_t b = p[i];
        if (b >= 0x80) f |= EXHUNT_SCAN_HIGH_BIT;
        if (b < 0x20) f |= EXHUNT_SCAN_LOW_BYTE;
        if (b == '"') f |= EXHUNT_SCAN_QUOTE;
        if (b == sep) {
            count++;
            if (count <= limit) starts[count] = (int64_t)(i + 1);
        }
    }
    *flags |= f;
    return count;
}

#if defined(__SSE2__)
static size_t scan_sse2(const uint8_t *p, size_t n, uint8_t sep, size_t limit, int64_t *starts, unsigned *flags) {
    const __m128i vsep = _mm_set1_epi8((char)sep), vquote = _mm_set1_epi8('"'), v1f = _mm_set1_epi8(0x1F);
    __m128i high = _mm_setzero_si128(), low = _mm_setzero_si128(), quote = _mm_setzero_si128();
    size_t count = 0, i = 0;
    /* Locating: the position of every separator up to the limit. */
    for (; i + 16 <= n && count < limit; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        high = _mm_or_si128(high, v);
        low = _mm_or_si128(low, _mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v));
        quote = _mm_or_si128(quote, _mm_cmpeq_epi8(v, vquote));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vsep));
        while (m) {
            count++;
            if (count <= limit) starts[count] = (int64_t)(i + (size_t)__builtin_ctz(m) + 1);
            m &= m - 1;
        }
    }
    /* Counting only: per-byte counters (a match is -1) summed every 255 blocks, before a counter could wrap. */
    while (i + 16 <= n) {
        __m128i counters = _mm_setzero_si128();
        for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            high = _mm_or_si128(high, v);
            low = _mm_or_si128(low, _mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v));
            quote = _mm_or_si128(quote, _mm_cmpeq_epi8(v, vquote));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(v, vsep));
        }
        __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
    unsigned f = 0;
    if (_mm_movemask_epi8(high)) f |= EXHUNT_SCAN_HIGH_BIT;
    if (_mm_movemask_epi8(low)) f |= EXHUNT_SCAN_LOW_BYTE;
    if (_mm_movemask_epi8(quote)) f |= EXHUNT_SCAN_QUOTE;
    *flags = f;
    return scan_bytes(p, i, n, sep, limit, starts, count, flags);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
/* The same pass thirty-two bytes at a time, on CPUs with AVX2 (chosen at run time: the build targets plain
   x86-64). Lines of real HttpProxy logs are 500-700 bytes, most of them only counted. */
__attribute__((target("avx2")))
static size_t scan_avx2(const uint8_t *p, size_t n, uint8_t sep, size_t limit, int64_t *starts, unsigned *flags) {
    if (n < 32) return scan_sse2(p, n, sep, limit, starts, flags);
    const __m256i vsep = _mm256_set1_epi8((char)sep), vquote = _mm256_set1_epi8('"'), v1f = _mm256_set1_epi8(0x1F);
    __m256i high = _mm256_setzero_si256(), low = _mm256_setzero_si256(), quote = _mm256_setzero_si256();
    size_t count = 0, i = 0;
    for (; i + 32 <= n && count < limit; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        high = _mm256_or_si256(high, v);
        low = _mm256_or_si256(low, _mm256_cmpeq_epi8(_mm256_min_epu8(v, v1f), v));
        quote = _mm256_or_si256(quote, _mm256_cmpeq_epi8(v, vquote));
        unsigned m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vsep));
        while (m) {
            count++;
            if (count <= limit) starts[count] = (int64_t)(i + (size_t)__builtin_ctz(m) + 1);
            m &= m - 1;
        }
    }
    while (i + 32 <= n) {
        __m256i counters = _mm256_setzero_si256();
        for (int k = 0; k < 255 && i + 32 <= n; k++, i += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
            high = _mm256_or_si256(high, v);
            low = _mm256_or_si256(low, _mm256_cmpeq_epi8(_mm256_min_epu8(v, v1f), v));
            quote = _mm256_or_si256(quote, _mm256_cmpeq_epi8(v, vquote));
            counters = _mm256_sub_epi8(counters, _mm256_cmpeq_epi8(v, vsep));
        }
        __m256i sums = _mm256_sad_epu8(counters, _mm256_setzero_si256());
        count += (size_t)_mm256_extract_epi64(sums, 0) + (size_t)_mm256_extract_epi64(sums, 1)
               + (size_t)_mm256_extract_epi64(sums, 2) + (size_t)_mm256_extract_epi64(sums, 3);
    }
    /* The last 1-31 bytes: the line's last 32 bytes, those already scanned masked off (the flags may see them twice). */
    if (i < n) {
        size_t base = n - 32;
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + base));
        high = _mm256_or_si256(high, v);
        low = _mm256_or_si256(low, _mm256_cmpeq_epi8(_mm256_min_epu8(v, v1f), v));
        quote = _mm256_or_si256(quote, _mm256_cmpeq_epi8(v, vquote));
        unsigned m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vsep)) & (~0u << (i - base));
        while (m) {
            count++;
            if (count <= limit) starts[count] = (int64_t)(base + (size_t)__builtin_ctz(m) + 1);
            m &= m - 1;
        }
    }
    unsigned f = 0;
    if (_mm256_movemask_epi8(high)) f |= EXHUNT_SCAN_HIGH_BIT;
    if (_mm256_movemask_epi8(low)) f |= EXHUNT_SCAN_LOW_BYTE;
    if (_mm256_movemask_epi8(quote)) f |= EXHUNT_SCAN_QUOTE;
    *flags = f;
    return count;
}

static int has_avx2 = -1;

size_t exhunt_scan_separators(const uint8_t *p, size_t n, uint8_t sep, size_t limit, int64_t *starts, unsigned *flags) {
    if (has_avx2 < 0) has_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    return has_avx2 ? scan_avx2(p, n, sep, limit, starts, flags) : scan_sse2(p, n, sep, limit, starts, flags);
}
#else
size_t exhunt_scan_separators(const uint8_t *p, size_t n, uint8_t sep, size_t limit, int64_t *starts, unsigned *flags) {
    return scan_sse2(p, n, sep, limit, starts, flags);
}
#endif
#else
#include <string.h>

/* High bit set exactly in the zero bytes of x. */
static inline uint64_t zero_bytes(uint64_t x) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((x & low7) + low7) | x | low7);
}

/* High bit set in some byte exactly when some byte of x is below 0x20. */
static inline uint64_t low_bytes(uint64_t x) { return (x - 0x2020202020202020ULL) & ~x & 0x8080808080808080ULL; }

size_t exhunt_scan_separators(const uint8_t *p, size_t n, uint8_t sep, size_t limit, int64_t *starts, unsigned *flags) {
    const uint64_t vsep = sep * 0x0101010101010101ULL, vquote = 0x2222222222222222ULL;
    uint64_t high = 0, low = 0, quote = 0;
    size_t count = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        high |= w;
        low |= low_bytes(w);
        quote |= zero_bytes(w ^ vquote);
        uint64_t m = zero_bytes(w ^ vsep);
        if (count < limit) {
            while (m) {
                count++;
                if (count <= limit) starts[count] = (int64_t)(i + (size_t)(__builtin_ctzll(m) >> 3) + 1);
                m &= m - 1;
            }
        } else {
            count += (size_t)(((m >> 7) * 0x0101010101010101ULL) >> 56);
        }
    }
    unsigned f = 0;
    if (high & 0x8080808080808080ULL) f |= EXHUNT_SCAN_HIGH_BIT;
    if (low) f |= EXHUNT_SCAN_LOW_BYTE;
    if (quote) f |= EXHUNT_SCAN_QUOTE;
    *flags = f;
    return scan_bytes(p, i, n, sep, limit, starts, count, flags);
}
#endif
