#!/usr/bin/env python3
"""gen.py - generate the reply-text test set for tests/unit/t_reply.c

Usage: python3 tests/reply/gen.py [outdir]   (default: this directory)

Writes <outdir>/<layout>/gNNN.txt, 40 replies per layout, the same every
run (fixed seed). Each reply is built the way a mail client builds it:
the new text a customer writes (from gen_lang.py), then what the client
adds below it (attribution line, Outlook header block, "> " quotes,
footer, signature). The expected new text is known because the generator
wrote it; nothing here runs the extractor. The hand-written replies are
the hNN.txt files beside the generated ones; this script never touches
them. File format: see the header of tests/unit/t_reply.c.
"""

import os
import random
import sys
import textwrap
import unicodedata
from datetime import datetime, timedelta

from gen_lang import L, LANGS, OUTLOOK, OWA_SENT, TB_FWD, TB_ORIG, MARKERS

MARKER = "##- Please type your reply above this line -##"
PER_LAYOUT = 40
MAIL_DOMAINS = ["mail.example", "posteo.example", "web.example",
                "example.com", "example.org", "gmx.example"]


# ---- people, dates ----

def first(name):
    return name.split()[0]


def slug(name):
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("ß", "ss").replace("ı", "i").replace("'", "")
    return ".".join(s.lower().split())


class Ctx:
    """The people and the date of one reply."""

    def __init__(self, lang, rnd):
        d = L[lang]
        self.lang = lang
        self.cust = rnd.choice(d["customers"])
        self.cust_email = slug(self.cust) + "@" + rnd.choice(MAIL_DOMAINS)
        self.agent = rnd.choice(d["agents"])
        self.company, self.domain = rnd.choice(d["companies"])
        self.ticket = rnd.randint(1000, 99999)
        tok = "".join(rnd.choice("abcdefghjkmnpqrstuvwxyz23456789")
                      for _ in range(8))
        self.support = "support+%d.%s@%s" % (self.ticket, tok, self.domain)
        self.url = "https://%s/t/%d/%s" % (self.domain, self.ticket, tok)
        self.subject = rnd.choice(d["subjects"])
        self.dt = datetime(2026, 1, 5, 7, 0) + timedelta(
            days=rnd.randint(0, 340), minutes=rnd.randint(0, 12 * 60))
        # who the quoted mail is from, as a client would name them
        self.qname = rnd.choice([self.company, self.agent])


def t12(dt):
    h = dt.hour % 12 or 12
    return "%d:%02d %s" % (h, dt.minute, "AM" if dt.hour < 12 else "PM")


def hm(dt):
    return "%02d:%02d" % (dt.hour, dt.minute)


def gmail_attr(lang, dt, name, email):
    d = L[lang]
    wd, mon = d["weekdays"][dt.weekday()], d["months"][dt.month - 1]
    return {
        "en": "On %s, %s %d, %d at %s %s <%s> wrote:"
              % (wd, mon, dt.day, dt.year, t12(dt), name, email),
        "de": "Am %s, %d. %s %d um %s Uhr schrieb %s <%s>:"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
        "fr": "Le %s %d %s %d à %s, %s <%s> a écrit :"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
        "es": "El %s, %d %s %d a las %s, %s (<%s>) escribió:"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
        "pt": "Em %s, %d de %s de %d às %s, %s <%s> escreveu:"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
        "nl": "Op %s %d %s %d om %s schreef %s <%s>:"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
        "it": "Il giorno %s %d %s %d alle ore %s %s <%s> ha scritto:"
              % (wd, dt.day, mon, dt.year, hm(dt), name, email),
    }[lang]


def apple_attr(lang, dt, name, email, us=False):
    d = L[lang]
    mon = d["months"][dt.month - 1]
    if lang == "en" and us:
        return "On %s %d, %d, at %s, %s <%s> wrote:" % (
            mon, dt.day, dt.year, t12(dt), name, email)
    return {
        "en": "On %d %s %d, at %s, %s <%s> wrote:"
              % (dt.day, mon, dt.year, hm(dt), name, email),
        "de": "Am %02d.%02d.%d um %s schrieb %s <%s>:"
              % (dt.day, dt.month, dt.year, hm(dt), name, email),
        "fr": "Le %d %s %d à %s, %s <%s> a écrit :"
              % (dt.day, mon, dt.year, hm(dt), name, email),
        "es": "El %d %s %d, a las %s, %s <%s> escribió:"
              % (dt.day, mon, dt.year, hm(dt), name, email),
        "pt": "Em %d de %s de %d, à(s) %s, %s <%s> escreveu:"
              % (dt.day, mon, dt.year, hm(dt), name, email),
        "nl": "Op %d %s %d om %s heeft %s <%s> het volgende geschreven:"
              % (dt.day, mon, dt.year, hm(dt), name, email),
        "it": "Il giorno %d %s %d, alle ore %s, %s <%s> ha scritto:"
              % (dt.day, mon, dt.year, hm(dt), name, email),
    }[lang]


def tb_attr(lang, dt, name):
    yy = dt.year % 100
    return {
        "en": "On %d/%d/%02d %s, %s wrote:" % (dt.month, dt.day, yy, t12(dt),
                                              name),
        "de": "Am %02d.%02d.%02d um %s schrieb %s:" % (dt.day, dt.month, yy,
                                                       hm(dt), name),
        "fr": "Le %02d/%02d/%d à %s, %s a écrit :" % (dt.day, dt.month,
                                                      dt.year, hm(dt), name),
        "es": "El %02d/%02d/%02d a las %s, %s escribió:" % (
            dt.day, dt.month, yy, hm(dt), name),
        "pt": "Em %02d/%02d/%d %s, %s escreveu:" % (dt.day, dt.month,
                                                    dt.year, hm(dt), name),
        "nl": "Op %02d-%02d-%d om %s schreef %s:" % (dt.day, dt.month,
                                                    dt.year, hm(dt), name),
        "it": "Il %02d/%02d/%02d %s, %s ha scritto:" % (dt.day, dt.month, yy,
                                                       hm(dt), name),
    }[lang]


def tb_alt_attr(lang, dt, name):
    dmy = "%02d.%02d.%d" % (dt.day, dt.month, dt.year)
    slash = "%02d/%02d/%d" % (dt.day, dt.month, dt.year)
    return {
        "en": "%s wrote on %s %s:" % (name, dmy, hm(dt)),
        "de": "%s schrieb am %s um %s:" % (name, dmy, hm(dt)),
        "fr": "%s a écrit le %s à %s :" % (name, slash, hm(dt)),
        "es": "%s escribió el %s a las %s:" % (name, slash, hm(dt)),
        "pt": "%s escreveu em %s às %s:" % (name, slash, hm(dt)),
        "nl": "%s schreef op %02d-%02d-%d om %s:" % (name, dt.day, dt.month,
                                                    dt.year, hm(dt)),
        "it": "%s ha scritto il %s alle %s:" % (name, slash, hm(dt)),
    }[lang]


def outlook_date(lang, dt):
    d = L[lang]
    wd, mon = d["weekdays_long"][dt.weekday()], d["months_long"][dt.month - 1]
    return {
        "en": "%s, %s %d, %d %s" % (wd, mon, dt.day, dt.year, t12(dt)),
        "de": "%s, %d. %s %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
        "fr": "%s %d %s %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
        "es": "%s, %d de %s de %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
        "pt": "%s, %d de %s de %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
        "nl": "%s %d %s %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
        "it": "%s %d %s %d %s" % (wd, dt.day, mon, dt.year, hm(dt)),
    }[lang]


def rfc_date(dt):
    return dt.strftime("%a, %d %b %Y %H:%M:00 +0100")


# ---- text ----

def wrap_attr(line, width, rnd):
    """Wrap an attribution the way Gmail does: at spaces, or after '<'."""
    if len(line) <= width:
        return line
    lines = textwrap.wrap(line, width, break_long_words=False,
                          break_on_hyphens=False)
    if rnd.random() < 0.5:
        # "Name <\naddress> wrote:"
        for k in range(1, len(lines)):
            if lines[k].startswith("<") and len(lines[k - 1]) < width - 1:
                lines[k - 1] += " <"
                lines[k] = lines[k][1:]
    return "\n".join(lines[:3]) if len(lines) <= 3 else line


def quote(text, prefix="> ", empty=">"):
    return "\n".join(prefix + ln if ln.strip() else empty
                     for ln in text.split("\n"))


def rewrap(text, width):
    """Reflow each paragraph of text to width, as format=flowed does."""
    out = []
    for p in text.split("\n\n"):
        lines = p.split("\n")
        if len(lines) > 1 and all(len(x) > 45 for x in lines[:-1]):
            out.append("\n".join(textwrap.wrap(" ".join(lines), width,
                                               break_long_words=False,
                                               break_on_hyphens=False)))
        else:
            out.append(p)
    return "\n\n".join(out)


def cap(s):
    return s[:1].upper() + s[1:]


def new_text(ctx, rnd, lo=1, hi=3, greet=None, closing=None):
    d = L[ctx.lang]
    parts = []
    if greet is None:
        greet = rnd.random() < 0.75
    if closing is None:
        closing = rnd.random() < 0.8
    paras = rnd.sample(d["paras"], rnd.randint(lo, hi))
    if greet:
        parts.append(rnd.choice(d["greet"]).format(a=first(ctx.agent)))
    else:
        paras[0] = cap(paras[0])
    parts += paras
    if closing:
        parts.append(rnd.choice(d["closings"]).format(
            c=ctx.cust, cf=first(ctx.cust)))
    return "\n\n".join(parts)


def agent_mail(ctx, rnd):
    d = L[ctx.lang]
    msg = rnd.choice(d["agent_msgs"])
    close = rnd.choice(d["agent_close"]).format(a=ctx.agent, co=ctx.company)
    return "\n\n".join([d["agent_greet"].format(cf=first(ctx.cust))] + msg +
                       [close])


def notification(ctx, rnd, marker=MARKER, mail=None):
    n = L[ctx.lang]["notif"]
    return "\n\n".join([marker, n[0].format(t=ctx.ticket),
                        n[1].format(a=ctx.agent, co=ctx.company),
                        mail or agent_mail(ctx, rnd),
                        n[2].format(url=ctx.url), n[3].format(co=ctx.company)])


def signature(ctx, rnd):
    d = L[ctx.lang]
    lines = list(rnd.choice(d["sigs"]))
    return "\n".join(lines)


def outlook_header(ctx, rnd, web=False, mailto=False, blanks=False, cc=False,
                   extra=False):
    fr_, sent, to, ccl, subj, _ = OUTLOOK[ctx.lang]
    if web and ctx.lang in OWA_SENT:
        sent = OWA_SENT[ctx.lang]
    frm = ("%s [mailto:%s]" if mailto else "%s <%s>") % (ctx.qname,
                                                         ctx.support)
    lines = ["%s %s" % (fr_, frm),
             "%s %s" % (sent, outlook_date(ctx.lang, ctx.dt)),
             "%s %s <%s>" % (to, ctx.cust, ctx.cust_email)
             if rnd.random() < 0.6 else "%s %s" % (to, ctx.cust)]
    if cc:
        lines.append("%s %s" % (ccl, "Team <team@%s>" % ctx.domain))
    lines.append("%s %s [#%d] %s" % (subj, L[ctx.lang]["re"], ctx.ticket,
                                     ctx.subject))
    if extra and ctx.lang == "en":
        lines.insert(3, "Importance: High")
    return ("\n\n" if blanks else "\n").join(lines)


def case(body, expect, rule, sig=None, known=None, marker=None, note=""):
    return dict(body=body, expect=expect, rule=rule, sig=sig,
                known=known or [], marker=marker, note=note)


def quoted_mail(ctx, rnd, p_marker):
    """The mail being answered: a notification (with marker) or not."""
    if rnd.random() < p_marker:
        return notification(ctx, rnd), True
    return agent_mail(ctx, rnd), False


def add_sig_footer(ctx, rnd, text, p_sig=0.2, p_foot=0.1):
    """Maybe append a "-- " signature or a footer; returns body part, sig."""
    r = rnd.random()
    if r < p_sig:
        s = signature(ctx, rnd)
        return text + "\n\n-- \n" + s, s
    if r < p_sig + p_foot:
        f = rnd.choice(L[ctx.lang]["footers"])
        return text + "\n\n" + f, f
    return text, ""


# ---- layouts ----

def gen_onwrote(lang, rnd, i):
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    top, sig = add_sig_footer(ctx, rnd, text)
    qmail, marked = quoted_mail(ctx, rnd, 0.15)
    v = i % 8
    if v in (0, 5, 6):
        attr = gmail_attr(lang, ctx.dt, ctx.qname, ctx.support)
        width = 78 if v != 5 else rnd.choice([48, 56, 64])
        attr = wrap_attr(attr, width, rnd)
        q = quote(qmail)
        if v == 6:
            older = quote(new_text(ctx, rnd, 1, 1))
            q = quote(qmail + "\n\n" + gmail_attr(
                lang, ctx.dt - timedelta(days=2), ctx.cust, ctx.cust_email) +
                "\n" + older)
        quoted = attr + "\n\n" + q
        note = "gmail"
    elif v == 1:
        attr = gmail_attr(lang, ctx.dt, ctx.qname, ctx.support)
        quoted = attr + "\n\n" + qmail
        note = "gmail, html converted"
    elif v in (2, 7):
        attr = apple_attr(lang, ctx.dt, ctx.qname, ctx.support)
        quoted = attr + "\n\n" + quote(qmail, "> ", "> ")
        if v == 7:
            quoted = attr + "\n\n" + qmail
        note = "apple" + (", html converted" if v == 7 else "")
    elif v == 3:
        attr = tb_attr(lang, ctx.dt, ctx.qname)
        quoted = attr + "\n" + quote(rewrap(qmail, 72))
        note = "thunderbird"
    else:
        attr = tb_alt_attr(lang, ctx.dt, ctx.qname)
        quoted = attr + "\n" + quote(qmail)
        note = "thunderbird, wrote-on"
    gap = "\n" * rnd.choice([2, 2, 2, 3, 1])
    body = top + gap + quoted + "\n"
    rule = "marker" if marked else "on-wrote:" + lang
    return case(body, text, rule, sig=sig, note=note)


def gen_marker(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    top, sig = add_sig_footer(ctx, rnd, text, 0.15, 0.1)
    marker = None
    mk = MARKER
    v = (i // len(LANGS) + i) % 8
    if v == 6:
        mk = MARKERS[lang]
        marker = mk
    notif = notification(ctx, rnd, mk)
    if v == 0:
        quoted = wrap_attr(gmail_attr(lang, ctx.dt, ctx.qname, ctx.support),
                           78, rnd) + "\n\n" + quote(notif)
        note = "gmail"
    elif v == 1:
        quoted = outlook_header(ctx, rnd) + "\n\n" + notif
        note = "outlook"
    elif v == 2:
        quoted = "_" * 32 + "\n" + outlook_header(ctx, rnd, web=True) + \
            "\n\n" + notif
        note = "outlook web"
    elif v == 3:
        quoted = apple_attr(lang, ctx.dt, ctx.qname, ctx.support) + \
            "\n\n" + quote(notif, "> ", "> ")
        note = "apple"
    elif v == 4:
        quoted = gmail_attr(lang, ctx.dt, ctx.qname, ctx.support) + \
            "\n\n\n" + notif
        note = "html converted"
    elif v == 5:
        quoted = notif
        note = "no attribution"
    elif v == 6:
        quoted = tb_attr(lang, ctx.dt, ctx.qname) + "\n" + quote(notif)
        note = "custom marker"
    else:
        top, sig = text, rnd.choice(L[lang]["footers"])
        top += "\n\n" + sig
        quoted = quote(apple_attr(lang, ctx.dt, ctx.qname, ctx.support,
                                  us=True) + "\n\n\ufeff" + notif, "> ", "> ")
        note = "ios"
    body = top + "\n\n" + quoted + "\n"
    return case(body, text, "marker", sig=sig, marker=marker, note=note)


def gen_outlook(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd, closing=True)
    if rnd.random() < 0.4:
        # Outlook users sign without "-- ": it is part of the text
        text += "\n" + "\n".join(rnd.choice(L[lang]["sigs"])[1:3])
    qmail, marked = quoted_mail(ctx, rnd, 0.1)
    v = (i // len(LANGS) + i) % 6
    sep = OUTLOOK[lang][5]
    if v == 0:
        quoted = sep + "\n" + outlook_header(ctx, rnd)
        rule = "original-message"
    elif v == 1:
        quoted = outlook_header(ctx, rnd, cc=rnd.random() < 0.5)
        rule = "outlook-header"
    elif v == 2:
        quoted = outlook_header(ctx, rnd, blanks=True)
        rule = "outlook-header"
    elif v == 3:
        quoted = sep + "\n" + outlook_header(ctx, rnd, mailto=True)
        rule = "original-message"
    elif v == 4:
        older = outlook_header(ctx, rnd, cc=True).replace(
            ctx.qname, ctx.cust, 1)
        qmail += "\n\n" + older + "\n\n" + new_text(ctx, rnd, 1, 1)
        quoted = outlook_header(ctx, rnd, extra=True)
        rule = "outlook-header"
    else:
        quoted = outlook_header(ctx, rnd)
        rule = "outlook-header"
    if marked:
        rule = "marker"
    gap = "\n" * rnd.choice([2, 2, 3])
    body = text + gap + quoted + "\n\n" + qmail + "\n"
    return case(body, text, rule, sig="", note="outlook v%d" % v)


def gen_owa(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    qmail, marked = quoted_mail(ctx, rnd, 0.1)
    v = (i // len(LANGS) + i) % 4
    sig = ""
    top = text
    if v == 1:
        sig = rnd.choice([f for f in L[lang]["footers"] if "Outlook" in f] or
                         ["Get Outlook for Android<https://aka.ms/ghei36>"])
        top = text + "\n\n" + sig
    header = outlook_header(ctx, rnd, web=True, cc=(v == 2),
                            blanks=(v == 3))
    gap = "\n" if v == 2 else "\n\n"
    body = top + gap + "_" * 32 + "\n" + header + "\n\n" + qmail + "\n"
    rule = "marker" if marked else "outlook-header"
    return case(body, text, rule, sig=sig, note="owa v%d" % v)


def gen_apple(rnd, i):
    lang = rnd.choice(LANGS) if i % 2 else "en"
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    qmail, marked = quoted_mail(ctx, rnd, 0.1)
    v = i % 5
    sig = ""
    top = text
    attr = apple_attr(lang, ctx.dt, ctx.qname, ctx.support,
                      us=rnd.random() < 0.5)
    if v == 0:
        quoted = attr + "\n\n" + quote(qmail, "> ", "> ")
    elif v == 1:
        sig = rnd.choice([f for f in L[lang]["footers"] if "iP" in f])
        top = text + "\n\n" + sig
        quoted = quote(attr + "\n\n\ufeff" + qmail, "> ", "> ")
    elif v == 2:
        quoted = attr + "\n\n" + qmail
    elif v == 3:
        s = signature(ctx, rnd)
        top, sig = text + "\n\n-- \n" + s, s
        older = apple_attr(lang, ctx.dt - timedelta(days=1), ctx.cust,
                           ctx.cust_email) + "\n\n" + \
            quote(new_text(ctx, rnd, 1, 1), "> ", "> ")
        quoted = attr + "\n\n" + quote(qmail + "\n\n" + older, "> ", "> ")
    else:
        quoted = quote(attr + "\n\n" + qmail, "> ", "> ")
    body = top + "\n\n" + quoted + "\n"
    rule = "marker" if marked else "on-wrote:" + lang
    return case(body, text, rule, sig=sig, note="apple v%d" % v)


def gen_thunderbird(rnd, i):
    lang = rnd.choice(LANGS) if i % 3 else "en"
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    qmail = agent_mail(ctx, rnd)
    v = i % 8
    sig = ""
    top = text
    if v in (0, 1):
        quoted = tb_attr(lang, ctx.dt, ctx.qname) + "\n" + \
            quote(rewrap(qmail, 72))
        rule = "on-wrote:" + lang
    elif v == 2:
        quoted = tb_alt_attr(lang, ctx.dt, ctx.qname) + "\n" + quote(qmail)
        rule = "on-wrote:" + lang
    elif v in (3, 4):
        sep, s, dl, f, t = TB_FWD[lang]
        if v == 3:
            sep = TB_ORIG[lang]
        quoted = "\n".join([sep, "%s \t%s [#%d] %s" % (s, L[lang]["re"],
                                                       ctx.ticket,
                                                       ctx.subject),
                            "%s \t%s" % (dl, rfc_date(ctx.dt)),
                            "%s \t%s <%s>" % (f, ctx.qname, ctx.support),
                            "%s \t%s <%s>" % (t, ctx.cust, ctx.cust_email),
                            "", "", "", qmail])
        rule = "original-message"
    elif v == 5:
        sep, s, dl, f, t = TB_FWD[lang]
        body = "\n".join([sep, "%s \t%s" % (s, ctx.subject),
                          "%s \t%s" % (dl, rfc_date(ctx.dt)),
                          "%s \t%s <%s>" % (f, ctx.qname, ctx.support),
                          "%s \t%s <%s>" % (t, ctx.cust, ctx.cust_email),
                          "", "", "", qmail]) + "\n"
        body = "\n" + body if rnd.random() < 0.5 else body
        return case(body, body.strip("\n"), "none", note="forward, no text")
    elif v == 6:
        s = signature(ctx, rnd)
        sig = s
        quoted = tb_attr(lang, ctx.dt, ctx.qname) + "\n" + quote(qmail) + \
            "\n\n-- \n" + s
        rule = "on-wrote:" + lang
    else:
        s = signature(ctx, rnd)
        top, sig = text + "\n\n-- \n" + s, s
        quoted = tb_attr(lang, ctx.dt, ctx.qname) + "\n" + quote(qmail)
        rule = "on-wrote:" + lang
    body = top + "\n\n" + quoted + "\n"
    return case(body, text, rule, sig=sig, note="thunderbird v%d" % v)


def gen_interleaved(rnd, i):
    lang = rnd.choice(["en", "en", "de", "fr", "es", "pt", "nl", "it"])
    ctx = Ctx(lang, rnd)
    d = L[lang]
    pairs = rnd.sample(d["qa"], rnd.randint(2, min(4, len(d["qa"]))))
    blocks = []         # (quoted, answer)
    for q, a in pairs:
        blocks.append((q, a))
    body = []
    expect = []
    v = i % 6
    if v in (1, 4):
        hello = rnd.choice(d["greet"]).format(a=first(ctx.agent))
        body += [hello, ""]
        expect.append(hello)
    if v != 3:
        body += [rnd.choice([gmail_attr, apple_attr])(
            lang, ctx.dt, ctx.qname, ctx.support), ""]
    prefix = rnd.choice(["> ", ">"])
    greet = d["agent_greet"].format(cf=first(ctx.cust))
    body += [prefix + greet, ">"]
    for k, (q, a) in enumerate(blocks):
        for ln in textwrap.wrap(q, 60):
            body.append(prefix + ln)
        if v == 2 and k == 0:
            body += [">", ">> " + "older quoted line from an earlier mail"]
        if rnd.random() < 0.6:
            body.append("")
        body.append(a)
        expect.append(a)
        body.append("")
    if v in (0, 2, 4):
        close = rnd.choice(d["agent_close"]).format(a=ctx.agent,
                                                    co=ctx.company)
        body += [quote(close, prefix, ">"), ""]
    sig = None
    if v == 5:
        close = rnd.choice(d["closings"]).format(c=ctx.cust,
                                                 cf=first(ctx.cust))
        expect[-1] += "\n\n" + close
        body += [close, "", "-- ", ctx.cust]
        sig = ctx.cust
    text = "\n\n".join(expect)
    return case("\n".join(body).rstrip("\n") + "\n", text, "quote-prefix",
                sig=sig, note="interleaved v%d" % v)


def gen_signature(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    s = signature(ctx, rnd)
    v = (i // len(LANGS) + i) % 5
    if v == 1:
        s = "\n".join(s.split("\n")[:3])
        delim = "--"            # HTML conversion ate the space
    else:
        delim = "-- "
    if v == 3:
        s += "\n\n" + rnd.choice(L[lang]["footers"])
    body = text + "\n\n" + delim + "\n" + s
    rule = "signature-dashes"
    if v in (2, 4):
        qmail = agent_mail(ctx, rnd)
        if v == 2:
            body += "\n\n" + gmail_attr(lang, ctx.dt, ctx.qname,
                                        ctx.support) + "\n" + quote(qmail)
            rule = "on-wrote:" + lang
        else:
            body += "\n\n" + "_" * 32 + "\n" + \
                outlook_header(ctx, rnd, web=True) + "\n\n" + qmail
            rule = "outlook-header"
    return case(body + "\n", text, rule, sig=s, note="signature v%d" % v)


def gen_mobile(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd, 1, 1, greet=rnd.random() < 0.4,
                    closing=rnd.random() < 0.4)
    foot = L[lang]["footers"][i % len(L[lang]["footers"])]
    qmail = agent_mail(ctx, rnd)
    v = (i // len(LANGS) + i) % 5
    top = text + "\n\n" + foot
    if v == 0:
        body = top
        rule = "mobile-footer"
    elif v == 1:
        body = top + "\n\n" + quote(apple_attr(
            lang, ctx.dt, ctx.qname, ctx.support, us=True) +
            "\n\n\ufeff" + qmail, "> ", "> ")
        rule = "on-wrote:" + lang
    elif v == 2:
        body = top + "\n\n\n" + "-------- %s --------" % {
            "en": "Original message", "de": "Ursprüngliche Nachricht",
            "fr": "Message d'origine", "es": "Mensaje original",
            "pt": "Mensagem original", "nl": "Oorspronkelijk bericht",
            "it": "Messaggio originale"}[lang] + "\n" + \
            "%s %s <%s> \n" % (OUTLOOK[lang][0], ctx.qname, ctx.support) + \
            "%s %02d/%02d/%d %s (GMT+01:00) \n" % (
                TB_FWD[lang][2], ctx.dt.day, ctx.dt.month, ctx.dt.year,
                hm(ctx.dt)) + \
            "%s %s <%s> \n" % (OUTLOOK[lang][2], ctx.cust, ctx.cust_email) + \
            "%s %s [#%d] %s \n\n" % (OUTLOOK[lang][4], L[lang]["re"],
                                     ctx.ticket, ctx.subject) + qmail
        rule = "original-message"
    elif v == 3:
        body = top + "\n" + "_" * 32 + "\n" + \
            outlook_header(ctx, rnd, web=True) + "\n\n" + qmail
        rule = "outlook-header"
    else:
        body = top + "\n\n" + wrap_attr(gmail_attr(
            lang, ctx.dt, ctx.qname, ctx.support), 78, rnd) + "\n\n" + \
            quote(qmail)
        rule = "on-wrote:" + lang
    return case(body + "\n", text, rule, sig=foot, note="mobile v%d" % v)


def collapse_paras(text):
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def gen_known(rnd, i):
    lang = LANGS[i % len(LANGS)]
    ctx = Ctx(lang, rnd)
    text = new_text(ctx, rnd)
    known = notification(ctx, rnd)
    other = notification(Ctx(lang, rnd), rnd)
    v = (i // len(LANGS) + i) % 8
    attr = gmail_attr(lang, ctx.dt, ctx.qname, ctx.support)
    expect = text
    if v == 0:
        # re-wrapped to 60 columns, "> " prefixes
        body = text + "\n\n" + attr + "\n\n" + quote(rewrap(known, 60))
    elif v == 1:
        # the client dropped the marker line
        body = text + "\n\n" + attr + "\n\n" + quote(
            known.split("\n\n", 1)[1])
    elif v == 2:
        # Outlook, unprefixed, link rendered by the HTML converter
        k = known.replace(ctx.url, "%s <%s>" % (ctx.url, ctx.url))
        body = text + "\n\n" + outlook_header(ctx, rnd) + "\n\n" + k
    elif v == 3:
        # HTML converted: each paragraph on one line
        body = text + "\n\n" + attr + "\n\n" + collapse_paras(known)
    elif v == 4:
        # no attribution, no prefix, a blank line between all lines
        body = text + "\n\n\n" + "\n\n".join(
            ln for ln in known.split("\n") if ln.strip())
    elif v == 5:
        # answers written inside the quoted copy
        paras = known.split("\n\n")
        a1, a2 = rnd.sample(L[lang]["paras"], 2)
        a1, a2 = cap(a1), cap(a2)
        body = text + "\n\n" + attr + "\n" + quote("\n\n".join(paras[:4])) + \
            "\n\n" + a1 + "\n\n" + quote("\n\n".join(paras[4:])) + "\n\n" + \
            a2
        expect = text + "\n\n" + a1 + "\n\n" + a2
    elif v == 6:
        # bottom posting under the copy
        body = attr + "\n" + quote(known) + "\n\n" + text
    else:
        # the copy's last lines cut by the client, whitespace squeezed
        k = "\n".join(" ".join(ln.split()) for ln in
                      known.split("\n")[:-1])
        body = text + "\n\n" + attr + "\n" + quote(k, ">", ">")
    kn = [known, other] if rnd.random() < 0.4 else [known]
    rnd.shuffle(kn)
    return case(body + "\n", expect, "known-quote", known=kn,
                note="known v%d" % v)


# ---- output ----

def write(outdir, layout, n, c):
    d = os.path.join(outdir, layout)
    os.makedirs(d, exist_ok=True)
    out = []
    if c["note"]:
        out.append("@@@@ note " + c["note"])
    if c["marker"] is not None:
        out.append("@@@@ marker " + c["marker"])
    for k in c["known"]:
        out += ["@@@@ known", k]
    out += ["@@@@ body", c["body"].rstrip("\n")]
    out += ["@@@@ expect " + c["rule"], c["expect"]]
    if c["sig"] is not None:
        out += ["@@@@ signature", c["sig"]]
    with open(os.path.join(d, "g%03d.txt" % n), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    rnd = random.Random(20261122)
    layouts = [("marker", gen_marker)]
    for lang in LANGS:
        layouts.append(("on-wrote-" + lang,
                        lambda r, i, lg=lang: gen_onwrote(lg, r, i)))
    layouts += [("outlook-desktop", gen_outlook), ("outlook-web", gen_owa),
                ("apple-mail", gen_apple), ("thunderbird", gen_thunderbird),
                ("interleaved", gen_interleaved),
                ("signature", gen_signature), ("mobile", gen_mobile),
                ("known-quote", gen_known)]
    for name, fn in layouts:
        for i in range(PER_LAYOUT):
            write(outdir, name, i + 1, fn(rnd, i))


if __name__ == "__main__":
    main()
