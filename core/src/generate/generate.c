/* Synthetic clouds: Gaussian clusters and the next frame of a cloud (see scipar/generate.h).
 *
 * Randomness is one splitmix64 stream per call, seeded by the caller; normals come from Box-Muller.
 * The order of the draws is part of the contract (it fixes the cloud a seed gives):
 * - generate: for each cluster in turn its size, centre x y z and sigma x y z; then the points,
 *   cluster by cluster, x y z.
 * - next frame: the permutation of the new ids (Fisher-Yates), then for each distinct input id in
 *   ascending order its displacement (direction, then length); then for each input point in order
 *   the keep/drop draw and, for a kept point, its jitter. */
#include "scipar/generate.h"

#include "generate/random.h"
#include "grouping/radix_sort.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- results ---- */

void scipar_gaussian_params_init(scipar_gaussian_params *params)
{
  params->cluster_count = 20;
  params->max_cluster_size = 35;
  params->seed = 1;
  params->box_min = 0.0;
  params->box_max = 40.0;
  params->sigma_min = 1.0;
  params->sigma_max = 2.0;
}

void scipar_next_frame_params_init(scipar_next_frame_params *params)
{
  params->shift = 1.0;
  params->jitter = 0.1;
  params->drop_fraction = 0.1;
  params->seed = 2;
  params->id_offset = -1;
}

void scipar_generated_free(scipar_generated *result)
{
  if (!result)
    return;
  free(result->points);
  free(result->labels);
  free(result->true_labels);
  free(result->input_index);
  free(result->cluster_labels);
  free(result->cluster_new_labels);
  free(result->cluster_sizes);
  free(result->cluster_centers);
  free(result->cluster_sigmas);
  free(result->cluster_shifts);
  free(result->cluster_tracks);
  char message[sizeof result->message];
  memcpy(message, result->message, sizeof message);
  memset(result, 0, sizeof *result);
  memcpy(result->message, message, sizeof message);
}

static scipar_status fail(scipar_generated *result, scipar_status status, const char *format, ...)
{
  scipar_generated_free(result);
  va_list args;
  va_start(args, format);
  vsnprintf(result->message, sizeof result->message, format, args);
  va_end(args);
  return status;
}

/* malloc of count elements of size bytes, NULL on overflow; never malloc(0). */
static void *allocate(size_t count, size_t size)
{
  if (size != 0 && count > SIZE_MAX / size)
    return NULL;
  return malloc(count * size > 0 ? count * size : 1);
}

/* ---- Gaussian clusters ---- */

static scipar_status check_range(scipar_generated *result, const char *name, double lo, double hi)
{
  if (!isfinite(lo) || !isfinite(hi))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "%s (%g, %g) must be finite numbers", name, lo, hi);
  if (lo > hi)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                "%s: the minimum %g is greater than the maximum %g", name, lo, hi);
  return SCIPAR_OK;
}

scipar_status scipar_generate_gaussian_clusters(const scipar_gaussian_params *params,
                                                scipar_generated *result)
{
  memset(result, 0, sizeof *result);
  if (!params)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "no parameters given");
  if (params->cluster_count < 0)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "cluster count %lld is negative",
                (long long)params->cluster_count);
  if (params->max_cluster_size < 1)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                "max cluster size %lld must be at least 1", (long long)params->max_cluster_size);
  scipar_status status;
  if ((status = check_range(result, "box range", params->box_min, params->box_max)) != SCIPAR_OK ||
      (status = check_range(result, "sigma range", params->sigma_min, params->sigma_max)) != SCIPAR_OK)
    return status;
  if (params->sigma_min < 0.0)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "sigma range: the minimum %g is negative",
                params->sigma_min);
  /* Every count below must fit in int64 (labels, sizes) and in size_t (allocations). */
  const uint64_t k = (uint64_t)params->cluster_count;
  const uint64_t m = (uint64_t)params->max_cluster_size;
  if (k > 0 && m > (uint64_t)INT64_MAX / k)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                "%lld clusters of up to %lld points are too many points",
                (long long)params->cluster_count, (long long)params->max_cluster_size);
  if (k > SIZE_MAX / 3)
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %llu clusters",
                (unsigned long long)k);

  const size_t nk = (size_t)k;
  result->num_clusters = nk;
  result->cluster_labels = allocate(nk, sizeof(int64_t));
  result->cluster_sizes = allocate(nk, sizeof(int64_t));
  result->cluster_centers = allocate(3 * nk, sizeof(double));
  result->cluster_sigmas = allocate(3 * nk, sizeof(double));
  if (!result->cluster_labels || !result->cluster_sizes || !result->cluster_centers ||
      !result->cluster_sigmas)
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu clusters", nk);

  rng r;
  rng_init(&r, params->seed);
  uint64_t total = 0;
  for (size_t c = 0; c < nk; ++c) {
    const uint64_t size = 1 + rng_below(&r, m);
    result->cluster_labels[c] = (int64_t)c;
    result->cluster_sizes[c] = (int64_t)size;
    total += size;
    for (int axis = 0; axis < 3; ++axis)
      result->cluster_centers[3 * c + (size_t)axis] = rng_range(&r, params->box_min, params->box_max);
    for (int axis = 0; axis < 3; ++axis)
      result->cluster_sigmas[3 * c + (size_t)axis] = rng_range(&r, params->sigma_min, params->sigma_max);
  }
  if (total > SIZE_MAX / (3 * sizeof(double)))
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %llu points",
                (unsigned long long)total);
  const size_t n = (size_t)total;
  result->num_points = n;
  result->points = allocate(3 * n, sizeof(double));
  result->labels = allocate(n, sizeof(int64_t));
  if (!result->points || !result->labels)
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu points", n);

  size_t p = 0;
  for (size_t c = 0; c < nk; ++c) {
    const double *centre = result->cluster_centers + 3 * c;
    const double *sigma = result->cluster_sigmas + 3 * c;
    for (int64_t i = 0; i < result->cluster_sizes[c]; ++i, ++p) {
      for (size_t axis = 0; axis < 3; ++axis)
        result->points[3 * p + axis] = centre[axis] + sigma[axis] * rng_normal(&r);
      result->labels[p] = (int64_t)c;
    }
  }
  return SCIPAR_OK;
}

/* ---- next frame ---- */

/* Index of label in the ascending distinct labels[0..k); it is there. */
static size_t find_label(const int64_t *labels, size_t k, int64_t label)
{
  size_t lo = 0, hi = k;
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (labels[mid] <= label)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* The automatic id offset: the smallest power of ten, at least 10, above every label; -1 if none fits. */
static int64_t automatic_offset(int64_t max_label)
{
  int64_t offset = 10;
  while (offset <= max_label) {
    if (offset > INT64_MAX / 10)
      return -1;
    offset *= 10;
  }
  return offset;
}

scipar_status scipar_next_frame(const scipar_cloud *input, const scipar_next_frame_params *params,
                                scipar_generated *result)
{
  memset(result, 0, sizeof *result);
  if (!input || !params)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "no input cloud or no parameters given");
  const size_t n = input->num_points;
  if (n > 0 && (!input->points || !input->labels))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                "the input cloud has %zu points but no point or label array", n);
  if (!isfinite(params->shift) || params->shift < 0.0)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "shift %g must be a finite number >= 0",
                params->shift);
  if (!isfinite(params->jitter) || params->jitter < 0.0)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "jitter %g must be a finite number >= 0",
                params->jitter);
  if (!(params->drop_fraction >= 0.0 && params->drop_fraction <= 1.0))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "drop fraction %g must be in [0, 1]",
                params->drop_fraction);
  if (n > SIZE_MAX / (3 * sizeof(double)))
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu points", n);

  /* The distinct labels, ascending. */
  int64_t *distinct = allocate(n, sizeof(int64_t));
  int64_t *scratch = allocate(n, sizeof(int64_t));
  if (!distinct || !scratch) {
    free(distinct);
    free(scratch);
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu points", n);
  }
  if (n > 0)
    memcpy(distinct, input->labels, n * sizeof *distinct);
  radix_sort_int64(distinct, scratch, n);
  free(scratch);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    if (k == 0 || distinct[i] != distinct[k - 1])
      distinct[k++] = distinct[i];
  result->cluster_labels = distinct;
  result->num_clusters = k;

  int64_t offset = params->id_offset;
  if (offset < 0) {
    offset = automatic_offset(k > 0 ? distinct[k - 1] : 0);
    if (offset < 0)
      return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                  "no automatic id offset exceeds the largest input id %lld: give an id offset",
                  (long long)distinct[k - 1]);
  }
  if (k > 0 && (uint64_t)(k - 1) > (uint64_t)(INT64_MAX - offset))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT,
                "id offset %lld plus %zu clusters overflows 64-bit ids", (long long)offset, k);

  result->cluster_new_labels = allocate(k, sizeof(int64_t));
  result->cluster_sizes = calloc(k > 0 ? k : 1, sizeof(int64_t));
  result->cluster_shifts = allocate(3 * k, sizeof(double));
  if (!result->cluster_new_labels || !result->cluster_sizes || !result->cluster_shifts)
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu clusters", k);

  rng r;
  rng_init(&r, params->seed);
  /* New ids: offset + a random permutation of 0..k-1 (Fisher-Yates). */
  for (size_t c = 0; c < k; ++c)
    result->cluster_new_labels[c] = offset + (int64_t)c;
  for (size_t c = k; c > 1; --c) {
    const size_t j = (size_t)rng_below(&r, (uint64_t)c);
    const int64_t t = result->cluster_new_labels[c - 1];
    result->cluster_new_labels[c - 1] = result->cluster_new_labels[j];
    result->cluster_new_labels[j] = t;
  }
  for (size_t c = 0; c < k; ++c) {
    double direction[3];
    rng_direction(&r, direction);
    const double length = params->shift * rng_uniform(&r);
    for (size_t axis = 0; axis < 3; ++axis)
      result->cluster_shifts[3 * c + axis] = length * direction[axis];
  }

  /* Drop exactly round(drop_fraction * n) points, every subset of that size equally likely
   * (selection sampling, Knuth's algorithm S): kept points stay in input order. */
  double dropped = floor(params->drop_fraction * (double)n + 0.5);
  size_t keep = n - (dropped >= (double)n ? n : (size_t)dropped);
  result->num_points = keep;
  result->points = allocate(3 * keep, sizeof(double));
  result->labels = allocate(keep, sizeof(int64_t));
  result->true_labels = allocate(keep, sizeof(int64_t));
  result->input_index = allocate(keep, sizeof(int64_t));
  if (!result->points || !result->labels || !result->true_labels || !result->input_index)
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu points", keep);

  size_t kept = 0;
  for (size_t i = 0; i < n && kept < keep; ++i) {
    /* Keep point i with probability (still to keep) / (still to see). */
    const uint64_t remaining = (uint64_t)(n - i);
    if (rng_below(&r, remaining) >= (uint64_t)(keep - kept))
      continue;
    const int64_t label = input->labels[i];
    const size_t c = find_label(distinct, k, label);
    double jitter[3];
    rng_in_ball(&r, params->jitter, jitter);
    for (size_t axis = 0; axis < 3; ++axis)
      result->points[3 * kept + axis] =
        input->points[3 * i + axis] + result->cluster_shifts[3 * c + axis] + jitter[axis];
    result->labels[kept] = result->cluster_new_labels[c];
    result->true_labels[kept] = label;
    result->input_index[kept] = (int64_t)i;
    ++result->cluster_sizes[c];
    ++kept;
  }
  return SCIPAR_OK;
}
