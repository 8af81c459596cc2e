/*
 * secret: passphrases and PINs. They come from a file named on the
 * command line or from a no-echo prompt on /dev/tty, live in buffers
 * that are wiped before they are freed, and never appear in a message.
 */
#ifndef SIPCA_SECRET_H
#define SIPCA_SECRET_H

#include <stddef.h>

/*
 * Both return a new string (free with secret_free), or NULL with why in
 * *out_msg: a new string for the caller to print and free (out_msg NULL:
 * not wanted). Nothing here prints.
 */

/*
 * Reads the first line of path (without its newline) as a passphrase
 * or PIN. A file others can read is refused (why in *out_msg, naming
 * the fix, chmod 600); one its group can read is read, and *out_msg
 * then gets a warning to print (else NULL): free it either way.
 */
char *secret_from_file(const char *path, char **out_msg);

/*
 * The shortest passphrase sipca sets on a new key (NIST SP 800-63B
 * section 5.1.1.1 asks at least 8 characters of a memorised secret).
 * Keys made before the rule still unlock with a shorter one.
 */
#define SECRET_MIN_NEW 8

/* The length of s in characters (UTF-8), not octets. */
size_t secret_length(const char *s);

/*
 * Prompts on the controlling terminal with echo off. With confirm, asks
 * twice and fails when the two differ. Fails when there is no terminal,
 * or the answer is empty.
 */
char *secret_prompt(const char *prompt, int confirm, char **out_msg);

/* True when a terminal is there to prompt on. */
int secret_have_tty(void);

/* Wipes and frees a NUL-terminated secret; NULL is fine. */
void secret_free(char *s);
/* Wipes and frees a buffer of len bytes; NULL is fine. */
void secret_free_buf(void *p, size_t len);

#endif
