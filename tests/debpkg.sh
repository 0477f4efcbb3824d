#!/usr/bin/env bash
# Debian packages the build and the tests use but do not install: fetched
# with `apt-get download` (apt checks each against the signed archive
# index), unpacked once into a cache outside the source tree, and never
# vendored.  Sourced by the scripts that need one.
#
#   debpkg_dir PKG [KEEP]   print the directory PKG is unpacked in,
#                           fetching it the first time; package.txt there
#                           names the .deb.  With KEEP (a directory of the
#                           package, "boot"), only that part is kept.
#
# The cache is $OS_CACHE, by default ~/.cache/vmspace-kernel: a fresh
# clone reuses what an earlier one fetched.  Delete a package's directory
# to fetch it again (a new Debian point release, say).

debpkg_cache=${OS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmspace-kernel}

# debpkg_dir PKG [KEEP]: see above.  Fails, saying why on stderr, when apt-get
# cannot download the package (no network, unknown package: try
# `apt-get update` as root).
debpkg_dir() {
	local pkg=$1 keep=${2:-} dir deb tmp
	dir=$debpkg_cache/$pkg
	if [ -f "$dir/package.txt" ]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$debpkg_cache" || return 1
	tmp=$(mktemp -d "$debpkg_cache/.fetch-XXXXXX") || return 1
	echo "debpkg: downloading $pkg with apt-get download" >&2
	if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2); then
		echo "debpkg: apt-get download $pkg failed (as root: apt-get update)" >&2
		rm -rf "$tmp"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb | head -n 1)
	if [ "$(dpkg-deb -f "$deb" Package)" != "$pkg" ] ||
		! dpkg-deb -x "$deb" "$tmp/root"; then
		echo "debpkg: $deb is not a good $pkg package" >&2
		rm -rf "$tmp"
		return 1
	fi
	if [ -n "$keep" ]; then
		mv "$tmp/root" "$tmp/all" && mkdir -p "$tmp/root/$(dirname "$keep")" &&
			mv "$tmp/all/$keep" "$tmp/root/$keep" || return 1
	fi
	echo "$(basename "$deb") $pkg $(dpkg-deb -f "$deb" Version)" >"$tmp/root/package.txt"
	rm -rf "$dir" && mv "$tmp/root" "$dir" && rm -rf "$tmp" || return 1
	echo "$dir"
}
