#!/usr/bin/env bash
# A bounded load run against a server on this machine (loopback only): wrk for
# DURATION seconds per endpoint, reporting requests a second and latency percentiles.
#   scripts/loadrun.sh [BASE_URL]   (default http://127.0.0.1:8000)
set -euo pipefail
base=${1:-http://127.0.0.1:8000}
case "$base" in
    http://127.*|http://localhost*|http://\[::1\]*) ;;
    *) echo "Refusing $base: load runs go to this machine's loopback only." >&2; exit 2 ;;
esac
duration=${DURATION:-20}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

measure=$(curl -sf "$base/api/measures/?page_size=500" | .venv/bin/python -c '
import json, sys
rows = json.load(sys.stdin)["results"]
sizes = {m["id"]: int(m["description"]) for m in rows if m["description"].isdigit()}
best = {"id": min(sizes, key=lambda i: abs(sizes[i] - 1000))} if sizes else rows[0]
print(best["id"])')

for path in "/api/claims/?page_size=50" "/api/measures/$measure/comparison/"; do
    echo "== $path ($duration s, $connections connections, $threads threads)"
    wrk --latency -t "$threads" -c "$connections" -d "${duration}s" --timeout 10s "$base$path" \
        | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|requests in"
done
