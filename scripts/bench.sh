#!/usr/bin/env bash
# Start-up benchmark of the two commands as bin/ launchers run them (issue 10):
#   P1  query, cold, on the local store with the sample feed ingested   target: median <= 0.6 s wall, <= 1.2 s CPU
#   P3  ingest over an unchanged feed that its server answers 304       target: median <= 0.4 s wall
# each the median of 7 runs, beside a JVM hello-world run the same number of times in the same
# invocation (what any Java command costs on this machine, now). CPU is user + system time.
#
#   scripts/bench.sh [RUNS]      (default 7)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v python3 >/dev/null || { echo "bench: python3 serves the feed" >&2; exit 2; }

work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# Builds the jars (and the start-up archives) if they are missing or stale, as a user's first run would.
"$root/bin/query" --version >/dev/null

# the baseline: the smallest Java program, compiled here
mkdir -p "$work/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$work/hello/Hello.java"
"${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$work/hello" "$work/hello/Hello.java" 2>/dev/null && baseline=("$java" -cp "$work/hello" Hello) \
  || baseline=("$java" -version)

# the sample feed on loopback; python's server answers If-Modified-Since with 304
mkdir -p "$work/site"
cp "$root/samples/feed.xml" "$work/site/feed.xml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
server=$!
feed="http://127.0.0.1:$port/feed.xml"
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('$feed')" 2>/dev/null && break; sleep 0.1; done
store="$work/store"
"$root/bin/ingest" --feed "$feed" --store-path "$store" --quiet
"$root/bin/ingest" --feed "$feed" --store-path "$store" 2>&1 | grep -q "not modified" \
  || { echo "bench: the second ingest was not answered 304" >&2; exit 1; }

# median wall and CPU seconds of RUNS runs of a command
measure() {
  local times="$work/times" i
  : > "$times"
  for i in $(seq "$runs"); do
    { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>> "$times"
  done
  awk '{ print $1, $2 + $3 }' "$times" | sort -n | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] }'
  printf ' '
  awk '{ print $2 + $3 }' "$times" | sort -n | awk '{ c[NR] = $1 } END { printf "%.2f", c[int((NR + 1) / 2)] }'
}

read -r bw bc <<< "$(measure "${baseline[@]}")"
read -r qw qc <<< "$(measure "$root/bin/query" --store-path "$store" "how do I build a bot")"
read -r iw ic <<< "$(measure "$root/bin/ingest" --feed "$feed" --store-path "$store" --quiet)"
read -r aw ac <<< "$(measure "${baseline[@]}")"

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "met" : "NOT met") }'; }
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $("$java" -version 2>&1 | head -n 1), median of $runs runs"
printf '%-44s %8s %8s   %s\n' "" "wall" "CPU" "target"
printf '%-44s %7ss %7ss\n' "baseline: JVM hello world (before)" "$bw" "$bc"
printf '%-44s %7ss %7ss   wall <= 0.6 s: %s, CPU <= 1.2 s: %s\n' "P1 query, cold, local store + local model" "$qw" "$qc" \
  "$(verdict "$qw" 0.6)" "$(verdict "$qc" 1.2)"
printf '%-44s %7ss %7ss   wall <= 0.4 s: %s\n' "P3 ingest, unchanged feed answered 304" "$iw" "$ic" "$(verdict "$iw" 0.4)"
printf '%-44s %7ss %7ss\n' "baseline: JVM hello world (after)" "$aw" "$ac"
