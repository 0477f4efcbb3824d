#!/usr/bin/env bash
# Booting Linux for the benchmarks: sourced by tests/bench.sh and
# tests/bench-scale.sh, which set linuxdir (where the kernel is cached,
# build/linux) first.
#
#   fetch_linux                  print the path of Debian's vmlinuz
#   linux_initramfs BIN CPIO     an initramfs with BIN as /init

# fetch_linux: print the path of Debian's vmlinuz for the newest
# linux-image-amd64, downloading and extracting it into $linuxdir the
# first time.  Only vmlinuz and a note of the package are kept.
fetch_linux() {
	local k pkg ver deb tmp
	k=$(ls "$linuxdir"/vmlinuz-* 2>/dev/null | head -n 1)
	if [ -n "$k" ]; then
		echo "$k"
		return 0
	fi
	# linux-image-amd64 is a metapackage; its dependency is the kernel.
	pkg=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "linux: apt-cache knows no linux-image-amd64 (try apt-get update)" >&2
		return 1
	fi
	mkdir -p "$linuxdir"
	echo "linux: downloading $pkg with apt-get download" >&2
	if ! (cd "$linuxdir" && apt-get -o APT::Sandbox::User=root download "$pkg" >&2 ||
		apt-get -o APT::Sandbox::User=root download "$pkg-unsigned" >&2); then
		echo "linux: apt-get download $pkg failed" >&2
		return 1
	fi
	deb=$(ls "$linuxdir"/"$pkg"*.deb 2>/dev/null | head -n 1)
	ver=$(dpkg-deb -f "$deb" Version)
	tmp=$linuxdir/extract
	rm -rf "$tmp"
	dpkg-deb -x "$deb" "$tmp" || return 1
	k=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
	[ -n "$k" ] || return 1
	cp "$k" "$linuxdir/" &&
		echo "$(basename "$deb") $pkg $ver" >"$linuxdir/package.txt"
	rm -rf "$tmp" "$deb"
	ls "$linuxdir"/vmlinuz-* | head -n 1
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
