/* The generators' random numbers: one splitmix64 stream per call (rand() is never used), normals by
 * Box-Muller. Deterministic on every machine with the same C library (log, sin, cos). */
#ifndef SCIPAR_GENERATE_RANDOM_H
#define SCIPAR_GENERATE_RANDOM_H

#include <math.h>
#include <stdint.h>

typedef struct rng {
  uint64_t state;
  int has_spare; /* Box-Muller makes normals two at a time */
  double spare;
} rng;

static inline void rng_init(rng *r, uint64_t seed)
{
  r->state = seed;
  r->has_spare = 0;
  r->spare = 0.0;
}

static inline uint64_t rng_next(rng *r)
{
  uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 random bits. */
static inline double rng_uniform(rng *r)
{
  return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [lo, hi]; exactly lo when lo == hi. */
static inline double rng_range(rng *r, double lo, double hi)
{
  const double value = lo + (hi - lo) * rng_uniform(r);
  return value > hi ? hi : value;
}

/* Uniform integer in [0, n), n >= 1, without modulo bias. */
static inline uint64_t rng_below(rng *r, uint64_t n)
{
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* values >= limit would favour small results */
  uint64_t x;
  do
    x = rng_next(r);
  while (x >= limit);
  return x % n;
}

/* Standard normal (Box-Muller). */
static inline double rng_normal(rng *r)
{
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  const double u1 = 1.0 - rng_uniform(r); /* (0, 1]: log is finite */
  const double u2 = rng_uniform(r);
  const double radius = sqrt(-2.0 * log(u1));
  const double angle = 6.283185307179586 * u2;
  r->spare = radius * sin(angle);
  r->has_spare = 1;
  return radius * cos(angle);
}

/* A direction uniform on the unit sphere. */
static inline void rng_direction(rng *r, double out[3])
{
  const double z = 2.0 * rng_uniform(r) - 1.0;
  const double angle = 6.283185307179586 * rng_uniform(r);
  const double s = sqrt(fmax(0.0, 1.0 - z * z));
  out[0] = s * cos(angle);
  out[1] = s * sin(angle);
  out[2] = z;
}

/* A point uniform in the ball of the given radius (rejection from the cube). */
static inline void rng_in_ball(rng *r, double radius, double out[3])
{
  double x, y, z;
  do {
    x = 2.0 * rng_uniform(r) - 1.0;
    y = 2.0 * rng_uniform(r) - 1.0;
    z = 2.0 * rng_uniform(r) - 1.0;
  } while (x * x + y * y + z * z > 1.0);
  out[0] = radius * x;
  out[1] = radius * y;
  out[2] = radius * z;
}

#endif
