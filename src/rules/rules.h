/*
 * rules.h - the intake rules of filters/NN-name.rules (postdesk-rules(5))
 *
 * A rule set is read once, at program start, from a list of directories:
 * the shipped filters directory (PKGDATADIR/filters) first, then the
 * operator's rules_directory. Every file whose name ends in ".rules" (and
 * does not start with ".") is read, in byte order of the name, one
 * directory after the other. A file is not read when a later directory
 * has a file of the same name: that one replaces it (an empty file there
 * switches a shipped one off). A missing directory is not an error; a
 * NULL or "" entry is skipped. The language is in doc/postdesk-rules.5.
 *
 * rules_load() builds a read-only struct pd_rules, or fails at the first
 * problem with class PD_ECONFIG and err->text "FILE:LINE: reason" (or
 * "FILE: reason" / "DIR: reason" when no line is involved). Regular
 * expressions are compiled here, so a bad one is a load error, never a
 * delivery-time surprise. rules_check() reads the same files and reports
 * every problem through a callback, for "postdesk check"; it keeps nothing.
 *
 * rules_match() is pure: no I/O, no allocation, no locale or global state
 * besides what regexec(3) and fnmatch(3) read. It evaluates the rules in
 * order against one message's envelope and headers and fills a struct
 * rules_result whose strings are borrowed from the rule set: they stay
 * valid until rules_free(). One struct pd_rules may be shared by any
 * number of threads once loaded (the milter).
 *
 * Bounds: a line is at most RULES_LINE_MAX bytes, a file at most
 * RULES_FILE_MAX bytes, a rule at most RULES_WORDS_MAX words, a set at
 * most RULES_MAX rules; beyond them the file is refused with FILE:LINE.
 */
#ifndef PD_RULES_H
#define PD_RULES_H

#include <stddef.h>

struct pd_err;
struct pd_rules;

#define RULES_LINE_MAX	4096		/* bytes per physical line */
#define RULES_FILE_MAX	(1024 * 1024)	/* bytes per file */
#define RULES_WORDS_MAX	256		/* words per rule */
#define RULES_MAX	10000		/* rules per set */
#define RULES_FILES_MAX	1000		/* .rules files per directory */
#define RULES_MAX_TAGS	16		/* tags one message may collect */
#define RULES_MAX_FIRED	64		/* fired rule labels kept */

/* One header field of the message: name as received, value decoded UTF-8. */
struct rules_header {
	const char *name;	/* "X-Spam-Flag"; compared ignoring case */
	const char *value;	/* unfolded, decoded; NULL reads as "" */
};

struct rules_input {
	const char *sender;	/* envelope sender; "" (or NULL) for <> */
	const char *recipient;	/* envelope recipient */
	const struct rules_header *headers;	/* every top-level field; */
	size_t	nheaders;	/* several of one name are fine */
};

/*
 * The outcome. Every pointer is borrowed from the struct pd_rules and is
 * NULL when no rule that fired set it. Single values (queue, priority,
 * status, assign): the last rule that fired wins. Tags accumulate without
 * duplicates. fired[] names each rule that matched, "FILE:LINE", in order.
 */
struct rules_result {
	const char *queue;	/* department name */
	const char *priority;	/* "low", "normal", "high" or "urgent" */
	const char *status;	/* a workflow status name, e.g. "spam" */
	const char *assign;	/* agent address, lower case */
	const char *tags[RULES_MAX_TAGS];
	size_t	ntags;
	int	skip_notify;	/* send no notification for this mail */
	int	drop;		/* do not store the mail at all */
	int	stopped;	/* "stop" or "drop" ended evaluation */
	const char *fired[RULES_MAX_FIRED];
	size_t	nfired;
	int	truncated;	/* more tags or fired rules than fit */
};

/*
 * rules_load - read every *.rules file of dirs[0..ndirs-1], in order.
 *	0: *out is a new rule set (possibly empty; free with rules_free()).
 *	-1: *out is NULL and err says "FILE:LINE: reason" (PD_ECONFIG).
 */
int	rules_load(const char *const *dirs, size_t ndirs, struct pd_rules **out,
	    struct pd_err *err);

/*
 * rules_check - read the same files as rules_load() and call
 * report(problem, arg) once per problem found, "FILE:LINE: reason" (at
 * most a few dozen per file). Returns the number of problems; 0 means
 * rules_load() on the same directories would succeed.
 */
int	rules_check(const char *const *dirs, size_t ndirs,
	    void (*report)(const char *problem, void *arg), void *arg);

/*
 * rules_match - evaluate the rules against one message; fills *out
 * (cleared first). Returns 1 when at least one rule fired, else 0.
 * A NULL rule set matches nothing.
 */
int	rules_match(const struct pd_rules *, const struct rules_input *,
	    struct rules_result *out);

/* rules_count - the number of rules in the set */
size_t	rules_count(const struct pd_rules *);

/* rules_free - release a rule set; accepts NULL; returns NULL */
struct pd_rules *rules_free(struct pd_rules *);

#endif
