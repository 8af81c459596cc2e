/*
 * cli_secret: the passphrase and PIN options the commands share, so that
 * every command that unlocks the CA key takes --passphrase-file and
 * --pin-file alike, and every command that sets a new passphrase holds
 * it to one rule (SECRET_MIN_NEW characters unless
 * --allow-short-passphrase). Prints on stderr: it is part of the CLI.
 */
#ifndef SIPCA_CLI_SECRET_H
#define SIPCA_CLI_SECRET_H

#include "cli.h"
#include "signer.h"

/* Keys above any command's own (theirs count up from 256). */
enum { CLI_OPT_PIN_FILE = 900, CLI_OPT_ALLOW_SHORT };

#define CLI_OPTION_PIN_FILE \
	{ "pin-file", CLI_OPT_PIN_FILE, 1, "FILE", "@file", \
	  "the PKCS#11 token's user PIN (first line of FILE), when the CA key is on a token" }
#define CLI_OPTION_ALLOW_SHORT \
	{ "allow-short-passphrase", CLI_OPT_ALLOW_SHORT, 0, NULL, NULL, \
	  "let a new key's passphrase be shorter than 8 characters" }

/*
 * A passphrase or PIN from path (secret_from_file()): a warning it has
 * is printed; NULL after printing why it could not be had.
 */
char *cli_secret_from_file(const char *path);

/*
 * A new key's passphrase into *out_pass: the first line of pass_file,
 * else asked twice on the terminal with prompt; at least
 * SECRET_MIN_NEW characters unless allow_short. Returns EXIT_OK, or
 * EXIT_USAGE after printing why.
 */
int cli_new_passphrase(const char *pass_file, const char *prompt,
    int allow_short, char **out_pass);

#endif
