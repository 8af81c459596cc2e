# Sourced first, before lib.sh, by the CLI scripts that start servers
# which cannot be told to listen on loopback only (gnutls-serv): the
# script is executed again in a network namespace of its own whose only
# interface is lo, so no test traffic can reach another address.
if [ -z "${SIPCA_TEST_NETNS:-}" ]; then
	SIPCA_TEST_NETNS=1; export SIPCA_TEST_NETNS
	PATH=$PATH:/usr/sbin:/sbin; export PATH
	exec unshare -rn sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
