# Sourced by the benchmarks: serves a corpus from ../shared/corpora on loopback.
#   serve_corpus CORPUS_DIR WORK_DIR   sets $corpus_feed (the feed's URL on this server) and
#                                      $corpus_server (the server's pid: kill it on exit)
# The corpus's pages are linked into WORK_DIR/site as they are; the feed is copied with its
# origin rewritten to this server, so every post's page is fetched from loopback.
serve_corpus() {
  local corpus=$1 work=$2 port feedfile origin entry
  [ -d "$corpus/site" ] || { echo "bench: no corpus at $corpus" >&2; return 2; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  feedfile=$(cd "$corpus/site" && find . -path '*feeds/*' -name '*.xml' | sort | head -n 1)
  origin=$(grep -m 1 -o 'href="http[^"]*' "$corpus/site/$feedfile" | head -n 1 | sed -E 's#href="(https?://[^/]+).*#\1#')
  mkdir -p "$work/site/$(dirname "$feedfile")"
  for entry in "$corpus"/site/*; do [ "$(basename "$entry")" = feeds ] || ln -s "$entry" "$work/site/"; done
  sed "s#$origin#http://127.0.0.1:$port#g" "$corpus/site/$feedfile" > "$work/site/$feedfile"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
  corpus_server=$!
  corpus_feed="http://127.0.0.1:$port/${feedfile#./}"
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('$corpus_feed')" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: the corpus server did not start" >&2
  return 1
}
