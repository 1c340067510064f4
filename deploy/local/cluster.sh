#!/usr/bin/env bash
# A local three-node registry cluster on 127.0.0.1.
#   deploy/local/cluster.sh up       start n1-n3 (restarts them on their data if it exists), wait for a leader
#   deploy/local/cluster.sh down     stop them (data is kept; `up` brings the same cluster back)
#   deploy/local/cluster.sh status   which nodes run, who leads, applied indices
#   deploy/local/cluster.sh clean    stop them and delete their data
# Environment: REGISTRY_CLUSTER_DIR (data and logs, default .cluster in the checkout),
#              HTTP_BASE (default 7701), RAFT_BASE (default 7801), NODES (default 3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${REGISTRY_CLUSTER_DIR:-$ROOT/.cluster}"
HTTP_BASE="${HTTP_BASE:-7701}"
RAFT_BASE="${RAFT_BASE:-7801}"
NODES="${NODES:-3}"
JAR="$ROOT/registry-node/target/registry-node.jar"
START_TIMEOUT_SECONDS=60

peers() {
  local list="" i
  for i in $(seq 1 "$NODES"); do
    list+="${list:+,}n$i=127.0.0.1:$((RAFT_BASE + i - 1)):$((HTTP_BASE + i - 1))"
  done
  echo "$list"
}

alive() { [ -f "$DIR/n$1.pid" ] && kill -0 "$(cat "$DIR/n$1.pid")" 2>/dev/null; }

http() { curl -s --max-time 2 "http://127.0.0.1:$((HTTP_BASE + $1 - 1))$2" 2>/dev/null || true; }

up() {
  if [ ! -f "$JAR" ]; then
    echo "building registry-node (first run) ..."
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package -pl registry-node -am)
  fi
  mkdir -p "$DIR"
  local i
  for i in $(seq 1 "$NODES"); do
    if alive "$i"; then
      echo "n$i already running (pid $(cat "$DIR/n$i.pid"))"
      continue
    fi
    REGISTRY_ID="n$i" REGISTRY_PEERS="$(peers)" REGISTRY_DATA_DIR="$DIR/n$i" REGISTRY_BIND=127.0.0.1 \
      nohup "$ROOT/bin/registry-node" >>"$DIR/n$i.log" 2>&1 &
    echo $! >"$DIR/n$i.pid"
  done
  echo -n "waiting for a leader "
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) ready
  while :; do
    ready=0
    for i in $(seq 1 "$NODES"); do
      if ! alive "$i"; then
        echo; echo "n$i exited; last lines of $DIR/n$i.log:" >&2; tail -n 20 "$DIR/n$i.log" >&2; exit 1
      fi
      case "$(http "$i" /v1/health)" in *'"ready":true'*) ready=$((ready + 1)) ;; esac
    done
    [ "$ready" -eq "$NODES" ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo; echo "no ready leader after ${START_TIMEOUT_SECONDS}s; logs are in $DIR" >&2; exit 1
    fi
    echo -n "."; sleep 0.5
  done
  echo " ok"
  status
  echo
  echo "try:  curl -X PUT localhost:$((HTTP_BASE + 1))/v1/services/web/instances/web-1 -d '{\"address\":\"10.0.0.5\",\"port\":8080}'"
  echo "      curl localhost:$((HTTP_BASE + 2))/v1/services/web/instances"
}

down() {
  local i pid
  for i in $(seq 1 "$NODES"); do
    if alive "$i"; then
      pid="$(cat "$DIR/n$i.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      echo "n$i stopped"
    fi
    rm -f "$DIR/n$i.pid"
  done
}

status() {
  local i leader applied
  printf '%-4s %-8s %-18s %-18s %-8s %-8s %s\n' NODE STATE HTTP RAFT PID LEADER APPLIED
  for i in $(seq 1 "$NODES"); do
    local state=stopped pid=- body
    if alive "$i"; then state=running; pid="$(cat "$DIR/n$i.pid")"; fi
    body="$(http "$i" /v1/health)"
    leader="$(sed -n 's/.*"leader":"\([^"]*\)".*/\1/p' <<<"$body")"
    applied="$(sed -n 's/.*"appliedIndex":\([0-9]*\).*/\1/p' <<<"$body")"
    printf '%-4s %-8s %-18s %-18s %-8s %-8s %s\n' "n$i" "$state" "127.0.0.1:$((HTTP_BASE + i - 1))" \
      "127.0.0.1:$((RAFT_BASE + i - 1))" "$pid" "${leader:--}" "${applied:--}"
  done
  echo "data and logs: $DIR"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  clean) down; rm -rf "$DIR"; echo "removed $DIR" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
