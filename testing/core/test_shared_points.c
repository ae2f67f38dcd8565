/* scipar_mark_shared_points under MPI (run it with mpiexec -n 1, 2, 3): the pieces of a cloud held
 * with copies on several ranks (a slab of points along each cut, as a mesh split by cells shares
 * them; copies of random points anywhere, so that the boxes overlap everywhere; a point held twice by
 * one rank; non-finite points; two distinct points at the same position, one with -0.0 for 0.0), in
 * shuffled order. Every rank's flags must equal a brute-force oracle: a point is shared when a lower
 * rank holds the same point (the same global id with keys, the same position without), and is
 * finite; flags already set stay set. A communicator whose collectives fail gives an error and
 * leaves the flags alone. */
#include "check.h"
#include "random_cloud.h"
#include "scipar_mpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NUM_POINTS = 3000, NUM_TWINS = 40, NUM_NAN = 5 };

typedef struct holding {
  size_t *ids; /* global ids of this rank's points, in local order, possibly repeated */
  size_t n;
} holding;

/* Global points: uniform in [0, 10)^3, then twins (another id, the position of an earlier point; the
 * first with -0.0 for a 0.0 coordinate), then non-finite points. */
static double *global_points(rng *r, size_t total)
{
  double *p = malloc(3 * total * sizeof *p);
  for (size_t i = 0; i < NUM_POINTS; ++i)
    for (int d = 0; d < 3; ++d)
      p[3 * i + d] = 10.0 * rng_uniform(r);
  p[0] = 0.0;
  for (size_t t = 0; t < NUM_TWINS; ++t)
    memcpy(p + 3 * (NUM_POINTS + t), p + 3 * (t * 7), 3 * sizeof *p);
  p[3 * NUM_POINTS] = -0.0;
  for (size_t k = 0; k < NUM_NAN; ++k) {
    const size_t i = NUM_POINTS + NUM_TWINS + k;
    p[3 * i] = k % 2 ? NAN : INFINITY;
    p[3 * i + 1] = p[3 * i + 2] = 5.0;
  }
  return p;
}

/* Which ranks hold point i: its slab by x (the owner), the next rank too within 0.4 of the cut, and
 * 5% of points a random other rank. held[rank] says yes or no. */
static void holders(rng *r, const double *p, size_t i, int size, unsigned char *held)
{
  memset(held, 0, (size_t)size);
  const double x = isfinite(p[0]) ? p[0] : 5.0;
  int owner = (int)(x / 10.0 * size);
  owner = owner < 0 ? 0 : owner >= size ? size - 1 : owner;
  held[owner] = 1;
  const double cut = 10.0 * (owner + 1) / size;
  if (owner + 1 < size && cut - x < 0.4)
    held[owner + 1] = 1;
  if (rng_uniform(r) < 0.05)
    held[rng_below(r, (size_t)size)] = 1;
  if (i >= NUM_POINTS + NUM_TWINS) /* non-finite points: on every rank */
    memset(held, 1, (size_t)size);
  if (i == NUM_POINTS) { /* the -0.0 twin of point 0 (on rank 0): on the last rank only */
    memset(held, 0, (size_t)size);
    held[size - 1] = 1;
  }
}

static holding hold(const double *p, size_t total, int rank, int size, unsigned char *held_by)
{
  rng r = {2018};
  holding h = {malloc(2 * total * sizeof(size_t)), 0};
  for (size_t i = 0; i < total; ++i) {
    holders(&r, p + 3 * i, i, size, held_by + i * (size_t)size);
    if (held_by[i * (size_t)size + (size_t)rank]) {
      h.ids[h.n++] = i;
      if (i % 97 == 0) /* held twice by this rank */
        h.ids[h.n++] = i;
    }
  }
  rng shuffle = {(uint64_t)rank + 99};
  for (size_t k = h.n; k > 1; --k) {
    const size_t j = rng_below(&shuffle, k), t = h.ids[k - 1];
    h.ids[k - 1] = h.ids[j];
    h.ids[j] = t;
  }
  return h;
}

static int same_position(const double *a, const double *b)
{
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2]; /* -0.0 == 0.0; NaN never equal */
}

/* The oracle: point g on `rank` is shared when a lower rank holds the same point. */
static int expected_shared(const double *p, size_t total, const unsigned char *held_by, int size, int rank,
                           size_t g, int with_keys)
{
  const double *x = p + 3 * g;
  if (!(isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2])))
    return 0;
  for (size_t other = 0; other < total; ++other) {
    const int same = with_keys ? other == g : same_position(p + 3 * other, x);
    for (int q = 0; same && q < rank; ++q)
      if (held_by[other * (size_t)size + (size_t)q])
        return 1;
  }
  return 0;
}

static void check_marks(const scipar_comm *comm, const double *p, size_t total, int with_keys)
{
  unsigned char *held_by = malloc(total * (size_t)comm->size);
  holding h = hold(p, total, comm->rank, comm->size, held_by);
  double *points = malloc(3 * (h.n + 1) * sizeof *points);
  int64_t *keys = malloc((h.n + 1) * sizeof *keys);
  unsigned char *flags = malloc(h.n + 1);
  for (size_t i = 0; i < h.n; ++i) {
    memcpy(points + 3 * i, p + 3 * h.ids[i], 3 * sizeof *points);
    keys[i] = (int64_t)h.ids[i] * 3 - 1000; /* any values: negative ones too */
    flags[i] = (unsigned char)(h.ids[i] % 11 == 5); /* already skipped for another reason */
  }
  const scipar_status status =
    scipar_mark_shared_points(points, with_keys ? keys : NULL, h.n, comm, flags);
  CHECK(status == SCIPAR_OK, "rank %d: status %d", comm->rank, (int)status);
  size_t marked = 0, wrong = 0;
  for (size_t i = 0; i < h.n; ++i) {
    const int want = expected_shared(p, total, held_by, comm->size, comm->rank, h.ids[i], with_keys);
    marked += (size_t)want;
    wrong += flags[i] != (unsigned char)(want || h.ids[i] % 11 == 5);
  }
  CHECK(wrong == 0, "rank %d of %d, %s: %zu of %zu flags differ from the oracle (%zu shared)", comm->rank,
        comm->size, with_keys ? "keys" : "positions", wrong, h.n, marked);
  CHECK(comm->rank == 0 || comm->size == 1 || marked > 0, "rank %d: the test shares no point", comm->rank);
  free(held_by);
  free(h.ids);
  free(points);
  free(keys);
  free(flags);
}

/* Collectives that fail as a broken MPI would: every one reports a failure, nothing is received. */
static int failing_exchange(void *u, int status, size_t num_sends, const int *dest, const size_t *send_bytes,
                            const void *send, size_t *num_recvs, int **sources, size_t **recv_bytes, void **recv)
{
  (void)u, (void)status, (void)num_sends, (void)dest, (void)send_bytes, (void)send;
  *num_recvs = 0, *sources = NULL, *recv_bytes = NULL, *recv = NULL;
  return SCIPAR_ERROR_INVALID_ARGUMENT;
}

static int failing_allgather(void *u, int status, const void *s, size_t n, void **recv)
{
  (void)u, (void)status, (void)s, (void)n;
  *recv = NULL;
  return SCIPAR_ERROR_INVALID_ARGUMENT;
}

static int failing_allreduce(void *u, int status, double *values, size_t count)
{
  (void)u, (void)status, (void)values, (void)count;
  return SCIPAR_ERROR_INVALID_ARGUMENT;
}

static void check_failing_communicator(void)
{
  const double points[6] = {1, 2, 3, 1, 2, 3};
  unsigned char flags[2] = {0, 1};
  const scipar_comm broken = {.rank = 0, .size = 1, .exchange = failing_exchange, .allgather = failing_allgather,
                               .allreduce_max = failing_allreduce};
  CHECK(scipar_mark_shared_points(points, NULL, 2, &broken, flags) == SCIPAR_ERROR_INVALID_ARGUMENT,
        "a failing collective must give an error");
  CHECK(flags[0] == 0 && flags[1] == 1, "flags must stay as they were");
  CHECK(scipar_mark_shared_points(points, NULL, 2, NULL, flags) == SCIPAR_ERROR_INVALID_ARGUMENT,
        "no communicator");
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(MPI_COMM_WORLD, &storage);
  rng r = {13};
  const size_t total = NUM_POINTS + NUM_TWINS + NUM_NAN;
  double *p = global_points(&r, total);
  check_marks(&comm, p, total, 0);
  check_marks(&comm, p, total, 1);
  check_failing_communicator();
  free(p);
  scipar_mpi_comm_free(&storage);
  int failed = checks_failed;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  const int code = check_report("test_shared_points");
  MPI_Finalize();
  return code || failed;
}
