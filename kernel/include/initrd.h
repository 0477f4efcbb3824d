/*
 * The initrd: at boot its cpio archive is unpacked into the root file
 * system (tmpfs), as Linux unpacks an initramfs, so the whole tree is
 * writable.  Directories implied by a path but missing from the archive
 * are made; entries that are neither files, directories nor symbolic
 * links are skipped.
 */
#ifndef _INITRD_H_
#define _INITRD_H_

#include <types.h>

/*
 * Unpack the archive into the root, which vfs_init made.  Boot only, from
 * a context that may sleep.
 */
void initrd_init(const void *archive, size_t len);

#endif /* !_INITRD_H_ */
