/*
 * fileio: reading whole files and writing files atomically. Every file
 * sipca writes goes through atomic_write(): a temporary file in the same
 * directory, created exclusively, fsync'd, then renamed over the target,
 * so a reader or a crash sees the old file or the new one, never a mix.
 */
#ifndef SIPCA_FILEIO_H
#define SIPCA_FILEIO_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

enum atomic_flags {
	ATOMIC_EXCLUSIVE = 1 << 0,	/* fail with EEXIST if the target exists */
	ATOMIC_NO_SYNC = 1 << 1,	/* caller syncs the file system itself (batch) */
};

/*
 * Writes data to path with the given mode. Returns 0, or -1 with errno
 * set and nothing at path changed. The temporary file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW, so its mode is never wider than asked.
 */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags);

/* write(2) until all len bytes are written, again after EINTR. Returns 0,
 * or -1 with errno set. */
int write_all(int fd, const void *data, size_t len);

/*
 * The errno of open_regular_file() and the reads below for a path that
 * is a FIFO, a device or a socket. open(2) itself says ENXIO for a
 * socket or a device without a driver, so here it only ever means "not
 * a regular file"; file_strerror() says so in words.
 */
#define FILEIO_E_NOT_REGULAR ENXIO

/* strerror(), but FILEIO_E_NOT_REGULAR reads "not a regular file ...". */
const char *file_strerror(int err);

/*
 * Opens a file named by the user for reading. Only a regular file is
 * opened: a FIFO would block the open (or the read) forever, a device
 * may never end. The open does not block (O_NONBLOCK, cleared after)
 * and the type is checked on the descriptor, so what is read is what was
 * checked. Symlinks are followed, so /dev/stdin is a regular file only
 * when stdin is redirected from one; for a pipe, give "-" to read_file().
 * Returns the descriptor, or -1 with errno: EISDIR for a directory,
 * FILEIO_E_NOT_REGULAR for the rest.
 */
int open_regular_file(const char *path);

/*
 * Reads a whole file (or stdin for "-", which may be a pipe) into a new
 * NUL-terminated buffer. A path must name a regular file, as
 * open_regular_file() checks. Refuses files over max_size (EFBIG).
 * Returns 0 or -1 with errno set.
 */
int read_file(const char *path, size_t max_size, unsigned char **out_data,
    size_t *out_len);

/*
 * Like read_file() but for a regular file only (no "-"), of at most
 * 1 MiB; free the buffer with secret_free_buf().
 */
int read_secret_file(const char *path, unsigned char **out_data,
    size_t *out_len);

/* mkdir with mode, succeeding when a directory is already there. */
int mkdir_mode(const char *path, mode_t mode);
/* Creates path and its parents (mode for those it creates). */
int mkdir_parents(const char *path, mode_t mode);

/* True when path exists (lstat). */
int path_exists(const char *path);

/*
 * The same, relative to an open directory (the store walks itself this
 * way, so that no link inside it is followed). atomic_writeat() writes
 * dir_fd/name as atomic_write() does; a link at name is replaced, never
 * written through.
 */
int atomic_writeat(int dir_fd, const char *name, const void *data, size_t len,
    mode_t mode, int flags);
/* Reads an open file whole (up to max_size, else EFBIG), NUL-terminated. */
int read_fd(int fd, size_t max_size, unsigned char **out_data, size_t *out_len);
/* Reads an open regular file of at most 1 MiB into one buffer of its size
 * (wipe and free with secret_free_buf). */
int read_secret_fd(int fd, unsigned char **out_data, size_t *out_len);

#endif
