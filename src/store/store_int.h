/*
 * store_int.h - what the files of store/ share; nothing outside store/
 * includes it
 *
 * store.c owns the environment, transactions and map growth, and the
 * ticket, message, raw, msgid, dedup and event databases; store_outbox.c
 * the outbox, the due-index and the small key-value database;
 * store_customer.c the customers and their index by external id. The
 * index of a customer's tickets (customer_tickets: lower-cased requester
 * NUL u64 id -> "") is kept by store.c, in store_ticket_put and
 * store_ticket_del, and read by store_customer.c. They share
 * the database handles and four primitives: si_get (1 found, 0 not found,
 * -1 error), si_put (MDB_NOOVERWRITE: an existing key is not an error),
 * si_del (a missing key is not an error), si_walk (keys with a prefix, in
 * order; see store.c). Each notes MDB_MAP_FULL in the store_txn, so
 * store_write() can grow the map and run the unit of work again.
 */
#ifndef PD_STORE_INT_H
#define PD_STORE_INT_H

#include <pthread.h>
#include <stddef.h>

#include <lmdb.h>

#include "util/pd_types.h"

struct pd_err;

enum {
	DB_META, DB_TICKETS, DB_STATUS, DB_MESSAGES, DB_RAW, DB_MSGID,
	DB_DEDUP, DB_EVENTS, DB_OUTBOX, DB_DUE, DB_KV,
	DB_CUSTOMERS, DB_CUSTOMER_EXT, DB_CUSTOMER_TICKETS, DB_COUNT
};

/* Databases from here on came after schema 1 shipped: a store made before
 * them gets them (empty, customer_tickets filled from the tickets) when a
 * program first opens it read-write; see dbs_late in store.c. */
#define DB_FIRST_LATE	DB_CUSTOMERS

#define STORE_WHAT	256	/* "ticket 42 in DIR" */
#define STORE_KEY_MAX	511	/* LMDB's default key limit (as in store.c) */

extern const char *const db_names[DB_COUNT];

struct store {
	MDB_env *s_env;
	char	*s_dir;
	int	s_flags;
	size_t	s_maxkey;
	MDB_dbi	s_dbi[DB_COUNT];
	pthread_mutex_t s_mu;	/* guards s_ntxn, s_remap, s_mapsize */
	pthread_cond_t s_cv;	/* s_ntxn fell to 0, or s_remap to 0 */
	int	s_ntxn;		/* transactions open in the process */
	int	s_remap;	/* a thread waits to resize the map */
	size_t	s_mapsize;	/* the map size, as last set */
	/* group commit (store_group): store_write calls of several threads
	 * share one LMDB transaction and one fsync */
	int	s_group;	/* on */
	pthread_mutex_t s_gmu;	/* guards the queue and s_glead */
	pthread_cond_t s_gcv;	/* a job is done, or the leader left */
	struct store_job *s_ghead, **s_gtail;	/* waiting jobs */
	int	s_glead;	/* a thread is committing a group */
	unsigned long s_gcommits;	/* group transactions committed */
	unsigned long s_gjobs;		/* store_writes they held */
};

struct store_txn {
	struct store *t_st;
	MDB_txn	*t_txn;
	int	t_write;	/* the transaction of a store_write */
	int	t_mapfull;	/* an LMDB call returned MDB_MAP_FULL */
};

/* What the walk callbacks need: the caller's callback and argument. */
struct walk_ctx {
	union {
		int	(*ticket)(const struct pd_ticket *, void *);
		int	(*msg)(const struct pd_stored_msg *, void *);
		int	(*event)(const struct pd_event *, void *);
		int	(*outbox)(const struct pd_outbox *, void *);
		int	(*due)(time_t, int, uint64_t, void *);
		int	(*customer)(const struct pd_customer *, void *);
	} fn;
	void	*arg;
	size_t	prefix;		/* bytes of key before the id */
	time_t	upto;		/* due-index walks stop after this time */
};

int	si_txn_err(struct store_txn *, int, const char *, struct pd_err *);
int	si_get(struct store_txn *, int, const void *, size_t, MDB_val *,
	       struct pd_err *);
int	si_put(struct store_txn *, int, const void *, size_t, const void *,
	       size_t, unsigned int, struct pd_err *);
int	si_del(struct store_txn *, int, const void *, size_t,
	       struct pd_err *);
/* si_custtk_key - the customer_tickets key of (requester, id) into k (room
 * for STORE_KEY_MAX + 1 bytes); with id_too 0 only the prefix (address and
 * NUL). Returns its length, 0 when the address is empty or too long for a
 * key (such tickets are not indexed). */
size_t	si_custtk_key(struct store *, unsigned char *, const char *,
		      uint64_t, int id_too);
int	si_walk(struct store_txn *, int, const void *, size_t,
		int (*)(struct store_txn *, const MDB_val *, const MDB_val *,
			struct walk_ctx *, struct pd_err *),
		struct walk_ctx *, struct pd_err *);

#endif
