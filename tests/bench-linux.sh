#!/usr/bin/env bash
# Booting Linux for the benchmarks: sourced by tests/bench.sh and
# tests/bench-scale.sh, tests/linux-suite.sh and the differential tests,
# which set linuxdir (build/linux, for their own files) first.
#
#   fetch_linux                  print the path of Debian's vmlinuz
#   linux_initramfs BIN CPIO     an initramfs with BIN as /init

# shellcheck source=tests/debpkg.sh
. tests/debpkg.sh

# fetch_linux: print the path of Debian's vmlinuz for the newest
# linux-image-amd64, fetched the first time into the package cache
# (tests/debpkg.sh; only its boot/ is kept); package.txt beside boot/
# names the package.
fetch_linux() {
	local pkg dir
	# linux-image-amd64 is a metapackage; its dependency is the kernel.
	pkg=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "linux: apt-cache knows no linux-image-amd64 (try apt-get update)" >&2
		return 1
	fi
	dir=$(debpkg_dir "$pkg" boot 2>/dev/null) ||
		dir=$(debpkg_dir "$pkg-unsigned" boot) || return 1
	ls "$dir"/boot/vmlinuz-* | head -n 1
}

# linux_initramfs BIN CPIO [FILE...]: write to CPIO a newc archive
# holding BIN as /init, each FILE as /bench/NAME (the programs benchmarks
# run, such as big1m), and /dev/console when this user may make the node.
linux_initramfs() {
	local bin=$1 cpio=$2 root f
	shift 2
	root=$cpio.d
	rm -rf "$root" && mkdir -p "$root/dev" "$root/bench"
	cp "$bin" "$root/init"
	chmod 755 "$root/init"
	for f in "$@"; do
		cp "$f" "$root/bench/" && chmod 755 "$root/bench/$(basename "$f")"
	done
	# The kernel opens /dev/console for init.  Making the node needs root;
	# without it bench.c mounts devtmpfs and opens the console itself.
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0) >"$cpio" || return 1
	rm -rf "$root"
}
