# PostgreSQL for a test (POSIX sh), sourced after lib.sh:
#   . "$(dirname "$0")/../pg.sh"; pg_start
# starts a PostgreSQL 15 of the test's own: initdb into a temporary
# directory as an unprivileged user (the tests run as root in CI, and the
# server refuses root: then the system user sipca-pg-test, made when
# missing, runs it through runuser), listening on a Unix socket in that
# directory and on 127.0.0.1:$PG_PORT, with a database "sipca" whose
# user "sipca" logs in over TCP with a password (scram-sha-256), so that
# the connection strings the tests use carry a secret to keep out of
# every message. It is stopped by its pid when the script exits.
# A server that cannot start fails the test: it is never skipped.
#
# Sets PG_URL (postgresql://sipca:PASSWORD@127.0.0.1:PORT/sipca),
# PG_PASSWORD, PG_PORT, PG_SOCKDIR, PG_TLS_CA (the CA of the server's TLS
# certificate, for localhost and 127.0.0.1), and pg_psql runs psql on it.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER_OS=sipca-pg-test
PG_DIR=
PG_PID=

# pg_as COMMAND...: as the server's user.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PG_USER_OS" -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	if [ -n "$PG_PID" ]; then
		# SIGINT: PostgreSQL's fast shutdown; SIGKILL after 30 s.
		kill -INT "$PG_PID" 2>/dev/null
		i=0
		while kill -0 "$PG_PID" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$PG_PID" 2>/dev/null
		PG_PID=
	fi
	[ -z "$PG_DIR" ] || rm -rf "$PG_DIR"
	PG_DIR=
}
trap 'pg_stop; cleanup' EXIT
trap 'exit 129' HUP INT TERM PIPE

# pg_fail_start WHY: the test cannot run; it fails, loudly.
pg_fail_start() {
	fail "PostgreSQL: $1 (make check installs postgresql)"
	[ -z "$PG_DIR" ] || sed 's/^/    log: /' "$PG_DIR/log" >&2 2>/dev/null
	finish
	exit 1
}

pg_start() {
	[ -x "$PG_BIN/initdb" ] || pg_fail_start "no $PG_BIN/initdb"
	if [ "$(id -u)" = 0 ] && ! id "$PG_USER_OS" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$PG_USER_OS" 2>/dev/null ||
		    id "$PG_USER_OS" >/dev/null 2>&1 ||
		    pg_fail_start "cannot create the user $PG_USER_OS"
	fi
	# Not under $T: the server's user must reach it, and $T is ours alone.
	PG_DIR=$(mktemp -d /tmp/sipca-pg.XXXXXX) || pg_fail_start "mktemp"
	chmod 755 "$PG_DIR"
	[ "$(id -u)" != 0 ] || chown "$PG_USER_OS" "$PG_DIR"
	PG_SOCKDIR=$PG_DIR
	PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pw"
	[ "$(id -u)" != 0 ] || chown "$PG_USER_OS" "$PG_DIR/pw"
	if ! pg_as timeout 120 "$PG_BIN/initdb" -D "$PG_DIR/data" -U sipca \
	    --pwfile="$PG_DIR/pw" --auth-local=trust --auth-host=scram-sha-256 \
	    -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		sed 's/^/    initdb: /' "$PG_DIR/initdb.log" >&2
		pg_fail_start "initdb failed"
	fi
	rm -f "$PG_DIR/pw"
	# TLS as well (libpq's default sslmode=prefer uses it): a server
	# certificate for localhost and 127.0.0.1 from a CA of the test's,
	# $PG_TLS_CA, for sslmode=verify-full.
	if ! timeout 60 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -days 2 -subj "/CN=sipca test PostgreSQL CA" -keyout "$PG_DIR/ca.key" \
	    -out "$PG_DIR/ca.pem" >/dev/null 2>&1 ||
	    ! timeout 60 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=localhost" -keyout "$PG_DIR/server.key" -out "$PG_DIR/server.csr" \
	    >/dev/null 2>&1 ||
	    ! timeout 60 openssl x509 -req -in "$PG_DIR/server.csr" -CA "$PG_DIR/ca.pem" \
	    -CAkey "$PG_DIR/ca.key" -CAcreateserial -days 2 -out "$PG_DIR/server.pem" \
	    -extfile /dev/stdin >/dev/null 2>&1 <<-EOT
		subjectAltName = DNS:localhost, IP:127.0.0.1
		EOT
	then
		pg_fail_start "cannot make the server's TLS certificate"
	fi
	chmod 600 "$PG_DIR/server.key"
	[ "$(id -u)" != 0 ] || chown "$PG_USER_OS" "$PG_DIR/server.key" "$PG_DIR/server.pem"
	PG_TLS_CA=$PG_DIR/ca.pem
	PG_PORT=$(free_port)
	if ! pg_as timeout 120 "$PG_BIN/pg_ctl" -w -t 60 -D "$PG_DIR/data" \
	    -l "$PG_DIR/log" -o "-k $PG_DIR -h 127.0.0.1 -p $PG_PORT -c fsync=off \
	    -c ssl=on -c ssl_cert_file=$PG_DIR/server.pem -c ssl_key_file=$PG_DIR/server.key" \
	    start >/dev/null 2>&1; then
		pg_fail_start "the server did not start"
	fi
	PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
	[ -n "$PG_PID" ] || pg_fail_start "no postmaster.pid"
	if ! pg_psql -q -c "CREATE DATABASE sipca" >/dev/null; then
		pg_fail_start "createdb failed"
	fi
	PG_URL="postgresql://sipca:$PG_PASSWORD@127.0.0.1:$PG_PORT/sipca"
	export PG_URL
}

# pg_psql ARGS...: psql as the server's superuser over its socket (database: $PG_DB, default postgres).
pg_psql() {
	timeout 60 psql -X -h "$PG_SOCKDIR" -p "$PG_PORT" -U sipca -d "${PG_DB:-postgres}" \
	    -v ON_ERROR_STOP=1 "$@"
}

# pg_newdb NAME: a fresh database; prints its URL.
pg_newdb() {
	pg_psql -q -c "CREATE DATABASE \"$1\"" >/dev/null || return 1
	echo "postgresql://sipca:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"
}
