/*
 * ctl_agent.c - what agents do, from the command line
 *
 *   postdesk reply ID --as AGENT [--status S]   (the text on stdin)
 *   postdesk note ID --as AGENT                 (the text on stdin)
 *   postdesk assign ID AGENT|none [--as AGENT]
 *   postdesk status ID STATUS [--as AGENT]
 *   postdesk lock ID --as AGENT    postdesk unlock ID --as AGENT
 *   postdesk accept [N] --as AGENT
 *   postdesk new --as AGENT --to CUSTOMER --subject S   (text on stdin)
 *   postdesk agents
 *
 * Each builds the command lines an agent would write at the top of a mail
 * and hands them to the same code the filter uses (filter/agent.c), in
 * one write transaction; notifications go out after the commit. Without
 * --as, the operator acts as an admin named "operator".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/agents.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/priv.h"
#include "util/xalloc.h"
#include "mail/mail_parse.h"
#include "token/token.h"
#include "store/store.h"
#include "core/command.h"
#include "core/workflow.h"
#include "notify/notify.h"
#include "filter/agent.h"
#include "ctl/ctl.h"

struct act_run {
	struct agent_act act;
	struct pd_command cmds[4];
	size_t	ncmds;
	uint64_t ticket;
	int	mode;		/* 0 ticket, 1 control, 2 new */
	const char *customer;
	const char *subject;
	uint64_t new_id;
};

static struct pd_agent operator_agent = {
	"operator", "", "Operator", NULL, 0, 1,
};

/* act_txn - the write transaction */
static int
act_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct act_run *r = arg;

	if (r->mode == 1)
		return agent_control(txn, &r->act, err);
	if (r->mode == 2)
		return agent_new_ticket(txn, &r->act, r->customer, r->subject,
		    &r->new_id, err);
	return agent_on_ticket(txn, &r->act, r->ticket, err);
}

/* add_cmd - one command line */
static void
add_cmd(struct act_run *r, enum pd_cmd cmd, const char *arg)
{
	struct pd_command *c = &r->cmds[r->ncmds++];

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	snprintf(c->arg, sizeof(c->arg), "%s", arg ? arg : "");
	snprintf(c->line, sizeof(c->line), "#%s%s%s", core_command_name(cmd),
	    arg && *arg ? " " : "", arg ? arg : "");
}

/* read_stdin - the text of a reply, note or new ticket */
static char *
read_stdin(void)
{
	struct buf *b = buf_new(4096);
	char chunk[4096];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		buf_add(b, chunk, (size_t)n);
	while (b->len > 0 && (b->data[b->len - 1] == '\n' ||
	    b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	return buf_export(b, NULL);
}

/* act_print - what notifications did */
static void
act_print(const struct notify_result *nr, void *arg)
{
	(void)arg;
	if (nr->id == 0)
		fprintf(stderr, "postdesk: %s\n", nr->why);
	else
		printf("notification %" PRIu64 " (%s) to %s: %s%s%s\n", nr->id,
		    nr->event, nr->recipient, nr->sent == 1 ? "sent" :
		    "queued for postdesk-cron", nr->sent == 1 ? "" : ": ",
		    nr->sent == 1 ? "" : nr->why);
}

/* act_run - open everything, run the transaction, send, report */
static int
act_go(struct ctl *c, struct act_run *r, const char *as)
{
	struct pd_agents agents;
	struct pd_keyring *keys = NULL;
	struct store *st = NULL;
	struct notify_ctx nctx;
	struct pd_err err;
	int rc;

	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	memset(&agents, 0, sizeof(agents));
	memset(&nctx, 0, sizeof(nctx));
	if ((nctx.wf = workflow_conf(&c->conf, &err)) == NULL) {
		return ctl_status(&err);
	}
	if (agents_load(c->conf.agents_file, &agents, &err) < 0)
		return ctl_status(&err);
	r->act.agent = &operator_agent;
	if (as != NULL && (r->act.agent = agents_by_addr(&agents, as)) ==
	    NULL && (r->act.agent = agents_by_login(&agents, as)) == NULL) {
		agents_free(&agents);
		fprintf(stderr, "postdesk: no agent \"%s\" in %s\n", as,
		    c->conf.agents_file[0] ? c->conf.agents_file :
		    "(agents_file is not set)");
		return EX_USAGE;
	}
	if (ctl_store(c, 0, &st, &err) < 0 || token_init() < 0 ||
	    (keys = keyfile_load(c->conf.key_file, &err)) == NULL) {
		rc = ctl_status(&err);
		goto out;
	}
	mail_init();
	nctx.conf = &c->conf;
	nctx.keys = keys;
	nctx.agents = &agents;
	r->act.nctx = &nctx;
	r->act.now = clock_now();
	r->act.seen_seq = AGENT_SEEN_ALL;
	r->act.cmds = r->cmds;
	r->act.ncmds = r->ncmds;
	r->act.result_mail = 0;
	if (store_write(st, act_txn, r, &err) < 0) {
		rc = err.class == PD_EBUG && strncmp(err.text, "no ticket", 9)
		    == 0 ? (fprintf(stderr, "postdesk: %s\n", err.text), 1) :
		    ctl_status(&err);
		goto out;
	}
	if (r->mode == 2)
		printf("ticket %" PRIu64 " created\n", r->new_id);
	fputs(r->act.report->data, stdout);
	if (r->act.noutbox > 0 && notify_send(st, &c->conf, r->act.outbox,
	    r->act.noutbox, act_print, NULL, &err) < 0)
		fprintf(stderr, "postdesk: %s (postdesk-cron will retry)\n",
		    err.text);
	rc = r->act.refused ? 1 : 0;
out:
	agent_act_free(&r->act);
	store_close(st);
	token_keyring_free(keys);
	agents_free(&agents);
	return rc;
}

/* ticket_arg - a ticket number */
static int
ticket_arg(const char *s, uint64_t *id)
{
	char *end;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	*id = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* ctl_agent - the per-ticket commands and accept, new, agents */
int
ctl_agent(struct ctl *c, int argc, char **argv)
{
	struct act_run r;
	const char *cmd = argv[0], *as = NULL, *status = NULL, *to = NULL;
	const char *subject = NULL, *pos[2] = {NULL, NULL};
	char *text = NULL;
	int i, npos = 0, rc;

	memset(&r, 0, sizeof(r));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--subject") == 0 && i + 1 < argc)
			subject = argv[++i];
		else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			goto usage;
	}
	if (strcmp(cmd, "new") == 0) {
		if (as == NULL || to == NULL || subject == NULL ||
		    strchr(to, '@') == NULL || npos != 0)
			goto usage;
		r.mode = 2;
		r.customer = to;
		r.subject = subject;
		r.act.text = text = read_stdin();
	} else if (strcmp(cmd, "accept") == 0) {
		if (as == NULL || npos > 1)
			goto usage;
		r.mode = 1;
		add_cmd(&r, CMD_ACCEPT, pos[0] ? pos[0] : "1");
	} else {
		if (npos < 1 || ticket_arg(pos[0], &r.ticket) < 0)
			goto usage;
		if (strcmp(cmd, "reply") == 0 || strcmp(cmd, "note") == 0) {
			if (as == NULL || npos != 1)
				goto usage;
			if (strcmp(cmd, "note") == 0)
				add_cmd(&r, CMD_NOTE, NULL);
			else if (status != NULL)
				add_cmd(&r, CMD_STATUS, status);
			r.act.text = text = read_stdin();
			if (*text == '\0') {
				fprintf(stderr, "postdesk: no text on standard "
				    "input\n");
				free(text);
				return EX_USAGE;
			}
		} else if (strcmp(cmd, "assign") == 0 && npos == 2) {
			if (strcmp(pos[1], "none") == 0)
				add_cmd(&r, CMD_UNASSIGN, NULL);
			else
				add_cmd(&r, CMD_ASSIGN, pos[1]);
		} else if (strcmp(cmd, "status") == 0 && npos == 2) {
			add_cmd(&r, strcmp(pos[1], "spam") == 0 ? CMD_SPAM :
			    strcmp(pos[1], "deleted") == 0 ? CMD_DELETE :
			    strcmp(pos[1], "restore") == 0 ? CMD_RESTORE :
			    CMD_STATUS, pos[1]);
		} else if ((strcmp(cmd, "lock") == 0 ||
		    strcmp(cmd, "unlock") == 0) && npos == 1 && as != NULL) {
			add_cmd(&r, cmd[0] == 'l' ? CMD_LOCK : CMD_UNLOCK, NULL);
		} else
			goto usage;
		r.act.text = r.act.text ? r.act.text : "";
	}
	rc = act_go(c, &r, as);
	free(text);
	return rc;
usage:
	fprintf(stderr, "usage: postdesk reply ID --as AGENT [--status S] "
	    "< text\n"
	    "       postdesk note ID --as AGENT < text\n"
	    "       postdesk assign ID AGENT|none [--as AGENT]\n"
	    "       postdesk status ID STATUS|spam|deleted|restore [--as AGENT]\n"
	    "       postdesk lock|unlock ID --as AGENT\n"
	    "       postdesk accept [N] --as AGENT\n"
	    "       postdesk new --as AGENT --to CUSTOMER --subject S < text\n");
	return EX_USAGE;
}

/* ctl_agents - postdesk agents: who, availability */
int
ctl_agents(struct ctl *c, int argc, char **argv)
{
	struct pd_agents agents;
	struct store *st = NULL;
	struct store_txn *txn = NULL;
	struct pd_err err;
	char key[300], avail[16];
	size_t i, len;
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: postdesk agents\n");
		return EX_USAGE;
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (agents_load(c->conf.agents_file, &agents, &err) < 0)
		return ctl_status(&err);
	if ((rc = ctl_read(c, &st, &txn)) != 0) {
		agents_free(&agents);
		return rc;
	}
	printf("%-32s %-20s %-6s %-9s %s\n", "ADDRESS", "NAME", "ROLE",
	    "STATUS", "DEPARTMENTS");
	for (i = 0; i < agents.n; i++) {
		const struct pd_agent *a = &agents.v[i];
		struct buf *deps = buf_new(32);

		snprintf(key, sizeof(key), "avail:%.280s", a->addr);
		rc = store_kv_get(txn, key, avail, sizeof(avail) - 1, &len,
		    &err);
		if (rc == 1)
			avail[len] = '\0';
		else
			snprintf(avail, sizeof(avail), "-");
		for (size_t k = 0; k < a->ndepartments; k++)
			buf_printf(deps, "%s%s", k ? "," : "",
			    a->departments[k]);
		printf("%-32s %-20s %-6s %-9s %s\n", a->addr, a->name,
		    a->admin ? "admin" : "agent", avail,
		    deps->len ? deps->data : "(all)");
		buf_free(deps);
	}
	if (agents.n == 0)
		printf("(no agents: set agents_file in %s)\n", c->conf.path);
	store_abort(txn);
	store_close(st);
	agents_free(&agents);
	return 0;
}
