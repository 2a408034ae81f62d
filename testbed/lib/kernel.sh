# shellcheck shell=bash
# kernel.sh: Debian 12's guest kernel, fetched with `apt-get download` and
# unpacked into the cache (never installed on the host). Only vmlinuz and the
# modules the guests load are kept: $TB_CACHE/kernel/KVER/{vmlinuz,modules/}.

# Modules the guest init loads; dependencies are added in load order.
TB_MODULES=(virtio_pci virtio_net 9p 9pnet_virtio crc32_generic
            rdma_rxe ib_uverbs rdma_ucm ib_umad)

# Prints the exact package name linux-image-amd64 resolves to.
tb_kernel_package() {
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1)
  if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1)
  fi
  if [ -z "$pkg" ]; then   # offline: fall back to what is already cached
    pkg=$(ls -1 "$TB_CACHE/kernel" 2>/dev/null | sort -V | tail -n1)
    [ -n "$pkg" ] && pkg=linux-image-$pkg
  fi
  [ -n "$pkg" ] || tb_die "cannot resolve linux-image-amd64 (apt-cache) and no kernel cached"
  echo "$pkg"
}

# Ensures the kernel is cached; prints its KVER (e.g. 6.1.0-56-amd64).
tb_kernel_ensure() {
  local pkg kver dir tmp
  pkg=$(tb_kernel_package) || exit 1
  kver=${pkg#linux-image-}
  dir=$TB_CACHE/kernel/$kver
  if [ -f "$dir/vmlinuz" ] && [ "$(cat "$dir/modules.want" 2>/dev/null)" = "${TB_MODULES[*]}" ]; then
    echo "$kver"; return 0
  fi
  tb_msg "fetching guest kernel $pkg (once; cached in $TB_CACHE/kernel)"
  tmp=$(mktemp -d "$TB_CACHE/.kernel.XXXXXX")
  ( cd "$tmp" && timeout 300 apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null ) ||
    { rm -rf "$tmp"; tb_die "apt-get download $pkg failed"; }
  dpkg-deb -x "$tmp"/*.deb "$tmp/x" || { rm -rf "$tmp"; tb_die "dpkg-deb -x failed"; }
  depmod -b "$tmp/x" "$kver" || { rm -rf "$tmp"; tb_die "depmod failed"; }
  mkdir -p "$tmp/out/modules"
  cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
  local m path
  for m in "${TB_MODULES[@]}"; do
    modprobe -d "$tmp/x" -S "$kver" --show-depends "$m" ||
      { rm -rf "$tmp"; tb_die "module $m not found in $pkg"; }
  done | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' > "$tmp/paths"
  : > "$tmp/out/modules.order"
  while read -r path; do
    cp "$path" "$tmp/out/modules/"
    basename "$path" >> "$tmp/out/modules.order"
  done < "$tmp/paths"
  echo "${TB_MODULES[*]}" > "$tmp/out/modules.want"
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  mv "$tmp/out" "$dir"
  rm -rf "$tmp"
  echo "$kver"
}
