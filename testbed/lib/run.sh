# shellcheck shell=bash
# run.sh: `run NODE [--timeout S] -- CMD...` and `shell NODE`.
# The command runs as root in the node; cwd = the caller's cwd when that is
# under a shared folder (same path in the guest), else /; `ulimit -l
# unlimited`; stdio passed through; exit code propagated (124 on timeout).
# If this process gets TERM/INT/HUP, the remote process group is killed too,
# so a backgrounded server does not outlive its caller.

tb_run_dir() {   # the guest cwd for the caller's $PWD
  local s
  if tb_real_mode; then echo "$PWD"; return; fi
  while read -r s; do
    case "$PWD/" in "$s"/*) echo "$PWD"; return ;; esac
  done < <(sed -n 's/^share=//p' "$TB_STATE/config" 2>/dev/null)
  echo /
}

tb_cmd_run() {
  local node=${1:-} timeout='' k
  [ -n "$node" ] || tb_die "usage: fp-testbed run NODE [--timeout S] -- CMD ARGS..."
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
      --timeout=*) timeout=${1#--timeout=}; shift ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  [ $# -gt 0 ] || tb_die "usage: fp-testbed run NODE [--timeout S] -- CMD ARGS..."
  k=$(tb_node_index "$node") || exit 1

  local token="run-$$-$RANDOM" dir script
  dir=$(tb_run_dir)
  script="mkdir -p /tmp/fp-run && echo \$\$ > /tmp/fp-run/$token;"
  script+=" cd $(printf '%q' "$dir") 2>/dev/null || cd /; ulimit -l unlimited 2>/dev/null; exec"
  [ -n "$timeout" ] && script+=" timeout -k 10 $(printf '%q' "$timeout")"
  script+=" $(printf '%q ' "$@")"

  if tb_real_mode && tb_is_local_host "$(tb_real_host "$k")"; then
    exec bash -c "$script"
  fi
  tb_ssh_cmd "$k"
  exec 3<&0
  "${TB_SSH[@]}" "$script" <&3 3<&- &
  TB_RUN_PID=$!
  TB_RUN_TOKEN=$token
  trap 'tb_run_abort 143' TERM
  trap 'tb_run_abort 130' INT
  trap 'tb_run_abort 129' HUP
  local rc
  wait "$TB_RUN_PID"; rc=$?
  trap - TERM INT HUP
  exit "$rc"
}

tb_run_abort() {   # kill the remote process group, then the local ssh
  trap - TERM INT HUP
  local g="\$(cat /tmp/fp-run/$TB_RUN_TOKEN 2>/dev/null)"
  timeout 20 "${TB_SSH[@]}" "g=$g; [ -n \"\$g\" ] && { kill -TERM -- -\$g; sleep 1; kill -KILL -- -\$g; } 2>/dev/null; rm -f /tmp/fp-run/$TB_RUN_TOKEN" \
    </dev/null >/dev/null 2>&1
  kill "$TB_RUN_PID" 2>/dev/null
  exit "$1"
}

tb_cmd_shell() {
  local k
  k=$(tb_node_index "${1:-}") || exit 1
  tb_ssh_cmd "$k"
  exec "${TB_SSH[@]}" -t
}
