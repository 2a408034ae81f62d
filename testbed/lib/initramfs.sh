# shellcheck shell=bash
# initramfs.sh: the guests' root file system, built once per cache and reused.
# Static busybox, the guest init, the kernel modules, a copy of the host's /etc
# (so host /usr, shared over 9p, finds its config), ssh keys and configs.
# Rebuilt automatically when any input changes (content hash in the name).

tb_initramfs_key() {   # KVER -> hash of every input
  {
    echo "$1"
    cat "$TB_DIR/guest/"* "$TB_DIR/lib/initramfs.sh" "$TB_CACHE/keys/"*.pub
    ls -l /usr/bin/busybox
    find /etc -xdev -printf '%p %s %T@\n' 2>/dev/null | sort
  } | sha256sum | cut -c1-16
}

# Ensures the initramfs for KVER exists; prints its path.
tb_initramfs_ensure() {
  local kver=$1 key out root
  key=$(tb_initramfs_key "$kver")
  out=$TB_CACHE/initramfs/$kver-$key.cpio
  if [ -f "$out" ]; then echo "$out"; return 0; fi
  tb_msg "building guest initramfs (once per change of inputs)"
  mkdir -p "$TB_CACHE/initramfs"
  root=$(mktemp -d "$TB_CACHE/.initramfs.XXXXXX")
  (
    set -e
    cd "$root"
    mkdir -p .fp/modules .fp/ssh proc sys dev run tmp usr root mnt var
    ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib64 lib64
    ln -s ../run var/run; mkdir -p var/tmp var/log; chmod 1777 var/tmp
    cp /usr/bin/busybox .fp/busybox
    install -m 755 "$TB_DIR/guest/init.sh" init
    cp "$TB_CACHE/kernel/$kver/modules/"*.ko .fp/modules/
    cp "$TB_CACHE/kernel/$kver/modules.order" .fp/
    cp -a /etc etc
    rm -f etc/ssh/ssh_host_*_key etc/ssh/ssh_host_*_key.pub etc/machine-id
    sed -i 's/^root:[^:]*:/root:*:/' etc/shadow
    printf '::shutdown:/.fp/busybox sync\n' > etc/inittab
    cp "$TB_CACHE/keys/ssh_host_ed25519_key" "$TB_CACHE/keys/id_ed25519" .fp/ssh/
    cp "$TB_CACHE/keys/id_ed25519.pub" .fp/ssh/authorized_keys
    cp "$TB_DIR/guest/sshd_config" "$TB_DIR/guest/client_config" .fp/ssh/
    chmod 600 .fp/ssh/ssh_host_ed25519_key .fp/ssh/id_ed25519
    find . | cpio -o -H newc --quiet > "$out.tmp"
  ) || { rm -rf "$root" "$out.tmp"; tb_die "initramfs build failed"; }
  chmod 600 "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$root"
  # keep only the newest few images
  ls -1t "$TB_CACHE/initramfs/"*.cpio 2>/dev/null | tail -n +4 | xargs -r rm -f
  echo "$out"
}
