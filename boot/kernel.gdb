# gdb script for `make gdb` and `make debug`: load the kernel's symbols and
# attach to QEMU's gdb stub on localhost:$port (default 1234).
#
#   gdb -x boot/kernel.gdb                           (QEMU from make debug)
#   gdb -ex 'set $port = 1235' -x boot/kernel.gdb    (make debug GDB_PORT=1235)
#
# A user program's symbols: its linked copy with debug information is
# build/user/obj/DIR/NAME.elf (a static program at fixed addresses), so
#   add-symbol-file build/user/obj/bin/sh.elf
# and then, say, `break main`: it stops in whichever process reaches that
# address first, since every program is linked at the same address.
set architecture i386:x86-64
file build/kernel.elf
if $_isvoid($port)
	set $port = 1234
end
eval "target remote localhost:%d", $port
# Stop in the first C function; `continue` to boot.
break kmain
