#!/bin/sh
# The Debian package: dpkg-buildpackage -us -uc -b on a clone of HEAD
# gives sipca_VERSION_ARCH.deb with the binary, the man page, the three
# shells' completions, the systemd units and examples/ under
# /usr/share/doc/sipca/; lintian finds no error and no warning; its
# Depends come from the libraries it links (no SIP or test tools).
# Installed with dpkg -i on this machine it prints the package's version,
# man -w finds its page, bash completes with it, make demo's steps pass
# with it, and a purge leaves nothing of it behind.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
check "dpkg -i needs root (CI runs as root)" test "$(id -u)" = 0
if dpkg-query -W -f '${Status}' sipca 2>/dev/null | grep -q 'ok installed'; then
	fail "a sipca package is installed on this machine already: not replacing it"
	finish
fi
had_user=0
getent passwd sipca >/dev/null && had_user=1
had_store=0
[ -e /var/lib/sipca ] && had_store=1
cleanup_pkg() {
	dpkg --purge sipca >/dev/null 2>&1
	[ $had_user = 1 ] || userdel sipca >/dev/null 2>&1
	[ $had_store = 1 ] || rm -rf /var/lib/sipca
}
trap 'cleanup_pkg; cleanup' EXIT INT TERM

git clone -q "$top" "$T/src" || fail "git clone"
(cd "$T/src" && env -u BUILD -u VARIANT -u MAKEFLAGS -u SIPCA_VERSION \
    timeout 900 dpkg-buildpackage -us -uc -b) > "$T/build.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -20 "$T/build.log")"
version=$(dpkg-parsechangelog -l "$T/src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
deb=$T/sipca_${version}_${arch}.deb
check "dpkg-buildpackage made sipca_${version}_$arch.deb" test -s "$deb"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$T/contents"
for f in /usr/bin/sipca /usr/share/man/man1/sipca.1.gz \
    /usr/share/bash-completion/completions/sipca /usr/share/zsh/site-functions/_sipca \
    /usr/share/fish/vendor_completions.d/sipca.fish \
    /lib/systemd/system/sipca-serve.service /lib/systemd/system/sipca-renew.service \
    /lib/systemd/system/sipca-renew.timer /usr/share/doc/sipca/copyright \
    /usr/share/doc/sipca/examples/systemd/README.md /usr/lib/sysusers.d/sipca.conf; do
	check "the package holds $f" grep -qx "$f" "$T/contents"
done
dpkg-deb -f "$deb" Depends > "$T/depends"
expect_grep "libgnutls30" "$T/depends" "Depends from the libraries it links"
for p in kamailio certbot lego softhsm2 python3 check; do
	expect_no_grep "\b$p\b" "$T/depends" "no test tool in Depends ($p)"
done

# No error, no warning (informational and pedantic tags are not failures).
timeout 600 lintian --fail-on error,warning "$deb" > "$T/lintian" 2>&1
check "lintian: no error and no warning" test $? -eq 0
if grep -q '^[EW]: ' "$T/lintian"; then
	fail "lintian tags:"; sed 's/^/    /' "$T/lintian" >&2
else
	ok
fi

timeout 120 dpkg -i "$deb" > "$T/install.log" 2>&1 || fail "dpkg -i: $(cat "$T/install.log")"
check "/usr/bin/sipca --version prints the package's version" sh -c \
    '/usr/bin/sipca --version | grep -q "^sipca $1 "' sh "$version"
check "man -w finds the page" sh -c 'test "$(man -w sipca)" = /usr/share/man/man1/sipca.1.gz'
check "the installed page's footer names the version" sh -c \
    'zcat /usr/share/man/man1/sipca.1.gz | grep -q "^\.TH SIPCA 1 .*\"sipca $1\""' sh "$version"
bash -c '. /usr/share/bash-completion/completions/sipca
	COMP_WORDS=(sipca iss); COMP_CWORD=1; _sipca
	printf "%s\n" "${COMPREPLY[@]}"' > "$T/complete" 2>&1
check "bash completes 'sipca iss' to issue" grep -qx issue "$T/complete"
check "the sipca user exists" getent passwd sipca
check "/var/lib/sipca is the sipca user's, 0700" sh -c \
    'test "$(stat -c "%U %a" /var/lib/sipca)" = "sipca 700"'
# Complaints about other packages' units (freeradius.service's
# MemoryLimit=, installed for tests/cli/eap_radius.sh) are theirs: only
# lines naming no unit file, or a sipca one, count.
check "the installed units verify" sh -c \
    'out=$(systemd-analyze verify /lib/systemd/system/sipca-serve.service \
        /lib/systemd/system/sipca-renew.timer 2>&1) || { echo "$out"; exit 1; }
    out=$(printf "%s\n" "$out" | grep -v "^/[^:]*/[^/:]*\.[a-z]*:[0-9]" ; \
        printf "%s\n" "$out" | grep "^/[^:]*/sipca[^/:]*:[0-9]")
    [ -z "$(printf "%s" "$out" | tr -d "[:space:]")" ] || { echo "$out"; exit 1; }'
check "the serve unit runs the installed binary" \
    grep -qx "ExecStart=/usr/bin/sipca serve" /lib/systemd/system/sipca-serve.service
check "installed, not enabled" sh -c '! systemctl is-enabled sipca-serve.service 2>/dev/null | grep -qx enabled'
(cd "$T" && SIPCA=/usr/bin/sipca timeout 300 sh "$T/src/scripts/demo.sh") > "$T/demo.log" 2>&1 ||
	fail "make demo's steps with the installed sipca: $(tail -20 "$T/demo.log")"

dpkg -L sipca | sort > "$T/installed"
timeout 120 dpkg --purge sipca > "$T/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$T/purge.log")"
check "purged: dpkg knows no sipca" sh -c '! dpkg-query -W -f "\${Status}" sipca 2>/dev/null | grep -q installed'
left=
while read -r f; do
	[ -d "$f" ] && continue	# directories shared with other packages
	[ -e "$f" ] && left="$left $f"
done < "$T/installed"
check "no file of the package left:${left:- none}" test -z "$left"
[ $had_store = 1 ] || check "the empty store directory went with it" test ! -e /var/lib/sipca
finish
