#!/usr/bin/env bash
# Query throughput of 'query --batch': ingests the sample feed (samples/feed.xml) into a temporary
# local store, then answers 500 questions (50 varied ones, cycled) in one JVM and 1 question in
# another; the difference of their wall times, over 499 questions, is the rate after start-up
# (JVM, model and index loading subtracted). Each run is repeated and the medians are used. The
# CPU time per question (user + system, all threads) is printed too: on a shared machine other
# processes slow the wall clock down, much less the CPU time.
#
#   scripts/bench-batch.sh [MODE ...]    (default: hybrid vector; target: 50 questions/s)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modes=("${@:-hybrid}")
[ $# -gt 0 ] || modes=(hybrid vector)
runs=${BENCH_RUNS:-3}
target=50
[ -f "$root/ingest-cli/target/ingest.jar" ] && [ -f "$root/query-cli/target/query.jar" ] \
  || (cd "$root" && mvn -B -q -DskipTests package)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="$work/index"
java -jar "$root/ingest-cli/target/ingest.jar" --feed "$root/samples/feed.xml" --store-path "$store" --quiet

cat > "$work/questions50.txt" <<'QUESTIONS'
how do I build a bot
my coworkers keep asking where the test server is
posting deploy notices to team chat automatically
sourdough starter
keeping wild yeast alive on the kitchen counter
how often should I feed a starter
why is my bread dense
bike puncture
what tools to carry for a puncture when cycling
fixing a flat tyre on the road
patching an inner tube
growing fruit in containers outside an apartment
balcony tomatoes
how much sun do tomato plants need
watering plants in pots in summer
what to expect from bees in the first winter
starting a beehive
do bees need feeding in autumn
how to avoid getting stung
seeing the Milky Way with the naked eye
stargazing without a telescope
best time of month to see stars
light pollution and dark adapted eyes
how should four developers merge their changes
git branching for a small team
trunk based development or feature branches
resolving merge conflicts
run three miles without stopping
training plan for a first 5k
couch to 5k for beginners
running shoes
why does my coffee taste sour
home espresso grind size
dialing in an espresso machine
what to do with vegetable peelings
composting kitchen scraps
why does my compost smell
controlling the centre of the board early
chess openings principles
is a rail pass worth it for Tokyo Osaka Kyoto
travelling Japan on a budget
bullet train tickets
error E1234 on startup
"quoted" words -minus @sign {braces}
kubernetes autoscaling
the history of the roman empire
cheap weekend hobbies
what should I read next
how to learn something new every month
QUESTIONS
for _ in $(seq 10); do cat "$work/questions50.txt"; done > "$work/questions500.txt"
head -n 1 "$work/questions50.txt" > "$work/questions1.txt"

timed() { # questions file, mode: "wall-ms cpu-ms" of one --batch run (its output checked)
  /usr/bin/time -f "%e %U %S" -o "$work/time" \
    java -jar "$root/query-cli/target/query.jar" --store-path "$store" --mode "$2" --batch "$1" > "$work/out"
  [ "$(wc -l < "$work/out")" -eq "$(grep -cv '^\s*\(#\|$\)' "$1")" ] || { echo "bench: wrong line count" >&2; exit 1; }
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "query --batch on samples/feed.xml ($(grep -c '<item>' "$root/samples/feed.xml") posts), $(nproc) cores, median of $runs runs"
echo "load average before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '%-8s %11s %14s %12s %8s %12s\n' mode "1 question" "500 questions" "ms/question" "CPU ms" "questions/s"
for mode in "${modes[@]}"; do
  for _ in $(seq "$runs"); do timed "$work/questions1.txt" "$mode"; done > "$work/one"
  for _ in $(seq "$runs"); do timed "$work/questions500.txt" "$mode"; done > "$work/many"
  one=$(cut -d ' ' -f 1 "$work/one" | median); one_cpu=$(cut -d ' ' -f 2 "$work/one" | median)
  many=$(cut -d ' ' -f 1 "$work/many" | median); many_cpu=$(cut -d ' ' -f 2 "$work/many" | median)
  awk -v m="$mode" -v one="$one" -v many="$many" -v cpu="$(( many_cpu - one_cpu ))" -v t="$target" 'BEGIN {
    per = (many - one) / 499; rate = 1000 / per
    verdict = (rate >= t) ? "target " t "/s met" : "target " t "/s NOT met"
    printf "%-8s %10.2fs %13.2fs %12.1f %8.1f %12.0f  %s\n", m, one / 1000, many / 1000, per, cpu / 499, rate, verdict }'
done
echo "load average after:  $(cut -d ' ' -f 1-3 /proc/loadavg)"
