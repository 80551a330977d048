/*
 * agents.h - the agents file (agents_file in postdesk.conf)
 *
 * One agent per line:
 *   ADDRESS [login=SASLNAME] [name="Display Name"] [departments=a,b]
 *           [role=agent|admin]
 * '#' starts a comment; blank lines are ignored. Addresses are compared
 * case-insensitively and stored lower-cased. An error names "FILE:LINE:
 * reason" (PD_ECONFIG). The list is read-only after agents_load().
 */
#ifndef PD_AGENTS_H
#define PD_AGENTS_H

#include <stddef.h>

struct pd_err;

struct pd_agent {
	char	*addr;		/* lower case */
	char	*login;		/* SMTP AUTH name, "" when none */
	char	*name;		/* display name, "" when none */
	char	**departments;
	size_t	ndepartments;
	int	admin;
};

struct pd_agents {
	struct pd_agent *v;
	size_t	n;
};

/* agents_load - read path ("" gives an empty list); 0 ok, -1 with err */
int	agents_load(const char *path, struct pd_agents *, struct pd_err *);
void	agents_free(struct pd_agents *);
/* agents_by_addr - the agent with this address, NULL when none */
const struct pd_agent *agents_by_addr(const struct pd_agents *, const char *);
/* agents_by_login - the agent whose login= or address equals name */
const struct pd_agent *agents_by_login(const struct pd_agents *,
				       const char *);
/* agents_in_department - 1 when the agent sees tickets of dep: an agent
 * without departments sees all; one with departments only those */
int	agents_in_department(const struct pd_agent *, const char *dep);

#endif
