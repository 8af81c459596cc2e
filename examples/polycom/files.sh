#!/bin/sh
# Writes sipca-tls.cfg: the CA as a custom CA certificate of a Poly/Polycom
# UC Software phone, and SIP over TLS checked against it. Add the file to
# CONFIG_FILES in the phone's MAC.cfg / 000000000000.cfg.
set -eu
SIPCA=${SIPCA:-sipca}
dir=${1:-.}
# The CA in PEM, BEGIN and END lines included, as the published Polycom
# templates write customCaCert (see README.md: no Poly document at hand
# says which form the phone wants). The export is its own command, so
# that 'set -e' stops here when sipca fails (in a pipeline only the last
# command's status counts), and the file is written under a temporary
# name and renamed: a phone never fetches a half-written or blank CA,
# which would replace the CA it has.
ca=$("$SIPCA" export -o -)
case $ca in
"-----BEGIN CERTIFICATE-----"*"-----END CERTIFICATE-----") ;;
*) echo "files.sh: 'sipca export' gave no certificate" >&2; exit 1 ;;
esac
tmp=$(mktemp "$dir/.sipca-tls.cfg.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat > "$tmp" <<CFG
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- Made by examples/polycom/files.sh from 'sipca export'. -->
<polycomConfig>
  <device device.set="1"
    device.sec.TLS.customCaCert1.set="1"
    device.sec.TLS.customCaCert1="$ca"
    device.sec.TLS.profile.caCertList1.set="1"
    device.sec.TLS.profile.caCertList1="Platform1"/>
  <sec sec.TLS.profileSelection.SIP="PlatformProfile1"
    sec.TLS.SIP.strictCertCommonNameValidation="1"/>
  <voIpProt voIpProt.server.1.transport="TLS"
    voIpProt.server.1.port="5061"/>
</polycomConfig>
CFG
chmod 0644 "$tmp"
mv "$tmp" "$dir/sipca-tls.cfg"
trap - EXIT
