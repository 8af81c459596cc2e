/*
 * check_san: src/pki/san.c. Each rule is a table of inputs with the reason
 * expected (NULL for "accepted"), run with one loop test per row so a
 * failure names the row. Lengths at the limits are built at run time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "san.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct verdict {
	const char	*input;
	int		 flags;
	const char	*reason;	/* NULL: accepted */
};

/* Assert the verdict on one input: accepted, or refused for this reason. */
static void
assert_verdict(const char *what, const struct verdict *v, int ret,
    const char *reason)
{
	if (v->reason == NULL) {
		ck_assert_msg(ret == 0, "%s '%s': refused: %s", what,
		    v->input, reason != NULL ? reason : "(no reason)");
		return;
	}
	ck_assert_msg(ret == -1, "%s '%s': accepted, expected '%s'", what,
	    v->input, v->reason);
	ck_assert_msg(reason != NULL && strcmp(reason, v->reason) == 0,
	    "%s '%s': reason '%s', expected '%s'", what, v->input,
	    reason != NULL ? reason : "(null)", v->reason);
}

static const struct verdict sip_uris[] = {
	{ "sip:example.com", 0, NULL },
	{ "sips:example.com", 0, NULL },
	{ "sips:alice@example.com", 0, NULL },
	{ "sip:alice@example.com:5061", 0, NULL },
	{ "sip:[::1]:5061", 0, NULL },
	{ "sip:[2001:db8::1]", 0, NULL },
	{ "sip:bob@[2001:db8::1]:5061", 0, NULL },
	{ "sip:192.0.2.1", 0, NULL },
	{ "sip:192.0.2.1:65535", 0, NULL },
	{ "sip:example.com:1", 0, NULL },
	{ "sip:al%20ice@x.com", 0, NULL },
	{ "sip:al%2Fice@x.com", 0, NULL },		/* uppercase HEXDIG */
	{ "sip:al%2fice@x.com", 0, NULL },
	{ "sip:*@example.com", 0, NULL },		/* "*" is a mark */
	{ "sip:a-_.!~*'()b@example.com", 0, NULL },
	{ "sip:&=+$,;?/@example.com", 0, NULL },	/* user-unreserved */
	{ "sip:+15551234567@example.com", 0, NULL },
	{ "sip:*.example.com", SAN_ALLOW_WILDCARD, NULL },
	{ "sip:ex-ample.co.uk", 0, NULL },
	{ "sip:xn--bcher-kva.example", 0, NULL },

	{ NULL, 0, "empty uri" },
	{ "", 0, "empty uri" },
	{ "tel:+15551234567", 0, "not a sip or sips uri" },
	{ "http://example.com", 0, "not a sip or sips uri" },
	{ "SIP:example.com", 0, "not a sip or sips uri" },
	{ "sipx:example.com", 0, "not a sip or sips uri" },
	{ "sip", 0, "not a sip or sips uri" },
	{ "example.com", 0, "not a sip or sips uri" },
	{ "sip:", 0, "empty host" },
	{ "sip:alice@", 0, "empty host" },
	{ "sip::5060", 0, "empty host" },
	{ "sip:@x", 0, "empty user part" },
	{ "sip:al%2@x.com", 0, "bad escape in user part" },
	{ "sip:al%@x.com", 0, "bad escape in user part" },
	{ "sip:al%zz@x.com", 0, "bad escape in user part" },
	{ "sip:al%2g@x.com", 0, "bad escape in user part" },
	{ "sip:alice:secret@example.com", 0,
	    "a password is not part of an identity" },
	{ "sip:alice:@example.com", 0, "a password is not part of an identity" },
	{ "sip:al\"ice@example.com", 0, "invalid character in user part" },
	{ "sip:al[ice@example.com", 0, "invalid character in user part" },
	{ "sip:a@b@example.com", 0, "invalid character in DNS name" },
	{ "sip:example.com;transport=tls", 0,
	    "uri parameters are not part of an identity" },
	{ "sip:alice@example.com:5061;transport=tls", 0,
	    "uri parameters are not part of an identity" },
	{ "sip:[::1];lr", 0, "uri parameters are not part of an identity" },
	{ "sip:alice@example.com?subject=hi", 0,
	    "uri headers are not part of an identity" },
	{ "sip:alice @example.com", 0, "contains a space or control character" },
	{ " sip:example.com", 0, "contains a space or control character" },
	{ "sip:example.com ", 0, "contains a space or control character" },
	{ "sip:exam\tple.com", 0, "contains a space or control character" },
	{ "sip:example.com\r\n", 0, "contains a space or control character" },
	{ "sip:exa\x7fmple.com", 0, "contains a space or control character" },
	{ "sip:example.com:0", 0, "invalid port" },
	{ "sip:example.com:65536", 0, "invalid port" },
	{ "sip:example.com:99999999999999999999", 0, "invalid port" },
	{ "sip:example.com:", 0, "invalid port" },
	{ "sip:example.com:50a", 0, "invalid port" },
	{ "sip:example.com:-1", 0, "invalid port" },
	{ "sip:example.com:5060:5061", 0, "invalid port" },
	{ "sip:[::1]x", 0, "unexpected characters after host" },
	{ "sip:[::1", 0, "unterminated IPv6 reference" },
	{ "sip:[]", 0, "invalid IPv6 address" },
	{ "sip:[1.2.3.4]", 0, "invalid IPv6 address" },
	{ "sip:[fe80::1%25eth0]", 0, "invalid IPv6 address" },
	{ "sip:[::g]", 0, "invalid IPv6 address" },
	{ "sip:*.example.com", 0, "wildcard not allowed" },
	{ "sip:alice@*.example.com", 0, "wildcard not allowed" },
	{ "sip:f*o.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "sip:example.com.", 0, "trailing dot" },
	{ "sip:ex_ample.com", 0, "invalid character in DNS name" },
	{ "sip:example.com/path", 0, "invalid character in DNS name" },
	{ "sip:-example.com", 0, "label starts or ends with a hyphen" },
	{ "sip:example..com", 0, "empty label" },
	{ "sip:1.2.3.256", 0, "top-level label is all-numeric" },
	{ "sip:exämple.com", 0, "invalid character in DNS name" },
};

START_TEST(test_sip_uri)
{
	const struct verdict	*v = &sip_uris[_i];
	const char		*reason = NULL;
	int			 ret;

	ret = san_check_sip_uri(v->input, v->flags, &reason);
	assert_verdict("sip uri", v, ret, reason);
}
END_TEST

static const struct verdict dns_names[] = {
	{ "example.com", 0, NULL },
	{ "localhost", 0, NULL },
	{ "EXAMPLE.Com", 0, NULL },
	{ "a.b.c.d.e.example", 0, NULL },
	{ "1.example.com", 0, NULL },
	{ "3com.com", 0, NULL },
	{ "a-b.example.com", 0, NULL },
	{ "a--b.example.com", 0, NULL },
	{ "xn--bcher-kva.example", 0, NULL },
	{ "*.example.com", SAN_ALLOW_WILDCARD, NULL },
	{ "*.sip.example.com", SAN_ALLOW_WILDCARD, NULL },
	{ "example.c0m", 0, NULL },

	{ NULL, 0, "empty name" },
	{ "", 0, "empty name" },
	{ ".", 0, "trailing dot" },
	{ "example.com.", 0, "trailing dot" },
	{ ".example.com", 0, "empty label" },
	{ "example..com", 0, "empty label" },
	{ "-example.com", 0, "label starts or ends with a hyphen" },
	{ "example-.com", 0, "label starts or ends with a hyphen" },
	{ "example.-com", 0, "label starts or ends with a hyphen" },
	{ "ex_ample.com", 0, "invalid character in DNS name" },
	{ "_sip._tls.example.com", 0, "invalid character in DNS name" },
	{ "exa mple.com", 0, "invalid character in DNS name" },
	{ "example.com:5061", 0, "invalid character in DNS name" },
	{ "sip:example.com", 0, "invalid character in DNS name" },
	{ "192.0.2.1", 0, "an IP address is not a DNS name" },
	{ "10.0.0.1", SAN_ALLOW_WILDCARD, "an IP address is not a DNS name" },
	{ "1.2.3.256", 0, "top-level label is all-numeric" },
	{ "example.123", 0, "top-level label is all-numeric" },
	{ "12345", 0, "top-level label is all-numeric" },
	{ "*.example.com", 0, "wildcard not allowed" },
	{ "*.com", SAN_ALLOW_WILDCARD, "wildcard needs two labels after it" },
	{ "*", SAN_ALLOW_WILDCARD, "wildcard needs two labels after it" },
	{ "f*o.example.com", 0, "invalid wildcard" },
	{ "f*o.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "*.*.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "*.*.x", 0, "invalid wildcard" },
	{ "**.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "*foo.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "www.*.example.com", SAN_ALLOW_WILDCARD, "invalid wildcard" },
	{ "::1", 0, "invalid character in DNS name" },
};

START_TEST(test_dns)
{
	const struct verdict	*v = &dns_names[_i];
	const char		*reason = NULL;
	int			 ret;

	ret = san_check_dns(v->input, v->flags, &reason);
	assert_verdict("dns name", v, ret, reason);
}
END_TEST

/* A name of LABELS labels of LEN octets each ("aaa.aaa..."), in buf. */
static char *
make_name(char *buf, size_t size, size_t labels, size_t len)
{
	size_t	 i, off = 0;

	for (i = 0; i < labels; i++) {
		if (i > 0)
			buf[off++] = '.';
		memset(buf + off, 'a', len);
		off += len;
	}
	ck_assert_uint_lt(off, size);
	buf[off] = '\0';
	return buf;
}

START_TEST(test_dns_lengths)
{
	char		 name[512], uri[600];
	const char	*reason = NULL;
	size_t		 len;

	ck_assert_int_eq(san_check_dns(make_name(name, sizeof(name), 2, 63),
	    0, &reason), 0);
	ck_assert_int_eq(san_check_dns(make_name(name, sizeof(name), 2, 64),
	    0, &reason), -1);
	ck_assert_str_eq(reason, "label longer than 63 octets");

	/* 63.63.63.61 is 253 octets, the most RFC 1035 allows. */
	make_name(name, sizeof(name), 4, 63);
	name[253] = '\0';
	ck_assert_uint_eq(strlen(name), 253);
	ck_assert_int_eq(san_check_dns(name, 0, &reason), 0);

	make_name(name, sizeof(name), 4, 63);
	name[254] = '\0';
	ck_assert_int_eq(san_check_dns(name, 0, &reason), -1);
	ck_assert_str_eq(reason, "name too long");

	/* The same limits apply to the host of a SIP URI. */
	make_name(name, sizeof(name), 4, 63);
	name[253] = '\0';
	len = (size_t)snprintf(uri, sizeof(uri), "sip:alice@%s:5061", name);
	ck_assert_uint_lt(len, sizeof(uri));
	ck_assert_int_eq(san_check_sip_uri(uri, 0, &reason), 0);
	make_name(name, sizeof(name), 4, 63);
	name[254] = '\0';
	snprintf(uri, sizeof(uri), "sip:%s", name);
	ck_assert_int_eq(san_check_sip_uri(uri, 0, &reason), -1);
	ck_assert_str_eq(reason, "name too long");
	snprintf(uri, sizeof(uri), "sip:%s.example.com",
	    make_name(name, sizeof(name), 1, 64));
	ck_assert_int_eq(san_check_sip_uri(uri, 0, &reason), -1);
	ck_assert_str_eq(reason, "label longer than 63 octets");
}
END_TEST

START_TEST(test_sip_uri_length)
{
	char		*uri;
	const char	*reason = NULL;
	const char	 host[] = "@example.com";
	size_t		 max = 2048, user;

	uri = malloc(max + 2);
	ck_assert_ptr_nonnull(uri);
	/* "sip:" + user + "@example.com" of exactly 2048 octets. */
	user = max - 4 - strlen(host);
	memcpy(uri, "sip:", 4);
	memset(uri + 4, 'u', user);
	memcpy(uri + 4 + user, host, sizeof(host));
	ck_assert_uint_eq(strlen(uri), max);
	ck_assert_int_eq(san_check_sip_uri(uri, 0, &reason), 0);

	memset(uri + 4, 'u', user + 1);
	memcpy(uri + 5 + user, host, sizeof(host));
	ck_assert_uint_eq(strlen(uri), max + 1);
	ck_assert_int_eq(san_check_sip_uri(uri, 0, &reason), -1);
	ck_assert_str_eq(reason, "uri too long");
	free(uri);
}
END_TEST

/* A refusal must leave *out_reason alone on success and allow NULL. */
START_TEST(test_reason_pointer)
{
	const char	*reason = "untouched";

	ck_assert_int_eq(san_check_sip_uri("sip:example.com", 0, &reason), 0);
	ck_assert_str_eq(reason, "untouched");
	ck_assert_int_eq(san_check_sip_uri("sip:@x", 0, NULL), -1);
	ck_assert_int_eq(san_check_dns("a..b", 0, NULL), -1);
	ck_assert_int_eq(san_parse_ip("x", NULL, NULL, NULL), -1);
	ck_assert_int_eq(san_parse_cidr("x", NULL, NULL, NULL), -1);
	ck_assert_int_eq(san_check_store_name("", NULL), -1);
}
END_TEST

struct ip_case {
	const char	*input;
	size_t		 len;		/* 0: refused */
	unsigned char	 bytes[16];
};

static const struct ip_case ips[] = {
	{ "192.0.2.1", 4, { 192, 0, 2, 1 } },
	{ "0.0.0.0", 4, { 0 } },
	{ "255.255.255.255", 4, { 255, 255, 255, 255 } },
	{ "::1", 16, { [15] = 1 } },
	{ "2001:db8::1", 16, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
	{ "2001:DB8::1", 16, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
	{ "::ffff:192.0.2.1", 16,
	    { [10] = 0xff, 0xff, 192, 0, 2, 1 } },
	{ NULL, 0, { 0 } },
	{ "", 0, { 0 } },
	{ "fe80::1%eth0", 0, { 0 } },
	{ "[::1]", 0, { 0 } },
	{ "192.0.2.256", 0, { 0 } },
	{ "192.0.2", 0, { 0 } },
	{ "192.0.2.1 ", 0, { 0 } },
	{ "example.com", 0, { 0 } },
	{ "1:2:3:4:5:6:7:8:9", 0, { 0 } },
	{ "192.0.2.1/32", 0, { 0 } },
};

START_TEST(test_parse_ip)
{
	const struct ip_case	*c = &ips[_i];
	unsigned char		 out[16];
	size_t			 len = 99;
	const char		*reason = NULL;
	int			 ret;

	memset(out, 0xaa, sizeof(out));
	ret = san_parse_ip(c->input, out, &len, &reason);
	if (c->len == 0) {
		ck_assert_msg(ret == -1, "'%s' accepted", c->input);
		ck_assert_str_eq(reason, "not an IPv4 or IPv6 address");
		ck_assert_uint_eq(len, 99);
		ck_assert_uint_eq(out[0], 0xaa);
		return;
	}
	ck_assert_msg(ret == 0, "'%s' refused: %s", c->input, reason);
	ck_assert_uint_eq(len, c->len);
	ck_assert_mem_eq(out, c->bytes, c->len);
	/* Both outputs may be NULL when only the verdict matters. */
	ck_assert_int_eq(san_parse_ip(c->input, NULL, NULL, NULL), 0);
}
END_TEST

struct cidr_case {
	const char	*input;
	size_t		 len;		/* 0: refused for reason */
	unsigned char	 bytes[32];
	const char	*reason;
};

static const struct cidr_case cidrs[] = {
	{ "10.0.0.0/8", 8, { 10, 0, 0, 0, 255, 0, 0, 0 }, NULL },
	{ "192.0.2.0/24", 8, { 192, 0, 2, 0, 255, 255, 255, 0 }, NULL },
	{ "192.0.2.128/25", 8, { 192, 0, 2, 128, 255, 255, 255, 128 }, NULL },
	{ "192.0.2.1/32", 8, { 192, 0, 2, 1, 255, 255, 255, 255 }, NULL },
	{ "0.0.0.0/0", 8, { 0 }, NULL },
	{ "172.16.0.0/12", 8, { 172, 16, 0, 0, 255, 240, 0, 0 }, NULL },
	{ "2001:db8::/32", 32, { 0x20, 0x01, 0x0d, 0xb8,
	    [16] = 0xff, 0xff, 0xff, 0xff }, NULL },
	{ "::/0", 32, { 0 }, NULL },
	{ "::1/128", 32, { [15] = 1, [16] = 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff }, NULL },
	{ "fe80::/10", 32, { 0xfe, 0x80, [16] = 0xff, 0xc0 }, NULL },

	{ NULL, 0, { 0 }, "missing prefix length" },
	{ "10.0.0.0", 0, { 0 }, "missing prefix length" },
	{ "10.0.0.1/8", 0, { 0 }, "host bits set in CIDR" },
	{ "192.0.2.129/25", 0, { 0 }, "host bits set in CIDR" },
	{ "2001:db8::1/32", 0, { 0 }, "host bits set in CIDR" },
	{ "fe81::/10", 0, { 0 }, "host bits set in CIDR" },
	{ "10.0.0.0/33", 0, { 0 }, "invalid prefix length" },
	{ "::/129", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/-1", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/+8", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/08", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/8/8", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/8 ", 0, { 0 }, "invalid prefix length" },
	{ "10.0.0.0/99999999999", 0, { 0 }, "invalid prefix length" },
	{ "/8", 0, { 0 }, "not an IPv4 or IPv6 address" },
	{ "10.0.0/8", 0, { 0 }, "not an IPv4 or IPv6 address" },
	{ "[::]/0", 0, { 0 }, "not an IPv4 or IPv6 address" },
	{ "fe80::%eth0/64", 0, { 0 }, "not an IPv4 or IPv6 address" },
};

START_TEST(test_parse_cidr)
{
	const struct cidr_case	*c = &cidrs[_i];
	unsigned char		 out[32];
	size_t			 len = 99;
	const char		*reason = NULL;
	int			 ret;

	ret = san_parse_cidr(c->input, out, &len, &reason);
	if (c->len == 0) {
		ck_assert_msg(ret == -1, "'%s' accepted", c->input);
		ck_assert_str_eq(reason, c->reason);
		ck_assert_uint_eq(len, 99);
		return;
	}
	ck_assert_msg(ret == 0, "'%s' refused: %s", c->input, reason);
	ck_assert_uint_eq(len, c->len);
	ck_assert_mem_eq(out, c->bytes, c->len);
}
END_TEST

static const struct verdict store_names[] = {
	{ "alice", 0, NULL },
	{ "alice@example.com", 0, NULL },
	{ "sip.example.com", 0, NULL },
	{ "A-Z_0.9+x", 0, NULL },
	{ "a.", 0, NULL },
	{ "_private", 0, NULL },
	{ "+15551234567", 0, NULL },
	{ NULL, 0, "empty name" },
	{ "", 0, "empty name" },
	{ ".", 0, "name may not start with '.' or '-'" },
	{ "..", 0, "name may not start with '.' or '-'" },
	{ ".hidden", 0, "name may not start with '.' or '-'" },
	{ "-rf", 0, "name may not start with '.' or '-'" },
	{ "a..b", 0, "name may not contain '..'" },
	{ "a/b", 0, "invalid character in name" },
	{ "../etc", 0, "name may not start with '.' or '-'" },
	{ "a b", 0, "invalid character in name" },
	{ "a:b", 0, "invalid character in name" },
	{ "a\\b", 0, "invalid character in name" },
	{ "caf\xc3\xa9", 0, "invalid character in name" },
	{ "a\nb", 0, "invalid character in name" },
};

START_TEST(test_store_name)
{
	const struct verdict	*v = &store_names[_i];
	const char		*reason = NULL;
	int			 ret;

	ret = san_check_store_name(v->input, &reason);
	assert_verdict("store name", v, ret, reason);
}
END_TEST

START_TEST(test_store_name_length)
{
	char		 name[66];
	const char	*reason = NULL;

	memset(name, 'n', 64);
	name[64] = '\0';
	ck_assert_int_eq(san_check_store_name(name, &reason), 0);
	name[64] = 'n';
	name[65] = '\0';
	ck_assert_int_eq(san_check_store_name(name, &reason), -1);
	ck_assert_str_eq(reason, "name too long");
}
END_TEST

/*
 * IA5String values as encoded: counted octets, so a NUL inside is seen
 * instead of ending the value (issue 11: "evil.com\0.example.com").
 */
static const struct {
	const char	*octets;
	size_t		 len;
	const char	*reason;	/* NULL: accepted */
} ia5s[] = {
	{ "example.com", 11, NULL },
	{ "", 0, NULL },
	{ "sip:alice@example.com", 21, NULL },
	{ "\x7f", 1, NULL },		/* DEL is IA5; the syntax checks refuse it */
	{ "evil.com\0.example.com", 21, "contains a NUL byte" },
	{ "\0", 1, "contains a NUL byte" },
	{ "example.com\0", 12, "contains a NUL byte" },
	{ "ex\xe4mple.com", 11, "contains a byte outside IA5 (ASCII)" },
	{ "\xc3\xa9", 2, "contains a byte outside IA5 (ASCII)" },
	{ "\x80", 1, "contains a byte outside IA5 (ASCII)" },
};

START_TEST(test_ia5)
{
	const char	*reason = NULL;
	int		 ret;

	ret = san_check_ia5(ia5s[_i].octets, ia5s[_i].len, &reason);
	if (ia5s[_i].reason == NULL) {
		ck_assert_msg(ret == 0, "row %d refused: %s", _i, reason);
		ck_assert_ptr_null(reason);
	} else {
		ck_assert_msg(ret == -1, "row %d accepted", _i);
		ck_assert_str_eq(reason, ia5s[_i].reason);
	}
	/* Counted: what a C string would see of it, the octets before the
	 * NUL, passes alone. */
	if (ia5s[_i].reason != NULL &&
	    strcmp(ia5s[_i].reason, "contains a NUL byte") == 0)
		ck_assert_int_eq(san_check_ia5(ia5s[_i].octets,
		    strlen(ia5s[_i].octets), NULL), 0);
}
END_TEST

/*
 * Address text read as counted octets (san_ip_from_text): the span
 * sipca's SIP URI hosts, lint and the probe hand in is the whole text,
 * so a NUL or a byte past it never changes the verdict.
 */
static const struct {
	const char	*octets;
	size_t		 len;
	size_t		 want;		/* 4, 16 or 0 */
	const char	*canonical;	/* san_ip_to_text of the result */
} ip_spans[] = {
	{ "192.0.2.1", 9, 4, "192.0.2.1" },
	{ "192.0.2.1:5061", 9, 4, "192.0.2.1" },	/* the span ends at the colon */
	{ "2001:DB8:0:0::1", 15, 16, "2001:db8::1" },
	{ "::ffff:192.0.2.1", 16, 16, "::ffff:192.0.2.1" },
	{ "192.0.2.1\0.example.com", 23, 0, NULL },
	{ "192.0.2.1\0", 10, 0, NULL },
	{ "[::1]", 5, 0, NULL },
	{ "fe80::1%eth0", 12, 0, NULL },
	{ "192.0.2.01", 10, 0, NULL },
	{ "example.com", 11, 0, NULL },
	{ "", 0, 0, NULL },
	{ "0000:0000:0000:0000:0000:ffff:255.255.255.255x", 46, 0, NULL },
};

START_TEST(test_ip_span)
{
	unsigned char	 out[16];
	char		 text[SAN_IP_TEXT_MAX];
	size_t		 n;

	n = san_ip_from_text(ip_spans[_i].octets, ip_spans[_i].len, out);
	ck_assert_msg(n == ip_spans[_i].want, "row %d: %zu octets", _i, n);
	ck_assert_uint_eq(san_ip_from_text(ip_spans[_i].octets,
	    ip_spans[_i].len, NULL), ip_spans[_i].want);
	if (n == 0)
		return;
	ck_assert_int_eq(san_ip_to_text(out, n, text), 0);
	ck_assert_str_eq(text, ip_spans[_i].canonical);
}
END_TEST

START_TEST(test_ip_to_text_lengths)
{
	static const unsigned char five[5] = { 192, 0, 2, 1, 0 };
	char text[SAN_IP_TEXT_MAX];

	ck_assert_int_eq(san_ip_to_text(five, 5, text), -1);
	ck_assert_int_eq(san_ip_to_text(five, 0, text), -1);
	ck_assert_int_eq(san_ip_to_text(five, 4, text), 0);
	ck_assert_str_eq(text, "192.0.2.1");
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("san");
	TCase	*tc;

	tc = tcase_create("sip_uri");
	tcase_add_loop_test(tc, test_sip_uri, 0, nitems(sip_uris));
	tcase_add_test(tc, test_sip_uri_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("dns");
	tcase_add_loop_test(tc, test_dns, 0, nitems(dns_names));
	tcase_add_test(tc, test_dns_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip");
	tcase_add_loop_test(tc, test_parse_ip, 0, nitems(ips));
	tcase_add_loop_test(tc, test_parse_cidr, 0, nitems(cidrs));
	tcase_add_loop_test(tc, test_ip_span, 0, nitems(ip_spans));
	tcase_add_test(tc, test_ip_to_text_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("ia5");
	tcase_add_loop_test(tc, test_ia5, 0, nitems(ia5s));
	suite_add_tcase(s, tc);

	tc = tcase_create("store_name");
	tcase_add_loop_test(tc, test_store_name, 0, nitems(store_names));
	tcase_add_test(tc, test_store_name_length);
	tcase_add_test(tc, test_reason_pointer);
	suite_add_tcase(s, tc);

	return s;
}
