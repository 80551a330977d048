/*
 * ctl_show.c - postdesk list and postdesk show
 *
 * Both read in one read-only transaction and print either a form for a
 * person at a terminal (control characters from mail are never written to
 * the terminal) or JSON (--json, UTF-8, one document on stdout).
 */
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
#include "util/xalloc.h"
#include "token/token.h"
#include "store/store.h"
#include "core/workflow.h"
#include "ctl/ctl.h"

struct ticket_vec {
	struct pd_ticket **v;
	size_t	n;
	size_t	cap;
	const struct workflow *wf;
	int	all;
};

static const char *author_names[] = { "customer", "agent", "system" };
static const char *vis_names[] = { "public", "internal", "draft",
    "sent-draft", "held" };

/* js - a JSON string that is never NULL (mail text is already UTF-8) */
static json_t *
js(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");

	return j != NULL ? j : json_string("\xEF\xBF\xBD");
}

/* jtime - ISO 8601 UTC string */
static json_t *
jtime(time_t t)
{
	char buf[32];

	return js(clock_format_iso(t, buf, sizeof(buf)));
}

/* tputs - write text for a terminal: no control characters but \n and \t */
static void
tputs(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 && ch != '\n' && ch != '\t')
			putchar('?');
		else if (ch == 0x7f)
			putchar('?');
		else
			putchar(ch);
	}
}

/* ctl_open - configuration, owner, store (read-only) */
static int
ctl_open(struct ctl *c, struct store **st, struct pd_err *err)
{
	int rc;

	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	if (workflow_conf(&c->conf, err) == NULL) {
		return ctl_status(err);
	}
	if (ctl_store(c, STORE_RDONLY, st, err) < 0)
		return ctl_status(err);
	return 0;
}

/* collect - iterator callback: keep visible tickets */
static int
collect(const struct pd_ticket *t, void *arg)
{
	struct ticket_vec *tv = arg;
	const struct wf_status *s = workflow_status(tv->wf, t->status);

	if (!tv->all && s != NULL && s->hidden)
		return 0;
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? tv->cap * 2 : 64;
		tv->v = xrealloc(tv->v, tv->cap * sizeof(*tv->v));
	}
	tv->v[tv->n++] = store_ticket_dup(t);
	return 0;
}

/* newest_first - sort by last update, then id, descending */
static int
newest_first(const void *a, const void *b)
{
	const struct pd_ticket *x = *(struct pd_ticket *const *)a;
	const struct pd_ticket *y = *(struct pd_ticket *const *)b;

	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* ticket_json - the fields list and show share */
static json_t *
ticket_json(const struct pd_ticket *t, const struct workflow *wf)
{
	const struct wf_status *s = workflow_status(wf, t->status);
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)t->id));
	json_object_set_new(o, "status", js(t->status));
	json_object_set_new(o, "status_label", js(s ? s->label : t->status));
	json_object_set_new(o, "subject", js(t->subject));
	json_object_set_new(o, "requester", js(t->requester));
	json_object_set_new(o, "requester_name", js(t->requester_name));
	json_object_set_new(o, "queue", js(t->queue));
	json_object_set_new(o, "created", jtime(t->created));
	json_object_set_new(o, "updated", jtime(t->updated));
	json_object_set_new(o, "message_count", json_integer(t->nmsgs));
	json_object_set_new(o, "assignee", js(t->assignee));
	json_object_set_new(o, "priority", js(t->priority && *t->priority ?
	    t->priority : "normal"));
	json_object_set_new(o, "locked_by", js(t->lock_holder));
	json_object_set_new(o, "lock_until", t->lock_holder &&
	    *t->lock_holder ? jtime(t->lock_until) : json_null());
	json_object_set_new(o, "merged_into", t->merged_into ?
	    json_integer((json_int_t)t->merged_into) : json_null());
	return o;
}

/* ctl_list - postdesk list [--all] [--status S] [--json] */
int
ctl_list(struct ctl *c, int argc, char **argv)
{
	struct ticket_vec tv;
	struct store *st = NULL;
	struct store_txn *txn = NULL;
	struct pd_err err;
	const char *status = NULL;
	int json = 0, rc, i;
	size_t k;

	memset(&tv, 0, sizeof(tv));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			tv.all = 1;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i], tv.all = 1;
		else {
			fprintf(stderr, "usage: postdesk list [--all] "
			    "[--status S] [--json]\n");
			return EX_USAGE;
		}
	}
	err_clear(&err);
	if ((rc = ctl_open(c, &st, &err)) != 0)
		return rc;
	tv.wf = workflow_find(c->conf.workflow);
	if (store_read(st, &txn, &err) < 0 ||
	    store_ticket_iter(txn, status, collect, &tv, &err) < 0) {
		rc = ctl_status(&err);
		goto out;
	}
	if (tv.n > 1)
		qsort(tv.v, tv.n, sizeof(*tv.v), newest_first);
	if (json) {
		json_t *a = json_array();

		for (k = 0; k < tv.n; k++)
			json_array_append_new(a, ticket_json(tv.v[k], tv.wf));
		json_dumpf(a, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(a);
	} else {
		printf("%-6s %-15s %-20s %-28s %s\n", "ID", "STATUS",
		    "UPDATED", "REQUESTER", "SUBJECT");
		for (k = 0; k < tv.n; k++) {
			char when[32];

			printf("%-6llu %-15s %-20s %-28.28s ",
			    (unsigned long long)tv.v[k]->id, tv.v[k]->status,
			    clock_format_iso(tv.v[k]->updated, when,
			    sizeof(when)), tv.v[k]->requester);
			tputs(tv.v[k]->subject);
			putchar('\n');
		}
		if (tv.n == 0)
			printf("(no tickets)\n");
	}
out:
	if (txn != NULL)
		store_abort(txn);
	for (k = 0; k < tv.n; k++)
		store_ticket_free(tv.v[k]);
	free(tv.v);
	store_close(st);
	return rc;
}

/* msg_json - iterator callback: one message into the array */
static int
msg_json(const struct pd_stored_msg *m, void *arg)
{
	json_t *o = json_object(), *at = json_array();
	size_t i;

	json_object_set_new(o, "seq", json_integer(m->seq));
	json_object_set_new(o, "author", js(m->author >= 0 && m->author <= 2 ?
	    author_names[m->author] : "unknown"));
	json_object_set_new(o, "from", js(m->from_addr));
	json_object_set_new(o, "from_name", js(m->from_name));
	json_object_set_new(o, "message_id", js(m->message_id));
	json_object_set_new(o, "subject", js(m->subject));
	json_object_set_new(o, "received", jtime(m->received));
	json_object_set_new(o, "queue_id", js(m->queue_id));
	json_object_set_new(o, "recipient", js(m->recipient));
	json_object_set_new(o, "size", json_integer((json_int_t)m->raw_size));
	json_object_set_new(o, "visibility", js(m->visibility >= 0 &&
	    m->visibility <= 4 ? vis_names[m->visibility] : "unknown"));
	json_object_set_new(o, "text", js(m->text));
	for (i = 0; i < m->nattach; i++) {
		json_t *a = json_object();

		json_object_set_new(a, "name", js(m->attach[i].name));
		json_object_set_new(a, "type", js(m->attach[i].type));
		json_object_set_new(a, "size",
		    json_integer((json_int_t)m->attach[i].size));
		json_array_append_new(at, a);
	}
	json_object_set_new(o, "attachments", at);
	json_array_append_new(arg, o);
	return 0;
}

/* event_json - iterator callback: one event into the array */
static int
event_json(const struct pd_event *e, void *arg)
{
	json_t *o = json_object();

	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "time", jtime(e->time));
	json_object_set_new(o, "actor", js(e->actor));
	json_object_set_new(o, "kind", js(e->kind));
	json_object_set_new(o, "detail", js(e->detail));
	json_array_append_new(arg, o);
	return 0;
}

/* show_text - the terminal form of a ticket document */
static void
show_text(json_t *o)
{
	json_t *v, *m, *a;
	size_t i, k;

	printf("Ticket #%lld  %s\n", (long long)json_integer_value(
	    json_object_get(o, "id")), json_string_value(json_object_get(o,
	    "status_label")));
	printf("Subject:   ");
	tputs(json_string_value(json_object_get(o, "subject")));
	printf("\nRequester: ");
	tputs(json_string_value(json_object_get(o, "requester_name")));
	printf(" <%s>\n", json_string_value(json_object_get(o, "requester")));
	printf("Assignee:  %s\nPriority:  %s\n",
	    *json_string_value(json_object_get(o, "assignee")) ?
	    json_string_value(json_object_get(o, "assignee")) : "(nobody)",
	    json_string_value(json_object_get(o, "priority")));
	if (*json_string_value(json_object_get(o, "locked_by")))
		printf("Locked by: %s until %s\n",
		    json_string_value(json_object_get(o, "locked_by")),
		    json_string_value(json_object_get(o, "lock_until")));
	printf("Created:   %s\nUpdated:   %s\n",
	    json_string_value(json_object_get(o, "created")),
	    json_string_value(json_object_get(o, "updated")));
	if (json_array_size(json_object_get(o, "earlier_tickets")) > 0) {
		printf("Earlier:  ");
		json_array_foreach(json_object_get(o, "earlier_tickets"), i, v)
			printf(" #%lld", (long long)json_integer_value(v));
		putchar('\n');
	}
	if (json_is_object(json_object_get(o, "customer"))) {
		json_t *cu = json_object_get(o, "customer");

		printf("Customer:  ");
		tputs(json_string_value(json_object_get(cu, "name")));
		printf(" (external id %s)\n", json_string_value(
		    json_object_get(cu, "external_id")));
	}
	printf("Reply to:  %s\nURL:       %s\n",
	    json_string_value(json_object_get(o, "reply_address")),
	    json_string_value(json_object_get(o, "url")));
	json_array_foreach(json_object_get(o, "messages"), i, m) {
		const char *vis = json_string_value(json_object_get(m,
		    "visibility"));

		printf("\n--- message %lld from %s, %s%s%s ---\n",
		    (long long)json_integer_value(json_object_get(m, "seq")),
		    json_string_value(json_object_get(m, "from")),
		    json_string_value(json_object_get(m, "received")),
		    strcmp(vis, "public") == 0 ? "" : ", ",
		    strcmp(vis, "public") == 0 ? "" : strcmp(vis, "internal")
		    == 0 ? "INTERNAL NOTE" : strcmp(vis, "draft") == 0 ?
		    "DRAFT (not sent)" : strcmp(vis, "held") == 0 ?
		    "HELD: unknown sender, #approve to accept" :
		    "draft, sent");
		tputs(json_string_value(json_object_get(m, "text")));
		putchar('\n');
		json_array_foreach(json_object_get(m, "attachments"), k, a) {
			printf("[attachment: ");
			tputs(json_string_value(json_object_get(a, "name")));
			printf(" (%s, %lld bytes)]\n",
			    json_string_value(json_object_get(a, "type")),
			    (long long)json_integer_value(json_object_get(a,
			    "size")));
		}
	}
	printf("\n--- history ---\n");
	json_array_foreach(json_object_get(o, "events"), i, v) {
		printf("%s  %-8s %-22s ",
		    json_string_value(json_object_get(v, "time")),
		    json_string_value(json_object_get(v, "kind")),
		    json_string_value(json_object_get(v, "actor")));
		if (strcmp(json_string_value(json_object_get(v, "kind")),
		    "intake") == 0)
			printf("(postdesk explain shows it)");
		else
			tputs(json_string_value(json_object_get(v, "detail")));
		putchar('\n');
	}
}

/* show_customer - the customer record and their earlier tickets (004:
 * "Ticket History - previous tickets from this customer") */
static int
show_customer(struct store_txn *txn, const struct pd_ticket *t, json_t *o,
	      struct pd_err *err)
{
	struct pd_customer *cu = NULL;
	json_t *earlier = json_array(), *cj = json_null();
	uint64_t *ids = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = store_customer_get_by_email(txn, t->requester, &cu,
	    err)) < 0 || store_customer_tickets(txn, t->requester, &ids, &n,
	    err) < 0) {
		json_decref(earlier);
		return -1;
	}
	if (rc == 1) {
		cj = json_object();
		json_object_set_new(cj, "email", js(cu->email));
		json_object_set_new(cj, "name", js(cu->name));
		json_object_set_new(cj, "external_id", js(cu->external_id));
		json_object_set_new(cj, "organisation", js(cu->organisation));
		json_object_set_new(cj, "phone", js(cu->phone));
	}
	for (i = 0; i < n; i++)
		if (ids[i] < t->id)	/* earlier: ids grow with time */
			json_array_append_new(earlier,
			    json_integer((json_int_t)ids[i]));
	json_object_set_new(o, "customer", cj);
	json_object_set_new(o, "earlier_tickets", earlier);
	store_customer_free(cu);
	free(ids);
	return 0;
}

/* show_build - the whole ticket document */
static int
show_build(struct ctl *c, struct store_txn *txn, const struct pd_ticket *t,
	   const struct pd_keyring *keys, json_t **out, struct pd_err *err)
{
	const struct workflow *wf = workflow_find(c->conf.workflow);
	json_t *o = ticket_json(t, wf), *msgs = json_array(),
	    *evs = json_array(), *parts = json_array();
	char *tok = token_reply(keys, t->id);
	char *url = token_url(keys, c->conf.base_url, t->id);
	char *addr = xasprintf("%s%s%s@%s", c->conf.support_local,
	    c->conf.recipient_delimiter, tok, c->conf.support_domain);
	size_t i;

	json_object_set_new(o, "reply_address", js(addr));
	json_object_set_new(o, "url", js(url));
	for (i = 0; i < t->nparticipants; i++)
		json_array_append_new(parts, js(t->participants[i]));
	json_object_set_new(o, "participants", parts);
	parts = json_array();
	for (i = 0; i < t->ncc; i++)
		json_array_append_new(parts, js(t->cc[i]));
	json_object_set_new(o, "cc", parts);
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "events", evs);
	free(addr);
	free(tok);
	free(url);
	if (store_msg_iter(txn, t->id, msg_json, msgs, err) < 0 ||
	    store_event_iter(txn, t->id, event_json, evs, err) < 0 ||
	    show_customer(txn, t, o, err) < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

/* ctl_show - postdesk show ID [--json] */
int
ctl_show(struct ctl *c, int argc, char **argv)
{
	struct store *st = NULL;
	struct store_txn *txn = NULL;
	struct pd_ticket *t = NULL;
	struct pd_keyring *keys = NULL;
	struct pd_err err;
	json_t *doc = NULL;
	unsigned long long id = 0;
	char *end;
	int json = 0, rc, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (id == 0 && argv[i][0] >= '1' && argv[i][0] <= '9' &&
		    (id = strtoull(argv[i], &end, 10), *end == '\0'))
			;
		else {
			fprintf(stderr, "usage: postdesk show ID [--json]\n");
			return EX_USAGE;
		}
	}
	if (id == 0) {
		fprintf(stderr, "usage: postdesk show ID [--json]\n");
		return EX_USAGE;
	}
	err_clear(&err);
	if ((rc = ctl_open(c, &st, &err)) != 0)
		return rc;
	if (token_init() < 0 ||
	    (keys = keyfile_load(c->conf.key_file, &err)) == NULL) {
		rc = ctl_status(&err);
		goto out;
	}
	if (store_read(st, &txn, &err) < 0 ||
	    (rc = store_ticket_get(txn, id, &t, &err)) < 0) {
		rc = ctl_status(&err);
		goto out;
	}
	if (rc == 0) {
		fprintf(stderr, "postdesk: no ticket %llu\n", id);
		rc = 1;
		goto out;
	}
	if (show_build(c, txn, t, keys, &doc, &err) < 0) {
		rc = ctl_status(&err);
		goto out;
	}
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		show_text(doc);
	rc = 0;
out:
	json_decref(doc);
	store_ticket_free(t);
	if (txn != NULL)
		store_abort(txn);
	token_keyring_free(keys);
	store_close(st);
	return rc;
}
