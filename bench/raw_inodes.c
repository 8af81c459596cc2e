/*
 * raw_inodes: what the file system itself needs to hold a batch's files,
 * as the disk yardstick of bench/batch.sh: for each of COUNT certificates
 * a directory and three files of a certificate's sizes (key.pem,
 * cert.pem, chain.pem), then one syncfs(), as a batch's group does. No
 * staging, no renames, no index: the least any layout with a directory
 * per certificate costs there.
 *
 *   raw_inodes DIR COUNT
 *
 * prints "raw inodes: COUNT in SECONDS s: RATE/s"; DIR must not exist.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static const struct {
	const char *name;
	size_t size;
	mode_t mode;
} files[] = {
	{ "key.pem", 258, 0600 },	/* a P-256 PKCS#8 PEM */
	{ "cert.pem", 688, 0644 },	/* a device certificate */
	{ "chain.pem", 1271, 0644 },	/* it and its CA */
};

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

int
main(int argc, char **argv)
{
	char data[2048], name[32];
	long n, i;
	size_t f;
	double t0, t1;
	int top, dir, fd;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: raw_inodes DIR COUNT\n");
		return 2;
	}
	memset(data, 'A', sizeof(data));
	if (mkdir(argv[1], 0700) < 0 ||
	    (top = open(argv[1], O_RDONLY | O_DIRECTORY)) < 0)
		die(argv[1]);
	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%ld", i);
		if (mkdirat(top, name, 0700) < 0 ||
		    (dir = openat(top, name, O_RDONLY | O_DIRECTORY)) < 0)
			die("mkdir");
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			fd = openat(dir, files[f].name, O_WRONLY | O_CREAT | O_EXCL,
			    files[f].mode);
			if (fd < 0 || write(fd, data, files[f].size) !=
			    (ssize_t)files[f].size || close(fd) < 0)
				die("write");
		}
		close(dir);
	}
	if (syncfs(top) < 0)
		die("syncfs");
	t1 = now();
	printf("raw inodes: %ld in %.2f s: %.0f/s\n", n, t1 - t0, n / (t1 - t0));
	return 0;
}
