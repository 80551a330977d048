/*
 * t_token.c - unit tests of the signing layer (src/token/token.c)
 *
 * Everything runs in a mkdtemp() directory that is removed at the end.
 * The expected MACs are computed here, independently, with crypto_auth()
 * over the documented typed strings and this file's own base32 encoder
 * (itself checked against the RFC 4648 test vectors), from keys the test
 * generates and writes into key files. Covered:
 *
 *   key files: keyfile_create() (mode 0600 whatever the umask, format,
 *   refuses to overwrite or follow a symlink, I/O errors), keyfile_load()
 *   of good variants and of every kind of bad file (class and text);
 *   round trips of reply tokens, Message-IDs and URLs for many tickets
 *   and seqs, upper-cased too; forgeries: other tickets, random MACs,
 *   every bit flip, truncation, extension, type confusion, odd numbers
 *   (leading zeros, signs, spaces, overflow), NULL, empty, huge and
 *   non-ASCII input; key rotation with a two-key file.
 *
 * Output is TAP (tap.h); the bulk loops report one line each and print
 * the offending input on failure.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "token/token.h"

#include "tap.h"

#define HOST	"help.example.org"
#define BASE	"https://help.example.org/desk"

struct key {
	unsigned char	k[TOKEN_KEY_BYTES];
	char		hex[TOKEN_KEY_BYTES * 2 + 1];
};

static char tmpdir[] = "/tmp/t_token.XXXXXX";
static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";

static const uint64_t tickets[] = {
	1, 2, 9, 10, 42, 99, 100, 1000, 65536, 123456789,
	4294967296ULL, 999999999999ULL, (uint64_t)INT64_MAX - 1,
	(uint64_t)INT64_MAX,
};
#define NTICKETS	(sizeof(tickets) / sizeof(tickets[0]))

static const uint64_t seqs[] = {
	0, 1, 7, 10, 100, 4096, 1000000007, (uint64_t)INT64_MAX,
};
#define NSEQS	(sizeof(seqs) / sizeof(seqs[0]))

/* path - a file name in the test directory (caller frees) */
static char *
path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* write_file - create or replace a file, or bail out */
static void
write_file(const char *p, const char *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		printf("Bail out! cannot write %s: %s\n", p, strerror(errno));
		exit(99);
	}
}

/* read_file - the whole of a small file, NUL-terminated (caller frees) */
static char *
read_file(const char *p)
{
	char *buf = xmalloc(4096);
	ssize_t n;
	int fd;

	if ((fd = open(p, O_RDONLY)) < 0) {
		free(buf);
		return NULL;
	}
	n = read(fd, buf, 4095);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* b32 - RFC 4648 base32, lower case, no padding, one bit at a time */
static void
b32(const unsigned char *in, size_t len, char *out)
{
	unsigned v = 0;
	size_t bit, j = 0;
	int k = 0;

	for (bit = 0; bit < len * 8; bit++) {
		v = v << 1 | ((in[bit / 8] >> (7 - bit % 8)) & 1);
		if (++k == 5) {
			out[j++] = alpha[v];
			v = 0;
			k = 0;
		}
	}
	if (k > 0)
		out[j++] = alpha[v << (5 - k)];
	out[j] = '\0';
}

/* unb32 - 16 base32 characters (lower case) back to 10 bytes */
static void
unb32(const char *in, unsigned char *out)
{
	size_t bit;
	unsigned v;

	memset(out, 0, TOKEN_MAC_BYTES);
	for (bit = 0; bit < TOKEN_MAC_BYTES * 8; bit++) {
		v = (unsigned)(strchr(alpha, in[bit / 5]) - alpha);
		if ((v >> (4 - bit % 5)) & 1)
			out[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
	}
}

/* want_mac - the MAC of "postdesk-TYPE" NUL ticket [NUL seq], computed here */
static void
want_mac(const struct key *key, const char *type, const char *ticket,
    const char *seq, char *out)
{
	unsigned char msg[256], full[crypto_auth_BYTES];
	size_t n;

	n = (size_t)snprintf((char *)msg, sizeof(msg), "postdesk-%s", type);
	n++;				/* the NUL after the tag */
	n += (size_t)snprintf((char *)msg + n, sizeof(msg) - n, "%s", ticket);
	if (seq != NULL) {
		n++;
		n += (size_t)snprintf((char *)msg + n, sizeof(msg) - n, "%s",
		    seq);
	}
	crypto_auth(full, msg, n, key->k);
	b32(full, TOKEN_MAC_BYTES, out);
}

/* want_num - want_mac() for numbers */
static void
want_num(const struct key *key, const char *type, uint64_t t, int has_seq,
    uint64_t s, char *out)
{
	char tb[24], sb[24];

	snprintf(tb, sizeof(tb), "%" PRIu64, t);
	snprintf(sb, sizeof(sb), "%" PRIu64, s);
	want_mac(key, type, tb, has_seq ? sb : NULL, out);
}

/* vis - a printable copy for TAP lines: \xNN escapes, cut at 100 */
static const char *
vis(const char *s)
{
	static char bufs[4][512];
	static int next;
	char *out = bufs[next++ % 4], *o = out;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && o - out < 400; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
		if (p - (const unsigned char *)s == 100) {
			strcpy(o, "...");
			o += 3;
			break;
		}
	}
	*o = '\0';
	return out;
}

/* miss - report an input that got the wrong verdict; returns 1 */
static int
miss(const char *s)
{
	printf("# wrong verdict: %s\n", vis(s));
	return 1;
}

/* upper - an upper-cased copy (caller frees) */
static char *
upper(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

/* key_new - a random key and its hex */
static void
key_new(struct key *key)
{
	randombytes_buf(key->k, sizeof(key->k));
	sodium_bin2hex(key->hex, sizeof(key->hex), key->k, sizeof(key->k));
}

/* ring - write a key file with the given content and load it */
static struct pd_keyring *
ring(const char *name, const char *content)
{
	struct pd_keyring *kr;
	struct pd_err err;
	char *p = path(name);

	err_clear(&err);
	write_file(p, content, strlen(content));
	kr = keyfile_load(p, &err);
	OK(kr != NULL, "load %s (%s)", name, err.text);
	if (kr == NULL) {
		printf("Bail out! cannot load %s\n", name);
		exit(99);
	}
	free(p);
	return kr;
}

/* test_b32 - the test's own encoder agrees with RFC 4648 section 10 */
static void
test_b32(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" }, { "f", "my" }, { "fo", "mzxq" }, { "foo", "mzxw6" },
		{ "foob", "mzxw6yq" }, { "fooba", "mzxw6ytb" },
		{ "foobar", "mzxw6ytboi" },
	};
	unsigned char back[TOKEN_MAC_BYTES];
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b32((const unsigned char *)v[i].in, strlen(v[i].in), out);
		IS_STR(out, v[i].out, "test encoder: base32(\"%s\")", v[i].in);
	}
	b32((const unsigned char *)"foobarbazq", 10, out);
	unb32(out, back);
	OK(memcmp(back, "foobarbazq", 10) == 0, "test decoder inverts encoder");
}

/* test_create - keyfile_create(): mode, format, no overwrite, errors */
static void
test_create(void)
{
	struct pd_keyring *kr;
	struct pd_err err;
	struct stat st;
	char *p = path("created.key"), *p2 = path("second.key");
	char *link = path("link.key"), *target = path("target.key");
	char *bad = path("no/such/dir/k.key");
	char *before, *after, *other;
	size_t i;
	mode_t old;
	int hexok;

	/* With umask 0 a mode taken from umask would show as 0666. */
	old = umask(0);
	err_clear(&err);
	IS_INT(keyfile_create(p, &err), 0, "create key file (%s)", err.text);
	umask(old);
	if (stat(p, &st) < 0)
		st.st_mode = 0;
	OK((st.st_mode & 07777) == 0600, "key file mode is 0600 (got %o)",
	    (unsigned)(st.st_mode & 07777));
	before = read_file(p);
	OK(before != NULL && strncmp(before, "postdesk-key-v1\n1 ", 18) == 0 &&
	    strlen(before) == 18 + 64 + 1 && before[18 + 64] == '\n',
	    "key file is \"postdesk-key-v1\\n1 <64 hex>\\n\"");
	hexok = before != NULL && strlen(before) > 18 + 63;
	for (i = 0; hexok && i < 64; i++)
		hexok = strchr("0123456789abcdef", before[18 + i]) != NULL;
	OK(hexok, "key is 64 lower-case hex digits");

	umask(0277);		/* 0400, were the mode not set explicitly */
	IS_INT(keyfile_create(p2, &err), 0, "create with umask 0277");
	umask(old);
	if (stat(p2, &st) < 0)
		st.st_mode = 0;
	OK((st.st_mode & 07777) == 0600,
	    "mode still 0600 under umask 0277 (got %o)",
	    (unsigned)(st.st_mode & 07777));
	other = read_file(p2);
	OK(before && other && strcmp(before + 18, other + 18) != 0,
	    "two created keys differ");

	err_clear(&err);
	IS_INT(keyfile_create(p, &err), -1, "create again fails");
	IS_INT(err.class, PD_ECONFIG, "create again: config class");
	OK(strstr(err.text, p) != NULL &&
	    strstr(err.text, "refusing to overwrite") != NULL,
	    "create again: text names the file (%s)", err.text);
	after = read_file(p);
	OK(before && after && strcmp(before, after) == 0,
	    "create again leaves the file unchanged");

	if (symlink(target, link) < 0)
		printf("Bail out! symlink: %s\n", strerror(errno)), exit(99);
	err_clear(&err);
	IS_INT(keyfile_create(link, &err), -1, "create over a symlink fails");
	OK(access(target, F_OK) < 0, "symlink target was not created");

	err_clear(&err);
	IS_INT(keyfile_create(bad, &err), -1, "create in a missing dir fails");
	IS_INT(err.class, PD_ETEMP, "missing dir: temporary class");
	OK(strstr(err.text, bad) != NULL &&
	    strstr(err.text, strerror(ENOENT)) != NULL,
	    "missing dir: text names file and reason (%s)", err.text);

	err_clear(&err);
	kr = keyfile_load(p, &err);
	OK(kr != NULL, "load the created file (%s)", err.text);
	if (kr != NULL) {
		/* The token must come from the very key in the file. */
		struct key key;
		char want[TOKEN_MAC_CHARS + 1], *tok;
		size_t binlen;

		sodium_hex2bin(key.k, sizeof(key.k), before + 18, 64, NULL,
		    &binlen, NULL);
		want_num(&key, "reply", 77, 0, 0, want);
		tok = token_reply(kr, 77);
		OK(tok != NULL && strcmp(tok + 3, want) == 0,
		    "created key signs: %s", tok ? tok : "(null)");
		free(tok);
	}
	token_keyring_free(kr);
	unlink(p);
	unlink(p2);
	unlink(link);
	unlink(target);
	free(before);
	free(after);
	free(other);
	free(p);
	free(p2);
	free(link);
	free(target);
	free(bad);
}

/* test_load_bad - every kind of bad key file fails with class and place */
static void
test_load_bad(const struct key *a, const struct key *b)
{
	struct {
		const char *label;
		char *content;		/* NULL: no file at all */
		size_t len;		/* 0: strlen(content) */
		const char *where;	/* "" for I/O errors */
	} t[] = {
		{ "missing file", NULL, 0, "" },
		{ "empty file", xstrdup(""), 0, ":1:" },
		{ "only a newline", xstrdup("\n"), 0, ":1:" },
		{ "wrong magic", xasprintf("postdesk-key-v2\n1 %s\n", a->hex),
		  0, ":1:" },
		{ "magic with CR", xasprintf("postdesk-key-v1\r\n1 %s\n",
		  a->hex), 0, ":1:" },
		{ "key line first", xasprintf("1 %s\n", a->hex), 0, ":1:" },
		{ "magic only", xstrdup("postdesk-key-v1\n"), 0, ":1:" },
		{ "magic, no newline", xstrdup("postdesk-key-v1"), 0, ":1:" },
		{ "truncated hex", xasprintf("postdesk-key-v1\n1 %.63s\n",
		  a->hex), 0, ":2:" },
		{ "file cut mid-key", xasprintf("postdesk-key-v1\n1 %.40s",
		  a->hex), 0, ":2:" },
		{ "hex too long", xasprintf("postdesk-key-v1\n1 %s0\n", a->hex),
		  0, ":2:" },
		{ "bad hex char", xasprintf("postdesk-key-v1\n1 %.30sg%s\n",
		  a->hex, a->hex + 31), 0, ":2:" },
		{ "bad hex at end", xasprintf("postdesk-key-v1\n1 %.63sz\n",
		  a->hex), 0, ":2:" },
		{ "NUL in hex", xasprintf("postdesk-key-v1\n1 %.10sX%s\n",
		  a->hex, a->hex + 11), 0, ":2:" },
		{ "no id", xasprintf("postdesk-key-v1\n%s\n", a->hex), 0,
		  ":2:" },
		{ "empty id", xasprintf("postdesk-key-v1\n %s\n", a->hex), 0,
		  ":2:" },
		{ "id not a number", xasprintf("postdesk-key-v1\nk1 %s\n",
		  a->hex), 0, ":2:" },
		{ "negative id", xasprintf("postdesk-key-v1\n-1 %s\n", a->hex),
		  0, ":2:" },
		{ "id with leading zero", xasprintf("postdesk-key-v1\n01 %s\n",
		  a->hex), 0, ":2:" },
		{ "two spaces", xasprintf("postdesk-key-v1\n1  %s\n", a->hex),
		  0, ":2:" },
		{ "trailing space", xasprintf("postdesk-key-v1\n1 %s \n",
		  a->hex), 0, ":2:" },
		{ "CRLF key line", xasprintf("postdesk-key-v1\n1 %s\r\n",
		  a->hex), 0, ":2:" },
		{ "duplicate id", xasprintf("postdesk-key-v1\n1 %s\n1 %s\n",
		  a->hex, b->hex), 0, ":3:" },
		{ "bad second key",
		  xasprintf("postdesk-key-v1\n2 %s\n1 %.62s\n", a->hex, b->hex),
		  0, ":3:" },
	};
	struct pd_keyring *kr;
	struct pd_err err;
	char *p, *want;
	size_t i, len;

	/* The NUL case: put a real NUL where the X is. */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].label, "NUL in hex") == 0) {
			len = strlen(t[i].content);
			*strchr(t[i].content + 16, 'X') = '\0';
			t[i].len = len;
		}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p = xasprintf("%s/bad%zu.key", tmpdir, i);
		if (t[i].content != NULL)
			write_file(p, t[i].content,
			    t[i].len ? t[i].len : strlen(t[i].content));
		err_clear(&err);
		kr = keyfile_load(p, &err);
		OK(kr == NULL, "%s: load fails", t[i].label);
		kr = token_keyring_free(kr);
		IS_INT(err.class, t[i].content ? PD_ECONFIG : PD_ETEMP,
		    "%s: class %s", t[i].label,
		    t[i].content ? "config" : "temporary");
		want = xasprintf("%s%s", p, t[i].where);
		OK(strstr(err.text, want) != NULL, "%s: text names %s (%s)",
		    t[i].label, want, err.text);
		OK(strstr(err.text, a->hex + 40) == NULL &&
		    strstr(err.text, b->hex + 40) == NULL,
		    "%s: text does not show the key", t[i].label);
		if (t[i].content == NULL)
			OK(strstr(err.text, strerror(ENOENT)) != NULL,
			    "%s: text gives the reason", t[i].label);
		unlink(p);
		free(want);
		free(p);
		free(t[i].content);
	}

	/* An unreadable file is an I/O problem; root reads anything. */
	p = path("unreadable.key");
	want = xasprintf("postdesk-key-v1\n1 %s\n", a->hex);
	write_file(p, want, strlen(want));
	chmod(p, 0);
	err_clear(&err);
	kr = keyfile_load(p, &err);
	if (geteuid() == 0) {
		OK(1, "unreadable file # SKIP running as root");
	} else {
		OK(kr == NULL && err.class == PD_ETEMP &&
		    strstr(err.text, p) != NULL &&
		    strstr(err.text, strerror(EACCES)) != NULL,
		    "unreadable file: temporary, names file and reason (%s)",
		    err.text);
	}
	token_keyring_free(kr);
	unlink(p);
	free(p);
	free(want);

	err_clear(&err);
	kr = keyfile_load(tmpdir, &err);
	OK(kr == NULL && err.class != PD_OK && strstr(err.text, tmpdir),
	    "a directory is refused (%s)", err.text);
	err_clear(&err);
	OK(keyfile_load(NULL, &err) == NULL && err.class != PD_OK,
	    "NULL path is refused");
	OK(keyfile_create(NULL, &err) == -1, "create with NULL path fails");
	OK(token_keyring_free(NULL) == NULL, "free(NULL) is fine");
}

/* test_load_good - accepted variants all sign with the first key */
static void
test_load_good(const struct key *a, const struct key *b)
{
	struct {
		const char *label;
		char *content;
	} t[] = {
		{ "plain", xasprintf("postdesk-key-v1\n1 %s\n", a->hex) },
		{ "no final newline", xasprintf("postdesk-key-v1\n7 %s",
		  a->hex) },
		{ "id 0", xasprintf("postdesk-key-v1\n0 %s\n", a->hex) },
		{ "comment and blank lines", xasprintf("postdesk-key-v1\n"
		  "# rotated 2024\n\n2 %s\n\n1 %s\n", a->hex, b->hex) },
		{ "two keys", xasprintf("postdesk-key-v1\n2 %s\n1 %s\n",
		  a->hex, b->hex) },
	};
	struct pd_keyring *kr;
	char want[TOKEN_MAC_CHARS + 1], *tok, name[32];
	size_t i;

	want_num(a, "reply", 5, 0, 0, want);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "good%zu.key", i);
		kr = ring(name, t[i].content);
		tok = token_reply(kr, 5);
		OK(tok != NULL && strcmp(tok + 2, want) == 0,
		    "%s: signs with the first key", t[i].label);
		free(tok);
		token_keyring_free(kr);
		free(t[i].content);
	}
}

/* test_roundtrip - made tokens have the documented form and verify */
static void
test_roundtrip(const struct pd_keyring *kr, const struct key *key)
{
	char mac[TOKEN_MAC_CHARS + 1], *tok, *want, *u;
	uint64_t t, s;
	size_t i, j, base;
	int bad;

	for (i = 0; i < NTICKETS; i++) {
		want_num(key, "reply", tickets[i], 0, 0, mac);
		want = xasprintf("%" PRIu64 ".%s", tickets[i], mac);
		tok = token_reply(kr, tickets[i]);
		IS_STR(tok, want, "reply token for %" PRIu64, tickets[i]);
		t = 0;
		OK(token_reply_verify(kr, tok, &t) == 1 && t == tickets[i],
		    "reply %" PRIu64 " verifies, ticket back", tickets[i]);
		u = upper(tok);
		t = 0;
		OK(token_reply_verify(kr, u, &t) == 1 && t == tickets[i],
		    "reply %s (upper case) verifies", u);
		OK(token_reply_verify(kr, tok, NULL) == 1,
		    "reply verifies with a NULL ticket pointer");
		free(u);
		free(tok);
		free(want);

		want_num(key, "url", tickets[i], 0, 0, mac);
		want = xasprintf(BASE "/t/%" PRIu64 "/%s", tickets[i], mac);
		tok = token_url(kr, BASE, tickets[i]);
		IS_STR(tok, want, "url for %" PRIu64, tickets[i]);
		free(tok);
		tok = token_url(kr, BASE "/", tickets[i]);
		IS_STR(tok, want, "url from a base ending in /");
		base = strlen(BASE);
		t = 0;
		OK(token_url_verify(kr, want, &t) == 1 && t == tickets[i],
		    "url verifies, ticket back");
		t = 0;
		OK(token_url_verify(kr, want + base, &t) == 1 &&
		    t == tickets[i], "path %s verifies", want + base);
		free(tok);
		tok = xasprintf("%s/", want);
		OK(token_url_verify(kr, tok, NULL) == 1,
		    "url with one trailing / verifies");
		free(tok);
		tok = xasprintf("http://other.example:8080/x/y%s", want + base);
		OK(token_url_verify(kr, tok, NULL) == 1,
		    "url with another base verifies");
		free(tok);
		tok = xstrdup(want);
		u = upper(tok + base);
		OK(token_url_verify(kr, u, NULL) == 1,
		    "url path in upper case %s verifies", u);
		free(u);
		free(tok);
		free(want);

		/* Every seq for every ticket: one line per ticket. */
		bad = 0;
		for (j = 0; j < NSEQS; j++) {
			want_num(key, "msgid", tickets[i], 1, seqs[j], mac);
			want = xasprintf("pd.%" PRIu64 ".%" PRIu64 ".%s@" HOST,
			    tickets[i], seqs[j], mac);
			tok = token_msgid(kr, tickets[i], seqs[j], HOST);
			if (tok == NULL || strcmp(tok, want) != 0) {
				printf("# got %s want %s\n",
				    tok ? tok : "(null)", want);
				bad++;
			}
			t = s = 0;
			if (token_msgid_verify(kr, want, &t, &s) != 1 ||
			    t != tickets[i] || s != seqs[j])
				bad += miss(want);
			free(tok);
			tok = xasprintf("<%s>", want);
			t = s = 0;
			if (token_msgid_verify(kr, tok, &t, &s) != 1 ||
			    t != tickets[i] || s != seqs[j])
				bad += miss(tok);
			u = upper(tok);
			t = s = 0;
			if (token_msgid_verify(kr, u, &t, &s) != 1 ||
			    t != tickets[i] || s != seqs[j])
				bad += miss(u);
			free(u);
			free(tok);
			tok = xasprintf("%.*s@x", (int)(strchr(want, '@') -
			    want), want);
			if (token_msgid_verify(kr, tok, NULL, NULL) != 1)
				bad += miss(tok);
			free(tok);
			free(want);
		}
		IS_INT(bad, 0, "msgid %" PRIu64 ": %zu seqs made as "
		    "documented, verify plain, in <>, upper case, other host",
		    tickets[i], NSEQS);
	}

	OK(token_reply(kr, 0) == NULL, "no reply token for ticket 0");
	OK(token_reply(kr, (uint64_t)INT64_MAX + 1) == NULL,
	    "no reply token for ticket 2^63");
	OK(token_reply(NULL, 1) == NULL, "no reply token without a keyring");
	OK(token_msgid(kr, 1, 1, NULL) == NULL, "no msgid without a host");
	OK(token_msgid(kr, 1, 1, "") == NULL, "no msgid with an empty host");
	OK(token_msgid(kr, 0, 1, HOST) == NULL, "no msgid for ticket 0");
	OK(token_msgid(kr, 1, UINT64_MAX, HOST) == NULL,
	    "no msgid for seq 2^64-1");
	OK(token_url(kr, NULL, 1) == NULL, "no url without a base");
	OK(token_url(kr, BASE, 0) == NULL, "no url for ticket 0");
	tok = token_url(kr, "", 3);
	OK(tok != NULL && strncmp(tok, "/t/3/", 5) == 0 &&
	    token_url_verify(kr, tok, NULL) == 1, "url with an empty base");
	free(tok);
}

/* flip_mac - the 16-character MAC with one bit of its bytes flipped */
static void
flip_mac(const char *mac, int bit, char *out)
{
	unsigned char raw[TOKEN_MAC_BYTES];

	unb32(mac, raw);
	raw[bit / 8] ^= (unsigned char)(0x80 >> (bit % 8));
	b32(raw, TOKEN_MAC_BYTES, out);
}

/* is_letter - an ASCII letter */
static int
is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * check_flips - flip every bit of every character of tok[from, to) and
 * of every byte of the MAC at tok + mac; none may verify, except a case
 * change (bit 0x20 of a letter) at a position where case does not count.
 */
static int
check_flips(const struct pd_keyring *kr, const char *tok, size_t from,
    size_t to, size_t mac, int (*verify)(const struct pd_keyring *,
    const char *), int (*case_free)(size_t, size_t))
{
	char *copy = xstrdup(tok), flipped[TOKEN_MAC_CHARS + 1];
	char macs[TOKEN_MAC_CHARS + 1];
	size_t i;
	int b, bad = 0, want;
	char c;

	for (i = from; i < to; i++) {
		for (b = 0; b < 8; b++) {
			c = copy[i];
			copy[i] = (char)(c ^ (1 << b));
			want = b == 5 && is_letter((unsigned char)c) &&
			    case_free(i, mac);
			if (verify(kr, copy) != want) {
				printf("# flip bit %d at %zu: %s\n", b, i,
				    vis(copy));
				bad++;
			}
			copy[i] = c;
		}
	}
	memcpy(macs, tok + mac, TOKEN_MAC_CHARS);
	macs[TOKEN_MAC_CHARS] = '\0';
	for (b = 0; b < TOKEN_MAC_BYTES * 8; b++) {
		flip_mac(macs, b, flipped);
		memcpy(copy + mac, flipped, TOKEN_MAC_CHARS);
		if (verify(kr, copy)) {
			printf("# flip MAC bit %d: %s\n", b, vis(copy));
			bad++;
		}
	}
	free(copy);
	return bad;
}

/* the verifiers as one-argument predicates for the bulk loops */
static int
v_reply(const struct pd_keyring *kr, const char *s)
{
	return token_reply_verify(kr, s, NULL);
}

static int
v_msgid(const struct pd_keyring *kr, const char *s)
{
	return token_msgid_verify(kr, s, NULL, NULL);
}

static int
v_url(const struct pd_keyring *kr, const char *s)
{
	return token_url_verify(kr, s, NULL);
}

/* case positions: the MAC everywhere, "pd" in a Message-ID */
static int
cf_mac(size_t i, size_t mac)
{
	return i >= mac && i < mac + TOKEN_MAC_CHARS;
}

static int
cf_msgid(size_t i, size_t mac)
{
	return i < 2 || cf_mac(i, mac);
}

/* test_flips - single-bit changes anywhere in a token are rejected */
static void
test_flips(const struct pd_keyring *kr)
{
	char *tok, *at;
	size_t i, len, base = strlen(BASE);

	for (i = 0; i < NTICKETS; i += 3) {
		tok = token_reply(kr, tickets[i]);
		len = strlen(tok);
		IS_INT(check_flips(kr, tok, 0, len, len - TOKEN_MAC_CHARS,
		    v_reply, cf_mac), 0, "every bit flip of reply %s fails",
		    tok);
		free(tok);

		tok = token_msgid(kr, tickets[i], 1 + i, HOST);
		at = strchr(tok, '@');
		len = (size_t)(at - tok);
		/* The host is not signed; flips stop at the "@". */
		IS_INT(check_flips(kr, tok, 0, len + 1, len - TOKEN_MAC_CHARS,
		    v_msgid, cf_msgid), 0, "every bit flip of msgid %s fails",
		    tok);
		free(tok);

		tok = token_url(kr, BASE, tickets[i]);
		len = strlen(tok);
		/* The base is not signed; the "t" of "/t/" is skipped. */
		IS_INT(check_flips(kr, tok, base + 2, len,
		    len - TOKEN_MAC_CHARS, v_url, cf_mac) +
		    check_flips(kr, tok, base, base + 1,
		    len - TOKEN_MAC_CHARS, v_url, cf_mac), 0,
		    "every bit flip of url %s fails", tok);
		free(tok);
	}
}

/* test_random - random MACs never verify; returns how many did */
static int
test_random(const struct pd_keyring *kr)
{
	unsigned char raw[TOKEN_MAC_BYTES];
	char mac[TOKEN_MAC_CHARS + 1], *s;
	int i, hits[3] = { 0, 0, 0 };

	for (i = 0; i < 1000; i++) {
		randombytes_buf(raw, sizeof(raw));
		b32(raw, sizeof(raw), mac);
		s = xasprintf("%d.%s", 1 + i % 50, mac);
		hits[0] += token_reply_verify(kr, s, NULL);
		free(s);
		s = xasprintf("pd.%d.%d.%s@" HOST, 1 + i % 50, i % 7, mac);
		hits[1] += token_msgid_verify(kr, s, NULL, NULL);
		free(s);
		s = xasprintf(BASE "/t/%d/%s", 1 + i % 50, mac);
		hits[2] += token_url_verify(kr, s, NULL);
		free(s);
	}
	printf("# random MACs accepted: reply %d, msgid %d, url %d\n",
	    hits[0], hits[1], hits[2]);
	return hits[0] + hits[1] + hits[2];
}

/* test_swap - a token for ticket A says nothing about ticket B */
static void
test_swap(const struct pd_keyring *kr)
{
	static const uint64_t pairs[][2] = {
		{ 1, 2 }, { 2, 1 }, { 42, 43 }, { 42, 4 }, { 42, 420 },
		{ 10, 1 }, { 1000, 1001 }, { (uint64_t)INT64_MAX, 1 },
	};
	char *tok, *forged, *dot, *p;
	size_t i;
	uint64_t t;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		tok = token_reply(kr, pairs[i][0]);
		dot = strchr(tok, '.');
		forged = xasprintf("%" PRIu64 "%s", pairs[i][1], dot);
		t = 99;
		OK(token_reply_verify(kr, forged, &t) == 0 && t == 0,
		    "reply of %" PRIu64 " as %s rejected", pairs[i][0],
		    forged);
		free(forged);
		free(tok);

		tok = token_msgid(kr, pairs[i][0], 5, HOST);
		dot = strchr(tok + 3, '.');
		forged = xasprintf("pd.%" PRIu64 "%s", pairs[i][1], dot);
		OK(token_msgid_verify(kr, forged, NULL, NULL) == 0,
		    "msgid of %" PRIu64 " as %s rejected", pairs[i][0],
		    forged);
		free(forged);
		/* The same ticket with another seq. */
		forged = xasprintf("pd.%" PRIu64 ".6%s", pairs[i][0],
		    strchr(dot + 1, '.'));
		OK(token_msgid_verify(kr, forged, NULL, NULL) == 0,
		    "msgid with seq 5 as %s rejected", forged);
		free(forged);
		free(tok);

		tok = token_url(kr, BASE, pairs[i][0]);
		p = strrchr(tok, '/');
		forged = xasprintf(BASE "/t/%" PRIu64 "%s", pairs[i][1], p);
		OK(token_url_verify(kr, forged, NULL) == 0,
		    "url of %" PRIu64 " as %s rejected", pairs[i][0], forged);
		free(forged);
		free(tok);
	}
}

/* test_types - a MAC of one type never verifies as another */
static void
test_types(const struct pd_keyring *kr)
{
	char *r, *m, *u, *s, macs[3][TOKEN_MAC_CHARS + 1];
	const char *names[] = { "reply", "msgid", "url" };
	int i;

	r = token_reply(kr, 42);
	m = token_msgid(kr, 42, 0, HOST);
	u = token_url(kr, BASE, 42);
	memcpy(macs[0], r + 3, TOKEN_MAC_CHARS + 1);
	memcpy(macs[1], strchr(m, '@') - TOKEN_MAC_CHARS, TOKEN_MAC_CHARS);
	macs[1][TOKEN_MAC_CHARS] = '\0';
	memcpy(macs[2], strrchr(u, '/') + 1, TOKEN_MAC_CHARS + 1);
	OK(strcmp(macs[0], macs[1]) && strcmp(macs[0], macs[2]) &&
	    strcmp(macs[1], macs[2]), "the three MACs of ticket 42 differ");
	for (i = 0; i < 3; i++) {
		if (i != 0) {
			s = xasprintf("42.%s", macs[i]);
			OK(!token_reply_verify(kr, s, NULL),
			    "%s MAC as reply rejected", names[i]);
			free(s);
		}
		if (i != 1) {
			s = xasprintf("pd.42.0.%s@" HOST, macs[i]);
			OK(!token_msgid_verify(kr, s, NULL, NULL),
			    "%s MAC as msgid rejected", names[i]);
			free(s);
		}
		if (i != 2) {
			s = xasprintf("/t/42/%s", macs[i]);
			OK(!token_url_verify(kr, s, NULL),
			    "%s MAC as url rejected", names[i]);
			free(s);
		}
	}
	free(r);
	free(m);
	free(u);
}

/* test_shapes - truncated, extended and oddly written tokens fail */
static void
test_shapes(const struct pd_keyring *kr, const struct key *key)
{
	static const char *tails[] = {
		"a", "A", "2", "=", "==", " ", "\n", "\r\n", ".", "0",
		"\xc3\xa9", "@x", "/", "?x=1", "#f",
	};
	char mac[TOKEN_MAC_CHARS + 1], *s, *r, *m, *u, *at;
	size_t i, n, len;
	int bad;

	r = token_reply(kr, 42);
	m = token_msgid(kr, 42, 7, HOST);
	u = token_url(kr, BASE, 42);

	/* Every proper prefix of each (for msgid, up to an empty host). */
	bad = 0;
	for (n = 0; n < strlen(r); n++) {
		s = xstrndup(r, n);
		if (token_reply_verify(kr, s, NULL))
			bad += miss(s);
		free(s);
	}
	at = strchr(m, '@');
	for (n = 0; n <= (size_t)(at - m) + 1; n++) {
		s = xstrndup(m, n);
		if (token_msgid_verify(kr, s, NULL, NULL))
			bad += miss(s);
		free(s);
		s = xasprintf("<%.*s>", (int)n, m);
		if (token_msgid_verify(kr, s, NULL, NULL))
			bad += miss(s);
		free(s);
	}
	for (n = 0; n < strlen(u); n++) {
		s = xstrndup(u, n);
		if (token_url_verify(kr, s, NULL))
			bad += miss(s);
		free(s);
	}
	IS_INT(bad, 0, "every truncation of reply, msgid and url rejected");

	/* Extensions: after the reply/url, and inside the msgid local part. */
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		s = xasprintf("%s%s", r, tails[i]);
		OK(!token_reply_verify(kr, s, NULL), "reply + \"%s\" rejected",
		    vis(tails[i]));
		free(s);
		/* "@x" there only moves the host, which is not signed. */
		s = xasprintf("%.*s%s%s", (int)(at - m), m, tails[i], at);
		if (strcmp(tails[i], "@x") != 0)
			OK(!token_msgid_verify(kr, s, NULL, NULL),
			    "msgid MAC + \"%s\" rejected", vis(tails[i]));
		free(s);
		s = xasprintf("%s%s%s", u, strcmp(tails[i], "/") ? "" : "/",
		    tails[i]);
		OK(!token_url_verify(kr, s, NULL), "url + \"%s%s\" rejected",
		    strcmp(tails[i], "/") ? "" : "/", vis(tails[i]));
		free(s);
	}

	/*
	 * The ticket field must be the canonical number. Each case carries
	 * the right MAC of the number it spells (42, or what an overflowing
	 * parser would read), so only the form is wrong.
	 */
	{
		static const struct {
			const char *field, *signed_as;
		} t[] = {
			{ "042", "42" }, { "0042", "42" }, { "+42", "42" },
			{ "-42", "42" }, { " 42", "42" }, { "42 ", "42" },
			{ "4 2", "42" }, { "\t42", "42" }, { "0x2a", "42" },
			{ "42\n", "42" }, { "", "" }, { "0", "0" },
			{ "00", "0" }, { "-0", "0" },
			{ "9223372036854775808", "9223372036854775808" },
			{ "18446744073709551658", "42" },
			{ "18446744073709551658", "18446744073709551658" },
			{ "99999999999999999999999999999999999999", "42" },
			/* Arabic-Indic and fullwidth digits */
			{ "\xd9\xa4\xd9\xa2", "42" },
			{ "\xef\xbc\x94\xef\xbc\x92", "42" },
		};

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			want_mac(key, "reply", t[i].signed_as, NULL, mac);
			s = xasprintf("%s.%s", t[i].field, mac);
			OK(!token_reply_verify(kr, s, NULL),
			    "reply ticket \"%s\" rejected", vis(t[i].field));
			free(s);
			want_mac(key, "msgid", t[i].signed_as, "7", mac);
			s = xasprintf("pd.%s.7.%s@" HOST, t[i].field, mac);
			OK(!token_msgid_verify(kr, s, NULL, NULL),
			    "msgid ticket \"%s\" rejected", vis(t[i].field));
			free(s);
			want_mac(key, "msgid", "42", t[i].signed_as, mac);
			s = xasprintf("pd.42.%s.%s@" HOST, t[i].field, mac);
			/* seq 0 is fine as a seq. */
			if (strcmp(t[i].field, "0") != 0)
				OK(!token_msgid_verify(kr, s, NULL, NULL),
				    "msgid seq \"%s\" rejected",
				    vis(t[i].field));
			else
				OK(token_msgid_verify(kr, s, NULL, NULL),
				    "msgid seq \"0\" accepted");
			free(s);
			want_mac(key, "url", t[i].signed_as, NULL, mac);
			s = xasprintf("/t/%s/%s", t[i].field, mac);
			OK(!token_url_verify(kr, s, NULL),
			    "url ticket \"%s\" rejected", vis(t[i].field));
			free(s);
		}
	}

	/* Other shapes around a good token. */
	{
		const char *mm = at - TOKEN_MAC_CHARS;
		const char *um = strrchr(u, '/') + 1;
		char *cases[] = {
			xasprintf(" %s", r), xasprintf("+%s", r),
			xasprintf("42..%s", r + 3), xasprintf("42.%.8s.%s",
			r + 3, r + 11), xasprintf("42.%s", r),
			xasprintf("%.*s", 3 + 15, r),
		};
		char *mcases[] = {
			xasprintf("%s>", m), xasprintf("<%s", m),
			xasprintf("<<%s>>", m), xasprintf(" %s", m),
			xasprintf("%s", m + 3), xasprintf("p.%s", m + 3),
			xasprintf("pdx%s", m + 2), xasprintf("pd.42.7%s", mm),
			xasprintf("pd.42.7..%s", mm), xasprintf("pd.42.%s", mm),
			xasprintf("pd.42.7.%.*s", (int)(at - mm + 1), mm),
			xasprintf("pd.42.7.8.%s", mm),
		};
		char *ucases[] = {
			xasprintf("%s//", u), xasprintf("%s/x", u),
			xasprintf("/t//42/%s", um), xasprintf("/t/42//%s", um),
			xasprintf("/x/42/%s", um), xasprintf("t/42/%s", um),
			xasprintf("/tt/42/%s", um), xasprintf("/42/%s", um),
			xasprintf("%s", um),
			xasprintf("/t/42/%s/42/%s", um, um),
			xasprintf("/t/42/ %s", um), xasprintf("/t/42/%s ", um),
		};

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			OK(!token_reply_verify(kr, cases[i], NULL),
			    "reply \"%s\" rejected", vis(cases[i]));
			free(cases[i]);
		}
		for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
			OK(!token_msgid_verify(kr, mcases[i], NULL, NULL),
			    "msgid \"%s\" rejected", vis(mcases[i]));
			free(mcases[i]);
		}
		for (i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
			OK(!token_url_verify(kr, ucases[i], NULL),
			    "url \"%s\" rejected", vis(ucases[i]));
			free(ucases[i]);
		}
	}

	/* NULL, empty, huge. */
	{
		uint64_t t = 5, q = 5;

		OK(!token_reply_verify(kr, NULL, &t) && t == 0,
		    "reply NULL rejected, ticket 0");
		OK(!token_reply_verify(kr, "", NULL), "reply \"\" rejected");
		OK(!token_reply_verify(NULL, r, NULL),
		    "reply with NULL keyring rejected");
		t = q = 5;
		OK(!token_msgid_verify(kr, NULL, &t, &q) && t == 0 && q == 0,
		    "msgid NULL rejected, ticket and seq 0");
		OK(!token_msgid_verify(kr, "", NULL, NULL),
		    "msgid \"\" rejected");
		OK(!token_msgid_verify(kr, "<>", NULL, NULL),
		    "msgid \"<>\" rejected");
		OK(!token_msgid_verify(kr, "<", NULL, NULL),
		    "msgid \"<\" rejected");
		OK(!token_msgid_verify(NULL, m, NULL, NULL),
		    "msgid with NULL keyring rejected");
		OK(!token_url_verify(kr, NULL, NULL), "url NULL rejected");
		OK(!token_url_verify(kr, "", NULL), "url \"\" rejected");
		OK(!token_url_verify(kr, "/", NULL), "url \"/\" rejected");
		OK(!token_url_verify(NULL, u, NULL),
		    "url with NULL keyring rejected");

		len = 1 << 20;
		s = xmalloc(len + strlen(m) + 2);
		memset(s, '7', len);
		strcpy(s + len, r);
		OK(!token_reply_verify(kr, s, NULL),
		    "1 MiB of digits before a reply token rejected");
		s[len] = '<';
		strcpy(s + len + 1, m);
		memset(s, 'a', len);
		OK(!token_msgid_verify(kr, s, NULL, NULL),
		    "1 MiB before a msgid rejected");
		memset(s, '/', len);
		strcpy(s + len, u + strlen(BASE));
		OK(token_url_verify(kr, s, NULL),
		    "1 MiB of base before a url path still verifies");
		strcpy(s, r);
		memset(s + strlen(r), 'a', len - strlen(r));
		s[len] = '\0';
		OK(!token_reply_verify(kr, s, NULL),
		    "reply followed by 1 MiB rejected");
		free(s);
	}
	free(r);
	free(m);
	free(u);
}

/* test_rotation - old keys verify, the first key signs, others reject */
static void
test_rotation(const struct key *knew, const struct key *kold,
    const struct key *kother)
{
	struct pd_keyring *both, *newonly, *oldonly, *other;
	char *s, *c, *u, *t1, *t2, *t3;
	uint64_t t, q;

	s = xasprintf("postdesk-key-v1\n2 %s\n1 %s\n", knew->hex, kold->hex);
	both = ring("both.key", s);
	free(s);
	s = xasprintf("postdesk-key-v1\n2 %s\n", knew->hex);
	newonly = ring("new.key", s);
	free(s);
	s = xasprintf("postdesk-key-v1\n1 %s\n", kold->hex);
	oldonly = ring("old.key", s);
	free(s);
	s = xasprintf("postdesk-key-v1\n3 %s\n", kother->hex);
	other = ring("other.key", s);
	free(s);

	/* Tokens made before the rotation, with the old key. */
	t1 = token_reply(oldonly, 314);
	t2 = token_msgid(oldonly, 314, 15, HOST);
	t3 = token_url(oldonly, BASE, 314);
	t = 0;
	OK(token_reply_verify(both, t1, &t) && t == 314,
	    "old-key reply verifies after rotation");
	t = q = 0;
	OK(token_msgid_verify(both, t2, &t, &q) && t == 314 && q == 15,
	    "old-key msgid verifies after rotation");
	OK(token_url_verify(both, t3, &t) && t == 314,
	    "old-key url verifies after rotation");
	OK(!token_reply_verify(newonly, t1, NULL) &&
	    !token_msgid_verify(newonly, t2, NULL, NULL) &&
	    !token_url_verify(newonly, t3, NULL),
	    "old-key tokens fail once the old key is dropped");
	OK(!token_reply_verify(other, t1, NULL) &&
	    !token_msgid_verify(other, t2, NULL, NULL) &&
	    !token_url_verify(other, t3, NULL),
	    "old-key tokens fail with an unrelated key");

	/* A ring of two keys is no easier to fool than one. */
	c = token_reply(other, 314);
	s = token_msgid(other, 314, 15, HOST);
	u = token_url(other, BASE, 314);
	OK(!token_reply_verify(both, c, NULL) &&
	    !token_msgid_verify(both, s, NULL, NULL) &&
	    !token_url_verify(both, u, NULL),
	    "two-key ring rejects tokens of an unrelated key");
	free(c);
	free(s);
	free(u);
	s = xasprintf("315%s", strchr(t1, '.'));
	OK(!token_reply_verify(both, s, NULL),
	    "two-key ring rejects an old-key token for another ticket");
	free(s);
	IS_INT(test_random(both), 0, "two-key ring rejects 3x1000 random MACs");

	/* New tokens come from the first key. */
	c = token_reply(both, 314);
	s = token_reply(newonly, 314);
	IS_STR(c, s, "rotated ring signs replies with the first key");
	OK(strcmp(c, t1) != 0, "and not with the old one");
	OK(!token_reply_verify(oldonly, c, NULL) &&
	    !token_reply_verify(other, c, NULL),
	    "new reply fails with the old key alone or another key");
	free(c);
	free(s);
	c = token_msgid(both, 314, 15, HOST);
	s = token_msgid(newonly, 314, 15, HOST);
	IS_STR(c, s, "rotated ring signs msgids with the first key");
	OK(!token_msgid_verify(other, c, NULL, NULL),
	    "new msgid fails with another key");
	free(c);
	free(s);
	c = token_url(both, BASE, 314);
	s = token_url(newonly, BASE, 314);
	IS_STR(c, s, "rotated ring signs urls with the first key");
	OK(!token_url_verify(other, c, NULL), "new url fails with another key");
	free(c);
	free(s);

	free(t1);
	free(t2);
	free(t3);
	token_keyring_free(both);
	token_keyring_free(newonly);
	token_keyring_free(oldonly);
	token_keyring_free(other);
}

/* test_agent - agent reply tokens: round trip, forgery, type separation */
static void
test_agent(const struct pd_keyring *kr)
{
	char aid[TOKEN_AID_CHARS + 1], aid2[TOKEN_AID_CHARS + 1];
	char got[TOKEN_AID_CHARS + 1], *s, *u, *r;
	uint64_t t, q;
	size_t i, bad = 0;

	token_agent_id("Bob@Example.COM", aid);
	token_agent_id("bob@example.com", aid2);
	IS_STR(aid, aid2, "agent id ignores case");
	IS_INT(strlen(aid), TOKEN_AID_CHARS, "agent id has 8 characters");
	token_agent_id("carol@example.com", aid2);
	OK(strcmp(aid, aid2) != 0, "two agents have different ids");
	s = token_agent(kr, 42, 7, aid);
	OK(s != NULL && token_agent_verify(kr, s, &t, &q, got) == 1 &&
	    t == 42 && q == 7 && strcmp(got, aid) == 0,
	    "agent token round trip: ticket, seq and agent id come back");
	u = xstrdup(s);
	for (i = 0; u[i]; i++)
		if (u[i] >= 'a' && u[i] <= 'z')
			u[i] = (char)(u[i] - 'a' + 'A');
	OK(token_agent_verify(kr, u, &t, &q, got) == 1,
	    "agent token verifies upper-cased");
	free(u);
	/* another agent's id with the same MAC */
	u = xasprintf("42.7.%s.%s", aid2, strrchr(s, '.') + 1);
	OK(token_agent_verify(kr, u, &t, &q, got) == 0,
	    "agent token with another agent's id is rejected");
	free(u);
	u = xasprintf("42.8.%s.%s", aid, strrchr(s, '.') + 1);
	OK(token_agent_verify(kr, u, &t, &q, got) == 0,
	    "agent token with another seq is rejected");
	free(u);
	u = xasprintf("43.7.%s.%s", aid, strrchr(s, '.') + 1);
	OK(token_agent_verify(kr, u, &t, &q, got) == 0,
	    "agent token for another ticket is rejected");
	free(u);
	for (i = 0; i < strlen(s); i++) {
		u = xstrdup(s);
		u[i] ^= 1;
		bad += token_agent_verify(kr, u, &t, &q, got) == 1 &&
		    strcmp(u, s) != 0 && strcasecmp(u, s) != 0;
		free(u);
	}
	IS_INT(bad, 0, "every bit flip of an agent token is rejected");
	r = token_reply(kr, 42);
	u = xasprintf("42.7.%s.%s", aid, strchr(r, '.') + 1);
	OK(token_agent_verify(kr, u, &t, &q, got) == 0,
	    "a reply MAC does not verify as an agent token");
	OK(token_reply_verify(kr, s, &t) == 0,
	    "an agent token does not verify as a reply token");
	OK(token_agent(kr, 42, 7, "short") == NULL,
	    "an agent id of the wrong length is refused");
	OK(token_agent_verify(kr, "42.7..x", &t, &q, got) == 0 &&
	    token_agent_verify(kr, "", &t, &q, got) == 0 &&
	    token_agent_verify(kr, NULL, &t, &q, got) == 0,
	    "malformed agent tokens are rejected");
	free(u);
	free(r);
	free(s);
}

int
main(void)
{
	struct pd_keyring *kr;
	struct key a, b, c;
	char *s, *p;
	const char *names[] = {
		"both.key", "new.key", "old.key", "other.key", "main.key",
		"good0.key", "good1.key", "good2.key", "good3.key", "good4.key",
	};
	size_t i;
	int rc;

	if (token_init() < 0) {
		printf("Bail out! token_init failed\n");
		return 99;
	}
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	OK(token_init() == 0, "token_init twice is fine");
	key_new(&a);
	key_new(&b);
	key_new(&c);

	test_b32();
	test_create();
	test_load_bad(&a, &b);
	test_load_good(&a, &b);

	s = xasprintf("postdesk-key-v1\n1 %s\n", a.hex);
	kr = ring("main.key", s);
	free(s);
	test_roundtrip(kr, &a);
	test_swap(kr);
	IS_INT(test_random(kr), 0,
	    "3x1000 random reply/msgid/url MACs rejected");
	test_flips(kr);
	test_types(kr);
	test_shapes(kr, &a);
	test_agent(kr);
	kr = token_keyring_free(kr);
	OK(kr == NULL, "token_keyring_free returns NULL");
	test_rotation(&a, &b, &c);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = path(names[i]);
		unlink(p);
		free(p);
	}
	rc = tap_done();
	if (rmdir(tmpdir) < 0)
		printf("# cannot remove %s: %s\n", tmpdir, strerror(errno));
	return rc;
}
