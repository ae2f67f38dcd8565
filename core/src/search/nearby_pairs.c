#include "search/nearby_pairs.h"

#include "distance/distance.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* One found pair, in a thread's buffer until the lists are put together. */
typedef struct found_pair {
  int64_t query; /* position in the query's subset */
  int64_t to;
  double value;
} found_pair;

typedef struct pair_buffer {
  found_pair *pairs;
  size_t count, capacity;
} pair_buffer;

static int buffer_push(pair_buffer *b, found_pair p)
{
  if (b->count == b->capacity) {
    const size_t capacity = b->capacity ? 2 * b->capacity : 256;
    found_pair *grown = realloc(b->pairs, capacity * sizeof *grown);
    if (!grown)
      return 0;
    b->pairs = grown;
    b->capacity = capacity;
  }
  b->pairs[b->count++] = p;
  return 1;
}

typedef struct sized_query {
  int64_t size, position;
} sized_query;

static int larger_first(const void *pa, const void *pb)
{
  const sized_query *a = pa, *b = pb;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return (a->position > b->position) - (a->position < b->position);
}

static int64_t queried_cluster(const pair_query *q, size_t k) { return q->subset ? q->subset[k] : (int64_t)k; }

/* Queried positions, largest clusters first: they are scheduled early so that threads finish together. */
static int64_t *largest_first(const pair_query *q)
{
  const size_t n = q->subset_count;
  sized_query *sized = malloc((n ? n : 1) * sizeof *sized);
  int64_t *order = malloc((n ? n : 1) * sizeof *order);
  if (!sized || !order) {
    free(sized), free(order);
    return NULL;
  }
  for (size_t k = 0; k < n; ++k)
    sized[k] = (sized_query){cluster_set_size(q->from, (size_t)queried_cluster(q, k)), (int64_t)k};
  qsort(sized, n, sizeof *sized, larger_first);
  for (size_t k = 0; k < n; ++k)
    order[k] = sized[k].position;
  free(sized);
  return order;
}

/* Inserts value into the ascending best[0 .. keep) (keep <= 2). */
static void keep_least(double *best, int keep, double value)
{
  if (keep >= 2 && value < best[1])
    best[1] = value;
  if (value < best[0]) {
    if (keep >= 2)
      best[1] = best[0];
    best[0] = value;
  }
}

/* The pairs of the k-th queried cluster into buffer b; best[keep_best] its least values. The stop
 * value only decreases (the gate, or the keep_best-th least value found so far when larger), so a
 * pair evaluated to completion and above the stop at any time is above the final one, and a pair
 * within the final stop is visited (its bound is below its value) and completed. Returns 0 when out
 * of memory. */
static int query_one(const pair_query *q, size_t k, candidate_search *search, pair_buffer *b, double *best)
{
  const cluster_set *from = q->from;
  const size_t c = (size_t)queried_cluster(q, k);
  const cluster_view self = cluster_set_view(from, c);
  for (int i = 0; i < q->keep_best; ++i)
    best[i] = INFINITY;
  double stop = q->keep_best ? INFINITY : q->gate;
  if (!candidate_search_begin(search, from, c))
    return 0;
  const size_t first = b->count;
  int64_t t;
  int failed = 0;
  while (candidate_search_next(search, stop, &t, &failed)) {
    const cluster_view other = cluster_set_view(q->to, (size_t)t);
    double value;
    const int complete = q->measure == PAIR_CHAMFER
                           ? chamfer_bounded(self, other, q->metric, q->squared, stop, &value)
                           : chamfer_one_sided_bounded(self, other, q->metric, q->squared, stop, &value);
    if (!complete || value > stop)
      continue;
    if (!buffer_push(b, (found_pair){(int64_t)k, t, value}))
      return 0;
    if (q->keep_best) {
      keep_least(best, q->keep_best, value);
      const double kth = best[q->keep_best - 1];
      stop = kth > q->gate ? kth : q->gate;
    }
  }
  if (failed)
    return 0;
  /* Drop what the stop went below after it was found. */
  size_t kept = first;
  for (size_t i = first; i < b->count; ++i)
    if (b->pairs[i].value <= stop)
      b->pairs[kept++] = b->pairs[i];
  b->count = kept;
  return 1;
}

/* Targets ascending inside each queried cluster (few pairs each: insertion sort). */
static void sort_targets(pair_list *list, size_t queried)
{
  for (size_t k = 0; k < queried; ++k)
    for (int64_t i = list->offsets[k] + 1; i < list->offsets[k + 1]; ++i)
      for (int64_t j = i; j > list->offsets[k] && list->to[j] < list->to[j - 1]; --j) {
        const int64_t t = list->to[j];
        list->to[j] = list->to[j - 1];
        list->to[j - 1] = t;
        const double v = list->value[j];
        list->value[j] = list->value[j - 1];
        list->value[j - 1] = v;
      }
}

/* The threads' buffers gathered into the list, queried clusters in order. */
static int gather(pair_buffer *buffers, int num_buffers, size_t queried, pair_list *list)
{
  size_t total = 0;
  for (int t = 0; t < num_buffers; ++t)
    total += buffers[t].count;
  list->offsets = calloc(queried + 1, sizeof *list->offsets);
  list->to = malloc((total ? total : 1) * sizeof *list->to);
  list->value = malloc((total ? total : 1) * sizeof *list->value);
  if (!list->offsets || !list->to || !list->value)
    return 0;
  for (int t = 0; t < num_buffers; ++t)
    for (size_t i = 0; i < buffers[t].count; ++i)
      ++list->offsets[buffers[t].pairs[i].query + 1];
  for (size_t k = 0; k < queried; ++k)
    list->offsets[k + 1] += list->offsets[k];
  int64_t *fill = malloc((queried + 1) * sizeof *fill);
  if (!fill)
    return 0;
  memcpy(fill, list->offsets, (queried + 1) * sizeof *fill);
  for (int t = 0; t < num_buffers; ++t)
    for (size_t i = 0; i < buffers[t].count; ++i) {
      const found_pair *p = &buffers[t].pairs[i];
      const int64_t at = fill[p->query]++;
      list->to[at] = p->to;
      list->value[at] = p->value;
    }
  free(fill);
  list->count = total;
  sort_targets(list, queried);
  return 1;
}

scipar_status nearby_pairs(const pair_query *q, int num_threads, progress_state *progress, pair_list *list)
{
  memset(list, 0, sizeof *list);
  const size_t n = q->subset_count;
  int64_t *order = largest_first(q);
  pair_buffer *buffers = calloc((size_t)(num_threads > 0 ? num_threads : 1), sizeof *buffers);
  if (q->keep_best)
    list->best = malloc((n * (size_t)q->keep_best + 1) * sizeof *list->best);
  if (!order || !buffers || (q->keep_best && !list->best)) {
    free(order), free(buffers), free(list->best);
    list->best = NULL;
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  int out_of_memory = 0, num_buffers = 1;
  const long long count = (long long)n;
#pragma omp parallel num_threads(num_threads > 0 ? num_threads : 1)
  {
#pragma omp single
    num_buffers = omp_get_num_threads();
    pair_buffer *mine = &buffers[omp_get_thread_num()];
    candidate_search search =
      candidate_search_make(q->to_hierarchy, q->metric, q->squared, q->measure == PAIR_ONE_SIDED);
#pragma omp for schedule(dynamic, 1)
    for (long long i = 0; i < count; ++i) {
      if (progress_cancelled(progress))
        continue;
      const size_t k = (size_t)order[i];
      if (!query_one(q, k, &search, mine, list->best ? list->best + k * (size_t)q->keep_best : NULL)) {
#pragma omp atomic write
        out_of_memory = 1;
#pragma omp atomic write
        progress->cancelled = 1;
      }
      progress_item_done(progress);
    }
    candidate_search_free(&search);
  }
  scipar_status status = out_of_memory                   ? SCIPAR_ERROR_OUT_OF_MEMORY
                         : progress_cancelled(progress) ? SCIPAR_ERROR_CANCELLED
                         : gather(buffers, num_buffers, n, list) ? SCIPAR_OK
                                                                  : SCIPAR_ERROR_OUT_OF_MEMORY;
  for (int t = 0; t < num_buffers; ++t)
    free(buffers[t].pairs);
  free(buffers);
  free(order);
  if (status != SCIPAR_OK)
    pair_list_free(list);
  return status;
}

void pair_list_free(pair_list *list)
{
  free(list->offsets), free(list->to), free(list->value), free(list->best);
  memset(list, 0, sizeof *list);
}
