/*
 * thread.c - threading decisions; see thread.h
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/thread.h"

/* core_thread - strongest evidence first */
void
core_thread(const struct pd_evidence *ev, struct pd_thread *out)
{
	out->is_new = 0;
	if (ev->token_ticket != 0) {
		out->ticket = ev->token_ticket;
		out->step = 'a';
		out->reason = "signed reply address";
	} else if (ev->ours_ref_ticket != 0) {
		out->ticket = ev->ours_ref_ticket;
		out->step = 'b';
		out->reason = "reference to a message postdesk sent";
	} else if (ev->stored_ref_ticket != 0) {
		out->ticket = ev->stored_ref_ticket;
		out->step = 'c';
		out->reason = "reference to a stored message";
	} else if (ev->tag_ticket != 0 && ev->tag_participant) {
		out->ticket = ev->tag_ticket;
		out->step = 'd';
		out->reason = "subject tag from a participant";
	} else if (ev->merge_ticket != 0) {
		out->ticket = ev->merge_ticket;
		out->step = 'e';
		out->reason = "workflow merge policy";
	} else {
		out->is_new = 1;
		out->ticket = 0;
		out->step = 'f';
		out->reason = ev->tag_ticket != 0 ?
		    "new ticket (subject tag from a non-participant ignored)" :
		    "new ticket";
	}
}

/* core_subject_tag - find "[#123]" */
uint64_t
core_subject_tag(const char *subject)
{
	const char *p;

	if (subject == NULL)
		return 0;
	for (p = subject; (p = strstr(p, "[#")) != NULL; p += 2) {
		const char *d = p + 2;
		uint64_t n = 0;
		int digits = 0;

		while (isdigit((unsigned char)*d) && digits < 19) {
			n = n * 10 + (uint64_t)(*d - '0');
			d++;
			digits++;
		}
		if (digits > 0 && *d == ']' && n != 0)
			return n;
	}
	return 0;
}

/* core_rcpt_extension - the part after the delimiter of our local part */
int
core_rcpt_extension(const char *rcpt, const char *local, const char *domain,
		    char delim, char *ext, size_t extlen)
{
	const char *at, *p;
	size_t llen = strlen(local), n;

	if (rcpt == NULL || (at = strrchr(rcpt, '@')) == NULL)
		return 0;
	if (strcasecmp(at + 1, domain) != 0)
		return 0;
	if ((size_t)(at - rcpt) <= llen + 1 ||
	    strncasecmp(rcpt, local, llen) != 0 || rcpt[llen] != delim)
		return 0;
	p = rcpt + llen + 1;
	n = (size_t)(at - p);
	if (n + 1 > extlen)
		return 0;
	memcpy(ext, p, n);
	ext[n] = '\0';
	return 1;
}
