/* scipar_mark_shared_points: which points of this rank's piece a lower rank also holds.
 *
 * The pieces of a mesh split by cells share the points of their common faces. Each rank sends to
 * every higher rank the points that lie inside that rank's bounding box (for a spatial split, a thin
 * slab along each cut), and marks its own points found among those received: a shared point then
 * takes part on the lowest rank that holds it only. */
#include "scipar/distributed.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A rank's piece, for the first exchange: the box of its finite points. */
typedef struct piece_box {
  double min[3], max[3];
  int64_t count; /* finite points */
} piece_box;

/* What makes two points the same: their key, or their coordinates bit for bit. */
typedef struct point_identity {
  uint64_t word[3];
} point_identity;

static int is_finite_point(const double *p) { return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]); }

static point_identity identity_of(const double *points, const int64_t *keys, size_t i)
{
  point_identity id = {{0, 0, 0}};
  if (keys) {
    id.word[0] = (uint64_t)keys[i];
    return id;
  }
  for (int d = 0; d < 3; ++d) {
    const double value = points[3 * i + d] == 0.0 ? 0.0 : points[3 * i + d]; /* -0.0 is 0.0 */
    memcpy(&id.word[d], &value, sizeof value);
  }
  return id;
}

static piece_box box_of(const double *points, size_t n)
{
  piece_box box = {{INFINITY, INFINITY, INFINITY}, {-INFINITY, -INFINITY, -INFINITY}, 0};
  for (size_t i = 0; i < n; ++i) {
    const double *p = points + 3 * i;
    if (!is_finite_point(p))
      continue;
    ++box.count;
    for (int d = 0; d < 3; ++d) {
      box.min[d] = fmin(box.min[d], p[d]);
      box.max[d] = fmax(box.max[d], p[d]);
    }
  }
  return box;
}

static int inside(const piece_box *box, const double *p)
{
  return box->count > 0 && p[0] >= box->min[0] && p[0] <= box->max[0] && p[1] >= box->min[1] &&
         p[1] <= box->max[1] && p[2] >= box->min[2] && p[2] <= box->max[2];
}

/* An open-addressing set of identities. */
typedef struct identity_set {
  const point_identity *items;
  size_t *slots; /* index into items, or SIZE_MAX */
  size_t mask;
} identity_set;

static size_t hash_identity(const point_identity *id)
{
  uint64_t h = 0x9E3779B97F4A7C15u;
  for (int d = 0; d < 3; ++d) {
    h ^= id->word[d] + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 31;
  }
  return (size_t)h;
}

static int same_identity(const point_identity *a, const point_identity *b)
{
  return a->word[0] == b->word[0] && a->word[1] == b->word[1] && a->word[2] == b->word[2];
}

static int identity_set_build(identity_set *set, const point_identity *items, size_t count)
{
  size_t capacity = 16;
  while (capacity < 2 * count)
    capacity *= 2;
  set->items = items;
  set->mask = capacity - 1;
  set->slots = malloc(capacity * sizeof *set->slots);
  if (!set->slots)
    return 0;
  for (size_t s = 0; s < capacity; ++s)
    set->slots[s] = SIZE_MAX;
  for (size_t i = 0; i < count; ++i) {
    size_t s = hash_identity(&items[i]) & set->mask;
    while (set->slots[s] != SIZE_MAX && !same_identity(&items[set->slots[s]], &items[i]))
      s = (s + 1) & set->mask;
    set->slots[s] = i;
  }
  return 1;
}

static int identity_set_has(const identity_set *set, const point_identity *id)
{
  for (size_t s = hash_identity(id) & set->mask; set->slots[s] != SIZE_MAX; s = (s + 1) & set->mask)
    if (same_identity(&set->items[set->slots[s]], id))
      return 1;
  return 0;
}

/* The identities of this rank's points inside the box of each higher rank, grouped by rank: one
 * message to each higher rank that gets any, dest[] and send_bytes[] filled, *num_sends set. NULL when
 * memory runs out. */
static point_identity *points_for_higher_ranks(const double *points, const int64_t *keys, size_t n,
                                               const scipar_comm *comm, const piece_box *boxes, int *dest,
                                               size_t *send_bytes, size_t *num_sends)
{
  size_t total = 0;
  *num_sends = 0;
  for (int r = comm->rank + 1; r < comm->size; ++r) {
    size_t count = 0;
    for (size_t i = 0; i < n; ++i)
      count += (size_t)inside(&boxes[r], points + 3 * i);
    if (count > 0) {
      dest[*num_sends] = r;
      send_bytes[(*num_sends)++] = count * sizeof(point_identity);
      total += count;
    }
  }
  point_identity *send = malloc((total + 1) * sizeof *send);
  if (!send)
    return NULL;
  size_t at = 0;
  for (size_t m = 0; m < *num_sends; ++m)
    for (size_t i = 0; i < n; ++i)
      if (inside(&boxes[dest[m]], points + 3 * i))
        send[at++] = identity_of(points, keys, i);
  return send;
}

scipar_status scipar_mark_shared_points(const double *points, const int64_t *keys, size_t num_points,
                                        const scipar_comm *comm, unsigned char *shared)
{
  if (!comm || comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size || !comm->allgather ||
      !comm->exchange || !comm->allreduce_max || (num_points > 0 && (!points || !shared)))
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  const size_t size = (size_t)comm->size;
  /* From here every rank reaches every collective, whatever fails locally, and they agree at the end. */
  int status = SCIPAR_OK;
  int *dest = malloc(size * sizeof *dest);
  size_t *send_bytes = malloc(size * sizeof *send_bytes);
  if (!dest || !send_bytes)
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  const piece_box mine = box_of(points, num_points);
  piece_box *boxes = NULL;
  point_identity *send = NULL;
  void *received = NULL;
  int *sources = NULL;
  size_t *recv_bytes = NULL, num_sends = 0, num_recvs = 0;
  identity_set set = {NULL, NULL, 0};
  void *all = NULL;
  if ((status = comm->allgather(comm->user_data, status, &mine, sizeof mine, &all)) != 0)
    goto done;
  boxes = all;
  send = points_for_higher_ranks(points, keys, num_points, comm, boxes, dest, send_bytes, &num_sends);
  if (!send)
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if ((status = comm->exchange(comm->user_data, status, status ? 0 : num_sends, dest, send_bytes, send, &num_recvs,
                               &sources, &recv_bytes, &received)) != 0)
    goto done;
  size_t count = 0;
  for (size_t m = 0; m < num_recvs; ++m)
    count += recv_bytes[m] / sizeof(point_identity);
  if (!identity_set_build(&set, received, count))
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  /* No rank marks a point unless every rank could take part fully. */
  if ((status = comm->allreduce_max(comm->user_data, status, NULL, 0)) != 0)
    goto done;
  /* Only points inside a lower rank's box can have been sent by one. */
  for (size_t i = 0; count > 0 && i < num_points; ++i) {
    int candidate = 0;
    for (int r = 0; !candidate && r < comm->rank; ++r)
      candidate = inside(&boxes[r], points + 3 * i);
    if (candidate) {
      const point_identity id = identity_of(points, keys, i);
      shared[i] = (unsigned char)(shared[i] | identity_set_has(&set, &id));
    }
  }
done:
  free(dest);
  free(send_bytes);
  free(boxes);
  free(send);
  free(received);
  free(sources);
  free(recv_bytes);
  free(set.slots);
  return (scipar_status)status;
}
