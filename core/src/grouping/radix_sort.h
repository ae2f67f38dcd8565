/* Sorting of int64 keys in linear time, for grouping points by cluster label. */
#ifndef SCIPAR_RADIX_SORT_H
#define SCIPAR_RADIX_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts keys[0..n) ascending. scratch must hold n keys. Passes over bytes that every key shares are
 * skipped, so small or dense label ranges cost two or three passes, not eight. */
void radix_sort_int64(int64_t *keys, int64_t *scratch, size_t n);

#endif
