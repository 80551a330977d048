/*
 * store.h - the LMDB store: the only code that touches LMDB
 *
 * One environment in data_directory (data.mdb, lock.mdb; 0600, the
 * directory 0700), with named databases:
 *   meta      "schema" -> u32 version; "next_ticket" -> u64
 *   tickets   u64 id (big endian) -> ticket record
 *   status    status NUL u64 id -> "" (the status index)
 *   messages  u64 ticket, u32 seq -> message record
 *   raw       32-byte hash -> raw message bytes (content addressed)
 *   msgid     Message-ID -> u64 ticket, u32 seq (first message with that id)
 *   dedup     32-byte key -> u64 ticket, u32 seq
 *   events    u64 ticket, u32 seq -> event record
 *   outbox    u64 id -> outbox record (a notification to hand to the MTA)
 *   due       i64 time, u8 kind, u64 id -> "" (what postdesk-cron does when)
 *   kv        text key -> bytes (counters: "next_outbox", "rate:ADDR", ...)
 * Every record starts with a version byte; an unknown version is a loud
 * PD_ETEMP error, never a guess. Integers in keys are big endian so that
 * cursors walk them in order.
 *
 * Errors: functions return 0 (or 1 found / 0 not found for lookups) and -1
 * with err filled: PD_ETEMP for every LMDB failure (busy, full, I/O), with
 * the LMDB text. store_write() grows the map and retries the whole unit of
 * work on MDB_MAP_FULL, so a write callback must do nothing outside the
 * transaction it is given.
 *
 * Ownership: records returned by *_get and passed to iterators are copied
 * out of LMDB: *_get results are the caller's (free with store_*_free);
 * iterator arguments are valid only during the callback.
 *
 * Threads: one struct store per process; a struct store_txn belongs to one
 * thread. The environment is opened with MDB_NOTLS so read transactions may
 * be used by the thread that began them without thread-local slots.
 */
#ifndef PD_STORE_H
#define PD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/pd_types.h"

struct pd_err;
struct store;
struct store_txn;

#define STORE_SCHEMA_VERSION	1

#define STORE_RDONLY	0x01	/* open read-only (list, show) */
#define STORE_CREATE	0x02	/* create the directory and the environment */

#define STORE_HASH_BYTES 32

/* store_open - open the environment in dir; mapsize is the initial map size */
int	store_open(const char *dir, size_t mapsize, int flags, struct store **,
		   struct pd_err *);
/* store_close - close; accepts NULL, returns NULL */
struct store *store_close(struct store *);

/* store_read - begin a read-only transaction (end it with store_abort) */
int	store_read(struct store *, struct store_txn **, struct pd_err *);
void	store_abort(struct store_txn *);

/* store_write - run fn in a write transaction and commit durably; retries
 * fn after growing the map on MDB_MAP_FULL. fn returns 0 to commit, or -1
 * (err filled) to abort. Returns fn's result, or -1 when LMDB fails. */
int	store_write(struct store *,
		    int (*fn)(struct store_txn *, void *, struct pd_err *),
		    void *arg, struct pd_err *);

/* store_write_lazy - as store_write, without waiting for the meta page to
 * reach the disk: a system crash may undo this transaction whole (never
 * part of it) until the next durable commit; for records whose loss only
 * repeats work (a notification's outcome) */
int	store_write_lazy(struct store *,
			 int (*fn)(struct store_txn *, void *,
			 struct pd_err *), void *arg, struct pd_err *);
/* store_copy - a compacted copy of one snapshot as DIR/data.mdb (DIR
 * exists, without data.mdb), flushed to disk; for postdesk backup */
int	store_copy(struct store *, const char *dir, struct pd_err *);
/* store_meta_sync - 1 when a commit made now would wait for the meta page
 * to reach the disk (the environment lacks MDB_NOMETASYNC); for tests */
int	store_meta_sync(struct store *);
/* store_group - let store_write calls of several threads share one
 * transaction and one fsync (group commit); call before threads start */
void	store_group(struct store *, int on);
/* store_group_stats - group transactions committed, and the writes in them */
void	store_group_stats(struct store *, unsigned long *commits,
			  unsigned long *jobs);

/* store_hash - BLAKE2b-256 of bytes (the raw-message and dedup key) */
void	store_hash(const void *, size_t, unsigned char out[STORE_HASH_BYTES]);

/* Tickets. */
int	store_ticket_new_id(struct store_txn *, uint64_t *, struct pd_err *);
int	store_ticket_get(struct store_txn *, uint64_t, struct pd_ticket **,
			 struct pd_err *);
/* store_ticket_put - insert or replace; keeps the status index in step */
int	store_ticket_put(struct store_txn *, const struct pd_ticket *,
			 struct pd_err *);
/* store_ticket_iter - every ticket in id order (status NULL) or those in one
 * status (by the status index); fn returns 0 to go on, 1 to stop, -1 error */
int	store_ticket_iter(struct store_txn *, const char *status,
			  int (*fn)(const struct pd_ticket *, void *), void *,
			  struct pd_err *);
void	store_ticket_free(struct pd_ticket *);
/* store_ticket_dup - deep copy (caller frees with store_ticket_free) */
struct pd_ticket *store_ticket_dup(const struct pd_ticket *);
/* store_ticket_add_participant - add addr if absent; 1 added, 0 present */
int	store_ticket_add_participant(struct pd_ticket *, const char *addr);
/* store_ticket_is_participant - 1 when addr (any case) is a participant */
int	store_ticket_is_participant(const struct pd_ticket *, const char *addr);

/* Messages. store_msg_put also indexes message_id (when not yet indexed). */
int	store_msg_put(struct store_txn *, const struct pd_stored_msg *,
		      struct pd_err *);
int	store_msg_get(struct store_txn *, uint64_t ticket, uint32_t seq,
		      struct pd_stored_msg **, struct pd_err *);
int	store_msg_iter(struct store_txn *, uint64_t ticket,
		       int (*fn)(const struct pd_stored_msg *, void *), void *,
		       struct pd_err *);
void	store_msg_free(struct pd_stored_msg *);
/* store_msgid_lookup - ticket and seq of a stored Message-ID (without <>) */
int	store_msgid_lookup(struct store_txn *, const char *msgid,
			   uint64_t *ticket, uint32_t *seq, struct pd_err *);

/* Raw message bytes, content addressed. put computes the hash into out. */
int	store_raw_put(struct store_txn *, const void *, size_t,
		      unsigned char out[STORE_HASH_BYTES], struct pd_err *);
/* store_raw_put_ticket - the same keyed by (ticket, bytes), so that
 * purging one ticket's raw messages never removes another's */
int	store_raw_put_ticket(struct store_txn *, uint64_t ticket, const void *,
			     size_t, unsigned char out[STORE_HASH_BYTES],
			     struct pd_err *);
int	store_raw_del(struct store_txn *, const unsigned char[STORE_HASH_BYTES],
		      struct pd_err *);
/* Deleting, for purge: a message, its Message-ID entry (only when it points
 * into ticket), a dedup entry, a ticket's events, the ticket itself. */
int	store_msg_del(struct store_txn *, uint64_t ticket, uint32_t seq,
		      struct pd_err *);
int	store_msgid_del(struct store_txn *, const char *msgid, uint64_t ticket,
			struct pd_err *);
int	store_dedup_del(struct store_txn *,
			const unsigned char key[STORE_HASH_BYTES],
			struct pd_err *);
int	store_events_del(struct store_txn *, uint64_t ticket, uint32_t nevents,
			 struct pd_err *);
int	store_ticket_del(struct store_txn *, const struct pd_ticket *,
			 struct pd_err *);
/* store_raw_get - copy of the bytes (caller frees) */
int	store_raw_get(struct store_txn *, const unsigned char[STORE_HASH_BYTES],
		      char **, size_t *, struct pd_err *);

/* The duplicate index: key -> (ticket, seq). */
int	store_dedup_lookup(struct store_txn *,
			   const unsigned char key[STORE_HASH_BYTES],
			   uint64_t *ticket, uint32_t *seq, struct pd_err *);
int	store_dedup_put(struct store_txn *,
			const unsigned char key[STORE_HASH_BYTES],
			uint64_t ticket, uint32_t seq, struct pd_err *);

/* Events, the audit trail. */
int	store_event_put(struct store_txn *, const struct pd_event *,
			struct pd_err *);
int	store_event_iter(struct store_txn *, uint64_t ticket,
			 int (*fn)(const struct pd_event *, void *), void *,
			 struct pd_err *);

/*
 * The outbox. store_outbox_add assigns o->id and indexes the entry as due
 * at o->next_try; store_outbox_retry moves it in the due-index;
 * store_outbox_done removes both. Entries are copied out (caller frees
 * with store_outbox_free, which accepts NULL).
 */
int	store_outbox_add(struct store_txn *, struct pd_outbox *,
			 struct pd_err *);
/* store_outbox_new_id - reserve an id before building the message; pass
 * it in o->id to store_outbox_add (0 there means "assign one") */
int	store_outbox_new_id(struct store_txn *, uint64_t *, struct pd_err *);
/* store_outbox_update - rewrite an entry without touching the due-index */
int	store_outbox_update(struct store_txn *, const struct pd_outbox *,
			    struct pd_err *);
int	store_outbox_get(struct store_txn *, uint64_t id, struct pd_outbox **,
			 struct pd_err *);
int	store_outbox_retry(struct store_txn *, const struct pd_outbox *,
			   time_t old_next_try, struct pd_err *);
int	store_outbox_done(struct store_txn *, const struct pd_outbox *,
			  struct pd_err *);
int	store_outbox_iter(struct store_txn *,
			  int (*fn)(const struct pd_outbox *, void *), void *,
			  struct pd_err *);
void	store_outbox_free(struct pd_outbox *);

/* The due-index: what is due at which time, by kind and id. */
#define STORE_DUE_OUTBOX	1	/* id is an outbox id */
#define STORE_DUE_UNLOCK	2	/* id is a ticket whose lock expires */
#define STORE_DUE_IDLE		3	/* sendbird: active -> idle */
#define STORE_DUE_SESSION	4	/* chatdesk: an out-of-hours session ends */
#define STORE_DUE_ARCHIVE	5	/* chatdesk: closed -> archived */
#define STORE_DUE_PURGE		6	/* spam or deleted: purge */
#define STORE_DUE_IDLE_CLOSE	7	/* sendbird: idle -> closed */
int	store_due_put(struct store_txn *, time_t, int kind, uint64_t id,
		      struct pd_err *);
int	store_due_del(struct store_txn *, time_t, int kind, uint64_t id,
		      struct pd_err *);
/* store_due_iter - entries due at or before upto, oldest first; fn may
 * change the index (in a write transaction); 1 stops, -1 error */
int	store_due_iter(struct store_txn *, time_t upto,
		       int (*fn)(time_t, int kind, uint64_t id, void *), void *,
		       struct pd_err *);

/* Small values by text key (at most 400 bytes of key). */
int	store_kv_get(struct store_txn *, const char *key, void *val,
		     size_t size, size_t *len, struct pd_err *);
int	store_kv_put(struct store_txn *, const char *key, const void *val,
		     size_t len, struct pd_err *);
int	store_kv_del(struct store_txn *, const char *key, struct pd_err *);
/* store_kv_peek - the first size bytes of a value, and its whole length in
 * *len; 1 found, 0 not, -1 error */
int	store_kv_peek(struct store_txn *, const char *key, void *val,
		      size_t size, size_t *len, struct pd_err *);

/* store_explain_put - what an intake saw (or, for a stored message,
 * "ticket N message M"), under the MTA's queue id, at time when */
int	store_explain_put(struct store_txn *, const char *qid, time_t when,
			  const char *text, struct pd_err *);
/* store_explain_get - that text, NUL-terminated, cut to size - 1 bytes;
 * 1 found, 0 not, -1 error */
int	store_explain_get(struct store_txn *, const char *qid, char *buf,
			  size_t size, struct pd_err *);
/* store_explain_prune - forget what intakes before the cutoff saw, in
 * short transactions; *removed counts the queue ids forgotten */
int	store_explain_prune(struct store *, time_t before, size_t *removed,
			    struct pd_err *);
/* store_kv_iter - pairs whose key starts with prefix; the value is
 * borrowed for the callback; fn returns 0 go on, 1 stop, -1 error */
int	store_kv_iter(struct store_txn *, const char *prefix,
		      int (*fn)(const char *key, const void *val, size_t len,
		      void *), void *, struct pd_err *);

/* store_stat - counts for "postdesk check" and the bench: tickets, messages, map size in use */
struct store_stat {
	uint64_t tickets;
	uint64_t messages;
	uint64_t raw;
	uint64_t outbox;
	uint64_t map_size;
	uint64_t used_bytes;
};
int	store_stat(struct store *, struct store_stat *, struct pd_err *);

/*
 * store_verify - check that every index entry points at a record and
 * every record is indexed (status, msgid, dedup, raw, events, outbox and
 * due-index, the id counters); see store_verify.c for the list. report is
 * called with one line per problem (the text is valid during the call).
 * Returns the number of problems (0: consistent), or -1 with err filled
 * when LMDB fails. One read transaction: safe while others write.
 */
int	store_verify(struct store *, void (*report)(const char *problem,
			     void *), void *, struct pd_err *);

/*
 * Customers (DESIGN.md section 6): matched by address or by the id of an
 * external system (CRM import, X-Customer-ID, the widget). Databases:
 *   customers         lower-cased email -> customer record
 *   customer_ext      external id -> lower-cased email
 *   customer_tickets  lower-cased requester NUL u64 id -> "": a requester's
 *                     tickets; store_ticket_put (a new ticket, a changed
 *                     requester) and store_ticket_del keep it in step
 * Emails are lower-cased (ASCII letters) for the key and in the records
 * returned; external ids match exactly. Lookups return 1 found (*cp set,
 * the caller's: free with store_customer_free), 0 not found, -1 error.
 * created and updated are stored as the caller sets them.
 */
int	store_customer_get_by_email(struct store_txn *, const char *email,
				    struct pd_customer **, struct pd_err *);
int	store_customer_get_by_external(struct store_txn *, const char *extid,
				       struct pd_customer **,
				       struct pd_err *);
/* store_customer_put - insert or replace by email; the external-id index
 * follows (this customer's old id removed, the new one added). Refused
 * with PD_EDATA, nothing written: an empty email, an email or id too long
 * for a key, an external id that belongs to another customer. */
int	store_customer_put(struct store_txn *, const struct pd_customer *,
			   struct pd_err *);
/* store_customer_iter - every customer in email order; fn returns 0 to go
 * on, 1 to stop, -1 for an error (returned as is, err untouched) */
int	store_customer_iter(struct store_txn *,
			    int (*fn)(const struct pd_customer *, void *),
			    void *, struct pd_err *);
void	store_customer_free(struct pd_customer *);
/* store_customer_tickets - the ids of the tickets whose requester is email,
 * ascending; *ids is the caller's (free()), NULL when *n is 0 */
int	store_customer_tickets(struct store_txn *, const char *email,
			       uint64_t **ids, size_t *n, struct pd_err *);

#endif
