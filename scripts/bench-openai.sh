#!/usr/bin/env bash
# OpenAI ingest benchmark: a first ingest of a generated full-content feed (a local file, so no
# page is fetched) with --embedder openai against the in-process fake API (tests' FakeOpenAi),
# which answers each request after a fixed delay. Runs the batched ingest (passages of many posts
# per request, --openai-concurrency requests in flight) and the old way (one request per post,
# one at a time), and prints requests, requests per 1,000 passages and wall time of each.
#
#   scripts/bench-openai.sh [POSTS [WORDS_PER_POST [DELAY_MS [CONCURRENCY]]]]   (default: 200 560 200 4)
#
# BENCH_TMP=/dev/shm keeps the local store in memory, to time the embedding side alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -o -q -Dstyle.color=never test-compile -pl common -am >&2
mvn -B -o -q -Dstyle.color=never dependency:build-classpath -pl common -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/common/target/bench-classpath.txt" >/dev/null
exec java ${BENCH_TMP:+-Djava.io.tmpdir="$BENCH_TMP"} \
  -cp "common/target/test-classes:common/target/classes:$(cat common/target/bench-classpath.txt)" \
  feedsearch.bench.OpenAiIngestBench "$@"
