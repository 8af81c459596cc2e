/*
 * check_scep: the SCEP server (src/net/scep.c, scep_enroll.c) and its
 * challenges (src/authority/scep_challenge.c) on a store in a temporary
 * directory, driven through scep_handle() as serve.c calls it, with
 * requests made by the client side of scep_msg.h and CertReps read back
 * by it: enrollment with a one-time challenge, its single use and
 * expiry, renewal by the current certificate and each of its refusals
 * (expired, revoked, another CA's, superseded), retried transactions,
 * CertPoll, GET with a base64 message, and the HTTP errors.
 */
#include "scep_server_fixture.h"

START_TEST(enroll_with_challenge)
{
	struct device dv;
	struct scep_reply r;
	char c[SCEP_CHALLENGE_LEN + 1], serial[64], uri[128];
	gnutls_x509_crt_t crt;
	size_t len = sizeof(uri);
	unsigned type;

	device_new(&dv, "phone1");
	challenge("phone1", 0, c);
	enroll(&dv, "phone1", c, "tid-1", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	ck_assert_str_eq(r.transaction_id, "tid-1");
	ck_assert_uint_ge(r.n_certs, 1);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	/* The issued certificate alone, so it is the first (clients take that). */
	ck_assert_uint_eq(r.n_certs, 1);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, issued_of(&r, &dv),
	    GNUTLS_X509_FMT_DER), 0);
	/* The device profile, the SAN the challenge bound, the device's own key. */
	ck_assert_int_eq(gnutls_x509_crt_get_subject_alt_name2(crt, 0, uri, &len,
	    &type, NULL), GNUTLS_SAN_URI);
	ck_assert_str_eq(uri, "sip:phone1@example.com");
	ck_assert(has_current("phone1", serial));
	ck_assert_int_eq(gnutls_x509_crt_check_issuer(crt, ca->crt), 1);
	gnutls_x509_crt_deinit(crt);
	scep_reply_clear(&r);
	device_clear(&dv);
}
END_TEST

START_TEST(challenge_single_use)
{
	struct device dv, dv2;
	struct scep_reply r;
	char c[SCEP_CHALLENGE_LEN + 1], s1[64], s2[64];

	device_new(&dv, "phone1");
	device_new(&dv2, "phone1");
	challenge("phone1", 0, c);
	enroll(&dv, "phone1", c, "tid-1", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s1));
	/* The same request again (a lost answer): the same certificate. */
	enroll(&dv, "phone1", c, "tid-1", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s2));
	ck_assert_str_eq(s1, s2);
	/* Another request with the used challenge: refused. */
	enroll(&dv2, "phone1", c, "tid-2", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s2));
	ck_assert_str_eq(s1, s2);
	device_clear(&dv);
	device_clear(&dv2);
}
END_TEST

START_TEST(challenge_refusals)
{
	struct device dv;
	struct scep_reply r;
	char c[SCEP_CHALLENGE_LEN + 1], c2[SCEP_CHALLENGE_LEN + 1];

	device_new(&dv, "phone1");
	challenge("phone1", 3600, c);
	challenge("phone2", 0, c2);
	/* Wrong, another device's, none at all. */
	enroll(&dv, "phone1", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "tid-1", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	enroll(&dv, "phone1", c2, "tid-2", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	enroll(&dv, "phone1", NULL, "tid-3", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	enroll(&dv, "phone3", c, "tid-4", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	ck_assert(!has_current("phone1", NULL));
	ck_assert(!has_current("phone3", NULL));
	/* Expired: two hours on. */
	at(T0 + 7200);
	enroll(&dv, "phone1", c, "tid-5", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	ck_assert(!has_current("phone1", NULL));
	/* Revoked. */
	ck_assert_int_eq(scep_challenge_revoke(store, "phone2"), 0);
	enroll(&dv, "phone2", c2, "tid-6", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	ck_assert(!has_current("phone2", NULL));
	ck_assert_int_eq(scep_challenge_revoke(store, "phone2"), -1);
	device_clear(&dv);
}
END_TEST

START_TEST(challenge_module)
{
	struct scep_challenge_binding b;
	struct scep_challenge_spec spec;
	const char *uris[] = { "sip:1001@example.com", "sip:Alice@Example.COM" };
	const char *reason = NULL;
	char c[SCEP_CHALLENGE_LEN + 1], lower[SCEP_CHALLENGE_LEN + 1];
	size_t i;

	memset(&spec, 0, sizeof(spec));
	spec.name = "Phone9";
	spec.uris = uris;
	spec.n_uris = 2;
	ck_assert_int_eq(scep_challenge_create(store, "example.com", &spec, c, NULL),
	    RESULT_OK);
	ck_assert_uint_eq(strlen(c), SCEP_CHALLENGE_LEN);
	ck_assert_uint_eq(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), SCEP_CHALLENGE_LEN);
	/* Typed in lower case into a phone's form: still it. */
	for (i = 0; i <= SCEP_CHALLENGE_LEN; i++)
		lower[i] = (char)(c[i] >= 'A' && c[i] <= 'Z' ? c[i] - 'A' + 'a' : c[i]);
	ck_assert_int_eq(scep_challenge_consume(store, "phone9", lower, sipca_now(),
	    &b, &reason), 0);
	ck_assert_str_eq(b.name, "phone9");
	ck_assert_uint_eq(b.n_uris, 2);
	ck_assert_str_eq(b.uris[0], "sip:1001@example.com");
	ck_assert_str_eq(b.uris[1], "sip:Alice@example.com");
	scep_challenge_binding_clear(&b);
	ck_assert_int_eq(scep_challenge_consume(store, "phone9", c, sipca_now(), &b,
	    &reason), -1);
	ck_assert_str_eq(reason, "the challenge was already used");
	/* Given back after a failed issuance, usable once more. */
	ck_assert_int_eq(scep_challenge_restore(store, "phone9"), 0);
	ck_assert_int_eq(scep_challenge_consume(store, "phone9", c, sipca_now(), &b,
	    &reason), 0);
	scep_challenge_binding_clear(&b);
	ck_assert_int_eq(scep_challenge_consume(store, "nobody", c, sipca_now(), &b,
	    &reason), -1);
	/* A bad URI or a name issue device refuses: nothing recorded. */
	uris[0] = "sip:a@other.org";
	ck_assert_int_eq(scep_challenge_create(store, "example.com", &spec, c, NULL),
	    RESULT_E_INPUT);
	spec.name = "bad name";
	spec.n_uris = 0;
	ck_assert_int_eq(scep_challenge_create(store, "example.com", &spec, c, NULL),
	    RESULT_E_INPUT);
	ck_assert_int_eq(scep_challenge_revoke(store, "bad name"), -1);
}
END_TEST

/* phone1 enrolled; dv then holds its certificate. */
static void
enrolled(struct device *dv, char serial[64])
{
	struct scep_reply r;
	char c[SCEP_CHALLENGE_LEN + 1];

	device_new(dv, "phone1");
	challenge("phone1", 0, c);
	enroll(dv, "phone1", c, "tid-enroll", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	device_take(dv, issued_of(&r, dv));
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", serial));
}

/* A RenewalReq (or a PKCSReq) for a new key with CN cn, signed with old's certificate. */
static void
renew_as(enum scep_type type, const struct device *old, struct device *fresh,
    const char *cn, const char *tid, struct scep_reply *rep)
{
	gnutls_datum_t csr = { NULL, 0 }, msg = { NULL, 0 };
	char err[256];
	struct serve_response out;

	device_new(fresh, cn);
	csr_make(fresh, cn, NULL, &csr);
	request_make(type, tid, &csr, old, NULL, &msg);
	ck_assert_int_eq(call("POST", "operation=PKIOperation", &msg, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	memset(rep, 0, sizeof(*rep));
	/* The answer is encrypted to the signer: the old certificate's key. */
	ck_assert_msg(scep_reply_parse((unsigned char *)out.body, out.len, ra.crt,
	    old->crt, old->key, rep, err, sizeof(err)) == 0, "%s", err);
	serve_response_clear(&out);
	gnutls_free(csr.data);
	gnutls_free(msg.data);
}

static void
renew(enum scep_type type, const struct device *old, struct device *fresh,
    const char *tid, struct scep_reply *rep)
{
	renew_as(type, old, fresh, "phone1", tid, rep);
}

/*
 * A challenge made with --eap-tls (scep_challenge_spec.eap_tls) gives
 * the 802.1X profile: a CN in another spelling of the MAC finds it, the
 * certificate is the MAC's with DNS:MAC.DOMAIN and no URI, the store
 * records kind eap-tls, and a renewal (the CN in colons again) keeps it.
 */
START_TEST(enroll_eap_tls)
{
	struct scep_challenge_spec spec;
	struct device dv, fresh;
	struct scep_reply r;
	struct store_cert *cur = NULL;
	char c[SCEP_CHALLENGE_LEN + 1], san[128], s1[64], s2[64];
	gnutls_x509_crt_t crt;
	size_t len = sizeof(san);
	unsigned type;

	memset(&spec, 0, sizeof(spec));
	spec.name = "00:04:F2:AA:BB:CC";
	spec.eap_tls = 1;
	ck_assert_int_eq(scep_challenge_create(store, "example.com", &spec, c, NULL),
	    RESULT_OK);
	device_new(&dv, "00-04-f2-aa-bb-cc");
	enroll(&dv, "00-04-f2-aa-bb-cc", c, "tid-eap", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, issued_of(&r, &dv),
	    GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_alt_name2(crt, 0, san, &len,
	    &type, NULL), GNUTLS_SAN_DNSNAME);
	ck_assert_str_eq(san, "0004f2aabbcc.example.com");
	len = sizeof(san);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_alt_name2(crt, 1, san, &len,
	    &type, NULL), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	len = sizeof(san);
	ck_assert_int_eq(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, 0, san, &len), 0);
	ck_assert_str_eq(san, "0004f2aabbcc");
	gnutls_x509_crt_deinit(crt);
	device_take(&dv, issued_of(&r, &dv));
	scep_reply_clear(&r);
	ck_assert_int_eq(store_find_current(store, "0004f2aabbcc", &cur), STORE_OK);
	ck_assert_str_eq(cur->kind, "eap-tls");
	snprintf(s1, sizeof(s1), "%s", cur->serial);
	store_cert_free(cur);
	cur = NULL;

	renew_as(SCEP_RENEWAL_REQ, &dv, &fresh, "00:04:F2:AA:BB:CC", "tid-eap-renew", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	device_take(&fresh, issued_of(&r, &fresh));
	scep_reply_clear(&r);
	ck_assert(has_current("0004f2aabbcc", s2));
	ck_assert_str_ne(s1, s2);
	ck_assert_int_eq(store_find_current(store, "0004f2aabbcc", &cur), STORE_OK);
	ck_assert_str_eq(cur->kind, "eap-tls");
	store_cert_free(cur);
	/* Signed by the current certificate, but another MAC's CN: refused. */
	device_clear(&dv);
	renew_as(SCEP_RENEWAL_REQ, &fresh, &dv, "00:04:F2:AA:BB:CD", "tid-eap-other", &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	ck_assert(has_current("0004f2aabbcc", s1));
	ck_assert_str_eq(s1, s2);
	ck_assert(!has_current("0004f2aabbcd", NULL));
	device_clear(&fresh);
	device_clear(&dv);
}
END_TEST

START_TEST(renewal)
{
	struct device dv, fresh;
	struct scep_reply r;
	struct store_cert *old = NULL;
	char s1[64], s2[64];

	enrolled(&dv, s1);
	renew(_i == 0 ? SCEP_RENEWAL_REQ : SCEP_PKCS_REQ, &dv, &fresh, "tid-renew", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s2));
	ck_assert_str_ne(s1, s2);
	ck_assert_int_eq(store_find_serial(store, s1, &old), STORE_OK);
	ck_assert_int_eq(old->status, STATUS_SUPERSEDED);
	store_cert_free(old);
	device_clear(&fresh);
	device_clear(&dv);
}
END_TEST

/*
 * A renewal that repeats the enrollment's request and transactionID
 * (same key, same subject; a transactionID derived from the key) is a
 * renewal, not a retry: it is signed by the certificate it renews.
 */
START_TEST(renewal_same_request)
{
	struct device dv;
	struct scep_reply r;
	gnutls_datum_t csr = { NULL, 0 }, msg = { NULL, 0 };
	char c[SCEP_CHALLENGE_LEN + 1], s1[64], s2[64];

	device_new(&dv, "phone1");
	challenge("phone1", 0, c);
	csr_make(&dv, "phone1", c, &csr);
	request_make(SCEP_PKCS_REQ, "tid-key", &csr, &dv, NULL, &msg);
	exchange(&msg, &dv, &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	device_take(&dv, issued_of(&r, &dv));
	scep_reply_clear(&r);
	gnutls_free(msg.data);
	ck_assert(has_current("phone1", s1));
	request_make(SCEP_RENEWAL_REQ, "tid-key", &csr, &dv, NULL, &msg);
	exchange(&msg, &dv, &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s2));
	ck_assert_str_ne(s1, s2);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	device_clear(&dv);
}
END_TEST

/* certmonger's resubmit: the used challenge again, signed by the current certificate. */
START_TEST(renewal_with_used_challenge)
{
	struct device dv, fresh;
	struct scep_reply r;
	gnutls_datum_t csr = { NULL, 0 }, msg = { NULL, 0 };
	char c[SCEP_CHALLENGE_LEN + 1], s1[64], s2[64];

	device_new(&dv, "phone1");
	challenge("phone1", 0, c);
	enroll(&dv, "phone1", c, "tid-1", &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	device_take(&dv, issued_of(&r, &dv));
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s1));
	device_new(&fresh, "phone1");
	csr_make(&fresh, "phone1", c, &csr);
	request_make(SCEP_PKCS_REQ, "tid-2", &csr, &dv, NULL, &msg);
	exchange(&msg, &dv, &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	ck_assert(has_current("phone1", s2));
	ck_assert_str_ne(s1, s2);
	/* Signed by the self-signed certificate instead: the challenge is spent. */
	gnutls_free(msg.data);
	request_make(SCEP_PKCS_REQ, "tid-3", &csr, &fresh, NULL, &msg);
	exchange(&msg, &fresh, &r);
	assert_failure(&r, SCEP_BAD_REQUEST);
	scep_reply_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	device_clear(&fresh);
	device_clear(&dv);
}
END_TEST

START_TEST(renewal_refusals)
{
	struct device dv, fresh, other;
	struct scep_reply r;
	struct ca *ca2 = NULL;
	struct ca_params p;
	gnutls_datum_t k = { NULL, 0 };
	const char *serials[1];
	char s1[64], s2[64], want[64];

	enrolled(&dv, s1);
	strcpy(want, s1);
	switch (_i) {
	case 0:		/* expired: the certificate is for 30 days */
		at(T0 + 40 * DAY);
		renew(SCEP_RENEWAL_REQ, &dv, &fresh, "tid-x", &r);
		assert_failure(&r, SCEP_BAD_TIME);
		break;
	case 1:		/* revoked */
		serials[0] = s1;
		ck_assert_int_eq(store_revoke(store, serials, 1, sipca_now(), "keyCompromise"),
		    STORE_OK);
		renew(SCEP_RENEWAL_REQ, &dv, &fresh, "tid-x", &r);
		assert_failure(&r, SCEP_BAD_REQUEST);
		break;
	case 2:		/* another CA's certificate of the same name */
		memset(&p, 0, sizeof(p));
		p.common_name = "example.com SIP CA";
		p.key_type = KEY_P256;
		p.days = 3650;
		p.not_before = T0 - DAY;
		ck_assert_int_eq(ca_create(&p, NULL, &ca2, &k), 0);
		gnutls_free(k.data);
		device_new(&other, "phone1");
		ck_assert_int_eq(gnutls_x509_crt_privkey_sign(other.crt, ca2->crt,
		    ca2->key, GNUTLS_DIG_SHA256, 0), 0);
		renew(SCEP_RENEWAL_REQ, &other, &fresh, "tid-x", &r);
		assert_failure(&r, SCEP_BAD_REQUEST);
		device_clear(&other);
		ca_free(ca2);
		break;
	case 3:		/* superseded: renewed already, then the old one again */
		renew(SCEP_RENEWAL_REQ, &dv, &fresh, "tid-y", &r);
		ck_assert_int_eq(r.status, SCEP_SUCCESS);
		scep_reply_clear(&r);
		ck_assert(has_current("phone1", want));
		device_clear(&fresh);
		renew(SCEP_RENEWAL_REQ, &dv, &fresh, "tid-z", &r);
		assert_failure(&r, SCEP_BAD_REQUEST);
		break;
	default:	/* self-signed: a RenewalReq needs the current certificate */
		device_clear(&dv);
		device_new(&dv, "phone1");
		renew(SCEP_RENEWAL_REQ, &dv, &fresh, "tid-x", &r);
		assert_failure(&r, SCEP_BAD_REQUEST);
		break;
	}
	scep_reply_clear(&r);
	/* Nothing issued: NAME's current certificate is what it was (none once revoked). */
	if (_i == 1)
		ck_assert(!has_current("phone1", NULL));
	else {
		ck_assert(has_current("phone1", s2));
		ck_assert_str_eq(s2, want);
	}
	device_clear(&fresh);
	device_clear(&dv);
}
END_TEST

/* Each cipher a device may use; single DES only when allowed. */
START_TEST(ciphers)
{
	static const enum cms_cipher all[] = { CMS_DES3_CBC, CMS_AES128_CBC,
	    CMS_AES192_CBC, CMS_AES256_CBC, CMS_DES_CBC, CMS_DES_CBC };
	struct device dv;
	struct scep_reply r;
	char c[SCEP_CHALLENGE_LEN + 1];

	cipher = all[_i];
	/* The last: an explicit opt-in (serve --scep-allow-des). */
	cfg.allow_des = _i == 5;
	device_new(&dv, "phone1");
	challenge("phone1", 0, c);
	enroll(&dv, "phone1", c, "tid-1", &r);
	if (_i == 4) {
		assert_failure(&r, SCEP_BAD_ALG);
		ck_assert(!has_current("phone1", NULL));
	} else {
		ck_assert_int_eq(r.status, SCEP_SUCCESS);
		ck_assert(has_current("phone1", NULL));
	}
	scep_reply_clear(&r);
	cfg.allow_des = 0;
	device_clear(&dv);
}
END_TEST

/* Two servers on the store (two connections): one challenge enrolls once. */
struct racer {
	struct scep *sc;
	gnutls_datum_t msg;
	struct serve_response out;
};

static void *
race(void *arg)
{
	struct racer *rc = arg;
	struct serve_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = "/scep";
	rq.query = "operation=PKIOperation";
	rq.body = rc->msg.data;
	rq.body_len = rc->msg.size;
	rq.client = "192.0.2.8";
	scep_handle(rc->sc, &rq, &rc->out);
	return NULL;
}

START_TEST(challenge_race)
{
	struct device dv[2];
	struct racer rc[2];
	struct scep_config cfg2 = cfg;
	struct store *s2 = NULL;
	struct scep_reply r;
	pthread_t th[2];
	gnutls_datum_t csr;
	char c[SCEP_CHALLENGE_LEN + 1], err[256], tid[32];
	int i, wins = 0;

	ck_assert_int_eq(store_open(store_dir(store), 0, &s2, NULL), STORE_OK);
	cfg2.store = s2;
	memset(rc, 0, sizeof(rc));
	challenge("phone1", 0, c);
	for (i = 0; i < 2; i++) {
		device_new(&dv[i], "phone1");
		csr_make(&dv[i], "phone1", c, &csr);
		snprintf(tid, sizeof(tid), "race-%d", i);
		request_make(SCEP_PKCS_REQ, tid, &csr, &dv[i], NULL, &rc[i].msg);
		gnutls_free(csr.data);
		ck_assert_ptr_nonnull(rc[i].sc = scep_new(i == 0 ? &cfg : &cfg2, NULL));
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, &rc[i]), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_uint_eq(rc[i].out.status, 200);
		memset(&r, 0, sizeof(r));
		ck_assert_msg(scep_reply_parse((unsigned char *)rc[i].out.body,
		    rc[i].out.len, ra.crt, dv[i].crt, dv[i].key, &r, err,
		    sizeof(err)) == 0, "%s", err);
		wins += r.status == SCEP_SUCCESS;
		scep_reply_clear(&r);
		serve_response_clear(&rc[i].out);
		gnutls_free(rc[i].msg.data);
		scep_free(rc[i].sc);
		device_clear(&dv[i]);
	}
	ck_assert_int_eq(wins, 1);
	store_close(s2);
}
END_TEST

START_TEST(cert_poll)
{
	struct device dv, other;
	struct scep_reply r;
	gnutls_datum_t issuer = { NULL, 0 }, subject = { NULL, 0 }, ias = { NULL, 0 };
	gnutls_datum_t msg = { NULL, 0 };
	char s1[64];

	enrolled(&dv, s1);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_issuer_dn(dv.crt, &issuer), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(dv.crt, &subject), 0);
	ck_assert_int_eq(scep_issuer_and_subject_make(&issuer, &subject, &ias), 0);
	request_make(SCEP_CERT_POLL, "tid-enroll", &ias, &dv, NULL, &msg);
	exchange(&msg, &dv, &r);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	ck_assert_uint_ge(r.n_certs, 1);
	scep_reply_clear(&r);
	gnutls_free(msg.data);
	request_make(SCEP_CERT_POLL, "tid-unknown", &ias, &dv, NULL, &msg);
	exchange(&msg, &dv, &r);
	assert_failure(&r, SCEP_BAD_CERT_ID);
	scep_reply_clear(&r);
	gnutls_free(msg.data);
	/* The transaction's ID from another key: not its answer. */
	device_new(&other, "phone1");
	request_make(SCEP_CERT_POLL, "tid-enroll", &ias, &other, NULL, &msg);
	exchange(&msg, &other, &r);
	assert_failure(&r, SCEP_BAD_CERT_ID);
	scep_reply_clear(&r);
	gnutls_free(msg.data);
	device_clear(&other);
	gnutls_free(ias.data);
	gnutls_free(issuer.data);
	gnutls_free(subject.data);
	device_clear(&dv);
}
END_TEST

/* GET PKIOperation: base64 in message=, as devices send it. */
START_TEST(get_message)
{
	struct device dv;
	struct serve_response out;
	struct scep_reply r;
	gnutls_datum_t csr = { NULL, 0 }, msg = { NULL, 0 }, b64 = { NULL, 0 };
	char c[SCEP_CHALLENGE_LEN + 1], err[256], *query, *q;
	size_t i, n = 0;

	device_new(&dv, "phone1");
	challenge("phone1", 0, c);
	csr_make(&dv, "phone1", c, &csr);
	request_make(SCEP_PKCS_REQ, "tid-get", &csr, &dv, NULL, &msg);
	ck_assert_int_eq(gnutls_base64_encode2(&msg, &b64), 0);
	/* Half the '+' and '/' escaped, half literal, the padding dropped. */
	query = xmalloc(3 * b64.size + 64);
	n = (size_t)sprintf(query, "operation=PKIOperation&message=");
	q = query + n;
	for (i = 0; i < b64.size && b64.data[i] != '='; i++) {
		if ((b64.data[i] == '+' || b64.data[i] == '/') && i % 2 == 0)
			q += sprintf(q, "%%%02X", b64.data[i]);
		else
			*q++ = (char)b64.data[i];
	}
	*q = '\0';
	ck_assert_int_eq(call("GET", query, NULL, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	memset(&r, 0, sizeof(r));
	ck_assert_msg(scep_reply_parse((unsigned char *)out.body, out.len, ra.crt,
	    dv.crt, dv.key, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(r.status, SCEP_SUCCESS);
	scep_reply_clear(&r);
	serve_response_clear(&out);
	free(query);
	gnutls_free(b64.data);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	device_clear(&dv);
}
END_TEST

START_TEST(decode_message)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "AQID", "\x01\x02\x03" },
		{ "AQI", "\x01\x02" },		/* padding missing */
		{ "AQ%3D%3D", "\x01" },		/* padding escaped */
		{ "+/8=", "\xfb\xff" },		/* '+' is '+', never a space */
		{ "%2B%2F8", "\xfb\xff" },
		{ "-_8", "\xfb\xff" },		/* base64url */
		{ "AQ\r\nID ", "\x01\x02\x03" },	/* whitespace */
	};
	unsigned char *out = NULL;
	size_t len = 0, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(scep_decode_message(cases[i].in, strlen(cases[i].in),
		    &out, &len) == 0, "%s", cases[i].in);
		ck_assert_uint_eq(len, strlen(cases[i].out));
		ck_assert(memcmp(out, cases[i].out, len) == 0);
		free(out);
	}
	ck_assert_int_eq(scep_decode_message("", 0, &out, &len), -1);
	ck_assert_int_eq(scep_decode_message("A", 1, &out, &len), -1);
	ck_assert_int_eq(scep_decode_message("A*B", 3, &out, &len), -1);
}
END_TEST

START_TEST(http_side)
{
	struct serve_response out;
	gnutls_pkcs7_t p7;
	gnutls_datum_t d, junk;
	unsigned char buf[600];

	ck_assert_int_eq(call("GET", "operation=GetCACaps", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	ck_assert_str_eq(out.type, "text/plain");
	ck_assert_ptr_nonnull(strstr(out.body, "POSTPKIOperation\r\n"));
	ck_assert_ptr_nonnull(strstr(out.body, "SCEPStandard\r\n"));
	ck_assert_ptr_null(strstr(out.body, "GetNextCACert"));
	serve_response_clear(&out);
	ck_assert_int_eq(call("GET", "operation=GetCACert&message=x", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	ck_assert_str_eq(out.type, "application/x-x509-ca-ra-cert");
	d.data = (unsigned char *)out.body;
	d.size = (unsigned)out.len;
	ck_assert_int_eq(gnutls_pkcs7_init(&p7), 0);
	ck_assert_int_eq(gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(gnutls_pkcs7_get_crt_count(p7), 2);
	gnutls_pkcs7_deinit(p7);
	serve_response_clear(&out);
	/* Not SCEP's: left to the server. */
	ck_assert_int_eq(call_path("/ca.pem", "GET", NULL, NULL, &out), 0);
	ck_assert_int_eq(call_path("/pkiclient.exe.bak", "GET", "operation=GetCACaps",
	    NULL, &out), 0);
	ck_assert_int_eq(call_path("/scep", "GET", "operation=GetCACaps", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	serve_response_clear(&out);
	/* Empty, short, garbage: HTTP 400, never a 500 or a CertRep. */
	ck_assert_int_eq(call("POST", "operation=PKIOperation", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 400);
	serve_response_clear(&out);
	memset(buf, 0x30, sizeof(buf));
	junk.data = buf;
	junk.size = sizeof(buf);
	ck_assert_int_eq(call("POST", "operation=PKIOperation", &junk, &out), 1);
	ck_assert_uint_eq(out.status, 400);
	serve_response_clear(&out);
	ck_assert_int_eq(call("GET", "operation=PKIOperation", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 400);
	serve_response_clear(&out);
	ck_assert_int_eq(call("DELETE", "operation=GetCACaps", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 405);
	serve_response_clear(&out);
	ck_assert_int_eq(call("GET", NULL, NULL, &out), 1);
	ck_assert_uint_eq(out.status, 400);
	serve_response_clear(&out);
	ck_assert_int_eq(call("GET", "operation=GetNextCACert", NULL, &out), 1);
	ck_assert_uint_eq(out.status, 404);
	serve_response_clear(&out);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("scep");
	TCase *tc = tcase_create("scep");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, enroll_with_challenge);
	tcase_add_test(tc, challenge_single_use);
	tcase_add_test(tc, challenge_refusals);
	tcase_add_test(tc, challenge_module);
	tcase_add_test(tc, enroll_eap_tls);
	tcase_add_loop_test(tc, renewal, 0, 2);
	tcase_add_test(tc, renewal_same_request);
	tcase_add_test(tc, renewal_with_used_challenge);
	tcase_add_loop_test(tc, renewal_refusals, 0, 5);
	tcase_add_loop_test(tc, ciphers, 0, 6);
	tcase_add_test(tc, challenge_race);
	tcase_add_test(tc, cert_poll);
	tcase_add_test(tc, get_message);
	tcase_add_test(tc, decode_message);
	tcase_add_test(tc, http_side);
	suite_add_tcase(s, tc);
	return s;
}
