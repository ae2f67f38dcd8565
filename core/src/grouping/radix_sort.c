#include "grouping/radix_sort.h"

#include <string.h>

/* Flipping the sign bit maps int64 order onto uint64 order. */
static uint64_t to_unsigned(int64_t v) { return (uint64_t)v ^ (UINT64_C(1) << 63); }

void radix_sort_int64(int64_t *keys, int64_t *scratch, size_t n)
{
  int64_t *from = keys;
  int64_t *to = scratch;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t count[256] = {0};
    for (size_t i = 0; i < n; ++i)
      ++count[(to_unsigned(from[i]) >> shift) & 0xFF];
    if (n == 0 || count[(to_unsigned(from[0]) >> shift) & 0xFF] == n)
      continue; /* every key has this byte: the pass would not move anything */
    size_t start = 0;
    for (int b = 0; b < 256; ++b) {
      size_t c = count[b];
      count[b] = start;
      start += c;
    }
    for (size_t i = 0; i < n; ++i)
      to[count[(to_unsigned(from[i]) >> shift) & 0xFF]++] = from[i];
    int64_t *swap = from;
    from = to;
    to = swap;
  }
  if (from != keys)
    memcpy(keys, from, n * sizeof *keys);
}
