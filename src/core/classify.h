/*
 * classify.h - what kind of mail this is (DESIGN.md section 3, step 3)
 *
 * Pure: the caller copies the envelope and a few header fields in; the
 * answer says whether the mail is a bounce, an automatic reply, our own
 * mail coming back (a loop), or a person's mail, and whether postdesk may
 * answer it automatically (RFC 3834: never answer automatic mail, lists,
 * bounces, or ourselves).
 */
#ifndef PD_CLASSIFY_H
#define PD_CLASSIFY_H

enum pd_class {
	PD_CLASS_PERSON = 0,	/* someone wrote this */
	PD_CLASS_BOUNCE,	/* a delivery status notification */
	PD_CLASS_AUTOREPLY,	/* vacation, out of office, bulk mail */
	PD_CLASS_LOOP,		/* postdesk's own mail came back */
};

struct pd_classify_in {
	const char *sender;		/* envelope sender; "" or MAILER-DAEMON for <> */
	const char *from_addr;		/* lower case */
	const char *content_type;	/* top level, lower case */
	const char *subject;
	const char *auto_submitted;
	const char *precedence;
	const char *list_id;
	const char *x_loop;
	const char *x_autoreply;	/* X-Autoreply / X-Autorespond, "" none */
	const char *message_id;
	const char *our_address;	/* support_address */
	const char *our_domain;		/* its domain */
	const char *our_local;		/* its local part */
	const char *our_host;		/* hostname (Message-ID right side) */
	const char *our_bounce;		/* bounce_address, NULL none */
};

struct pd_classify {
	int	class;			/* enum pd_class */
	int	may_autoreply;		/* an automatic answer is allowed */
	const char *reason;		/* static text, for logs and explain */
};

void	core_classify(const struct pd_classify_in *, struct pd_classify *);
/* core_class_name - "person", "bounce", "autoreply", "loop" */
const char *core_class_name(int);
/* core_may_mail - 1 when an automatic mail may go to addr at all */
int	core_may_mail(const char *addr, const struct pd_classify_in *);

#endif
