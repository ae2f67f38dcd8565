/* Regions step: every rank learns, for each rank and cloud, the box of the clusters it owns and the
 * box of one of them: a coarse spatial index of who owns what (REGION_WORDS doubles per rank). */
#include "distributed/distributed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double diagonal_squared(const cluster_summary *c)
{
  double sum = 0.0;
  for (int d = 0; d < 3; ++d)
    sum += (c->box_max[d] - c->box_min[d]) * (c->box_max[d] - c->box_min[d]);
  return sum;
}

/* The region of one cloud: its box, then the box of its smallest owned cluster (the tightest upper
 * bound it can offer another rank's query), both empty (+inf, -inf) when nothing is owned. */
static void region_of(const cloud_state *c, double *region)
{
  for (int d = 0; d < 3; ++d) {
    region[d] = region[6 + d] = INFINITY;
    region[3 + d] = region[9 + d] = -INFINITY;
  }
  const cluster_summary *smallest = NULL;
  for (size_t i = 0; i < c->num_owned; ++i) {
    const cluster_summary *o = &c->summary[i];
    for (int d = 0; d < 3; ++d) {
      region[d] = fmin(region[d], o->box_min[d]);
      region[3 + d] = fmax(region[3 + d], o->box_max[d]);
    }
    if (!smallest || diagonal_squared(o) < diagonal_squared(smallest))
      smallest = o;
  }
  if (smallest) {
    memcpy(region + 6, smallest->box_min, 3 * sizeof *region);
    memcpy(region + 9, smallest->box_max, 3 * sizeof *region);
  }
}

void regions_step(rank_state *s)
{
  if (s->stopped)
    return;
  double mine[REGION_WORDS] = {0};
  if (s->status == SCIPAR_OK) {
    region_of(&s->clouds[CLOUD_SOURCE], mine);
    region_of(&s->clouds[CLOUD_TARGET], mine + REGION_WORDS / 2);
  }
  void *all = NULL;
  const int agreed = s->comm->allgather(s->comm->user_data, (int)s->status, mine, sizeof mine, &all);
  if (agreed != 0) {
    if (s->status == SCIPAR_OK)
      s->status = (scipar_status)agreed;
    s->stopped = 1;
    return;
  }
  s->regions = all;
}
