/*
 * The request deadline of serve.c (internal to src/net): a request's
 * line, headers and body must all arrive within a time from the moment
 * its connection opened or the previous response went out.
 *
 * libmicrohttpd's own timeout is an idle one: it restarts at every octet
 * received, so a client that sends a header line every few seconds
 * (slowloris) or a body an octet at a time holds its connection, a
 * descriptor and a memory pool for as long as it likes. This closes such
 * connections from a thread of its own, by shutdown(2) of their sockets:
 * libmicrohttpd then sees the end of the stream and closes the connection
 * itself, so nothing of its state is touched from outside its threads.
 */
#ifndef SIPCA_SERVE_DEADLINE_H
#define SIPCA_SERVE_DEADLINE_H

#include <sys/socket.h>
#include <microhttpd.h>

struct deadline;

/*
 * Starts the thread that enforces seconds; log is told of each
 * connection it closes, from that thread. NULL when the thread cannot
 * start.
 */
struct deadline *deadline_start(unsigned seconds,
    void (*log)(void *arg, const struct sockaddr *peer, unsigned seconds),
    void *arg);

/* Stops the thread; call after every daemon using d has stopped. */
void deadline_stop(struct deadline *d);

/* The MHD_OPTION_NOTIFY_CONNECTION callback, with d as its argument. */
void deadline_notify(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code);

/* The request on conn has fully arrived: its clock stops. */
void deadline_received(struct MHD_Connection *conn);

/* Its response went out: the next request's clock starts. */
void deadline_rearm(struct MHD_Connection *conn);

#endif
