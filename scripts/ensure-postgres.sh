#!/usr/bin/env bash
# Makes sure this machine can start throwaway PostgreSQL clusters: server binaries with dblink
# (Debian's postgresql + postgresql-contrib) and the `postgres` OS user that runs them when we
# are root. Installs what is missing when run as root; otherwise says what to install.
set -euo pipefail

have_postgres() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    local version; version=$(basename "$(dirname "$bin")")
    if [ -x "$bin/initdb" ] && [ -f "/usr/share/postgresql/$version/extension/dblink.control" ]; then
      return 0
    fi
  done
  return 1
}

if [ -n "${PGSYNC_TEST_ADMIN_CONNECTION:-}" ]; then
  exit 0 # tests use an existing server; nothing to install
fi

# The throwaway clusters also run kill (procps), runuser and setsid (util-linux).
have_tools() { [ -x /bin/kill ] || [ -x /usr/bin/kill ]; }

# A locale whose money and number formats differ from C's: the tests write money as another
# locale does (Tests.Infrastructure.HostileValues.MoneyLocale). Generated when root can.
ensure_locale() {
  if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "The locale de_DE.UTF-8 is missing (the tests need it): run as root: localedef -i de_DE -f UTF-8 de_DE.UTF-8 (Debian package locales)." >&2
    return 0 # the tests that need it fail and say so; the rest run
  fi
  if ! command -v localedef >/dev/null 2>&1 || [ ! -d /usr/share/i18n/locales ] || [ ! -f /usr/share/i18n/locales/de_DE ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends locales >/dev/null
  fi
  localedef -i de_DE -f UTF-8 de_DE.UTF-8
}

if have_postgres && have_tools && { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }; then
  ensure_locale
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "PostgreSQL server binaries with dblink (or procps) are missing: install the packages postgresql and postgresql-contrib (e.g. sudo apt-get install postgresql postgresql-contrib), or set PGSYNC_TEST_ADMIN_CONNECTION to a superuser connection string." >&2
  exit 1
fi

echo "Installing PostgreSQL (postgresql, postgresql-contrib) and procps ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib procps >/dev/null
# The Debian package starts a default cluster; our tests start their own, so stop it again.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
  done
fi
have_postgres || { echo "PostgreSQL was installed but initdb or dblink is still missing" >&2; exit 1; }
ensure_locale
