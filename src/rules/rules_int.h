/*
 * rules_int.h - the compiled form of a rule set, shared by rules_parse.c
 * (which builds it) and rules_match.c (which reads it); not for callers.
 *
 * A rule is a list of conditions (all must hold) and a list of actions
 * applied in order when they do. Everything a rule points to (names,
 * values, the compiled regex, its "FILE:LINE" label) is owned by the rule
 * and freed by rules_free().
 */
#ifndef PD_RULES_INT_H
#define PD_RULES_INT_H

#include <regex.h>
#include <stddef.h>

/* What a condition looks at. */
enum rules_subject {
	RS_SENDER = 0,		/* envelope sender */
	RS_RECIPIENT,		/* envelope recipient */
	RS_HEADER,		/* every header field of one name */
};

/* How it compares. */
enum rules_op {
	RO_EXISTS = 0,		/* the header is present */
	RO_IS,			/* the whole value equals */
	RO_CONTAINS,		/* the value contains */
	RO_GLOB,		/* fnmatch(3) */
	RO_REGEX,		/* POSIX extended regular expression */
	RO_GT,			/* numeric comparisons */
	RO_GE,
	RO_LT,
	RO_LE,
	RO_EQ,
};

struct rules_cond {
	int	subject;	/* enum rules_subject */
	char	*header;	/* field name when RS_HEADER */
	int	op;		/* enum rules_op */
	int	nocase;		/* ASCII case is ignored */
	int	negate;		/* "not": holds when the test fails */
	char	*value;		/* the operand of is/contains/glob/regex */
	double	number;		/* the operand of a numeric comparison */
	regex_t	re;		/* compiled when op is RO_REGEX */
	int	have_re;
};

enum rules_act {
	RA_QUEUE = 0,
	RA_PRIORITY,
	RA_STATUS,
	RA_TAG,
	RA_ASSIGN,
	RA_SKIP_NOTIFY,
	RA_DROP,
	RA_STOP,
};

struct rules_action {
	int	kind;		/* enum rules_act */
	char	*arg;		/* NULL for the flags */
};

struct rules_rule {
	char	*label;		/* "FILE:LINE" of the line starting with "if" */
	struct rules_cond *cond;
	size_t	ncond;
	struct rules_action *act;
	size_t	nact;
};

struct pd_rules {
	struct rules_rule *rule;
	size_t	nrules;
	size_t	cap;
};

/* rules_number - parse a decimal number at the start of s; -1 when none */
int	rules_number(const char *s, double *out, const char **end);

#endif
