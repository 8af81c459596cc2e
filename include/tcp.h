/*
 * tcp: a TCP connection made within a time limit, for sipca's clients
 * (probe, the ACME server's tls-alpn-01 validation).
 */
#ifndef SIPCA_TCP_H
#define SIPCA_TCP_H

#include <netdb.h>

/*
 * connect(2) to ai, non-blocking then polled, for at most timeout_ms;
 * the socket's reads and writes are then bounded by the same time
 * (SO_RCVTIMEO, SO_SNDTIMEO), whatever a TLS library above does. Returns
 * the blocking socket, or -1 with *out_errno (ETIMEDOUT past the limit).
 */
int tcp_connect(const struct addrinfo *ai, int timeout_ms, int *out_errno);

#endif
