#!/usr/bin/env bash
# The userland's BusyBox: Debian's busybox-static, unmodified.
#
#   bash user/busybox.sh fetch OUT       copy the package's busybox to OUT
#   bash user/busybox.sh links BB ROOT   in the staged initrd ROOT, a
#                                        symbolic link to /bin/busybox for
#                                        every applet BB lists (at the
#                                        path `busybox --list-full` gives)
#                                        where ROOT has no file of its own
#
# The package is fetched with apt-get download and cached outside the
# tree (tests/debpkg.sh).  busybox is a static x86_64 Linux program, so
# the build machine runs it to list its applets.
set -eu
cd "$(dirname "$0")/.."
. tests/debpkg.sh

case ${1:-} in
fetch)
	out=${2:?usage: busybox.sh fetch OUT}
	dir=$(debpkg_dir busybox-static)
	bb=$dir/bin/busybox
	if ! "$bb" true; then
		echo "busybox.sh: $bb does not run here" >&2
		exit 1
	fi
	mkdir -p "$(dirname "$out")"
	cp "$bb" "$out.tmp" && chmod 755 "$out.tmp" && mv "$out.tmp" "$out"
	;;
links)
	bb=${2:?usage: busybox.sh links BB ROOT}
	root=${3:?usage: busybox.sh links BB ROOT}
	"$bb" --list-full | while read -r path; do
		[ -e "$root/$path" ] || [ -L "$root/$path" ] && continue
		mkdir -p "$root/$(dirname "$path")"
		ln -s /bin/busybox "$root/$path"
	done
	;;
*)
	echo "usage: busybox.sh fetch OUT | links BB ROOT" >&2
	exit 2
	;;
esac
