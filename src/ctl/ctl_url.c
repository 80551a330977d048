/*
 * ctl_url.c - postdesk url and postdesk outbox
 *
 * url ID prints the ticket's signed URL; url --verify URL exits 0 when the
 * URL is one postdesk signed (for a ticket that exists) and 1, with the
 * reason, when it is forged, truncated or another ticket's. outbox lists
 * the notifications waiting for the MTA, with their attempts and errors.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/priv.h"
#include "token/token.h"
#include "store/store.h"
#include "ctl/ctl.h"

/* ctl_keys - configuration and key (no store) */
static int
ctl_keys(struct ctl *c, struct pd_keyring **keys, struct pd_err *err)
{
	long uid;
	int rc;

	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	if (priv_become_owner(c->conf.data_directory, &uid, err) < 0)
		return ctl_status(err);
	if (token_init() < 0) {
		err_set(err, PD_ETEMP, "libsodium failed to start");
		return ctl_status(err);
	}
	if ((*keys = keyfile_load(c->conf.key_file, err)) == NULL)
		return ctl_status(err);
	return 0;
}

/* ctl_ticket_exists - 1 yes, 0 no, -1 error */
static int
ctl_ticket_exists(struct ctl *c, uint64_t id, struct pd_err *err)
{
	struct store *st = NULL;
	struct store_txn *txn;
	struct pd_ticket *t = NULL;
	int rc;

	if (store_open(c->conf.data_directory, c->conf.map_size, STORE_RDONLY,
	    &st, err) < 0)
		return -1;
	if ((rc = store_read(st, &txn, err)) == 0) {
		rc = store_ticket_get(txn, id, &t, err);
		store_abort(txn);
	}
	store_ticket_free(t);
	store_close(st);
	return rc;
}

/* ctl_url - postdesk url ID | postdesk url --verify URL */
int
ctl_url(struct ctl *c, int argc, char **argv)
{
	struct pd_keyring *keys = NULL;
	struct pd_err err;
	uint64_t id = 0;
	char *url, *end;
	int rc;

	err_clear(&err);
	if (argc == 3 && strcmp(argv[1], "--verify") == 0) {
		if ((rc = ctl_keys(c, &keys, &err)) != 0)
			return rc;
		if (token_url_verify(keys, argv[2], &id) != 1) {
			printf("invalid: not a ticket URL signed by this "
			    "postdesk (forged, truncated or altered)\n");
			rc = 1;
		} else if ((rc = ctl_ticket_exists(c, id, &err)) < 0) {
			rc = ctl_status(&err);
		} else if (rc == 0) {
			printf("invalid: ticket %" PRIu64 " does not exist "
			    "(any more)\n", id);
			rc = 1;
		} else {
			printf("valid: ticket %" PRIu64 "\n", id);
			rc = 0;
		}
		token_keyring_free(keys);
		return rc;
	}
	if (argc != 2 || argv[1][0] < '1' || argv[1][0] > '9' ||
	    (id = strtoull(argv[1], &end, 10), *end != '\0')) {
		fprintf(stderr, "usage: postdesk url ID | postdesk url "
		    "--verify URL\n");
		return EX_USAGE;
	}
	if ((rc = ctl_keys(c, &keys, &err)) != 0)
		return rc;
	if ((rc = ctl_ticket_exists(c, id, &err)) <= 0) {
		token_keyring_free(keys);
		if (rc < 0)
			return ctl_status(&err);
		fprintf(stderr, "postdesk: no ticket %" PRIu64 "\n", id);
		return 1;
	}
	url = token_url(keys, c->conf.base_url, id);
	printf("%s\n", url);
	free(url);
	token_keyring_free(keys);
	return 0;
}

struct outbox_list {
	json_t	*a;
	int	json;
	int	n;
};

/* outbox_row - one entry */
static int
outbox_row(const struct pd_outbox *o, void *arg)
{
	struct outbox_list *ol = arg;
	char created[32], next[32];
	const char *state = o->next_try == 0 ? "given up" :
	    o->attempts > 0 ? "deferred" : "queued";

	clock_format_iso(o->created, created, sizeof(created));
	clock_format_iso(o->next_try, next, sizeof(next));
	ol->n++;
	if (ol->json) {
		json_t *j = json_object();

		json_object_set_new(j, "id", json_integer((json_int_t)o->id));
		json_object_set_new(j, "ticket",
		    json_integer((json_int_t)o->ticket));
		json_object_set_new(j, "event", json_string(o->event));
		json_object_set_new(j, "recipient", json_string(o->recipient));
		json_object_set_new(j, "state", json_string(state));
		json_object_set_new(j, "created", json_string(created));
		json_object_set_new(j, "next_try", o->next_try ?
		    json_string(next) : json_null());
		json_object_set_new(j, "attempts", json_integer(o->attempts));
		json_object_set_new(j, "last_error", json_string(
		    o->last_error));
		json_array_append_new(ol->a, j);
	} else {
		printf("%-6" PRIu64 " %-6" PRIu64 " %-15s %-9s %-3u %-28.28s %s\n",
		    o->id, o->ticket, o->event, state, o->attempts,
		    o->recipient, o->last_error);
	}
	return 0;
}

/* ctl_outbox - postdesk outbox [--json] */
int
ctl_outbox(struct ctl *c, int argc, char **argv)
{
	struct outbox_list ol;
	struct store *st = NULL;
	struct store_txn *txn;
	struct pd_err err;
	long uid;
	int rc;

	memset(&ol, 0, sizeof(ol));
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		ol.json = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: postdesk outbox [--json]\n");
		return EX_USAGE;
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (priv_become_owner(c->conf.data_directory, &uid, &err) < 0 ||
	    store_open(c->conf.data_directory, c->conf.map_size, STORE_RDONLY,
	    &st, &err) < 0 || store_read(st, &txn, &err) < 0) {
		store_close(st);
		return ctl_status(&err);
	}
	ol.a = json_array();
	if (!ol.json)
		printf("%-6s %-6s %-15s %-9s %-3s %-28s %s\n", "ID", "TICKET",
		    "EVENT", "STATE", "TRY", "RECIPIENT", "LAST ERROR");
	rc = store_outbox_iter(txn, outbox_row, &ol, &err) < 0 ?
	    ctl_status(&err) : 0;
	store_abort(txn);
	store_close(st);
	if (rc == 0 && ol.json) {
		json_dumpf(ol.a, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (rc == 0 && ol.n == 0)
		printf("(the outbox is empty)\n");
	json_decref(ol.a);
	return rc;
}
