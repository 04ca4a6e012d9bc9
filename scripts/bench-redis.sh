#!/usr/bin/env bash
# Redis at scale (issue 11 point 4): synthetic, seeded 384-dimension vectors (200 clusters plus
# noise, unit length; no model) written to Redis 8 vector sets and queried back, on one node and
# on a 3-master Redis Cluster started on loopback. Prints, per run: write rate (passages/s, W
# writer threads each pipelining batches of VADDs), server CPU seconds (INFO cpu, per master on
# the cluster), memory per passage (INFO memory used_memory delta, summed over masters), query
# latency p50/p99 for k=10 (one client; VSIM COUNT 10 WITHSCORES to every shard in one pipeline,
# merged) and recall@10 against exact brute-force search; then projects 1M and 10M passages.
#
#   scripts/bench-redis.sh [quick|full]   quick (default): 10k grid of 8 VADD option sets, 30k;
#                                         full: 10k grid of 20 option sets, 100k (~14 min)
#   scripts/bench-redis.sh shards         S=1 and S=16 alternately at 100k, BENCH_REPEATS (2) times each,
#                                         with BENCH_OPTIONS ("Q8 EF 100 M 16")
#   BENCH_WRITERS (4), BENCH_BATCH (200 VADDs a pipeline), BENCH_QUERIES (300),
#   BENCH_RECALL_QUERIES (200), BENCH_REPLICAS (0 or 1: a replica behind each cluster master).
# redis-server 8 from REDIS_SERVER, the PATH, or ~/.cache/feedsearch/redis-8 (scripts/install-redis.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plan="${1:-quick}"
case "$plan" in quick|full|shards) ;; *) echo "usage: scripts/bench-redis.sh [quick|full|shards]" >&2; exit 2;; esac
cd "$root"
mvn -B -o -q -Dstyle.color=never test-compile -pl common >&2
mvn -B -o -q -Dstyle.color=never dependency:build-classpath -pl common -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/common/target/bench-classpath.txt" >/dev/null
cp="common/target/test-classes:common/target/classes:$(cat common/target/bench-classpath.txt)"
echo "$(nproc) cores, $(java -version 2>&1 | head -n 1), $("$(java -Xmx64m -cp "$cp" feedsearch.bench.RedisBench binary)" --version), $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
echo "command: scripts/bench-redis.sh $plan; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
java -Xmx1500m -XX:+UseParallelGC \
  -Dbench.writers="${BENCH_WRITERS:-4}" -Dbench.batch="${BENCH_BATCH:-200}" \
  -Dbench.queries="${BENCH_QUERIES:-300}" -Dbench.recallQueries="${BENCH_RECALL_QUERIES:-200}" \
  -Dbench.replicas="${BENCH_REPLICAS:-0}" -Dbench.repeats="${BENCH_REPEATS:-2}" \
  -Dbench.options="${BENCH_OPTIONS:-Q8 EF 100 M 16}" \
  -cp "$cp" feedsearch.bench.RedisBench "$plan"
echo "total $(( $(date +%s) - start )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
