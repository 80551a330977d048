/*
 * agents.c - the agents file; see agents.h
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents.h"
#include "err.h"
#include "xalloc.h"

static int agents_line(struct pd_agent *, char *, const char *, int,
		       struct pd_err *);

/* word - the next word or key="quoted value"; NULL at the end */
static char *
word(char **sp)
{
	char *s = *sp, *start, *out;
	int quoted = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	start = out = s;
	while (*s != '\0' && (quoted || !isspace((unsigned char)*s))) {
		if (*s == '"') {
			quoted = !quoted;
			s++;
			continue;
		}
		*out++ = *s++;
	}
	if (*s != '\0')
		s++;
	*out = '\0';
	*sp = s;
	return quoted ? NULL : start;
}

/* split_list - "a,b" into a string array */
static void
split_list(const char *s, char ***vp, size_t *np)
{
	const char *p = s;

	*vp = NULL;
	*np = 0;
	while (*p != '\0') {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n > 0) {
			*vp = xrealloc(*vp, (*np + 1) * sizeof(**vp));
			(*vp)[(*np)++] = xstrndup(p, n);
		}
		p += n + (c != NULL);
	}
}

/* agents_line - one non-empty line into a */
static int
agents_line(struct pd_agent *a, char *s, const char *file, int line,
	    struct pd_err *err)
{
	char *w, *at;

	memset(a, 0, sizeof(*a));
	if ((w = word(&s)) == NULL || (at = strchr(w, '@')) == NULL ||
	    at == w || at[1] == '\0' || strchr(w, '=') != NULL)
		return err_set(err, PD_ECONFIG, "%s:%d: expected an agent's "
		    "address first", file, line);
	a->addr = xstrdup(w);
	for (at = a->addr; *at; at++)
		*at = (char)tolower((unsigned char)*at);
	a->login = xstrdup("");
	a->name = xstrdup("");
	while ((w = word(&s)) != NULL) {
		if (strncmp(w, "login=", 6) == 0) {
			free(a->login);
			a->login = xstrdup(w + 6);
		} else if (strncmp(w, "name=", 5) == 0) {
			free(a->name);
			a->name = xstrdup(w + 5);
		} else if (strncmp(w, "departments=", 12) == 0) {
			split_list(w + 12, &a->departments, &a->ndepartments);
		} else if (strcmp(w, "role=admin") == 0) {
			a->admin = 1;
		} else if (strcmp(w, "role=agent") == 0) {
			a->admin = 0;
		} else {
			return err_set(err, PD_ECONFIG, "%s:%d: %s: unknown "
			    "attribute (login=, name=, departments=, role=)",
			    file, line, w);
		}
	}
	if (*s != '\0' && *s != '#' && !isspace((unsigned char)*s))
		return err_set(err, PD_ECONFIG, "%s:%d: unterminated quote",
		    file, line);
	return 0;
}

/* agent_clear - free one agent's strings */
static void
agent_clear(struct pd_agent *a)
{
	size_t i;

	free(a->addr);
	free(a->login);
	free(a->name);
	for (i = 0; i < a->ndepartments; i++)
		free(a->departments[i]);
	free(a->departments);
}

/* agents_load - read the agents file */
int
agents_load(const char *path, struct pd_agents *al, struct pd_err *err)
{
	FILE *fp;
	char *line = NULL, *s;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	struct pd_agent a;

	memset(al, 0, sizeof(*al));
	if (path == NULL || *path == '\0')
		return 0;
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(err, errno == ENOENT || errno == EACCES ?
		    PD_ECONFIG : PD_ETEMP, "%s: cannot open: %s", path,
		    strerror(errno));
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		lineno++;
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if (agents_line(&a, s, path, lineno, err) < 0) {
			agent_clear(&a);
			rc = -1;
			break;
		}
		if (agents_by_addr(al, a.addr) != NULL) {
			rc = err_set(err, PD_ECONFIG, "%s:%d: %s is listed "
			    "twice", path, lineno, a.addr);
			agent_clear(&a);
			break;
		}
		al->v = xrealloc(al->v, (al->n + 1) * sizeof(*al->v));
		al->v[al->n++] = a;
	}
	free(line);
	fclose(fp);
	if (rc < 0)
		agents_free(al);
	return rc;
}

/* agents_free - release the list */
void
agents_free(struct pd_agents *al)
{
	size_t i;

	for (i = 0; i < al->n; i++)
		agent_clear(&al->v[i]);
	free(al->v);
	memset(al, 0, sizeof(*al));
}

/* agents_by_addr - look up by address */
const struct pd_agent *
agents_by_addr(const struct pd_agents *al, const char *addr)
{
	size_t i;

	for (i = 0; addr != NULL && i < al->n; i++)
		if (strcasecmp(al->v[i].addr, addr) == 0)
			return &al->v[i];
	return NULL;
}

/* agents_by_login - look up by SMTP AUTH name */
const struct pd_agent *
agents_by_login(const struct pd_agents *al, const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		return NULL;
	for (i = 0; i < al->n; i++)
		if ((al->v[i].login[0] != '\0' &&
		    strcmp(al->v[i].login, name) == 0) ||
		    strcasecmp(al->v[i].addr, name) == 0)
			return &al->v[i];
	return NULL;
}

/* agents_in_department - departments limit what an agent sees */
int
agents_in_department(const struct pd_agent *a, const char *dep)
{
	size_t i;

	/* 002: "If departments are configured on the account, the agent will
	 * only see the unassigned tickets for the department(s) they are
	 * part of. If no departments are configured, all agents will see
	 * all tickets." */
	if (a->ndepartments == 0)
		return 1;
	if (dep == NULL || *dep == '\0')
		return 0;
	for (i = 0; i < a->ndepartments; i++)
		if (strcasecmp(a->departments[i], dep) == 0)
			return 1;
	return 0;
}
