#include "call/scale.h"

#include <float.h>
#include <math.h>

enum { SAFE_EXPONENT = 400 };

int scale_exponent(double largest_magnitude)
{
  if (!(largest_magnitude > 0.0) || !isfinite(largest_magnitude))
    return 0;
  int e;
  frexp(largest_magnitude, &e); /* largest = f * 2^e, f in [0.5, 1) */
  if (e >= -SAFE_EXPONENT && e <= SAFE_EXPONENT)
    return 0;
  return 1 - e;
}

double times_power_of_two(double v, int exponent)
{
  /* Two factors, each a normal double even when 2^exponent is not (|exponent| up to ~2100). */
  const int half = exponent / 2;
  return v * ldexp(1.0, half) * ldexp(1.0, exponent - half);
}

const scipar_options *options_in_scaled_units(const scipar_options *options, int exponent,
                                              scipar_options *storage)
{
  if (exponent == 0 || !(options->max_pair_distance > 0.0))
    return options;
  *storage = *options;
  const double limit = times_power_of_two(options->max_pair_distance, options->squared ? 2 * exponent : exponent);
  storage->max_pair_distance = limit > 0.0 ? limit : DBL_TRUE_MIN;
  return storage;
}

void side_unscale(scipar_side *side, int exponent, int squared)
{
  if (exponent == 0)
    return;
  for (size_t i = 0; i < 3 * side->num_clusters; ++i)
    side->centroids[i] = times_power_of_two(side->centroids[i], -exponent);
  for (size_t c = 0; c < side->num_clusters; ++c)
    side->nearest_distance[c] = times_power_of_two(side->nearest_distance[c], squared ? -2 * exponent : -exponent);
}
