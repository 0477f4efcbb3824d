#!/usr/bin/env bash
# Make sure the tools the build and the tests need are installed: install
# the missing Debian packages with apt-get when running as root, or print
# the exact command to run otherwise.
set -u

# command -> Debian package
declare -A need=(
	[gcc]=gcc
	[ld]=binutils
	[make]=make
	[grub-mkrescue]=grub-common
	[xorriso]=xorriso
	[mformat]=mtools
	[qemu-system-x86_64]=qemu-system-x86
	[musl-gcc]=musl-tools
	[cpio]=cpio
	[spin]=spin
	[gdb]=gdb
	[clang-format]=clang-format
)
# packages without a command to test for
files=(
	"/usr/lib/grub/i386-pc/modinfo.sh:grub-pc-bin"
	"/usr/include/bsd/sys/tree.h:libbsd-dev"
	"/usr/include/linux/mman.h:linux-libc-dev"
)

missing=()
for cmd in "${!need[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
for pair in "${files[@]}"; do
	[ -e "${pair%%:*}" ] || missing+=("${pair##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "    sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
