#!/usr/bin/env bash
# Makes sure the Docker engine of a test leg answers on the default socket, for the tests, the demo and the
# benchmarks, with the compose CLI that goes with it:
#   modern (default)  dockerd 26.1 (API 1.45) + the compose v2 plugin, extracted from Debian trixie's packages
#                     into a cache folder (never installed: trixie's libc must not replace the system's)
#   legacy            Debian 12's docker.io 20.10 (API 1.41) + docker-compose v1.29, installed with apt
# Usage: tools/test-engine.sh [--leg modern|legacy] [--restart]     (or STINGOPS_ENGINE_LEG)
#
# Idempotent: an engine of the wanted leg that answers is reused. One of the other leg that this script
# started is stopped (by the pid it recorded) and the wanted one started; one it did not start is left alone
# and the script fails, naming it. Both legs run with flags that keep them off the network: vfs storage
# (works in any sandbox), no default bridge, no iptables rules; each leg keeps its own data root.
# --restart (the engine-restart fault of the soak and the tests): stops the dockerd this script started and
# starts it again the same way. Refuses when the engine is not one it started.
set -euo pipefail

leg=${STINGOPS_ENGINE_LEG:-modern}
restart=0
while [ $# -gt 0 ]; do
  case "$1" in
    --leg) leg=${2:-}; shift 2 ;;
    --restart) restart=1; shift ;;
    *) echo "test-engine: unknown argument '$1' (use --leg modern|legacy, --restart)" >&2; exit 2 ;;
  esac
done
case "$leg" in modern|legacy) ;; *) echo "test-engine: unknown leg '$leg' (modern or legacy)" >&2; exit 2 ;; esac

cache=${STINGOPS_ENGINE_CACHE:-/var/cache/stingops-engine}
log_file=${STINGOPS_DOCKERD_LOG:-/var/log/stingops-dockerd.log}
wait_seconds=${STINGOPS_DOCKERD_WAIT:-90}
pid_file=/var/run/stingops-dockerd.pid
leg_file=/var/run/stingops-dockerd.leg
plugin_dir=/usr/local/lib/docker/cli-plugins

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }
engine_version() { timeout 10 docker version --format '{{.Server.Version}}' 2>/dev/null || true; }
wanted_version() { if [ "$leg" = modern ]; then echo '26.1.'; else echo '20.10.'; fi; }
our_pid() {
  local pid; pid=$(cat "$pid_file" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "dockerd" ]; then echo "$pid"; fi
}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-engine: $1, and this is not root." >&2
    echo "  Start a Docker engine of the $leg leg yourself (or run as root on Debian so this script can)." >&2
    exit 2
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-engine: $1, and apt-get is missing (Debian expected)." >&2
    exit 2
  fi
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "test-engine: installing ${missing[*]} (apt)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The modern leg's packages, fetched once from trixie into the cache and extracted there.
prepare_modern() {
  local root=$cache/root
  # docker-init (for init: true) is a link to tini-static, which comes from trixie's tini package.
  if [ ! -x "$root/usr/sbin/dockerd" ] || [ ! -x "$root/usr/libexec/docker/cli-plugins/docker-compose" ] || [ ! -x "$root/usr/bin/docker" ] ||
    [ ! -x "$root/usr/bin/docker-init" ]; then
    need_root "the trixie engine packages are not in $cache yet"
    echo "test-engine: fetching dockerd 26.1, containerd, tini, the docker CLI and compose v2 from Debian trixie into $cache..."
    mkdir -p "$cache/lists/partial" "$cache/debs" "$root"
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || { echo "test-engine: cannot tell the system's Debian archive." >&2; exit 1; }
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$cache/sources.list"
    local A=(-o "Dir::Etc::sourcelist=$cache/sources.list" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$cache/lists")
    apt-get "${A[@]}" update -qq >/dev/null
    (cd "$cache/debs" && apt-get "${A[@]}" download docker.io docker-cli containerd docker-compose tini 2>&1 | grep -v "unsandboxed as root" >&2 || true)
    for d in "$cache"/debs/*.deb; do [ -f "$d" ] && dpkg -x "$d" "$root"; done
    if [ ! -x "$root/usr/sbin/dockerd" ] || [ ! -x "$root/usr/bin/docker" ] || [ ! -x "$root/usr/libexec/docker/cli-plugins/docker-compose" ] ||
      [ ! -x "$root/usr/bin/docker-init" ]; then
      echo "test-engine: the trixie packages did not arrive in $cache/debs (see above)." >&2
      exit 1
    fi
  fi
  # bookworm's own runc (trixie's needs a newer libc), busybox for the fixture images.
  command -v runc >/dev/null 2>&1 && [ -x /bin/busybox ] || { need_root "runc or busybox-static is missing"; apt_install runc busybox-static; }
  # A docker CLI where none is (a current one, if present, talks to both legs' engines).
  command -v docker >/dev/null 2>&1 || ln -sf "$root/usr/bin/docker" /usr/local/bin/docker
  if ! cmp -s "$root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose" 2>/dev/null; then
    mkdir -p "$plugin_dir" && cp "$root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
  fi
}

prepare_legacy() {
  if [ ! -x /usr/sbin/dockerd ] || ! command -v docker-compose >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
    need_root "Debian's docker.io / docker-compose are not installed"
    apt_install docker.io docker-compose busybox-static
  fi
}

start_dockerd() {
  # A socket or pid file left by an engine that died would make dockerd refuse to start.
  if [ -S /var/run/docker.sock ] && ! engine_answers; then rm -f /var/run/docker.sock; fi
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
  local dockerd=/usr/sbin/dockerd data_root=/var/lib/docker path=$PATH
  if [ "$leg" = modern ]; then
    # Its own containerd, shims and docker-init come first on its PATH; runc is the system's.
    dockerd=$cache/root/usr/sbin/dockerd data_root=/var/lib/stingops-engine-modern path=$cache/root/usr/bin:$cache/root/usr/sbin:$PATH
  fi
  echo "test-engine: starting the $leg engine ($dockerd, data root $data_root, log: $log_file)..."
  (
    # The daemon outlives this script: it must not keep open what the caller's descriptors hold (a flock).
    for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    PATH=$path exec nohup "$dockerd" --storage-driver=vfs --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
      --data-root "$data_root" >>"$log_file" 2>&1 </dev/null
  ) &
  echo $! >"$pid_file"
  echo "$leg" >"$leg_file"
  for _ in $(seq 1 "$wait_seconds"); do
    if engine_answers; then
      echo "test-engine: engine is up ($(docker version --format '{{.Server.Version}} API {{.Server.APIVersion}}'))."
      return 0
    fi
    sleep 1
  done
  echo "test-engine: dockerd did not answer within ${wait_seconds}s; last log lines:" >&2
  tail -n 20 "$log_file" >&2 || true
  return 1
}

stop_ours() {
  local pid=$1
  echo "test-engine: stopping dockerd (pid $pid)..."
  kill -TERM "$pid"
  for _ in $(seq 1 "$wait_seconds"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  echo "test-engine: dockerd (pid $pid) did not exit within ${wait_seconds}s." >&2
  return 1
}

if [ "$restart" = 1 ]; then
  pid=$(our_pid)
  if [ -z "$pid" ]; then
    echo "test-engine: --restart: no dockerd started by this script runs ($pid_file)." >&2
    exit 2
  fi
  leg=$(cat "$leg_file" 2>/dev/null || echo "$leg")
  stop_ours "$pid"
  start_dockerd
  exit $?
fi

if [ "$leg" = modern ]; then prepare_modern; else prepare_legacy; fi

if command -v docker >/dev/null 2>&1 && engine_answers; then
  version=$(engine_version)
  case "$version" in
    "$(wanted_version)"*) echo "test-engine: a $leg engine answers ($version); reusing it."; exit 0 ;;
  esac
  pid=$(our_pid)
  if [ -z "$pid" ]; then
    echo "test-engine: an engine $version answers that this script did not start; the $leg leg needs $(wanted_version)x." >&2
    echo "  Stop it, or run the other leg (--leg / STINGOPS_ENGINE_LEG)." >&2
    exit 2
  fi
  stop_ours "$pid"
fi
start_dockerd
