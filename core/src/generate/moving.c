/* Moving clusters: a time series with known tracks and events (see scipar/generate.h).
 *
 * The series is planned first, cheaply, for all steps: every track is a sequence of phases, each a
 * shape (a size, spreads along three axes turned at random) moving at a constant velocity, visible or
 * not (a gap). Events end phases and start others: a split starts a track beside its parent's new
 * phase, a merge sends the absorbed track into the survivor, which then grows. The plan comes from one
 * random stream seeded by params->seed, drawn in a fixed order: for each step, each track in turn its
 * event draw (and what the event needs), then the births. A step's points then come from their own
 * streams, one per (step, track) and one for the step's ids, so any step can be made alone, the same
 * every time.
 *
 * True tracks are numbered as a tracker numbers them (by the step they start at, then by their id at
 * that step), so that with a perfect tracking TrackId equals TrueTrackId. */
#include "scipar/generate.h"

#include "generate/random.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPEN = INT64_MAX / 2 };

typedef struct phase {
  int64_t track, first, last;    /* steps; last == OPEN while it lasts */
  double origin[3], velocity[3]; /* centre at `first`; motion per step */
  int64_t size;
  double sigma[3];
  double axes[9]; /* orthonormal columns: point = centre + sum_k sigma_k g_k axes[:, k] */
  int visible;
  int clear_first, clear_last; /* not occluded at its first (last) step: where a split or merge is
                                  judged, the parts' sizes must be what the plan says */
  int64_t previous; /* the track's phase before this one, -1 */
} phase;

typedef struct planned_track {
  int64_t start, end; /* end == OPEN while it lasts */
  int64_t parent, merged_into;
  int64_t phase;        /* its latest phase */
  int64_t locked_until; /* no random event at steps <= this */
} planned_track;

typedef struct plan {
  int64_t steps;
  size_t num_phases, phase_capacity;
  phase *phases;
  size_t num_tracks, track_capacity;
  planned_track *tracks;
  size_t num_events, event_capacity;
  scipar_tracking_event *events; /* internal track numbers until renumbered */
  int64_t *final_id;             /* [num_tracks] the track's number in the output */
} plan;

static void plan_free(plan *p)
{
  free(p->phases), free(p->tracks), free(p->events), free(p->final_id);
  memset(p, 0, sizeof *p);
}

static int grow(void **array, size_t *capacity, size_t needed, size_t size)
{
  if (needed <= *capacity)
    return 1;
  const size_t wanted = *capacity ? 2 * *capacity : 64;
  void *grown = realloc(*array, (wanted > needed ? wanted : needed) * size);
  if (!grown)
    return 0;
  *array = grown;
  *capacity = wanted > needed ? wanted : needed;
  return 1;
}

static void position(const phase *ph, int64_t step, double out[3])
{
  for (int d = 0; d < 3; ++d)
    out[d] = ph->origin[d] + ph->velocity[d] * (double)(step - ph->first);
}

/* The phase of track t covering step, or NULL. */
static const phase *phase_at(const plan *p, int64_t t, int64_t step)
{
  for (int64_t i = p->tracks[t].phase; i >= 0; i = p->phases[i].previous) {
    const phase *ph = &p->phases[i];
    if (ph->first <= step && step <= ph->last)
      return ph;
  }
  return NULL;
}

static int add_event(plan *p, int64_t step, scipar_event_kind kind, int64_t track, int64_t other)
{
  if (!grow((void **)&p->events, &p->event_capacity, p->num_events + 1, sizeof *p->events))
    return 0;
  p->events[p->num_events++] = (scipar_tracking_event){step, kind, track, other};
  return 1;
}

/* Appends a phase (a copy of `from`, or blank) starting at `step`; returns its index, -1 when out of memory. */
static int64_t add_phase(plan *p, int64_t track, int64_t step, const phase *from)
{
  phase copy;
  if (from)
    copy = *from;
  else
    memset(&copy, 0, sizeof copy);
  if (!grow((void **)&p->phases, &p->phase_capacity, p->num_phases + 1, sizeof *p->phases))
    return -1;
  copy.track = track;
  copy.first = step;
  copy.last = OPEN;
  copy.previous = p->tracks[track].phase;
  copy.clear_first = copy.clear_last = 0;
  p->phases[p->num_phases] = copy;
  return (int64_t)p->num_phases++;
}

/* Ends track t's latest phase before `step` and starts a copy at `step` where it then is. */
static int64_t next_phase(plan *p, int64_t t, int64_t step)
{
  phase *current = &p->phases[p->tracks[t].phase];
  phase copy = *current;
  position(current, step, copy.origin);
  current->last = step - 1;
  const int64_t i = add_phase(p, t, step, &copy);
  if (i >= 0)
    p->tracks[t].phase = i;
  return i;
}

static int64_t add_track(plan *p, int64_t start, int64_t parent)
{
  if (!grow((void **)&p->tracks, &p->track_capacity, p->num_tracks + 1, sizeof *p->tracks))
    return -1;
  p->tracks[p->num_tracks] = (planned_track){start, OPEN, parent, -1, -1, start};
  return (int64_t)p->num_tracks++;
}

/* A random rotation (the columns of a random orthonormal frame, from a uniform quaternion). */
static void random_axes(rng *r, double axes[9])
{
  const double u1 = rng_uniform(r), u2 = 6.283185307179586 * rng_uniform(r), u3 = 6.283185307179586 * rng_uniform(r);
  const double a = sqrt(1.0 - u1), b = sqrt(u1);
  const double w = a * sin(u2), x = a * cos(u2), y = b * sin(u3), z = b * cos(u3);
  const double m[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),     2 * (x * z + y * w),
                       2 * (x * y + z * w),     1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                       2 * (x * z - y * w),     2 * (y * z + x * w),     1 - 2 * (x * x + y * y)};
  memcpy(axes, m, sizeof m);
}

/* A new shape and motion drawn from the parameters (its centre set by the caller). */
static void random_phase(rng *r, const scipar_moving_params *params, phase *ph)
{
  const uint64_t sizes = (uint64_t)(params->max_cluster_size - params->min_cluster_size) + 1;
  ph->size = params->min_cluster_size + (int64_t)rng_below(r, sizes);
  for (int d = 0; d < 3; ++d)
    ph->sigma[d] = rng_range(r, params->sigma_min, params->sigma_max);
  random_axes(r, ph->axes);
  double direction[3];
  rng_direction(r, direction);
  const double speed = rng_range(r, params->speed_min, params->speed_max) * params->time_step;
  for (int d = 0; d < 3; ++d)
    ph->velocity[d] = speed * direction[d];
  ph->visible = 1;
}

/* A centre in the box at least `apart` from every cluster alive at `step` (hidden ones too: they will
 * come back there), in up to 50 tries; 0 if none was found (the last try is in out). */
static int free_place(rng *r, const scipar_moving_params *params, const plan *p, int64_t step, double apart,
                      double out[3])
{
  for (int attempt = 0; attempt < 50; ++attempt) {
    for (int d = 0; d < 3; ++d)
      out[d] = rng_range(r, params->box_min, params->box_max);
    int clear = 1;
    for (size_t t = 0; t < p->num_tracks && clear; ++t) {
      const phase *ph = phase_at(p, (int64_t)t, step);
      if (!ph)
        continue;
      double c[3], d2 = 0.0;
      position(ph, step, c);
      for (int d = 0; d < 3; ++d)
        d2 += (c[d] - out[d]) * (c[d] - out[d]);
      clear = d2 >= apart * apart;
    }
    if (clear)
      return 1;
  }
  return 0;
}

/* Whether track t is at least `apart` from every other track alive at `step` but `except`. */
static int clear_of_others(const plan *p, int64_t t, int64_t except, int64_t step, double apart)
{
  double here[3];
  position(phase_at(p, t, step), step, here);
  for (size_t o = 0; o < p->num_tracks; ++o) {
    const phase *ph = (int64_t)o == t || (int64_t)o == except ? NULL : phase_at(p, (int64_t)o, step);
    if (!ph)
      continue;
    double c[3], d2 = 0.0;
    position(ph, step, c);
    for (int d = 0; d < 3; ++d)
      d2 += (c[d] - here[d]) * (c[d] - here[d]);
    if (d2 < apart * apart)
      return 0;
  }
  return 1;
}

static int new_random_track(rng *r, const scipar_moving_params *params, plan *p, int64_t step)
{
  const double apart = 6.0 * params->sigma_max + 2.0;
  double centre[3];
  const int placed = free_place(r, params, p, step, apart, centre);
  if (!placed && step > 0)
    return 1; /* no room for a birth that would not touch another cluster: none */
  const int64_t t = add_track(p, step, -1);
  const int64_t i = t >= 0 ? add_phase(p, t, step, NULL) : -1;
  if (i < 0)
    return 0;
  p->tracks[t].phase = i;
  random_phase(r, params, &p->phases[i]);
  memcpy(p->phases[i].origin, centre, sizeof centre);
  return step == 0 || add_event(p, step, SCIPAR_EVENT_BIRTH, t, -1);
}

/* Track t divides at `step`: a part of 25-45% of its points moves off along its longest axis. */
static int split(rng *r, plan *p, int64_t t, int64_t step, double speed)
{
  const phase before = p->phases[p->tracks[t].phase];
  const double share = rng_range(r, 0.25, 0.45);
  if (before.size < 4)
    return 1;
  int64_t child_size = (int64_t)floor(share * (double)before.size + 0.5);
  child_size = child_size < 1 ? 1 : child_size;
  const double f_child = (double)child_size / (double)before.size;
  int long_axis = 0;
  for (int d = 1; d < 3; ++d)
    if (before.sigma[d] > before.sigma[long_axis])
      long_axis = d;
  double u[3], centre[3];
  for (int d = 0; d < 3; ++d)
    u[d] = before.axes[3 * d + long_axis];
  position(&before, step, centre);
  const double reach = before.sigma[long_axis], separation = fmax(reach, speed);
  const int64_t i = next_phase(p, t, step);
  const int64_t child = i >= 0 ? add_track(p, step, t) : -1;
  const int64_t j = child >= 0 ? add_phase(p, child, step, &before) : -1;
  if (j < 0)
    return 0;
  phase *parent_phase = &p->phases[i], *child_phase = &p->phases[j];
  p->tracks[child].phase = j;
  parent_phase->size = before.size - child_size;
  child_phase->size = child_size;
  for (int d = 0; d < 3; ++d) {
    parent_phase->origin[d] = centre[d] - f_child * reach * u[d];
    child_phase->origin[d] = centre[d] + (1.0 - f_child) * reach * u[d];
    parent_phase->velocity[d] = before.velocity[d] - f_child * separation * u[d];
    child_phase->velocity[d] = before.velocity[d] + (1.0 - f_child) * separation * u[d];
  }
  parent_phase->sigma[long_axis] *= 0.6;
  child_phase->sigma[long_axis] *= 0.6;
  parent_phase->clear_first = child_phase->clear_first = 1;
  p->tracks[t].locked_until = p->tracks[child].locked_until = step + 4;
  return add_event(p, step, SCIPAR_EVENT_SPLIT, child, t);
}

/* Track t starts drifting into its nearest free neighbour at `step`, reaching it when its drift
 * (relative to the neighbour) has covered the distance at the fastest speed, 3 to 8 steps later. Both
 * must be clear of every other cluster. */
static int merge(plan *p, int64_t t, int64_t step, double speed, double apart)
{
  double here[3];
  position(&p->phases[p->tracks[t].phase], step, here);
  int64_t partner = -1;
  double nearest = INFINITY;
  for (size_t o = 0; o < p->num_tracks; ++o) {
    const planned_track *other = &p->tracks[o];
    const phase *ph = phase_at(p, (int64_t)o, step);
    if ((int64_t)o == t || !ph || !ph->visible || other->locked_until >= step || other->end != OPEN ||
        other->start >= step || p->phases[other->phase].last != OPEN)
      continue;
    double c[3], d2 = 0.0;
    position(ph, step, c);
    for (int d = 0; d < 3; ++d)
      d2 += (c[d] - here[d]) * (c[d] - here[d]);
    if (d2 < nearest) {
      nearest = d2;
      partner = (int64_t)o;
    }
  }
  if (partner < 0)
    return 1;
  const int64_t duration = (int64_t)ceil(sqrt(nearest) / speed);
  if (duration > 8 || !clear_of_others(p, t, partner, step, apart) || !clear_of_others(p, partner, t, step, apart))
    return 1;
  const int64_t wait = duration < 3 ? 3 : duration;
  if (step + wait > p->steps - 1)
    return 1;
  /* The larger survives (ties: the older track). */
  const phase *pt = &p->phases[p->tracks[t].phase], *pp = &p->phases[p->tracks[partner].phase];
  const int t_survives = pt->size > pp->size || (pt->size == pp->size && t < partner);
  const int64_t survivor = t_survives ? t : partner, absorbed = t_survives ? partner : t;
  const int64_t meet = step + wait;
  double target[3], from[3];
  position(&p->phases[p->tracks[survivor].phase], meet, target);
  position(&p->phases[p->tracks[absorbed].phase], step, from);
  const int64_t a = next_phase(p, absorbed, step);
  if (a < 0)
    return 0;
  for (int d = 0; d < 3; ++d)
    p->phases[a].velocity[d] = (target[d] - from[d]) / (double)wait;
  p->phases[a].last = meet - 1;
  p->phases[a].clear_last = 1;
  p->tracks[absorbed].end = meet - 1;
  p->tracks[absorbed].merged_into = survivor;
  const phase absorbed_shape = p->phases[a];
  const int64_t s = next_phase(p, survivor, meet);
  if (s < 0)
    return 0;
  p->phases[p->phases[s].previous].clear_last = 1;
  p->phases[s].clear_first = 1;
  p->phases[s].size += absorbed_shape.size;
  for (int d = 0; d < 3; ++d)
    p->phases[s].sigma[d] = fmax(p->phases[s].sigma[d], absorbed_shape.sigma[d]);
  p->tracks[survivor].locked_until = meet + 1;
  p->tracks[absorbed].locked_until = meet;
  return add_event(p, meet, SCIPAR_EVENT_MERGE, absorbed, survivor);
}

/* Track t goes missing for 1..max_gap steps from `step`, and reappears where its motion takes it. */
static int gap(rng *r, const scipar_moving_params *params, plan *p, int64_t t, int64_t step)
{
  const int64_t length = 1 + (int64_t)rng_below(r, (uint64_t)params->max_gap);
  if (step + length > p->steps - 1)
    return 1;
  const int64_t i = next_phase(p, t, step);
  if (i < 0)
    return 0;
  p->phases[i].visible = 0;
  p->phases[i].last = step + length - 1;
  return add_event(p, step + length, SCIPAR_EVENT_GAP, t, -1);
}

static int plan_random(const scipar_moving_params *params, plan *p)
{
  rng r;
  rng_init(&r, params->seed);
  for (int64_t c = 0; c < params->cluster_count; ++c)
    if (!new_random_track(&r, params, p, 0))
      return 0;
  const double apart = 6.0 * params->sigma_max + 2.0, speed = params->speed_max * params->time_step;
  const double pd = params->death_probability, pg = pd + params->gap_probability;
  const double ps = pg + params->split_probability, pm = ps + params->merge_probability;
  for (int64_t step = 1; step < p->steps; ++step) {
    const size_t existing = p->num_tracks;
    for (size_t k = 0; k < existing; ++k) {
      const int64_t t = (int64_t)k;
      planned_track *tr = &p->tracks[t];
      if (tr->end != OPEN)
        continue;
      const phase *ph = &p->phases[tr->phase];
      if (!ph->visible) {
        if (ph->last == step - 1 && next_phase(p, t, step) >= 0)
          p->phases[p->tracks[t].phase].visible = 1;
        else if (ph->last == step - 1)
          return 0;
        continue;
      }
      if (tr->locked_until >= step || ph->first > step)
        continue;
      const double u = rng_uniform(&r);
      /* Events only for clusters clear of the others: the truth must be what the steps show (a merge
       * checks its pair itself). */
      if (u < ps && !clear_of_others(p, t, -1, step, apart))
        continue;
      int ok = 1;
      if (u < pd) {
        p->phases[tr->phase].last = step - 1;
        tr->end = step - 1;
        ok = add_event(p, step, SCIPAR_EVENT_DEATH, t, -1);
      } else if (u < pg) {
        ok = gap(&r, params, p, t, step);
      } else if (u < ps) {
        ok = split(&r, p, t, step, speed);
      } else if (u < pm) {
        ok = merge(p, t, step, speed, apart);
      }
      if (!ok)
        return 0;
    }
    const double whole = floor(params->birth_rate);
    const int64_t births = (int64_t)whole + (rng_uniform(&r) < params->birth_rate - whole);
    for (int64_t b = 0; b < births; ++b)
      if (!new_random_track(&r, params, p, step))
        return 0;
  }
  return 1;
}

/* Pairs of a rod and a blob crossing head on: the rod's long axis across its motion, the blob slightly
 * above its path; crossings half the pairs at a step, half between two steps. */
static int plan_close_pass(const scipar_moving_params *params, plan *p)
{
  rng r;
  rng_init(&r, params->seed);
  int64_t grid = 1;
  while (grid * grid * grid < params->cluster_count)
    ++grid;
  for (int64_t pair = 0; pair < params->cluster_count; ++pair) {
    const double crossing[3] = {params->box_min + 40.0 * (double)(pair % grid),
                                params->box_min + 40.0 * (double)((pair / grid) % grid),
                                params->box_min + 40.0 * (double)(pair / (grid * grid))};
    const double angle = 6.283185307179586 * rng_uniform(&r);
    const double speed = rng_range(&r, params->speed_min, params->speed_max) * params->time_step;
    const double along[3] = {cos(angle), sin(angle), 0.0}, across[3] = {-sin(angle), cos(angle), 0.0};
    const double when = 0.5 * (double)(p->steps - 1) + 0.5 * (double)(pair % 2);
    for (int side = 0; side < 2; ++side) {
      const int64_t t = add_track(p, 0, -1);
      const int64_t i = t >= 0 ? add_phase(p, t, 0, NULL) : -1;
      if (i < 0)
        return 0;
      p->tracks[t].phase = i;
      phase *ph = &p->phases[i];
      const double sign = side == 0 ? 1.0 : -1.0;
      for (int d = 0; d < 3; ++d) {
        ph->velocity[d] = sign * speed * along[d];
        ph->origin[d] = crossing[d] - sign * speed * when * along[d] + (side == 1 && d == 2 ? 0.5 : 0.0);
        ph->axes[3 * d] = across[d];
        ph->axes[3 * d + 1] = along[d];
        ph->axes[3 * d + 2] = d == 2 ? 1.0 : 0.0;
      }
      ph->size = side == 0 ? 60 : 40;
      const double rod[3] = {5.0, 0.3, 0.3}, blob[3] = {0.8, 0.8, 0.8};
      memcpy(ph->sigma, side == 0 ? rod : blob, sizeof ph->sigma);
      ph->visible = 1;
    }
  }
  return 1;
}

/* The clusters visible at `step`, by internal track (ascending); returns their count. */
static size_t visible_at(const plan *p, int64_t step, const phase **out)
{
  size_t k = 0;
  for (size_t t = 0; t < p->num_tracks; ++t) {
    const phase *ph = phase_at(p, (int64_t)t, step);
    if (ph && ph->visible)
      out[k++] = ph;
  }
  return k;
}

static uint64_t stream_seed(uint64_t seed, uint64_t a, uint64_t b)
{
  rng r;
  rng_init(&r, seed ^ (a * UINT64_C(0xD1B54A32D192ED03)) ^ (b * UINT64_C(0xABC98388FB8FAC03)));
  return rng_next(&r);
}

/* The step's ids: a random permutation of 0 .. k-1, its own stream. */
static void step_ids(uint64_t seed, int64_t step, size_t k, int64_t *ids)
{
  rng r;
  rng_init(&r, stream_seed(seed, (uint64_t)step, UINT64_MAX));
  for (size_t i = 0; i < k; ++i)
    ids[i] = (int64_t)i;
  for (size_t i = k; i > 1; --i) {
    const size_t j = (size_t)rng_below(&r, (uint64_t)i);
    const int64_t t = ids[i - 1];
    ids[i - 1] = ids[j];
    ids[j] = t;
  }
}

typedef struct start_key {
  int64_t step, id, track;
} start_key;

static int by_start(const void *pa, const void *pb)
{
  const start_key *a = pa, *b = pb;
  if (a->step != b->step)
    return a->step < b->step ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* final_id: tracks ordered by (start step, id at that step). */
static int renumber(const scipar_moving_params *params, plan *p)
{
  const size_t n = p->num_tracks;
  start_key *keys = malloc((n + 1) * sizeof *keys);
  const phase **visible = malloc((n + 1) * sizeof *visible);
  int64_t *ids = malloc((n + 1) * sizeof *ids);
  p->final_id = malloc((n + 1) * sizeof *p->final_id);
  if (!keys || !visible || !ids || !p->final_id) {
    free(keys), free(visible), free(ids);
    return 0;
  }
  for (size_t t = 0; t < n; ++t)
    keys[t] = (start_key){p->tracks[t].start, -1, (int64_t)t};
  for (int64_t step = 0; step < p->steps; ++step) {
    const size_t k = visible_at(p, step, visible);
    step_ids(params->seed, step, k, ids);
    for (size_t j = 0; j < k; ++j)
      if (p->tracks[visible[j]->track].start == step)
        keys[visible[j]->track].id = ids[j];
  }
  qsort(keys, n, sizeof *keys, by_start);
  for (size_t i = 0; i < n; ++i)
    p->final_id[keys[i].track] = (int64_t)i;
  free(keys), free(visible), free(ids);
  return 1;
}

static int fail(char *message, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(message, 256, format, args);
  va_end(args);
  return 0;
}

static int check_params(const scipar_moving_params *q, char *message)
{
  if (!q)
    return fail(message, "no parameters given");
  if (q->scene != SCIPAR_SCENE_RANDOM && q->scene != SCIPAR_SCENE_CLOSE_PASS)
    return fail(message, "unknown scene %d", (int)q->scene);
  if (q->step_count < 1 || q->step_count > (int64_t)1 << 40)
    return fail(message, "step count %lld must be at least 1", (long long)q->step_count);
  if (!(q->time_step > 0.0) || !isfinite(q->time_step))
    return fail(message, "time step %g must be a finite number > 0", q->time_step);
  if (q->cluster_count < 0 || q->cluster_count > (int64_t)1 << 32)
    return fail(message, "cluster count %lld must be in [0, 2^32]", (long long)q->cluster_count);
  if (q->min_cluster_size < 1 || q->max_cluster_size < q->min_cluster_size || q->max_cluster_size > (int64_t)1 << 32)
    return fail(message, "cluster sizes [%lld, %lld]: need 1 <= min <= max", (long long)q->min_cluster_size,
                (long long)q->max_cluster_size);
  if (!isfinite(q->box_min) || !isfinite(q->box_max) || q->box_min > q->box_max)
    return fail(message, "box range [%g, %g] must be finite with min <= max", q->box_min, q->box_max);
  if (!isfinite(q->sigma_max) || !(q->sigma_min > 0.0) || q->sigma_min > q->sigma_max)
    return fail(message, "sigma range [%g, %g]: need 0 < min <= max, finite", q->sigma_min, q->sigma_max);
  if (!isfinite(q->speed_max) || !(q->speed_min >= 0.0) || q->speed_min > q->speed_max)
    return fail(message, "speed range [%g, %g]: need 0 <= min <= max, finite", q->speed_min, q->speed_max);
  const double probabilities[] = {q->occlusion_probability, q->death_probability, q->gap_probability,
                                  q->split_probability, q->merge_probability};
  const char *names[] = {"occlusion probability", "death probability", "gap probability", "split probability",
                         "merge probability"};
  for (int i = 0; i < 5; ++i)
    if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0))
      return fail(message, "%s %g must be in [0, 1]", names[i], probabilities[i]);
  if (q->death_probability + q->gap_probability + q->split_probability + q->merge_probability > 1.0)
    return fail(message, "the death, gap, split and merge probabilities add up to more than 1");
  if (!(q->occlusion_fraction >= 0.0 && q->occlusion_fraction < 1.0))
    return fail(message, "occlusion fraction %g must be in [0, 1)", q->occlusion_fraction);
  if (!(q->birth_rate >= 0.0) || q->birth_rate > 1e6)
    return fail(message, "birth rate %g must be a number in [0, 1e6]", q->birth_rate);
  if (q->max_gap < 1)
    return fail(message, "max gap %lld must be at least 1", (long long)q->max_gap);
  return 1;
}

static int make_plan(const scipar_moving_params *params, plan *p, char *message)
{
  memset(p, 0, sizeof *p);
  if (!check_params(params, message))
    return -1;
  p->steps = params->step_count;
  const int ok = params->scene == SCIPAR_SCENE_CLOSE_PASS ? plan_close_pass(params, p) : plan_random(params, p);
  if (!ok || !renumber(params, p)) {
    plan_free(p);
    return fail(message, "out of memory while planning %lld steps", (long long)params->step_count);
  }
  for (size_t t = 0; t < p->num_tracks; ++t)
    if (p->tracks[t].end == OPEN)
      p->tracks[t].end = p->steps - 1;
  return 1;
}

void scipar_moving_params_init(scipar_moving_params *params)
{
  memset(params, 0, sizeof *params);
  params->scene = SCIPAR_SCENE_RANDOM;
  params->step_count = 20;
  params->time_step = 1.0;
  params->cluster_count = 20;
  params->min_cluster_size = 30;
  params->max_cluster_size = 80;
  params->seed = 1;
  params->box_min = 0.0;
  params->box_max = 100.0;
  params->sigma_min = 0.5;
  params->sigma_max = 2.5;
  params->speed_min = 0.5;
  params->speed_max = 2.0;
  params->occlusion_probability = 0.1;
  params->occlusion_fraction = 0.3;
  params->birth_rate = 0.5;
  params->death_probability = 0.01;
  params->gap_probability = 0.02;
  params->max_gap = 2;
  params->split_probability = 0.01;
  params->merge_probability = 0.01;
}

typedef struct projected {
  double along;
  int64_t index;
} projected;

static int by_projection(const void *pa, const void *pb)
{
  const projected *a = pa, *b = pb;
  if (a->along != b->along)
    return a->along < b->along ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* Draws a visible cluster's points at `step` into out (3 per point); returns how many remain after
 * occlusion (at least 1). scratch holds size entries. */
static int64_t draw_cluster(const scipar_moving_params *params, const phase *ph, int64_t step, double *out,
                            projected *scratch)
{
  rng r;
  rng_init(&r, stream_seed(params->seed, (uint64_t)step, (uint64_t)ph->track));
  double centre[3];
  position(ph, step, centre);
  for (int64_t i = 0; i < ph->size; ++i) {
    const double g[3] = {rng_normal(&r), rng_normal(&r), rng_normal(&r)};
    for (int d = 0; d < 3; ++d)
      out[3 * i + d] = centre[d] + ph->sigma[0] * g[0] * ph->axes[3 * d] + ph->sigma[1] * g[1] * ph->axes[3 * d + 1] +
                       ph->sigma[2] * g[2] * ph->axes[3 * d + 2];
  }
  const int clear = (ph->clear_first && step == ph->first) || (ph->clear_last && step == ph->last);
  if (!(rng_uniform(&r) < params->occlusion_probability) || clear)
    return ph->size;
  /* Hidden: the share of the points farthest along a random direction (a side turned away). */
  double direction[3];
  rng_direction(&r, direction);
  int64_t keep = ph->size - (int64_t)floor(params->occlusion_fraction * (double)ph->size + 0.5);
  keep = keep < 1 ? 1 : keep;
  for (int64_t i = 0; i < ph->size; ++i)
    scratch[i] = (projected){out[3 * i] * direction[0] + out[3 * i + 1] * direction[1] + out[3 * i + 2] * direction[2], i};
  qsort(scratch, (size_t)ph->size, sizeof *scratch, by_projection);
  /* Keep the `keep` lowest, in their drawn order. */
  for (int64_t i = 0; i < keep; ++i)
    scratch[i].along = (double)scratch[i].index;
  qsort(scratch, (size_t)keep, sizeof *scratch, by_projection);
  for (int64_t i = 0; i < keep; ++i)
    memmove(out + 3 * i, out + 3 * scratch[i].index, 3 * sizeof *out);
  return keep;
}

static scipar_status step_fail(scipar_generated *result, scipar_status status, const char *message)
{
  scipar_generated_free(result);
  snprintf(result->message, sizeof result->message, "%s", message);
  return status;
}

scipar_status scipar_moving_clusters_step(const scipar_moving_params *params, int64_t step,
                                          scipar_generated *result)
{
  memset(result, 0, sizeof *result);
  plan p;
  char message[256];
  const int made = make_plan(params, &p, message);
  if (made < 0)
    return step_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, message);
  if (made == 0)
    return step_fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, message);
  if (step < 0 || step >= p.steps) {
    snprintf(message, sizeof message, "step %lld is outside the series' steps 0 .. %lld", (long long)step,
             (long long)p.steps - 1);
    plan_free(&p);
    return step_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, message);
  }
  const phase **visible = malloc((p.num_tracks + 1) * sizeof *visible);
  const size_t k = visible ? visible_at(&p, step, visible) : 0;
  size_t most = 0, largest = 1;
  for (size_t j = 0; j < k; ++j) {
    most += (size_t)visible[j]->size;
    largest = (size_t)visible[j]->size > largest ? (size_t)visible[j]->size : largest;
  }
  int64_t *ids = malloc((k + 1) * sizeof *ids);
  projected *scratch = malloc(largest * sizeof *scratch);
  result->points = malloc((3 * most + 1) * sizeof *result->points);
  result->labels = malloc((most + 1) * sizeof *result->labels);
  result->true_labels = malloc((most + 1) * sizeof *result->true_labels);
  result->cluster_labels = malloc((k + 1) * sizeof *result->cluster_labels);
  result->cluster_tracks = malloc((k + 1) * sizeof *result->cluster_tracks);
  result->cluster_sizes = malloc((k + 1) * sizeof *result->cluster_sizes);
  result->cluster_centers = malloc((3 * k + 1) * sizeof *result->cluster_centers);
  if (!visible || !ids || !scratch || !result->points || !result->labels || !result->true_labels ||
      !result->cluster_labels || !result->cluster_tracks || !result->cluster_sizes || !result->cluster_centers) {
    free(visible), free(ids), free(scratch);
    plan_free(&p);
    return step_fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for a step's points");
  }
  step_ids(params->seed, step, k, ids);
  size_t n = 0;
  for (size_t j = 0; j < k; ++j) {
    const phase *ph = visible[j];
    const int64_t kept = draw_cluster(params, ph, step, result->points + 3 * n, scratch);
    const int64_t id = ids[j], track = p.final_id[ph->track];
    for (int64_t i = 0; i < kept; ++i, ++n) {
      result->labels[n] = id;
      result->true_labels[n] = track;
    }
    /* Ids are 0 .. k-1: cluster arrays are indexed by id. */
    result->cluster_labels[id] = id;
    result->cluster_tracks[id] = track;
    result->cluster_sizes[id] = kept;
    position(ph, step, result->cluster_centers + 3 * id);
  }
  result->num_points = n;
  result->num_clusters = k;
  free(visible), free(ids), free(scratch);
  plan_free(&p);
  return SCIPAR_OK;
}

static int event_before(const void *pa, const void *pb)
{
  const scipar_tracking_event *a = pa, *b = pb;
  if (a->step != b->step)
    return a->step < b->step ? -1 : 1;
  if (a->track != b->track)
    return a->track < b->track ? -1 : 1;
  return (a->kind > b->kind) - (a->kind < b->kind);
}

void scipar_moving_truth_free(scipar_moving_truth *truth)
{
  if (!truth)
    return;
  free(truth->times), free(truth->track_start_steps), free(truth->track_end_steps), free(truth->track_parents);
  free(truth->track_merged_into), free(truth->events);
  char message[sizeof truth->message];
  memcpy(message, truth->message, sizeof message);
  memset(truth, 0, sizeof *truth);
  memcpy(truth->message, message, sizeof message);
}

scipar_status scipar_moving_clusters_truth(const scipar_moving_params *params, scipar_moving_truth *truth)
{
  memset(truth, 0, sizeof *truth);
  plan p;
  const int made = make_plan(params, &p, truth->message);
  if (made <= 0)
    return made < 0 ? SCIPAR_ERROR_INVALID_ARGUMENT : SCIPAR_ERROR_OUT_OF_MEMORY;
  const size_t n = p.num_tracks, steps = (size_t)p.steps;
  truth->times = malloc(steps * sizeof *truth->times);
  truth->track_start_steps = malloc((n + 1) * sizeof(int64_t));
  truth->track_end_steps = malloc((n + 1) * sizeof(int64_t));
  truth->track_parents = malloc((n + 1) * sizeof(int64_t));
  truth->track_merged_into = malloc((n + 1) * sizeof(int64_t));
  truth->events = malloc((p.num_events + 1) * sizeof *truth->events);
  if (!truth->times || !truth->track_start_steps || !truth->track_end_steps || !truth->track_parents ||
      !truth->track_merged_into || !truth->events) {
    plan_free(&p);
    scipar_moving_truth_free(truth);
    snprintf(truth->message, sizeof truth->message, "out of memory for %zu tracks", n);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  truth->num_steps = steps;
  for (size_t s = 0; s < steps; ++s)
    truth->times[s] = (double)s * params->time_step;
  truth->num_tracks = n;
  for (size_t t = 0; t < n; ++t) {
    const planned_track *tr = &p.tracks[t];
    const int64_t f = p.final_id[t];
    truth->track_start_steps[f] = tr->start;
    truth->track_end_steps[f] = tr->end;
    truth->track_parents[f] = tr->parent >= 0 ? p.final_id[tr->parent] : -1;
    truth->track_merged_into[f] = tr->merged_into >= 0 ? p.final_id[tr->merged_into] : -1;
  }
  truth->num_events = p.num_events;
  for (size_t e = 0; e < p.num_events; ++e) {
    scipar_tracking_event ev = p.events[e];
    ev.track = p.final_id[ev.track];
    ev.other_track = ev.other_track >= 0 ? p.final_id[ev.other_track] : -1;
    truth->events[e] = ev;
  }
  qsort(truth->events, truth->num_events, sizeof *truth->events, event_before);
  plan_free(&p);
  return SCIPAR_OK;
}
