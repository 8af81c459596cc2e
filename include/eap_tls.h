/*
 * eap_tls: the identity of a device's 802.1X certificate (EAP-TLS,
 * RFC 5216): its MAC address, written one way, and the DNS name made
 * of it. Pure text work; knows nothing of certificates or the store.
 *
 * The MAC is the name: the subject's CN and the store's NAME are its
 * twelve hex digits in lower case without separators (0004f2a1b2c3),
 * the form Avaya's $MACADDR gives and FreeRADIUS's check_cert_cn
 * compares with the EAP identity; the subjectAltName is the dNSName
 * MAC.DOMAIN, RFC 5216 section 5.2's "Where the peer identity
 * represents a host, a subjectAltName of type dnsName SHOULD be
 * present", and what Microsoft NPS maps a computer certificate by
 * (KB 814394: the SAN holds the client's FQDN).
 */
#ifndef SIPCA_EAP_TLS_H
#define SIPCA_EAP_TLS_H

#include <stddef.h>

/* Twelve hex digits and a NUL. */
#define EAP_TLS_MAC_LEN 13

/*
 * A MAC-48 address as people and devices write it: 0004f2a1b2c3,
 * 00:04:f2:a1:b2:c3, 00-04-F2-A1-B2-C3 (IEEE 802 / RFC 3580 section
 * 3.21's Calling-Station-Id) or 0004.f2a1.b2c3 (Cisco), in either case,
 * one separator throughout, into out as twelve lower-case hex digits.
 * Returns 0, or -1 with *out_reason saying what is wrong.
 */
int eap_tls_mac_parse(const char *text, char out[EAP_TLS_MAC_LEN],
    const char **out_reason);

/* "MAC.DOMAIN", a new string (free()). */
char *eap_tls_dns_name(const char *mac, const char *domain);

#endif
