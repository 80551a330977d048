/*
 * record.h - versioned byte encoding of the records store/ keeps in LMDB
 *
 * Only store.c uses this; nothing here knows about LMDB. A record is:
 *
 *	u8	version (RECORD_VERSION)
 *	...	the fields of that version, in a fixed order
 *
 * with integers fixed width, big endian (time_t as a two's complement
 * 64-bit value), strings as u32 length + bytes (no NUL; a NULL pointer is
 * written as ""), fixed-size byte arrays as they are, and arrays as u32
 * count + items. The key fields (ticket id, seq) live in the LMDB key and
 * are not repeated in the record; the caller fills them in after decoding.
 *
 * Version 1 layouts:
 *   ticket   status subject requester requester_name queue created:i64
 *            updated:i64 nmsgs:u32 nevents:u32 participants:[str]
 *   message  received:i64 author:u32 from_addr from_name subject message_id
 *            queue_id recipient text raw_hash:32 raw_size:u64
 *            attach:[name type size:u64]
 *   event    time:i64 actor kind detail
 *   outbox   ticket:u64 event recipient sender created:i64 next_try:i64
 *            attempts:u32 last_error message
 *   customer name external_id organisation phone created:i64 updated:i64
 *            notes   (the email is the key)
 *
 * Decoding checks every length against the bytes that remain, refuses a
 * string with a NUL in it, trailing bytes, and any version but
 * RECORD_VERSION: -1 with PD_ETEMP "corrupt record: WHAT: ..." or "record
 * version N unknown (WHAT)", where WHAT is the caller's label ("ticket 42
 * in /var/lib/postdesk"). Decoded strings are NUL-terminated copies owned
 * by the returned struct; free it with record_*_free (accepts NULL).
 * Encoders append to a caller's buf and fail (-1, PD_EDATA) only when a
 * field exceeds what a u32 length can hold.
 */
#ifndef PD_RECORD_H
#define PD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/pd_types.h"

struct buf;
struct pd_err;

#define RECORD_VERSION	1

/* Big-endian integers, for keys as well as records. */
void	record_put_be32(unsigned char *, uint32_t);
void	record_put_be64(unsigned char *, uint64_t);
uint32_t record_get_be32(const unsigned char *);
uint64_t record_get_be64(const unsigned char *);

int	record_ticket_encode(struct buf *, const struct pd_ticket *,
			     struct pd_err *);
int	record_ticket_decode(const void *, size_t, const char *what,
			     struct pd_ticket **, struct pd_err *);
void	record_ticket_free(struct pd_ticket *);

int	record_msg_encode(struct buf *, const struct pd_stored_msg *,
			  struct pd_err *);
int	record_msg_decode(const void *, size_t, const char *what,
			  struct pd_stored_msg **, struct pd_err *);
void	record_msg_free(struct pd_stored_msg *);

int	record_event_encode(struct buf *, const struct pd_event *,
			    struct pd_err *);
int	record_event_decode(const void *, size_t, const char *what,
			    struct pd_event **, struct pd_err *);
void	record_event_free(struct pd_event *);

int	record_outbox_encode(struct buf *, const struct pd_outbox *,
			     struct pd_err *);
int	record_outbox_decode(const void *, size_t, const char *what,
			     struct pd_outbox **, struct pd_err *);
void	record_outbox_free(struct pd_outbox *);

int	record_customer_encode(struct buf *, const struct pd_customer *,
			       struct pd_err *);
int	record_customer_decode(const void *, size_t, const char *what,
			       struct pd_customer **, struct pd_err *);
void	record_customer_free(struct pd_customer *);

#endif
