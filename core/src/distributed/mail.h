/* Messages between ranks: records appended for any rank in any order (an outbox), sent in one
 * sparse exchange, and read back by source rank (an inbox). */
#ifndef SCIPAR_DISTRIBUTED_MAIL_H
#define SCIPAR_DISTRIBUTED_MAIL_H

#include "scipar/distributed.h"

typedef struct mail_section {
  int dest;
  size_t begin, end; /* bytes of the outbox's data */
} mail_section;

typedef struct outbox {
  unsigned char *data;
  size_t size, capacity;
  mail_section *sections; /* consecutive appends to one rank extend one section */
  size_t num_sections, section_capacity;
  int failed; /* an append ran out of memory */
} outbox;

/* Room for `bytes` more bytes (a multiple of 8) to rank dest: a pointer valid until the next append,
 * or NULL when memory ran out (the outbox then remembers it). */
void *outbox_append(outbox *box, int dest, size_t bytes);
void outbox_free(outbox *box);

typedef struct inbox {
  unsigned char *data;
  size_t num;       /* messages, by ascending source rank */
  int *sources;
  size_t *bytes;    /* message i follows message i - 1 in data */
} inbox;

void inbox_free(inbox *box);

/* Sends the outbox (nothing when status is not SCIPAR_OK or the outbox failed) and receives what the
 * other ranks sent here. Collective. Returns the status every rank agrees on: SCIPAR_OK, or the worst
 * failure of any rank (see scipar_comm). The outbox is emptied. */
scipar_status mail_exchange(const scipar_comm *comm, scipar_status status, outbox *out, inbox *in);

/* Records are whole numbers of 8-byte words, each starting with its tag: tag = kind * 2 + cloud. */
enum { CLOUD_SOURCE = 0, CLOUD_TARGET = 1 };
static inline int64_t record_tag(int kind, int cloud) { return (int64_t)kind * 2 + cloud; }
static inline int record_kind(int64_t tag) { return (int)(tag / 2); }
static inline int record_cloud(int64_t tag) { return (int)(tag % 2); }

#endif
