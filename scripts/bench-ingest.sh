#!/usr/bin/env bash
# Ingest benchmark on a real blog: serves a corpus from ../shared/corpora on loopback, ingests
# its summary-only feed (every post fetched from its page and extracted), then re-ingests it
# unchanged, and times a few queries. Prints wall time and peak memory (RSS) of each step.
#
#   scripts/bench-ingest.sh [CORPUS_DIR]    (default: ../shared/corpora/jakevdp-pelican)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-$root/../shared/corpora/jakevdp-pelican}"
[ -d "$corpus/site" ] || { echo "bench: no corpus at $corpus" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 serves the pages" >&2; exit 2; }
[ -f "$root/ingest-cli/target/ingest.jar" ] && [ -f "$root/query-cli/target/query.jar" ] \
  || (cd "$root" && mvn -B -q -DskipTests package)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
origin=$(grep -m 1 -o 'href="http[^"]*' "$corpus/site/feeds/all.atom.xml" | head -n 1 | sed -E 's#href="(https?://[^/]+).*#\1#')
mkdir -p "$work/site/feeds"
ln -s "$corpus/site/blog" "$work/site/blog"
sed "s#$origin#http://127.0.0.1:$port#g" "$corpus/site/feeds/all.atom.xml" > "$work/site/feeds/all.atom.xml"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/feeds/all.atom.xml" >/dev/null 2>&1 && break; sleep 0.1; done

feed="http://127.0.0.1:$port/feeds/all.atom.xml"
store="$work/index"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  read -r secs kb < "$work/time"
  printf '%-28s %7.1f s  %6d MiB peak RSS   %s\n' "$label" "$secs" $((kb / 1024)) "$(tail -n 1 "$work/out")"
}

echo "corpus: $corpus ($(grep -c '<entry>' "$corpus/site/feeds/all.atom.xml") entries), $(nproc) cores"
measure "ingest (cold)" java -jar "$root/ingest-cli/target/ingest.jar" --feed "$feed" --store-path "$store" --max-page-size 16
measure "ingest again (304)" java -jar "$root/ingest-cli/target/ingest.jar" --feed "$feed" --store-path "$store"
for q in "waiting time paradox for buses" "frequentist versus bayesian statistics" "fast fourier transform in numpy"; do
  measure "query: ${q:0:20}..." java -jar "$root/query-cli/target/query.jar" --store-path "$store" -k 1 --format urls "$q"
done
java -jar "$root/ingest-cli/target/ingest.jar" status --store-path "$store" | grep -E "posts|passages"
