/*
 * mail_html.c - HTML mail bodies as readable text (see mail_html.h)
 *
 * libxml2's HTML parser reads the document in recovery mode, with the
 * network, error output and the document's own encoding declaration off,
 * and reports it through SAX callbacks (start tag, end tag, text); no tree
 * is built, so memory stays a small multiple of the input however many
 * elements it holds (a DOM of 100 MB of "<p>x" needs gigabytes). The
 * parser balances the events: every start gets an end, implied or not.
 * The callbacks keep a small state:
 *
 *   nl     newlines owed before the next visible text (2 = a blank line)
 *   space  one collapsed white space owed before the next visible text
 *   skip   depth inside an element whose contents are never shown
 *   pre    how many <pre> elements are open (white space kept there)
 *   list   how many <ul>/<ol>/<dl> are open (nested lists get no gap)
 *
 * Owed newlines and spaces are written only when more text follows, so the
 * start and the end come out trimmed and block boundaries do not pile up.
 * A last pass (html_tidy) strips trailing blanks from every line and
 * squeezes runs of blank lines to one, <pre> included.
 *
 * Links: at <a> the output length and the href are pushed on a small stack
 * (anchors nested deeper than HTML_ASTACK are read as plain text); at </a>
 * the text written since is compared with the href.
 */
#include <limits.h>
#include <string.h>

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "util/buf.h"
#include "util/xalloc.h"

#include "mail_html.h"

#define HTML_ASTACK	16

/* How an element lays out. */
enum html_kind {
	HTML_INLINE = 0,	/* text flows through */
	HTML_LINE,		/* starts and ends a line */
	HTML_PARA,		/* separated by a blank line */
	HTML_SKIP,		/* contents never shown */
	HTML_BR,
	HTML_LI,
	HTML_LIST,		/* ul, ol, dl: a paragraph unless nested */
	HTML_PRE,
	HTML_CELL,		/* td, th: a space between cells */
	HTML_A
};

struct html_tag {
	const char *name;
	enum html_kind kind;
};

static const struct html_tag html_tags[] = {
	{ "a", HTML_A }, { "address", HTML_LINE }, { "article", HTML_LINE },
	{ "aside", HTML_LINE }, { "blockquote", HTML_PARA },
	{ "body", HTML_LINE }, { "br", HTML_BR }, { "caption", HTML_LINE },
	{ "center", HTML_LINE }, { "dd", HTML_LINE }, { "details", HTML_LINE },
	{ "dir", HTML_LIST }, { "div", HTML_LINE }, { "dl", HTML_LIST },
	{ "dt", HTML_LINE }, { "fieldset", HTML_LINE },
	{ "figcaption", HTML_LINE }, { "figure", HTML_LINE },
	{ "footer", HTML_LINE }, { "form", HTML_LINE }, { "h1", HTML_PARA },
	{ "h2", HTML_PARA }, { "h3", HTML_PARA }, { "h4", HTML_PARA },
	{ "h5", HTML_PARA }, { "h6", HTML_PARA }, { "head", HTML_SKIP },
	{ "header", HTML_LINE }, { "hr", HTML_PARA }, { "html", HTML_LINE },
	{ "legend", HTML_LINE }, { "li", HTML_LI }, { "main", HTML_LINE },
	{ "menu", HTML_LIST }, { "nav", HTML_LINE }, { "ol", HTML_LIST },
	{ "option", HTML_LINE }, { "p", HTML_PARA }, { "pre", HTML_PRE },
	{ "script", HTML_SKIP }, { "section", HTML_LINE },
	{ "style", HTML_SKIP }, { "summary", HTML_LINE },
	{ "table", HTML_PARA }, { "tbody", HTML_LINE }, { "td", HTML_CELL },
	{ "template", HTML_SKIP }, { "tfoot", HTML_LINE },
	{ "th", HTML_CELL }, { "thead", HTML_LINE }, { "title", HTML_SKIP },
	{ "tr", HTML_LINE }, { "ul", HTML_LIST },
};

struct html_state {
	struct buf *out;
	int	nl;
	int	space;
	int	trail;			/* newlines at the end of out */
	int	skip;
	int	pre;
	int	list;
	int	adepth;
	size_t	astart[HTML_ASTACK];	/* output length at <a> */
	char	*ahref[HTML_ASTACK];	/* its href, NULL when none */
};

static enum html_kind html_kind(const xmlChar *);
static void html_owe(struct html_state *, int);
static void html_flush(struct html_state *);
static void html_put(struct html_state *, int);
static void html_text(void *, const xmlChar *, int);
static void html_start(void *, const xmlChar *, const xmlChar **);
static void html_end(void *, const xmlChar *);
static char *html_href(const xmlChar **);
static void html_link(struct html_state *, const char *, size_t);
static int html_same(const char *, size_t, const char *, size_t);
static char *html_tidy(const char *, size_t);
static char *html_clean_input(const char *, size_t, size_t *);

/* html_kind - layout class of an element, by name */
static enum html_kind
html_kind(const xmlChar *tag)
{
	size_t lo = 0, hi = sizeof(html_tags) / sizeof(html_tags[0]);
	const char *name = (const char *)tag;

	if (name == NULL)
		return HTML_INLINE;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = g_ascii_strcasecmp(name, html_tags[mid].name);

		if (c == 0)
			return html_tags[mid].kind;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return HTML_INLINE;
}

/* html_owe - ask for at least n newlines before the next text */
static void
html_owe(struct html_state *h, int n)
{
	if (h->nl < n)
		h->nl = n;
}

/* html_flush - write the newlines or space owed, if text has been written */
static void
html_flush(struct html_state *h)
{
	if (h->out->len == 0) {
		h->nl = h->space = 0;
		return;
	}
	if (h->nl > 0) {
		while (h->trail < h->nl) {
			buf_addc(h->out, '\n');
			h->trail++;
		}
	} else if (h->space && h->trail == 0)
		buf_addc(h->out, ' ');
	h->nl = h->space = 0;
}

/* html_put - write one visible byte after what is owed */
static void
html_put(struct html_state *h, int c)
{
	html_flush(h);
	if (c == '\n' && h->out->len == 0)
		return;
	buf_addc(h->out, c);
	h->trail = c == '\n' ? h->trail + 1 : 0;
}

/* html_text - SAX text: write it, collapsing white space outside <pre> */
static void
html_text(void *ctx, const xmlChar *s, int len)
{
	struct html_state *h = ((xmlParserCtxtPtr)ctx)->_private;
	const xmlChar *end = s + len;

	if (h->skip > 0)
		return;
	for (; s < end; s++) {
		if (h->pre > 0) {
			if (*s != '\r')
				html_put(h, *s);
		} else if (*s == ' ' || *s == '\t' || *s == '\n' ||
		    *s == '\r' || *s == '\f' || *s == '\v')
			h->space = 1;
		else if (s[0] == 0xc2 && s + 1 < end && s[1] == 0xa0) {
			html_put(h, ' ');	/* &nbsp; is a space that stays */
			s++;
		} else
			html_put(h, *s);
	}
}

/* html_href - a copy of the href attribute among atts, or NULL */
static char *
html_href(const xmlChar **atts)
{
	struct buf *url;
	const char *p;

	for (; atts != NULL && atts[0] != NULL; atts += 2) {
		if (g_ascii_strcasecmp((const char *)atts[0], "href") != 0 ||
		    atts[1] == NULL)
			continue;
		url = buf_new(64);
		for (p = (const char *)atts[1]; *p != '\0'; p++)
			if ((unsigned char)*p > ' ')
				buf_addc(url, *p);
		return buf_export(url, NULL);
	}
	return NULL;
}

/* html_start - SAX start tag */
static void
html_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct html_state *h = ((xmlParserCtxtPtr)ctx)->_private;

	if (h->skip > 0) {
		h->skip++;
		return;
	}
	switch (html_kind(name)) {
	case HTML_SKIP:
		h->skip = 1;
		break;
	case HTML_LINE:
		html_owe(h, 1);
		break;
	case HTML_PARA:
		html_owe(h, 2);
		break;
	case HTML_LIST:
		html_owe(h, h->list > 0 ? 1 : 2);
		h->list++;
		break;
	case HTML_PRE:
		html_owe(h, 2);
		h->pre++;
		break;
	case HTML_BR:
		if (h->nl < 2)
			h->nl++;
		break;
	case HTML_LI:
		html_owe(h, 1);
		html_put(h, '-');
		html_put(h, ' ');
		break;
	case HTML_CELL:
		h->space = 1;
		break;
	case HTML_A:
		if (h->adepth < HTML_ASTACK) {
			h->astart[h->adepth] = h->out->len;
			h->ahref[h->adepth] = html_href(atts);
		}
		h->adepth++;
		break;
	case HTML_INLINE:
		break;
	}
}

/* html_end - SAX end tag (libxml2 sends one for every start tag) */
static void
html_end(void *ctx, const xmlChar *name)
{
	struct html_state *h = ((xmlParserCtxtPtr)ctx)->_private;

	if (h->skip > 0) {
		h->skip--;
		return;
	}
	switch (html_kind(name)) {
	case HTML_LINE:
	case HTML_LI:
		html_owe(h, 1);
		break;
	case HTML_PARA:
		html_owe(h, 2);
		break;
	case HTML_LIST:
		if (h->list > 0)
			h->list--;
		html_owe(h, h->list > 0 ? 1 : 2);
		break;
	case HTML_PRE:
		if (h->pre > 0)
			h->pre--;
		html_owe(h, 2);
		break;
	case HTML_CELL:
		h->space = 1;
		break;
	case HTML_A:
		if (h->adepth > 0 && --h->adepth < HTML_ASTACK) {
			html_link(h, h->ahref[h->adepth], h->astart[h->adepth]);
			free(h->ahref[h->adepth]);
			h->ahref[h->adepth] = NULL;
		}
		break;
	default:
		break;
	}
}

/* html_same - does a link's text already say what its url says? */
static int
html_same(const char *text, size_t tlen, const char *url, size_t ulen)
{
	if (tlen == ulen && memcmp(text, url, ulen) == 0)
		return 1;
	if (ulen > 7 && g_ascii_strncasecmp(url, "mailto:", 7) == 0 &&
	    tlen == ulen - 7 && memcmp(text, url + 7, tlen) == 0)
		return 1;
	if (ulen > 1 && url[ulen - 1] == '/' && tlen == ulen - 1 &&
	    memcmp(text, url, tlen) == 0)
		return 1;
	return 0;
}

/* html_link - at </a>, add " <url>" when the url says more than the text */
static void
html_link(struct html_state *h, const char *url, size_t start)
{
	const char *text;
	size_t tlen, ulen;

	if (url == NULL || (g_ascii_strncasecmp(url, "http://", 7) != 0 &&
	    g_ascii_strncasecmp(url, "https://", 8) != 0 &&
	    g_ascii_strncasecmp(url, "mailto:", 7) != 0))
		return;

	/* the text written since <a>, without surrounding white space */
	text = h->out->data + start;
	tlen = h->out->len - start;
	while (tlen > 0 && (*text == ' ' || *text == '\n')) {
		text++;
		tlen--;
	}
	while (tlen > 0 && (text[tlen - 1] == ' ' || text[tlen - 1] == '\n'))
		tlen--;
	ulen = strlen(url);
	if (html_same(text, tlen, url, ulen))
		return;
	if (tlen == 0)
		html_flush(h);
	else
		buf_addc(h->out, ' ');
	buf_addc(h->out, '<');
	buf_add(h->out, url, ulen);
	buf_addc(h->out, '>');
	h->trail = 0;
}

/* html_tidy - strip trailing blanks, squeeze blank lines, trim both ends */
static char *
html_tidy(const char *s, size_t n)
{
	struct buf *b = buf_new(n);
	size_t i = 0, j, e;
	int any = 0, blank = 0;

	while (i < n) {
		for (j = i; j < n && s[j] != '\n'; j++)
			;
		for (e = j; e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
			;
		if (e == i) {
			blank = any;
		} else {
			if (any)
				buf_adds(b, blank ? "\n\n" : "\n");
			buf_add(b, s + i, e - i);
			any = 1;
			blank = 0;
		}
		i = j + 1;
	}
	return buf_export(b, NULL);
}

/* html_clean_input - copy without NUL bytes, invalid UTF-8 replaced */
static char *
html_clean_input(const char *html, size_t len, size_t *outlen)
{
	char *copy, *fixed;
	size_t i, n = 0;

	if (len > INT_MAX)
		len = INT_MAX;
	copy = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		if (html[i] != '\0')
			copy[n++] = html[i];
	copy[n] = '\0';
	if (g_utf8_validate(copy, (gssize)n, NULL)) {
		*outlen = n;
		return copy;
	}
	fixed = g_utf8_make_valid(copy, (gssize)n);
	free(copy);
	copy = xstrdup(fixed);
	g_free(fixed);
	*outlen = strlen(copy);
	if (*outlen > INT_MAX)
		*outlen = INT_MAX;
	return copy;
}

/* mail_html_to_text - readable UTF-8 text of an HTML document (caller frees) */
char *
mail_html_to_text(const char *html, size_t len)
{
	struct html_state h;
	htmlParserCtxtPtr ctxt;
	xmlCharEncodingHandlerPtr utf8;
	char *in, *text;
	size_t n;
	int i;

	if (html == NULL || len == 0)
		return xstrdup("");
	in = html_clean_input(html, len, &n);
	if (n == 0 || (ctxt = htmlCreateMemoryParserCtxt(in, (int)n)) == NULL) {
		free(in);
		return xstrdup("");
	}
	memset(&h, 0, sizeof(h));
	h.out = buf_new(n / 2);

	/* our callbacks instead of the tree builder's; state in _private */
	ctxt->_private = &h;
	ctxt->sax->startElement = html_start;
	ctxt->sax->endElement = html_end;
	ctxt->sax->characters = html_text;
	ctxt->sax->ignorableWhitespace = html_text;
	ctxt->sax->cdataBlock = html_text;
	ctxt->sax->comment = NULL;
	ctxt->sax->processingInstruction = NULL;
	ctxt->sax->reference = NULL;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
	if ((utf8 = xmlFindCharEncodingHandler("UTF-8")) != NULL)
		xmlSwitchToEncoding(ctxt, utf8);
	(void)htmlParseDocument(ctxt);
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	htmlFreeParserCtxt(ctxt);
	free(in);

	for (i = 0; i < HTML_ASTACK; i++)
		free(h.ahref[i]);
	text = html_tidy(h.out->data, h.out->len);
	buf_free(h.out);
	return text;
}
