/*
 * mail_text.c - the new text of a reply (see mail_text.h)
 *
 * The body is split into lines; each line gets its quote depth (the '>'
 * of its prefix), its content (prefix and white space trimmed) and a class:
 * TEXT, QUOTE or SIG. Every line starts as TEXT. The steps below only turn
 * TEXT lines into QUOTE or SIG, each step looking at the TEXT left by the
 * ones before it; the first step that takes a quote names the rule:
 *
 *   1. rt_known     a copy of a text postdesk sent, found by words
 *   2. rt_marker    the "reply above this line" marker
 *   3. rt_structure the first header of an unprefixed quote at depth 0:
 *                   "-----Original Message-----", an Outlook From:/Sent:/
 *                   To:/Subject: block (below "_____" or not), or an
 *                   "On ... wrote:" line that no ">" block follows; all
 *                   below it is quote
 *   4. rt_blocks    ">" blocks; the answers between them stay
 *   5. rt_sig       "-- " (or "--" before a short block), then footers
 *                   such as "Sent from my iPhone" at the end of the text
 *
 * Whenever lines become QUOTE, rt_absorb() also takes what introduces them
 * just above: an attribution line (wrapped over up to three lines), an
 * Outlook header block, a separator line. The text is then made of the
 * TEXT lines; a blank line stands for each run of QUOTE lines between two
 * of them. If no TEXT line has anything left on it, the body is returned
 * whole with rule "none".
 *
 * Known quotes: the body and the known text are cut into words (quote
 * prefixes dropped, ASCII lower-cased, hashed). From the end of the body
 * backwards, a run of three words that occurs in the known text anchors an
 * alignment that walks both backwards, skipping up to RT_NEAR words on
 * either side or jumping up to RT_FAR body words to the next shared run
 * of three; it succeeds when 80% of the known words are matched in order.
 *
 * Cost: every step is a pass over the lines, looking at most a fixed
 * number of lines ahead or back (RT_ATTR_LINES, RT_HDR_SPAN); lines longer
 * than RT_LINE_MAX are never headers. Alignments are capped in number
 * (RT_TRIES) and share a budget of steps of four per word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

#include "mail_text.h"

#define RT_TEXT		0
#define RT_QUOTE	1
#define RT_SIG		2

#define RT_LINE_MAX	300	/* longer lines are never attributions */
#define RT_ATTR_LINES	3	/* an attribution wraps over at most 3 lines */
#define RT_HDR_SPAN	16	/* lines an Outlook header block may span */
#define RT_SIG_LINES	40	/* non-blank lines after "-- " */
#define RT_SIG_SHORT	12	/* ... and after "--" without the space */
#define RT_FOOT_WORDS	9	/* words in a mobile footer */
#define RT_NEAR		8	/* words skipped when resyncing nearby */
#define RT_FAR		64	/* body words searched for a shared triple */
#define RT_TRIES	32	/* alignments tried per known text */
#define RT_MIN_WORDS	6	/* shorter known texts are ignored */

#define HK_FROM		1
#define HK_DATE		2
#define HK_TO		4
#define HK_CC		8
#define HK_SUBJ		16
#define HK_OTHER	32

#define RT_NONE		((size_t)-1)

struct rt_line {
	const char *s;		/* the line as written */
	size_t	len;		/* without the LF and CRs before it */
	size_t	c;		/* content start: after quote prefix, spaces */
	size_t	clen;		/* content length, trailing spaces trimmed */
	int	depth;		/* '>' characters in the quote prefix */
	int	cls;		/* RT_TEXT, RT_QUOTE, RT_SIG */
};

struct rt {
	struct rt_line *ln;
	size_t	n;
	const char *rule;	/* the step that first took a quote */
	const char *sig_rule;
	size_t	nblocks;	/* ">" blocks taken by rt_blocks() */
	size_t	last_end;	/* the line after the last of them */
	const char *last_rule;	/* its attribution's rule, or NULL */
};

/* One word: hash of its lower-cased bytes, and the line it is on. */
struct rt_tok {
	uint64_t h;
	size_t	line;
};

struct rt_toks {
	struct rt_tok *t;
	size_t	n;
	size_t	cap;
};

/* Runs of three known words: hash -> index of the last such run. */
struct rt_tri {
	uint64_t *key;
	size_t	*pos;
	size_t	mask;
};

/* "On <date>, <name> wrote:" and its translations. */
struct rt_lead {
	const char *rule;
	const char *lead;	/* starts with this, case as written */
	const char *verb;	/* ends with " <verb>:" */
	const char *mid;	/* or holds this (the name follows), ends ":" */
};

/* "<name> wrote on <date>:" and "<name> wrote:" */
struct rt_phrase {
	const char *rule;
	const char *s;
};

struct rt_hkey {
	const char *name;
	int	key;
};

static size_t rt_space(const char *, const char *);
static size_t rt_space_back(const char *, const char *);
static int rt_lower(int);
static int rt_iprefix(const char *, size_t, const char *);
static const char *rt_ifind(const char *, size_t, const char *);
static void rt_split(struct rt *, const char *);
static size_t rt_collapse(const struct rt *, size_t, char *, size_t, size_t);
static int rt_isblank(const struct rt *, size_t);
static int rt_rawblank(const struct rt *, size_t);
static int rt_namelike(const char *, size_t, int);
static int rt_joinable(const char *, size_t);
static int rt_subject(const char *, size_t);
static const char *rt_attr_text(const char *, size_t, size_t, int);
static size_t rt_attrib(const struct rt *, size_t, int, const char **);
static int rt_hdrkey(const struct rt *, size_t);
static size_t rt_hdrblock(const struct rt *, size_t);
static size_t rt_hdrstart(const struct rt *, size_t);
static int rt_sep(const struct rt *, size_t);
static int rt_underscore(const struct rt *, size_t);
static int rt_footer(const struct rt *, size_t);
static int rt_delim(const struct rt *, size_t, int *);
static void rt_mark(struct rt *, size_t, size_t, int);
static size_t rt_attr_above(const struct rt *, size_t, const char **);
static size_t rt_hdr_above(const struct rt *, size_t);
static size_t rt_absorb(struct rt *, size_t, const char **);
static void rt_take(struct rt *, const char *);
static uint64_t rt_hash(const char *, size_t);
static uint64_t rt_trikey(const struct rt_tok *);
static void rt_tokenize(struct rt_toks *, const char *, size_t, size_t);
static void rt_tri_build(struct rt_tri *, const struct rt_toks *);
static size_t rt_tri_get(const struct rt_tri *, uint64_t);
static int rt_near(const struct rt_toks *, const struct rt_toks *,
	    ptrdiff_t *, ptrdiff_t *, size_t *);
static int rt_far(const struct rt_toks *, const struct rt_tri *,
	    ptrdiff_t *, ptrdiff_t *, size_t *);
static size_t rt_align(const struct rt_toks *, const struct rt_toks *,
	    const struct rt_tri *, size_t, size_t, unsigned char *, size_t *,
	    size_t *);
static size_t rt_trim_start(unsigned char *, size_t, size_t, size_t *);
static void rt_known_mark(struct rt *, const struct rt_toks *,
	    const unsigned char *, size_t, size_t);
static void rt_known_one(struct rt *, const struct rt_toks *, const char *);
static void rt_known(struct rt *, const struct mail_reply_hints *);
static void rt_lowline(const struct rt *, size_t, struct buf *);
static void rt_marker(struct rt *, const char *);
static void rt_structure(struct rt *);
static void rt_blocks(struct rt *);
static void rt_sig(struct rt *);
static void rt_footers(struct rt *);
static void rt_decide(struct rt *);
static char *rt_text(const struct rt *);
static char *rt_part(const struct rt *, int);
static char *rt_whole(const struct rt *);

static const struct rt_lead rt_leads[] = {
	{ "on-wrote:en", "On ", "wrote", NULL },
	{ "on-wrote:de", "Am ", "schrieb", " schrieb " },
	{ "on-wrote:fr", "Le ", "a \xc3\xa9" "crit", NULL },
	{ "on-wrote:fr", "Le ", "a ecrit", NULL },
	{ "on-wrote:es", "El ", "escribi\xc3\xb3", NULL },
	{ "on-wrote:es", "El ", "escribio", NULL },
	{ "on-wrote:pt", "Em ", "escreveu", NULL },
	{ "on-wrote:nl", "Op ", "geschreven", " schreef " },
	{ "on-wrote:it", "Il ", "ha scritto", NULL },
};

static const struct rt_phrase rt_wrote_on[] = {
	{ "on-wrote:en", " wrote on " },
	{ "on-wrote:de", " schrieb am " },
	{ "on-wrote:fr", " a \xc3\xa9" "crit le " },
	{ "on-wrote:es", " escribi\xc3\xb3 el " },
	{ "on-wrote:pt", " escreveu em " },
	{ "on-wrote:nl", " schreef op " },
	{ "on-wrote:it", " ha scritto il " },
};

static const struct rt_phrase rt_wrote[] = {
	{ "on-wrote:en", " wrote" },
	{ "on-wrote:de", " schrieb" },
	{ "on-wrote:fr", " a \xc3\xa9" "crit" },
	{ "on-wrote:es", " escribi\xc3\xb3" },
	{ "on-wrote:pt", " escreveu" },
	{ "on-wrote:nl", " schreef" },
	{ "on-wrote:it", " ha scritto" },
};

/*
 * Lower-case words that may stand in a name; words that start sentences
 * rather than names.
 */
static const char *const rt_particles[] = {
	"von", "van", "de", "der", "den", "da", "di", "du", "do", "dos",
	"das", "des", "del", "della", "la", "le", "ten", "ter", "zu", "y",
	"e", "al", "ao", "of", "and", "und", "et", "en", "for", "f\xc3\xbcr",
	"pour", "per", "para", "voor", "via",
	NULL
};
static const char *const rt_pronouns[] = {
	"I", "Ich", "Je", "Yo", "Eu", "Ik", "Io", "You", "We", "Wir", "Sie",
	"Nous", "Vous", "Usted", "Jij", "U", "Lei", "Tu", "Du", "My", "Our",
	"Your", "His", "Her", "Their", "Mein", "Meine", "Unser", "Unsere",
	"Ihr", "Mon", "Ma", "Notre", "Votre", "Mi", "Nuestro", "Su", "Meu",
	"Minha", "Nosso", "Mijn", "Onze", "Uw", "Mio", "Mia", "Nostro",
	"This", "That", "Here", "There", "What", "As", "So", "And", "But",
	NULL
};

/* Subjects that make "On <date>, <subject> wrote:" a sentence. */
static const char *const rt_subjects[] = {
	"i", "you", "we", "he", "she", "they", "ich", "sie", "er", "wir",
	"du", "ihr", "je", "il", "elle", "nous", "vous", "on", "yo", "usted",
	"\xc3\xa9l", "ella", "ustedes", "eu", "voc\xc3\xaa", "ele", "ela",
	"n\xc3\xb3s", "io", "lei", "lui", "tu", "noi", "voi", "ik", "jij",
	"u", "hij", "zij", "wij", "jullie",
	NULL
};

static const struct rt_hkey rt_hkeys[] = {
	{ "from", HK_FROM }, { "von", HK_FROM }, { "de", HK_FROM },
	{ "van", HK_FROM }, { "da", HK_FROM },
	{ "sent", HK_DATE }, { "date", HK_DATE }, { "gesendet", HK_DATE },
	{ "datum", HK_DATE }, { "envoy\xc3\xa9", HK_DATE },
	{ "envoye", HK_DATE }, { "enviado el", HK_DATE },
	{ "enviado", HK_DATE }, { "enviada em", HK_DATE },
	{ "enviada", HK_DATE }, { "fecha", HK_DATE }, { "data", HK_DATE },
	{ "verzonden", HK_DATE }, { "verstuurd", HK_DATE },
	{ "inviato", HK_DATE },
	{ "to", HK_TO }, { "an", HK_TO }, { "\xc3\xa0", HK_TO },
	{ "\xc3\x80", HK_TO }, { "a", HK_TO }, { "para", HK_TO },
	{ "aan", HK_TO },
	{ "cc", HK_CC }, { "bcc", HK_CC }, { "cci", HK_CC },
	{ "kopie", HK_CC }, { "ccn", HK_CC },
	{ "subject", HK_SUBJ }, { "betreff", HK_SUBJ }, { "objet", HK_SUBJ },
	{ "asunto", HK_SUBJ }, { "assunto", HK_SUBJ },
	{ "onderwerp", HK_SUBJ }, { "oggetto", HK_SUBJ },
	{ "importance", HK_OTHER }, { "wichtigkeit", HK_OTHER },
	{ "attachments", HK_OTHER }, { "anlagen", HK_OTHER },
	{ "reply-to", HK_OTHER }, { "antwort an", HK_OTHER },
};

/* Phrases between the dashes of a separator line, lower case. */
static const char *const rt_seps[] = {
	"original message", "urspr\xc3\xbcngliche nachricht",
	"originalnachricht", "original-nachricht", "message d'origine",
	"message d\xe2\x80\x99origine", "message original",
	"mensaje original", "mensagem original", "oorspronkelijk bericht",
	"origineel bericht", "messaggio originale", "forwarded message",
	"weitergeleitete nachricht", "message transf\xc3\xa9r\xc3\xa9",
	"mensaje reenviado", "mensagem encaminhada", "doorgestuurd bericht",
	"messaggio inoltrato", "forwarded by", "original email",
	NULL
};

/* Whole lines that start a forward, lower case, without the colon. */
static const char *const rt_fwd[] = {
	"begin forwarded message", "anfang der weitergeleiteten nachricht",
	"d\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9",
	"d\xc3\xa9" "but du message transf\xc3\xa9r\xc3\xa9",
	"inicio del mensaje reenviado",
	"in\xc3\xad" "cio da mensagem reencaminhada",
	"begin doorgestuurd bericht", "inizio messaggio inoltrato",
	NULL
};

/* How mobile footers start, lower case. */
static const char *const rt_foot[] = {
	"sent from my ", "sent from ", "sent via ", "sent with ",
	"get outlook for ", "von meinem ", "gesendet von ", "gesendet mit ",
	"holen sie sich outlook f", "envoy\xc3\xa9 de ",
	"envoy\xc3\xa9 depuis ",
	"envoye de ", "envoye depuis ", "obtenir outlook pour ",
	"t\xc3\xa9l\xc3\xa9" "charger outlook pour ", "enviado desde ",
	"enviado con ", "obtener outlook para ", "enviado do ",
	"enviado de meu ", "enviado pelo ", "obter o outlook para ",
	"baixe o outlook para ", "verzonden vanaf ", "verstuurd vanaf ",
	"verzonden met ", "verstuurd met ", "outlook voor ios",
	"outlook voor android", "download outlook voor ", "inviato da ",
	"inviato dal ", "inviato con ", "scarica outlook per ",
	NULL
};

#define RT_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* rt_space - length of the white space character at p, 0 if none */
static size_t
rt_space(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);

	if (left == 0)
		return 0;
	if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\f' ||
	    *u == '\v')
		return 1;
	if (left >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;			/* no-break space */
	if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x8b || u[2] == 0xaf || u[2] == 0x89 || u[2] == 0x8a))
		return 3;			/* zero-width, narrow, thin */
	if (left >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 3;			/* byte order mark */
	return 0;
}

/* rt_space_back - length of the white space character ending at end */
static size_t
rt_space_back(const char *start, const char *end)
{
	size_t w;

	for (w = 1; w <= 3 && w <= (size_t)(end - start); w++)
		if (rt_space(end - w, end) == w)
			return w;
	return 0;
}

/* rt_lower - ASCII lower case; other bytes as they are */
static int
rt_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* rt_iprefix - does s[0..len) start with lower-case pat, ASCII case aside */
static int
rt_iprefix(const char *s, size_t len, const char *pat)
{
	size_t i;

	for (i = 0; pat[i] != '\0'; i++)
		if (i >= len || rt_lower((unsigned char)s[i]) !=
		    (unsigned char)pat[i])
			return 0;
	return 1;
}

/* rt_ifind - first place of lower-case pat in s[0..len), ASCII case aside */
static const char *
rt_ifind(const char *s, size_t len, const char *pat)
{
	size_t i, pl = strlen(pat);

	for (i = 0; i + pl <= len; i++)
		if (rt_iprefix(s + i, len - i, pat))
			return s + i;
	return NULL;
}

/* rt_split - cut body into lines and read each one's quote prefix */
static void
rt_split(struct rt *r, const char *body)
{
	const char *p = body, *nl, *e, *q;
	size_t n = 1, w;
	struct rt_line *l;

	for (nl = body; (nl = strchr(nl, '\n')) != NULL; nl++)
		n++;
	r->ln = xcalloc(n, sizeof(*r->ln));
	for (;;) {
		nl = strchr(p, '\n');
		e = nl != NULL ? nl : p + strlen(p);
		if (nl == NULL && e == p && r->n > 0)
			break;			/* no line after the last LF */
		l = &r->ln[r->n++];
		l->s = p;
		while (e > p && e[-1] == '\r')
			e--;
		l->len = (size_t)(e - p);
		for (q = p;;) {
			while ((w = rt_space(q, e)) != 0)
				q += w;
			if (q < e && *q == '>') {
				l->depth++;
				q++;
			} else
				break;
		}
		while (e > q && (w = rt_space_back(q, e)) != 0)
			e -= w;
		l->c = (size_t)(q - p);
		l->clen = (size_t)(e - q);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* rt_collapse - append line i's content at dst[at], spaces as one */
static size_t
rt_collapse(const struct rt *r, size_t i, char *dst, size_t at, size_t cap)
{
	const struct rt_line *l = &r->ln[i];
	const char *p = l->s + l->c, *e = p + l->clen;
	size_t w;
	int sp = 0;

	while (p < e && at < cap) {
		if ((w = rt_space(p, e)) != 0) {
			sp = 1;
			p += w;
			continue;
		}
		if (sp && at + 1 < cap)
			dst[at++] = ' ';
		sp = 0;
		dst[at++] = *p++;
	}
	return at;
}

/* rt_isblank - is line i empty once prefix and spaces are gone */
static int
rt_isblank(const struct rt *r, size_t i)
{
	return r->ln[i].clen == 0;
}

/* rt_rawblank - is line i, quote prefix included, only white space */
static int
rt_rawblank(const struct rt *r, size_t i)
{
	return r->ln[i].clen == 0 && r->ln[i].depth == 0;
}

/*
 * rt_namelike - do the words of s[0..len) read like a name or an address:
 * at most 8 words, the first capitalised, at most lower lower-case words
 * other than particles, no pronoun
 */
static int
rt_namelike(const char *s, size_t len, int lower)
{
	const char *p = s, *e = s + len, *w;
	size_t words = 0, wl, k;
	int ok;

	while (p < e) {
		while (p < e && *p == ' ')
			p++;
		if (p == e)
			break;
		for (w = p; p < e && *p != ' '; p++)
			;
		wl = (size_t)(p - w);
		if (++words > 8 || memchr(w, '!', wl) || memchr(w, '?', wl) ||
		    memchr(w, ';', wl))
			return 0;
		if (memchr(w, '@', wl) != NULL || strchr("<\"'([", *w) != NULL)
			continue;
		for (k = 0; rt_pronouns[k] != NULL; k++)
			if (strlen(rt_pronouns[k]) == wl &&
			    memcmp(rt_pronouns[k], w, wl) == 0)
				return 0;
		ok = (*w >= 'A' && *w <= 'Z') || (unsigned char)*w >= 0x80;
		for (k = 0; !ok && rt_particles[k] != NULL; k++)
			ok = strlen(rt_particles[k]) == wl &&
			    memcmp(rt_particles[k], w, wl) == 0;
		if (!ok && (words == 1 || lower-- <= 0))
			return 0;
	}
	return words > 0;
}

/* rt_subject - is the word that ends at s[len] a pronoun, not a name */
static int
rt_subject(const char *s, size_t len)
{
	size_t w, k;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	for (w = len; w > 0 && s[w - 1] != ' ' && s[w - 1] != ','; w--)
		;
	for (k = 0; rt_subjects[k] != NULL; k++)
		if (strlen(rt_subjects[k]) == len - w &&
		    rt_iprefix(s + w, len - w, rt_subjects[k]))
			return 1;
	return 0;
}

/* rt_joinable - may the text so far continue on the next line */
static int
rt_joinable(const char *j, size_t jl)
{
	size_t w;

	if (jl == 0 || strchr("!?:;", j[jl - 1]) != NULL)
		return 0;
	if (j[jl - 1] != '.')
		return 1;
	/* "Nov." or "lun." may end a wrapped line; a sentence may not */
	for (w = 0; w < jl && j[jl - 1 - w] != ' '; w++)
		;
	return w <= 5;
}

/*
 * rt_attr_text - the rule of the attribution j[0..jl) (collapsed, the
 * first line being j[0..first)), or NULL. weak: also a bare "Name wrote:".
 */
static const char *
rt_attr_text(const char *j, size_t jl, size_t first, int weak)
{
	const char *p, *q;
	size_t tl, i, vl, ml;
	int num = 0, digit = 0;

	if (jl < 6 || j[jl - 1] != ':')
		return NULL;
	for (tl = jl - 1; tl > 0 && j[tl - 1] == ' '; tl--)
		;
	for (i = 0; i < tl; i++) {
		if (j[i] >= '0' && j[i] <= '9')
			num = digit = 1;
		if (j[i] == '@')
			num = 1;
	}
	for (i = 0; num && i < RT_NELEM(rt_leads); i++) {
		const struct rt_lead *ld = &rt_leads[i];

		if (strncmp(j, ld->lead, strlen(ld->lead)) != 0)
			continue;
		vl = strlen(ld->verb);
		if (tl > vl && j[tl - vl - 1] == ' ' &&
		    rt_iprefix(j + tl - vl, vl, ld->verb) &&
		    !rt_subject(j, tl - vl - 1))
			return ld->rule;
		/* "Am <date> schrieb <name>:", not "... schrieb ich Ihnen:" */
		if (ld->mid == NULL)
			continue;
		for (p = NULL, q = j; (q = rt_ifind(q, (size_t)(j + tl - q),
		    ld->mid)) != NULL; q++)
			p = q;
		ml = strlen(ld->mid);
		if (p != NULL &&
		    rt_namelike(p + ml, (size_t)(j + tl - p) - ml, 2))
			return ld->rule;
	}
	for (i = 0; digit && i < RT_NELEM(rt_wrote_on); i++) {
		p = rt_ifind(j, tl, rt_wrote_on[i].s);
		if (p != NULL && p > j && (size_t)(p - j) < first &&
		    rt_namelike(j, (size_t)(p - j), 2))
			return rt_wrote_on[i].rule;
	}
	for (i = 0; weak && i < RT_NELEM(rt_wrote); i++) {
		vl = strlen(rt_wrote[i].s);
		if (tl > vl && tl < 160 &&
		    rt_iprefix(j + tl - vl, vl, rt_wrote[i].s) &&
		    rt_namelike(j, tl - vl, 1))
			return rt_wrote[i].rule;
	}
	return NULL;
}

/*
 * rt_attrib - how many lines (1 to RT_ATTR_LINES) the attribution that
 * starts at line i takes, 0 if none; *rule says which
 */
static size_t
rt_attrib(const struct rt *r, size_t i, int weak, const char **rule)
{
	char j[RT_ATTR_LINES * (RT_LINE_MAX + 1) + 1];
	const struct rt_line *l0 = &r->ln[i], *l;
	size_t k, jl = 0, first = 0;
	const char *got;

	for (k = 0; k < RT_ATTR_LINES && i + k < r->n; k++) {
		l = &r->ln[i + k];
		if (l->cls != l0->cls || l->depth != l0->depth ||
		    l->clen == 0 || l->clen > RT_LINE_MAX)
			break;
		if (k > 0) {
			if (!rt_joinable(j, jl))
				break;
			j[jl++] = ' ';
		}
		jl = rt_collapse(r, i + k, j, jl, sizeof(j));
		if (k == 0)
			first = jl;
		/* a bare "Name wrote:" is never wrapped */
		got = rt_attr_text(j, jl, first, weak && k == 0);
		if (got != NULL) {
			*rule = got;
			return k + 1;
		}
	}
	return 0;
}

/* rt_hdrkey - the header field (HK_*) line i starts with, 0 if none */
static int
rt_hdrkey(const struct rt *r, size_t i)
{
	const struct rt_line *l = &r->ln[i];
	const char *p = l->s + l->c, *e = p + l->clen, *q;
	size_t k, w;

	if (l->clen > RT_LINE_MAX * 4)
		return 0;
	while (p < e && *p == '*')
		p++;
	for (k = 0; k < RT_NELEM(rt_hkeys); k++) {
		if (!rt_iprefix(p, (size_t)(e - p), rt_hkeys[k].name))
			continue;
		q = p + strlen(rt_hkeys[k].name);
		while ((w = rt_space(q, e)) != 0)
			q += w;
		if (q >= e || *q != ':')
			continue;
		q++;
		if (q == e || *q == '*' || rt_space(q, e) != 0)
			return rt_hkeys[k].key;
	}
	return 0;
}

/*
 * rt_hdrblock - the end of the header block (From:, Subject: and Sent: or
 * To:, in any of our languages) that starts at line i, 0 if none. Every
 * client writes a Subject:; a customer listing "From: account 1, To:
 * account 2, Date: ..." does not.
 */
static size_t
rt_hdrblock(const struct rt *r, size_t i)
{
	const struct rt_line *l;
	size_t j, end = 0;
	int keys = 0, k, blanks = 0, cont = 0;

	if (!(rt_hdrkey(r, i) & HK_FROM))
		return 0;
	for (j = i; j < r->n && j < i + RT_HDR_SPAN; j++) {
		l = &r->ln[j];
		if (l->cls != RT_TEXT || l->depth != r->ln[i].depth)
			break;
		if (l->clen == 0) {
			if (++blanks > 2)
				break;
			continue;
		}
		if ((k = rt_hdrkey(r, j)) != 0) {
			if (k & keys & (HK_FROM | HK_SUBJ))
				break;
			keys |= k;
			end = j + 1;
			blanks = cont = 0;
			continue;
		}
		if (end == j && cont < 2 && blanks == 0) {
			cont++;
			end = j + 1;
			continue;
		}
		break;
	}
	if ((keys & HK_SUBJ) && (keys & (HK_DATE | HK_TO)))
		return end;
	return 0;
}

/*
 * rt_hdrstart - where the header block whose From: is line i starts: a
 * "Gesendet:" or "Date:" line right above it belongs to it (GMX, Web.de)
 */
static size_t
rt_hdrstart(const struct rt *r, size_t i)
{
	size_t s = i;

	while (s > 0 && i - s < 2 && r->ln[s - 1].cls == RT_TEXT &&
	    r->ln[s - 1].depth == r->ln[i].depth && !rt_isblank(r, s - 1) &&
	    (rt_hdrkey(r, s - 1) & ~HK_FROM) != 0)
		s--;
	return s;
}

/* rt_sep - is line i "-----Original Message-----" or a forward's start */
static int
rt_sep(const struct rt *r, size_t i)
{
	const struct rt_line *l = &r->ln[i];
	const char *p = l->s + l->c, *e = p + l->clen;
	char low[RT_LINE_MAX + 1];
	size_t dashes = 0, n, k;

	if (l->clen == 0 || l->clen > RT_LINE_MAX)
		return 0;
	while (p < e && *p == '-') {
		p++;
		dashes++;
	}
	if (dashes >= 2) {
		/* the phrase between the dashes */
		while (e > p && (e[-1] == '-' || e[-1] == ' ' || e[-1] == ':'))
			e--;
		while (p < e && *p == ' ')
			p++;
		for (k = 0; e - p <= 60 && rt_seps[k] != NULL; k++)
			if (rt_ifind(p, (size_t)(e - p), rt_seps[k]) != NULL)
				return 1;
		return 0;
	}
	n = rt_collapse(r, i, low, 0, sizeof(low) - 1);
	while (n > 0 && (low[n - 1] == ':' || low[n - 1] == ' '))
		n--;
	low[n] = '\0';
	for (k = 0; k < n; k++)
		low[k] = (char)rt_lower((unsigned char)low[k]);
	for (k = 0; rt_fwd[k] != NULL; k++)
		if (strcmp(low, rt_fwd[k]) == 0)
			return 1;
	return 0;
}

/* rt_underscore - is line i a rule of underscores (Outlook on the web) */
static int
rt_underscore(const struct rt *r, size_t i)
{
	const struct rt_line *l = &r->ln[i];
	size_t k;

	if (l->clen < 10)
		return 0;
	for (k = 0; k < l->clen; k++)
		if (l->s[l->c + k] != '_')
			return 0;
	return 1;
}

/* rt_footer - is line i a mobile client's footer ("Sent from my iPhone") */
static int
rt_footer(const struct rt *r, size_t i)
{
	const struct rt_line *l = &r->ln[i];
	const char *p = l->s + l->c, *e = p + l->clen, *u;
	size_t k, words = 0;
	int in = 0;

	if (l->depth != 0 || l->clen > 120)
		return 0;
	for (k = 0; rt_foot[k] != NULL; k++)
		if (rt_iprefix(p, l->clen, rt_foot[k]))
			break;
	if (rt_foot[k] == NULL)
		return 0;
	/* a link the client adds, "<https://aka.ms/...>", is not counted */
	if ((u = memchr(p, '<', l->clen)) != NULL && e[-1] == '>')
		e = u;
	for (; p < e; p++) {
		if (*p == '?' || *p == ':' || *p == ',')
			return 0;
		if (*p == ' ')
			in = 0;
		else if (!in) {
			in = 1;
			words++;
		}
	}
	return words <= RT_FOOT_WORDS;
}

/* rt_delim - is line i "-- " (*exact set) or "--" */
static int
rt_delim(const struct rt *r, size_t i, int *exact)
{
	const struct rt_line *l = &r->ln[i];
	size_t k;

	if (l->depth != 0 || l->len < 2 || l->s[0] != '-' || l->s[1] != '-')
		return 0;
	for (k = 2; k < l->len; k++)
		if (l->s[k] != ' ' && l->s[k] != '\t')
			return 0;
	*exact = l->len > 2;
	return 1;
}

/* rt_mark - give the TEXT lines in [from, to) class cls */
static void
rt_mark(struct rt *r, size_t from, size_t to, int cls)
{
	for (; from < to && from < r->n; from++)
		if (r->ln[from].cls == RT_TEXT)
			r->ln[from].cls = cls;
}

/* rt_attr_above - start of an attribution that ends at line j - 1 */
static size_t
rt_attr_above(const struct rt *r, size_t j, const char **rule)
{
	size_t k;

	/* longest first: the last line of a wrapped one may read "x> wrote:" */
	for (k = RT_ATTR_LINES; k > 0; k--)
		if (k <= j && rt_attrib(r, j - k, 1, rule) == k)
			return j - k;
	return RT_NONE;
}

/* rt_hdr_above - start of a header block that ends at line j - 1 */
static size_t
rt_hdr_above(const struct rt *r, size_t j)
{
	size_t s;

	for (s = j; s > 0 && j - s < RT_HDR_SPAN; s--) {
		if (r->ln[s - 1].cls != RT_TEXT)
			break;
		if (rt_hdrblock(r, s - 1) == j)
			return rt_hdrstart(r, s - 1);
	}
	return RT_NONE;
}

/*
 * rt_absorb - take as quote what introduces the quote starting at line b:
 * attribution, header block, separator, above it (blank lines between);
 * returns the new start, *rule the attribution's rule if there was one
 */
static size_t
rt_absorb(struct rt *r, size_t b, const char **rule)
{
	size_t j, s, round;
	const char *got;

	for (round = 0; round < 4; round++) {
		for (j = b; j > 0 && r->ln[j - 1].cls == RT_TEXT &&
		    rt_isblank(r, j - 1); j--)
			;
		if (j == 0 || r->ln[j - 1].cls != RT_TEXT)
			break;
		got = NULL;
		if ((s = rt_attr_above(r, j, &got)) != RT_NONE) {
			if (rule != NULL && *rule == NULL)
				*rule = got;
		} else if ((s = rt_hdr_above(r, j)) != RT_NONE)
			;
		else if (rt_sep(r, j - 1) || rt_underscore(r, j - 1))
			s = j - 1;
		else
			break;
		rt_mark(r, s, b, RT_QUOTE);
		b = s;
	}
	return b;
}

/* rt_take - record rule as the one that cut, unless one did already */
static void
rt_take(struct rt *r, const char *rule)
{
	if (r->rule == NULL)
		r->rule = rule;
}

/* rt_hash - FNV-1a of s[0..len) with ASCII lower-cased */
static uint64_t
rt_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)rt_lower((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return h;
}

/* rt_trikey - a hash of the three words at t (never 0) */
static uint64_t
rt_trikey(const struct rt_tok *t)
{
	uint64_t k;

	k = t[0].h * 0x9e3779b97f4a7c15ULL;
	k ^= (t[1].h << 21 | t[1].h >> 43) * 0xc2b2ae3d27d4eb4fULL;
	k ^= (t[2].h << 42 | t[2].h >> 22) + 0x165667b19e3779f9ULL;
	return k != 0 ? k : 1;
}

/* rt_tokenize - append the words of s[0..len), on line line, to tk */
static void
rt_tokenize(struct rt_toks *tk, const char *s, size_t len, size_t line)
{
	const char *p = s, *e = s + len, *w;
	size_t sp;

	while (p < e) {
		if ((sp = rt_space(p, e)) != 0) {
			p += sp;
			continue;
		}
		for (w = p; p < e && rt_space(p, e) == 0; p++)
			;
		if (tk->n == tk->cap) {
			tk->cap = tk->cap ? tk->cap * 2 : 256;
			tk->t = xrealloc(tk->t, tk->cap * sizeof(*tk->t));
		}
		tk->t[tk->n].h = rt_hash(w, (size_t)(p - w));
		tk->t[tk->n++].line = line;
	}
}

/* rt_tri_build - index every run of three words of k */
static void
rt_tri_build(struct rt_tri *tri, const struct rt_toks *k)
{
	size_t size = 64, j, s;
	uint64_t key;

	while (size < k->n * 2)
		size *= 2;
	tri->key = xcalloc(size, sizeof(*tri->key));
	tri->pos = xcalloc(size, sizeof(*tri->pos));
	tri->mask = size - 1;
	for (j = 0; j + 2 < k->n; j++) {
		key = rt_trikey(&k->t[j]);
		for (s = key & tri->mask; tri->key[s] != 0 &&
		    tri->key[s] != key; s = (s + 1) & tri->mask)
			;
		tri->key[s] = key;
		tri->pos[s] = j;
	}
}

/* rt_tri_get - the last known index of the triple key, RT_NONE if none */
static size_t
rt_tri_get(const struct rt_tri *tri, uint64_t key)
{
	size_t s;

	for (s = key & tri->mask; tri->key[s] != 0; s = (s + 1) & tri->mask)
		if (tri->key[s] == key)
			return tri->pos[s];
	return RT_NONE;
}

/*
 * rt_near - after a mismatch at body word *i / known word *j, find the
 * nearest pair back from there (up to RT_NEAR words each) where two words
 * agree; move there, adding the known words skipped to *miss
 */
static int
rt_near(const struct rt_toks *b, const struct rt_toks *k, ptrdiff_t *i,
    ptrdiff_t *j, size_t *miss)
{
	ptrdiff_t d, a, kb, ii, jj;

	for (d = 1; d <= 2 * RT_NEAR; d++) {
		for (a = 0; a <= d; a++) {
			kb = d - a;
			if (a > RT_NEAR || kb > RT_NEAR)
				continue;
			ii = *i - a;
			jj = *j - kb;
			if (ii < 0 || jj < 0 || b->t[ii].h != k->t[jj].h)
				continue;
			if ((ii >= 1 && jj >= 1 &&
			    b->t[ii - 1].h == k->t[jj - 1].h) ||
			    (jj == 0 && a == 0)) {
				*miss += (size_t)kb;
				*i = ii;
				*j = jj;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * rt_far - after a mismatch, find up to RT_FAR body words back three
 * words that occur earlier in the known text, and move there
 */
static int
rt_far(const struct rt_toks *b, const struct rt_tri *tri, ptrdiff_t *i,
    ptrdiff_t *j, size_t *miss)
{
	ptrdiff_t ii;
	size_t p;

	for (ii = *i - 1; ii >= 2 && *i - ii <= RT_FAR; ii--) {
		p = rt_tri_get(tri, rt_trikey(&b->t[ii - 2]));
		if (p == RT_NONE || (ptrdiff_t)p + 2 > *j)
			continue;
		*miss += (size_t)(*j - ((ptrdiff_t)p + 2));
		*i = ii;
		*j = (ptrdiff_t)p + 2;
		return 1;
	}
	return 0;
}

/*
 * rt_align - align the known words k backwards with the body words b from
 * the pair (ie, je), marking matched body words in hit; returns how many
 * matched, *first the earliest matched body word. Each step costs one
 * unit of *work; none left, the alignment stops.
 */
static size_t
rt_align(const struct rt_toks *b, const struct rt_toks *k,
    const struct rt_tri *tri, size_t ie, size_t je, unsigned char *hit,
    size_t *first, size_t *work)
{
	ptrdiff_t i = (ptrdiff_t)ie, j = (ptrdiff_t)je;
	size_t matched = 0, miss = k->n - 1 - je;
	size_t budget = k->n - (k->n * 8 + 9) / 10;

	*first = ie;
	while (i >= 0 && j >= 0 && miss <= budget && *work > 0) {
		--*work;
		if (b->t[i].h == k->t[j].h) {
			hit[i] = 1;
			matched++;
			*first = (size_t)i;
			i--;
			j--;
			continue;
		}
		if (!rt_near(b, k, &i, &j, &miss) &&
		    !rt_far(b, tri, &i, &j, &miss))
			break;
	}
	return matched;
}

/*
 * rt_trim_start - drop matches at the start of an alignment that stand
 * apart (fewer than four in a row, then a gap of more than two words):
 * chance agreement with the words above the quote. Returns the matches
 * left; *first moves down.
 */
static size_t
rt_trim_start(unsigned char *hit, size_t last, size_t matched, size_t *first)
{
	size_t g, nx, run, x;

	for (;;) {
		for (g = *first, run = 0; g <= last && hit[g]; g++)
			run++;
		if (run >= 4)
			break;
		for (nx = g; nx <= last && !hit[nx]; nx++)
			;
		if (nx > last || nx - g <= 2)
			break;
		for (x = *first; x < g; x++)
			hit[x] = 0;
		matched -= run;
		*first = nx;
	}
	return matched;
}

/*
 * rt_known_mark - mark the copy that spans body words [first, last]:
 * an unprefixed copy and all below it is quote; in a ">" copy only the
 * quoted lines and those made of matched words are, so answers written
 * between its blocks stay
 */
static void
rt_known_mark(struct rt *r, const struct rt_toks *b,
    const unsigned char *hit, size_t first, size_t last)
{
	size_t L = b->t[first].line, E = b->t[last].line, x, t;
	size_t nb = 0, nq = 0, before = 0, on = 0;
	int unmatched;

	/* the quote's first line may hold the end of the answer */
	for (t = first; t > 0 && b->t[t - 1].line == L; t--)
		before++;
	for (; t < b->n && b->t[t].line == L; t++)
		on++;
	if (before * 2 > on)
		L++;
	if (L > E)
		return;
	for (x = L; x <= E; x++) {
		if (!rt_isblank(r, x))
			nb++;
		if (!rt_isblank(r, x) && r->ln[x].depth > 0)
			nq++;
	}
	if (nq * 10 < nb * 6) {
		rt_mark(r, L, r->n, RT_QUOTE);
	} else {
		for (t = first; t > 0 && b->t[t - 1].line >= L; t--)
			;
		for (x = L; x <= E; x++) {
			for (unmatched = 0; t < b->n && b->t[t].line == x; t++)
				if (!hit[t])
					unmatched = 1;
			if (r->ln[x].depth > 0 || rt_isblank(r, x) ||
			    !unmatched)
				rt_mark(r, x, x + 1, RT_QUOTE);
		}
	}
	while (L <= E && r->ln[L].cls != RT_QUOTE)
		L++;
	if (L <= E)
		rt_absorb(r, L, NULL);
	rt_take(r, "known-quote");
}

/* rt_known_one - find and take the copies of the known text kt */
static void
rt_known_one(struct rt *r, const struct rt_toks *b, const char *kt)
{
	struct rt_toks k = { NULL, 0, 0 };
	struct rt_tri tri = { NULL, NULL, 0 };
	unsigned char *hit;
	const char *p = kt, *e, *q;
	size_t i, je, first, got, tries = 0, need, w, work;

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		for (q = p;;) {
			while ((w = rt_space(q, e)) != 0)
				q += w;
			if (q < e && *q == '>')
				q++;
			else
				break;
		}
		rt_tokenize(&k, q, (size_t)(e - q), 0);
	}
	if (k.n < RT_MIN_WORDS || b->n < 3) {
		free(k.t);
		return;
	}
	need = (k.n * 8 + 9) / 10;
	work = 4 * (b->n + k.n);
	rt_tri_build(&tri, &k);
	hit = xcalloc(b->n, 1);
	for (i = b->n; i >= 3 && tries < RT_TRIES && work > 0; i--) {
		if (r->ln[b->t[i - 1].line].cls != RT_TEXT)
			continue;
		je = rt_tri_get(&tri, rt_trikey(&b->t[i - 3]));
		if (je == RT_NONE)
			continue;
		tries++;
		got = rt_align(b, &k, &tri, i - 1, je + 2, hit, &first, &work);
		if (got >= need)
			got = rt_trim_start(hit, i - 1, got, &first);
		if (got >= need) {
			rt_known_mark(r, b, hit, first, i - 1);
			i = first + 1;
		} else
			memset(hit + first, 0, i - first);
	}
	free(hit);
	free(tri.key);
	free(tri.pos);
	free(k.t);
}

/* rt_known - take the copies of every known text */
static void
rt_known(struct rt *r, const struct mail_reply_hints *h)
{
	struct rt_toks b = { NULL, 0, 0 };
	size_t i;

	if (h == NULL || h->known_quoted == NULL || h->nknown == 0)
		return;
	for (i = 0; i < r->n; i++)
		rt_tokenize(&b, r->ln[i].s + r->ln[i].c, r->ln[i].clen, i);
	for (i = 0; i < h->nknown; i++)
		if (h->known_quoted[i] != NULL)
			rt_known_one(r, &b, h->known_quoted[i]);
	free(b.t);
}

/* rt_lowline - line i's content, spaces collapsed, lower case, into out */
static void
rt_lowline(const struct rt *r, size_t i, struct buf *out)
{
	const struct rt_line *l = &r->ln[i];
	const char *p = l->s + l->c, *e = p + l->clen;
	size_t w;
	int sp = 0;

	buf_reset(out);
	while (p < e) {
		if ((w = rt_space(p, e)) != 0) {
			sp = 1;
			p += w;
			continue;
		}
		if (sp)
			buf_addc(out, ' ');
		sp = 0;
		buf_addc(out, rt_lower((unsigned char)*p++));
	}
}

/*
 * rt_marker - the first line holding the marker: unprefixed, it and all
 * below are quote; inside a ">" block, that block is
 */
static void
rt_marker(struct rt *r, const char *marker)
{
	struct buf *mk, *line;
	const char *p, *e;
	size_t i, b, x, w;
	int sp = 0;

	if (marker == NULL)
		return;
	mk = buf_new(64);
	for (p = marker, e = p + strlen(p); p < e;) {
		if ((w = rt_space(p, e)) != 0) {
			sp = mk->len > 0;
			p += w;
			continue;
		}
		if (sp)
			buf_addc(mk, ' ');
		sp = 0;
		buf_addc(mk, rt_lower((unsigned char)*p++));
	}
	line = buf_new(256);
	for (i = 0; mk->len > 0 && i < r->n; i++) {
		if (r->ln[i].cls != RT_TEXT || r->ln[i].clen < mk->len)
			continue;
		rt_lowline(r, i, line);
		if (memmem(line->data, line->len, mk->data, mk->len) == NULL)
			continue;
		if (r->ln[i].depth == 0) {
			rt_mark(r, i, r->n, RT_QUOTE);
			b = i;
		} else {
			for (b = i; b > 0 && r->ln[b - 1].cls == RT_TEXT &&
			    (r->ln[b - 1].depth > 0 || rt_isblank(r, b - 1));
			    b--)
				;
			while (rt_isblank(r, b))
				b++;
			for (x = i + 1; x < r->n && r->ln[x].cls == RT_TEXT &&
			    (r->ln[x].depth > 0 || rt_isblank(r, x)); x++)
				;
			while (x > i + 1 && rt_isblank(r, x - 1))
				x--;
			rt_mark(r, b, x, RT_QUOTE);
		}
		rt_absorb(r, b, NULL);
		rt_take(r, "marker");
		break;
	}
	buf_free(line);
	buf_free(mk);
}

/*
 * rt_structure - the first header of an unprefixed quote: it and all below
 * it is quote. An attribution counts only when unprefixed text follows it
 * (or nothing): before a ">" block it is rt_blocks()' business.
 */
static void
rt_structure(struct rt *r)
{
	const char *rule = NULL;
	size_t i, j, k;

	for (i = 0; i < r->n; i++) {
		if (r->ln[i].cls != RT_TEXT || r->ln[i].depth != 0 ||
		    rt_isblank(r, i))
			continue;
		if (rt_sep(r, i)) {
			rule = "original-message";
			break;
		}
		if (rt_underscore(r, i)) {
			for (j = i + 1; j < r->n && j < i + 4 &&
			    rt_isblank(r, j); j++)
				;
			if (j < r->n && rt_hdrblock(r, j) != 0) {
				rule = "outlook-header";
				break;
			}
		}
		if (rt_hdrblock(r, i) != 0) {
			i = rt_hdrstart(r, i);
			rule = "outlook-header";
			break;
		}
		if ((k = rt_attrib(r, i, 0, &rule)) != 0) {
			for (j = i + k; j < r->n && r->ln[j].cls == RT_TEXT &&
			    rt_isblank(r, j); j++)
				;
			if (j == r->n || (r->ln[j].cls == RT_TEXT &&
			    r->ln[j].depth == 0))
				break;
			rule = NULL;
		}
	}
	if (rule == NULL)
		return;
	rt_mark(r, i, r->n, RT_QUOTE);
	rt_absorb(r, i, NULL);
	rt_take(r, rule);
}

/*
 * rt_blocks - take each ">" block (quoted lines, with the blank lines
 * between them) and the attribution above it; the lines between blocks
 * are the answers and stay
 */
static void
rt_blocks(struct rt *r)
{
	const char *rule;
	size_t i, e, k, f;

	for (i = 0; i < r->n;) {
		if (r->ln[i].cls != RT_TEXT || r->ln[i].depth == 0) {
			i++;
			continue;
		}
		for (e = i + 1; e < r->n;) {
			if (r->ln[e].cls == RT_TEXT && r->ln[e].depth > 0) {
				e++;
				continue;
			}
			for (k = e; k < r->n && (r->ln[k].cls == RT_QUOTE ||
			    (r->ln[k].cls == RT_TEXT && rt_isblank(r, k))); k++)
				;
			if (k < r->n && r->ln[k].cls == RT_TEXT &&
			    r->ln[k].depth > 0)
				e = k + 1;
			else
				break;
		}
		rt_mark(r, i, e, RT_QUOTE);
		rule = NULL;
		rt_absorb(r, i, &rule);
		for (f = i; rule == NULL && f < e; f++)
			if (!rt_isblank(r, f)) {
				rt_attrib(r, f, 1, &rule);
				break;
			}
		r->nblocks++;
		r->last_end = e;
		r->last_rule = rule;
		i = e;
	}
}

/*
 * rt_sig - the first "-- " line after some text, with at most RT_SIG_LINES
 * non-blank lines after it ("--": at most RT_SIG_SHORT), starts the
 * signature
 */
static void
rt_sig(struct rt *r)
{
	size_t i, j, cnt;
	int seen = 0, exact;

	for (i = 0; i < r->n; i++) {
		if (r->ln[i].cls != RT_TEXT)
			continue;
		if (seen && rt_delim(r, i, &exact)) {
			for (cnt = 0, j = i + 1; j < r->n &&
			    cnt <= RT_SIG_LINES; j++)
				if (r->ln[j].cls == RT_TEXT &&
				    !rt_isblank(r, j))
					cnt++;
			if ((exact && cnt <= RT_SIG_LINES) ||
			    (cnt >= 1 && cnt <= RT_SIG_SHORT)) {
				rt_mark(r, i, r->n, RT_SIG);
				r->sig_rule = "signature-dashes";
				return;
			}
		}
		if (!rt_isblank(r, i))
			seen = 1;
	}
}

/* rt_footers - take mobile footers from the end of the text */
static void
rt_footers(struct rt *r)
{
	size_t i, last, round;

	for (round = 0; round < 3; round++) {
		last = RT_NONE;
		for (i = 0; i < r->n; i++)
			if (r->ln[i].cls == RT_TEXT && !rt_isblank(r, i))
				last = i;
		if (last == RT_NONE || !rt_footer(r, last))
			return;
		for (i = 0; i < last; i++)
			if (r->ln[i].cls == RT_TEXT && !rt_isblank(r, i))
				break;
		if (i == last)
			return;			/* the footer is all there is */
		rt_mark(r, last, r->n, RT_SIG);
		if (r->sig_rule == NULL)
			r->sig_rule = "mobile-footer";
	}
}

/* rt_decide - the rule, when no step before rt_blocks() took a quote */
static void
rt_decide(struct rt *r)
{
	size_t i;
	int after = 0;

	if (r->rule != NULL)
		return;
	if (r->nblocks > 0) {
		for (i = r->last_end; i < r->n; i++)
			if (r->ln[i].cls == RT_TEXT && !rt_isblank(r, i))
				after = 1;
		if (r->nblocks == 1 && !after && r->last_rule != NULL)
			r->rule = r->last_rule;
		else
			r->rule = "quote-prefix";
		return;
	}
	r->rule = r->sig_rule != NULL ? r->sig_rule : "none";
}

/* rt_text - the TEXT lines; one blank line where quote was taken out */
static char *
rt_text(const struct rt *r)
{
	struct buf *out = buf_new(256);
	size_t i, blanks = 0;
	int gap = 0;

	for (i = 0; i < r->n; i++) {
		if (r->ln[i].cls != RT_TEXT) {
			gap = out->len > 0;
			continue;
		}
		if (rt_isblank(r, i)) {
			blanks += out->len > 0;
			continue;
		}
		if (out->len > 0) {
			if (gap)
				buf_adds(out, "\n\n");
			else
				for (buf_addc(out, '\n'); blanks > 0; blanks--)
					buf_addc(out, '\n');
		}
		buf_add(out, r->ln[i].s, r->ln[i].len);
		blanks = 0;
		gap = 0;
	}
	return buf_export(out, NULL);
}

/* rt_part - the lines of class cls as written, blank lines trimmed */
static char *
rt_part(const struct rt *r, int cls)
{
	struct buf *out = buf_new(256);
	size_t i, blanks = 0;
	int dummy;

	for (i = 0; i < r->n; i++) {
		if (r->ln[i].cls != cls)
			continue;
		if (cls == RT_SIG && out->len == 0 && rt_delim(r, i, &dummy))
			continue;
		if (rt_rawblank(r, i)) {
			blanks += out->len > 0;
			continue;
		}
		if (out->len > 0)
			for (buf_addc(out, '\n'); blanks > 0; blanks--)
				buf_addc(out, '\n');
		buf_add(out, r->ln[i].s, r->ln[i].len);
		blanks = 0;
	}
	return buf_export(out, NULL);
}

/* rt_whole - every line, as written, blank lines trimmed at both ends */
static char *
rt_whole(const struct rt *r)
{
	struct buf *out = buf_new(256);
	size_t i, blanks = 0;

	for (i = 0; i < r->n; i++) {
		if (rt_rawblank(r, i)) {
			blanks += out->len > 0;
			continue;
		}
		if (out->len > 0)
			for (buf_addc(out, '\n'); blanks > 0; blanks--)
				buf_addc(out, '\n');
		buf_add(out, r->ln[i].s, r->ln[i].len);
		blanks = 0;
	}
	return buf_export(out, NULL);
}

/* mail_reply_split - split body into new text, quote and signature */
int
mail_reply_split(const char *body, const struct mail_reply_hints *hints,
    struct mail_reply *out)
{
	struct rt r;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	rt_split(&r, body != NULL ? body : "");
	rt_known(&r, hints);
	rt_marker(&r, hints != NULL ? hints->marker : NULL);
	rt_structure(&r);
	rt_blocks(&r);
	rt_sig(&r);
	rt_footers(&r);
	rt_decide(&r);
	out->text = rt_text(&r);
	if (out->text[0] == '\0') {
		free(out->text);
		out->text = rt_whole(&r);
		out->quoted = xstrdup("");
		out->signature = xstrdup("");
		out->rule = "none";
		out->sig_rule = NULL;
	} else {
		out->quoted = rt_part(&r, RT_QUOTE);
		out->signature = rt_part(&r, RT_SIG);
		out->rule = r.rule;
		out->sig_rule = r.sig_rule;
	}
	free(r.ln);
	return 0;
}

/* mail_reply_free - free the strings of out and clear it; accepts NULL */
void
mail_reply_free(struct mail_reply *out)
{
	if (out == NULL)
		return;
	free(out->text);
	free(out->quoted);
	free(out->signature);
	memset(out, 0, sizeof(*out));
}
