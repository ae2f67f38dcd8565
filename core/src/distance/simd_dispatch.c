#include "distance/kernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The variants of this build, widest first, and whether this processor runs each. */
static const simd_kernels *variant_named(const char *name)
{
#if defined(SCIPAR_X86_VARIANTS)
  __builtin_cpu_init();
  if (!strcmp(name, "avx512"))
    return __builtin_cpu_supports("avx512f") ? &simd_kernels_avx512 : NULL;
  if (!strcmp(name, "avx2"))
    return __builtin_cpu_supports("avx2") ? &simd_kernels_avx2 : NULL;
#endif
  return strcmp(name, "portable") ? NULL : &simd_kernels_portable;
}

static const simd_kernels *widest_supported(void)
{
  static const char *const widest_first[] = {"avx512", "avx2", "portable"};
  const char *asked = getenv("SCIPAR_SIMD");
  const simd_kernels *chosen = asked ? variant_named(asked) : NULL;
  for (size_t i = 0; !chosen; ++i)
    chosen = variant_named(widest_first[i]);
  return chosen;
}

/* Chosen once; threads racing on the first call store the same pointer. */
static _Atomic(const simd_kernels *) in_use;

const simd_kernels *simd_kernels_get(void)
{
  const simd_kernels *k = atomic_load_explicit(&in_use, memory_order_acquire);
  if (!k) {
    k = widest_supported();
    atomic_store_explicit(&in_use, k, memory_order_release);
  }
  return k;
}

int simd_kernels_force(const char *name)
{
  const simd_kernels *k = variant_named(name);
  if (k)
    atomic_store_explicit(&in_use, k, memory_order_release);
  return k != NULL;
}
