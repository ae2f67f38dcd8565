/* Answers step. Each source's choice goes to the owner of the target it chose; that owner then knows
 * every pair its target is in (the sources that chose it, and the one it chose), so it writes those
 * rows of the pairs table, numbers them after the lower ranks' rows, and sends every cluster involved
 * its final answer (nearest, distance, mutual flag, row) at the ranks holding its points. */
#include "distributed/distributed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each owned source's choice to the owner of its target: into `mine` when that is this rank (kept
 * here, never mailed), else into `out`. */
static scipar_status send_choices(const rank_state *s, outbox *out, outbox *mine)
{
  const cloud_state *src = &s->clouds[CLOUD_SOURCE];
  int64_t *holders = malloc((src->num_pieces + 2) * sizeof *holders);
  if (!holders)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  scipar_status status = SCIPAR_OK;
  for (size_t i = 0; i < src->num_owned && status == SCIPAR_OK; ++i) {
    const owned_answer *best = &src->best[i];
    if (!best->paired)
      continue;
    const size_t n = owned_holders(src, s->comm->rank, i, holders);
    const cluster_summary *chooser = &src->summary[i];
    const int owner = (int)best->partner->owner;
    chosen_record *r = outbox_append(owner == s->comm->rank ? mine : out, owner, sizeof *r + n * sizeof *holders);
    if (!r) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    *r = (chosen_record){record_tag(RECORD_CHOSEN, CLOUD_SOURCE), chooser->id, best->partner->id, best->distance,
                         chooser->count, {0}, (int64_t)n};
    memcpy(r->centroid, chooser->centroid, sizeof r->centroid);
    memcpy(r + 1, holders, n * sizeof *holders);
  }
  free(holders);
  return status;
}

static int by_nearest_then_id(const void *pa, const void *pb)
{
  const chosen_record *a = *(const chosen_record *const *)pa, *b = *(const chosen_record *const *)pb;
  if (a->nearest != b->nearest)
    return a->nearest < b->nearest ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int by_source_then_target(const void *pa, const void *pb)
{
  const pair_row *a = pa, *b = pb;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return (a->target > b->target) - (a->target < b->target);
}

/* The owned targets' choosers (received, and this rank's own in `mine`), by target then source id;
 * NULL when memory ran out. */
static const chosen_record **choosers_of(const inbox *in, const outbox *mine, int rank, size_t *count)
{
  size_t own_bytes = mine->size; /* this rank's own choices, read as one message from itself */
  const inbox own = {mine->data, mine->size > 0, &rank, &own_bytes};
  const inbox *boxes[2] = {in, &own};
  size_t n = 0;
  int source;
  for (int b = 0; b < 2; ++b) {
    record_cursor cursor = record_cursor_start(boxes[b]);
    for (const int64_t *w; (w = record_next(&cursor, &source));)
      ++n;
  }
  const chosen_record **choosers = malloc((n ? n : 1) * sizeof *choosers);
  if (!choosers)
    return NULL;
  n = 0;
  for (int b = 0; b < 2; ++b) {
    record_cursor cursor = record_cursor_start(boxes[b]);
    for (const int64_t *w; (w = record_next(&cursor, &source));)
      choosers[n++] = (const chosen_record *)w;
  }
  qsort(choosers, n, sizeof *choosers, by_nearest_then_id);
  *count = n;
  return choosers;
}

/* The rows of the owned targets: one per source that chose it, and one for the source it chose unless
 * that source chose it too (then the row is mutual). Sorted; *place (malloc'ed) gives the sorted place
 * of the k-th row written, for send_answers, which meets the rows in the order they were written. */
static scipar_status write_rows(rank_state *s, const chosen_record **choosers, size_t num_choosers, int64_t **place)
{
  const cloud_state *tgt = &s->clouds[CLOUD_TARGET];
  s->rows = malloc((num_choosers + tgt->num_owned + 1) * sizeof *s->rows);
  *place = malloc((num_choosers + tgt->num_owned + 1) * sizeof **place);
  if (!s->rows || !*place)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  size_t n = 0, at = 0;
  for (size_t i = 0; i < tgt->num_owned; ++i) {
    const int64_t id = tgt->summary[i].id;
    const owned_answer *chose = &tgt->best[i];
    int chosen_chose = 0;
    for (; at < num_choosers && choosers[at]->nearest == id; ++at) {
      const chosen_record *r = choosers[at];
      const int mutual = chose->paired && r->id == chose->partner->id;
      chosen_chose |= mutual;
      s->rows[n] = (pair_row){r->id, id, r->distance, 1, (unsigned char)mutual, r->count, {0, 0, 0}, (int64_t)n};
      memcpy(s->rows[n++].source_centroid, r->centroid, sizeof r->centroid);
    }
    if (chose->paired && !chosen_chose) {
      const cluster_summary *m = chose->partner;
      s->rows[n] = (pair_row){m->id, id, chose->distance, 0, 1, m->count, {0, 0, 0}, (int64_t)n};
      memcpy(s->rows[n++].source_centroid, m->centroid, sizeof m->centroid);
    }
  }
  s->num_rows = n;
  qsort(s->rows, n, sizeof *s->rows, by_source_then_target);
  for (size_t p = 0; p < n; ++p)
    (*place)[s->rows[p].written] = (int64_t)p;
  return SCIPAR_OK;
}

/* An answer to each holder of the cluster's points; this rank's own is written in place (most clusters
 * are whole here: their answers never enter the mail). */
static scipar_status send_answer(rank_state *s, outbox *out, const int64_t *holders, size_t num_holders,
                                 const answer_record *a)
{
  for (size_t h = 0; h < num_holders; ++h) {
    if (holders[h] == s->comm->rank) {
      cloud_state *c = &s->clouds[record_cloud(a->tag)];
      c->answers[local_index(c, a->id)] = *a;
      continue;
    }
    answer_record *r = outbox_append(out, (int)holders[h], sizeof *r);
    if (!r)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    *r = *a;
  }
  return SCIPAR_OK;
}

/* The answer of a cluster (id, size, centroid) paired with `partner` (NULL: unpaired). */
static answer_record answer(int cloud, int64_t id, int64_t count, const double centroid[3],
                            const cluster_summary *partner, double distance, int mutual, int64_t pair_index)
{
  answer_record a = {record_tag(RECORD_ANSWER, cloud), id, count, {0, 0, 0}, 0, 0, NAN, 0, -1, 0, {0, 0, 0}};
  memcpy(a.centroid, centroid, sizeof a.centroid);
  if (partner) {
    a.paired = 1;
    a.nearest = partner->id;
    a.distance = distance;
    a.mutual = mutual;
    a.pair_index = pair_index;
    a.partner_count = partner->count;
    memcpy(a.partner_centroid, partner->centroid, sizeof a.partner_centroid);
  }
  return a;
}

/* Final answers: of every owned target, of every source that chose one, and of the owned sources that
 * chose none, each to the ranks holding its points. The rows are met in the order write_rows wrote
 * them: `place` gives each one's row. */
static scipar_status send_answers(rank_state *s, const chosen_record **choosers, size_t num_choosers,
                                  const int64_t *place, outbox *out)
{
  const cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  const size_t most = src->num_pieces > tgt->num_pieces ? src->num_pieces : tgt->num_pieces;
  int64_t *holders = malloc((most + 2) * sizeof *holders);
  if (!holders)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  scipar_status status = SCIPAR_OK;
  size_t at = 0, written = 0;
  for (size_t i = 0; i < tgt->num_owned && status == SCIPAR_OK; ++i) {
    const cluster_summary *self = &tgt->summary[i];
    const owned_answer *chose = &tgt->best[i];
    const cluster_summary *partner = chose->paired ? chose->partner : NULL;
    int mutual = 0;
    int64_t partner_row = -1;
    for (; at < num_choosers && choosers[at]->nearest == self->id && status == SCIPAR_OK; ++at) {
      const chosen_record *r = choosers[at];
      const int back = partner && r->id == partner->id;
      const int64_t row = s->first_row + place[written++];
      mutual |= back;
      partner_row = back ? row : partner_row;
      const answer_record a = answer(CLOUD_SOURCE, r->id, r->count, r->centroid, self, r->distance, back, row);
      status = send_answer(s, out, (const int64_t *)(r + 1), (size_t)r->num_holders, &a);
    }
    if (partner && !mutual)
      partner_row = s->first_row + place[written++]; /* the row write_rows added for the one it chose */
    const answer_record a = answer(CLOUD_TARGET, self->id, self->count, self->centroid, partner, chose->distance,
                                   mutual, partner_row);
    if (status == SCIPAR_OK)
      status = send_answer(s, out, holders, owned_holders(tgt, s->comm->rank, i, holders), &a);
  }
  for (size_t i = 0; i < src->num_owned && status == SCIPAR_OK; ++i) {
    if (src->best[i].paired)
      continue;
    const cluster_summary *self = &src->summary[i];
    const answer_record a = answer(CLOUD_SOURCE, self->id, self->count, self->centroid, NULL, NAN, 0, -1);
    status = send_answer(s, out, holders, owned_holders(src, s->comm->rank, i, holders), &a);
  }
  free(holders);
  return status;
}

/* Room for the answer of every cluster with points here, each unpaired until answered. */
static scipar_status expect_answers(rank_state *s)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    c->answers = malloc((c->local.num_clusters + 1) * sizeof *c->answers);
    if (!c->answers)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t i = 0; i < c->local.num_clusters; ++i) /* every one is answered; this is for safety */
      c->answers[i] = answer(cloud, c->local.ids[i], cluster_set_size(&c->local, i), c->local.centroids + 3 * i, NULL,
                             NAN, 0, -1);
  }
  return SCIPAR_OK;
}

static void read_answers(rank_state *s, const inbox *in)
{
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));) {
    const answer_record *a = (const answer_record *)w;
    cloud_state *c = &s->clouds[record_cloud(a->tag)];
    c->answers[local_index(c, a->id)] = *a;
  }
}

void answers_step(rank_state *s)
{
  outbox out = {0}, mine = {0};
  inbox chosen = {0}, answered = {0};
  scipar_status status;
  if (s->status == SCIPAR_OK && (status = send_choices(s, &out, &mine)) != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &chosen);
  size_t num_choosers = 0;
  const chosen_record **choosers = NULL;
  int64_t *place = NULL;
  if (s->status == SCIPAR_OK && !(choosers = choosers_of(&chosen, &mine, s->comm->rank, &num_choosers)))
    rank_fail(s, SCIPAR_ERROR_OUT_OF_MEMORY);
  if (s->status == SCIPAR_OK && (status = write_rows(s, choosers, num_choosers, &place)) != SCIPAR_OK)
    rank_fail(s, status);
  if (!s->stopped) {
    int64_t rows = (int64_t)s->num_rows;
    s->comm->exscan_sum(s->comm->user_data, &rows, 1);
    s->first_row = rows;
  }
  if (s->status == SCIPAR_OK && ((status = expect_answers(s)) != SCIPAR_OK ||
                                 (status = send_answers(s, choosers, num_choosers, place, &out)) != SCIPAR_OK))
    rank_fail(s, status);
  rank_exchange(s, &out, &answered);
  if (s->status == SCIPAR_OK)
    read_answers(s, &answered);
  free(choosers);
  free(place);
  outbox_free(&mine);
  inbox_free(&chosen);
  inbox_free(&answered);
}
