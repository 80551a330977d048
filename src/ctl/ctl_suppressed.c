/*
 * ctl_suppressed.c - postdesk suppressed [--json] [--remove ADDRESS]
 *
 * Addresses that bounced hard: postdesk sends them nothing until they
 * write in again (or an operator removes them here).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/priv.h"
#include "store/store.h"
#include "ctl/ctl.h"

struct supp_list {
	json_t	*a;
	int	json;
	int	n;
};

/* supp_row - one suppressed address: "TIME STATUS DIAGNOSTIC" */
static int
supp_row(const char *key, const void *val, size_t len, void *arg)
{
	struct supp_list *sl = arg;
	char v[400], when[32], *sp;
	long long t = 0;

	snprintf(v, sizeof(v), "%.*s", (int)(len < 399 ? len : 399),
	    (const char *)val);
	t = strtoll(v, &sp, 10);
	while (*sp == ' ')
		sp++;
	clock_format_iso((time_t)t, when, sizeof(when));
	sl->n++;
	if (sl->json) {
		json_t *o = json_object();

		json_object_set_new(o, "address", json_string(key + 9));
		json_object_set_new(o, "since", json_string(when));
		json_object_set_new(o, "reason", json_string(sp));
		json_array_append_new(sl->a, o);
	} else
		printf("%-36s %s  %s\n", key + 9, when, sp);
	return 0;
}

struct supp_del {
	const char *key;
};

/* supp_del_txn - remove one */
static int
supp_del_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	return store_kv_del(txn, ((struct supp_del *)arg)->key, err);
}

/* ctl_suppressed - list, or remove one */
int
ctl_suppressed(struct ctl *c, int argc, char **argv)
{
	struct supp_list sl;
	struct store *st = NULL;
	struct store_txn *txn;
	struct pd_err err;
	const char *remove = NULL;
	char key[300];
	int rc, i;

	memset(&sl, 0, sizeof(sl));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			sl.json = 1;
		else if (strcmp(argv[i], "--remove") == 0 && i + 1 < argc)
			remove = argv[++i];
		else {
			fprintf(stderr, "usage: postdesk suppressed [--json] "
			    "[--remove ADDRESS]\n");
			return EX_USAGE;
		}
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (ctl_store(c, remove ? 0 : STORE_RDONLY, &st, &err) < 0)
		return ctl_status(&err);
	if (remove != NULL) {
		struct supp_del d;
		char *p;

		snprintf(key, sizeof(key), "suppress:%.280s", remove);
		for (p = key + 9; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		d.key = key;
		rc = store_write(st, supp_del_txn, &d, &err) < 0 ?
		    ctl_status(&err) : 0;
		store_close(st);
		return rc;
	}
	if (store_read(st, &txn, &err) < 0) {
		store_close(st);
		return ctl_status(&err);
	}
	sl.a = json_array();
	rc = store_kv_iter(txn, "suppress:", supp_row, &sl, &err) < 0 ?
	    ctl_status(&err) : 0;
	store_abort(txn);
	store_close(st);
	if (rc == 0 && sl.json) {
		json_dumpf(sl.a, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (rc == 0 && sl.n == 0)
		printf("(no suppressed addresses)\n");
	json_decref(sl.a);
	return rc;
}
