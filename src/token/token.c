/*
 * token.c - key files, and signed reply tokens, Message-IDs and ticket URLs
 *
 * A MAC is crypto_auth() (HMAC-SHA-512-256) with one keyring key over a
 * typed byte string, cut to TOKEN_MAC_BYTES and written as TOKEN_MAC_CHARS
 * lower-case base32 characters (RFC 4648 alphabet, no padding). The signed
 * strings, with a NUL byte between the fields:
 *
 *   reply: "postdesk-reply" NUL <ticket>
 *   msgid: "postdesk-msgid" NUL <ticket> NUL <seq>
 *   url:   "postdesk-url" NUL <ticket>
 *
 * so a MAC of one type never verifies as another. Numbers are decimal.
 * Tickets are 1..2^63-1 and seqs 0..2^63-1; the makers return NULL outside
 * that range, for a NULL keyring, or a NULL base/host or empty host, and
 * the verifiers only accept the canonical form (no sign, no leading zero,
 * no space). A verifier decodes the MAC case-insensitively, recomputes it
 * with every key of the ring and compares with sodium_memcmp(); it returns
 * 1 (and sets *ticket, *seq) or 0 (and sets them to 0), for any input.
 * token_url_verify() takes "<any base>/t/<ticket>/<mac>" or the bare path,
 * with at most one trailing "/"; token_msgid_verify() takes
 * "pd.<ticket>.<seq>.<mac>@<host>" with "pd." in any case, a non-empty
 * host, optionally inside "<>".
 *
 * Key file: "postdesk-key-v1", then "<id> <64 hex>" lines, newest (the
 * signing key) first; ids are decimal 0..999999 and unique; hex is read in
 * either case. Empty lines and "#" lines are skipped. keyfile_create() writes id 1 with a random key to
 * a new 0600 file (O_EXCL|O_NOFOLLOW) and fsyncs it. keyfile_load() reports
 * I/O trouble as PD_ETEMP ("key file PATH: reason") and bad content as
 * PD_ECONFIG ("PATH:LINE: reason"). Keys live in sodium_malloc() memory,
 * read-only once loaded; the file buffer and all stack copies are wiped.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "util/err.h"
#include "util/xalloc.h"

#include "token.h"

#define KEYFILE_MAGIC	"postdesk-key-v1"
#define KEYFILE_MAX	65536		/* bytes; a key line is under 72 */
#define KEYID_DIGITS	6		/* ids are 0..999999 */
#define TOKEN_NUM_MAX	((uint64_t)INT64_MAX)
#define TOKEN_NUM_DIGITS 19		/* digits of TOKEN_NUM_MAX */

enum token_type {
	TOKEN_REPLY,
	TOKEN_MSGID,
	TOKEN_URL,
	TOKEN_AGENT,
};

/* the domain tags; each signed string starts with one and its NUL */
static const char *token_tags[] = {
	"postdesk-reply", "postdesk-msgid", "postdesk-url", "postdesk-agent",
};

static const char token_b32[] = "abcdefghijklmnopqrstuvwxyz234567";

struct pd_keyring {
	unsigned char	*kr_keys;	/* sodium_malloc(), kr_cap keys */
	unsigned	*kr_ids;	/* key id of each key */
	size_t		kr_count;	/* keys in use; [0] signs */
	size_t		kr_cap;		/* keys allocated */
};

static void mac_compute(const unsigned char *, enum token_type, uint64_t,
		    uint64_t, const char *, unsigned char *);
static void mac_encode(const unsigned char *, char *);
static int mac_decode(const char *, size_t, unsigned char *);
static int mac_check(const struct pd_keyring *, enum token_type, uint64_t,
		    uint64_t, const char *, const char *, size_t);
static int token_make(const struct pd_keyring *, enum token_type, uint64_t,
		    uint64_t, const char *, char *);
static int num_parse(const char *, size_t, int, uint64_t *);
static int keyfile_read(const char *, char **, size_t *, struct pd_err *);
static struct pd_keyring *keyfile_parse(const char *, const char *, size_t,
		    struct pd_err *);
static int keyfile_line(const char *, size_t, const char *, size_t,
		    struct pd_keyring *, struct pd_err *);
static int write_all(int, const char *, size_t);
static void dir_sync(const char *);

/* token_init - start libsodium */
int
token_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* mac_compute - the truncated MAC of one typed string with one key */
static void
mac_compute(const unsigned char *key, enum token_type type, uint64_t ticket,
    uint64_t seq, const char *who, unsigned char *mac)
{
	unsigned char full[crypto_auth_BYTES];
	char msg[128];
	size_t len;

	len = strlen(token_tags[type]) + 1;
	memcpy(msg, token_tags[type], len);
	len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%" PRIu64,
	    ticket);
	if (type == TOKEN_MSGID || type == TOKEN_AGENT) {
		msg[len++] = '\0';
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
		    "%" PRIu64, seq);
	}
	if (type == TOKEN_AGENT) {
		msg[len++] = '\0';
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%.*s",
		    TOKEN_AID_CHARS, who);
	}
	crypto_auth(full, (const unsigned char *)msg, len, key);
	memcpy(mac, full, TOKEN_MAC_BYTES);
	sodium_memzero(full, sizeof(full));
}

/* mac_encode - TOKEN_MAC_BYTES to TOKEN_MAC_CHARS base32 and a NUL */
static void
mac_encode(const unsigned char *mac, char *out)
{
	unsigned acc = 0, bits = 0;
	size_t i, j = 0;

	for (i = 0; i < TOKEN_MAC_BYTES; i++) {
		acc = (acc << 8) | mac[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[j++] = token_b32[(acc >> bits) & 31];
		}
	}
	out[j] = '\0';
}

/* mac_decode - TOKEN_MAC_CHARS base32 characters, any case, to bytes */
static int
mac_decode(const char *s, size_t len, unsigned char *mac)
{
	unsigned acc = 0, bits = 0, v;
	size_t i, j = 0;
	unsigned char c;

	if (len != TOKEN_MAC_CHARS)
		return -1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z')
			v = c - 'a';
		else if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return -1;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			mac[j++] = (unsigned char)(acc >> bits);
		}
	}
	return 0;
}

/* mac_check - 1 when the encoded MAC matches the string under any key */
static int
mac_check(const struct pd_keyring *kr, enum token_type type, uint64_t ticket,
    uint64_t seq, const char *who, const char *s, size_t len)
{
	unsigned char got[TOKEN_MAC_BYTES], want[TOKEN_MAC_BYTES];
	size_t i;
	int ok = 0;

	if (mac_decode(s, len, got) < 0)
		return 0;
	/* Try every key, so the time does not depend on which one matched. */
	for (i = 0; i < kr->kr_count; i++) {
		mac_compute(kr->kr_keys + i * TOKEN_KEY_BYTES, type, ticket,
		    seq, who, want);
		ok |= sodium_memcmp(got, want, TOKEN_MAC_BYTES) == 0;
	}
	sodium_memzero(want, sizeof(want));
	return ok;
}

/* token_make - the encoded MAC made with the signing key, or -1 */
static int
token_make(const struct pd_keyring *kr, enum token_type type,
    uint64_t ticket, uint64_t seq, const char *who, char *out)
{
	unsigned char mac[TOKEN_MAC_BYTES];

	if (kr == NULL || kr->kr_count == 0 || ticket == 0 ||
	    ticket > TOKEN_NUM_MAX || seq > TOKEN_NUM_MAX)
		return -1;
	mac_compute(kr->kr_keys, type, ticket, seq, who, mac);
	mac_encode(mac, out);
	sodium_memzero(mac, sizeof(mac));
	return 0;
}

/* num_parse - a canonical decimal in 1..2^63-1 (0 too if zero_ok) */
static int
num_parse(const char *s, size_t len, int zero_ok, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > TOKEN_NUM_DIGITS)
		return -1;
	if (s[0] == '0' && (len > 1 || !zero_ok))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > TOKEN_NUM_MAX)
		return -1;
	*out = v;
	return 0;
}

/* token_reply - "<ticket>.<mac>" */
char *
token_reply(const struct pd_keyring *kr, uint64_t ticket)
{
	char mac[TOKEN_MAC_CHARS + 1];

	if (token_make(kr, TOKEN_REPLY, ticket, 0, NULL, mac) < 0)
		return NULL;
	return xasprintf("%" PRIu64 ".%s", ticket, mac);
}

/* token_reply_verify - check "<ticket>.<mac>" */
int
token_reply_verify(const struct pd_keyring *kr, const char *s,
    uint64_t *ticket)
{
	const char *dot;
	uint64_t t;
	size_t len;

	if (ticket != NULL)
		*ticket = 0;
	if (kr == NULL || s == NULL)
		return 0;
	len = strlen(s);
	if ((dot = memchr(s, '.', len)) == NULL ||
	    num_parse(s, (size_t)(dot - s), 0, &t) < 0 ||
	    !mac_check(kr, TOKEN_REPLY, t, 0, NULL, dot + 1, len - (dot + 1 - s)))
		return 0;
	if (ticket != NULL)
		*ticket = t;
	return 1;
}

/* token_msgid - "pd.<ticket>.<seq>.<mac>@<host>" */
char *
token_msgid(const struct pd_keyring *kr, uint64_t ticket, uint64_t seq,
    const char *host)
{
	char mac[TOKEN_MAC_CHARS + 1];

	if (host == NULL || *host == '\0' ||
	    token_make(kr, TOKEN_MSGID, ticket, seq, NULL, mac) < 0)
		return NULL;
	return xasprintf("pd.%" PRIu64 ".%" PRIu64 ".%s@%s", ticket, seq,
	    mac, host);
}

/* token_msgid_verify - check a Message-ID, with or without <> */
int
token_msgid_verify(const struct pd_keyring *kr, const char *msgid,
    uint64_t *ticket, uint64_t *seq)
{
	const char *p, *at, *d1, *d2;
	uint64_t t, q;
	size_t len;

	if (ticket != NULL)
		*ticket = 0;
	if (seq != NULL)
		*seq = 0;
	if (kr == NULL || msgid == NULL)
		return 0;
	p = msgid;
	len = strlen(p);
	if (len > 0 && (p[0] == '<' || p[len - 1] == '>')) {
		if (len < 2 || p[0] != '<' || p[len - 1] != '>')
			return 0;
		p++;
		len -= 2;
	}
	if (len < 3 || (p[0] != 'p' && p[0] != 'P') ||
	    (p[1] != 'd' && p[1] != 'D') || p[2] != '.')
		return 0;
	p += 3;
	len -= 3;
	/* p: "<ticket>.<seq>.<mac>@<host>"; the host is not signed. */
	if ((at = memchr(p, '@', len)) == NULL || at == p + len - 1 ||
	    (d1 = memchr(p, '.', (size_t)(at - p))) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(at - d1 - 1))) == NULL)
		return 0;
	if (num_parse(p, (size_t)(d1 - p), 0, &t) < 0 ||
	    num_parse(d1 + 1, (size_t)(d2 - d1 - 1), 1, &q) < 0 ||
	    !mac_check(kr, TOKEN_MSGID, t, q, NULL, d2 + 1, (size_t)(at - d2 - 1)))
		return 0;
	if (ticket != NULL)
		*ticket = t;
	if (seq != NULL)
		*seq = q;
	return 1;
}

/* token_url - "<base>/t/<ticket>/<mac>"; trailing "/" of base dropped */
char *
token_url(const struct pd_keyring *kr, const char *base, uint64_t ticket)
{
	char mac[TOKEN_MAC_CHARS + 1];
	size_t len;

	if (base == NULL || token_make(kr, TOKEN_URL, ticket, 0, NULL, mac) < 0)
		return NULL;
	for (len = strlen(base); len > 0 && base[len - 1] == '/'; len--)
		;
	return xasprintf("%.*s/t/%" PRIu64 "/%s", (int)len, base, ticket, mac);
}

/* token_url_verify - check "[<base>]/t/<ticket>/<mac>[/]" */
int
token_url_verify(const struct pd_keyring *kr, const char *url,
    uint64_t *ticket)
{
	size_t len, mac, num;
	uint64_t t;

	if (ticket != NULL)
		*ticket = 0;
	if (kr == NULL || url == NULL)
		return 0;
	len = strlen(url);
	if (len > 0 && url[len - 1] == '/')
		len--;
	/* Walk back: the MAC is after the last "/", the ticket before it. */
	for (mac = len; mac > 0 && url[mac - 1] != '/'; mac--)
		;
	if (mac == 0)
		return 0;
	for (num = mac - 1; num > 0 && url[num - 1] != '/'; num--)
		;
	if (num < 3 || url[num - 3] != '/' ||
	    (url[num - 2] != 't' && url[num - 2] != 'T'))
		return 0;
	if (num_parse(url + num, mac - 1 - num, 0, &t) < 0 ||
	    !mac_check(kr, TOKEN_URL, t, 0, NULL, url + mac, len - mac))
		return 0;
	if (ticket != NULL)
		*ticket = t;
	return 1;
}

/* token_agent_id - the short public id of an agent address */
void
token_agent_id(const char *addr, char out[TOKEN_AID_CHARS + 1])
{
	unsigned char h[crypto_generichash_BYTES_MIN];
	char lower[512];
	size_t i, n = strlen(addr);
	unsigned acc = 0, bits = 0, j = 0;

	if (n >= sizeof(lower))
		n = sizeof(lower) - 1;
	for (i = 0; i < n; i++)
		lower[i] = (char)(addr[i] >= 'A' && addr[i] <= 'Z' ?
		    addr[i] - 'A' + 'a' : addr[i]);
	crypto_generichash(h, sizeof(h), (const unsigned char *)lower, n,
	    NULL, 0);
	for (i = 0; i < sizeof(h) && j < TOKEN_AID_CHARS; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5 && j < TOKEN_AID_CHARS) {
			bits -= 5;
			out[j++] = token_b32[(acc >> bits) & 31];
		}
	}
	out[j] = '\0';
}

/* token_agent - "<ticket>.<seq>.<aid>.<mac>" for an agent's reply address */
char *
token_agent(const struct pd_keyring *kr, uint64_t ticket, uint64_t seq,
    const char *aid)
{
	char mac[TOKEN_MAC_CHARS + 1];

	if (aid == NULL || strlen(aid) != TOKEN_AID_CHARS ||
	    token_make(kr, TOKEN_AGENT, ticket, seq, aid, mac) < 0)
		return NULL;
	return xasprintf("%" PRIu64 ".%" PRIu64 ".%s.%s", ticket, seq, aid,
	    mac);
}

/* token_agent_verify - check an agent token; sets ticket, seq, aid */
int
token_agent_verify(const struct pd_keyring *kr, const char *s,
    uint64_t *ticket, uint64_t *seq, char aid[TOKEN_AID_CHARS + 1])
{
	const char *d1, *d2, *d3, *end;
	char id[TOKEN_AID_CHARS + 1];
	uint64_t t, q;
	size_t i;

	if (ticket != NULL)
		*ticket = 0;
	if (seq != NULL)
		*seq = 0;
	if (kr == NULL || s == NULL)
		return 0;
	end = s + strlen(s);
	if ((d1 = memchr(s, '.', (size_t)(end - s))) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    (d3 = memchr(d2 + 1, '.', (size_t)(end - d2 - 1))) == NULL ||
	    d3 - d2 - 1 != TOKEN_AID_CHARS)
		return 0;
	for (i = 0; i < TOKEN_AID_CHARS; i++) {
		char c = d2[1 + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
			return 0;
		id[i] = c;
	}
	id[TOKEN_AID_CHARS] = '\0';
	if (num_parse(s, (size_t)(d1 - s), 0, &t) < 0 ||
	    num_parse(d1 + 1, (size_t)(d2 - d1 - 1), 1, &q) < 0 ||
	    !mac_check(kr, TOKEN_AGENT, t, q, id, d3 + 1,
	    (size_t)(end - d3 - 1)))
		return 0;
	if (ticket != NULL)
		*ticket = t;
	if (seq != NULL)
		*seq = q;
	if (aid != NULL)
		memcpy(aid, id, sizeof(id));
	return 1;
}

/* token_keyring_free - wipe the keys and free the ring */
struct pd_keyring *
token_keyring_free(struct pd_keyring *kr)
{
	if (kr == NULL)
		return NULL;
	if (kr->kr_keys != NULL) {
		sodium_mprotect_readwrite(kr->kr_keys);
		sodium_memzero(kr->kr_keys, kr->kr_cap * TOKEN_KEY_BYTES);
		sodium_free(kr->kr_keys);
	}
	free(kr->kr_ids);
	free(kr);
	return NULL;
}

/* write_all - write everything, retrying short writes and EINTR */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* dir_sync - fsync the directory holding path, so the new name is durable */
static void
dir_sync(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	/* Best effort: the file itself is already synced and complete. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		(void)close(fd);
	}
	free(dir);
}

/* keyfile_create - a new key file holding one random key, id 1 */
int
keyfile_create(const char *path, struct pd_err *err)
{
	unsigned char key[TOKEN_KEY_BYTES];
	char hex[TOKEN_KEY_BYTES * 2 + 1];
	char text[sizeof(KEYFILE_MAGIC) + sizeof(hex) + 8];
	int fd, n, saved;

	if (path == NULL || *path == '\0')
		return err_set(err, PD_EBUG, "keyfile_create: no path");
	if (sodium_init() < 0)
		return err_set(err, PD_ETEMP, "libsodium cannot start");
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	n = snprintf(text, sizeof(text), "%s\n1 %s\n", KEYFILE_MAGIC, hex);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hex, sizeof(hex));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		saved = errno;
		sodium_memzero(text, sizeof(text));
		if (saved == EEXIST)
			return err_set(err, PD_ECONFIG,
			    "key file %s exists: refusing to overwrite", path);
		return err_set(err, PD_ETEMP, "key file %s: %s", path,
		    strerror(saved));
	}
	/* The umask may have taken bits away; make it exactly 0600. */
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, (size_t)n) < 0 ||
	    fsync(fd) < 0)
		goto fail;
	sodium_memzero(text, sizeof(text));
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	dir_sync(path);
	return 0;

fail:
	saved = errno;
	sodium_memzero(text, sizeof(text));
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(path);
	return err_set(err, PD_ETEMP, "key file %s: %s", path,
	    strerror(saved));
}

/* keyfile_read - the whole file into a buffer the caller wipes and frees */
static int
keyfile_read(const char *path, char **datap, size_t *lenp,
    struct pd_err *err)
{
	struct stat st;
	size_t len = 0;
	ssize_t n = 0;
	char *data;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(err, PD_ETEMP, "key file %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) < 0) {
		saved = errno;
		(void)close(fd);
		return err_set(err, PD_ETEMP, "key file %s: %s", path,
		    strerror(saved));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KEYFILE_MAX) {
		(void)close(fd);
		return err_set(err, PD_ECONFIG, "%s:1: %s", path,
		    S_ISREG(st.st_mode) ? "key file too large" :
		    "not a regular file");
	}
	data = xmalloc(KEYFILE_MAX + 1);
	while (len <= KEYFILE_MAX) {
		n = read(fd, data + len, KEYFILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	saved = errno;
	(void)close(fd);
	if (n < 0 || len > KEYFILE_MAX) {
		sodium_memzero(data, KEYFILE_MAX + 1);
		free(data);
		if (n < 0)
			return err_set(err, PD_ETEMP, "key file %s: %s", path,
			    strerror(saved));
		return err_set(err, PD_ECONFIG, "%s:1: key file too large",
		    path);
	}
	*datap = data;
	*lenp = len;
	return 0;
}

/* keyfile_line - parse one "<id> <64 hex>" line into the ring */
static int
keyfile_line(const char *path, size_t lineno, const char *s, size_t len,
    struct pd_keyring *kr, struct pd_err *err)
{
	unsigned char *key = kr->kr_keys + kr->kr_count * TOKEN_KEY_BYTES;
	const char *sp, *hex, *end;
	size_t i, binlen;
	unsigned id = 0;

	if ((sp = memchr(s, ' ', len)) == NULL)
		return err_set(err, PD_ECONFIG,
		    "%s:%zu: expected \"<id> <64 hex digits>\"", path, lineno);
	if (sp == s || sp - s > KEYID_DIGITS || (s[0] == '0' && sp - s > 1))
		return err_set(err, PD_ECONFIG, "%s:%zu: bad key id", path,
		    lineno);
	for (i = 0; s + i < sp; i++) {
		if (s[i] < '0' || s[i] > '9')
			return err_set(err, PD_ECONFIG, "%s:%zu: bad key id",
			    path, lineno);
		id = id * 10 + (unsigned)(s[i] - '0');
	}
	for (i = 0; i < kr->kr_count; i++)
		if (kr->kr_ids[i] == id)
			return err_set(err, PD_ECONFIG,
			    "%s:%zu: duplicate key id %u", path, lineno, id);
	hex = sp + 1;
	if ((size_t)(s + len - hex) != TOKEN_KEY_BYTES * 2)
		return err_set(err, PD_ECONFIG,
		    "%s:%zu: key is %zu characters, expected %d hex digits",
		    path, lineno, (size_t)(s + len - hex),
		    TOKEN_KEY_BYTES * 2);
	if (sodium_hex2bin(key, TOKEN_KEY_BYTES, hex, TOKEN_KEY_BYTES * 2,
	    NULL, &binlen, &end) != 0 || binlen != TOKEN_KEY_BYTES ||
	    end != hex + TOKEN_KEY_BYTES * 2) {
		sodium_memzero(key, TOKEN_KEY_BYTES);
		return err_set(err, PD_ECONFIG,
		    "%s:%zu: key is not %d hex digits", path, lineno,
		    TOKEN_KEY_BYTES * 2);
	}
	kr->kr_ids[kr->kr_count++] = id;
	return 0;
}

/* keyfile_parse - check the magic line and load every key line */
static struct pd_keyring *
keyfile_parse(const char *path, const char *data, size_t len,
    struct pd_err *err)
{
	struct pd_keyring *kr;
	const char *p = data, *end = data + len, *nl;
	size_t lines = 1, lineno, n;

	for (nl = data; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL;
	    nl++)
		lines++;
	kr = xcalloc(1, sizeof(*kr));
	kr->kr_cap = lines;
	kr->kr_ids = xcalloc(lines, sizeof(*kr->kr_ids));
	if ((kr->kr_keys = sodium_malloc(lines * TOKEN_KEY_BYTES)) == NULL) {
		err_set(err, PD_ETEMP, "key file %s: no secure memory: %s",
		    path, strerror(errno));
		return token_keyring_free(kr);
	}
	for (lineno = 1; p < end; lineno++, p += n + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (lineno == 1) {
			if (n != strlen(KEYFILE_MAGIC) ||
			    memcmp(p, KEYFILE_MAGIC, n) != 0) {
				err_set(err, PD_ECONFIG,
				    "%s:1: expected \"%s\"", path,
				    KEYFILE_MAGIC);
				return token_keyring_free(kr);
			}
		} else if (n > 0 && p[0] != '#' &&
		    keyfile_line(path, lineno, p, n, kr, err) < 0)
			return token_keyring_free(kr);
	}
	if (len == 0) {
		err_set(err, PD_ECONFIG,
		    "%s:1: empty key file, expected \"%s\"", path,
		    KEYFILE_MAGIC);
		return token_keyring_free(kr);
	}
	if (kr->kr_count == 0) {
		err_set(err, PD_ECONFIG, "%s:%zu: no key in key file", path,
		    lineno - 1);
		return token_keyring_free(kr);
	}
	sodium_mprotect_readonly(kr->kr_keys);
	return kr;
}

/* keyfile_load - read a key file into a new keyring */
struct pd_keyring *
keyfile_load(const char *path, struct pd_err *err)
{
	struct pd_keyring *kr;
	char *data = NULL;
	size_t len = 0;

	if (path == NULL || *path == '\0') {
		err_set(err, PD_EBUG, "keyfile_load: no path");
		return NULL;
	}
	if (sodium_init() < 0) {
		err_set(err, PD_ETEMP, "libsodium cannot start");
		return NULL;
	}
	if (keyfile_read(path, &data, &len, err) < 0)
		return NULL;
	kr = keyfile_parse(path, data, len, err);
	sodium_memzero(data, KEYFILE_MAX + 1);
	free(data);
	return kr;
}
