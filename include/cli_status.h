/*
 * cli_status: where the commands turn what a module said into what the
 * user sees: a result (result.h) or a store error into an exit status
 * (README "Exit status"), a report's lines onto stderr. One mapping per
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

#endif
