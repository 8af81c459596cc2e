#!/bin/sh
# The files FreeSWITCH's TLS profiles read from tls_cert_dir
# (default $${certs_dir}, e.g. /etc/freeswitch/tls).
set -eu
SIPCA=${SIPCA:-sipca}
SERVER=${SERVER:-fs.example.com}
dir=${1:-/etc/freeswitch/tls}
# agent.pem: the certificate, the CA and the private key in one file.
"$SIPCA" export "$SERVER" --with-key -o "$dir/agent.pem" --force
# cafile.pem: the CA that signs the phones' device certificates.
"$SIPCA" export -o "$dir/cafile.pem" --force
