#!/bin/sh
# The two files Yealink's auto-provisioning fetches: a trusted (CA)
# certificate and the phone's "server certificate" (certificate + key).
set -eu
SIPCA=${SIPCA:-sipca}
PHONE=${PHONE:-yealink-0015651234ab}
dir=${1:-.}
"$SIPCA" export -o "$dir/sipca-ca.crt" --force
"$SIPCA" export "$PHONE" --with-key -o "$dir/$PHONE.pem" --force
