/*
 * rules_match.c - evaluate a rule set against one message; see rules.h
 *
 * The rules run in the order they were read. A rule fires when all of its
 * conditions hold; its actions then apply in the order written. Single
 * values (queue, priority, status, assign) are overwritten by later rules,
 * so the operator's directory, read last, has the last word; tags add up;
 * skip-notify and drop stay set. "stop" or "drop" ends the evaluation
 * after the rule that carries it.
 *
 * A header condition looks at every field of that name (names compared
 * ignoring ASCII case) and holds when any of them passes the test; "not"
 * negates the whole condition, so "not header X is y" holds when no X
 * field equals y (and when there is no X field at all). A numeric test
 * reads the decimal number at the start of a value; a value that does not
 * start with one fails the test.
 *
 * Nothing here allocates, logs or reads files: the result points into the
 * rule set.
 */
#include <fnmatch.h>
#include <regex.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"
#include "rules/rules_int.h"

#define NUMBER_DIGITS	15	/* digits of a number on either side of '.' */

static int cond_holds(const struct rules_cond *, const struct rules_input *);
static int value_passes(const struct rules_cond *, const char *);
static int number_passes(const struct rules_cond *, const char *);
static void rule_apply(const struct rules_rule *, struct rules_result *);
static void tag_add(struct rules_result *, const char *);

/* rules_match - run the rules over one message */
int
rules_match(const struct pd_rules *rs, const struct rules_input *in,
    struct rules_result *out)
{
	const struct rules_rule *r;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; rs != NULL && i < rs->nrules && !out->stopped; i++) {
		r = &rs->rule[i];
		for (k = 0; k < r->ncond && cond_holds(&r->cond[k], in); k++)
			;
		if (k < r->ncond)
			continue;
		if (out->nfired < RULES_MAX_FIRED)
			out->fired[out->nfired++] = r->label;
		else
			out->truncated = 1;
		rule_apply(r, out);
	}
	return out->nfired > 0;
}

/* cond_holds - one condition against the message */
static int
cond_holds(const struct rules_cond *c, const struct rules_input *in)
{
	const char *v;
	size_t i;
	int hit = 0;

	switch (c->subject) {
	case RS_SENDER:
		hit = value_passes(c, in->sender);
		break;
	case RS_RECIPIENT:
		hit = value_passes(c, in->recipient);
		break;
	case RS_HEADER:
		for (i = 0; i < in->nheaders && !hit; i++) {
			if (in->headers[i].name == NULL ||
			    strcasecmp(in->headers[i].name, c->header) != 0)
				continue;
			v = in->headers[i].value;
			hit = c->op == RO_EXISTS || value_passes(c, v);
		}
		break;
	}
	return c->negate ? !hit : hit;
}

/* value_passes - the test of a condition on one value (NULL is "") */
static int
value_passes(const struct rules_cond *c, const char *v)
{
	if (v == NULL)
		v = "";
	switch (c->op) {
	case RO_IS:
		return (c->nocase ? strcasecmp(v, c->value) :
		    strcmp(v, c->value)) == 0;
	case RO_CONTAINS:
		return (c->nocase ? strcasestr(v, c->value) :
		    strstr(v, c->value)) != NULL;
	case RO_GLOB:
		return fnmatch(c->value, v, c->nocase ? FNM_CASEFOLD : 0) == 0;
	case RO_REGEX:
		return regexec(&c->re, v, 0, NULL, 0) == 0;
	case RO_EXISTS:
		return 1;
	default:
		return number_passes(c, v);
	}
}

/* number_passes - a numeric comparison; no number at the start fails */
static int
number_passes(const struct rules_cond *c, const char *v)
{
	const char *end;
	double x;

	if (rules_number(v, &x, &end) < 0)
		return 0;
	/* "12.5 / 15" is 12.5; "12abc" and "1.2.3" are no numbers */
	if ((*end >= '0' && *end <= '9') || *end == '.' ||
	    (*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z'))
		return 0;
	switch (c->op) {
	case RO_GT:
		return x > c->number;
	case RO_GE:
		return x >= c->number;
	case RO_LT:
		return x < c->number;
	case RO_LE:
		return x <= c->number;
	case RO_EQ:
		return x == c->number;
	}
	return 0;
}

/* rules_number - [blanks][+-]digits[.digits] at the start of s */
int
rules_number(const char *s, double *out, const char **end)
{
	double x = 0, scale = 1;
	int neg = 0, n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (n = 0; *s >= '0' && *s <= '9'; s++, n++)
		x = x * 10 + (*s - '0');
	if (n == 0 || n > NUMBER_DIGITS)
		return -1;
	if (*s == '.' && s[1] >= '0' && s[1] <= '9') {
		for (s++, n = 0; *s >= '0' && *s <= '9'; s++, n++) {
			scale /= 10;
			x += (*s - '0') * scale;
		}
		if (n > NUMBER_DIGITS)
			return -1;
	}
	*out = neg ? -x : x;
	*end = s;
	return 0;
}

/* rule_apply - the actions of a rule that fired */
static void
rule_apply(const struct rules_rule *r, struct rules_result *out)
{
	size_t i;

	for (i = 0; i < r->nact; i++) {
		switch (r->act[i].kind) {
		case RA_QUEUE:
			out->queue = r->act[i].arg;
			break;
		case RA_PRIORITY:
			out->priority = r->act[i].arg;
			break;
		case RA_STATUS:
			out->status = r->act[i].arg;
			break;
		case RA_TAG:
			tag_add(out, r->act[i].arg);
			break;
		case RA_ASSIGN:
			out->assign = r->act[i].arg;
			break;
		case RA_SKIP_NOTIFY:
			out->skip_notify = 1;
			break;
		case RA_DROP:
			out->drop = 1;
			out->stopped = 1;
			break;
		case RA_STOP:
			out->stopped = 1;
			break;
		}
	}
}

/* tag_add - add a tag once */
static void
tag_add(struct rules_result *out, const char *tag)
{
	size_t i;

	for (i = 0; i < out->ntags; i++)
		if (strcmp(out->tags[i], tag) == 0)
			return;
	if (out->ntags < RULES_MAX_TAGS)
		out->tags[out->ntags++] = tag;
	else
		out->truncated = 1;
}
