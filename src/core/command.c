/*
 * command.c - parse agents' command lines; see command.h
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"
#include "core/command.h"

static const struct {
	const char *name;
	enum pd_cmd cmd;
} cmd_table[] = {
	{"status", CMD_STATUS}, {"assign", CMD_ASSIGN},
	{"unassign", CMD_UNASSIGN}, {"note", CMD_NOTE},
	{"priority", CMD_PRIORITY}, {"lock", CMD_LOCK},
	{"unlock", CMD_UNLOCK}, {"draft", CMD_DRAFT}, {"send", CMD_SEND},
	{"spam", CMD_SPAM}, {"delete", CMD_DELETE},
	{"restore", CMD_RESTORE}, {"merge", CMD_MERGE},
	{"close", CMD_CLOSE}, {"cc", CMD_CC}, {"approve", CMD_APPROVE},
	{"accept", CMD_ACCEPT},
	{"online", CMD_ONLINE}, {"away", CMD_AWAY},
	{"offline", CMD_OFFLINE}, {"list", CMD_LIST}, {"show", CMD_SHOW},
	{"help", CMD_HELP},
};

#define NCMD (sizeof(cmd_table) / sizeof(cmd_table[0]))

/* command_line - one "#word args" line into c; 0 when not a command line */
static int
command_line(const char *p, size_t len, struct pd_command *c)
{
	size_t i, w;

	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len < 2 || p[0] != '#' || !isalpha((unsigned char)p[1]))
		return 0;
	for (w = 1; w < len && isalpha((unsigned char)p[w]); w++)
		;
	if (w < len && !isspace((unsigned char)p[w]))
		return 0;	/* "#hashtag-like" text is no command */
	memset(c, 0, sizeof(*c));
	c->cmd = CMD_UNKNOWN;
	for (i = 0; i < NCMD; i++)
		if (strlen(cmd_table[i].name) == w - 1 &&
		    strncasecmp(cmd_table[i].name, p + 1, w - 1) == 0)
			c->cmd = cmd_table[i].cmd;
	snprintf(c->line, sizeof(c->line), "%.*s", (int)(len > 280 ? 280 :
	    len), p);
	p += w;
	len -= w;
	while (len > 0 && isspace((unsigned char)*p))
		p++, len--;
	snprintf(c->arg, sizeof(c->arg), "%.*s", (int)(len >= CMD_ARGMAX ?
	    CMD_ARGMAX - 1 : len), p);
	return 1;
}

/* core_commands_parse - collect the commands at the top */
void
core_commands_parse(const char *text, struct pd_command **cmds, size_t *n,
		    const char **rest)
{
	const char *p = text != NULL ? text : "", *nl, *after = p;
	struct pd_command c;
	size_t cap = 0;

	*cmds = NULL;
	*n = 0;
	while (*p != '\0') {
		size_t len;
		const char *q;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		for (q = p; q < p + len && isspace((unsigned char)*q); q++)
			;
		if (q == p + len) {		/* a blank line */
			p = nl ? nl + 1 : p + len;
			continue;
		}
		if (!command_line(p, len, &c))
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*cmds = xrealloc(*cmds, cap * sizeof(**cmds));
		}
		(*cmds)[(*n)++] = c;
		p = nl ? nl + 1 : p + len;
		after = p;
	}
	/* the rest starts at the first text line after the commands */
	if (*n == 0)
		after = text != NULL ? text : "";
	else
		while (*after == '\n' || *after == '\r' || *after == ' ' ||
		    *after == '\t') {
			const char *e = after;

			while (*e == ' ' || *e == '\t' || *e == '\r')
				e++;
			if (*e != '\n')
				break;
			after = e + 1;
		}
	*rest = after;
}

/* core_command_name - printable name */
const char *
core_command_name(enum pd_cmd cmd)
{
	size_t i;

	for (i = 0; i < NCMD; i++)
		if (cmd_table[i].cmd == cmd)
			return cmd_table[i].name;
	return "?";
}

/* core_command_on_ticket - ticket commands vs control commands */
int
core_command_on_ticket(enum pd_cmd cmd)
{
	return cmd >= CMD_STATUS && cmd <= CMD_APPROVE;
}

/* core_priority_valid - one of the four priorities */
int
core_priority_valid(const char *p)
{
	return strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 ||
	    strcmp(p, "high") == 0 || strcmp(p, "urgent") == 0;
}

/* core_commands_help - what an agent may write */
const char *
core_commands_help(void)
{
	return
	    "Commands at the top of a reply to a ticket notice:\n"
	    "  #status STATUS     set the status (see postdesk workflow)\n"
	    "  #assign AGENT|me   assign the ticket\n"
	    "  #unassign          no assignee\n"
	    "  #note              the whole mail is an internal note\n"
	    "  #priority low|normal|high|urgent\n"
	    "  #lock / #unlock    keep other agents off the ticket\n"
	    "  #draft             keep the text as your draft\n"
	    "  #send              send your draft (or held reply)\n"
	    "  #spam / #delete / #restore\n"
	    "  #merge N           merge this ticket into ticket N\n"
	    "  #close             close (resolve) the ticket\n"
	    "  #cc ADDRESS        copy the customer's side to ADDRESS\n"
	    "  #approve           accept a held mail from an unknown sender\n"
	    "At the control address (support+control@...):\n"
	    "  #accept [N]        take the N oldest unassigned tickets\n"
	    "  #online / #away / #offline\n"
	    "  #list [STATUS]     your tickets (or all in STATUS)\n"
	    "  #show N            one ticket\n"
	    "  #help              this text\n";
}
