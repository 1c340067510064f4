#!/usr/bin/env bash
# Makes a Docker engine and the node's base image available on a fresh Debian 12 machine (as root),
# reaching only Debian's package registry. Idempotent: each step is skipped when already done.
#   bash .ci/docker-setup.sh
# Environment: DOCKERD_LOG (default /var/log/dockerd.log), DOCKER_WAIT_SECONDS (default 60),
#              BASE_IMAGE (default registry-base:17).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
BASE_IMAGE="${BASE_IMAGE:-registry-base:17}"

log() { echo "[docker-setup] $*"; }
need_root() { [[ "$(id -u)" == 0 ]] || { echo "[docker-setup] must run as root to $1" >&2; exit 1; }; }

packages=()
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
[[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1 || packages+=(busybox-static)
command -v nsenter >/dev/null 2>&1 || packages+=(util-linux)
command -v iptables >/dev/null 2>&1 || packages+=(iptables)
JDK_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
[[ -f "$JDK_HOME/jmods/java.base.jmod" ]] || packages+=(openjdk-17-jmods)
if ((${#packages[@]})); then
  need_root "install ${packages[*]}"
  log "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    need_root "start dockerd"
    log "starting dockerd (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    # containerd is started by dockerd itself when it is not running already.
    nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
  until docker info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "[docker-setup] dockerd not ready after ${DOCKER_WAIT_SECONDS}s; last log lines:" >&2
      tail -n 30 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
fi
log "docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) ready"

bash "$ROOT/deploy/base-image/build.sh" "$BASE_IMAGE"
