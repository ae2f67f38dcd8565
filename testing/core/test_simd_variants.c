/* Every SIMD variant of the distance loops this processor runs gives bit-identical results to the
 * portable one, on clouds that take every path (brute-force blocks and their tails, k-d trees, tiny
 * clusters), for every metric, squared or not; the portable results also agree with the oracle.
 * With SCIPAR_SIMD set, the variant chosen at the first call must be the one it names. */
#include "check.h"
#include "random_cloud.h"
#include "verify.h"

#include "distance/kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUM_CASES = 6, NUM_VARIANTS = 3 };
static const char *const variants[NUM_VARIANTS] = {"portable", "avx2", "avx512"};

/* 1 when this processor has the instructions of a variant (so the build must offer it, on x86). */
static int processor_has(const char *name)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (!strcmp(name, "avx2"))
    return __builtin_cpu_supports("avx2");
  if (!strcmp(name, "avx512"))
    return __builtin_cpu_supports("avx512f");
#endif
  return !strcmp(name, "portable");
}

static void match_all(const scipar_cloud *src, const scipar_cloud *tgt, scipar_result results[8])
{
  for (int m = 0; m < 8; ++m) {
    scipar_options options;
    scipar_options_init(&options);
    options.metric = (scipar_metric)(m / 2);
    options.squared = m % 2;
    options.num_threads = 2;
    const scipar_status status = scipar_match(src, tgt, &options, &results[m]);
    CHECK(status == SCIPAR_OK, "status %s (%s)", scipar_status_string(status), results[m].message);
  }
}

int main(void)
{
  const char *asked = getenv("SCIPAR_SIMD");
  if (asked)
    CHECK(!strcmp(simd_kernels_get()->name, asked), "SCIPAR_SIMD=%s chose %s", asked, simd_kernels_get()->name);

  rng r = {77};
  const cloud_spec specs[] = {
    {10, 700, 20.0, 2.0, LABELS_SEQUENTIAL}, /* large clusters: k-d trees */
    {30, 40, 10.0, 1.0, LABELS_SPARSE},      /* small ones: brute-force blocks and tails */
    {60, 3, 10.0, 0.5, LABELS_SEQUENTIAL},   /* tiny ones */
  };
  test_cloud sources[NUM_CASES], targets[NUM_CASES];
  for (int c = 0; c < NUM_CASES; ++c) {
    sources[c] = random_cloud(&r, &specs[c % 3]);
    targets[c] = c < 3 ? moved_cloud(&r, &sources[c], 0.3) : random_cloud(&r, &specs[c % 3]);
  }

  scipar_result portable[NUM_CASES][8];
  for (int v = 0; v < NUM_VARIANTS; ++v) {
    const int forced = simd_kernels_force(variants[v]);
    if (processor_has(variants[v]))
      CHECK(forced, "this processor has %s but the build does not offer it", variants[v]);
    if (!forced) {
      printf("%s: not available here, skipped\n", variants[v]);
      continue;
    }
    CHECK(!strcmp(simd_kernels_get()->name, variants[v]), "forced %s, got %s", variants[v], simd_kernels_get()->name);
    printf("%s: tested\n", variants[v]);
    for (int c = 0; c < NUM_CASES; ++c) {
      const scipar_cloud src = as_scipar(&sources[c]), tgt = as_scipar(&targets[c]);
      scipar_result results[8];
      match_all(&src, &tgt, results);
      for (int m = 0; m < 8; ++m) {
        char context[96];
        snprintf(context, sizeof context, "%s case %d metric %d squared %d", variants[v], c, m / 2, m % 2);
        if (v == 0) {
          scipar_options options;
          scipar_options_init(&options);
          options.metric = (scipar_metric)(m / 2);
          options.squared = m % 2;
          verify_result(&src, &tgt, &options, &results[m], context);
          portable[c][m] = results[m];
        } else {
          CHECK(results_identical(&portable[c][m], &results[m], src.num_points, tgt.num_points),
                "%s: differs from the portable variant", context);
          scipar_result_free(&results[m]);
        }
      }
    }
  }
  for (int c = 0; c < NUM_CASES; ++c) {
    for (int m = 0; m < 8; ++m)
      scipar_result_free(&portable[c][m]);
    test_cloud_free(&sources[c]);
    test_cloud_free(&targets[c]);
  }
  return check_report("test_simd_variants");
}
