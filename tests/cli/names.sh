#!/bin/sh
# A name that is something else gets a message saying what to give: an
# IP address as a server's name (a name plus --ip), a device's full URI
# or user@host (its name is the user part of sip:NAME@DOMAIN). Nothing
# is written.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
snapshot "$CA" > "$T/before"

expect_exit 2 "issue server 192.0.2.50" "$SIPCA" -d "$CA" issue server 192.0.2.50
expect_grep "invalid server name: '192.0.2.50': an IP address is not a DNS name: give the server's name and the address with --ip (sipca issue server NAME --ip 192.0.2.50)" \
    "$T/stderr" "says to give a name and --ip"
expect_exit 2 "issue server 2001:db8::1" "$SIPCA" -d "$CA" issue server 2001:db8::1
expect_grep "'2001:db8::1': an IP address is not a DNS name: give the server's name and the address with --ip" \
    "$T/stderr" "an IPv6 address too"

expect_exit 2 "issue device alice@example.com" "$SIPCA" -d "$CA" issue device alice@example.com
expect_grep "invalid device name: 'alice@example.com': a device's name is the user part of its SIP URI (sip:NAME@example.com): give 'alice', or a name and --uri sip:alice@example.com" \
    "$T/stderr" "says to give the user part"
expect_no_grep "@example.com@example.com" "$T/stderr" "no doubled domain"
expect_exit 2 "issue device sip:alice@example.com" "$SIPCA" -d "$CA" issue device sip:alice@example.com
expect_grep "invalid device name: 'sip:alice@example.com': .*give 'alice', or a name and --uri sip:alice@example.com" \
    "$T/stderr" "a URI as the name"
expect_exit 2 "issue device bob@other.example" "$SIPCA" -d "$CA" issue device bob@other.example
expect_grep "give 'bob', or a name and --uri sip:bob@other.example" "$T/stderr" "another host"
printf 'kind,name\ndevice,carol@example.com\n' > "$T/rows.csv"
expect_exit 2 "a batch row with user@host" "$SIPCA" -d "$CA" issue --batch "$T/rows.csv" --quiet
expect_grep "give 'carol'" "$T/stderr" "the batch says it too"
expect_unchanged "$T/before" "$CA" "refused names"

# What the messages suggest works.
expect_exit 0 "the suggested server form" "$SIPCA" -d "$CA" issue server sip.example.com --ip 192.0.2.50 --key p256
check "the address is an IP SAN" sh -c "openssl x509 -in '$CA/issued/sip.example.com/cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:192.0.2.50'"
expect_exit 0 "the suggested device name" "$SIPCA" -d "$CA" issue device alice --key p256
check "its URI is sip:alice@example.com" sh -c "openssl x509 -in '$CA/issued/alice/cert.pem' -noout -ext subjectAltName | grep -q 'URI:sip:alice@example.com'"
expect_exit 0 "user@host with its --uri is a name like any other" "$SIPCA" -d "$CA" issue device dave@example.com \
    --uri sip:dave@example.com --key p256

finish
