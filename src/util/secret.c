/*
 * secret: passphrases from files or a no-echo prompt on /dev/tty,
 * wiped before they are freed (as OpenBSD signify does with
 * readpassphrase and explicit_bzero). Nothing here prints: why a
 * passphrase could not be had goes back to the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "fileio.h"
#include "secret.h"
#include "util.h"

#define SECRET_MAX 1024

void
secret_free_buf(void *p, size_t len)
{
	if (p == NULL)
		return;
	gnutls_memset(p, 0, len);
	free(p);
}

void
secret_free(char *s)
{
	if (s != NULL)
		secret_free_buf(s, strlen(s));
}

/* *out_msg, when asked for, gets why (a new string). */
static void
give_msg(char **out_msg, char *msg)
{
	if (out_msg != NULL)
		*out_msg = msg;
	else
		free(msg);
}

/*
 * A secret in a file others can read is no secret: refused, as ssh
 * refuses a private key file others can read. One its group can read
 * is allowed with a warning (a shared service group is a choice).
 */
static int
check_mode(const char *shown, mode_t mode, char **out_msg)
{
	if (mode & S_IROTH) {
		give_msg(out_msg, xasprintf("'%s' is readable by others (mode"
		    " %04o): fix it with: chmod 600 '%s'", shown,
		    (unsigned)(mode & 07777), shown));
		return -1;
	}
	if (mode & S_IRGRP)
		give_msg(out_msg, xasprintf("'%s' is readable by its group (mode"
		    " %04o): chmod 600 '%s' keeps it yours alone", shown,
		    (unsigned)(mode & 07777), shown));
	return 0;
}

char *
secret_from_file(const char *path, char **out_msg)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct stat st;
	char *line = NULL, *warning = NULL, *shown = text_echo(path);
	int fd = -1;

	if ((fd = open_regular_file(path)) < 0 || fstat(fd, &st) < 0 ||
	    read_secret_fd(fd, &data, &len) < 0) {
		give_msg(out_msg, xasprintf("cannot read passphrase file: '%s': %s",
		    shown, errno == FILEIO_E_NOT_REGULAR ? "not a regular file" :
		    strerror(errno)));
		goto out;
	}
	if (check_mode(shown, st.st_mode, &warning) < 0) {
		give_msg(out_msg, warning);
		warning = NULL;
		goto out;
	}
	/* The first line is the passphrase; the rest of the file is ignored. */
	data[strcspn((char *)data, "\r\n")] = '\0';
	if (data[0] == '\0') {
		give_msg(out_msg, xasprintf("passphrase file is empty: '%s'",
		    shown));
		goto out;
	}
	line = xstrdup((char *)data);
	give_msg(out_msg, warning);
	warning = NULL;
out:
	if (fd >= 0)
		close(fd);
	secret_free_buf(data, len);
	free(warning);
	free(shown);
	return line;
}

size_t
secret_length(const char *s)
{
	size_t n = 0;

	/* Characters, not octets: a UTF-8 continuation octet is 10xxxxxx. */
	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

int
secret_have_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static char *
read_noecho(int fd, const char *prompt)
{
	struct termios saved, quiet;
	char *buf = xmalloc(SECRET_MAX);
	size_t len = 0;
	int have_termios;
	char c;
	ssize_t n;

	if (write_all(fd, prompt, strlen(prompt)) < 0) {
		secret_free_buf(buf, SECRET_MAX);
		return NULL;
	}
	have_termios = tcgetattr(fd, &saved) == 0;
	if (have_termios) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		if (len + 1 < SECRET_MAX)
			buf[len++] = c;
	}
	buf[len] = '\0';
	c = 0;
	if (have_termios)
		tcsetattr(fd, TCSAFLUSH, &saved);
	/* The newline only tidies the terminal: a failure does not matter. */
	(void)write_all(fd, "\n", 1);
	return buf;
}

char *
secret_prompt(const char *prompt, int confirm, char **out_msg)
{
	char *first = NULL, *second = NULL, *result = NULL;
	int fd;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		give_msg(out_msg,
		    xstrdup("no terminal to ask for the passphrase on"));
		return NULL;
	}
	first = read_noecho(fd, prompt);
	if (first == NULL || first[0] == '\0') {
		give_msg(out_msg, xstrdup("empty passphrase"));
		goto out;
	}
	if (confirm) {
		second = read_noecho(fd, "Repeat the passphrase: ");
		if (second == NULL || strcmp(first, second) != 0) {
			give_msg(out_msg, xstrdup("the passphrases do not match"));
			goto out;
		}
	}
	result = xstrdup(first);
out:
	close(fd);
	if (first != NULL)
		secret_free_buf(first, SECRET_MAX);
	if (second != NULL)
		secret_free_buf(second, SECRET_MAX);
	return result;
}
