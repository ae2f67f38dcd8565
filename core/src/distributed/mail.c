#include "distributed/mail.h"

#include <stdlib.h>
#include <string.h>

void *outbox_append(outbox *box, int dest, size_t bytes)
{
  if (box->failed)
    return NULL;
  if (box->size + bytes > box->capacity) {
    size_t capacity = box->capacity ? 2 * box->capacity : 4096;
    while (capacity < box->size + bytes)
      capacity *= 2;
    unsigned char *data = realloc(box->data, capacity);
    if (!data) {
      box->failed = 1;
      return NULL;
    }
    box->data = data;
    box->capacity = capacity;
  }
  mail_section *last = box->num_sections ? &box->sections[box->num_sections - 1] : NULL;
  if (last && last->dest == dest) {
    last->end += bytes;
  } else {
    if (box->num_sections == box->section_capacity) {
      const size_t capacity = box->section_capacity ? 2 * box->section_capacity : 16;
      mail_section *sections = realloc(box->sections, capacity * sizeof *sections);
      if (!sections) {
        box->failed = 1;
        return NULL;
      }
      box->sections = sections;
      box->section_capacity = capacity;
    }
    box->sections[box->num_sections++] = (mail_section){dest, box->size, box->size + bytes};
  }
  void *room = box->data + box->size;
  box->size += bytes;
  return room;
}

void outbox_free(outbox *box)
{
  free(box->data);
  free(box->sections);
  memset(box, 0, sizeof *box);
}

void inbox_free(inbox *box)
{
  free(box->data);
  free(box->sources);
  free(box->bytes);
  memset(box, 0, sizeof *box);
}

/* The sections by rank, each rank's in the order they were appended: a counting sort (stable), linear
 * in the sections (claims to hashed directories alternate between ranks at nearly every record).
 * Returns 0 when memory ran out. */
static int sort_sections(outbox *box)
{
  int most = 0;
  for (size_t i = 0; i < box->num_sections; ++i)
    most = box->sections[i].dest > most ? box->sections[i].dest : most;
  size_t *next = calloc((size_t)most + 2, sizeof *next);
  mail_section *sorted = malloc((box->num_sections ? box->num_sections : 1) * sizeof *sorted);
  if (!next || !sorted) {
    free(next);
    free(sorted);
    return 0;
  }
  for (size_t i = 0; i < box->num_sections; ++i)
    ++next[box->sections[i].dest + 1];
  for (int d = 0; d <= most; ++d)
    next[d + 1] += next[d];
  for (size_t i = 0; i < box->num_sections; ++i)
    sorted[next[box->sections[i].dest]++] = box->sections[i];
  free(next);
  free(box->sections);
  box->sections = sorted;
  box->section_capacity = box->num_sections ? box->num_sections : 1;
  return 1;
}

/* One message per rank: sections to the same rank are joined, in the order they were appended. Sets
 * the messages' ranks and sizes and returns their bytes in that order (the outbox's own data when
 * no two sections share a rank), or NULL when memory ran out. */
static unsigned char *join_sections(outbox *box, int *dest, size_t *bytes, size_t *count, int *copied)
{
  if (!sort_sections(box))
    return NULL;
  int in_place = 1;
  size_t n = 0;
  for (size_t i = 0; i < box->num_sections; ++i) {
    const mail_section *s = &box->sections[i];
    if (n > 0 && dest[n - 1] == s->dest) {
      bytes[n - 1] += s->end - s->begin;
      in_place = 0;
    } else {
      dest[n] = s->dest;
      bytes[n++] = s->end - s->begin;
    }
  }
  *count = n;
  /* Sorted sections lie in data order only if appended in rank order; else they are copied too. */
  for (size_t i = 1; in_place && i < box->num_sections; ++i)
    in_place = box->sections[i].begin == box->sections[i - 1].end;
  *copied = !in_place;
  if (in_place)
    return box->data + (box->num_sections ? box->sections[0].begin : 0);
  unsigned char *joined = malloc(box->size ? box->size : 1);
  if (!joined)
    return NULL;
  size_t at = 0;
  for (size_t i = 0; i < box->num_sections; ++i) {
    const mail_section *s = &box->sections[i];
    memcpy(joined + at, box->data + s->begin, s->end - s->begin);
    at += s->end - s->begin;
  }
  return joined;
}

scipar_status mail_exchange(const scipar_comm *comm, scipar_status status, outbox *out, inbox *in)
{
  memset(in, 0, sizeof *in);
  if (status == SCIPAR_OK && out->failed)
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  const size_t sections = status == SCIPAR_OK ? out->num_sections : 0;
  int *dest = malloc((sections ? sections : 1) * sizeof *dest);
  size_t *bytes = malloc((sections ? sections : 1) * sizeof *bytes);
  size_t count = 0;
  int copied = 0;
  const unsigned char *send = NULL;
  if (!dest || !bytes)
    status = status == SCIPAR_OK ? SCIPAR_ERROR_OUT_OF_MEMORY : status;
  else if (sections > 0 && !(send = join_sections(out, dest, bytes, &count, &copied)))
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (status != SCIPAR_OK)
    count = 0;
  void *recv = NULL;
  const int agreed = comm->exchange(comm->user_data, (int)status, count, dest, bytes, send, &in->num, &in->sources,
                                    &in->bytes, &recv);
  in->data = recv;
  if (copied)
    free((void *)send);
  free(dest);
  free(bytes);
  outbox_free(out);
  return (scipar_status)agreed;
}
