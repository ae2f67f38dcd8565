/* The distance loops for processors with AVX-512 (F). */
#define KERNELS_TABLE simd_kernels_avx512
#define KERNELS_NAME "avx512"
#include "distance/kernels_body.h"
