/*
 * One contender on one workload, in a process of its own, for the benchmark's memory column (and for
 * profiling without Python):
 *
 *   scipar-bench-run CLOUDS scipar THREADS
 *   scipar-bench-run CLOUDS limit THREADS PAIRS
 *   scipar-bench-run CLOUDS brute THREADS
 *
 * CLOUDS holds "SCIPARB1", uint64 source and target point counts, then source points (3 doubles
 * each), source labels (int64), target points, target labels. PAIRS holds a uint64 count, then the
 * pairs' source ids and target ids (int64). Prints one JSON line: the seconds of the run and the
 * process's peak resident memory (VmHWM), which includes the input it read.
 */
#include "scipar/scipar.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double scipar_limit_values(const double *a, const int64_t *a_labels, size_t na, const double *b,
                           const int64_t *b_labels, size_t nb, const int64_t *pair_a, const int64_t *pair_b,
                           size_t num_pairs, int threads, double *values);
double scipar_brute_force(const double *a, const int64_t *a_labels, size_t na, const double *b,
                          const int64_t *b_labels, size_t nb, int threads, int64_t *a_nearest, int64_t *b_nearest);

static void *read_exactly(FILE *f, size_t bytes, const char *path)
{
  void *data = malloc(bytes ? bytes : 1);
  if (!data || fread(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "%s: cannot read %zu bytes\n", path, bytes);
    exit(1);
  }
  return data;
}

static long status_kb(const char *key)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long value = -1;
  const size_t length = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, length) && line[length] == ':')
      value = strtol(line + length + 1, NULL, 10);
  if (f)
    fclose(f);
  return value;
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
  if (argc < 4 || (!strcmp(argv[2], "limit") && argc < 5)) {
    fprintf(stderr, "usage: %s CLOUDS scipar|limit|brute THREADS [PAIRS]\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  char magic[8];
  uint64_t counts[2];
  if (!f || fread(magic, 1, 8, f) != 8 || memcmp(magic, "SCIPARB1", 8) || fread(counts, 8, 2, f) != 2) {
    fprintf(stderr, "%s: not a cloud file\n", argv[1]);
    return 1;
  }
  const size_t na = counts[0], nb = counts[1];
  double *a = read_exactly(f, 24 * na, argv[1]);
  int64_t *a_ids = read_exactly(f, 8 * na, argv[1]);
  double *b = read_exactly(f, 24 * nb, argv[1]);
  int64_t *b_ids = read_exactly(f, 8 * nb, argv[1]);
  fclose(f);
  const int threads = atoi(argv[3]);
  double seconds = -1.0;
  if (!strcmp(argv[2], "scipar")) {
    const scipar_cloud source = {a, a_ids, na, NULL}, target = {b, b_ids, nb, NULL};
    scipar_options options;
    scipar_options_init(&options);
    options.num_threads = threads;
    scipar_result result;
    const double start = now();
    if (scipar_match(&source, &target, &options, &result) != SCIPAR_OK) {
      fprintf(stderr, "scipar_match: %s\n", result.message);
      return 1;
    }
    seconds = now() - start;
    scipar_result_free(&result);
  } else if (!strcmp(argv[2], "limit")) {
    FILE *p = fopen(argv[4], "rb");
    uint64_t np;
    if (!p || fread(&np, 8, 1, p) != 1) {
      fprintf(stderr, "%s: not a pairs file\n", argv[4]);
      return 1;
    }
    int64_t *pa = read_exactly(p, 8 * np, argv[4]), *pb = read_exactly(p, 8 * np, argv[4]);
    fclose(p);
    double *values = malloc((np + 1) * sizeof *values);
    seconds = scipar_limit_values(a, a_ids, na, b, b_ids, nb, pa, pb, np, threads, values);
    free(values);
    free(pa);
    free(pb);
  } else if (!strcmp(argv[2], "brute")) {
    int64_t *an = malloc((na + 1) * sizeof *an), *bn = malloc((nb + 1) * sizeof *bn);
    seconds = scipar_brute_force(a, a_ids, na, b, b_ids, nb, threads, an, bn);
    free(an);
    free(bn);
  } else {
    fprintf(stderr, "unknown contender %s\n", argv[2]);
    return 2;
  }
  if (seconds < 0) {
    fprintf(stderr, "%s failed (out of memory?)\n", argv[2]);
    return 1;
  }
  printf("{\"seconds\": %.9g, \"peak_bytes\": %ld, \"input_bytes\": %zu}\n", seconds, status_kb("VmHWM") * 1024,
         32 * (na + nb));
  free(a);
  free(a_ids);
  free(b);
  free(b_ids);
  return 0;
}
