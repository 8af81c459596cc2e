#!/bin/sh
# A real 802.1X authentication with the eap-tls profile: FreeRADIUS
# (Debian freeradius), configured here in a directory of its own, on
# loopback in a network namespace, EAP-TLS with check_cert_cn =
# %{User-Name}; wpa_supplicant's eapol_test (Debian eapoltest) is the
# phone. 'issue device MAC --eap-tls' authenticates (Access-Accept) and
# FreeRADIUS reads the CN as the MAC and the SAN as DNS:MAC.DOMAIN;
# refused (Access-Reject): another MAC's identity for that certificate,
# a certificate of the same CA for TLS servers only (OpenSSL's sslclient
# purpose), and one from another CA. The RADIUS server's own certificate
# is 'issue server'. Both programs run under timeout, stopped by pid.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

if ! command -v freeradius >/dev/null 2>&1 || ! command -v eapol_test >/dev/null 2>&1; then
	skip "EAP-TLS against FreeRADIUS" "freeradius or eapol_test is not installed (Debian freeradius, eapoltest)"
	finish
	exit $?
fi

CA=$T/ca
new_ca "$CA"
sipca() { "$SIPCA" -d "$CA" "$@"; }
MAC=0004f2a1b2c3
sipca issue device 00:04:f2:a1:b2:c3 --eap-tls >/dev/null 2>&1 || fail "issue device --eap-tls"
sipca issue server radius.example.com >/dev/null 2>&1 || fail "issue server (RADIUS)"

R=$T/raddb
mkdir -p "$R/certs" "$R/log" "$R/run"
cp "$CA/issued/radius.example.com/cert.pem" "$R/certs/server.pem"
cp "$CA/issued/radius.example.com/key.pem" "$R/certs/server.key"
cp "$CA/ca.pem" "$R/certs/ca.pem"
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
SECRET=sipca-eap-test
# The smallest radiusd.conf that does EAP-TLS: one client, one listener,
# the eap module alone. check_cert_cn makes FreeRADIUS compare the
# certificate's CN with the EAP identity (its mods-available/eap).
cat > "$R/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $R/log
raddbdir = $R
radacctdir = $R/log
name = radiusd
confdir = $R
modconfdir = $R
certdir = $R/certs
cadir = $R/certs
run_dir = $R/run
db_dir = $R
libdir = /usr/lib/freeradius
pidfile = $R/run/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
}
modules {
	eap {
		default_eap_type = tls
		timer_expire = 60
		max_sessions = 16
		tls-config tls-common {
			private_key_file = \${certdir}/server.key
			certificate_file = \${certdir}/server.pem
			ca_file = \${cadir}/ca.pem
			check_cert_cn = %{User-Name}
			cipher_list = "DEFAULT"
			ecdh_curve = "prime256v1"
			tls_min_version = "1.2"
			tls_max_version = "1.2"
		}
		tls {
			tls = tls-common
		}
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $PORT
	}
	authorize {
		eap
	}
	authenticate {
		eap
	}
}
EOF
start_bg_within 120 "$R/radiusd.log" freeradius -X -d "$R"
RADIUSD=$BG_PID
i=0
while [ $i -lt 100 ] && ! grep -q "Ready to process requests" "$R/radiusd.log"; do
	sleep 0.1
	i=$((i + 1))
done
check "FreeRADIUS starts with the store's server certificate" grep -q \
    "Ready to process requests" "$R/radiusd.log" || sed 's/^/    /' "$R/radiusd.log" >&2

# eapol IDENTITY CERT KEY OUT: eapol_test as the phone, its exit status.
eapol() {
	cat > "$T/eapol.conf" <<EOF
network={
	key_mgmt=IEEE8021X
	eap=TLS
	identity="$1"
	ca_cert="$CA/ca.pem"
	client_cert="$2"
	private_key="$3"
	eapol_flags=0
}
EOF
	timeout 30 eapol_test -c "$T/eapol.conf" -a 127.0.0.1 -p "$PORT" -s "$SECRET" \
	    -t 20 > "$4" 2>&1
}

D=$CA/issued/$MAC
check "eapol_test authenticates with the eap-tls certificate" \
    eapol $MAC "$D/cert.pem" "$D/key.pem" "$T/ok.out"
expect_grep "Access-Accept" "$T/ok.out" "the phone gets Access-Accept"
expect_grep "^SUCCESS$" "$T/ok.out" "eapol_test: SUCCESS"
expect_grep "Login OK: \[$MAC\]" "$R/radiusd.log" "FreeRADIUS logs the login of the MAC"
expect_grep "TLS-Client-Cert-Common-Name := \"$MAC\"" "$R/radiusd.log" \
    "FreeRADIUS reads the CN as the MAC"
expect_grep "TLS-Client-Cert-Subject-Alt-Name-Dns := \"$MAC.example.com\"" "$R/radiusd.log" \
    "FreeRADIUS reads the SAN as DNS:MAC.DOMAIN"

check_fails "another MAC's identity with this certificate is refused (check_cert_cn)" \
    eapol 0004f2ffffff "$D/cert.pem" "$D/key.pem" "$T/cn.out"
expect_grep "Access-Reject" "$T/cn.out" "wrong identity: Access-Reject"

# The same CA's key, a certificate for TLS servers only (certtool).
server_only_cert "$CA" "$MAC" "$T/srv" || fail "certtool: a serverAuth-only certificate"
check_fails "a serverAuth-only certificate of the same CA is refused" \
    eapol $MAC "$T/srv.pem" "$T/srv.key" "$T/srv.out"
expect_grep "Access-Reject" "$T/srv.out" "serverAuth only: Access-Reject"
expect_grep "unsupported certificate purpose\|unsuitable certificate purpose" "$R/radiusd.log" \
    "FreeRADIUS says why: the certificate's purpose"

# Another CA's eap-tls certificate for the same MAC.
CA2=$T/other
new_ca "$CA2"
"$SIPCA" -d "$CA2" issue device $MAC --eap-tls >/dev/null 2>&1 || fail "issue under another CA"
check_fails "a certificate from another CA is refused" \
    eapol $MAC "$CA2/issued/$MAC/cert.pem" "$CA2/issued/$MAC/key.pem" "$T/ca2.out"
expect_grep "Access-Reject" "$T/ca2.out" "another CA: Access-Reject"

stop_bg "$RADIUSD"
finish
