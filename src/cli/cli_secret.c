/*
 * cli_secret: passphrases and PINs as the commands take them.
 */
#include <stdlib.h>

#include "cli_secret.h"
#include "cli_status.h"
#include "secret.h"
#include "util.h"

char *
cli_secret_from_file(const char *path)
{
	char *msg = NULL, *secret = secret_from_file(path, &msg);

	if (secret == NULL) {
		cli_msg_print(msg);
		return NULL;
	}
	if (msg != NULL)
		warn_msg("%s", msg);
	free(msg);
	return secret;
}

int
cli_new_passphrase(const char *pass_file, const char *prompt,
    int allow_short, char **out_pass)
{
	char *pass = NULL, *msg = NULL;
	size_t n;

	if (pass_file != NULL)
		pass = cli_secret_from_file(pass_file);
	else if ((pass = secret_prompt(prompt, 1, &msg)) == NULL)
		cli_msg_print(msg);
	if (pass == NULL)
		return EXIT_USAGE;
	/*
	 * The key file may leave the machine (a backup, export --root-key):
	 * its passphrase is then all that guards it against guessing.
	 */
	if (!allow_short && (n = secret_length(pass)) < SECRET_MIN_NEW) {
		error_msg("the new key's passphrase is %zu character%s long: give"
		    " one of at least %d characters, or --allow-short-passphrase",
		    n, n == 1 ? "" : "s", SECRET_MIN_NEW);
		secret_free(pass);
		return EXIT_USAGE;
	}
	*out_pass = pass;
	return EXIT_OK;
}
