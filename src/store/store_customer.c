/*
 * store_customer.c - customers, by address and by external id, and the
 * tickets of a requester
 *
 * Exports store_customer_get_by_email(), store_customer_get_by_external(),
 * store_customer_put(), store_customer_iter(), store_customer_free() and
 * store_customer_tickets(); contracts in store.h.
 *
 * Keys: customers by the lower-cased email (ASCII letters only: the local
 * part of an address is the domain's business, but no mail system hands
 * out two mailboxes that differ in case, and mail clients do change it);
 * customer_ext by the external id as given; customer_tickets by
 * "email NUL u64 id" (store.c writes it: si_custtk_key, custtk_move).
 * Record layout in record.h; the email is the key and is not repeated.
 *
 * store_customer_put() checks before it writes, so a refusal (PD_EDATA)
 * leaves the transaction as it was and the caller may go on with other
 * customers in the same transaction. An external-id entry that names a
 * missing customer is a corrupt store (PD_ETEMP), as for the other
 * indexes. store_customer_tickets() reads the index; an address too long
 * for a key was never indexed, and its tickets are found by reading every
 * ticket instead.
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

#define TICKET_KEYLEN	8	/* u64 id */

/* The ids store_customer_tickets collects. */
struct id_list {
	uint64_t *ids;
	size_t	n;
	size_t	cap;
	const char *email;	/* for the scan of every ticket */
};

static char *email_key(const char *);
static int customer_decode(struct store_txn *, const char *, const MDB_val *,
			   struct pd_customer **, struct pd_err *);
static int visit_customer(struct store_txn *, const MDB_val *,
			  const MDB_val *, struct walk_ctx *,
			  struct pd_err *);
static void id_add(struct id_list *, uint64_t);
static int visit_custtk(struct store_txn *, const MDB_val *, const MDB_val *,
			struct walk_ctx *, struct pd_err *);
static int scan_ticket(const struct pd_ticket *, void *);

/* email_key - the key of an email: ASCII letters lower-cased (caller
 * frees) */
static char *
email_key(const char *email)
{
	char *k = xstrdup(email), *p;

	for (p = k; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return k;
}

/* customer_decode - a record into a customer with its email */
static int
customer_decode(struct store_txn *t, const char *email, const MDB_val *v,
		struct pd_customer **cp, struct pd_err *err)
{
	char what[STORE_WHAT];

	snprintf(what, sizeof(what), "customer %.128s in %s", email,
	    t->t_st->s_dir);
	if (record_customer_decode(v->mv_data, v->mv_size, what, cp, err) < 0)
		return -1;
	(*cp)->email = xstrdup(email);
	return 0;
}

/* store_customer_get_by_email - copy of a customer; 1 found, 0 not, -1 */
int
store_customer_get_by_email(struct store_txn *t, const char *email,
			    struct pd_customer **cp, struct pd_err *err)
{
	MDB_val v;
	char *key;
	size_t len;
	int r;

	*cp = NULL;
	if (email == NULL || (len = strlen(email)) == 0 ||
	    len > t->t_st->s_maxkey)
		return 0;	/* nothing such can have been stored */
	key = email_key(email);
	if ((r = si_get(t, DB_CUSTOMERS, key, len, &v, err)) == 1 &&
	    customer_decode(t, key, &v, cp, err) < 0)
		r = -1;
	free(key);
	return r;
}

/* store_customer_get_by_external - the customer with an external id */
int
store_customer_get_by_external(struct store_txn *t, const char *extid,
			       struct pd_customer **cp, struct pd_err *err)
{
	MDB_val v;
	char *email;
	size_t len;
	int r;

	*cp = NULL;
	if (extid == NULL || (len = strlen(extid)) == 0 ||
	    len > t->t_st->s_maxkey)
		return 0;
	if ((r = si_get(t, DB_CUSTOMER_EXT, extid, len, &v, err)) <= 0)
		return r;
	email = xstrndup(v.mv_data, v.mv_size);
	r = store_customer_get_by_email(t, email, cp, err);
	if (r == 0)
		r = err_set(err, PD_ETEMP, "corrupt record: customer_ext "
		    "%.64s names customer %.128s, which is missing in %s",
		    extid, email, t->t_st->s_dir);
	free(email);
	return r;
}

/* store_customer_put - insert or replace; the external-id index follows */
int
store_customer_put(struct store_txn *t, const struct pd_customer *c,
		   struct pd_err *err)
{
	struct pd_customer *old = NULL;
	const char *ext = c->external_id != NULL ? c->external_id : "";
	struct buf *b = NULL;
	MDB_val v;
	char *key = NULL;
	size_t klen, elen = strlen(ext);
	int r = -1;

	if (c->email == NULL || (klen = strlen(c->email)) == 0)
		return err_set(err, PD_EDATA, "customer without an email");
	if (klen > t->t_st->s_maxkey)
		return err_set(err, PD_EDATA, "customer email of %zu bytes: "
		    "too long", klen);
	if (elen > t->t_st->s_maxkey)
		return err_set(err, PD_EDATA, "external id of %zu bytes: too "
		    "long", elen);
	key = email_key(c->email);
	if (elen > 0) {
		if ((r = si_get(t, DB_CUSTOMER_EXT, ext, elen, &v, err)) < 0)
			goto out;
		if (r == 1 && (v.mv_size != klen ||
		    memcmp(v.mv_data, key, klen) != 0)) {
			r = err_set(err, PD_EDATA, "external id %.64s already "
			    "belongs to %.*s", ext, (int)(v.mv_size > 128 ?
			    128 : v.mv_size), (const char *)v.mv_data);
			goto out;
		}
	}
	if ((r = store_customer_get_by_email(t, key, &old, err)) < 0)
		goto out;
	b = buf_new(256);
	if ((r = record_customer_encode(b, c, err)) < 0 ||
	    (r = si_put(t, DB_CUSTOMERS, key, klen, b->data, b->len, 0,
	    err)) < 0)
		goto out;
	/* the customer's old id no longer leads here */
	if (old != NULL && *old->external_id != '\0' &&
	    strcmp(old->external_id, ext) != 0 &&
	    (r = si_del(t, DB_CUSTOMER_EXT, old->external_id,
	    strlen(old->external_id), err)) < 0)
		goto out;
	r = 0;
	if (elen > 0)
		r = si_put(t, DB_CUSTOMER_EXT, ext, elen, key, klen, 0, err);
out:
	buf_free(b);
	store_customer_free(old);
	free(key);
	return r;
}

/* visit_customer - decode one customer, call back */
static int
visit_customer(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	       struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_customer *c;
	char *email;
	int r;

	email = xstrndup(k->mv_data, k->mv_size);
	r = customer_decode(t, email, v, &c, err);
	free(email);
	if (r < 0)
		return -1;
	r = ctx->fn.customer(c, ctx->arg);
	store_customer_free(c);
	return r;
}

/* store_customer_iter - every customer, in email order */
int
store_customer_iter(struct store_txn *t,
		    int (*fn)(const struct pd_customer *, void *), void *arg,
		    struct pd_err *err)
{
	struct walk_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fn.customer = fn;
	ctx.arg = arg;
	return si_walk(t, DB_CUSTOMERS, NULL, 0, visit_customer, &ctx, err);
}

/* store_customer_free - release; accepts NULL */
void
store_customer_free(struct pd_customer *c)
{
	record_customer_free(c);
}

/* id_add - append an id */
static void
id_add(struct id_list *l, uint64_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->ids = xrealloc(l->ids, l->cap * sizeof(*l->ids));
	}
	l->ids[l->n++] = id;
}

/* visit_custtk - one customer_tickets entry */
static int
visit_custtk(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	     struct walk_ctx *ctx, struct pd_err *err)
{
	(void)v;
	if (k->mv_size != ctx->prefix + TICKET_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: "
		    "customer_tickets key of %zu bytes in %s", k->mv_size,
		    t->t_st->s_dir);
	id_add(ctx->arg, record_get_be64((const unsigned char *)k->mv_data +
	    ctx->prefix));
	return 0;
}

/* scan_ticket - the slow way, for an address too long to be indexed */
static int
scan_ticket(const struct pd_ticket *tk, void *arg)
{
	struct id_list *l = arg;
	char *a;

	if (tk->requester == NULL)
		return 0;
	a = email_key(tk->requester);
	if (strcmp(a, l->email) == 0)
		id_add(l, tk->id);
	free(a);
	return 0;
}

/* store_customer_tickets - a requester's ticket ids, ascending */
int
store_customer_tickets(struct store_txn *t, const char *email,
		       uint64_t **ids, size_t *n, struct pd_err *err)
{
	unsigned char prefix[STORE_KEY_MAX + 1];
	struct walk_ctx ctx;
	struct id_list l;
	char *key;
	int r;

	*ids = NULL;
	*n = 0;
	if (email == NULL || *email == '\0')
		return 0;
	memset(&l, 0, sizeof(l));
	memset(&ctx, 0, sizeof(ctx));
	ctx.arg = &l;
	ctx.prefix = si_custtk_key(t->t_st, prefix, email, 0, 0);
	if (ctx.prefix > 0)
		r = si_walk(t, DB_CUSTOMER_TICKETS, prefix, ctx.prefix,
		    visit_custtk, &ctx, err);
	else {
		key = email_key(email);
		l.email = key;
		r = store_ticket_iter(t, NULL, scan_ticket, &l, err);
		free(key);
	}
	if (r < 0) {
		free(l.ids);
		return -1;
	}
	*ids = l.ids;
	*n = l.n;
	return 0;
}
