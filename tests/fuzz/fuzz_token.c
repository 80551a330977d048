/*
 * fuzz_token.c - libFuzzer target: the four token verifiers of token.h
 *
 * A fixed key (written once to a temporary key file and loaded with
 * keyfile_load(), as the programs do). Each input is used in one of two
 * ways, chosen by its first byte:
 *   even: the rest, as a C string, goes to token_reply_verify(),
 *         token_msgid_verify(), token_url_verify() and token_agent_verify();
 *   odd:  bytes 1-15 choose a ticket, a seq, a kind and an edit; a genuine
 *         token of that kind is made (token_reply, token_msgid, token_url,
 *         token_agent), which must verify, then edited (bytes overwritten,
 *         inserted or deleted at a position, from the rest of the input)
 *         and given to all four verifiers. This lets the fuzzer search next
 *         to valid MACs, where random bytes never get.
 * The oracle: a verifier that returns 1 must have been given the genuine
 * token of what it returns (the same text up to letter case; for a
 * Message-ID any host and optional <>, for a URL any base and one
 * trailing "/"); one that returns 0 must leave its outputs 0. Anything else
 * is a forgery or a malleable form, and aborts. Built and run by
 * tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"
#include "token/token.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct pd_keyring *keys;

static void load_keys(void);
static void check_reply(const char *);
static void check_msgid(const char *);
static void check_url(const char *);
static void check_agent(const char *);
static char *genuine(const uint8_t *, int *);
static char *edit(const char *, const uint8_t *, size_t);

/* load_keys - the fixed keyring (two keys: one signs, both verify) */
static void
load_keys(void)
{
	static const char text[] = "postdesk-key-v1\n"
	    "2 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n"
	    "1 f0e0d0c0b0a090807060504030201000"
	    "ffeeddccbbaa99887766554433221100\n";
	char path[4096];
	struct pd_err err;
	int fd;

	if (token_init() < 0 ||
	    (fd = fuzz_mkstemp(path, sizeof(path), "fuzz_token")) < 0 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
		fuzz_fail("cannot write a key file");
	close(fd);
	keys = keyfile_load(path, &err);
	unlink(path);
	if (keys == NULL)
		fuzz_fail("keyfile_load: %s", err.text);
}

/* check_reply - accepted only when genuine */
static void
check_reply(const char *s)
{
	uint64_t t = 99;
	char *g;

	if (token_reply_verify(keys, s, &t) != 1) {
		if (t != 0)
			fuzz_fail("reply token refused but ticket set");
		return;
	}
	g = token_reply(keys, t);
	if (g == NULL || strcasecmp(g, s) != 0)
		fuzz_fail("reply token \"%s\" accepted for ticket %llu; the "
		    "genuine one is \"%s\"", s, (unsigned long long)t,
		    g ? g : "(none)");
	free(g);
}

/* check_msgid - accepted only when genuine up to the host */
static void
check_msgid(const char *s)
{
	uint64_t t = 99, q = 99;
	const char *p = s, *at;
	char *g;
	size_t len;

	if (token_msgid_verify(keys, s, &t, &q) != 1) {
		if (t != 0 || q != 0)
			fuzz_fail("Message-ID refused but ticket or seq set");
		return;
	}
	g = token_msgid(keys, t, q, "h");
	len = strlen(p);
	if (len >= 2 && p[0] == '<' && p[len - 1] == '>') {
		p++;
		len -= 2;
	}
	at = memchr(p, '@', len);
	if (g == NULL || at == NULL || at == p + len - 1 ||
	    (size_t)(at - p) != strlen(g) - 2 ||
	    strncasecmp(g, p, (size_t)(at - p)) != 0)
		fuzz_fail("Message-ID \"%s\" accepted for %llu/%llu; the "
		    "genuine one is \"%s\"", s, (unsigned long long)t,
		    (unsigned long long)q, g ? g : "(none)");
	free(g);
}

/* check_url - accepted only when the path is genuine */
static void
check_url(const char *s)
{
	uint64_t t = 99;
	size_t len, glen;
	char *g;

	if (token_url_verify(keys, s, &t) != 1) {
		if (t != 0)
			fuzz_fail("URL refused but ticket set");
		return;
	}
	g = token_url(keys, "", t);
	len = strlen(s);
	if (len > 0 && s[len - 1] == '/')
		len--;
	glen = g ? strlen(g) : 0;
	if (g == NULL || len < glen ||
	    strncasecmp(g, s + len - glen, glen) != 0)
		fuzz_fail("URL \"%s\" accepted for ticket %llu; the genuine "
		    "path is \"%s\"", s, (unsigned long long)t,
		    g ? g : "(none)");
	free(g);
}

/* check_agent - accepted only when genuine */
static void
check_agent(const char *s)
{
	char aid[TOKEN_AID_CHARS + 1];
	uint64_t t = 99, q = 99;
	char *g;

	if (token_agent_verify(keys, s, &t, &q, aid) != 1) {
		if (t != 0 || q != 0)
			fuzz_fail("agent token refused but ticket or seq set");
		return;
	}
	g = token_agent(keys, t, q, aid);
	if (g == NULL || strcasecmp(g, s) != 0)
		fuzz_fail("agent token \"%s\" accepted; the genuine one is "
		    "\"%s\"", s, g ? g : "(none)");
	free(g);
}

/* genuine - a real token from bytes 1-13: ticket, seq, kind */
static char *
genuine(const uint8_t *d, int *kind)
{
	char aid[TOKEN_AID_CHARS + 1];
	uint64_t t = 0, q = 0;
	int i;

	for (i = 1; i <= 8; i++)
		t = t << 8 | d[i];
	t &= INT64_MAX;
	if (t == 0)
		t = 1;
	if (d[1] & 0x80)
		t %= 100000;	/* often a small ticket number */
	if (t == 0)
		t = 1;
	for (i = 9; i <= 12; i++)
		q = q << 8 | d[i];
	*kind = d[13] % 4;
	switch (*kind) {
	case 0:
		return token_reply(keys, t);
	case 1:
		return token_msgid(keys, t, q, "example.com");
	case 2:
		return token_url(keys, "https://help.example.com", t);
	default:
		token_agent_id("agent@example.com", aid);
		return token_agent(keys, t, q, aid);
	}
}

/* edit - overwrite, insert or delete at a position, from the input */
static char *
edit(const char *g, const uint8_t *d, size_t size)
{
	size_t glen = strlen(g), pos = d[14] % (glen + 1), n = size - 16, del;
	const uint8_t *with = d + 16;
	char *out = malloc(glen + n + 1);

	if (out == NULL)
		abort();
	memcpy(out, g, glen + 1);
	switch (d[15] % 3) {
	case 0:		/* overwrite */
		if (n > glen - pos)
			n = glen - pos;
		memcpy(out + pos, with, n);
		break;
	case 1:		/* insert */
		memmove(out + pos + n, out + pos, glen - pos + 1);
		memcpy(out + pos, with, n);
		break;
	default:	/* delete */
		del = n > 0 ? with[0] % 8 + 1 : 1;
		if (del > glen - pos)
			del = glen - pos;
		memmove(out + pos, out + pos + del, glen - pos - del + 1);
		break;
	}
	return out;
}

/* LLVMFuzzerTestOneInput - one string through every verifier */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *g;
	int kind;

	if (keys == NULL)
		load_keys();
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		s = fuzz_cstr(data + 1, size - 1);
	} else {
		if (size < 16)
			return 0;
		if ((g = genuine(data, &kind)) == NULL)
			fuzz_fail("a genuine token could not be made");
		s = g;
		if ((kind == 0 && token_reply_verify(keys, g, NULL) != 1) ||
		    (kind == 1 &&
		    token_msgid_verify(keys, g, NULL, NULL) != 1) ||
		    (kind == 2 && token_url_verify(keys, g, NULL) != 1) ||
		    (kind == 3 && token_agent_verify(keys, g, NULL, NULL,
		    (char [TOKEN_AID_CHARS + 1]){ 0 }) != 1))
			fuzz_fail("the genuine token \"%s\" is refused", g);
		s = edit(g, data, size);
		free(g);
	}
	check_reply(s);
	check_msgid(s);
	check_url(s);
	check_agent(s);
	free(s);
	return 0;
}
