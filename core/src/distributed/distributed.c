/* scipar_match_distributed: the steps of distributed.h in order, every rank through every
 * collective, and the helpers they share. */
#include "scipar/distributed.h"

#include "call/call.h"
#include "call/scale.h"
#include "distributed/distributed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rank_fail(rank_state *s, scipar_status status)
{
  if (s->status == SCIPAR_OK) {
    s->status = status;
    s->failed_here = 1;
  }
}

void rank_exchange(rank_state *s, outbox *out, inbox *in)
{
  memset(in, 0, sizeof *in);
  if (s->stopped) {
    outbox_free(out);
    return;
  }
  const scipar_status agreed = mail_exchange(s->comm, s->status, out, in);
  if (agreed != SCIPAR_OK) {
    if (s->status == SCIPAR_OK)
      s->status = agreed;
    s->stopped = 1;
  }
}

int64_t local_index(const cloud_state *c, int64_t id)
{
  const size_t k = c->local.num_clusters;
  if (k == 0)
    return -1;
  if (c->local_of_id) {
    const uint64_t v = (uint64_t)id - (uint64_t)c->local.ids[0];
    return v <= (uint64_t)c->local.ids[k - 1] - (uint64_t)c->local.ids[0] ? c->local_of_id[v] : -1;
  }
  const int64_t i = cluster_set_find(&c->local, id);
  return c->local.ids[i] == id ? i : -1;
}

void index_local_ids(cloud_state *c)
{
  c->local_of_id = cluster_set_id_table(&c->local, 4 * (uint64_t)c->local.num_clusters + 64);
}

void cloud_state_free(cloud_state *c)
{
  cluster_set_free(&c->local);
  free(c->local_of_id);
  free(c->owner);
  free(c->owned);
  free(c->summary);
  free(c->pieces);
  free(c->piece_begin);
  cluster_set_free(&c->merged);
  free(c->owned_merged);
  cluster_set_free(&c->solve);
  cluster_hierarchy_free(&c->hierarchy);
  free(c->best);
  free(c->owned_best);
  free(c->asking);
  free(c->copies);
  cluster_set_free(&c->copy_set);
  free(c->answers);
  memset(c, 0, sizeof *c);
}

static void rank_state_free(rank_state *s)
{
  cloud_state_free(&s->clouds[0]);
  cloud_state_free(&s->clouds[1]);
  free(s->regions);
  inbox_free(&s->gathered);
  inbox_free(&s->copied);
  free(s->rows);
}

/* Every step, in order; a rank that fails goes on through the collectives, which then stop every
 * rank. */
/* One scale for every rank (call/scale.h), from the largest coordinate anywhere: the same as
 * scipar_match would choose on the whole clouds. */
static void agree_on_scale(rank_state *s, cloud_survey *surveys, const scipar_cloud *source, const scipar_cloud *target)
{
  double largest = 0.0;
  if (s->status == SCIPAR_OK) {
    surveys[0] = cloud_survey_run(source, s->num_threads);
    surveys[1] = cloud_survey_run(target, s->num_threads);
    largest = fmax(surveys[0].largest, surveys[1].largest);
  }
  const int agreed = s->comm->allreduce_max(s->comm->user_data, (int)s->status, &largest, 1);
  if (agreed != 0) {
    if (s->status == SCIPAR_OK)
      s->status = (scipar_status)agreed;
    s->stopped = 1;
    return;
  }
  s->exponent = scale_exponent(largest);
  s->options = options_in_scaled_units(s->options, s->exponent, &s->scaled);
}

/* Room for the points a rank adds to its own in the owned set (the split clusters it owns, merged): an
 * eighth of its points, a few times what a spatial split brings. More takes one reallocation
 * (cluster_set_take_over). */
static size_t spare_points(const cloud_survey *survey) { return survey->num_used / 8 + 4096; }

static void run_steps(rank_state *s, const scipar_cloud *source, const scipar_cloud *target, progress_state *progress)
{
  cloud_survey surveys[2];
  agree_on_scale(s, surveys, source, target);
  scipar_status status = SCIPAR_OK;
  /* Grouped without trees: the gather step builds them in place for the clusters owned here and
   * not split, which are then used where they are, never copied. The owned set (solve.c) takes over
   * these buffers and adds the split clusters: room for them. */
  if (s->status == SCIPAR_OK &&
      (status = cluster_set_build_with_room(source, &surveys[0], s->num_threads, 0, s->exponent,
                                            spare_points(&surveys[0]), &s->clouds[0].local)) == SCIPAR_OK)
    status = cluster_set_build_with_room(target, &surveys[1], s->num_threads, 0, s->exponent,
                                         spare_points(&surveys[1]), &s->clouds[1].local);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
  index_local_ids(&s->clouds[0]);
  index_local_ids(&s->clouds[1]);
  directory_step(s);
  gather_step(s);
  regions_step(s);
  solve_owned_step(s, progress);
  candidates_step(s);
  solve_copies_step(s, progress);
  answers_step(s);
}

scipar_status scipar_match_distributed(const scipar_cloud *source, const scipar_cloud *target,
                                       const scipar_options *options, const scipar_comm *comm,
                                       scipar_result *result)
{
  if (!comm || comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size || !comm->exchange ||
      !comm->allgather || !comm->allreduce_max || !comm->exscan_sum) {
    check_arguments(source, target, options, result); /* clears the result */
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "communicator is missing or incomplete");
  }
  /* Bad arguments on this rank: it still takes part in every collective, so that the other ranks
   * stop too instead of waiting for it. */
  const scipar_status checked = check_arguments(source, target, options, result);
  char message[sizeof result->message] = "";
  if (result)
    memcpy(message, result->message, sizeof message);
  scipar_options defaults;
  options = options_or_defaults(checked == SCIPAR_OK ? options : NULL, &defaults);
  const call_clock clock = call_clock_start();
  rank_state s;
  memset(&s, 0, sizeof s);
  s.comm = comm;
  s.options = options;
  s.num_threads = checked == SCIPAR_OK ? choose_threads(options, source->num_points + target->num_points) : 1;
  if (checked != SCIPAR_OK)
    rank_fail(&s, checked);
  progress_state progress = {options->progress, options->progress_user_data, 0, 0, 0};
  run_steps(&s, source, target, &progress);
  scipar_status status;
  if (s.status == SCIPAR_OK && (status = result_build(&s, result)) != SCIPAR_OK)
    rank_fail(&s, status);
  rank_state_free(&s);
  if (checked != SCIPAR_OK)
    return result ? result_fail(result, checked, "%s", message) : checked;
  if (s.status != SCIPAR_OK) {
    scipar_result_free(result);
    if (s.status == SCIPAR_ERROR_CANCELLED)
      return result_fail(result, s.status, "cancelled by the progress callback%s", s.failed_here ? "" : " of another process");
    return result_fail(result, s.status, "distributed matching failed on rank %d of %d: %s%s", comm->rank,
                       comm->size, s.failed_here ? "" : "another process or a collective operation failed: ",
                       scipar_status_string(s.status));
  }
  call_clock_stop(clock, s.num_threads, result);
  return SCIPAR_OK;
}
