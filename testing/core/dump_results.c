/* Prints every result of scipar_match on a fixed set of clouds, bit for bit (%a), so that two builds
 * (gcc and clang, or two SIMD variants through SCIPAR_SIMD) can be compared with cmp: ordinary clouds,
 * the same scaled to ~1e155 and ~1e-310, every metric, squared or not, with and without a distance
 * limit. Used by scripts/check-clang-agrees.sh. */
#include "random_cloud.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void dump_side(const char *name, const scipar_side *s)
{
  printf("%s %zu clusters\n", name, s->num_clusters);
  for (size_t c = 0; c < s->num_clusters; ++c)
    printf("%lld %lld %a %d %lld %a %a %a\n", (long long)s->cluster_ids[c], (long long)s->nearest[c],
           s->nearest_distance[c], s->mutual[c], (long long)s->pair_index[c], s->centroids[3 * c],
           s->centroids[3 * c + 1], s->centroids[3 * c + 2]);
}

static void dump(const test_cloud *source, const test_cloud *target, int k)
{
  double *a = malloc(3 * source->n * sizeof *a + 1), *b = malloc(3 * target->n * sizeof *b + 1);
  for (size_t i = 0; i < 3 * source->n; ++i)
    a[i] = ldexp(source->points[i], k);
  for (size_t i = 0; i < 3 * target->n; ++i)
    b[i] = ldexp(target->points[i], k);
  const scipar_cloud src = {a, source->labels, source->n, NULL}, tgt = {b, target->labels, target->n, NULL};
  for (int m = 0; m < 16; ++m) {
    scipar_options options;
    scipar_options_init(&options);
    options.metric = (scipar_metric)(m / 4);
    options.squared = m % 2;
    options.max_pair_distance = (m / 2) % 2 ? ldexp(2.0, options.squared ? 2 * k : k) : 0.0;
    options.num_threads = 2;
    scipar_result r;
    if (scipar_match(&src, &tgt, &options, &r) != SCIPAR_OK) {
      printf("error: %s\n", r.message);
      continue;
    }
    printf("scale 2^%d metric %d squared %d limit %a\n", k, m / 4, m % 2, options.max_pair_distance);
    dump_side("source", &r.source);
    dump_side("target", &r.target);
    for (size_t p = 0; p < r.num_pairs; ++p)
      printf("pair %lld %lld %a %d%d%d\n", (long long)r.pairs[p].source, (long long)r.pairs[p].target,
             r.pairs[p].distance, r.pairs[p].source_to_target, r.pairs[p].target_to_source, r.pairs[p].mutual);
    scipar_result_free(&r);
  }
  free(a);
  free(b);
}

int main(void)
{
  rng r = {42};
  const cloud_spec specs[] = {
    {8, 400, 20.0, 2.0, LABELS_SEQUENTIAL},
    {25, 30, 10.0, 1.0, LABELS_SPARSE},
    {40, 3, 10.0, 0.5, LABELS_SEQUENTIAL},
  };
  const int ks[] = {0, 515, -1030};
  for (size_t s = 0; s < sizeof specs / sizeof *specs; ++s) {
    test_cloud source = random_cloud(&r, &specs[s]);
    test_cloud target = moved_cloud(&r, &source, 0.3);
    for (size_t i = 0; i < sizeof ks / sizeof *ks; ++i)
      dump(&source, &target, ks[i]);
    test_cloud_free(&source);
    test_cloud_free(&target);
  }
  return 0;
}
