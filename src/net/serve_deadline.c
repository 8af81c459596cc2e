/*
 * serve_deadline: closes connections whose request does not arrive in
 * time (serve_deadline.h says why libmicrohttpd's idle timeout is not
 * enough). Every connection has a slot, made when libmicrohttpd accepts
 * it and dropped when libmicrohttpd closes it; a thread looks at the
 * slots once a second.
 *
 * The slot list and its lock are what make shutdown(2) from this thread
 * safe: libmicrohttpd tells of a connection's close (which takes the
 * lock to drop the slot) before it closes the socket, so a descriptor in
 * the list is still that connection's and never one reused by another.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve_deadline.h"
#include "util.h"

struct slot {
	struct slot *prev, *next;
	struct deadline *d;
	MHD_socket fd;
	time_t since;			/* CLOCK_MONOTONIC seconds */
	int receiving;			/* a request is on its way */
	int cut;			/* shut down already */
	struct sockaddr_storage peer;
};

struct deadline {
	pthread_mutex_t mu;		/* the list, every slot's fields */
	pthread_cond_t cv;		/* stopping */
	pthread_t thread;
	int stopping;
	unsigned seconds;
	struct slot list;		/* the sentinel of a circular list */
	void (*log)(void *arg, const struct sockaddr *peer, unsigned seconds);
	void *arg;
};

static time_t
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void *
sweep(void *arg)
{
	struct deadline *d = arg;
	struct sockaddr_storage *cut = NULL;
	struct timespec until;
	struct slot *s;
	size_t n, cap = 0, i;
	time_t t;

	pthread_mutex_lock(&d->mu);
	while (!d->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec++;
		while (!d->stopping && pthread_cond_timedwait(&d->cv, &d->mu,
		    &until) != ETIMEDOUT)
			;
		t = now();
		n = 0;
		for (s = d->list.next; s != &d->list; s = s->next) {
			if (!s->receiving || s->cut ||
			    t - s->since < (time_t)d->seconds)
				continue;
			/* libmicrohttpd reads the end of the stream and closes it. */
			shutdown(s->fd, SHUT_RDWR);
			s->cut = 1;
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				cut = xrealloc(cut, cap * sizeof(*cut));
			}
			cut[n++] = s->peer;
		}
		/* Logged unlocked: a slow stderr must not hold up accepts. */
		if (n > 0 && d->log != NULL) {
			pthread_mutex_unlock(&d->mu);
			for (i = 0; i < n; i++)
				d->log(d->arg, (const struct sockaddr *)&cut[i],
				    d->seconds);
			pthread_mutex_lock(&d->mu);
		}
	}
	pthread_mutex_unlock(&d->mu);
	free(cut);
	return NULL;
}

struct deadline *
deadline_start(unsigned seconds,
    void (*log)(void *arg, const struct sockaddr *peer, unsigned seconds),
    void *arg)
{
	struct deadline *d = xcalloc(1, sizeof(*d));
	pthread_condattr_t ca;

	d->seconds = seconds;
	d->log = log;
	d->arg = arg;
	d->list.next = d->list.prev = &d->list;
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&d->thread, NULL, sweep, d) != 0) {
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		free(d);
		return NULL;
	}
	return d;
}

void
deadline_stop(struct deadline *d)
{
	struct slot *s, *next;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	/* Every daemon has stopped: no slot is left but by a failed start. */
	for (s = d->list.next; s != &d->list; s = next) {
		next = s->next;
		free(s);
	}
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void
deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct deadline *d = cls;
	const union MHD_ConnectionInfo *fd, *peer;
	struct slot *s;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		peer = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (fd == NULL)
			return;
		s = xcalloc(1, sizeof(*s));
		s->d = d;
		s->fd = fd->connect_fd;
		s->since = now();
		s->receiving = 1;
		if (peer != NULL && peer->client_addr != NULL)
			memcpy(&s->peer, peer->client_addr,
			    peer->client_addr->sa_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
		pthread_mutex_lock(&d->mu);
		s->next = &d->list;
		s->prev = d->list.prev;
		d->list.prev->next = s;
		d->list.prev = s;
		pthread_mutex_unlock(&d->mu);
		*socket_context = s;
		return;
	}
	/* Closed (libmicrohttpd may tell of a close it never told the start of). */
	if ((s = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	s->prev->next = s->next;
	s->next->prev = s->prev;
	pthread_mutex_unlock(&d->mu);
	free(s);
	*socket_context = NULL;
}

static void
set_receiving(struct MHD_Connection *conn, int receiving)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct slot *s = ci != NULL ? ci->socket_context : NULL;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->d->mu);
	s->receiving = receiving;
	s->since = now();
	pthread_mutex_unlock(&s->d->mu);
}

void
deadline_received(struct MHD_Connection *conn)
{
	set_receiving(conn, 0);
}

void
deadline_rearm(struct MHD_Connection *conn)
{
	set_receiving(conn, 1);
}
