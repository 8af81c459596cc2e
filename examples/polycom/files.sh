#!/bin/sh
# Writes sipca-tls.cfg: the CA as a custom CA certificate of a Poly/Polycom
# UC Software phone, and SIP over TLS checked against it. Add the file to
# CONFIG_FILES in the phone's MAC.cfg / 000000000000.cfg.
set -eu
SIPCA=${SIPCA:-sipca}
dir=${1:-.}
# The base64 of the DER, without the PEM armour, on one line: XML
# attribute values lose their line breaks anyway.
ca=$("$SIPCA" export -o - 2>/dev/null | grep -v -e '-----' | tr -d '\n')
cat > "$dir/sipca-tls.cfg" <<CFG
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
