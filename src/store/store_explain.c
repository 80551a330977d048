/*
 * store_explain.c - what an intake saw, found by the MTA's queue id, and
 * forgotten after explain_keep
 *
 * Exports store_explain_put(), store_explain_get() and
 * store_explain_prune(); contracts in store.h.
 *
 * Two kv entries per intake that has a queue id:
 *   "explain:q:QID"  "@T " followed by the text: "ticket N message M"
 *		      for a stored message (its story is an event of the
 *		      ticket) or the story itself for a mail not stored;
 *		      T is the intake's time, decimal seconds
 *   "explain:t:HHHHHHHHHHHHHHHH:QID"  empty; H is T in 16 hex digits
 * The second is a time index: in key order it is oldest first, so the
 * prune stops at the first entry young enough. A queue id seen twice
 * (Postfix reuses short ids, after a while) has one q entry, the newest,
 * and two index entries; the older one finds a different T in the q
 * entry and removes only itself. A q entry without "@T " (written before
 * the index) is read as it is and never pruned.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

#include "store.h"

#define EXPLAIN_Q	"explain:q:"
#define EXPLAIN_T	"explain:t:"
#define EXPLAIN_QIDMAX	200	/* bytes of a queue id kept in a key */
#define PRUNE_BATCH	1000	/* index entries per write transaction */

/* qkey - the q entry's key */
static void
qkey(char *key, size_t size, const char *qid)
{
	snprintf(key, size, EXPLAIN_Q "%.*s", EXPLAIN_QIDMAX, qid);
}

/* store_explain_put - the intake's text under its queue id, at time when */
int
store_explain_put(struct store_txn *t, const char *qid, time_t when,
		  const char *text, struct pd_err *err)
{
	char key[300], *val;
	int rc;

	qkey(key, sizeof(key), qid);
	val = xasprintf("@%lld %s", (long long)when, text);
	rc = store_kv_put(t, key, val, strlen(val), err);
	free(val);
	if (rc < 0)
		return -1;
	snprintf(key, sizeof(key), EXPLAIN_T "%016llx:%.*s",
	    (unsigned long long)when, EXPLAIN_QIDMAX, qid);
	return store_kv_put(t, key, "", 0, err);
}

/* store_explain_get - the text of a queue id into buf, NUL-terminated
 * (cut to size - 1 bytes); 1 found, 0 not, -1 error */
int
store_explain_get(struct store_txn *t, const char *qid, char *buf,
		  size_t size, struct pd_err *err)
{
	char key[300], *val, *text;
	size_t len, room = size + 32;	/* the "@T " too */
	int rc;

	qkey(key, sizeof(key), qid);
	val = xmalloc(room);
	if ((rc = store_kv_peek(t, key, val, room - 1, &len, err)) == 1) {
		val[len < room - 1 ? len : room - 1] = '\0';
		text = val;
		if (val[0] == '@' && (text = strchr(val, ' ')) != NULL)
			text++;
		else
			text = val;
		snprintf(buf, size, "%s", text);
	}
	free(val);
	return rc;
}

/* The index entries older than the cutoff, as collected in a read. */
struct prune {
	time_t	before;
	char	*keys[PRUNE_BATCH];
	size_t	n;
	size_t	removed;	/* q entries removed so far */
};

/* prune_collect - index entries in key order until one is young enough */
static int
prune_collect(const char *key, const void *val, size_t len, void *arg)
{
	struct prune *p = arg;
	unsigned long long when;

	(void)val;
	(void)len;
	if (sscanf(key + strlen(EXPLAIN_T), "%16llx:", &when) != 1)
		return 0;		/* not ours: leave it */
	if ((time_t)when >= p->before || p->n == PRUNE_BATCH)
		return 1;
	p->keys[p->n++] = xstrdup(key);
	return 0;
}

/* prune_txn - remove the collected index entries, and each q entry that
 * still holds the intake of the same time */
static int
prune_txn(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct prune *p = arg;
	char key[300], val[32], *qid, want[32];
	unsigned long long when;
	size_t i, len, wl;
	int rc;

	for (i = 0; i < p->n; i++) {
		if (sscanf(p->keys[i] + strlen(EXPLAIN_T), "%16llx:",
		    &when) != 1 || (qid = strchr(p->keys[i] +
		    strlen(EXPLAIN_T), ':')) == NULL)
			continue;
		qkey(key, sizeof(key), qid + 1);
		wl = (size_t)snprintf(want, sizeof(want), "@%lld ",
		    (long long)when);
		rc = store_kv_peek(t, key, val, sizeof(val), &len, err);
		if (rc < 0)
			return -1;
		if (rc == 1 && len >= wl && memcmp(val, want, wl) == 0) {
			if (store_kv_del(t, key, err) < 0)
				return -1;
			p->removed++;
		}
		if (store_kv_del(t, p->keys[i], err) < 0)
			return -1;
	}
	return 0;
}

/* store_explain_prune - forget the intakes before the cutoff; *removed
 * counts the queue ids forgotten */
int
store_explain_prune(struct store *st, time_t before, size_t *removed,
		    struct pd_err *err)
{
	struct store_txn *t;
	struct prune p;
	size_t i, n;
	int rc;

	memset(&p, 0, sizeof(p));
	p.before = before;
	*removed = 0;
	do {
		p.n = 0;
		if (store_read(st, &t, err) < 0)
			return -1;
		rc = store_kv_iter(t, EXPLAIN_T, prune_collect, &p, err);
		store_abort(t);
		if (rc == 0 && p.n > 0)
			rc = store_write(st, prune_txn, &p, err);
		n = p.n;
		for (i = 0; i < p.n; i++)
			free(p.keys[i]);
		if (rc < 0)
			return -1;
	} while (n == PRUNE_BATCH);
	*removed = p.removed;
	return 0;
}
