#!/bin/sh
# Installs the Debian packages sipca needs, when one is missing; prints
# every command it runs. "deps.sh demo": what the build and make demo
# need (the libraries, gnutls-bin, openssl, python3); with no argument,
# everything the tests need as well (Check, Kamailio, valgrind, shells);
# "deps.sh bench": the tests' packages and Pebble, which make bench
# compares sipca serve with.
set -eu
profile=${1:-check}
case $profile in
check|demo|bench) ;;
*) echo "sipca: deps: unknown profile '$profile' (check, demo, bench)" >&2; exit 2 ;;
esac

missing=""
need() {	# need PACKAGE TEST...
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then
		missing="$missing $pkg"
	fi
}
have_cmd() { command -v "$1"; }
have_pc() { pkg-config --exists "$1"; }
# Installed, not merely known: dpkg -s also answers for removed packages.
have_pkg() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

need pkg-config      have_cmd pkg-config
need libgnutls28-dev have_pc gnutls
need nettle-dev      have_pc nettle	# base64 (RFC 4648); libgnutls28-dev brings it too
need libtasn1-6-dev  have_pc libtasn1
need libtasn1-bin    have_cmd asn1Parser
need libsqlite3-dev  have_pc sqlite3
need libpq-dev       have_pc libpq	# the store's index in PostgreSQL (src/store/pg*.c)
need libmicrohttpd-dev have_pc libmicrohttpd	# sipca serve: HTTP(S), its TLS on GnuTLS
need libjansson-dev  have_pc jansson	# ACME's JSON
need libcurl4-gnutls-dev have_pc libcurl	# ACME's http-01 validation, libcurl on GnuTLS
need gnutls-bin      have_cmd certtool
need openssl         have_cmd openssl
need build-essential have_cmd cc
need python3         have_cmd python3	# the demo's and tests' free ports, JSON checks
if [ "$profile" != demo ]; then
	need check           have_pc check
	need ca-certificates have_pkg ca-certificates	# tests/cli/lint.sh lints /etc/ssl/certs
	need time            have_cmd /usr/bin/time	# bench/lint.sh: peak RSS
	need sqlite3         have_cmd sqlite3	# tests/cli/sec_store.sh: looks at and damages index.db
	# tests/pg.sh: a PostgreSQL 15 of each test's own (initdb, pg_ctl), psql
	need postgresql      have_cmd /usr/lib/postgresql/15/bin/initdb
	need postgresql-client have_cmd psql
	# tests/cli/pkcs11.sh: a SoftHSM2 token; .ci/run: the valgrind pass
	need softhsm2        have_cmd softhsm2-util
	need valgrind        have_cmd valgrind
	# completions.sh drives each shell; manpage.sh renders with man -l.
	need zsh             have_cmd zsh
	need fish            have_cmd fish
	need man-db          have_cmd man
	# The interop tests (tests/cli/kamailio.sh) run a real Kamailio with TLS.
	need kamailio        have_cmd kamailio
	need kamailio-tls-modules have_pkg kamailio-tls-modules
	# tests/cli/probe.sh keeps gnutls-serv on loopback in a network namespace.
	need iproute2        have_pkg iproute2
	need curl            have_cmd curl	# tests/cli/serve.sh: an HTTP(S) client
	# check_acme_challenge: a DNS server on loopback for dns-01
	need dnsmasq-base    have_pkg dnsmasq-base
	need systemd         have_cmd systemd-analyze	# examples.sh checks the unit
	# tests/cli/acme.sh: real ACME clients against sipca serve
	need certbot         have_cmd certbot
	need lego            have_cmd lego
	need dehydrated      have_cmd dehydrated	# tests/cli/acme_dehydrated.sh, with dnsmasq
	# micromdm's SCEP client (tests/cli/scep.sh, scep_static.sh) and server (check_scep_msg)
	need scep            have_cmd scepclient
	# tests/cli/deb.sh builds the Debian package, lints and installs it
	need dpkg-dev        have_cmd dpkg-buildpackage
	need debhelper       have_cmd dh
	need lintian         have_cmd lintian
	# tests/cli/scep_interop.sh: real SCEP clients against serve --scep,
	# micromdm's scepserver beside it; strongSwan fetches with its curl
	# plugin; certmonger runs on a session bus of its own.
	need strongswan-pki  have_cmd pki
	need libstrongswan-extra-plugins have_pkg libstrongswan-extra-plugins
	need certmonger      have_cmd getcert
	need dbus-daemon     have_cmd dbus-run-session
	# tests/cli/eap_radius.sh: 802.1X EAP-TLS with an eap-tls certificate,
	# FreeRADIUS the server and wpa_supplicant's eapol_test the phone.
	need freeradius      have_pkg freeradius
	need eapoltest       have_cmd eapol_test
fi
if [ "$profile" = bench ]; then
	need pebble          have_cmd pebble	# bench/acme.sh: Let's Encrypt's ACME test server
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "sipca: deps: missing Debian packages:$missing (run as root or install them)" >&2
		exit 2
	fi
else
	SUDO=
fi
echo "+ $SUDO apt-get update"
$SUDO apt-get update -qq
echo "+ $SUDO apt-get install -y$missing"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
