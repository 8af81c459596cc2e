/*
 * cms: the CMS EnvelopedData SCEP carries (RFC 5652 section 6, RFC 8894
 * section 3.2.2), which GnuTLS does not provide: decoded and encoded with
 * libtasn1 from src/pki/cms.asn (compiled by asn1Parser), the content key
 * moved by RSA key transport (gnutls_privkey_decrypt_data,
 * gnutls_pubkey_encrypt_data: PKCS#1 v1.5, RFC 8894 section 3.1) and
 * the content encrypted by gnutls_cipher_* in CBC mode. No home-made
 * cryptography: this file only arranges the octets.
 *
 * Input may be BER (indefinite lengths, constructed OCTET STRINGs, as
 * jscep and Android send); output is DER. Every buffer handed out is
 * the caller's (gnutls_free(); contents wiped first where they were
 * secret). Thread-safe: the module is loaded once.
 */
#ifndef SIPCA_CMS_H
#define SIPCA_CMS_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

/* Content encryption algorithms, best last (GetCACaps bounds the choice). */
enum cms_cipher {
	CMS_DES_CBC,		/* 1.3.14.3.2.7: refused unless allowed */
	CMS_DES3_CBC,		/* 1.2.840.113549.3.7 */
	CMS_AES128_CBC,		/* 2.16.840.1.101.3.4.1.2 */
	CMS_AES192_CBC,		/* 2.16.840.1.101.3.4.1.22 */
	CMS_AES256_CBC,		/* 2.16.840.1.101.3.4.1.42 */
};

/* "aes128-cbc", ...: for log lines. */
const char *cms_cipher_name(enum cms_cipher c);

/*
 * Opens an EnvelopedData (a ContentInfo of id-envelopedData, or the bare
 * EnvelopedData) addressed to recipient: the KeyTransRecipientInfo whose
 * issuerAndSerialNumber (or subjectKeyIdentifier) names recipient, or
 * the only one there is. key is recipient's RSA key. allow_des: single
 * DES is accepted (an explicit opt-in). Returns 0 with the plaintext in
 * *out_content and the cipher used in *out_cipher, or -1 with the reason
 * in err ("content encrypted with des-cbc, which is refused", "no
 * recipient is this certificate", "the key does not decrypt it").
 */
int cms_envelope_open(const unsigned char *data, size_t len,
    gnutls_x509_crt_t recipient, gnutls_privkey_t key, int allow_des,
    gnutls_datum_t *out_content, enum cms_cipher *out_cipher,
    char *err, size_t size);

/*
 * Encrypts content to recipient (an RSA certificate) with cipher and a
 * fresh key and IV from GnuTLS's random generator: an EnvelopedData,
 * version 0, one KeyTransRecipientInfo by issuerAndSerialNumber, as DER
 * (the bare EnvelopedData when bare, else in a ContentInfo). Returns 0
 * with *out (gnutls_free()), or -1 with the reason in err.
 */
int cms_envelope_seal(const gnutls_datum_t *content, gnutls_x509_crt_t recipient,
    enum cms_cipher cipher, int bare, gnutls_datum_t *out, char *err,
    size_t size);

/*
 * The module's ASN.1 (src/pki/cms.asn: "ContentInfo", "IssuerAndSubject",
 * "IssuerAndSerialNumber", ...), for scep_msg.c, which reads and writes
 * SCEP's messageData with it. Added to the interface for that: the
 * definitions are loaded once here.
 *
 * cms_asn1_new(): an empty element to fill (asn1_write_value()) and
 * encode; cms_asn1_decode(): BER (not strict DER) decoded, nothing may
 * follow the value. Both return 0 and a new element (the caller frees it
 * with asn1_delete_structure()), or -1 with the reason in err.
 * cms_asn1_read(): a field's value into a new buffer *out (free()), for
 * an ANY the whole TLV; 0 or -1. cms_asn1_encode(): the element as DER
 * into *out (gnutls_free()); 0, or -1 with libtasn1's reason in err.
 */
int cms_asn1_new(const char *type, asn1_node *out_node, char *err, size_t size);
int cms_asn1_decode(const char *type, const unsigned char *data, size_t len,
    asn1_node *out_node, char *err, size_t size);
int cms_asn1_read(asn1_node node, const char *name, unsigned char **out,
    size_t *out_len);
int cms_asn1_encode(asn1_node node, gnutls_datum_t *out, char *err, size_t size);

#endif
