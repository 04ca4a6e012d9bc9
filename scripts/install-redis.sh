#!/usr/bin/env bash
# Makes a redis-server >= 8.0 available for the tests and prints its path on the last line; its
# redis-cli lies beside it (the tests join a Redis Cluster with redis-cli --cluster create).
#
# Debian 12 ships Redis 7, which has no vector sets. This script builds Redis 8 from Debian's own
# source package of a newer suite: it adds a deb-src entry (source entries only, never binary
# ones, which would drag the system's libc along) that reuses the mirror the machine's Debian
# sources already use, fetches the upstream tarball with apt-get's source support (checked
# against the suite's signed index), and builds it with the system compiler and the tarball's
# bundled dependencies. Finished builds are reused.
#
#   FEEDSEARCH_REDIS_DIR    where to install (default ~/.cache/feedsearch/redis-8)
#   FEEDSEARCH_REDIS_SUITE  the Debian suite to take the source from (default trixie)
set -euo pipefail

dest="${FEEDSEARCH_REDIS_DIR:-$HOME/.cache/feedsearch/redis-8}"
suite="${FEEDSEARCH_REDIS_SUITE:-trixie}"

is_redis8() {
  "$1" --version 2>/dev/null | grep -Eq 'v=([89]|[1-9][0-9])\.'
}

if [ -x "$dest/bin/redis-server" ] && [ -x "$dest/bin/redis-cli" ] && is_redis8 "$dest/bin/redis-server"; then
  echo "install-redis: reusing $("$dest/bin/redis-server" --version | cut -d' ' -f3) in $dest" >&2
  echo "$dest/bin/redis-server"
  exit 0
fi

for tool in apt-get make cc tar; do
  command -v "$tool" >/dev/null || { echo "install-redis: '$tool' is needed" >&2; exit 1; }
done

# The mirror this machine's Debian sources use (deb822 .sources files or one-line sources.list).
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "install-redis: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 1; }
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
cat > "$work/sources/redis-src.sources" <<SOURCES
Types: deb-src
URIs: $mirror
Suites: $suite
Components: main
Signed-By: $keyring
SOURCES

# A private apt state: the system's own package lists and sources stay untouched.
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root")
echo "install-redis: fetching the redis source package of $suite" >&2
apt-get "${apt_opts[@]}" -q update >&2
# Only the upstream tarball is needed; the Debian packaging files may lag behind on a mirror.
(cd "$work/src" && apt-get "${apt_opts[@]}" -q source --download-only redis >&2) || true
tarball=$(ls "$work"/src/redis_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "install-redis: the redis source tarball could not be fetched" >&2; exit 1; }

echo "install-redis: building $(basename "$tarball") (a few minutes)" >&2
tar -xf "$tarball" -C "$work/src"
srcdir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'redis-*' | head -n 1)
make -C "$srcdir" -j"$(nproc)" BUILD_TLS=no MALLOC=libc >"$work/build.log" 2>&1 || {
  tail -n 40 "$work/build.log" >&2
  echo "install-redis: build failed" >&2
  exit 1
}
is_redis8 "$srcdir/src/redis-server" || { echo "install-redis: built $("$srcdir/src/redis-server" --version), not Redis 8" >&2; exit 1; }

mkdir -p "$dest/bin.new"
cp "$srcdir/src/redis-server" "$srcdir/src/redis-cli" "$dest/bin.new/"
rm -rf "$dest/bin" && mv "$dest/bin.new" "$dest/bin"
echo "install-redis: installed $("$dest/bin/redis-server" --version | cut -d' ' -f3) in $dest" >&2
echo "$dest/bin/redis-server"
