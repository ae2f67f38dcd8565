#include "search/tally_map.h"

#include <stdlib.h>
#include <string.h>

/* Up to this many clusters, a direct table (tens of bytes per cluster, per thread). */
enum { DENSE_CLUSTERS = 1 << 16 };

void tally_map_init(tally_map *map, size_t num_clusters)
{
  memset(map, 0, sizeof *map);
  map->num_clusters = num_clusters;
  map->dense = num_clusters <= DENSE_CLUSTERS;
}

void tally_map_free(tally_map *map)
{
  free(map->tally);
  free(map->stamp);
  free(map->slot_tally);
  free(map->met);
  memset(map, 0, sizeof *map);
}

void tally_map_clear(tally_map *map)
{
  map->num_met = 0;
  ++map->generation;
}

static size_t hash_cluster(int64_t c, size_t mask)
{
  return (size_t)(((uint64_t)c * UINT64_C(0x9E3779B97F4A7C15)) >> 17) & mask;
}

static int grow_met(tally_map *map)
{
  const size_t capacity = map->met_capacity ? 2 * map->met_capacity : 1024;
  size_t *met = realloc(map->met, capacity * sizeof *met);
  if (!met)
    return 0;
  map->met = met;
  map->met_capacity = capacity;
  return 1;
}

/* Hashed: doubles the slots and the tallies, re-inserting those met since the last clear. */
static int grow_hashed(tally_map *map)
{
  const size_t capacity = map->capacity ? 2 * map->capacity : 2048;
  size_t *slot_tally = malloc(capacity * sizeof *slot_tally);
  uint64_t *stamp = calloc(capacity, sizeof *stamp);
  cluster_tally *tally = realloc(map->tally, capacity / 2 * sizeof *tally);
  if (tally)
    map->tally = tally;
  if (!slot_tally || !stamp || !tally) {
    free(slot_tally);
    free(stamp);
    return 0;
  }
  free(map->slot_tally);
  free(map->stamp);
  map->slot_tally = slot_tally;
  map->stamp = stamp;
  map->capacity = capacity;
  map->generation = 1;
  const size_t mask = capacity - 1;
  for (size_t i = 0; i < map->num_met; ++i) {
    size_t s = hash_cluster(map->tally[map->met[i]].cluster, mask);
    while (map->stamp[s] == map->generation)
      s = (s + 1) & mask;
    map->stamp[s] = map->generation;
    map->slot_tally[s] = map->met[i];
  }
  return 1;
}

static cluster_tally *fresh(tally_map *map, size_t at, int64_t c)
{
  map->met[map->num_met++] = at;
  cluster_tally *t = &map->tally[at];
  *t = (cluster_tally){c, -1, 0.0, 0.0, 0};
  return t;
}

cluster_tally *tally_map_get_slow(tally_map *map, int64_t c)
{
  if (map->num_met == map->met_capacity && !grow_met(map))
    return NULL;
  if (map->dense) {
    if (!map->tally) {
      map->tally = malloc((map->num_clusters + 1) * sizeof *map->tally);
      map->stamp = calloc(map->num_clusters + 1, sizeof *map->stamp);
      map->capacity = map->num_clusters;
      if (!map->tally || !map->stamp)
        return NULL;
      if (map->generation == 0)
        map->generation = 1;
    }
    if (map->stamp[c] == map->generation)
      return &map->tally[c];
    map->stamp[c] = map->generation;
    return fresh(map, (size_t)c, c);
  }
  if (2 * (map->num_met + 1) > map->capacity && !grow_hashed(map))
    return NULL;
  const size_t mask = map->capacity - 1;
  size_t s = hash_cluster(c, mask);
  while (map->stamp[s] == map->generation) {
    cluster_tally *found = &map->tally[map->slot_tally[s]];
    if (found->cluster == c)
      return found;
    s = (s + 1) & mask;
  }
  map->stamp[s] = map->generation;
  map->slot_tally[s] = map->num_met;
  return fresh(map, map->num_met, c);
}
