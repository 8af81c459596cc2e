/*
 * lint_input: the certificates in lint's inputs, one at a time (PEM
 * bundles per RFC 7468, one DER value, directories, stdin), so memory
 * stays flat however large a bundle is. An input that cannot be read is
 * told to the reader's error callback; nothing here prints.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/base64.h>

#include "fileio.h"
#include "lint.h"
#include "util.h"

/*
 * RFC 4648 section 4, by nettle (GnuTLS's own crypto library): the text
 * in b64 (whitespace dropped already) into out, which holds
 * BASE64_DECODE_LENGTH(len) octets. Padding is required: a group cut
 * short is not valid PEM (RFC 7468 section 3).
 */
static int
base64_decode(const unsigned char *b64, size_t len, unsigned char *out,
    size_t *out_len)
{
	struct base64_decode_ctx ctx;

	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, out_len, out, len, (const char *)b64) ||
	    !base64_decode_final(&ctx) || (len % 4) != 0)
		return -1;
	return 0;
}

#define LINT_MAX_DER (16u << 20)

static int
is_cert_begin(const char *line)
{
	return strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0 ||
	    strncmp(line, "-----BEGIN X509 CERTIFICATE-----", 32) == 0;
}

/* RFC 7468 lines are 64 characters; anything far longer is not PEM. */
#define LINT_MAX_LINE 4096

/*
 * One line of at most size - 1 octets into buf, the rest of a longer line
 * skipped, so an endless input without newlines (/dev/zero) costs no
 * memory. Returns the length kept, or -1 at the end of the input. Only
 * the thread that reads the inputs touches fp (lint_pool.h): no lock per
 * octet.
 */
static ssize_t
read_line_bounded(FILE *fp, char *buf, size_t size)
{
	size_t n = 0;
	int ch;

	while ((ch = getc_unlocked(fp)) != EOF) {
		if (n + 1 < size)
			buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	buf[n] = '\0';
	return n == 0 && ch == EOF ? -1 : (ssize_t)n;
}

/* An input that cannot be read, told to the reader with its name
 * escaped: a file name may hold any byte but '/' and NUL. */
static void
read_error(const struct lint_reader *r, const char *path, int err)
{
	char *esc = text_escape(path, strlen(path), 0), *msg;

	msg = xasprintf("cannot read '%s': %s", esc, file_strerror(err));
	r->error(msg, r->arg);
	free(msg);
	free(esc);
}

static void
depth_error(const struct lint_reader *r, const char *path)
{
	char *esc = text_escape(path, strlen(path), 0), *msg;

	msg = xasprintf("'%s': directories nested too deep", esc);
	r->error(msg, r->arg);
	free(msg);
	free(esc);
}

/* One certificate (der, len) or the problem that stands for one. */
static void
emit(const struct lint_reader *r, const char *name, unsigned index,
    unsigned line, const unsigned char *der, size_t len, const char *problem)
{
	struct lint_source src = { name, index, line, der, len, problem, NULL };

	r->cert(&src, r->arg);
}

/* PEM blocks one at a time (RFC 7468 section 2), or one DER value. */
static int
lint_stream(FILE *fp, const char *name, const struct lint_reader *r)
{
	char *line = xmalloc(LINT_MAX_LINE);
	size_t blen = 0, bcap = 0, dlen, dcap = 0, i;
	ssize_t n;
	unsigned char *b = NULL, *d = NULL;
	unsigned lineno = 0, start = 0, index = 0;
	int in = 0, ch, rc = 0;

	ch = getc(fp);
	if (ch == EOF) {
		emit(r, name, 1, 1, NULL, 0, "empty input");
		goto out;
	}
	ungetc(ch, fp);
	if (ch == 0x30) {
		/* DER: one value, read whole but bounded */
		bcap = 65536;
		b = xmalloc(bcap);
		while ((n = (ssize_t)fread(b + blen, 1, bcap - blen, fp)) > 0) {
			blen += (size_t)n;
			if (blen == bcap) {
				if (bcap >= LINT_MAX_DER)
					break;
				bcap *= 2;
				b = xrealloc(b, bcap);
			}
		}
		emit(r, name, 1, 1, b, blen, NULL);
		goto out;
	}
	while ((n = read_line_bounded(fp, line, LINT_MAX_LINE)) >= 0) {
		lineno++;
		if (!in) {
			if (is_cert_begin(line)) {
				in = 1;
				start = lineno;
				blen = 0;
			}
			continue;
		}
		if (strncmp(line, "-----END ", 9) == 0) {
			in = 0;
			index++;
			if (BASE64_DECODE_LENGTH(blen) > dcap) {
				dcap = BASE64_DECODE_LENGTH(blen);
				free(d);
				d = xmalloc(dcap);
			}
			if (base64_decode(b, blen, d, &dlen) != 0)
				emit(r, name, index, start, NULL, 0,
				    "invalid base64 in the PEM block");
			else if (dlen == 0)
				emit(r, name, index, start, NULL, 0, "empty PEM block");
			else
				emit(r, name, index, start, d, dlen, NULL);
			continue;
		}
		if (memchr(line, ':', (size_t)n) != NULL)
			continue;	/* RFC 1421 headers */
		if (blen + (size_t)n > bcap) {
			if (blen + (size_t)n > LINT_MAX_DER * 2) {
				index++;
				emit(r, name, index, start, NULL, 0, "PEM block too large");
				in = 0;
				continue;
			}
			bcap = (blen + (size_t)n) * 2;
			b = xrealloc(b, bcap);
		}
		for (i = 0; i < (size_t)n; i++)
			if (!isspace((unsigned char)line[i]))
				b[blen++] = (unsigned char)line[i];
	}
	if (in) {
		index++;
		emit(r, name, index, start, NULL, 0,
		    "PEM block has no END line (truncated)");
	} else if (index == 0) {
		emit(r, name, 1, 1, NULL, 0, "no PEM certificate and not DER");
	}
out:
	if (ferror(fp)) {
		read_error(r, name, errno);
		rc = -1;
	}
	free(line);
	free(b);
	free(d);
	return rc;
}

static int
wanted_file(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && (strcasecmp(dot, ".pem") == 0 ||
	    strcasecmp(dot, ".crt") == 0 || strcasecmp(dot, ".cer") == 0 ||
	    strcasecmp(dot, ".der") == 0);
}

static int
lint_file(const char *path, const struct lint_reader *r)
{
	FILE *fp = NULL;
	int fd, rc;

	/* A FIFO or a device is refused, not waited on: only "-" is a stream. */
	if ((fd = open_regular_file(path)) < 0 ||
	    (fp = fdopen(fd, "rb")) == NULL) {
		read_error(r, path, errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = lint_stream(fp, path, r);
	fclose(fp);
	return rc;
}

static int
lint_dir(const char *path, int depth, const struct lint_reader *r)
{
	struct dirent **list = NULL;
	struct stat st, lst;
	char *sub;
	int n, i, rc = 0;

	if (depth > 32) {
		depth_error(r, path);
		return -1;
	}
	if ((n = scandir(path, &list, NULL, alphasort)) < 0) {
		read_error(r, path, errno);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] == '.')
			goto next;
		sub = xasprintf("%s/%s", path, list[i]->d_name);
		if (stat(sub, &st) != 0) {
			/* a dangling symlink in a certificate directory */
			if (wanted_file(sub)) {
				read_error(r, sub, errno);
				rc = -1;
			}
		} else if (S_ISDIR(st.st_mode)) {
			/* symlinked directories are not followed: no loops */
			if (lstat(sub, &lst) == 0 && S_ISDIR(lst.st_mode) &&
			    lint_dir(sub, depth + 1, r) != 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && wanted_file(sub)) {
			if (lint_file(sub, r) != 0)
				rc = -1;
		}
		free(sub);
next:
		free(list[i]);
	}
	free(list);
	return rc;
}

int
lint_input(const char *path, const struct lint_reader *r)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		return lint_stream(stdin, "-", r);
	if (stat(path, &st) != 0) {
		read_error(r, path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return lint_dir(path, 0, r);
	return lint_file(path, r);
}
