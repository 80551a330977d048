/*
 * classify.c - bounce, auto-reply and loop detection; see classify.h
 *
 * The tests are the usual ones, strongest first: the null envelope sender
 * and multipart/report mean a bounce; our X-Loop, or our own Message-ID,
 * or our own address as sender, mean a loop; RFC 3834 Auto-Submitted other
 * than "no", Precedence bulk/junk/list, X-Autoreply/X-Autorespond, and
 * common vacation subjects mean an automatic reply. List mail (List-Id) is
 * a person's mail that must not be answered automatically.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/classify.h"

static const char *class_names[] = {
	"person", "bounce", "autoreply", "loop",
};

/* Subjects of automatic replies, lower case, matched as prefixes. */
static const char *auto_subjects[] = {
	"out of office", "auto:", "automatic reply", "autoreply",
	"auto-reply", "auto reply", "vacation:", "vacation reply",
	"vacation message", "on vacation:", "abwesenheitsnotiz",
	"automatische antwort", "abwesend:", "absence:",
	"réponse automatique", "reponse automatique",
	"risposta automatica", "fuori sede", "respuesta automática",
	"respuesta automatica", "fuera de la oficina", "resposta automática",
	"ausente", "afwezig", "automatisch antwoord", "autosvar",
	"automatisk svar", "automaattinen vastaus", "automatyczna odpowied",
	"odpowiedź automatyczna", "automatická odpověď",
	"\xd0\xb0\xd0\xb2\xd1\x82\xd0\xbe\xd0\xbc\xd0\xb0\xd1\x82\xd0\xb8"
	"\xd1\x87\xd0\xb5\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9 \xd0\xbe\xd1\x82"
	"\xd0\xb2\xd0\xb5\xd1\x82",	/* Russian: automatic reply */
	NULL,
};

/* Local parts that are machines, never people. */
static const char *robot_locals[] = {
	"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply",
	"donotreply", "do-not-reply", "bounce", "bounces", "mailer",
	"listserv", "majordomo", "owner-", NULL,
};

/* empty - NULL or "" */
static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* starts_ci - case-insensitive prefix after leading blanks and "Re:" */
static int
subject_is_auto(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	/* "[RT #123] AutoReply: ..." - ticket systems put tags first */
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s != '[' || strchr(s, ']') == NULL)
			break;
		s = strchr(s, ']') + 1;
	}
	for (i = 0; auto_subjects[i] != NULL; i++)
		if (strncasecmp(s, auto_subjects[i],
		    strlen(auto_subjects[i])) == 0)
			return 1;
	return 0;
}

/* is_robot - an address no automatic mail may go to */
static int
is_robot(const char *addr)
{
	size_t i, n;
	const char *at;

	if (empty(addr) || (at = strchr(addr, '@')) == NULL)
		return 1;
	n = (size_t)(at - addr);
	for (i = 0; robot_locals[i] != NULL; i++) {
		size_t k = strlen(robot_locals[i]);

		if (robot_locals[i][k - 1] == '-' ? n >= k &&
		    strncasecmp(addr, robot_locals[i], k) == 0 :
		    n == k && strncasecmp(addr, robot_locals[i], k) == 0)
			return 1;
	}
	return 0;
}

/* is_ours - one of our own addresses (support, support+anything) */
static int
is_ours(const char *addr, const struct pd_classify_in *in)
{
	const char *at;
	size_t n;

	if (!empty(addr) && !empty(in->our_bounce) &&
	    strcasecmp(addr, in->our_bounce) == 0)
		return 1;
	if (empty(addr) || empty(in->our_local) ||
	    (at = strrchr(addr, '@')) == NULL ||
	    strcasecmp(at + 1, in->our_domain) != 0)
		return 0;
	n = strlen(in->our_local);
	return strncasecmp(addr, in->our_local, n) == 0 &&
	    (addr[n] == '@' || addr[n] == '+' || addr[n] == '-');
}

/* core_classify - decide */
void
core_classify(const struct pd_classify_in *in, struct pd_classify *out)
{
	const char *at;

	out->class = PD_CLASS_PERSON;
	out->may_autoreply = 1;
	out->reason = "a person's mail";
	if (empty(in->sender) || strcasecmp(in->sender, "MAILER-DAEMON") == 0
	    || strcasecmp(in->sender, "<>") == 0) {
		out->class = PD_CLASS_BOUNCE;
		out->reason = "null envelope sender";
	} else if (!empty(in->content_type) &&
	    strcmp(in->content_type, "multipart/report") == 0) {
		out->class = PD_CLASS_BOUNCE;
		out->reason = "multipart/report";
	} else if (!empty(in->from_addr) &&
	    strncasecmp(in->from_addr, "mailer-daemon@", 14) == 0) {
		out->class = PD_CLASS_BOUNCE;
		out->reason = "From MAILER-DAEMON";
	} else if (!empty(in->x_loop) && !empty(in->our_address) &&
	    strcasestr(in->x_loop, in->our_address) != NULL) {
		out->class = PD_CLASS_LOOP;
		out->reason = "our X-Loop header";
	} else if (!empty(in->message_id) && !empty(in->our_host) &&
	    strncasecmp(in->message_id, "pd.", 3) == 0 &&
	    (at = strrchr(in->message_id, '@')) != NULL &&
	    strcasecmp(at + 1, in->our_host) == 0) {
		out->class = PD_CLASS_LOOP;
		out->reason = "our own Message-ID";
	} else if (is_ours(in->from_addr, in) || is_ours(in->sender, in)) {
		out->class = PD_CLASS_LOOP;
		out->reason = "sent from our own address";
	} else if (!empty(in->auto_submitted) &&
	    strncasecmp(in->auto_submitted, "no", 2) != 0) {
		out->class = PD_CLASS_AUTOREPLY;
		out->reason = "Auto-Submitted";
	} else if (!empty(in->precedence) &&
	    (strcasestr(in->precedence, "bulk") != NULL ||
	    strcasestr(in->precedence, "junk") != NULL ||
	    strcasestr(in->precedence, "list") != NULL)) {
		out->class = PD_CLASS_AUTOREPLY;
		out->reason = "Precedence bulk/junk/list";
	} else if (!empty(in->x_autoreply)) {
		out->class = PD_CLASS_AUTOREPLY;
		out->reason = "X-Autoreply";
	} else if (subject_is_auto(in->subject)) {
		out->class = PD_CLASS_AUTOREPLY;
		out->reason = "automatic reply subject";
	}
	if (out->class != PD_CLASS_PERSON || !empty(in->list_id) ||
	    !core_may_mail(in->from_addr, in) ||
	    !core_may_mail(in->sender, in))
		out->may_autoreply = 0;
}

/* core_may_mail - not a robot, not ourselves */
int
core_may_mail(const char *addr, const struct pd_classify_in *in)
{
	return !is_robot(addr) && !is_ours(addr, in);
}

/* core_class_name - printable class */
const char *
core_class_name(int c)
{
	if (c < 0 || c > PD_CLASS_LOOP)
		return "unknown";
	return class_names[c];
}
