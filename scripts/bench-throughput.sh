#!/usr/bin/env bash
# Ingest throughput and memory (issue 10).
#
# P2: serves the shared 66-post blog (summary-only Atom feed: every page fetched from loopback
# and extracted) and runs a cold ingest with the launcher (bin/ingest: its JVM flags and heap)
# into a new store; then embeds the SAME passages, read back from that store as the pipeline
# embedded them (title + "\n\n" + passage), with the local model alone, in full calls of up to
# 64 passages that never split a post, one call at a time (as EmbeddingBatcher sends them while
# the model is busy), in a JVM with the launcher's flags; the model's load is not timed. BENCH_ROUNDS rounds (default 5) of the
# two, alternated, so that both sides of a ratio ran at nearly the same moment of a shared
# machine; the medians of the rounds' ratios are set beside the 0.9x target.
# "ingest, start-up excluded" subtracts an unchanged-feed (304) run of the launcher: JVM start,
# store open and the feed request, which the model-alone side does not time either. (The model
# loads while the feed and the first pages are read, so its load is not subtracted.)
#
# Memory: ingests generated full-content feeds (local files, no fetches) of 200 and 2,000 posts
# with the launcher and prints peak RSS (/usr/bin/time %M) beside the 600 MB target.
#
#   scripts/bench-throughput.sh [WORDS_PER_POST]   (memory feeds; default 200: ~2 passages a post)
#   BENCH_SKIP_MEMORY=1 / BENCH_SKIP_P2=1 skip a part.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpora/jakevdp-pelican"
words="${1:-200}"
cd "$root"
[ -d "$corpus/site" ] || { echo "bench: no corpus at $corpus" >&2; exit 2; }
# Build now when the jar is missing or older than the sources, so no timed launcher run rebuilds.
. "$root/bin/.launch"
if feedsearch_stale "$root/ingest-cli/target/ingest.jar"; then mvn -B -o -q -Dstyle.color=never package -DskipTests >&2; fi
mvn -B -o -q -Dstyle.color=never test-compile -pl common >&2
mvn -B -o -q -Dstyle.color=never dependency:build-classpath -pl common -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/common/target/bench-classpath.txt" >/dev/null
cp="common/target/test-classes:common/target/classes:$(cat common/target/bench-classpath.txt)"
t=ingest-cli/target
ort="$t/onnxruntime/linux-$(case "$(uname -m)" in aarch64|arm64) echo aarch64;; *) echo x64;; esac)"
# The launcher's flags for the model-alone JVM too (bin/.launch), so both sides run alike.
jflags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx1g "-Donnxruntime.native.path=$ort" "-Dfeedsearch.model.dir=$t/model")

work=$(mktemp -d)
server=""
. "$root/scripts/serve-corpus.sh"
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "$(nproc) cores, $(java -version 2>&1 | head -n 1), $(date -u '+%Y-%m-%d %H:%M UTC')"

if [ -z "${BENCH_SKIP_P2:-}" ]; then
  serve_corpus "$corpus" "$work"
  server=$corpus_server
  feed=$corpus_feed
  rounds=${BENCH_ROUNDS:-5}

  echo "P2: $(basename "$corpus"), $(grep -c '<entry>' "$corpus/site/feeds/all.atom.xml") posts, pages fetched from loopback; $rounds rounds, each a cold ingest then the model alone"
  l0=$(load)
  for r in $(seq "$rounds"); do
    rm -rf "$work/blog"
    /usr/bin/time -f "%e %U %S %M" -o "$work/ingest-$r" bin/ingest --feed "$feed" --store-path "$work/blog" --max-page-size 16 >"$work/out1" 2>"$work/err1" \
      || { cat "$work/err1" >&2; exit 1; }
    /usr/bin/time -f "%U %S" -o "$work/modelcpu-$r" java "${jflags[@]}" -cp "$cp" feedsearch.bench.ThroughputBench model "$work/blog" > "$work/model-$r"
    grep -o '[0-9]* added' "$work/out1" | head -n 1 > "$work/added-$r" || true
  done
  /usr/bin/time -f "%e %U %S %M" -o "$work/t304" bin/ingest --feed "$feed" --store-path "$work/blog" --quiet >/dev/null 2>&1
  l1=$(load)
  python3 - "$work" "$rounds" "$l0" "$l1" <<'PY'
import statistics, sys
work, rounds, l0, l1 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def words(name):
    return open("%s/%s" % (work, name)).read().split()
w304 = float(words("t304")[0])
print("load average before: %s" % l0)
whole, net = [], []
for r in range(1, rounds + 1):
    wall, user, sys_, rss = map(float, words("ingest-%d" % r))
    _, p, b, mwall, mload = words("model-%d" % r)
    p, b, mwall, mload = int(p), int(b), float(mwall), float(mload)
    mcpu = sum(map(float, words("modelcpu-%d" % r)))
    added = open("%s/added-%d" % (work, r)).read().strip()
    net_wall = wall - w304
    model = p / mwall
    whole.append((p / wall) / model)
    net.append((p / net_wall) / model)
    print("round %d" % r)
    print("  %-42s %5d passages %7.2f s %7.1f passages/s   (%s, CPU %.1f s, peak RSS %d MiB)" % ("ingest, cold, whole run (bin/ingest)", p, wall, p / wall, added, user + sys_, rss / 1024))
    print("  %-42s %5d passages %7.2f s %7.1f passages/s   (minus the 304 run, %.2f s)" % ("ingest, start-up excluded", p, net_wall, p / net_wall, w304))
    print("  %-42s %5d passages %7.2f s %7.1f passages/s   (%d calls of <= 64; load %.2f s, not timed; JVM CPU %.1f s)" % ("model alone, same passages", p, mwall, model, b, mload, mcpu))
    print("  ratio ingest/model: whole run %.2fx, start-up excluded %.2fx; CPU of the ingest minus the model's JVM: %.1f s" % (whole[-1], net[-1], user + sys_ - mcpu))
for label, rs in (("whole run", whole), ("start-up excluded", net)):
    m = statistics.median(rs)
    print("median ratio ingest/model, %-18s %5.2fx   target >= 0.9x: %s   (rounds: %s)" % (label, m, "met" if m >= 0.9 else "NOT met", ", ".join("%.2f" % x for x in rs)))
print("load average after:  %s" % l1)
PY
fi

if [ -z "${BENCH_SKIP_MEMORY:-}" ]; then
  echo "memory: generated full-content feeds of ~$words words a post (local files, no fetches), bin/ingest (-Xmx1g)"
  for posts in 200 2000; do
    java -cp "$cp" feedsearch.bench.ThroughputBench feed "$work/feed-$posts.xml" "$posts" "$words"
    l0=$(load)
    /usr/bin/time -f "%e %M" -o "$work/tm" bin/ingest --feed "$work/feed-$posts.xml" --store-path "$work/gen-$posts" --quiet >"$work/outm" 2>"$work/errm" \
      || { cat "$work/errm" >&2; exit 1; }
    read -r secs kb < "$work/tm"
    passages=$(bin/ingest status --store-path "$work/gen-$posts" 2>/dev/null | awk '/^passages:/ {print $2 " passages"}')
    printf '%5d posts  %-18s %7.1f s  peak RSS %4d MiB   target <= 600 MB: %s   (load average %s -> %s)\n' \
      "$posts" "$passages" "$secs" $((kb / 1024)) "$([ "$kb" -le 585937 ] && echo met || echo NOT met)" "$l0" "$(load)"
    rm -rf "$work/gen-$posts" "$work/feed-$posts.xml"
  done
fi
