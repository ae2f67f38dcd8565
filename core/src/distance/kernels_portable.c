/* The distance loops for the build's baseline instruction set. */
#define KERNELS_TABLE simd_kernels_portable
#define KERNELS_NAME "portable"
#include "distance/kernels_body.h"
