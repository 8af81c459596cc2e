/*
 * rollover: replacing the CA that phones trust before it expires, without
 * touching every phone on one day (RFC 4210 section 4.4, "root CA key
 * update"). A new root and issuing CA are made beside the current ones,
 * with two cross-certificates: the new root certified by the old key
 * (NewWithOld, "bridge.pem") and the old root by the new key (OldWithNew,
 * "old-bridge.pem"). Phones get the trust bundle (both roots) at their own
 * pace; at the switch the new issuing CA starts signing, and leaves carry
 * the bridge so that a phone that still trusts only the old root accepts
 * them:
 *
 *   old-root phone:  leaf -> new issuing CA -> NewWithOld -> old root
 *   new-root phone:  leaf -> new issuing CA -> new root
 *
 * The bridge is one more CA below the old root, which its pathLen must
 * allow (cross_path_allowed()): a two-level store's root does (pathLen 2);
 * a single-level CA (pathLen 0) does not, and there the phones need the
 * new root before the switch.
 */
#ifndef SIPCA_ROLLOVER_H
#define SIPCA_ROLLOVER_H

#include <time.h>

#include "key.h"
#include "report.h"
#include "result.h"
#include "signer.h"
#include "store.h"

struct rollover_params {
	const char *root_name;		/* NULL: the old root's, generation G<n+1> */
	const char *ca_name;		/* NULL: the issuing CA's, likewise */
	int key_type_set;
	enum key_type key_type;		/* else the old root's */
	long days;			/* the new root's; 0: 3650 */
	const char *new_passphrase;	/* encrypts the new keys; NULL: plain */
	/* The current root's key: a file (moved off the machine) or the
	 * store's, and the passphrase or PIN files of the current keys. */
	const char *root_key_file;
	struct signer_secrets secrets;
};

/* What a start made, for the command to say. */
struct rollover_started {
	char *root_name, *ca_name;	/* owned */
	time_t root_not_after, bridge_not_after;
	int bridged;		/* 0: the old root's pathLen allows no bridge */
};
void rollover_started_clear(struct rollover_started *st);

/*
 * sipca rollover start: the next generation and its cross-certificates,
 * signed with the current root's key (the only CA's, in a single-level
 * store). RESULT_E_INPUT, nothing changed, for a rollover under way, a
 * root key that is not there, a wrong passphrase or a bad name.
 */
enum result rollover_start(struct store *s, const struct rollover_params *p,
    struct rollover_started *out, struct report *rep);

/* The switch, the end of the overlap, and going back before the switch. */
enum result rollover_switch(struct store *s, struct report *rep);

/*
 * Refused (RESULT_E_INPUT) while valid certificates of the store were not
 * issued by the current issuing CA (they would lose their bridge and, for
 * phones with only the new root, their chain), unless force; *out_left
 * gets how many there are.
 */
enum result rollover_finish(struct store *s, int force, size_t *out_left,
    struct report *rep);
enum result rollover_abort(struct store *s, struct report *rep);

/*
 * The roots a phone should trust now, PEM one after the other: the
 * current one, and during a rollover the other generation's as well
 * (before the switch the next root, after it the old one). *out_n says
 * how many. The caller frees *out_pem.
 */
enum result rollover_trust_bundle(struct store *s, char **out_pem,
    size_t *out_len, unsigned *out_n, struct report *rep);

#endif
