# shellcheck shell=bash
# holds.sh: who keeps the cluster up. `up` adds a hold: "manual", or
# "pid-PID" with --owner-pid PID (plus a detached watcher that runs
# `down --owner-pid PID` once PID is gone). `down --owner-pid PID` drops that
# hold and stops the cluster only when no live hold is left; plain `down`
# drops all holds and stops everything. Files: $TB_STATE/holds/*.

tb_hold_add_manual() { mkdir -p "$TB_STATE/holds"; : > "$TB_STATE/holds/manual"; }

tb_hold_add_pid() {   # PID: record with its start time, start a watcher
  local pid=$1 start
  start=$(tb_proc_start "$pid") || tb_die "--owner-pid $pid: no such process"
  mkdir -p "$TB_STATE/holds"
  echo "$start" > "$TB_STATE/holds/pid-$pid"
  if [ -n "$(tb_watcher_alive "$pid")" ]; then return 0; fi
  setsid "$TB_DIR/fp-testbed" __watch "$pid" "$start" \
    </dev/null >>"$TB_STATE/watcher.log" 2>&1 9>&- &
  echo $! > "$TB_STATE/holds/watcher-$pid"
}

tb_watcher_alive() {   # PID -> prints the watcher's pid if running
  local w
  w=$(cat "$TB_STATE/holds/watcher-$1" 2>/dev/null) || return 0
  grep -q "__watch" "/proc/$w/cmdline" 2>/dev/null && echo "$w"
}

tb_hold_live() {   # exit 0 if the named hold is live
  local h=$1 pid
  case $h in
    manual) return 0 ;;
    pid-*) pid=${h#pid-}
           [ "$(tb_proc_start "$pid" 2>/dev/null)" = "$(cat "$TB_STATE/holds/$h" 2>/dev/null)" ] ;;
    *) return 1 ;;
  esac
}

tb_holds_live() {   # prints live holds; drops dead ones
  local f h
  for f in "$TB_STATE"/holds/manual "$TB_STATE"/holds/pid-*; do
    [ -e "$f" ] || continue
    h=${f##*/}
    if tb_hold_live "$h"; then echo "$h"; else rm -f "$f"; fi
  done
}

tb_hold_drop() {   # manual | pid-PID | all
  if [ "$1" = all ]; then rm -f "$TB_STATE"/holds/manual "$TB_STATE"/holds/pid-*
  else rm -f "$TB_STATE/holds/$1"; fi
}

tb_watchers_stop() {   # kill watchers whose hold is gone (all after `down`)
  local f pid w
  for f in "$TB_STATE"/holds/watcher-*; do
    [ -e "$f" ] || continue
    pid=${f##*watcher-}
    [ -e "$TB_STATE/holds/pid-$pid" ] && continue
    w=$(tb_watcher_alive "$pid")
    [ -n "$w" ] && [ "$w" != "$$" ] && kill "$w" 2>/dev/null
    rm -f "$f"
  done
}

# Runs in the detached watcher: wait for PID to go, then release its hold.
tb_cmd_watch() {
  local pid=$1 start=$2
  while [ -e "$TB_STATE/holds/pid-$pid" ] && [ "$(tb_proc_start "$pid" 2>/dev/null)" = "$start" ]; do
    sleep 1
  done
  [ -e "$TB_STATE/holds/pid-$pid" ] || exit 0
  echo "$(date '+%F %T') owner $pid gone: releasing"
  exec "$TB_DIR/fp-testbed" down --owner-pid "$pid"
}
