/*
 * The error path of the native system call stubs (native_stubs.S,
 * generated from kernel/syscalls.master).
 */
#include <errno.h>

#include "native.h"

long __native_ret(long r);

/*
 * Turn a raw system call result into libc's convention.  A value in
 * [-4095, -1] is -errno: set errno and return -1.  Anything else is the
 * call's result and is returned unchanged.  Every stub tail-jumps here with
 * the result as the argument, so the value returned goes straight to the
 * stub's caller.  No requirements.
 */
long
__native_ret(long r)
{
	if (r < 0 && r >= -4095) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
