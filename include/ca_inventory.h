/*
 * ca_inventory: the store's CA certificates as the inventory shows them
 * (sipca list, sipca check): which file, which role, until when. One
 * table row per CA certificate the store keeps (today ca.pem; a root
 * and an issuing intermediate each add a row), the issuing CA first.
 */
#ifndef SIPCA_CA_INVENTORY_H
#define SIPCA_CA_INVENTORY_H

#include <time.h>

#include "report.h"
#include "result.h"

struct store;

/* Within this many days the CA's expiry is worth a warning (sipca check). */
#define CA_EXPIRY_WARN_DAYS 180

struct ca_inventory_entry {
	const char *file;		/* under the store directory: "ca.pem" */
	const char *role;		/* "ca" */
	char *serial;			/* lowercase hex */
	char *subject;			/* RFC 4514, from the certificate: escape it */
	time_t not_before, not_after;
};

/*
 * Calls fn for each CA certificate of s, in table order; stops when fn
 * returns non-zero. A certificate that cannot be read is an error in
 * rep (RESULT_E_FAILED). The entry lives for the call only.
 */
enum result ca_inventory_each(struct store *s,
    int (*fn)(const struct ca_inventory_entry *e, void *arg), void *arg,
    struct report *rep);

/* Whole days from now to t, negative once past (what list --json says). */
long ca_inventory_days_left(time_t t, time_t now);

#endif
