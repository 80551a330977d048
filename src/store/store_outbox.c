/*
 * store_outbox.c - the outbox, the due-index and the key-value database
 *
 * Outbox ids come from the kv counter "next_outbox". Each outbox entry has
 * one due-index entry (next_try, STORE_DUE_OUTBOX, id), so postdesk-cron
 * reads only what is due. Due keys are i64 time (big endian, offset by
 * 2^63 so that earlier times sort first), u8 kind, u64 id.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "record.h"
#include "store.h"
#include "store_int.h"

#define DUE_KEYLEN	17
#define KV_KEYMAX	400
#define KV_NEXT_OUTBOX	"next_outbox"

static void due_key(unsigned char[DUE_KEYLEN], time_t, int, uint64_t);

/* due_key - time, kind, id */
static void
due_key(unsigned char k[DUE_KEYLEN], time_t when, int kind, uint64_t id)
{
	record_put_be64(k, (uint64_t)(int64_t)when ^ (UINT64_C(1) << 63));
	k[8] = (unsigned char)kind;
	record_put_be64(k + 9, id);
}

/* store_due_put - index something as due at a time */
int
store_due_put(struct store_txn *t, time_t when, int kind, uint64_t id,
	      struct pd_err *err)
{
	unsigned char k[DUE_KEYLEN];

	due_key(k, when, kind, id);
	return si_put(t, DB_DUE, k, sizeof(k), "", 0, 0, err);
}

/* store_due_del - drop a due-index entry */
int
store_due_del(struct store_txn *t, time_t when, int kind, uint64_t id,
	      struct pd_err *err)
{
	unsigned char k[DUE_KEYLEN];

	due_key(k, when, kind, id);
	return si_del(t, DB_DUE, k, sizeof(k), err);
}

/* visit_due - decode one due key; stop after ctx->upto */
static int
visit_due(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	  struct walk_ctx *ctx, struct pd_err *err)
{
	const unsigned char *p = k->mv_data;
	time_t when;

	(void)v;
	if (k->mv_size != DUE_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: due key of %zu "
		    "bytes in %s", k->mv_size, t->t_st->s_dir);
	when = (time_t)(int64_t)(record_get_be64(p) ^ (UINT64_C(1) << 63));
	if (when > ctx->upto)
		return 1;
	return ctx->fn.due(when, p[8], record_get_be64(p + 9), ctx->arg);
}

/* store_due_iter - everything due up to a time, oldest first */
int
store_due_iter(struct store_txn *t, time_t upto,
	       int (*fn)(time_t, int, uint64_t, void *), void *arg,
	       struct pd_err *err)
{
	struct walk_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fn.due = fn;
	ctx.arg = arg;
	ctx.upto = upto;
	return si_walk(t, DB_DUE, NULL, 0, visit_due, &ctx, err);
}

/* kv_check - keys are short text */
static int
kv_check(const char *key, struct pd_err *err)
{
	size_t n = strlen(key);

	if (n == 0 || n > KV_KEYMAX)
		return err_set(err, PD_EBUG, "kv key of %zu bytes", n);
	return 0;
}

/* store_kv_get - copy a value into val (up to size bytes); 1/0/-1 */
int
store_kv_get(struct store_txn *t, const char *key, void *val, size_t size,
	     size_t *len, struct pd_err *err)
{
	size_t n;
	int rc;

	if ((rc = store_kv_peek(t, key, val, size, &n, err)) != 1)
		return rc;
	if (n > size)
		return err_set(err, PD_ETEMP, "corrupt record: kv %s has %zu "
		    "bytes in %s", key, n, t->t_st->s_dir);
	if (len != NULL)
		*len = n;
	return 1;
}

/* store_kv_peek - copy the first size bytes of a value; *len is its
 * whole length; 1/0/-1 */
int
store_kv_peek(struct store_txn *t, const char *key, void *val, size_t size,
	      size_t *len, struct pd_err *err)
{
	MDB_val v;
	int rc;

	if (kv_check(key, err) < 0)
		return -1;
	if ((rc = si_get(t, DB_KV, key, strlen(key), &v, err)) != 1)
		return rc;
	memcpy(val, v.mv_data, v.mv_size < size ? v.mv_size : size);
	*len = v.mv_size;
	return 1;
}

/* store_kv_put - set a value */
int
store_kv_put(struct store_txn *t, const char *key, const void *val,
	     size_t len, struct pd_err *err)
{
	if (kv_check(key, err) < 0)
		return -1;
	return si_put(t, DB_KV, key, strlen(key), val, len, 0, err);
}

/* store_kv_del - remove a value */
int
store_kv_del(struct store_txn *t, const char *key, struct pd_err *err)
{
	if (kv_check(key, err) < 0)
		return -1;
	return si_del(t, DB_KV, key, strlen(key), err);
}

/* store_outbox_update - write the record under its id (due-index unchanged) */
int
store_outbox_update(struct store_txn *t, const struct pd_outbox *o,
	   struct pd_err *err)
{
	unsigned char k[8];
	struct buf *b = buf_new(1024 + (o->message ? strlen(o->message) : 0));
	int rc;

	record_put_be64(k, o->id);
	if ((rc = record_outbox_encode(b, o, err)) == 0)
		rc = si_put(t, DB_OUTBOX, k, sizeof(k), b->data, b->len, 0,
		    err);
	buf_free(b);
	return rc;
}

/* store_outbox_new_id - reserve the next outbox id (for its Message-ID) */
int
store_outbox_new_id(struct store_txn *t, uint64_t *idp, struct pd_err *err)
{
	unsigned char v[8];
	uint64_t next = 1;
	size_t len;
	int rc;

	rc = store_kv_get(t, KV_NEXT_OUTBOX, v, sizeof(v), &len, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		if (len != 8)
			return err_set(err, PD_ETEMP, "corrupt record: kv "
			    "next_outbox in %s", t->t_st->s_dir);
		next = record_get_be64(v);
	}
	*idp = next;
	record_put_be64(v, next + 1);
	return store_kv_put(t, KV_NEXT_OUTBOX, v, sizeof(v), err);
}

/* store_outbox_add - a new entry, due at o->next_try */
int
store_outbox_add(struct store_txn *t, struct pd_outbox *o,
		 struct pd_err *err)
{
	if (o->id == 0 && store_outbox_new_id(t, &o->id, err) < 0)
		return -1;
	if (store_outbox_update(t, o, err) < 0)
		return -1;
	return store_due_put(t, o->next_try, STORE_DUE_OUTBOX, o->id, err);
}

/* store_outbox_get - one entry by id; 1/0/-1 */
int
store_outbox_get(struct store_txn *t, uint64_t id, struct pd_outbox **op,
		 struct pd_err *err)
{
	unsigned char k[8];
	char what[STORE_WHAT];
	MDB_val v;
	int rc;

	*op = NULL;
	record_put_be64(k, id);
	if ((rc = si_get(t, DB_OUTBOX, k, sizeof(k), &v, err)) != 1)
		return rc;
	snprintf(what, sizeof(what), "outbox %" PRIu64 " in %s", id,
	    t->t_st->s_dir);
	if (record_outbox_decode(v.mv_data, v.mv_size, what, op, err) < 0)
		return -1;
	(*op)->id = id;
	return 1;
}

/* store_outbox_retry - save attempts and error, move the due entry */
int
store_outbox_retry(struct store_txn *t, const struct pd_outbox *o,
		   time_t old_next_try, struct pd_err *err)
{
	if (store_due_del(t, old_next_try, STORE_DUE_OUTBOX, o->id, err) < 0 ||
	    store_outbox_update(t, o, err) < 0)
		return -1;
	return store_due_put(t, o->next_try, STORE_DUE_OUTBOX, o->id, err);
}

/* store_outbox_done - delivered or given up: remove entry and due key */
int
store_outbox_done(struct store_txn *t, const struct pd_outbox *o,
		  struct pd_err *err)
{
	unsigned char k[8];

	record_put_be64(k, o->id);
	if (si_del(t, DB_OUTBOX, k, sizeof(k), err) < 0)
		return -1;
	return store_due_del(t, o->next_try, STORE_DUE_OUTBOX, o->id, err);
}

/* visit_outbox - decode and call back */
static int
visit_outbox(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	     struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_outbox *o;
	char what[STORE_WHAT];
	uint64_t id;
	int rc;

	if (k->mv_size != 8)
		return err_set(err, PD_ETEMP, "corrupt record: outbox key of "
		    "%zu bytes in %s", k->mv_size, t->t_st->s_dir);
	id = record_get_be64(k->mv_data);
	snprintf(what, sizeof(what), "outbox %" PRIu64 " in %s", id,
	    t->t_st->s_dir);
	if (record_outbox_decode(v->mv_data, v->mv_size, what, &o, err) < 0)
		return -1;
	o->id = id;
	rc = ctx->fn.outbox(o, ctx->arg);
	record_outbox_free(o);
	return rc;
}

/* store_outbox_iter - every entry in id order */
int
store_outbox_iter(struct store_txn *t,
		  int (*fn)(const struct pd_outbox *, void *), void *arg,
		  struct pd_err *err)
{
	struct walk_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fn.outbox = fn;
	ctx.arg = arg;
	return si_walk(t, DB_OUTBOX, NULL, 0, visit_outbox, &ctx, err);
}

/* store_outbox_free - release a copied-out entry */
void
store_outbox_free(struct pd_outbox *o)
{
	record_outbox_free(o);
}

struct kv_walk {
	int	(*fn)(const char *, const void *, size_t, void *);
	void	*arg;
};

/* visit_kv - one key-value pair, key NUL-terminated for the callback */
static int
visit_kv(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	 struct walk_ctx *ctx, struct pd_err *err)
{
	struct kv_walk *kw = ctx->arg;
	char key[KV_KEYMAX + 1];

	(void)t;
	(void)err;
	if (k->mv_size > KV_KEYMAX)
		return 0;
	memcpy(key, k->mv_data, k->mv_size);
	key[k->mv_size] = '\0';
	return kw->fn(key, v->mv_data, v->mv_size, kw->arg);
}

/* store_kv_iter - every pair whose key starts with prefix, in key order */
int
store_kv_iter(struct store_txn *t, const char *prefix,
	      int (*fn)(const char *, const void *, size_t, void *), void *arg,
	      struct pd_err *err)
{
	struct walk_ctx ctx;
	struct kv_walk kw;

	kw.fn = fn;
	kw.arg = arg;
	memset(&ctx, 0, sizeof(ctx));
	ctx.arg = &kw;
	return si_walk(t, DB_KV, prefix, strlen(prefix), visit_kv, &ctx, err);
}
