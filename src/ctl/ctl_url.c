/*
 * ctl_url.c - postdesk url
 *
 * url ID prints the ticket's signed URL; url --verify URL exits 0 when the
 * URL is one postdesk signed (for a ticket that exists) and 1, with the
 * reason, when it is forged, truncated or another ticket's.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

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
