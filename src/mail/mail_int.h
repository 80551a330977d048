/*
 * mail_int.h - what the files of mail/ share with each other; nothing
 * outside mail/ includes it
 *
 * mail_construct (mail_parse.c): GMime's parser over a prepared copy of a
 * message, used by mail_parse() and by the DSN reader (mail_dsn.c).
 */
#ifndef PD_MAIL_INT_H
#define PD_MAIL_INT_H

#include <gmime/gmime.h>

/* mail_construct - GMime's message over ga (not taken over: the caller
 * frees ga after the message); NULL when GMime gives up */
GMimeMessage *mail_construct(GByteArray *, GMimeParserOptions *);

#endif
