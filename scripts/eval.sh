#!/usr/bin/env bash
# Ranking quality on a real blog: serves a corpus from ../shared/corpora on loopback, ingests it
# into a local store (kept under ~/.cache/feedsearch/eval/<corpus> between runs), then runs
# 'query --eval' on the corpus's labeled questions in each ranking mode and prints hit@1, hit@5
# and MRR@10 side by side.
#
#   scripts/eval.sh [CORPUS_DIR] [QUESTIONS_TSV]   (default: ../shared/corpora/jakevdp-pelican and its queries.tsv)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "${1:-$root/../shared/corpora/jakevdp-pelican}" && pwd)"
questions="${2:-$corpus/queries.tsv}"
[ -d "$corpus/site" ] || { echo "eval: no corpus at $corpus" >&2; exit 2; }
[ -f "$root/ingest-cli/target/ingest.jar" ] && [ -f "$root/query-cli/target/query.jar" ] \
  || (cd "$root" && mvn -B -q -DskipTests package)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
feedfile=$(cd "$corpus/site" && find . -path '*feeds/*' -name '*.xml' | sort | head -n 1)
origin=$(grep -m 1 -o 'href="http[^"]*' "$corpus/site/$feedfile" | head -n 1 | sed -E 's#href="(https?://[^/]+).*#\1#')
mkdir -p "$work/site/$(dirname "$feedfile")"
for entry in "$corpus"/site/*; do [ "$(basename "$entry")" = feeds ] || ln -s "$entry" "$work/site/"; done
sed "s#$origin#http://127.0.0.1:$port#g" "$corpus/site/$feedfile" > "$work/site/$feedfile"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/$feedfile')" 2>/dev/null && break; sleep 0.1; done

store="$HOME/.cache/feedsearch/eval/$(basename "$corpus")"
# --force: the feed's URL changes with the port, and a store built by another release is brought up to date.
java -jar "$root/ingest-cli/target/ingest.jar" --feed "http://127.0.0.1:$port/$feedfile" --store-path "$store" \
  --tag "$(basename "$corpus")" --max-page-size 16 --quiet
echo "corpus: $(basename "$corpus"), questions: $questions"
printf '%-8s %6s %6s %7s\n' mode hit@1 hit@5 MRR@10
for mode in vector text hybrid; do
  java -jar "$root/query-cli/target/query.jar" --store-path "$store" --eval "$questions" --mode "$mode" --format json \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%-8s %6.3f %6.3f %7.3f" % (r["mode"], r["hit_at_1"], r["hit_at_5"], r["mrr_at_10"]))'
done
