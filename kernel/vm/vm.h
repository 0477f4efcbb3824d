/*
 * Machine-independent VM types shared by the map, the fault handler and
 * the pmap interface.
 */
#ifndef _VM_VM_H_
#define _VM_VM_H_

#include <types.h>

typedef uint32_t vm_prot_t;
#define VM_PROT_NONE 0x0
#define VM_PROT_READ 0x1
#define VM_PROT_WRITE 0x2
#define VM_PROT_EXECUTE 0x4
#define VM_PROT_ALL (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

/* User addresses (ABI.md section 3): VM_MIN/MAX_USER_ADDRESS. */
#include <uapi/native_abi.h>

#endif /* !_VM_VM_H_ */
