/*
 * batch: issuing a whole provisioning file at once (sipca issue --batch).
 * It owns reading and validating the CSV rows (every row is checked
 * before anything is issued), the worker threads that build and sign in
 * parallel through issuance_prepare(), the bounded queue between them
 * and the one writer that records groups with store_issue(), and the
 * progress line and summary.
 */
#ifndef SIPCA_BATCH_H
#define SIPCA_BATCH_H

#include "cert.h"

/* The columns a batch file may have; kind and name are required. */
#define BATCH_COLUMNS "kind,name,uri,dns,ip,key,days,csr"

struct batch_options {
	const char *file;		/* the CSV, or "-" for stdin */
	long jobs;			/* worker threads; 0: online CPUs */
	int quiet;			/* no progress, no summary */
	/* Defaults for rows that leave key or days empty. */
	enum key_type key_type;
	long days;
	/* As the options of the same names do for one certificate. */
	int no_domain_dns;
	int allow_wildcard;
	int allow_foreign;		/* --allow-foreign-names for every row */
	int force;
	int copy_san;
	int drop_other_sans;
	const char *passphrase_file;
};

/*
 * Runs the batch. Returns an exit status: 0 when every row is issued or
 * skipped (already valid); 2 when a row is bad (each is reported with its
 * line, and nothing is issued); 1 when the lint guard refused some rows
 * and the rest went in; 3 after an operational failure (what was
 * committed stays, and a re-run completes the rest).
 */
int batch_issue(const struct batch_options *o);

#endif
