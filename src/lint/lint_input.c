/*
 * lint_input: the certificates in lint's inputs, one at a time (PEM
 * bundles per RFC 7468, one DER value, directories, stdin), so memory
 * stays flat however large a bundle is. An input that cannot be read is
 * told to the reader's error callback; nothing here prints.
 */
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
 * RFC 4648 section 4, by nettle (GnuTLS's own crypto library): a PEM
 * block's text, as read, into a new buffer. nettle's decoder skips the
 * whitespace C's isspace() names (HT, LF, VT, FF, CR and space), which is
 * what RFC 7468 section 3 allows between the lines, and its final check
 * (no bits left over) holds only when the characters and the padding come
 * in whole groups of four: a group cut short is refused.
 */
const char *
lint_pem_decode(const unsigned char *text, size_t len, unsigned char **der,
    size_t *der_len)
{
	struct base64_decode_ctx ctx;

	*der = xmalloc(BASE64_DECODE_LENGTH(len) + 1);
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, der_len, *der, len, (const char *)text) ||
	    !base64_decode_final(&ctx)) {
		free(*der);
		*der = NULL;
		return "invalid base64 in the PEM block";
	}
	if (*der_len == 0) {
		free(*der);
		*der = NULL;
		return "empty PEM block";
	}
	return NULL;
}

#define LINT_MAX_DER (16u << 20)

static int
is_cert_begin(const char *line)
{
	return strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0 ||
	    strncmp(line, "-----BEGIN X509 CERTIFICATE-----", 32) == 0;
}

/*
 * A block of another label (RFC 7468 section 2: a key, a request, a CRL
 * beside the certificates, as a store's issued/NAME/ holds them) is not
 * a certificate that failed to parse: the reader is told it was skipped,
 * by its label only, never its contents.
 */
static void
skipped_block(const struct lint_reader *r, const char *name, unsigned lineno,
    const char *line)
{
	const char *label = line + 11, *end = strstr(label, "-----");
	char *esc_name, *esc_label, *msg;

	if (r->skipped == NULL)
		return;
	esc_name = text_escape(name, strlen(name), 0);
	esc_label = text_escape(label, end != NULL ? (size_t)(end - label) :
	    strcspn(label, "\r\n"), 0);
	msg = xasprintf("'%s': line %u: skipped a PEM block that is not a "
	    "certificate (%s)", esc_name, lineno, esc_label);
	r->skipped(msg, r->arg);
	free(msg);
	free(esc_label);
	free(esc_name);
}

/* RFC 7468 lines are 64 characters; anything far longer is not PEM. */
#define LINT_MAX_LINE 4096
#define READ_BLOCK 65536

/*
 * An input read in blocks with read(2): a line costs a memchr() and a
 * copy, not a call per octet (getc() was a tenth of a certificate's
 * lint). Only the thread that reads the inputs touches it (lint_pool.h).
 */
struct input {
	int fd;
	int err;			/* errno of a failed read, or 0 */
	int eof;
	unsigned char *buf;		/* READ_BLOCK octets */
	size_t pos, end;
};

/* More of the input into in->buf; 0 at its end or on an error. */
static int
refill(struct input *in)
{
	ssize_t n;

	if (in->eof)
		return 0;
	do
		n = read(in->fd, in->buf, READ_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0)
			in->err = errno;
		in->eof = 1;
		return 0;
	}
	in->pos = 0;
	in->end = (size_t)n;
	return 1;
}

/*
 * One line of at most size - 1 octets into buf, the rest of a longer line
 * skipped, so an endless input without newlines (/dev/zero) costs no
 * memory. Returns the length kept, or -1 at the end of the input.
 */
static ssize_t
read_line_bounded(struct input *in, char *buf, size_t size)
{
	const unsigned char *nl;
	size_t n = 0, k, keep;
	int got = 0;

	for (;;) {
		if (in->pos == in->end && !refill(in))
			break;
		got = 1;
		nl = memchr(in->buf + in->pos, '\n', in->end - in->pos);
		k = nl != NULL ? (size_t)(nl - (in->buf + in->pos)) + 1 :
		    in->end - in->pos;
		keep = k < size - 1 - n ? k : size - 1 - n;
		memcpy(buf + n, in->buf + in->pos, keep);
		n += keep;
		in->pos += k;
		if (nl != NULL)
			break;
	}
	buf[n] = '\0';
	return got ? (ssize_t)n : -1;
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
	struct lint_source src = { name, index, line, der, len, problem, NULL, 0 };

	r->cert(&src, r->arg);
}

/* A source of the input's text, RFC 7468 section 2. */
static void
emit_pem(const struct lint_reader *r, const char *name, unsigned index,
    unsigned line, const unsigned char *text, size_t len)
{
	struct lint_source src = { name, index, line, text, len, NULL, NULL, 1 };

	r->cert(&src, r->arg);
}

/*
 * PEM blocks one at a time (RFC 7468 section 2), their text as read and
 * decoded by lint_one() on the thread that lints it, or one DER value.
 */
static int
lint_stream(int fd, const char *name, int walked, const struct lint_reader *r)
{
	struct input in = { fd, 0, 0, xmalloc(READ_BLOCK), 0, 0 };
	char *line = xmalloc(LINT_MAX_LINE);
	size_t blen = 0, bcap = 0;
	ssize_t n;
	unsigned char *b = NULL;
	unsigned lineno = 0, start = 0, index = 0, skipped = 0;
	int in_block = 0, rc = 0;

	if (!refill(&in)) {
		if (in.err == 0)
			emit(r, name, 1, 1, NULL, 0, "empty input");
		goto out;
	}
	if (in.buf[0] == 0x30) {
		/* DER: one value, read whole but bounded */
		bcap = READ_BLOCK;
		b = xmalloc(bcap);
		do {
			if (blen + (in.end - in.pos) > bcap) {
				if (bcap >= LINT_MAX_DER)
					break;
				bcap *= 2;
				b = xrealloc(b, bcap);
			}
			memcpy(b + blen, in.buf + in.pos, in.end - in.pos);
			blen += in.end - in.pos;
			in.pos = in.end;
		} while (refill(&in));
		emit(r, name, 1, 1, b, blen, NULL);
		goto out;
	}
	while ((n = read_line_bounded(&in, line, LINT_MAX_LINE)) >= 0) {
		lineno++;
		if (!in_block) {
			if (is_cert_begin(line)) {
				in_block = 1;
				start = lineno;
				blen = 0;
			} else if (strncmp(line, "-----BEGIN ", 11) == 0) {
				skipped_block(r, name, lineno, line);
				skipped++;
			}
			continue;
		}
		if (strncmp(line, "-----END ", 9) == 0) {
			in_block = 0;
			index++;
			emit_pem(r, name, index, start, b, blen);
			continue;
		}
		if (memchr(line, ':', (size_t)n) != NULL)
			continue;	/* RFC 1421 headers */
		if (blen + (size_t)n > bcap) {
			if (blen + (size_t)n > LINT_MAX_DER * 2) {
				index++;
				emit(r, name, index, start, NULL, 0, "PEM block too large");
				in_block = 0;
				continue;
			}
			bcap = (blen + (size_t)n) * 2;
			b = xrealloc(b, bcap);
		}
		memcpy(b + blen, line, (size_t)n);
		blen += (size_t)n;
	}
	if (in_block) {
		index++;
		emit(r, name, index, start, NULL, 0,
		    "PEM block has no END line (truncated)");
	} else if (index == 0 && in.err == 0) {
		/*
		 * A key found by walking a directory is no finding; a file
		 * named on the command line that holds no certificate is,
		 * whatever else it holds: the user asked for a certificate.
		 */
		if (skipped == 0)
			emit(r, name, 1, 1, NULL, 0,
			    "no PEM certificate and not DER");
		else if (!walked)
			emit(r, name, 1, 1, NULL, 0, "no PEM certificate, "
			    "only blocks of other labels");
	}
out:
	if (in.err != 0) {
		read_error(r, name, in.err);
		rc = -1;
	}
	free(in.buf);
	free(line);
	free(b);
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
lint_file(const char *path, int walked, const struct lint_reader *r)
{
	int fd, rc;

	/* A FIFO or a device is refused, not waited on: only "-" is a stream. */
	if ((fd = open_regular_file(path)) < 0) {
		read_error(r, path, errno);
		return -1;
	}
	rc = lint_stream(fd, path, walked, r);
	close(fd);
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
			if (lint_file(sub, 1, r) != 0)
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
		return lint_stream(STDIN_FILENO, "-", 0, r);
	if (stat(path, &st) != 0) {
		read_error(r, path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return lint_dir(path, 0, r);
	return lint_file(path, 0, r);
}
