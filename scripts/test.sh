#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs and starts a
# local PostgreSQL when none is reachable, so every store test runs on both
# SQLite and PostgreSQL, installs SIPp (sip-tester) and baresip for the SIP
# scenarios in test/sipp and the softphone test in test/softphone, then
# checks formatting and vet and runs go test.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin"
pg_url_default="postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test?sslmode=disable"

# as_root and as_postgres run a command with the right identity whether the
# script runs as root (CI) or as a user with sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

start_postgres() {
	if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		echo "--- installing PostgreSQL"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	fi
	if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
		echo "--- starting PostgreSQL"
		local ver; ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
		if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
			as_root pg_createcluster "$ver" main >/dev/null
		fi
		as_root pg_ctlcluster "$ver" main start
		for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	fi
	as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchboard') THEN
    CREATE ROLE switchboard LOGIN SUPERUSER PASSWORD 'switchboard';
  END IF;
END $$;
SQL
	if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='switchboard_test'" | grep -q 1; then
		as_postgres createdb -O switchboard switchboard_test
	fi
}

install_sipp() {
	local pkgs=()
	command -v sipp >/dev/null 2>&1 || pkgs+=(sip-tester)
	command -v baresip >/dev/null 2>&1 || pkgs+=(baresip-core)
	if [ ${#pkgs[@]} -gt 0 ]; then
		echo "--- installing ${pkgs[*]}"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
	fi
}

install_sipp
if [ -z "${SWITCHBOARD_TEST_POSTGRES:-}" ]; then
	start_postgres
	export SWITCHBOARD_TEST_POSTGRES="$pg_url_default"
fi
echo "--- PostgreSQL for store tests: ${SWITCHBOARD_TEST_POSTGRES%%@*}@..."

echo "--- gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "--- go vet"
go vet ./...
echo "--- go test"
go test -race -count=1 -timeout 30m ./...
