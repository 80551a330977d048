/*
 * mail_html.c - HTML mail bodies as readable text (see mail_html.h)
 *
 * The document is parsed by libxml2's HTML parser in recovery mode, with
 * the network, error output and the document's own encoding declaration
 * switched off. The tree is then walked without recursion (first child,
 * next sibling, back up through parent), keeping a small state:
 *
 *   nl     newlines owed before the next visible text (2 = a blank line)
 *   space  one collapsed white space owed before the next visible text
 *   pre    how many <pre> elements enclose the current node
 *   list   how many <ul>/<ol>/<dl> enclose it (nested lists get no gap)
 *
 * Owed newlines and spaces are written only when more text follows, so the
 * start and the end come out trimmed and block boundaries do not pile up.
 * A last pass (html_tidy) strips trailing blanks from every line and
 * squeezes runs of blank lines to one, <pre> included.
 *
 * Links: the output length at <a> is pushed on a small stack (anchors
 * nested deeper than HTML_ASTACK are read as plain text); at </a> the text
 * written since is compared with the href.
 */
#include <limits.h>
#include <string.h>

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

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
	int	pre;
	int	list;
	int	adepth;
	size_t	astart[HTML_ASTACK];
};

static enum html_kind html_kind(const xmlNode *);
static void html_owe(struct html_state *, int);
static void html_flush(struct html_state *);
static void html_put(struct html_state *, int);
static void html_text(struct html_state *, const unsigned char *);
static int html_enter(struct html_state *, xmlNode *);
static void html_leave(struct html_state *, xmlNode *);
static void html_link(struct html_state *, xmlNode *, size_t);
static int html_same(const char *, size_t, const char *, size_t);
static void html_walk(struct html_state *, xmlNode *);
static char *html_tidy(const char *, size_t);
static char *html_clean_input(const char *, size_t, size_t *);

/* html_kind - layout class of an element node, by name */
static enum html_kind
html_kind(const xmlNode *node)
{
	size_t lo = 0, hi = sizeof(html_tags) / sizeof(html_tags[0]);
	const char *name = (const char *)node->name;

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

/* html_text - write a text node, collapsing white space outside <pre> */
static void
html_text(struct html_state *h, const unsigned char *s)
{
	for (; *s != '\0'; s++) {
		if (h->pre > 0) {
			if (*s != '\r')
				html_put(h, *s);
		} else if (*s == ' ' || *s == '\t' || *s == '\n' ||
		    *s == '\r' || *s == '\f' || *s == '\v')
			h->space = 1;
		else if (s[0] == 0xc2 && s[1] == 0xa0) {
			html_put(h, ' ');	/* &nbsp; is a space that stays */
			s++;
		} else
			html_put(h, *s);
	}
}

/* html_enter - start an element or write a text node; 0 = skip its subtree */
static int
html_enter(struct html_state *h, xmlNode *node)
{
	if (node->type == XML_TEXT_NODE ||
	    node->type == XML_CDATA_SECTION_NODE) {
		if (node->content != NULL)
			html_text(h, node->content);
		return 1;
	}
	if (node->type != XML_ELEMENT_NODE)
		return 0;
	switch (html_kind(node)) {
	case HTML_SKIP:
		return 0;
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
		if (h->adepth < HTML_ASTACK)
			h->astart[h->adepth] = h->out->len;
		h->adepth++;
		break;
	case HTML_INLINE:
		break;
	}
	return 1;
}

/* html_leave - end an element entered with html_enter() */
static void
html_leave(struct html_state *h, xmlNode *node)
{
	if (node->type != XML_ELEMENT_NODE)
		return;
	switch (html_kind(node)) {
	case HTML_LINE:
	case HTML_LI:
		html_owe(h, 1);
		break;
	case HTML_PARA:
		html_owe(h, 2);
		break;
	case HTML_LIST:
		h->list--;
		html_owe(h, h->list > 0 ? 1 : 2);
		break;
	case HTML_PRE:
		h->pre--;
		html_owe(h, 2);
		break;
	case HTML_CELL:
		h->space = 1;
		break;
	case HTML_A:
		h->adepth--;
		if (h->adepth < HTML_ASTACK)
			html_link(h, node, h->astart[h->adepth]);
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
html_link(struct html_state *h, xmlNode *node, size_t start)
{
	xmlChar *href;
	const char *text, *p;
	size_t tlen;
	struct buf *url;

	if ((href = xmlGetProp(node, BAD_CAST "href")) == NULL)
		return;
	url = buf_new(64);
	for (p = (const char *)href; *p != '\0'; p++)
		if ((unsigned char)*p > ' ')
			buf_addc(url, *p);
	xmlFree(href);
	if (g_ascii_strncasecmp(url->data, "http://", 7) != 0 &&
	    g_ascii_strncasecmp(url->data, "https://", 8) != 0 &&
	    g_ascii_strncasecmp(url->data, "mailto:", 7) != 0)
		goto done;

	/* the text written since <a>, without surrounding white space */
	text = h->out->data + start;
	tlen = h->out->len - start;
	while (tlen > 0 && (*text == ' ' || *text == '\n')) {
		text++;
		tlen--;
	}
	while (tlen > 0 && (text[tlen - 1] == ' ' || text[tlen - 1] == '\n'))
		tlen--;
	if (html_same(text, tlen, url->data, url->len))
		goto done;
	if (tlen == 0)
		html_flush(h);
	else
		buf_addc(h->out, ' ');
	buf_addc(h->out, '<');
	buf_add(h->out, url->data, url->len);
	buf_addc(h->out, '>');
	h->trail = 0;
done:
	buf_free(url);
}

/* html_walk - visit the tree in document order without recursion */
static void
html_walk(struct html_state *h, xmlNode *node)
{
	while (node != NULL) {
		if (html_enter(h, node) && node->children != NULL &&
		    node->type == XML_ELEMENT_NODE) {
			node = node->children;
			continue;
		}
		if (node->type == XML_ELEMENT_NODE &&
		    html_kind(node) != HTML_SKIP)
			html_leave(h, node);
		while (node != NULL && node->next == NULL) {
			node = node->parent;
			if (node == NULL || node->type != XML_ELEMENT_NODE)
				return;
			html_leave(h, node);
		}
		if (node != NULL)
			node = node->next;
	}
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
	htmlDocPtr doc;
	char *in, *text;
	size_t n;

	if (html == NULL || len == 0)
		return xstrdup("");
	in = html_clean_input(html, len, &n);
	if (n == 0) {
		free(in);
		return xstrdup("");
	}
	doc = htmlReadMemory(in, (int)n, NULL, "UTF-8", HTML_PARSE_RECOVER |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	    HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
	free(in);
	if (doc == NULL)
		return xstrdup("");
	memset(&h, 0, sizeof(h));
	h.out = buf_new(n / 2);
	html_walk(&h, doc->children);
	xmlFreeDoc(doc);
	text = html_tidy(h.out->data, h.out->len);
	buf_free(h.out);
	return text;
}
