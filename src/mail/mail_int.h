/*
 * mail_int.h - what the files of mail/ share with each other; nothing
 * outside mail/ includes it
 *
 * mail_prepare and mail_construct (mail_parse.c): the repaired copy of a
 * message GMime reads, and GMime's parser over it; used by mail_parse()
 * and by the DSN reader (mail_dsn.c).
 */
#ifndef PD_MAIL_INT_H
#define PD_MAIL_INT_H

#include <gmime/gmime.h>

/* mail_prepare - a copy of raw GMime can read: BOM, leading blank lines
 * and an mbox From_ line skipped, CR-only line ends made LF, header
 * block repaired, bounded in fields; each repair counts in *defects */
GByteArray *mail_prepare(const char *raw, size_t len, int *defects);
/* mail_construct - GMime's message over ga (not taken over: the caller
 * frees ga after the message); NULL when GMime gives up */
GMimeMessage *mail_construct(GByteArray *, GMimeParserOptions *);

#endif
