/* The distance loops for processors with AVX2. */
#define KERNELS_TABLE simd_kernels_avx2
#define KERNELS_NAME "avx2"
#include "distance/kernels_body.h"
