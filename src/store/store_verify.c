/*
 * store_verify.c - does every index entry point at a record, and is every
 * record indexed? ("postdesk check --data")
 *
 * store_verify() walks each database of store.h once, in one read
 * transaction (a consistent snapshot, so it may run while filters write),
 * and calls report() with one line of text per problem found:
 *   tickets   a valid record; exactly one status index key, under its own
 *             status; messages 1..nmsgs all stored; id < meta next_ticket
 *   status    each key names a ticket that exists and has that status
 *   messages  a valid record of a ticket that exists, 1 <= seq <= nmsgs;
 *             its raw bytes stored (raw_size of them; an all-zero hash
 *             with raw_size 0 means a message without raw bytes), hashing
 *             to its raw_hash (store_raw_put's hash of the bytes, or
 *             store_raw_put_ticket's of ticket and bytes); its Message-ID
 *             indexed (by the first message that carried it)
 *   msgid     each entry names a stored message with that Message-ID (or,
 *             for ids too long for a key, whose id hashes to it)
 *   raw       each entry belongs to a message (none is left behind)
 *   dedup     each entry names a stored message
 *   events    a valid record of a ticket that exists, 1 <= seq <= nevents
 *   outbox    a valid record; when next_try != 0 (still to be sent), its
 *             due key at next_try and its ticket (when not 0) exists;
 *             id < kv next_outbox
 *   due       each outbox key names an entry due at exactly that time
 * Due keys of other kinds are not checked here: their owners know them.
 *
 * Returns the number of problems (0: the store is consistent), or -1 with
 * err filled (PD_ETEMP) when LMDB itself fails. A damaged record is a
 * problem, not an error: the walk goes on and reports the rest. The text
 * passed to report() is valid only during the call; bytes of keys that
 * are not printable are shown as \xNN.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <sodium.h>

#include "util/err.h"
#include "util/xalloc.h"

#include "record.h"
#include "store.h"
#include "store_int.h"

#define V_TICKETLEN	8		/* u64 id */
#define V_SEQLEN	12		/* u64 ticket, u32 seq */
#define V_DUELEN	17		/* i64 time, u8 kind, u64 id */
#define V_SHOW		80		/* key bytes a problem shows */
#define V_KEYMAX	511		/* LMDB's key limit, as in store.c */

struct verify {
	struct store_txn *t;
	void	(*report)(const char *, void *);
	void	*arg;
	int	problems;
	uint64_t max_ticket;		/* highest ticket id seen */
	uint64_t max_outbox;		/* highest outbox id seen */
	unsigned char *raws;		/* the messages' raw_hash, sorted */
	size_t	nraws;
	size_t	capraws;
};

static void problem(struct verify *, const char *, ...)
	__attribute__((format(printf, 2, 3)));
static const char *show(const void *, size_t, char *, size_t);
static void seq_key(unsigned char[V_SEQLEN], uint64_t, uint32_t);
static size_t id_key(struct store *, const char *, unsigned char *);
static int get_ticket(struct verify *, uint64_t, struct pd_ticket **,
		      struct pd_err *);
static int get_msg(struct verify *, uint64_t, uint32_t,
		   struct pd_stored_msg **, struct pd_err *);
static int exists(struct verify *, int, const void *, size_t, MDB_val *,
		  struct pd_err *);
static int v_ticket(struct store_txn *, const MDB_val *, const MDB_val *,
		    struct walk_ctx *, struct pd_err *);
static int v_status(struct store_txn *, const MDB_val *, const MDB_val *,
		    struct walk_ctx *, struct pd_err *);
static int v_msg(struct store_txn *, const MDB_val *, const MDB_val *,
		 struct walk_ctx *, struct pd_err *);
static int v_msgid(struct store_txn *, const MDB_val *, const MDB_val *,
		   struct walk_ctx *, struct pd_err *);
static int v_raw(struct store_txn *, const MDB_val *, const MDB_val *,
		 struct walk_ctx *, struct pd_err *);
static int v_dedup(struct store_txn *, const MDB_val *, const MDB_val *,
		   struct walk_ctx *, struct pd_err *);
static int v_event(struct store_txn *, const MDB_val *, const MDB_val *,
		   struct walk_ctx *, struct pd_err *);
static int v_outbox(struct store_txn *, const MDB_val *, const MDB_val *,
		    struct walk_ctx *, struct pd_err *);
static int v_due(struct store_txn *, const MDB_val *, const MDB_val *,
		 struct walk_ctx *, struct pd_err *);
static void due_key(unsigned char[V_DUELEN], time_t, int, uint64_t);
static int v_counters(struct verify *, struct pd_err *);
static int raw_matches(uint64_t, const MDB_val *, const unsigned char *);
static void raw_note(struct verify *, const unsigned char *);
static int hash_cmp(const void *, const void *);

/* problem - format one problem and hand it to the caller */
static void
problem(struct verify *vf, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	vf->problems++;
	if (vf->report != NULL)
		vf->report(text, vf->arg);
}

/* show - printable form of key bytes (at most V_SHOW of them) */
static const char *
show(const void *data, size_t len, char *out, size_t size)
{
	const unsigned char *p = data;
	size_t i, o = 0;

	for (i = 0; i < len && i < V_SHOW && o + 5 < size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x",
			    p[i]);
	}
	if (i < len && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* raw_matches - the bytes hash to h, by either of the raw key schemes */
static int
raw_matches(uint64_t ticket, const MDB_val *v, const unsigned char *h)
{
	crypto_generichash_state st;
	unsigned char got[STORE_HASH_BYTES], tk[8];

	store_hash(v->mv_data, v->mv_size, got);
	if (sodium_memcmp(got, h, STORE_HASH_BYTES) == 0)
		return 1;
	record_put_be64(tk, ticket);
	crypto_generichash_init(&st, NULL, 0, STORE_HASH_BYTES);
	crypto_generichash_update(&st, tk, sizeof(tk));
	crypto_generichash_update(&st, v->mv_data, v->mv_size);
	crypto_generichash_final(&st, got, STORE_HASH_BYTES);
	return sodium_memcmp(got, h, STORE_HASH_BYTES) == 0;
}

/* raw_note - remember a message's raw_hash, for the walk of raw */
static void
raw_note(struct verify *vf, const unsigned char *h)
{
	if (vf->nraws == vf->capraws) {
		vf->capraws = vf->capraws ? vf->capraws * 2 : 1024;
		vf->raws = xrealloc(vf->raws, vf->capraws * STORE_HASH_BYTES);
	}
	memcpy(vf->raws + vf->nraws++ * STORE_HASH_BYTES, h,
	    STORE_HASH_BYTES);
}

/* hash_cmp - qsort and bsearch order of raw hashes */
static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, STORE_HASH_BYTES);
}

/* seq_key - the (ticket, seq) key of messages and events */
static void
seq_key(unsigned char k[V_SEQLEN], uint64_t ticket, uint32_t seq)
{
	record_put_be64(k, ticket);
	record_put_be32(k + 8, seq);
}

/* id_key - the msgid index key of a Message-ID, as store.c makes it */
static size_t
id_key(struct store *st, const char *msgid, unsigned char *k)
{
	unsigned char hash[STORE_HASH_BYTES];
	size_t len = strlen(msgid);

	if (len <= st->s_maxkey) {
		memcpy(k, msgid, len);
		return len;
	}
	store_hash(msgid, len, hash);
	memcpy(k, "h:", 2);
	sodium_bin2hex((char *)k + 2, STORE_HASH_BYTES * 2 + 1, hash,
	    sizeof(hash));
	return 2 + STORE_HASH_BYTES * 2;
}

/* exists - si_get that keeps the value; 1 found, 0 not, -1 LMDB error */
static int
exists(struct verify *vf, int db, const void *key, size_t klen, MDB_val *v,
       struct pd_err *err)
{
	MDB_val dummy;

	return si_get(vf->t, db, key, klen, v != NULL ? v : &dummy, err);
}

/*
 * get_ticket - 1 found (and decoded), 0 missing, 2 present but damaged
 * (the walk of the tickets database reports that), -1 LMDB error
 */
static int
get_ticket(struct verify *vf, uint64_t id, struct pd_ticket **tp,
	   struct pd_err *err)
{
	unsigned char key[V_TICKETLEN];
	struct pd_err derr;
	MDB_val v;
	int r;

	*tp = NULL;
	record_put_be64(key, id);
	if ((r = exists(vf, DB_TICKETS, key, sizeof(key), &v, err)) <= 0)
		return r;
	if (record_ticket_decode(v.mv_data, v.mv_size, "ticket", tp,
	    &derr) < 0)
		return 2;
	(*tp)->id = id;
	return 1;
}

/* get_msg - as get_ticket, for a message */
static int
get_msg(struct verify *vf, uint64_t ticket, uint32_t seq,
	struct pd_stored_msg **mp, struct pd_err *err)
{
	unsigned char key[V_SEQLEN];
	struct pd_err derr;
	MDB_val v;
	int r;

	*mp = NULL;
	seq_key(key, ticket, seq);
	if ((r = exists(vf, DB_MESSAGES, key, sizeof(key), &v, err)) <= 0)
		return r;
	if (record_msg_decode(v.mv_data, v.mv_size, "message", mp, &derr) < 0)
		return 2;
	(*mp)->ticket = ticket;
	(*mp)->seq = seq;
	return 1;
}

/* v_ticket - a ticket: its record, its status key, its messages */
static int
v_ticket(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	 struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	unsigned char skey[V_KEYMAX + 1], mkey[V_SEQLEN];
	struct pd_ticket *tk;
	struct pd_err derr;
	char buf[V_SHOW * 4 + 8];
	uint32_t seq, missing = 0, first = 0;
	uint64_t id;
	size_t slen;
	int r;

	if (k->mv_size != V_TICKETLEN) {
		problem(vf, "tickets: a key of %zu bytes (%s)", k->mv_size,
		    show(k->mv_data, k->mv_size, buf, sizeof(buf)));
		return 0;
	}
	id = record_get_be64(k->mv_data);
	if (id > vf->max_ticket)
		vf->max_ticket = id;
	if (record_ticket_decode(v->mv_data, v->mv_size, "ticket", &tk,
	    &derr) < 0) {
		problem(vf, "ticket %" PRIu64 ": unreadable record: %s", id,
		    derr.text);
		return 0;
	}
	slen = strlen(tk->status);
	if (slen + 1 + V_TICKETLEN > t->t_st->s_maxkey) {
		problem(vf, "ticket %" PRIu64 ": status \"%s\" is too long to "
		    "be indexed", id, show(tk->status, slen, buf, sizeof(buf)));
	} else {
		memcpy(skey, tk->status, slen + 1);
		record_put_be64(skey + slen + 1, id);
		r = exists(vf, DB_STATUS, skey, slen + 1 + V_TICKETLEN, NULL,
		    err);
		if (r < 0)
			goto fail;
		if (r == 0)
			problem(vf, "ticket %" PRIu64 ": status \"%s\" is not "
			    "in the status index", id,
			    show(tk->status, slen, buf, sizeof(buf)));
	}
	for (seq = 1; seq <= tk->nmsgs && seq != 0; seq++) {
		seq_key(mkey, id, seq);
		if ((r = exists(vf, DB_MESSAGES, mkey, sizeof(mkey), NULL,
		    err)) < 0)
			goto fail;
		if (r == 0 && missing++ == 0)
			first = seq;
	}
	if (missing > 0)
		problem(vf, "ticket %" PRIu64 ": %" PRIu32 " of its %" PRIu32
		    " messages missing (the first: %" PRIu32 ")", id, missing,
		    tk->nmsgs, first);
	store_ticket_free(tk);
	return 0;

fail:
	store_ticket_free(tk);
	return -1;
}

/* v_status - a status index key names a ticket in that status */
static int
v_status(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	 struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	const unsigned char *p = k->mv_data;
	struct pd_ticket *tk;
	char buf[V_SHOW * 4 + 8], buf2[V_SHOW * 4 + 8];
	size_t slen;
	uint64_t id;
	int r;

	(void)t;
	(void)v;
	if (k->mv_size < 1 + V_TICKETLEN ||
	    p[k->mv_size - V_TICKETLEN - 1] != '\0' ||
	    memchr(p, '\0', k->mv_size - V_TICKETLEN - 1) != NULL) {
		problem(vf, "status index: a malformed key (%s)",
		    show(p, k->mv_size, buf, sizeof(buf)));
		return 0;
	}
	slen = k->mv_size - V_TICKETLEN - 1;
	id = record_get_be64(p + slen + 1);
	if ((r = get_ticket(vf, id, &tk, err)) < 0)
		return -1;
	if (r == 0)
		problem(vf, "status index: \"%s\" names ticket %" PRIu64
		    ", which does not exist", show(p, slen, buf, sizeof(buf)),
		    id);
	else if (r == 1 && (strlen(tk->status) != slen ||
	    memcmp(tk->status, p, slen) != 0))
		problem(vf, "status index: ticket %" PRIu64 " is under \"%s\" "
		    "but its status is \"%s\"", id,
		    show(p, slen, buf, sizeof(buf)),
		    show(tk->status, strlen(tk->status), buf2, sizeof(buf2)));
	store_ticket_free(tk);
	return 0;
}

/* v_msg - a message: its ticket, its raw bytes, its Message-ID */
static int
v_msg(struct store_txn *t, const MDB_val *k, const MDB_val *v,
      struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	unsigned char idkey[V_KEYMAX + 1];
	struct pd_stored_msg *m;
	struct pd_ticket *tk = NULL;
	struct pd_err derr;
	char buf[V_SHOW * 4 + 8];
	uint64_t ticket;
	uint32_t seq;
	MDB_val raw;
	int r;

	if (k->mv_size != V_SEQLEN) {
		problem(vf, "messages: a key of %zu bytes (%s)", k->mv_size,
		    show(k->mv_data, k->mv_size, buf, sizeof(buf)));
		return 0;
	}
	ticket = record_get_be64(k->mv_data);
	seq = record_get_be32((const unsigned char *)k->mv_data + 8);
	if (record_msg_decode(v->mv_data, v->mv_size, "message", &m,
	    &derr) < 0) {
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": unreadable "
		    "record: %s", ticket, seq, derr.text);
		return 0;
	}
	if ((r = get_ticket(vf, ticket, &tk, err)) < 0)
		goto fail;
	if (r == 0)
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": its ticket does "
		    "not exist", ticket, seq);
	else if (r == 1 && (seq == 0 || seq > tk->nmsgs))
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": beyond the "
		    "ticket's %" PRIu32 " messages", ticket, seq, tk->nmsgs);
	store_ticket_free(tk);
	/* a message postdesk made itself may have no raw bytes: zero hash */
	if (m->raw_size == 0 && sodium_is_zero(m->raw_hash, STORE_HASH_BYTES))
		r = 2;
	else if ((r = exists(vf, DB_RAW, m->raw_hash, STORE_HASH_BYTES, &raw,
	    err)) < 0)
		goto fail;
	if (r == 0)
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": its raw bytes "
		    "are missing", ticket, seq);
	else if (r == 1 && raw.mv_size != m->raw_size)
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": %" PRIu64 " raw "
		    "bytes recorded, %zu stored", ticket, seq, m->raw_size,
		    raw.mv_size);
	else if (r == 1 && !raw_matches(ticket, &raw, m->raw_hash))
		problem(vf, "message %" PRIu64 "/%" PRIu32 ": its raw bytes "
		    "do not match their hash", ticket, seq);
	if (r == 1)
		raw_note(vf, m->raw_hash);
	if (m->message_id[0] != '\0') {
		r = exists(vf, DB_MSGID, idkey,
		    id_key(t->t_st, m->message_id, idkey), NULL, err);
		if (r < 0)
			goto fail;
		if (r == 0)
			problem(vf, "message %" PRIu64 "/%" PRIu32 ": "
			    "Message-ID <%s> is not indexed", ticket, seq,
			    show(m->message_id, strlen(m->message_id), buf,
			    sizeof(buf)));
	}
	store_msg_free(m);
	return 0;

fail:
	store_msg_free(m);
	return -1;
}

/* v_msgid - an index entry names a message with that Message-ID */
static int
v_msgid(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	unsigned char idkey[V_KEYMAX + 1];
	struct pd_stored_msg *m;
	char buf[V_SHOW * 4 + 8];
	uint64_t ticket;
	uint32_t seq;
	size_t klen;
	int r;

	show(k->mv_data, k->mv_size, buf, sizeof(buf));
	if (v->mv_size != V_SEQLEN) {
		problem(vf, "msgid index: <%s> has a value of %zu bytes", buf,
		    v->mv_size);
		return 0;
	}
	ticket = record_get_be64(v->mv_data);
	seq = record_get_be32((const unsigned char *)v->mv_data + 8);
	if ((r = get_msg(vf, ticket, seq, &m, err)) < 0)
		return -1;
	if (r == 0) {
		problem(vf, "msgid index: <%s> names message %" PRIu64 "/%"
		    PRIu32 ", which does not exist", buf, ticket, seq);
		return 0;
	}
	if (r == 1) {
		klen = id_key(t->t_st, m->message_id, idkey);
		if (klen != k->mv_size || memcmp(idkey, k->mv_data, klen) != 0)
			problem(vf, "msgid index: <%s> names message %" PRIu64
			    "/%" PRIu32 ", whose Message-ID differs", buf,
			    ticket, seq);
	}
	store_msg_free(m);
	return 0;
}

/* v_raw - a raw entry belongs to a message */
static int
v_raw(struct store_txn *t, const MDB_val *k, const MDB_val *v,
      struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	char hex[STORE_HASH_BYTES * 2 + 1];

	(void)t;
	(void)err;
	if (k->mv_size != STORE_HASH_BYTES) {
		problem(vf, "raw: a key of %zu bytes", k->mv_size);
		return 0;
	}
	if (bsearch(k->mv_data, vf->raws, vf->nraws, STORE_HASH_BYTES,
	    hash_cmp) == NULL)
		problem(vf, "raw: %.16s... (%zu bytes) belongs to no message",
		    sodium_bin2hex(hex, sizeof(hex), k->mv_data,
		    STORE_HASH_BYTES), v->mv_size);
	return 0;
}

/* v_dedup - a duplicate key names a stored message */
static int
v_dedup(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	char hex[STORE_HASH_BYTES * 2 + 1];
	int r;

	(void)t;
	if (k->mv_size != STORE_HASH_BYTES || v->mv_size != V_SEQLEN) {
		problem(vf, "dedup: an entry with a key of %zu and a value of "
		    "%zu bytes", k->mv_size, v->mv_size);
		return 0;
	}
	/* (0, 0): a mail that was seen but stored no message (an agent's
	 * commands, the control address) */
	if (record_get_be64(v->mv_data) == 0 &&
	    record_get_be32((const unsigned char *)v->mv_data + 8) == 0)
		return 0;
	if ((r = exists(vf, DB_MESSAGES, v->mv_data, V_SEQLEN, NULL,
	    err)) < 0)
		return -1;
	if (r == 0)
		problem(vf, "dedup: %.16s... names message %" PRIu64 "/%"
		    PRIu32 ", which does not exist", sodium_bin2hex(hex,
		    sizeof(hex), k->mv_data, STORE_HASH_BYTES),
		    record_get_be64(v->mv_data),
		    record_get_be32((const unsigned char *)v->mv_data + 8));
	return 0;
}

/* v_event - an event of a ticket that exists, within its count */
static int
v_event(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	struct pd_ticket *tk;
	struct pd_event *e;
	struct pd_err derr;
	uint64_t ticket;
	uint32_t seq;
	int r;

	(void)t;
	if (k->mv_size != V_SEQLEN) {
		problem(vf, "events: a key of %zu bytes", k->mv_size);
		return 0;
	}
	ticket = record_get_be64(k->mv_data);
	seq = record_get_be32((const unsigned char *)k->mv_data + 8);
	if (record_event_decode(v->mv_data, v->mv_size, "event", &e,
	    &derr) < 0) {
		problem(vf, "event %" PRIu64 "/%" PRIu32 ": unreadable record: "
		    "%s", ticket, seq, derr.text);
		return 0;
	}
	record_event_free(e);
	if ((r = get_ticket(vf, ticket, &tk, err)) < 0)
		return -1;
	if (r == 0)
		problem(vf, "event %" PRIu64 "/%" PRIu32 ": its ticket does "
		    "not exist", ticket, seq);
	else if (r == 1 && (seq == 0 || seq > tk->nevents))
		problem(vf, "event %" PRIu64 "/%" PRIu32 ": beyond the "
		    "ticket's %" PRIu32 " events", ticket, seq, tk->nevents);
	store_ticket_free(tk);
	return 0;
}

/* due_key - the due-index key of (when, kind, id), as store_outbox.c has it */
static void
due_key(unsigned char k[V_DUELEN], time_t when, int kind, uint64_t id)
{
	record_put_be64(k, (uint64_t)(int64_t)when ^ (UINT64_C(1) << 63));
	k[8] = (unsigned char)kind;
	record_put_be64(k + 9, id);
}

/* v_outbox - an entry: its due key, its ticket */
static int
v_outbox(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	 struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	unsigned char dkey[V_DUELEN], tkey[V_TICKETLEN];
	struct pd_outbox *o;
	struct pd_err derr;
	uint64_t id;
	int r;

	(void)t;
	if (k->mv_size != 8) {
		problem(vf, "outbox: a key of %zu bytes", k->mv_size);
		return 0;
	}
	id = record_get_be64(k->mv_data);
	if (id > vf->max_outbox)
		vf->max_outbox = id;
	if (record_outbox_decode(v->mv_data, v->mv_size, "outbox", &o,
	    &derr) < 0) {
		problem(vf, "outbox %" PRIu64 ": unreadable record: %s", id,
		    derr.text);
		return 0;
	}
	if (o->next_try != 0) {
		due_key(dkey, o->next_try, STORE_DUE_OUTBOX, id);
		if ((r = exists(vf, DB_DUE, dkey, sizeof(dkey), NULL,
		    err)) < 0)
			goto fail;
		if (r == 0)
			problem(vf, "outbox %" PRIu64 ": due at %lld but not "
			    "in the due-index", id, (long long)o->next_try);
	}
	/* an entry given up (next_try 0) is history: its ticket may be gone */
	if (o->ticket != 0 && o->next_try != 0) {
		record_put_be64(tkey, o->ticket);
		if ((r = exists(vf, DB_TICKETS, tkey, sizeof(tkey), NULL,
		    err)) < 0)
			goto fail;
		if (r == 0)
			problem(vf, "outbox %" PRIu64 ": its ticket %" PRIu64
			    " does not exist", id, o->ticket);
	}
	record_outbox_free(o);
	return 0;

fail:
	record_outbox_free(o);
	return -1;
}

/* v_due - an outbox key names an entry due at exactly that time */
static int
v_due(struct store_txn *t, const MDB_val *k, const MDB_val *v,
      struct walk_ctx *ctx, struct pd_err *err)
{
	struct verify *vf = ctx->arg;
	const unsigned char *p = k->mv_data;
	unsigned char okey[8];
	struct pd_outbox *o;
	struct pd_err derr;
	MDB_val ov;
	time_t when;
	uint64_t id;
	int r;

	(void)t;
	(void)v;
	if (k->mv_size != V_DUELEN) {
		problem(vf, "due-index: a key of %zu bytes", k->mv_size);
		return 0;
	}
	if (p[8] != STORE_DUE_OUTBOX)
		return 0;	/* another kind: its owner checks it */
	when = (time_t)(int64_t)(record_get_be64(p) ^ (UINT64_C(1) << 63));
	id = record_get_be64(p + 9);
	record_put_be64(okey, id);
	if ((r = exists(vf, DB_OUTBOX, okey, sizeof(okey), &ov, err)) < 0)
		return -1;
	if (r == 0) {
		problem(vf, "due-index: outbox %" PRIu64 " due at %lld does "
		    "not exist", id, (long long)when);
		return 0;
	}
	if (record_outbox_decode(ov.mv_data, ov.mv_size, "outbox", &o,
	    &derr) < 0)
		return 0;	/* the outbox walk reports it */
	if (o->next_try != when)
		problem(vf, "due-index: outbox %" PRIu64 " is indexed at %lld "
		    "but due at %lld", id, (long long)when,
		    (long long)o->next_try);
	record_outbox_free(o);
	return 0;
}

/* v_counters - the id counters are ahead of every id in use */
static int
v_counters(struct verify *vf, struct pd_err *err)
{
	static const char next_ticket[] = "next_ticket";
	static const char next_outbox[] = "next_outbox";
	MDB_val v;
	uint64_t next;
	int r;

	r = exists(vf, DB_META, next_ticket, sizeof(next_ticket) - 1, &v,
	    err);
	if (r < 0)
		return -1;
	if (r == 0 || v.mv_size != 8)
		problem(vf, "meta: next_ticket is missing or malformed");
	else if ((next = record_get_be64(v.mv_data)) <= vf->max_ticket)
		problem(vf, "meta: next_ticket is %" PRIu64 ", but ticket %"
		    PRIu64 " exists", next, vf->max_ticket);
	r = exists(vf, DB_KV, next_outbox, sizeof(next_outbox) - 1, &v, err);
	if (r < 0)
		return -1;
	if (r == 1 && v.mv_size != 8)
		problem(vf, "kv: next_outbox is malformed");
	else if (vf->max_outbox > 0 && (r == 0 ||
	    (next = record_get_be64(v.mv_data)) <= vf->max_outbox))
		problem(vf, "kv: next_outbox is %s, but outbox %" PRIu64
		    " exists", r == 0 ? "missing" : "not beyond it",
		    vf->max_outbox);
	return 0;
}

/* store_verify - check every index against the records; problems or -1 */
int
store_verify(struct store *st, void (*report)(const char *, void *),
	     void *arg, struct pd_err *err)
{
	static int (*const visit[])(struct store_txn *, const MDB_val *,
	    const MDB_val *, struct walk_ctx *, struct pd_err *) = {
		v_ticket, v_status, v_msg, v_msgid, v_raw, v_dedup, v_event,
		v_outbox, v_due,
	};
	static const int dbs[] = {
		DB_TICKETS, DB_STATUS, DB_MESSAGES, DB_MSGID, DB_RAW, DB_DEDUP,
		DB_EVENTS, DB_OUTBOX, DB_DUE,
	};
	struct walk_ctx ctx;
	struct verify vf;
	size_t i;
	int r = 0;

	memset(&vf, 0, sizeof(vf));
	vf.report = report;
	vf.arg = arg;
	if (store_read(st, &vf.t, err) < 0)
		return -1;
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && r == 0; i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.arg = &vf;
		if (dbs[i] == DB_RAW && vf.nraws > 0)
			qsort(vf.raws, vf.nraws, STORE_HASH_BYTES, hash_cmp);
		r = si_walk(vf.t, dbs[i], NULL, 0, visit[i], &ctx, err);
	}
	if (r == 0)
		r = v_counters(&vf, err);
	store_abort(vf.t);
	free(vf.raws);
	return r < 0 ? -1 : vf.problems;
}
