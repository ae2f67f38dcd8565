/* libFuzzer harness for scipar_match: bytes become two small clouds (coordinates on a coarse grid so
 * that ties and duplicates are common, with NaN, infinities and int64-extreme labels mixed in) and
 * options. Every result is checked against the brute-force oracle and for thread-count determinism;
 * any mismatch aborts, so the fuzzer reports it. */
#include "check.h"
#include "verify.h"

#include <math.h>
#include <stdlib.h>

enum { BYTES_PER_POINT = 4, HEADER_BYTES = 3 };

static double coordinate(uint8_t byte)
{
  const int8_t v = (int8_t)byte;
  if (v == 127)
    return NAN;
  if (v == -128)
    return INFINITY;
  return v / 4.0;
}

static int64_t label(uint8_t byte)
{
  switch (byte) {
  case 255: return INT64_MAX;
  case 254: return INT64_MIN;
  case 253: return -1;
  default: return byte % 9; /* few labels: clusters with several points */
  }
}

/* Reads count points from data into a freshly allocated cloud. */
static scipar_cloud read_cloud(const uint8_t *data, size_t count)
{
  double *points = malloc(3 * count * sizeof *points + 1);
  int64_t *labels = malloc(count * sizeof *labels + 1);
  for (size_t i = 0; i < count; ++i) {
    for (int d = 0; d < 3; ++d)
      points[3 * i + d] = coordinate(data[BYTES_PER_POINT * i + d]);
    labels[i] = label(data[BYTES_PER_POINT * i + 3]);
  }
  return (scipar_cloud){points, labels, count};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < HEADER_BYTES)
    return 0;
  scipar_options options;
  scipar_options_init(&options);
  options.metric = (scipar_metric)(data[0] % 4);
  options.squared = data[1] & 1;
  options.max_pair_distance = data[2] / 16.0;
  const size_t points = (size - HEADER_BYTES) / BYTES_PER_POINT;
  const size_t source_points = points / 2;
  const uint8_t *body = data + HEADER_BYTES;
  scipar_cloud source = read_cloud(body, source_points);
  scipar_cloud target = read_cloud(body + BYTES_PER_POINT * source_points, points - source_points);

  scipar_result one, two;
  options.num_threads = 1;
  if (scipar_match(&source, &target, &options, &one) != SCIPAR_OK)
    abort();
  options.num_threads = 2;
  if (scipar_match(&source, &target, &options, &two) != SCIPAR_OK)
    abort();
  verify_result(&source, &target, &options, &one, "fuzz");
  if (checks_failed > 0 || !results_identical(&one, &two, source.num_points, target.num_points))
    abort();
  scipar_result_free(&one);
  scipar_result_free(&two);
  free((void *)source.points);
  free((void *)source.labels);
  free((void *)target.points);
  free((void *)target.labels);
  return 0;
}
