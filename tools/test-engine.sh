#!/usr/bin/env bash
# Makes sure a Docker engine answers, for the tests, the demo and the benchmarks.
# Idempotent: an engine that already answers is reused. Otherwise, as root on Debian, installs
# Debian's engine and starts it with flags that keep it off the network: vfs storage (works in any
# sandbox), no default bridge, no iptables rules. Fixtures use network_mode: host on 127.0.0.1.
#
# --restart (the soak's engine fault): stops the dockerd this script started, by the pid it recorded,
# waits for it to exit and starts it again the same way. Refuses when the engine is not one it started.
set -euo pipefail

log_file=${STINGOPS_DOCKERD_LOG:-/var/log/stingops-dockerd.log}
wait_seconds=${STINGOPS_DOCKERD_WAIT:-90}
pid_file=/var/run/stingops-dockerd.pid

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

start_dockerd() {
  # A socket left by an engine that died would make dockerd refuse to start.
  if [ -S /var/run/docker.sock ] && ! engine_answers; then rm -f /var/run/docker.sock; fi
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi

  echo "test-engine: starting dockerd (log: $log_file)..."
  nohup dockerd --storage-driver=vfs --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
    >>"$log_file" 2>&1 </dev/null &
  echo $! > "$pid_file"

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

if [ "${1:-}" = "--restart" ]; then
  pid=$(cat "$pid_file" 2>/dev/null || true)
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "dockerd" ]; then
    echo "test-engine: --restart: no dockerd started by this script runs ($pid_file: ${pid:-missing})." >&2
    exit 2
  fi
  echo "test-engine: stopping dockerd (pid $pid)..."
  kill -TERM "$pid"
  for _ in $(seq 1 "$wait_seconds"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then echo "test-engine: dockerd (pid $pid) did not exit within ${wait_seconds}s." >&2; exit 1; fi
  start_dockerd
  exit $?
fi

if command -v docker >/dev/null 2>&1 && engine_answers; then
  echo "test-engine: a Docker engine answers; reusing it."
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "test-engine: no Docker engine answers and this is not root." >&2
  echo "  Start a Docker engine yourself (or run as root on Debian so this script can install one)." >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-engine: no Docker engine answers and apt-get is missing (Debian expected)." >&2
  echo "  Install and start a Docker engine, then run again." >&2
  exit 2
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-engine: installing ${missing[*]} (apt)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

start_dockerd
