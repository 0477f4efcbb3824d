# gdb script for `make debug`: load the kernel's symbols and attach to
# QEMU's gdb stub.  Start gdb with: gdb -x boot/kernel.gdb
set architecture i386:x86-64
file build/kernel.elf
target remote localhost:1234
# Stop in the first C function; `continue` to boot.
break kmain
