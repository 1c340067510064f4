#!/usr/bin/env bash
# Builds the node's base image without pulling from any registry: a jlinked Java 17 runtime, the shared
# libraries it links against, a static busybox for a shell, and just enough of /etc, imported as one layer.
#
#   deploy/base-image/build.sh [IMAGE]          (default registry-base:17)
#
# Environment: JAVA_HOME (a JDK 17 with jmods; default: the one `javac` belongs to),
#              JLINK_MODULES (comma-separated; default below), FORCE=1 to rebuild an existing image.
set -euo pipefail

IMAGE="${1:-registry-base:17}"
MODULES="${JLINK_MODULES:-java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.instrument,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.jcmd}"
APP_UID=10001

log() { echo "[base-image] $*"; }

if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already present (FORCE=1 rebuilds)"
  exit 0
fi

if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
JLINK="$JAVA_HOME/bin/jlink"
[[ -x "$JLINK" ]] || { echo "no jlink at $JLINK; set JAVA_HOME to a JDK 17" >&2; exit 1; }
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"17\.' || { echo "$JAVA_HOME is not a JDK 17" >&2; exit 1; }
[[ -f "$JAVA_HOME/jmods/java.base.jmod" ]] || { echo "no jmods under $JAVA_HOME (Debian: apt-get install openjdk-17-jmods)" >&2; exit 1; }
BUSYBOX=/bin/busybox   # Debian's busybox-static installs here
if [[ ! -x "$BUSYBOX" ]] || ldd "$BUSYBOX" >/dev/null 2>&1; then   # ldd fails on a static binary
  echo "no static busybox at $BUSYBOX (Debian: apt-get install busybox-static)" >&2; exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
mkdir -p "$ROOT"/{bin,etc,tmp,var/lib/registry,opt/registry,root}
chmod 1777 "$ROOT/tmp"

log "jlink $MODULES"
"$JLINK" --add-modules "$MODULES" --output "$ROOT/opt/java" \
  --strip-debug --no-man-pages --no-header-files --compress=2

log "shared libraries named by ldd"
find "$ROOT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null \
  | awk '/^\t/ && /=> \// {print $3} /^\t\// {print $1}' | sort -u | grep -v "^$ROOT/" \
  | while read -r lib; do cp -L --parents "$lib" "$ROOT"; done
# The dynamic loader, wherever the libraries above expect it.
for ld in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
  [[ -e "$ld" ]] && cp -L --parents "$ld" "$ROOT"
done

log "busybox"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$ROOT/bin/busybox" --list); do
  [[ -e "$ROOT/bin/$applet" ]] || ln -s busybox "$ROOT/bin/$applet"
done
ln -s /opt/java/bin/java "$ROOT/bin/java"
mkdir -p "$ROOT/usr"; ln -s /bin "$ROOT/usr/bin"

cat > "$ROOT/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
registry:x:${APP_UID}:${APP_UID}:registry:/var/lib/registry:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$ROOT/etc/group" <<GROUP
root:x:0:
registry:x:${APP_UID}:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' > "$ROOT/etc/nsswitch.conf"
chown -R "$APP_UID:$APP_UID" "$ROOT/var/lib/registry"

log "import $IMAGE"
tar --numeric-owner -C "$ROOT" -c . | docker import \
  -c 'ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'CMD ["/bin/sh"]' \
  - "$IMAGE" >/dev/null
docker run --rm "$IMAGE" java -version 2>&1 | sed 's/^/[base-image] /'
log "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)"
