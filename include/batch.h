/*
 * batch: issuing a whole provisioning file at once (sipca issue --batch).
 * Two parts: the plan (batch_plan.c), every CSV row read and validated
 * before anything is issued; and the run (batch.c), worker threads that
 * build and sign in parallel through issuance_prepare(), the bounded
 * queue between them and the one writer that records groups with
 * store_issue(). The command opens the store and the CA, prints what
 * is reported and the summary, and decides the exit status.
 */
#ifndef SIPCA_BATCH_H
#define SIPCA_BATCH_H

#include <stddef.h>
#include <time.h>

#include "issuance.h"
#include "key.h"
#include "report.h"
#include "result.h"

struct ca;
struct store;

/* The columns a batch file may have; kind and name are required. */
#define BATCH_COLUMNS "kind,name,uri,dns,ip,key,days,csr"

struct batch_plan_options {
	/* Defaults for rows that leave key or days empty. */
	enum key_type key_type;
	long days;
	const char *days_from;		/* "--days" when given, else NULL (validity.h) */
	/*
	 * The issuing CA's notAfter (0: not checked): a row whose days end
	 * after it is bad when they were asked for (the days column or
	 * --days) and capped with one warning when they are the default;
	 * an expired CA refuses the file.
	 */
	time_t ca_not_after;
	/* As the options of the same names do for one certificate. */
	int no_domain_dns;
	int allow_wildcard;
	int allow_foreign;		/* --allow-foreign-names for every row */
	int force;
	int copy_san;
	int drop_other_sans;
	const char *domain;		/* the store's SIP domain */
	const char *crl_url;		/* NULL: none */
	const char *organization;	/* every row's subject O; NULL: none */
	/*
	 * --scep-challenges: the rows are devices that enroll themselves
	 * (batch_scep.h), so a server row, or a key, days, csr, dns or ip
	 * cell (the phone makes its key; a challenge binds URIs only) is
	 * a bad row, and the CA's notAfter is not checked here.
	 */
	int challenges;
};

struct batch_row {
	unsigned line;
	char *name;			/* owned, folded; spec.name points here */
	struct issuance_spec spec;	/* sans owned; csr always NULL here */
	unsigned char *csr_der;		/* the verified request, or NULL */
	size_t csr_len;
	char *error;			/* why the row is bad, or NULL */
	int skip;			/* already holds a valid certificate */
};

struct batch_plan {
	struct batch_row *rows;		/* in file order */
	size_t n_rows;
	size_t bad;			/* rows with an error */
};

/*
 * The plan for a CSV in memory. file names it as given ("-" for
 * stdin): a row's csr names a file under its directory (the current
 * one for stdin) and nowhere else. Each bad row, each header or CSV
 * syntax error, and a closing "N bad rows: nothing issued" go to rep as
 * "FILE:LINE: why"; warnings too (SANs --drop-other-sans left out).
 * Returns RESULT_OK, or RESULT_E_INPUT when anything is wrong. The
 * plan is filled either way; clear it with batch_plan_clear().
 */
enum result batch_plan_parse(const char *file, const char *data, size_t len,
    const struct batch_plan_options *o, struct batch_plan *out,
    struct report *rep);

/* batch_plan_parse() of the file (or stdin for "-"). */
enum result batch_plan_read(const char *file, const struct batch_plan_options *o,
    struct batch_plan *out, struct report *rep);

/* Frees the rows; the struct is the caller's. */
void batch_plan_clear(struct batch_plan *p);

/*
 * What the command is told while the run goes on. report gets the
 * messages of one certificate (lint findings, errors) from any thread,
 * one call at a time, and prints them; the run clears them afterwards.
 * start, progress and end frame the work: how many rows are to be
 * issued, and how many of them the workers are done with (counted per
 * row, signed or failed), about ten times a second from one thread,
 * never while report runs. Any may be NULL.
 */
struct batch_hooks {
	void *arg;
	void (*report)(void *arg, const struct report *rep);
	void (*start)(void *arg, size_t todo);
	void (*progress)(void *arg, size_t done);
	void (*end)(void *arg);
};

struct batch_counts {
	size_t issued;
	size_t skipped;			/* already valid */
	size_t failed_lint;		/* refused by the issuance guard */
	size_t failed_op;		/* an operational failure */
};

/*
 * Issues the plan's rows into s with ca (its key attached), under the
 * store's writers' lock, jobs threads signing (0: online CPUs). Names
 * that already hold a valid certificate are skipped, so a re-run
 * completes a file. Returns RESULT_OK when the run went through (rows
 * may still have failed: see *out), else the failure that stopped it;
 * what was committed stays.
 */
enum result batch_run(struct batch_plan *plan, struct store *s,
    const struct ca *ca, long jobs, const struct batch_hooks *hooks,
    struct batch_counts *out);

#endif
