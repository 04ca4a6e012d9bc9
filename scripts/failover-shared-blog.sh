#!/usr/bin/env bash
# Issue 11's failover check on the shared blog: serves ../shared/corpora/jakevdp-pelican on
# loopback (its feed lists summaries, so every post's page is fetched) and runs
# ClusterFailoverTest against it: a cluster of 3 masters and 3 replicas, kill -9 of a master a
# third of the way through the ingest, the replica promoted, a re-run, then every post record
# checked against its passage hashes and vector-set elements. (The test suite runs the same test
# on a generated feed.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work=$(mktemp -d)
corpus_server=""
trap '[ -n "$corpus_server" ] && kill $corpus_server 2>/dev/null; rm -rf "$work"' EXIT
. "$root/scripts/serve-corpus.sh"
serve_corpus "$root/../shared/corpora/jakevdp-pelican" "$work"
echo "feed: $corpus_feed; load $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -o -Dstyle.color=never test -pl common -Dtest=ClusterFailoverTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfeedsearch.failover.feed="$corpus_feed" | grep -E 'Tests run:|FAIL' | head -n 4
cat common/target/surefire-reports/feedsearch.store.redis.ClusterFailoverTest-output.txt
