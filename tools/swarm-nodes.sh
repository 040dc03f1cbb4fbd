#!/usr/bin/env bash
# A multi-node Docker Swarm on this one machine, for the integration tests: one dockerd (the modern leg's
# engine 26.1, from the cache tools/test-engine.sh fills) per network namespace, the namespaces joined by
# veth pairs to a bridge that lives in a namespace of its own. Nothing of it touches the host's network:
# the addresses 10.77.0.<10+i>/24 exist only inside those namespaces.
#
# Usage: tools/swarm-nodes.sh up [--nodes N]       N nodes (default 3, at most 9); node1 is the only
#                                                  manager (it also runs tasks), the others join as workers
#        tools/swarm-nodes.sh down                 leave, stop the daemons by pid, delete namespaces, data
#        tools/swarm-nodes.sh status               each node's daemon, socket, swarm state; the node list
#        tools/swarm-nodes.sh load IMAGE...        docker save IMAGE (default engine) | docker load, every node
#        tools/swarm-nodes.sh stop-node I [--kill] stop node I's dockerd by its pid (TERM: it stops its
#                                                  containers; bounded wait, then KILL). --kill: KILL at once,
#                                                  its containers keep running (a daemon crash)
#        tools/swarm-nodes.sh start-node I         start it again the same way (same data root: it rejoins)
#        tools/swarm-nodes.sh sock I               print node I's docker host (unix://...)
#
# `up` ends with the line STINGOPS_SWARM_MANAGER=unix:///var/run/stingops-swarm/node1.sock (and one
# STINGOPS_SWARM_NODE<i>=... per node). Images named in STINGOPS_SWARM_IMAGES (space separated) are loaded
# by `up`. A cluster (or the remains of one) found by `up` is torn down first; `down` works after a partial
# `up` and is idempotent. Waits are bounded (STINGOPS_SWARM_WAIT seconds, default 90 each).
# Nodes share the host's name: they are labelled stingops.node=node<i> (docker node ls --filter
# node.label=stingops.node=node2); $STATE/node<i>.id holds each node's id.
set -euo pipefail

cache=${STINGOPS_ENGINE_CACHE:-/var/cache/stingops-engine}
state=/var/run/stingops-swarm
data=/var/lib/stingops-swarm
logs=/var/log/stingops-swarm
wait_seconds=${STINGOPS_SWARM_WAIT:-90}
ns_prefix=stingops-swarm-
br_ns=stingops-swarm-br
br_name=br0
subnet_prefix=10.77.0
root=$cache/root
dockerd_bin=$root/usr/sbin/dockerd
engine_path=$root/usr/bin:$root/usr/sbin:$PATH

say() { echo "swarm-nodes: $*"; }
die() { echo "swarm-nodes: $*" >&2; exit 1; }

addr() { echo "$subnet_prefix.$((10 + $1))"; }
ns() { echo "$ns_prefix$1"; }
sock() { echo "unix://$state/node$1.sock"; }
dk() { local i=$1; shift; timeout "${DK_TIMEOUT:-30}" docker -H "$(sock "$i")" "$@"; }
pid_of() {
  # The pid recorded at start, only while it still is a dockerd (a recycled pid is never signalled).
  local pid; pid=$(cat "$state/node$1.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then echo "$pid"; fi
}
node_count() {
  # Nodes of the cluster found: the count recorded by `up`, else whatever traces are left.
  local n=0 i
  if [ -f "$state/nodes" ]; then n=$(cat "$state/nodes"); fi
  for i in $(seq 1 9); do
    if [ -e "$state/node$i.pid" ] || [ -e "/var/run/netns/$(ns "$i")" ] || [ -d "$data/node$i" ] || [ -d "$state/node$i" ]; then
      [ "$i" -gt "$n" ] && n=$i
    fi
  done
  echo "$n"
}
log_tail() { say "last lines of $logs/node$1.log:" >&2; tail -n "${2:-25}" "$logs/node$1.log" >&2 2>/dev/null || true; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, dockerd)."; }
need_engine() {
  [ -x "$dockerd_bin" ] || die "no dockerd in $root: run 'bash tools/test-engine.sh' once first (it fills the cache)."
  command -v docker >/dev/null 2>&1 || die "no docker CLI on PATH: run 'bash tools/test-engine.sh' once first."
  # A minimal Debian may lack iproute2 (ip); the rest is util-linux and coreutils.
  if ! command -v ip >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    say "installing iproute2 (apt)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 >/dev/null; }
  fi
  for t in ip nsenter findmnt timeout; do command -v "$t" >/dev/null 2>&1 || die "'$t' is missing."; done
}

# ---- network -----------------------------------------------------------------------------------------
net_up() {
  local n=$1 i
  ip netns add "$br_ns"
  ip -n "$br_ns" link set lo up
  ip -n "$br_ns" link add "$br_name" type bridge
  ip -n "$br_ns" link set "$br_name" up
  for i in $(seq 1 "$n"); do
    ip netns add "$(ns "$i")"
    ip -n "$(ns "$i")" link set lo up
    # Both ends are created inside the namespaces: no link ever appears in the host's namespace.
    ip -n "$br_ns" link add "veth$i" type veth peer name eth0 netns "$(ns "$i")"
    ip -n "$br_ns" link set "veth$i" master "$br_name" up
    ip -n "$(ns "$i")" addr add "$(addr "$i")/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
  done
  # A quick check that the bridge forwards (busybox-static, which test-engine.sh installs, has ping).
  if [ -x /bin/busybox ]; then
    for i in $(seq 2 "$n"); do
      nsenter "--net=/var/run/netns/$(ns "$i")" /bin/busybox ping -c 1 -W 5 "$(addr 1)" >/dev/null 2>&1 ||
        die "node$i cannot reach node1 at $(addr 1) through the bridge."
    done
  fi
}

net_down() {
  local i
  for i in $(seq 1 9); do
    if [ -e "/var/run/netns/$(ns "$i")" ]; then ip netns delete "$(ns "$i")" || say "could not delete namespace $(ns "$i")" >&2; fi
  done
  if [ -e "/var/run/netns/$br_ns" ]; then ip netns delete "$br_ns" || say "could not delete namespace $br_ns" >&2; fi
  # Nothing of ours is created in the host's namespace; remove any link of ours a crash could have left.
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^stingops-' || true); do
    ip link delete "$l" 2>/dev/null || true
  done
}

# ---- daemons -----------------------------------------------------------------------------------------
start_daemon() {
  local i=$1 log=$logs/node$1.log
  mkdir -p "$state" "$data/node$i" "$logs"
  rm -f "$state/node$i.sock" "$state/node$i.dockerd.pid"
  echo "=== $(date -u '+%Y-%m-%dT%H:%M:%SZ') swarm-nodes: starting node$i" >>"$log"
  (
    # The daemon outlives this script: it must not keep open what the caller's descriptors hold (a flock).
    for fd in "/proc/$BASHPID/fd"/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    # nsenter --net, not `ip netns exec` (that remounts /sys and hides the cgroups). nsenter execs dockerd:
    # the pid recorded is dockerd's. Its own containerd lives under its exec root and data root.
    PATH=$engine_path exec nohup nsenter "--net=/var/run/netns/$(ns "$i")" "$dockerd_bin" \
      --storage-driver=vfs --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
      --data-root "$data/node$i" --exec-root "$state/node$i" --pidfile "$state/node$i.dockerd.pid" \
      -H "$(sock "$i")" >>"$log" 2>&1 </dev/null
  ) &
  echo $! >"$state/node$i.pid"
}

wait_daemon() {
  local i=$1 t
  for t in $(seq 1 "$wait_seconds"); do
    if DK_TIMEOUT=10 dk "$i" info >/dev/null 2>&1; then return 0; fi
    if [ -z "$(pid_of "$i")" ]; then say "node$i's dockerd exited during start." >&2; log_tail "$i"; return 1; fi
    sleep 1
  done
  say "node$i's dockerd did not answer on $(sock "$i") within ${wait_seconds}s." >&2
  log_tail "$i"
  return 1
}

wait_gone() {
  # Until pid $1 has exited, at most $2 seconds (tenths of a second for the first two).
  local pid=$1 t
  for t in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  for t in $(seq 3 "$2"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  ! kill -0 "$pid" 2>/dev/null
}

leftovers() {
  # Processes node I's dockerd started that outlived it: its containerd and shims, found by that node's
  # exec root on their command lines (no other process has it). Prints "pid comm" lines.
  local p c
  for p in $(grep -lsF -- "$state/node$1/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 || true); do
    [ "$p" = "$$" ] && continue
    c=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case "$c" in containerd|containerd-shim*) echo "$p $c" ;; esac
  done
}

end_leftovers() {
  # A shim's children are the containers' init processes (each ends its pid namespace when it dies):
  # those go first, then the shims and containerd, each by its pid.
  local i=$1 p c k
  while read -r p c; do
    [ -n "$p" ] || continue
    if [ "${c#containerd-shim}" != "$c" ]; then
      for k in $(cat /proc/"$p"/task/*/children 2>/dev/null || true); do
        say "ending a container process node$i's dockerd left (pid $k, $(cat "/proc/$k/comm" 2>/dev/null))"
        kill -KILL "$k" 2>/dev/null || true
      done
    fi
    say "ending node$i's leftover $c (pid $p)"
    kill -KILL "$p" 2>/dev/null || true
  done < <(leftovers "$i")
}

# stop_daemons [--kill] I...: TERM each node's dockerd (it stops its containers and its containerd), wait
# for all of them (bounded), KILL what is still there, then end what a killed daemon left behind.
# --kill: KILL the dockerd at once and leave its containerd, shims and containers running, as a daemon
# crash would (start-node then restarts it the same way; the new dockerd finds them).
stop_daemons() {
  local kill_now=0 i pid pids=() nodes=()
  if [ "${1:-}" = --kill ]; then kill_now=1; shift; fi
  for i in "$@"; do
    pid=$(pid_of "$i")
    if [ -n "$pid" ]; then
      if [ $kill_now = 1 ]; then
        say "killing node$i's dockerd (pid $pid, KILL: its containers keep running)..."
        kill -KILL "$pid" 2>/dev/null || true
      else
        say "stopping node$i's dockerd (pid $pid)..."
        kill -TERM "$pid" 2>/dev/null || true
      fi
      pids+=("$pid"); nodes+=("$i")
    fi
  done
  local k
  for k in "${!pids[@]}"; do
    if ! wait_gone "${pids[$k]}" "$wait_seconds"; then
      say "node${nodes[$k]}'s dockerd (pid ${pids[$k]}) did not exit within ${wait_seconds}s: KILL." >&2
      log_tail "${nodes[$k]}" 10
      kill -KILL "${pids[$k]}" 2>/dev/null || true
      wait_gone "${pids[$k]}" 10 || say "node${nodes[$k]}'s dockerd (pid ${pids[$k]}) survived KILL." >&2
    fi
  done
  for i in "$@"; do
    [ $kill_now = 1 ] || end_leftovers "$i"
    rm -f "$state/node$i.pid" "$state/node$i.dockerd.pid"
    [ $kill_now = 1 ] || rm -f "$state/node$i.sock"
  done
}

unmount_under() {
  # findmnt names mounts by their real path (/var/run is a link to /run): compare real paths.
  local dir m
  [ -d "$1" ] || return 0
  dir=$(readlink -f "$1")
  for m in $(findmnt -rn -o TARGET | grep -F -- "$dir" | sort -r || true); do
    case "$m" in "$dir"|"$dir"/*) umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m" >&2 ;; esac
  done
}

# ---- swarm ---------------------------------------------------------------------------------------------
node_id() { DK_TIMEOUT=10 dk "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null || true; }

wait_ready() {
  # Until the manager lists node I as Ready.
  local i=$1 id t st
  id=$(cat "$state/node$i.id" 2>/dev/null || node_id "$i")
  for t in $(seq 1 "$wait_seconds"); do
    st=$(DK_TIMEOUT=10 dk 1 node inspect --format '{{.Status.State}}' "$id" 2>/dev/null || true)
    [ "$st" = ready ] && return 0
    sleep 1
  done
  say "node$i ($id) is not Ready on the manager within ${wait_seconds}s (state: ${st:-unknown})." >&2
  log_tail "$i"
  return 1
}

swarm_up() {
  local n=$1 i token id t
  say "node1: swarm init --advertise-addr $(addr 1)..."
  dk 1 swarm init --advertise-addr "$(addr 1)" --listen-addr "$(addr 1):2377" >/dev/null
  # No ingress: stack services use the predefined host network (and an ingress needs iptables).
  for t in $(seq 1 "$wait_seconds"); do
    if ! dk 1 network inspect ingress >/dev/null 2>&1; then break; fi
    echo y | dk 1 network rm ingress >/dev/null 2>&1 || true
    sleep 1
  done
  dk 1 network inspect ingress >/dev/null 2>&1 && die "could not remove node1's ingress network."
  token=$(dk 1 swarm join-token -q worker)
  for i in $(seq 2 "$n"); do
    say "node$i: swarm join as a worker..."
    DK_TIMEOUT=$wait_seconds dk "$i" swarm join --token "$token" --advertise-addr "$(addr "$i")" --listen-addr "$(addr "$i"):2377" "$(addr 1):2377" >/dev/null ||
      { log_tail "$i"; die "node$i could not join the swarm."; }
  done
  for i in $(seq 1 "$n"); do
    id=$(node_id "$i")
    [ -n "$id" ] || die "node$i has no swarm node id."
    echo "$id" >"$state/node$i.id"
    wait_ready "$i" || die "node$i did not become Ready."
    dk 1 node update --label-add "stingops.node=node$i" "$id" >/dev/null
  done
}

load_images() {
  local n img i tmp
  n=$(node_count)
  [ "$n" -gt 0 ] || die "no cluster: run 'up' first."
  for img in "$@"; do
    docker image inspect "$img" >/dev/null 2>&1 || die "image '$img' is not on the default engine."
    tmp=$(mktemp /var/tmp/stingops-swarm-image.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -f '$tmp'" EXIT
    docker save -o "$tmp" "$img"
    for i in $(seq 1 "$n"); do
      [ -n "$(pid_of "$i")" ] || { say "node$i is not running: '$img' not loaded there." >&2; continue; }
      say "loading $img into node$i..."
      DK_TIMEOUT=300 dk "$i" load -q -i "$tmp" >/dev/null
    done
    rm -f "$tmp"
    trap - EXIT
  done
}

# ---- commands ------------------------------------------------------------------------------------------
cmd_down() {
  need_root
  local n i
  n=$(node_count)
  if [ "$n" -eq 0 ] && [ ! -e "/var/run/netns/$br_ns" ] && [ ! -d "$state" ] && [ ! -d "$data" ]; then
    say "nothing to tear down."
    return 0
  fi
  for i in $(seq "$n" -1 1); do
    [ -n "$(pid_of "$i")" ] || continue
    case "$(DK_TIMEOUT=10 dk "$i" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || true)" in
      active|pending|error|locked) DK_TIMEOUT=30 dk "$i" swarm leave --force >/dev/null 2>&1 || say "node$i: swarm leave failed (ignored)." >&2 ;;
    esac
  done
  # shellcheck disable=SC2046
  stop_daemons $(seq "$n" -1 1)
  # What the daemons left mounted (e.g. a sandbox's nsfs bind under <exec root>/netns), then the rest.
  unmount_under "$state"
  unmount_under "$data"
  net_down
  say "removing $data (vfs layers) and $state..."
  rm -rf "$data" "$state" || die "could not remove $data or $state (still mounted: $(findmnt -rn -o TARGET | grep -E 'stingops-swarm' | tr '\n' ' '))"
  say "down."
}

cmd_up() {
  need_root
  need_engine
  local n=$1 i
  case "$n" in [1-9]) ;; *) die "--nodes must be 1..9 (got '$n')." ;; esac
  if [ "$(node_count)" -gt 0 ] || [ -e "/var/run/netns/$br_ns" ] || [ -d "$state" ] || [ -d "$data" ]; then
    say "a previous cluster (or its remains) is here: tearing it down first."
    cmd_down
  fi
  mkdir -p "$state" "$data" "$logs"
  echo "$n" >"$state/nodes"
  for i in $(seq 1 "$n"); do : >"$logs/node$i.log"; done
  say "network: bridge in namespace $br_ns, nodes $(ns 1)..$(ns "$n") at $(addr 1)..$(addr "$n")/24"
  net_up "$n"
  for i in $(seq 1 "$n"); do start_daemon "$i"; done
  for i in $(seq 1 "$n"); do wait_daemon "$i" || die "node$i did not start (see $logs/node$i.log); 'down' cleans up."; done
  say "daemons up: $(dk 1 version --format '{{.Server.Version}} API {{.Server.APIVersion}}')"
  swarm_up "$n"
  if [ -n "${STINGOPS_SWARM_IMAGES:-}" ]; then
    # shellcheck disable=SC2086
    load_images $STINGOPS_SWARM_IMAGES
  fi
  dk 1 node ls --format '{{.ID}} {{.ManagerStatus}} {{.Status}} {{.Availability}}' | sed 's/^/swarm-nodes:   /'
  for i in $(seq 1 "$n"); do echo "STINGOPS_SWARM_NODE$i=$(sock "$i")"; done
  echo "STINGOPS_SWARM_MANAGER=$(sock 1)"
}

cmd_status() {
  local n i pid st rc=0
  n=$(node_count)
  if [ "$n" -eq 0 ]; then say "no cluster."; return 3; fi
  for i in $(seq 1 "$n"); do
    pid=$(pid_of "$i")
    st=$( [ -n "$pid" ] && DK_TIMEOUT=10 dk "$i" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} manager={{.Swarm.ControlAvailable}}' 2>/dev/null || echo "not answering")
    [ -n "$pid" ] || rc=1
    echo "node$i  ns=$(ns "$i") addr=$(addr "$i") pid=${pid:-none} $(sock "$i")  $st"
  done
  if [ -n "$(pid_of 1)" ]; then
    DK_TIMEOUT=10 dk 1 node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}' 2>/dev/null || rc=1
    for i in $(seq 1 "$n"); do
      [ -f "$state/node$i.id" ] && echo "node$i = $(cat "$state/node$i.id") ($(DK_TIMEOUT=10 dk 1 node inspect --format '{{.Status.State}}' "$(cat "$state/node$i.id")" 2>/dev/null || echo '?'))"
    done
  fi
  echo "STINGOPS_SWARM_MANAGER=$(sock 1)"
  return $rc
}

cmd_stop_node() {
  need_root
  local i=$1 how=${2:-}
  [ -f "$state/node$i.id" ] || [ -f "$state/node$i.pid" ] || die "node$i is not part of the cluster."
  [ -n "$(pid_of "$i")" ] || { say "node$i's dockerd is not running."; return 0; }
  stop_daemons ${how:+"$how"} "$i"
  say "node$i stopped."
}

cmd_start_node() {
  need_root
  need_engine
  local i=$1
  [ -f "$state/node$i.id" ] || die "node$i is not part of the cluster."
  [ -e "/var/run/netns/$(ns "$i")" ] || die "namespace $(ns "$i") is gone: run 'up' again."
  if [ -n "$(pid_of "$i")" ]; then say "node$i's dockerd already runs (pid $(pid_of "$i"))."; return 0; fi
  unmount_under "$state/node$i"
  start_daemon "$i"
  wait_daemon "$i" || die "node$i did not start."
  if [ "$i" != 1 ] && [ -n "$(pid_of 1)" ]; then wait_ready "$i" || die "node$i did not rejoin."; fi
  say "node$i started (pid $(pid_of "$i")), swarm: $(node_id "$i")."
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    n_nodes=3
    while [ $# -gt 0 ]; do
      case "$1" in
        --nodes) n_nodes=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
        --nodes=*) n_nodes=${1#--nodes=}; shift ;;
        *) die "up: unknown argument '$1' (use --nodes N)" ;;
      esac
    done
    cmd_up "$n_nodes" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  load) [ $# -gt 0 ] || die "load: name at least one image"; need_root; load_images "$@" ;;
  stop-node)
    if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "stop-node I [--kill]"; fi
    case "${2:-}" in ''|--kill) ;; *) die "stop-node I [--kill] (got '$2')" ;; esac
    cmd_stop_node "$1" "${2:-}" ;;
  start-node) [ $# -eq 1 ] || die "start-node I"; cmd_start_node "$1" ;;
  sock) [ $# -eq 1 ] || die "sock I"; sock "$1" ;;
  *) awk '/^# Usage:/ {u=1} u && /^#$/ {exit} u {sub(/^# ?/, ""); print}' "$0" >&2; exit 2 ;;
esac
