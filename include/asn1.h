/*
 * asn1: sipca's libtasn1 module (src/pki/pkix.asn: the RFC 5280 certificate
 * and CRL structures) and the one strict-DER decoder every caller goes
 * through, the way GnuTLS and p11-kit use libtasn1; values are encoded
 * with the module's types too, never by hand.
 *
 * The definitions are loaded once per process and only read afterwards,
 * so any number of threads may decode at once: each decode makes its own
 * element, which the caller frees with asn1_delete_structure(). Slices
 * returned by pkix_slice() borrow from the DER the element was decoded
 * from and live as long as that buffer.
 */
#ifndef SIPCA_ASN1_H
#define SIPCA_ASN1_H

#include <stddef.h>
#include <libtasn1.h>

#define PKIX_ERR_SIZE ASN1_MAX_ERROR_DESCRIPTION_SIZE

enum pkix_decode_flags {
	/* Accept data after the value; *out_used says where the value ends. */
	PKIX_ALLOW_TRAILING = 1 << 0,
	/* Keep a wrongly encoded UTCTime/GeneralizedTime so a rule can name it. */
	PKIX_ALLOW_BAD_TIME = 1 << 1,
};

/*
 * Decodes der as the module's type ("Certificate", "BasicConstraints",
 * ...) in strict DER: libtasn1's ASN1_DECODE_FLAG_STRICT_DER (no
 * indefinite lengths, no constructed strings) and every length in its
 * shortest form. Returns 0 and a new element in *out_node, or -1
 * with libtasn1's reason in err (PKIX_ERR_SIZE bytes). *out_used, when
 * not NULL, gets the octets the value took.
 */
int pkix_decode(const char *type, const unsigned char *der, size_t len,
    int flags, asn1_node *out_node, size_t *out_used, char *err);

/*
 * A new empty element of the module's type, for writing: fill it with
 * pkix_write() and encode it with pkix_encode(); the caller frees it
 * with asn1_delete_structure(). Returns 0, or -1 with the reason in err.
 */
int pkix_new(const char *type, asn1_node *out_node, char *err);

/* asn1_write_value(); 0, or -1 with a reason naming the field in err. */
int pkix_write(asn1_node node, const char *name, const void *value, int len,
    char *err);

/*
 * The DER of field name of node ("" for the whole element) into a new
 * buffer *out_der (free()) of *out_len octets. Returns 0, or -1 with
 * libtasn1's reason in err.
 */
int pkix_encode(asn1_node node, const char *name, unsigned char **out_der,
    size_t *out_len, char *err);

/*
 * Reads a field into buf (size *len in, length out: octets, or bits for
 * a BIT STRING). Returns 0, or -1 when the field is absent, too large or
 * unreadable.
 */
int pkix_read(asn1_node node, const char *name, void *buf, int *len);

/* Reads an OBJECT IDENTIFIER field as dotted text into buf. */
int pkix_read_oid(asn1_node node, const char *name, char *buf, size_t size);

/* True when an OPTIONAL field was present in the decoded encoding. */
int pkix_present(asn1_node node, const char *name);

/*
 * The whole TLV of field name inside der (the buffer node was decoded
 * from): *out points into der. Returns 0 or -1.
 */
int pkix_slice(asn1_node node, const unsigned char *der, size_t der_len,
    const char *name, const unsigned char **out, size_t *out_len);

/* The contents of one DER TLV (its tag and length stripped); *out_tag
 * gets the tag octet. Returns 0 or -1 for a malformed header. */
int pkix_tlv_content(const unsigned char *tlv, size_t len,
    unsigned char *out_tag, const unsigned char **out, size_t *out_len);

/*
 * X.690 10.1 for every TLV of der, nested ones too: definite lengths in
 * their shortest form, and nothing cut short. Returns 0 or -1.
 */
int pkix_der_minimal(const unsigned char *der, size_t len);

/*
 * The name libtasn1 gives element i (from 1) of a SEQUENCE OF or SET OF
 * under base: "base.?i" ("?i" when base is ""), then suffix, into buf of
 * size octets. A certificate's lint looks up some thirty such names and
 * snprintf() cost more than the lookups. Returns buf, or NULL when the
 * name does not fit.
 */
const char *pkix_nth(char *buf, size_t size, const char *base, unsigned i,
    const char *suffix);

/* Number of elements of a SEQUENCE OF / SET OF field, 0 when absent. */
int pkix_count(asn1_node node, const char *name);

#endif
