#!/bin/sh
# The baseline: a plain loop that reads the batch every 10 seconds until it is complete.
# Usage: RETELL_API_KEY=... bench/fixed-poll.sh BASE_URL BATCH_JOB_ID
set -u
url="$1/get-batch-test/$2"
while :; do
  if curl -sS --max-time 60 -H "Authorization: Bearer $RETELL_API_KEY" "$url" | grep -q '"status": *"complete"'; then
    exit 0
  fi
  sleep 10
done
