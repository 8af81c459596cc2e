/*
 * check_fileio: src/util/fileio.c. Inputs named by the user are read only
 * when they are regular files (a FIFO or a device would hang or never
 * end), within a size bound; every write is atomic and never goes
 * through a link. Each test works in a fresh temporary directory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "util.h"

static char tmpdir[64];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_fileio.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* tmpdir/name, a new string. */
static char *
at(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
put(const char *name, const char *data)
{
	char *path = at(name);

	ck_assert_int_eq(atomic_write(path, data, strlen(data), 0644, 0), 0);
	free(path);
}

/* The number of entries in tmpdir: no temporary file may be left. */
static int
entries(void)
{
	char *cmd = xasprintf("exit $(ls -A '%s' | wc -l)", tmpdir);
	int ret = system(cmd);

	free(cmd);
	return WEXITSTATUS(ret);
}

static void
expect_contents(const char *name, const char *want)
{
	char *path = at(name);
	unsigned char *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(read_file(path, 1 << 20, &data, &len), 0);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq((char *)data, want);
	free(data);
	free(path);
}

/* The mode asked for, whatever the umask: a key is 0600 under umask 0. */
START_TEST(test_write_mode_ignores_umask)
{
	char *path = at("key.pem");
	struct stat st;
	mode_t old = umask(0);

	ck_assert_int_eq(atomic_write(path, "k", 1, 0600, 0), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	umask(0077);
	ck_assert_int_eq(atomic_write(path, "kk", 2, 0644, 0), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	umask(old);
	expect_contents("key.pem", "kk");
	ck_assert_int_eq(entries(), 1);
	free(path);
}
END_TEST

START_TEST(test_write_empty_and_large)
{
	size_t big = 3 * 65536 + 17, i;
	char *data = xmalloc(big + 1), *path = at("big");
	unsigned char *back = NULL;
	size_t len = 0;

	for (i = 0; i < big; i++)
		data[i] = (char)('a' + i % 26);
	data[big] = '\0';
	ck_assert_int_eq(atomic_write(path, data, big, 0644, ATOMIC_NO_SYNC), 0);
	ck_assert_int_eq(read_file(path, big, &back, &len), 0);
	ck_assert_uint_eq(len, big);
	ck_assert_mem_eq(back, data, big);
	ck_assert_int_eq(back[len], '\0');
	free(back);
	ck_assert_int_eq(atomic_write(path, "", 0, 0644, 0), 0);
	expect_contents("big", "");
	free(data);
	free(path);
}
END_TEST

/* A relative name (no slash) is written in the current directory. */
START_TEST(test_write_relative)
{
	char cwd[4096];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(atomic_write("plain", "p", 1, 0644, 0), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	expect_contents("plain", "p");
}
END_TEST

/* A link at the target is replaced by the file, never written through. */
START_TEST(test_write_replaces_link)
{
	char *victim = at("victim"), *link = at("link");
	struct stat st;

	put("victim", "precious");
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(atomic_write(link, "new", 3, 0600, 0), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	expect_contents("victim", "precious");
	expect_contents("link", "new");
	free(victim);
	free(link);
}
END_TEST

/* Exclusive: even a dangling link counts as "there". */
START_TEST(test_exclusive_dangling_link)
{
	char *link = at("dangling"), *gone = at("gone");

	ck_assert_int_eq(symlink(gone, link), 0);
	errno = 0;
	ck_assert_int_eq(atomic_write(link, "x", 1, 0600, ATOMIC_EXCLUSIVE), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(path_exists(gone), 0);
	ck_assert_int_eq(entries(), 1);
	free(link);
	free(gone);
}
END_TEST

START_TEST(test_writeat)
{
	int dir_fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *victim = at("outside");

	ck_assert_int_ge(dir_fd, 0);
	ck_assert_int_eq(atomic_writeat(dir_fd, "f", "one", 3, 0600,
	    ATOMIC_EXCLUSIVE), 0);
	expect_contents("f", "one");
	ck_assert_int_eq(atomic_writeat(dir_fd, "f", "two", 3, 0600,
	    ATOMIC_EXCLUSIVE), -1);
	ck_assert_int_eq(errno, EEXIST);
	expect_contents("f", "one");
	ck_assert_int_eq(atomic_writeat(dir_fd, "f", "two", 3, 0600, 0), 0);
	expect_contents("f", "two");
	/* A link inside the directory is replaced, its target untouched. */
	put("outside", "keep");
	ck_assert_int_eq(symlinkat(victim, dir_fd, "l"), 0);
	ck_assert_int_eq(atomic_writeat(dir_fd, "l", "mine", 4, 0600, 0), 0);
	expect_contents("outside", "keep");
	expect_contents("l", "mine");
	/* A missing subdirectory: ENOENT, nothing left behind. */
	ck_assert_int_eq(atomic_writeat(dir_fd, "no/such", "x", 1, 0600, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(entries(), 3);
	close(dir_fd);
	free(victim);
}
END_TEST

/* What open_regular_file() says of each kind of path. */
START_TEST(test_open_regular)
{
	char *file = at("file"), *fifo = at("fifo"), *link = at("link");
	char *missing = at("missing");
	int fd;

	put("file", "x");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(symlink(file, link), 0);

	fd = open_regular_file(file);
	ck_assert_int_ge(fd, 0);
	/* O_NONBLOCK was only for the open. */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	fd = open_regular_file(link);		/* links are followed */
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* A FIFO without a writer: refused at once, not waited on. */
	errno = 0;
	ck_assert_int_eq(open_regular_file(fifo), -1);
	ck_assert_int_eq(errno, FILEIO_E_NOT_REGULAR);
	ck_assert_int_eq(open_regular_file("/dev/null"), -1);
	ck_assert_int_eq(errno, FILEIO_E_NOT_REGULAR);
	ck_assert_int_eq(open_regular_file(tmpdir), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(open_regular_file(missing), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(file);
	free(fifo);
	free(link);
	free(missing);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(file_strerror(FILEIO_E_NOT_REGULAR),
	    "not a regular file (give '-' to read standard input)");
	ck_assert_str_eq(file_strerror(ENOENT), strerror(ENOENT));
}
END_TEST

START_TEST(test_read_file_refuses)
{
	char *fifo = at("fifo");
	unsigned char *data = (unsigned char *)"untouched";
	size_t len = 99;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_file(fifo, 100, &data, &len), -1);
	ck_assert_int_eq(errno, FILEIO_E_NOT_REGULAR);
	ck_assert_int_eq(read_file("/dev/zero", 100, &data, &len), -1);
	ck_assert_int_eq(errno, FILEIO_E_NOT_REGULAR);
	ck_assert_int_eq(read_file(tmpdir, 100, &data, &len), -1);
	ck_assert_int_eq(errno, EISDIR);
	/* Outputs are written only on success. */
	ck_assert_str_eq((char *)data, "untouched");
	ck_assert_uint_eq(len, 99);
	free(fifo);
}
END_TEST

/* "-" is stdin, which may be a pipe; the bound holds there too. */
START_TEST(test_read_stdin)
{
	int pipefd[2], saved = dup(STDIN_FILENO);
	unsigned char *data = NULL;
	size_t len = 0;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(write(pipefd[1], "from a pipe\n", 12), 12);
	close(pipefd[1]);
	ck_assert_int_eq(dup2(pipefd[0], STDIN_FILENO), STDIN_FILENO);
	close(pipefd[0]);
	ck_assert_int_eq(read_file("-", 100, &data, &len), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_str_eq((char *)data, "from a pipe\n");
	free(data);

	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(write(pipefd[1], "0123456789", 10), 10);
	close(pipefd[1]);
	ck_assert_int_eq(dup2(pipefd[0], STDIN_FILENO), STDIN_FILENO);
	close(pipefd[0]);
	ck_assert_int_eq(read_file("-", 9, &data, &len), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}
END_TEST

/* read_fd() grows its buffer past its first 8 KiB and keeps the bound. */
START_TEST(test_read_fd_growth)
{
	char *path = at("grow");
	size_t n = 100000, i;
	char *data = xmalloc(n);
	unsigned char *back = NULL;
	size_t len = 0;
	int fd;

	for (i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	ck_assert_int_eq(atomic_write(path, data, n, 0600, 0), 0);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read_fd(fd, n, &back, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(back, data, n);
	free(back);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(read_fd(fd, n - 1, &back, &len), -1);
	ck_assert_int_eq(errno, EFBIG);
	close(fd);
	free(data);
	free(path);
}
END_TEST

START_TEST(test_read_secret)
{
	char *path = at("pin"), *big = at("big"), *fifo = at("fifo");
	unsigned char *data = NULL;
	size_t len = 0;
	int pipefd[2];

	put("pin", "1234\n");
	ck_assert_int_eq(read_secret_file(path, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq((char *)data, "1234\n");
	secret_free_buf(data, len);

	/* 1 MiB is the bound, refused before it is read. */
	ck_assert_int_eq(close(open(big, O_WRONLY | O_CREAT, 0600)), 0);
	ck_assert_int_eq(truncate(big, 1 << 20), 0);
	ck_assert_int_eq(read_secret_file(big, &data, &len), 0);
	ck_assert_uint_eq(len, 1 << 20);
	secret_free_buf(data, len);
	ck_assert_int_eq(truncate(big, (1 << 20) + 1), 0);
	ck_assert_int_eq(read_secret_file(big, &data, &len), -1);
	ck_assert_int_eq(errno, EFBIG);

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_secret_file(fifo, &data, &len), -1);
	ck_assert_int_eq(errno, FILEIO_E_NOT_REGULAR);
	ck_assert_int_eq(read_secret_file(tmpdir, &data, &len), -1);
	ck_assert_int_eq(errno, EISDIR);
	/* An open pipe is no secret file either. */
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(read_secret_fd(pipefd[0], &data, &len), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	free(path);
	free(big);
	free(fifo);
}
END_TEST

START_TEST(test_mkdir)
{
	char *d = at("d"), *deep = at("a/b/c"), *file = at("file");
	struct stat st;
	mode_t old = umask(0077);

	ck_assert_int_eq(mkdir_mode(d, 0755), 0);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);	/* not the umask's 0700 */
	ck_assert_int_eq(mkdir_mode(d, 0700), 0);	/* already there */
	put("file", "x");
	ck_assert_int_eq(mkdir_mode(file, 0700), -1);
	ck_assert_int_eq(errno, ENOTDIR);

	ck_assert_int_eq(mkdir_parents(deep, 0700), 0);
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(mkdir_parents(deep, 0700), 0);
	umask(old);
	free(d);
	free(deep);
	free(file);
}
END_TEST

START_TEST(test_path_exists)
{
	char *link = at("dangling"), *missing = at("missing");

	ck_assert_int_eq(symlink(missing, link), 0);
	ck_assert_int_eq(path_exists(link), 1);		/* lstat: the link is there */
	ck_assert_int_eq(path_exists(missing), 0);
	ck_assert_int_eq(path_exists(tmpdir), 1);
	free(link);
	free(missing);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("write");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_mode_ignores_umask);
	tcase_add_test(tc, test_write_empty_and_large);
	tcase_add_test(tc, test_write_relative);
	tcase_add_test(tc, test_write_replaces_link);
	tcase_add_test(tc, test_exclusive_dangling_link);
	tcase_add_test(tc, test_writeat);
	tcase_add_test(tc, test_mkdir);
	tcase_add_test(tc, test_path_exists);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_regular);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_read_file_refuses);
	tcase_add_test(tc, test_read_stdin);
	tcase_add_test(tc, test_read_fd_growth);
	tcase_add_test(tc, test_read_secret);
	suite_add_tcase(s, tc);
	return s;
}
