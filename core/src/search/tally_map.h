/* What a neighbourhood search learns of each cluster of the other side it meets, looked up by cluster
 * index: a direct table when the other side has few clusters, an open-addressing hash map otherwise.
 * Cleared between queries in constant time (entries are stamped with a generation). */
#ifndef SCIPAR_TALLY_MAP_H
#define SCIPAR_TALLY_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cluster_tally {
  int64_t cluster;
  int64_t last_point; /* the query point that last met it */
  double point_min;   /* that point's least squared distance to it */
  double sum;         /* over the query points that met it: sum (for Hausdorff, max) of their terms */
  int64_t count;      /* query points that met it */
} cluster_tally;

typedef struct tally_map {
  int dense;              /* tally[] indexed by cluster; else by insertion, found through slots */
  size_t num_clusters;
  cluster_tally *tally;
  uint64_t *stamp;        /* dense: per tally; hashed: per slot */
  size_t *slot_tally;     /* hashed */
  size_t capacity;        /* dense: num_clusters; hashed: slots (a power of two) */
  uint64_t generation;
  size_t *met;            /* tallies met since the last clear, in order */
  size_t num_met, met_capacity;
} tally_map;

/* An empty map for clusters 0 .. num_clusters - 1 (allocated at the first use). */
void tally_map_init(tally_map *map, size_t num_clusters);
void tally_map_free(tally_map *map);

/* Forgets every tally. */
void tally_map_clear(tally_map *map);

cluster_tally *tally_map_get_slow(tally_map *map, int64_t c);

/* The tally of cluster c, new (zero counts, last_point -1) when c was not met since the last clear;
 * NULL when out of memory. Pointers stay valid until the next call. */
static inline cluster_tally *tally_map_get(tally_map *map, int64_t c)
{
  if (map->dense && map->stamp && map->stamp[c] == map->generation)
    return &map->tally[c];
  return tally_map_get_slow(map, c);
}

static inline cluster_tally *tally_map_met(const tally_map *map, size_t i)
{
  return &map->tally[map->met[i]];
}

#endif
