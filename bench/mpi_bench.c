/* The distributed core under MPI, measured per rank: bytes and messages sent and received, collective
 * rounds, peak memory and wall time of scipar_match_distributed (or scipar_match with --serial).
 *
 *   mpiexec -n P scipar_mpi_bench pieces DIR            # DIR/source_<rank>.bin, DIR/target_<rank>.bin
 *   mpiexec -n P scipar_mpi_bench weak N K              # N points and K clusters per rank and cloud
 *   mpiexec -n P scipar_mpi_bench strong N K            # N points and K clusters per cloud in all
 *   options: --repeats R (timed runs, default 3), --threads T (default 1), --serial (1 rank only),
 *            --slabs (weak, strong: the cells are P slabs along x instead of a 3-D grid)
 *
 * A piece file is an int64 n, then n x y z doubles, then n int64 labels (mpi_run.py writes them).
 *
 * The synthetic clouds (weak, strong) are Gaussian clusters (sigma 0.5, sizes varying by a factor
 * ~10, centres uniform in a box with one cluster per 4^3 volume, as bench/clouds.py makes them), and
 * their next frame (each cluster moved by up to 0.15 per axis, points jittered by 0.01, ids 3 i + 1).
 * Space is cut into a grid of P cells, one per rank, and each rank holds the points in its cell, as a
 * spatial partitioner would leave them: clusters on a cell boundary are split. The grid is the least
 * elongated P = gx gy gz, or P x 1 x 1 slabs (--slabs; the x quantiles of a uniform box, as the pieces
 * mode's files are cut), and is printed ("grid"). Each rank generates only the clusters that reach
 * its cell (each cluster from its own random stream), so the driver's memory is what the rank holds.
 * Weak: cells keep their size and the box grows with P; strong: the box is fixed and cells shrink.
 *
 * Rank 0 prints one JSON object with per-rank arrays. Peak memory is the rise of the resident
 * high-water mark over the first call (reset through /proc/self/clear_refs before it). Time is the
 * slowest rank's wall time of a call, median over the repeats, ranks synchronised before each;
 * first_seconds is the first call's, in a fresh process, as a pipeline's single update meets it (the
 * memory allocator has no freed pages to reuse yet). first_faults and faults are each rank's minor page
 * faults in the first call and, on average, in each later one. */
#include "scipar/distributed.h"
#include "scipar_mpi.h"

#include <math.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cloud {
  double *points;
  int64_t *labels;
  size_t n, capacity;
} cloud;

static void cloud_push(cloud *c, const double p[3], int64_t label)
{
  if (c->n == c->capacity) {
    c->capacity = c->capacity ? 2 * c->capacity : 1024;
    c->points = realloc(c->points, 3 * c->capacity * sizeof *c->points);
    c->labels = realloc(c->labels, c->capacity * sizeof *c->labels);
    if (!c->points || !c->labels) {
      fprintf(stderr, "out of memory\n");
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  memcpy(c->points + 3 * c->n, p, 3 * sizeof *p);
  c->labels[c->n++] = label;
}

static uint64_t mix(uint64_t z)
{
  z += UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

typedef struct stream {
  uint64_t state;
} stream;

static double uniform(stream *s) { return (double)(mix(s->state++) >> 11) * 0x1.0p-53; }

static double normal(stream *s)
{
  const double u = 1.0 - uniform(s);
  return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * uniform(s));
}

/* P = gx * gy * gz with the factors as close as possible, gx >= gy >= gz; P x 1 x 1 for slabs. */
static void grid_of(int p, int slabs, int g[3])
{
  g[0] = p, g[1] = 1, g[2] = 1;
  if (slabs)
    return;
  double best = INFINITY;
  for (int a = 1; a <= p; ++a)
    for (int b = 1; a * b <= p; ++b) {
      if (p % (a * b))
        continue;
      const int c = p / (a * b);
      if (a < b || b < c)
        continue;
      const double spread = (double)a / c;
      if (spread < best) {
        best = spread;
        g[0] = a, g[1] = b, g[2] = c;
      }
    }
}

enum { SIGMA_REACH = 6 }; /* a normal sample beyond 6 sigma is a 1e-9 event: the cell test below
                             still keeps every point on exactly one rank */

/* This rank's points of the synthetic source and target clouds. */
static void synthetic(int weak, size_t n, size_t k, const int g[3], int rank, int size, cloud *source, cloud *target)
{
  const double sigma = 0.5, spacing = 4.0, shift = 0.15, jitter = 0.01;
  const size_t clusters = weak ? k * (size_t)size : k;
  const double mean_size = (double)(weak ? n * (size_t)size : n) / (double)clusters;
  double box[3];
  for (int d = 0; d < 3; ++d)
    box[d] = weak ? g[d] * cbrt((double)k) * spacing : cbrt((double)clusters) * spacing;
  const int cell[3] = {rank % g[0], rank / g[0] % g[1], rank / (g[0] * g[1])};
  double lo[3], hi[3];
  for (int d = 0; d < 3; ++d) {
    lo[d] = box[d] * cell[d] / g[d];
    hi[d] = box[d] * (cell[d] + 1) / g[d];
  }
  for (size_t c = 0; c < clusters; ++c) {
    stream s = {mix(c * 4 + 1)};
    double centre[3], move[3];
    for (int d = 0; d < 3; ++d)
      centre[d] = uniform(&s) * box[d];
    const size_t points = (size_t)fmax(1.0, round((0.2 + 1.8 * uniform(&s)) / 1.1 * mean_size));
    for (int d = 0; d < 3; ++d)
      move[d] = shift * (2.0 * uniform(&s) - 1.0);
    int reaches = 1;
    for (int d = 0; d < 3; ++d)
      reaches = reaches && centre[d] + SIGMA_REACH * sigma + shift + jitter >= lo[d] &&
                centre[d] - SIGMA_REACH * sigma - shift - jitter <= hi[d];
    if (!reaches)
      continue;
    stream at = {mix(c * 4 + 2)}, wobble = {mix(c * 4 + 3)};
    for (size_t i = 0; i < points; ++i) {
      double p[3], q[3];
      for (int d = 0; d < 3; ++d)
        p[d] = centre[d] + sigma * normal(&at);
      for (int d = 0; d < 3; ++d)
        q[d] = p[d] + move[d] + jitter * normal(&wobble);
      int mine_p = 1, mine_q = 1;
      for (int d = 0; d < 3; ++d) {
        /* The cell of a coordinate, clamped to the grid: every point lands on exactly one rank. */
        int cp = (int)floor(p[d] / box[d] * g[d]), cq = (int)floor(q[d] / box[d] * g[d]);
        cp = cp < 0 ? 0 : cp >= g[d] ? g[d] - 1 : cp;
        cq = cq < 0 ? 0 : cq >= g[d] ? g[d] - 1 : cq;
        mine_p = mine_p && cp == cell[d];
        mine_q = mine_q && cq == cell[d];
      }
      if (mine_p)
        cloud_push(source, p, (int64_t)c);
      if (mine_q)
        cloud_push(target, q, (int64_t)(3 * c + 1));
    }
  }
}

static void read_piece(const char *path, cloud *c)
{
  FILE *file = fopen(path, "rb");
  int64_t n = 0;
  if (!file || fread(&n, sizeof n, 1, file) != 1 || n < 0) {
    fprintf(stderr, "cannot read %s\n", path);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  c->n = c->capacity = (size_t)n;
  c->points = malloc(3 * c->n * sizeof *c->points + 1);
  c->labels = malloc(c->n * sizeof *c->labels + 1);
  if (fread(c->points, sizeof *c->points, 3 * c->n, file) != 3 * c->n ||
      fread(c->labels, sizeof *c->labels, c->n, file) != c->n) {
    fprintf(stderr, "%s is truncated\n", path);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  fclose(file);
}

static long status_kb(const char *key)
{
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  const size_t length = strlen(key);
  while (status && fgets(line, sizeof line, status))
    if (!strncmp(line, key, length) && line[length] == ':')
      kb = atol(line + length + 1);
  if (status)
    fclose(status);
  return kb;
}

static void reset_peak(void)
{
  FILE *reset = fopen("/proc/self/clear_refs", "w");
  if (reset) {
    fputs("5", reset);
    fclose(reset);
  }
}

static int by_value(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static long minor_faults(void)
{
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/* One call; returns this rank's wall seconds and adds its minor page faults to *faults. */
static double run(const cloud *source, const cloud *target, const scipar_options *options, int serial,
                  scipar_mpi_stats *stats, size_t *pairs, long *faults)
{
  const scipar_cloud s = {source->points, source->labels, source->n, NULL};
  const scipar_cloud t = {target->points, target->labels, target->n, NULL};
  scipar_result result;
  MPI_Barrier(MPI_COMM_WORLD);
  const long faults_before = minor_faults();
  const double start = MPI_Wtime();
  scipar_status status;
  if (serial) {
    status = scipar_match(&s, &t, options, &result);
  } else {
    scipar_mpi_storage storage;
    const scipar_comm comm = scipar_mpi_comm(MPI_COMM_WORLD, &storage);
    status = scipar_match_distributed(&s, &t, options, &comm, &result);
    scipar_mpi_comm_free(&storage);
    if (stats)
      *stats = storage.stats;
  }
  const double seconds = MPI_Wtime() - start;
  *faults += minor_faults() - faults_before;
  if (status != SCIPAR_OK) {
    fprintf(stderr, "match failed: %s\n", result.message);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  *pairs = result.num_pairs;
  scipar_result_free(&result);
  return seconds;
}

static void print_array(const char *name, const double *values, int size, const char *format)
{
  printf(", \"%s\": [", name);
  for (int r = 0; r < size; ++r) {
    printf(r ? ", " : "");
    printf(format, values[r]);
  }
  printf("]");
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int repeats = 3, threads = 1, serial = 0, slabs = 0, arg = 1;
  const char *mode = argc > 1 ? argv[arg++] : "";
  const char *first = NULL, *second = NULL;
  for (; arg < argc; ++arg) {
    if (!strcmp(argv[arg], "--repeats") && arg + 1 < argc)
      repeats = atoi(argv[++arg]);
    else if (!strcmp(argv[arg], "--threads") && arg + 1 < argc)
      threads = atoi(argv[++arg]);
    else if (!strcmp(argv[arg], "--serial"))
      serial = 1;
    else if (!strcmp(argv[arg], "--slabs"))
      slabs = 1;
    else if (!first)
      first = argv[arg];
    else
      second = argv[arg];
  }
  cloud source = {0}, target = {0};
  int grid[3];
  grid_of(size, slabs || !strcmp(mode, "pieces"), grid);
  if (!strcmp(mode, "pieces") && first) {
    char path[4096];
    snprintf(path, sizeof path, "%s/source_%d.bin", first, rank);
    read_piece(path, &source);
    snprintf(path, sizeof path, "%s/target_%d.bin", first, rank);
    read_piece(path, &target);
  } else if ((!strcmp(mode, "weak") || !strcmp(mode, "strong")) && first && second) {
    synthetic(!strcmp(mode, "weak"), (size_t)atoll(first), (size_t)atoll(second), grid, rank, size, &source, &target);
  } else {
    if (rank == 0)
      fprintf(stderr, "usage: scipar_mpi_bench pieces DIR | weak N K | strong N K [--repeats R] "
                      "[--threads T] [--serial] [--slabs]\n");
    MPI_Finalize();
    return 2;
  }
  if (serial && size != 1) {
    if (rank == 0)
      fprintf(stderr, "--serial runs on one rank\n");
    MPI_Finalize();
    return 2;
  }
  scipar_options options;
  scipar_options_init(&options);
  options.num_threads = threads;

  /* Open MPI connects two processes on their first message: connect every pair now, as a parallel
   * pipeline has before any filter runs, so that the first call's time is the call's own. */
  int *hello = calloc((size_t)size * 2, sizeof *hello);
  MPI_Alltoall(hello, 1, MPI_INT, hello + size, 1, MPI_INT, MPI_COMM_WORLD);
  free(hello);
  scipar_mpi_stats stats = {0};
  size_t pairs = 0;
  reset_peak();
  const long before_kb = status_kb("VmRSS");
  long first_faults = 0, later_faults = 0;
  const double first_mine = run(&source, &target, &options, serial, &stats, &pairs, &first_faults);
  const double peak = (double)(status_kb("VmHWM") - before_kb) * 1024.0;
  double first_seconds;
  MPI_Allreduce(&first_mine, &first_seconds, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  double *times = malloc((size_t)(repeats > 0 ? repeats : 1) * sizeof *times);
  for (int i = 0; i < repeats; ++i) {
    const double mine = run(&source, &target, &options, serial, NULL, &pairs, &later_faults);
    MPI_Allreduce(&mine, &times[i], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  }
  qsort(times, (size_t)repeats, sizeof *times, by_value);
  const double median = repeats > 0 ? times[repeats / 2] : 0.0;

  /* Per-rank figures, gathered on rank 0. */
  enum { FIELDS = 10 + SCIPAR_MPI_EXCHANGES };
  double mine[FIELDS] = {(double)stats.bytes_sent, (double)stats.bytes_received, (double)stats.messages_sent,
                         (double)stats.messages_received, (double)stats.collectives, peak,
                         (double)(source.n + target.n), (double)pairs, (double)first_faults,
                         repeats > 0 ? (double)later_faults / repeats : 0.0};
  for (int e = 0; e < SCIPAR_MPI_EXCHANGES; ++e)
    mine[10 + e] = (double)stats.exchange_bytes_received[e];
  double *all = rank == 0 ? malloc((size_t)size * FIELDS * sizeof *all) : NULL;
  MPI_Gather(mine, FIELDS, MPI_DOUBLE, all, FIELDS, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    const char *names[FIELDS] = {"bytes_sent", "bytes_received", "messages_sent", "messages_received",
                                 "collectives", "peak_bytes", "local_points", "pairs", "first_faults",
                                 "faults", "exchange_0", "exchange_1",
                                 "exchange_2", "exchange_3", "exchange_4", "exchange_5", "exchange_6",
                                 "exchange_7"};
    double *column = malloc((size_t)size * sizeof *column);
    printf("{\"mode\": \"%s\", \"ranks\": %d, \"threads\": %d, \"serial\": %s, \"seconds\": %.6g, "
           "\"first_seconds\": %.6g, \"grid\": [%d, %d, %d]", mode, size, threads, serial ? "true" : "false", median,
           first_seconds, grid[0], grid[1], grid[2]);
    for (int f = 0; f < FIELDS; ++f) {
      for (int r = 0; r < size; ++r)
        column[r] = all[r * FIELDS + f];
      print_array(names[f], column, size, "%.0f");
    }
    printf("}\n");
    free(column);
    free(all);
  }
  free(times);
  free(source.points);
  free(source.labels);
  free(target.points);
  free(target.labels);
  MPI_Finalize();
  return 0;
}
