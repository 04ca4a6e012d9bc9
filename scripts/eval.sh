#!/usr/bin/env bash
# Ranking quality on a real blog: serves a corpus from ../shared/corpora on loopback, ingests it
# into a fresh local store (its URLs carry the server's port, so a store is good for one run), then runs
# 'query --eval' on the corpus's labeled questions in each ranking mode and prints hit@1, hit@5
# and MRR@10 side by side, with what each mode costs: the eval's wall time per question (one JVM,
# model loaded once) and the median wall time of 9 cold 'query' runs (the modes alternated).
#
#   scripts/eval.sh [CORPUS_DIR] [QUESTIONS_TSV]   (default: ../shared/corpora/jakevdp-pelican and its queries.tsv)
#   EVAL_REDIS=redis://HOST:PORT scripts/eval.sh    also ingests the corpus into a new index on that Redis
#                                                  (its query engine when it has one, else vector sets), runs
#                                                  the same questions there and drops the index at the end
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "${1:-$root/../shared/corpora/jakevdp-pelican}" && pwd)"
questions="${2:-$corpus/queries.tsv}"
[ -d "$corpus/site" ] || { echo "eval: no corpus at $corpus" >&2; exit 2; }
# The launchers, as users run them: they build when needed and start the JVM for a short run.
"$root/bin/query" --version >/dev/null

work=$(mktemp -d)
corpus_server=""
trap '[ -n "$corpus_server" ] && kill $corpus_server 2>/dev/null; rm -rf "$work"' EXIT
. "$root/scripts/serve-corpus.sh"
serve_corpus "$corpus" "$work"

store="${EVAL_STORE:-$work/index}"
"$root/bin/ingest" --feed "$corpus_feed" --store-path "$store" \
  --tag "$(basename "$corpus")" --max-page-size 16 --quiet
echo "corpus: $(basename "$corpus"), questions: $questions"
printf '%-8s %6s %6s %7s %12s %12s\n' mode hit@1 hit@5 MRR@10 "ms/question" "cold query"
# Cold runs of one question, the modes taken in turn round after round (each first in a third
# of the rounds) so a change in the machine's load or caches falls on all of them alike; each
# mode's median wall seconds of 9 rounds.
orders=("vector text hybrid" "text hybrid vector" "hybrid vector text")
for round in 0 1 2 3 4 5 6 7 8; do
  for mode in ${orders[round % 3]}; do
    /usr/bin/time -f "%e" -a -o "$work/cold-$mode" "$root/bin/query" --store-path "$store" --mode "$mode" \
      "how do I speed up a slow python loop" >/dev/null
  done
done
median_cold() { sort -n "$work/cold-$1" | sed -n 5p; }
for mode in vector text hybrid; do
  start=$(date +%s%N)
  "$root/bin/query" --store-path "$store" --eval "$questions" --mode "$mode" --format json > "$work/eval.json"
  millis=$(( ($(date +%s%N) - start) / 1000000 ))
  python3 - "$work/eval.json" "$millis" "$(median_cold "$mode")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%-8s %6.3f %6.3f %7.3f %12.0f %11ss" % (r["mode"], r["hit_at_1"], r["hit_at_5"], r["mrr_at_10"],
      int(sys.argv[2]) / r["questions"], sys.argv[3]))
PY
done
if [ -n "${EVAL_REDIS:-}" ]; then
  redis=(--redis "$EVAL_REDIS" --index "feedsearch-eval-$$")
  trap '"$root/bin/ingest" drop "${redis[@]}" --yes >/dev/null || true; kill $corpus_server 2>/dev/null; rm -rf "$work"' EXIT
  "$root/bin/ingest" "${redis[@]}" --feed "$corpus_feed" --tag "$(basename "$corpus")" --max-page-size 16 --quiet
  echo "the same questions on $("$root/bin/ingest" status "${redis[@]}" | head -n 1)"
  for mode in vector text hybrid; do
    "$root/bin/query" "${redis[@]}" --eval "$questions" --mode "$mode" --format json > "$work/eval.json"
    python3 - "$work/eval.json" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
note = "" if r["mode"] == sys.argv[2] else "   (ranked by %s: this index has no word index)" % r["mode"]
print("%-8s %6.3f %6.3f %7.3f%s" % (sys.argv[2], r["hit_at_1"], r["hit_at_5"], r["mrr_at_10"], note))
PY
  done
fi
python3 - "$(median_cold vector)" "$(median_cold hybrid)" <<'PY'
import sys
v, h = float(sys.argv[1]), float(sys.argv[2])
print("cold query, hybrid / vector: %.2fx   target <= 1.10x: %s" % (h / v, "met" if h <= 1.10 * v else "not met"))
PY
