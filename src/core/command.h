/*
 * command.h - agents' command lines (DESIGN.md section 6)
 *
 * An agent's mail may start with lines such as "#status pending" or
 * "#assign me"; they act on the ticket and are taken out of the text. A
 * mail to the control address (support+control@) holds commands that name
 * no ticket: "#accept 3", "#online", "#list". core_commands_parse() reads
 * the command lines at the top of a text (blank lines between them are
 * fine; the first other line ends them) and returns them with the rest of
 * the text. Pure: no I/O; the caller applies them.
 */
#ifndef PD_COMMAND_H
#define PD_COMMAND_H

#include <stddef.h>

enum pd_cmd {
	CMD_UNKNOWN = 0,
	/* on a ticket */
	CMD_STATUS, CMD_ASSIGN, CMD_UNASSIGN, CMD_NOTE, CMD_PRIORITY,
	CMD_LOCK, CMD_UNLOCK, CMD_DRAFT, CMD_SEND, CMD_SPAM, CMD_DELETE,
	CMD_RESTORE, CMD_MERGE, CMD_CLOSE, CMD_CC, CMD_APPROVE,
	/* at the control address */
	CMD_ACCEPT, CMD_ONLINE, CMD_AWAY, CMD_OFFLINE, CMD_LIST, CMD_SHOW,
	CMD_HELP,
};

#define CMD_ARGMAX	256

struct pd_command {
	enum pd_cmd cmd;
	char	arg[CMD_ARGMAX];	/* the argument, trimmed ("" none) */
	char	line[CMD_ARGMAX + 32];	/* the line as written, trimmed */
};

/*
 * core_commands_parse - the command lines at the top of text. *cmds is
 * malloc()ed (caller frees), *n its length; *rest points into text at the
 * first line that is not a command (the new text of the mail).
 */
void	core_commands_parse(const char *text, struct pd_command **cmds,
			    size_t *n, const char **rest);
/* core_command_name - "status", ... ("?" for CMD_UNKNOWN) */
const char *core_command_name(enum pd_cmd);
/* core_command_on_ticket - 1 for commands that act on a ticket */
int	core_command_on_ticket(enum pd_cmd);
/* core_priority_valid - low, normal, high, urgent */
int	core_priority_valid(const char *);
/* core_commands_help - the help text for agents (static) */
const char *core_commands_help(void);

#endif
