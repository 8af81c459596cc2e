/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput over files and
 * directories of inputs, without libFuzzer, so that "make check" (gcc,
 * and ASan/UBSan with VARIANT=san) replays every seed and every crash
 * once found: a crash found once stays fixed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT (1u << 20)

static unsigned long replayed;

static int
replay_file(const char *path)
{
	unsigned char *data = NULL, *copy;
	size_t len = 0;

	if (read_file(path, REPLAY_MAX_INPUT, &data, &len) < 0) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	/* An exact-size copy, so ASan sees a read past the input's end. */
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		free(data);
		return -1;
	}
	memcpy(copy, data, len);
	free(data);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	replayed++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL, *p;
	size_t n = 0, i;
	DIR *d;
	int ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n] = strdup(e->d_name)) == NULL)
			abort();
		n++;
	}
	closedir(d);
	/* In name order, so a failure is reproduced the same way each time. */
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (asprintf(&p, "%s/%s", path, names[i]) < 0)
			abort();
		if (replay_path(p) < 0)
			ret = -1;
		free(p);
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i]) < 0)
			ret = 1;
	printf("%s: replayed %lu inputs\n", argv[0], replayed);
	return ret;
}
