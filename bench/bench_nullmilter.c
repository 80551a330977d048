/*
 * bench_nullmilter.c - the cheapest milter: for bench_milter.sh's floor
 *
 * It asks for the same events, with the same "no reply" flags, as
 * postdesk-filter milter, takes every header and body chunk and stores
 * nothing: connect and headers get no reply, the end of headers and body
 * chunks "continue", the end of message "accept". So Postfix + this milter
 * shows what the milter protocol itself costs on the machine; whatever
 * postdesk-filter adds beyond it is its own work.
 *
 * Usage: bench_nullmilter inet:PORT@127.0.0.1 (until killed)
 */
#include <stdio.h>
#include <string.h>

#include <libmilter/mfapi.h>

/* nm_negotiate - the flags postdesk-filter asks for (fe_milter.c) */
static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
	     unsigned long f2, unsigned long f3, unsigned long *pf0,
	     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx, (void)f0, (void)f2, (void)f3;
	*pf0 = 0;
	*pf1 = f1 & (SMFIP_HDR_LEADSPC | SMFIP_NR_HDR | SMFIP_NR_CONN |
	    SMFIP_NOHELO | SMFIP_NOUNKNOWN);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/* nm_connect, nm_header: no answer; nm_eoh: continue */
static sfsistat
nm_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	(void)ctx, (void)host, (void)sa;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx, (void)name, (void)value;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* nm_body - each chunk: continue, as postdesk-filter answers */
static sfsistat
nm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx, (void)chunk, (void)len;
	return SMFIS_CONTINUE;
}

/* nm_eom - accept */
static sfsistat
nm_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc = {
		.xxfi_name = "bench_nullmilter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_connect = nm_connect,
		.xxfi_header = nm_header,
		.xxfi_eoh = nm_eoh,
		.xxfi_body = nm_body,
		.xxfi_eom = nm_eom,
		.xxfi_negotiate = nm_negotiate,
	};

	if (argc != 2) {
		fprintf(stderr, "usage: bench_nullmilter inet:PORT@HOST\n");
		return 2;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "bench_nullmilter: cannot listen on %s\n",
		    argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
