/*
 * record.c - encode and decode the versioned records of store/
 *
 * The layouts are listed in record.h. Encoding appends to a struct buf
 * through a small writer that remembers the first field too large for a
 * u32 length. Decoding reads through a struct rec_in that never reads past
 * the end: the first short or malformed field marks it bad (remembering
 * which field), every later read is a no-op, and the decoder checks once
 * at the end, frees what it built and reports. Counts are checked against
 * the smallest possible item size before anything is allocated, so a
 * corrupted count cannot make us allocate gigabytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "record.h"

struct rec_out {
	struct buf *b;
	const char *bad;	/* first field that did not fit, or NULL */
};

struct rec_in {
	const unsigned char *p;
	size_t	left;
	const char *bad;	/* first field that did not decode, or NULL */
	const char *why;	/* "truncated", "contains a NUL", ... */
};

static void out_u8(struct rec_out *, unsigned int);
static void out_u32(struct rec_out *, uint32_t);
static void out_u64(struct rec_out *, uint64_t);
static void out_time(struct rec_out *, time_t);
static void out_str(struct rec_out *, const char *, const char *);
static void out_count(struct rec_out *, size_t, const char *);
static int out_done(struct rec_out *, const char *, struct pd_err *);

static int in_fail(struct rec_in *, const char *, const char *);
static int in_take(struct rec_in *, size_t, const char *,
		   const unsigned char **);
static uint32_t in_u32(struct rec_in *, const char *);
static uint64_t in_u64(struct rec_in *, const char *);
static time_t in_time(struct rec_in *, const char *);
static char *in_str(struct rec_in *, const char *);
static void in_bytes(struct rec_in *, void *, size_t, const char *);
static size_t in_count(struct rec_in *, size_t, const char *);
static int in_begin(struct rec_in *, const void *, size_t, const char *,
		    struct pd_err *);
static int in_end(struct rec_in *, const char *, struct pd_err *);

/* record_put_be32 - store a u32 big endian */
void
record_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* record_put_be64 - store a u64 big endian */
void
record_put_be64(unsigned char *p, uint64_t v)
{
	record_put_be32(p, (uint32_t)(v >> 32));
	record_put_be32(p + 4, (uint32_t)v);
}

/* record_get_be32 - load a big-endian u32 */
uint32_t
record_get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* record_get_be64 - load a big-endian u64 */
uint64_t
record_get_be64(const unsigned char *p)
{
	return (uint64_t)record_get_be32(p) << 32 | record_get_be32(p + 4);
}

/* out_u8 - append one byte */
static void
out_u8(struct rec_out *o, unsigned int v)
{
	buf_addc(o->b, (int)(v & 0xff));
}

/* out_u32 - append a big-endian u32 */
static void
out_u32(struct rec_out *o, uint32_t v)
{
	unsigned char p[4];

	record_put_be32(p, v);
	buf_add(o->b, p, sizeof(p));
}

/* out_u64 - append a big-endian u64 */
static void
out_u64(struct rec_out *o, uint64_t v)
{
	unsigned char p[8];

	record_put_be64(p, v);
	buf_add(o->b, p, sizeof(p));
}

/* out_time - append a time_t as a two's complement 64-bit value */
static void
out_time(struct rec_out *o, time_t t)
{
	out_u64(o, (uint64_t)(int64_t)t);
}

/* out_str - append u32 length + bytes; NULL is written as "" */
static void
out_str(struct rec_out *o, const char *s, const char *field)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if ((uint64_t)len > UINT32_MAX) {
		if (o->bad == NULL)
			o->bad = field;
		len = 0;
	}
	out_u32(o, (uint32_t)len);
	if (len > 0)
		buf_add(o->b, s, len);
}

/* out_count - append an array count */
static void
out_count(struct rec_out *o, size_t n, const char *field)
{
	if ((uint64_t)n > UINT32_MAX) {
		if (o->bad == NULL)
			o->bad = field;
		n = 0;
	}
	out_u32(o, (uint32_t)n);
}

/* out_done - report a field that did not fit */
static int
out_done(struct rec_out *o, const char *kind, struct pd_err *err)
{
	if (o->bad != NULL)
		return err_set(err, PD_EDATA,
		    "%s record: %s too large to store", kind, o->bad);
	return 0;
}

/* in_fail - mark the input bad (first failure wins); returns -1 */
static int
in_fail(struct rec_in *in, const char *field, const char *why)
{
	if (in->bad == NULL) {
		in->bad = field;
		in->why = why;
	}
	in->left = 0;
	return -1;
}

/* in_take - consume n bytes; -1 when fewer remain or the input is bad */
static int
in_take(struct rec_in *in, size_t n, const char *field,
	const unsigned char **pp)
{
	if (in->bad != NULL)
		return -1;
	if (n > in->left)
		return in_fail(in, field, "truncated");
	*pp = in->p;
	in->p += n;
	in->left -= n;
	return 0;
}

/* in_u32 - read a big-endian u32 (0 when bad) */
static uint32_t
in_u32(struct rec_in *in, const char *field)
{
	const unsigned char *p;

	if (in_take(in, 4, field, &p) < 0)
		return 0;
	return record_get_be32(p);
}

/* in_u64 - read a big-endian u64 (0 when bad) */
static uint64_t
in_u64(struct rec_in *in, const char *field)
{
	const unsigned char *p;

	if (in_take(in, 8, field, &p) < 0)
		return 0;
	return record_get_be64(p);
}

/* in_time - read a time_t written by out_time */
static time_t
in_time(struct rec_in *in, const char *field)
{
	return (time_t)(int64_t)in_u64(in, field);
}

/* in_str - read a string into a NUL-terminated copy (NULL when bad) */
static char *
in_str(struct rec_in *in, const char *field)
{
	const unsigned char *p;
	uint32_t len;

	len = in_u32(in, field);
	if (in_take(in, len, field, &p) < 0)
		return NULL;
	if (memchr(p, '\0', len) != NULL) {
		in_fail(in, field, "contains a NUL byte");
		return NULL;
	}
	return xstrndup((const char *)p, len);
}

/* in_bytes - read n raw bytes into dst (zeroed when bad) */
static void
in_bytes(struct rec_in *in, void *dst, size_t n, const char *field)
{
	const unsigned char *p;

	if (in_take(in, n, field, &p) < 0)
		memset(dst, 0, n);
	else
		memcpy(dst, p, n);
}

/* in_count - read an array count; each item takes at least min bytes */
static size_t
in_count(struct rec_in *in, size_t min, const char *field)
{
	uint32_t n;

	n = in_u32(in, field);
	if (in->bad != NULL)
		return 0;
	if (n > in->left / min) {
		in_fail(in, field, "count larger than the record");
		return 0;
	}
	return n;
}

/* in_begin - start decoding: check the version byte */
static int
in_begin(struct rec_in *in, const void *data, size_t len, const char *what,
	 struct pd_err *err)
{
	in->p = data;
	in->left = len;
	in->bad = NULL;
	in->why = NULL;
	if (len == 0)
		return err_set(err, PD_ETEMP, "corrupt record: %s: empty",
		    what);
	if (in->p[0] != RECORD_VERSION)
		return err_set(err, PD_ETEMP, "record version %u unknown (%s)",
		    (unsigned int)in->p[0], what);
	in->p++;
	in->left--;
	return 0;
}

/* in_end - after the last field: report a bad field or trailing bytes */
static int
in_end(struct rec_in *in, const char *what, struct pd_err *err)
{
	if (in->bad != NULL)
		return err_set(err, PD_ETEMP, "corrupt record: %s: %s %s",
		    what, in->bad, in->why);
	if (in->left != 0)
		return err_set(err, PD_ETEMP,
		    "corrupt record: %s: %zu trailing bytes", what, in->left);
	return 0;
}

/* record_ticket_encode - append a ticket record */
int
record_ticket_encode(struct buf *b, const struct pd_ticket *t,
		     struct pd_err *err)
{
	struct rec_out o = { b, NULL };
	size_t i;

	out_u8(&o, RECORD_VERSION);
	out_str(&o, t->status, "status");
	out_str(&o, t->subject, "subject");
	out_str(&o, t->requester, "requester");
	out_str(&o, t->requester_name, "requester_name");
	out_str(&o, t->queue, "queue");
	out_time(&o, t->created);
	out_time(&o, t->updated);
	out_u32(&o, t->nmsgs);
	out_u32(&o, t->nevents);
	out_count(&o, t->nparticipants, "participants");
	for (i = 0; o.bad == NULL && i < t->nparticipants; i++)
		out_str(&o, t->participants[i], "participant");
	out_str(&o, t->assignee, "assignee");
	out_str(&o, t->priority, "priority");
	out_str(&o, t->lock_holder, "lock_holder");
	out_time(&o, t->lock_until);
	out_u64(&o, t->merged_into);
	out_u32(&o, t->last_public_seq);
	out_str(&o, t->last_public_agent, "last_public_agent");
	out_count(&o, t->ncc, "cc");
	for (i = 0; o.bad == NULL && i < t->ncc; i++)
		out_str(&o, t->cc[i], "cc");
	out_time(&o, t->last_customer);
	out_time(&o, t->last_agent);
	out_time(&o, t->status_at);
	out_time(&o, t->session_until);
	out_str(&o, t->last_assignee, "last_assignee");
	out_u64(&o, t->followup_of);
	return out_done(&o, "ticket", err);
}

/* record_ticket_decode - build a ticket from a record (id left 0) */
int
record_ticket_decode(const void *data, size_t len, const char *what,
		     struct pd_ticket **tp, struct pd_err *err)
{
	struct rec_in in;
	struct pd_ticket *t;
	size_t i;

	*tp = NULL;
	if (in_begin(&in, data, len, what, err) < 0)
		return -1;
	t = xcalloc(1, sizeof(*t));
	t->status = in_str(&in, "status");
	t->subject = in_str(&in, "subject");
	t->requester = in_str(&in, "requester");
	t->requester_name = in_str(&in, "requester_name");
	t->queue = in_str(&in, "queue");
	t->created = in_time(&in, "created");
	t->updated = in_time(&in, "updated");
	t->nmsgs = in_u32(&in, "nmsgs");
	t->nevents = in_u32(&in, "nevents");
	t->nparticipants = in_count(&in, 4, "participants");
	t->participants = xcalloc(t->nparticipants + 1, sizeof(char *));
	for (i = 0; i < t->nparticipants; i++)
		t->participants[i] = in_str(&in, "participant");
	t->assignee = in_str(&in, "assignee");
	t->priority = in_str(&in, "priority");
	t->lock_holder = in_str(&in, "lock_holder");
	t->lock_until = in_time(&in, "lock_until");
	t->merged_into = in_u64(&in, "merged_into");
	t->last_public_seq = in_u32(&in, "last_public_seq");
	t->last_public_agent = in_str(&in, "last_public_agent");
	t->ncc = in_count(&in, 4, "cc");
	t->cc = xcalloc(t->ncc + 1, sizeof(char *));
	for (i = 0; i < t->ncc; i++)
		t->cc[i] = in_str(&in, "cc");
	t->last_customer = in_time(&in, "last_customer");
	t->last_agent = in_time(&in, "last_agent");
	t->status_at = in_time(&in, "status_at");
	t->session_until = in_time(&in, "session_until");
	t->last_assignee = in_str(&in, "last_assignee");
	t->followup_of = in_u64(&in, "followup_of");
	if (in_end(&in, what, err) < 0) {
		record_ticket_free(t);
		return -1;
	}
	*tp = t;
	return 0;
}

/* record_ticket_free - free a ticket and its strings; accepts NULL */
void
record_ticket_free(struct pd_ticket *t)
{
	size_t i;

	if (t == NULL)
		return;
	free(t->status);
	free(t->subject);
	free(t->requester);
	free(t->requester_name);
	free(t->queue);
	if (t->participants != NULL)
		for (i = 0; i < t->nparticipants; i++)
			free(t->participants[i]);
	free(t->participants);
	free(t->assignee);
	free(t->priority);
	free(t->lock_holder);
	free(t->last_public_agent);
	free(t->last_assignee);
	if (t->cc != NULL)
		for (i = 0; i < t->ncc; i++)
			free(t->cc[i]);
	free(t->cc);
	free(t);
}

/* record_msg_encode - append a message record */
int
record_msg_encode(struct buf *b, const struct pd_stored_msg *m,
		  struct pd_err *err)
{
	struct rec_out o = { b, NULL };
	size_t i;

	out_u8(&o, RECORD_VERSION);
	out_time(&o, m->received);
	out_u32(&o, (uint32_t)m->author);
	out_str(&o, m->from_addr, "from_addr");
	out_str(&o, m->from_name, "from_name");
	out_str(&o, m->subject, "subject");
	out_str(&o, m->message_id, "message_id");
	out_str(&o, m->queue_id, "queue_id");
	out_str(&o, m->recipient, "recipient");
	out_str(&o, m->text, "text");
	buf_add(b, m->raw_hash, sizeof(m->raw_hash));
	out_u64(&o, m->raw_size);
	out_count(&o, m->nattach, "attachments");
	for (i = 0; o.bad == NULL && i < m->nattach; i++) {
		out_str(&o, m->attach[i].name, "attachment name");
		out_str(&o, m->attach[i].type, "attachment type");
		out_u64(&o, (uint64_t)m->attach[i].size);
	}
	out_u32(&o, (uint32_t)m->visibility);
	return out_done(&o, "message", err);
}

/* record_msg_decode - build a message from a record (ticket, seq left 0) */
int
record_msg_decode(const void *data, size_t len, const char *what,
		  struct pd_stored_msg **mp, struct pd_err *err)
{
	struct rec_in in;
	struct pd_stored_msg *m;
	size_t i;

	*mp = NULL;
	if (in_begin(&in, data, len, what, err) < 0)
		return -1;
	m = xcalloc(1, sizeof(*m));
	m->received = in_time(&in, "received");
	m->author = (int)in_u32(&in, "author");
	m->from_addr = in_str(&in, "from_addr");
	m->from_name = in_str(&in, "from_name");
	m->subject = in_str(&in, "subject");
	m->message_id = in_str(&in, "message_id");
	m->queue_id = in_str(&in, "queue_id");
	m->recipient = in_str(&in, "recipient");
	m->text = in_str(&in, "text");
	in_bytes(&in, m->raw_hash, sizeof(m->raw_hash), "raw_hash");
	m->raw_size = in_u64(&in, "raw_size");
	/* name and type lengths (4 + 4) and the size (8) */
	m->nattach = in_count(&in, 16, "attachments");
	m->attach = xcalloc(m->nattach + 1, sizeof(*m->attach));
	for (i = 0; i < m->nattach; i++) {
		m->attach[i].name = in_str(&in, "attachment name");
		m->attach[i].type = in_str(&in, "attachment type");
		m->attach[i].size = (size_t)in_u64(&in, "attachment size");
	}
	m->visibility = (int)in_u32(&in, "visibility");
	if (in_end(&in, what, err) < 0) {
		record_msg_free(m);
		return -1;
	}
	*mp = m;
	return 0;
}

/* record_msg_free - free a message and its strings; accepts NULL */
void
record_msg_free(struct pd_stored_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->from_addr);
	free(m->from_name);
	free(m->subject);
	free(m->message_id);
	free(m->queue_id);
	free(m->recipient);
	free(m->text);
	if (m->attach != NULL)
		for (i = 0; i < m->nattach; i++) {
			free(m->attach[i].name);
			free(m->attach[i].type);
		}
	free(m->attach);
	free(m);
}

/* record_event_encode - append an event record */
int
record_event_encode(struct buf *b, const struct pd_event *e,
		    struct pd_err *err)
{
	struct rec_out o = { b, NULL };

	out_u8(&o, RECORD_VERSION);
	out_time(&o, e->time);
	out_str(&o, e->actor, "actor");
	out_str(&o, e->kind, "kind");
	out_str(&o, e->detail, "detail");
	return out_done(&o, "event", err);
}

/* record_event_decode - build an event from a record (ticket, seq left 0) */
int
record_event_decode(const void *data, size_t len, const char *what,
		    struct pd_event **ep, struct pd_err *err)
{
	struct rec_in in;
	struct pd_event *e;

	*ep = NULL;
	if (in_begin(&in, data, len, what, err) < 0)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->time = in_time(&in, "time");
	e->actor = in_str(&in, "actor");
	e->kind = in_str(&in, "kind");
	e->detail = in_str(&in, "detail");
	if (in_end(&in, what, err) < 0) {
		record_event_free(e);
		return -1;
	}
	*ep = e;
	return 0;
}

/* record_event_free - free an event and its strings; accepts NULL */
void
record_event_free(struct pd_event *e)
{
	if (e == NULL)
		return;
	free(e->actor);
	free(e->kind);
	free(e->detail);
	free(e);
}

/* record_outbox_encode - an outbox entry (the id is the key) */
int
record_outbox_encode(struct buf *b, const struct pd_outbox *ob,
		     struct pd_err *err)
{
	struct rec_out o = { b, NULL };

	out_u8(&o, RECORD_VERSION);
	out_u64(&o, ob->ticket);
	out_str(&o, ob->event, "event");
	out_str(&o, ob->recipient, "recipient");
	out_str(&o, ob->sender, "sender");
	out_time(&o, ob->created);
	out_time(&o, ob->next_try);
	out_u32(&o, ob->attempts);
	out_str(&o, ob->last_error, "last_error");
	out_str(&o, ob->message, "message");
	return out_done(&o, "outbox", err);
}

/* record_outbox_decode - the reverse; the caller sets the id */
int
record_outbox_decode(const void *data, size_t len, const char *what,
		     struct pd_outbox **op, struct pd_err *err)
{
	struct rec_in in;
	struct pd_outbox *ob;

	*op = NULL;
	if (in_begin(&in, data, len, what, err) < 0)
		return -1;
	ob = xcalloc(1, sizeof(*ob));
	ob->ticket = in_u64(&in, "ticket");
	ob->event = in_str(&in, "event");
	ob->recipient = in_str(&in, "recipient");
	ob->sender = in_str(&in, "sender");
	ob->created = in_time(&in, "created");
	ob->next_try = in_time(&in, "next_try");
	ob->attempts = in_u32(&in, "attempts");
	ob->last_error = in_str(&in, "last_error");
	ob->message = in_str(&in, "message");
	if (in_end(&in, what, err) < 0) {
		record_outbox_free(ob);
		return -1;
	}
	*op = ob;
	return 0;
}

/* record_outbox_free - release; accepts NULL */
void
record_outbox_free(struct pd_outbox *ob)
{
	if (ob == NULL)
		return;
	free(ob->event);
	free(ob->recipient);
	free(ob->sender);
	free(ob->last_error);
	free(ob->message);
	free(ob);
}

/* record_customer_encode - a customer (the email is the key) */
int
record_customer_encode(struct buf *b, const struct pd_customer *c,
		       struct pd_err *err)
{
	struct rec_out o = { b, NULL };

	out_u8(&o, RECORD_VERSION);
	out_str(&o, c->name, "name");
	out_str(&o, c->external_id, "external_id");
	out_str(&o, c->organisation, "organisation");
	out_str(&o, c->phone, "phone");
	out_time(&o, c->created);
	out_time(&o, c->updated);
	out_str(&o, c->notes, "notes");
	return out_done(&o, "customer", err);
}

/* record_customer_decode - the reverse; the caller sets the email */
int
record_customer_decode(const void *data, size_t len, const char *what,
		       struct pd_customer **cp, struct pd_err *err)
{
	struct rec_in in;
	struct pd_customer *c;

	*cp = NULL;
	if (in_begin(&in, data, len, what, err) < 0)
		return -1;
	c = xcalloc(1, sizeof(*c));
	c->name = in_str(&in, "name");
	c->external_id = in_str(&in, "external_id");
	c->organisation = in_str(&in, "organisation");
	c->phone = in_str(&in, "phone");
	c->created = in_time(&in, "created");
	c->updated = in_time(&in, "updated");
	c->notes = in_str(&in, "notes");
	if (in_end(&in, what, err) < 0) {
		record_customer_free(c);
		return -1;
	}
	*cp = c;
	return 0;
}

/* record_customer_free - release; accepts NULL */
void
record_customer_free(struct pd_customer *c)
{
	if (c == NULL)
		return;
	free(c->email);
	free(c->name);
	free(c->external_id);
	free(c->organisation);
	free(c->phone);
	free(c->notes);
	free(c);
}
