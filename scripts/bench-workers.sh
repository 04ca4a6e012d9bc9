#!/usr/bin/env bash
# Many ingest processes into one Redis Cluster index (issue 11): starts a cluster of 3 masters and
# 3 replicas on loopback from the Redis 8 build (scripts/install-redis.sh), then runs 1, 2 and 4
# bin/ingest processes at once on disjoint lists of generated full-content feeds (local files, no
# page fetches) and prints total passages/s for each.
#
#   scripts/bench-workers.sh [fake|local [FEEDS [POSTS_PER_FEED [WORDS_PER_POST]]]]   (default: fake 8 100 400)
#
# fake: the embedding API is the tests' fake in the bench's JVM, answering at once, so the figures
# are the pipeline and the cluster writes; local: the local model in every worker, as a default
# install runs (on 2 cores the model, not Redis, bounds that).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. "$root/bin/.launch"
if feedsearch_stale "$root/ingest-cli/target/ingest.jar"; then mvn -B -o -q -Dstyle.color=never package -DskipTests >&2; fi
mvn -B -o -q -Dstyle.color=never test-compile -pl common >&2
mvn -B -o -q -Dstyle.color=never dependency:build-classpath -pl common -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/common/target/bench-classpath.txt" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "common/target/test-classes:common/target/classes:$(cat common/target/bench-classpath.txt)" \
  feedsearch.bench.ClusterWorkersBench "$root" "${1:-fake}" "${@:2}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
