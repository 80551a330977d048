/*
 * token.h - signed reply addresses, Message-IDs and ticket URLs (libsodium)
 *
 * A keyring holds one or more 32-byte keys; the first signs, all verify,
 * so a key can be rotated while tokens made with older keys still work.
 * A MAC is crypto_auth (HMAC-SHA-512-256) over a typed string, truncated to
 * TOKEN_MAC_BYTES and written in lower-case base32 (RFC 4648 alphabet,
 * lower case, no padding): it survives mail systems that change case, and
 * verification is case-insensitive and constant time.
 *
 *   reply address token:  "<ticket>.<mac>"            ("reply" type)
 *   Message-ID:           "pd.<ticket>.<seq>.<mac>@<host>"  ("msgid" type)
 *   ticket URL:           "<base_url>/t/<ticket>/<mac>"  ("url" type)
 *   agent reply token:    "<ticket>.<seq>.<aid>.<mac>"  ("agent" type)
 *
 * The agent token goes into the Reply-To of the notices one agent gets:
 * aid is token_agent_id() of that agent's address (8 base32 characters of
 * BLAKE2b, so the address itself never appears), seq the ticket's event
 * sequence the agent saw (for collision detection).
 *
 * Each type signs a different string, so a MAC of one kind never verifies
 * as another. Verify functions return 1 valid (and set *ticket), 0 invalid
 * (forged, truncated, other ticket, malformed), never -1.
 *
 * Key file: "postdesk-key-v1\n" then one line per key, "<id> <64 hex>\n".
 * keyfile_create() refuses to overwrite, writes 0600. The key bytes are
 * wiped with sodium_memzero() by token_keyring_free().
 */
#ifndef PD_TOKEN_H
#define PD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

struct pd_err;

#define TOKEN_MAC_BYTES		10	/* 80 bits, 16 base32 characters */
#define TOKEN_MAC_CHARS		16
#define TOKEN_KEY_BYTES		32
#define TOKEN_AID_CHARS		8	/* the public id of an agent address */

struct pd_keyring;

/* token_init - sodium_init(); -1 when libsodium cannot start */
int	token_init(void);
/* keyfile_create - new random key in a new file (0600); -1 if it exists */
int	keyfile_create(const char *path, struct pd_err *);
/* keyfile_load - read a key file; NULL with err (PD_ETEMP for I/O, PD_ECONFIG for bad content) */
struct pd_keyring *keyfile_load(const char *path, struct pd_err *);
/* token_keyring_free - wipe and free; accepts NULL, returns NULL */
struct pd_keyring *token_keyring_free(struct pd_keyring *);

/* token_reply - "<ticket>.<mac>" for the reply address (caller frees) */
char	*token_reply(const struct pd_keyring *, uint64_t ticket);
/* token_reply_verify - check a "<ticket>.<mac>" string (case-insensitive) */
int	token_reply_verify(const struct pd_keyring *, const char *,
			   uint64_t *ticket);
/* token_msgid - "pd.<ticket>.<seq>.<mac>@<host>" without <> (caller frees) */
char	*token_msgid(const struct pd_keyring *, uint64_t ticket, uint64_t seq,
		     const char *host);
/* token_msgid_verify - check a Message-ID (without <>); sets ticket and seq */
int	token_msgid_verify(const struct pd_keyring *, const char *msgid,
			   uint64_t *ticket, uint64_t *seq);
/* token_url - "<base>/t/<ticket>/<mac>" (caller frees) */
char	*token_url(const struct pd_keyring *, const char *base, uint64_t ticket);
/* token_url_verify - check a URL or its "/t/<ticket>/<mac>" path */
int	token_url_verify(const struct pd_keyring *, const char *url,
			 uint64_t *ticket);

/* token_agent_id - aid of an address (case-insensitive) into out */
void	token_agent_id(const char *addr, char out[TOKEN_AID_CHARS + 1]);
/* token_agent - "<ticket>.<seq>.<aid>.<mac>" (caller frees; NULL if bad) */
char	*token_agent(const struct pd_keyring *, uint64_t ticket, uint64_t seq,
		     const char *aid);
/* token_agent_verify - 1 valid (ticket, seq, aid set), 0 invalid */
int	token_agent_verify(const struct pd_keyring *, const char *,
			   uint64_t *ticket, uint64_t *seq,
			   char aid[TOKEN_AID_CHARS + 1]);

#endif
