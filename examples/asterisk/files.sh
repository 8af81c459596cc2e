#!/bin/sh
# Makes the files pjsip.conf names, in /etc/asterisk/keys (or $1).
# SERVER is the proxy's FQDN, issued with 'sipca issue server FQDN'.
set -eu
SIPCA=${SIPCA:-sipca}
SERVER=${SERVER:-pbx.example.com}
dir=${1:-/etc/asterisk/keys}
"$SIPCA" export "$SERVER" -o "$dir/asterisk.pem" --force              # certificate, then CA
"$SIPCA" export "$SERVER" --format key -o "$dir/asterisk.key" --force # the key alone, 0600
"$SIPCA" export -o "$dir/ca.pem" --force                              # the CA, to verify phones
