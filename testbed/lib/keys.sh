# shellcheck shell=bash
# keys.sh: ssh keys made once per cache (per build): the guests' host key and
# the client key used host->guest and guest->guest (mpirun).
# $TB_CACHE/keys/{ssh_host_ed25519_key,id_ed25519}[.pub]

tb_keys_ensure() {
  local d=$TB_CACHE/keys
  [ -f "$d/id_ed25519" ] && [ -f "$d/ssh_host_ed25519_key" ] && return 0
  mkdir -p "$d"; chmod 700 "$d"
  rm -f "$d"/*
  ssh-keygen -q -t ed25519 -N '' -C fp-testbed-host -f "$d/ssh_host_ed25519_key" </dev/null &&
  ssh-keygen -q -t ed25519 -N '' -C fp-testbed-client -f "$d/id_ed25519" </dev/null ||
    tb_die "ssh-keygen failed"
}
