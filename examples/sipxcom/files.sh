#!/bin/sh
# What sipXcom / uniteme's certificate import takes: the CA, the server
# certificate and its key as separate files.
set -eu
SIPCA=${SIPCA:-sipca}
SERVER=${SERVER:-sipx.example.com}
dir=${1:-.}
"$SIPCA" export -o "$dir/ca.crt" --force
"$SIPCA" export "$SERVER" --format der -o "$dir/$SERVER.der" --force
"$SIPCA" export "$SERVER" -o "$dir/$SERVER.crt" --force
"$SIPCA" export "$SERVER" --with-key -o "$dir/$SERVER.key" --force
