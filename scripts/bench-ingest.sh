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
corpus_server=""
trap '[ -n "$corpus_server" ] && kill $corpus_server 2>/dev/null; rm -rf "$work"' EXIT
. "$root/scripts/serve-corpus.sh"
serve_corpus "$corpus" "$work"
feed=$corpus_feed
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
