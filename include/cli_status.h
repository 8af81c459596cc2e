/*
 * cli_status: where the commands turn what a module said into what the
 * user sees: a result (result.h) or a store error into an exit status
 * (README "Exit status"), a report's lines and the store's messages
 * onto stderr. One mapping per
 * meaning, shared by every command.
 */
#ifndef SIPCA_CLI_STATUS_H
#define SIPCA_CLI_STATUS_H

#include "report.h"
#include "result.h"

/* RESULT_OK 0; RESULT_E_INPUT and RESULT_E_REFUSED 2; RESULT_E_FAILED 3. */
int cli_status(enum result r);

/* The exit status for a store error code (STORE_OK: 0). */
int cli_store_status(int store_error);

/* Prints each line with error_msg() or warn_msg(). */
void cli_report_print(const struct report *r);

/* Prints and clears rep, then returns cli_status(r). */
int cli_outcome(enum result r, struct report *rep);

/* Prints msg with error_msg() when it is not NULL, and frees it. */
void cli_msg_print(char *msg);

/*
 * One line of what an action did ("issued ...", "CRL number ..."), on
 * stderr with no prefix: stdout carries only data, what was asked to
 * be shown or piped (README "Output conventions", sipca(1) OUTPUT).
 */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct store;

/* Prints the messages the store has kept (store_take_messages); s may be NULL. */
void cli_store_print(struct store *s);

/* Prints the store's messages, then returns cli_store_status(store_error). */
int cli_store_outcome(struct store *s, int store_error);

/*
 * Opens the store of -d (signer_open_store) with flags; on failure
 * prints why. Returns the exit status.
 */
int cli_store_open(int flags, struct store **out_store);

#endif
