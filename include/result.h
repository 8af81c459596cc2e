/*
 * result: what a module below the CLI says happened, by meaning, so
 * that the command (and nothing else) decides the exit status
 * (cli_status.h). Depends on nothing.
 */
#ifndef SIPCA_RESULT_H
#define SIPCA_RESULT_H

enum result {
	RESULT_OK = 0,
	RESULT_E_INPUT = -1,	/* bad input, a wrong PIN or passphrase: nothing changed */
	RESULT_E_REFUSED = -2,	/* the issuance guard refused what was built */
	RESULT_E_FAILED = -3,	/* I/O, the store, crypto, a token */
};

#endif
