/*
 * Console devices: the 16550 UART on COM1 and the VGA text screen.
 */
#ifndef _ARCH_CONS_MD_H_
#define _ARCH_CONS_MD_H_

#include <types.h>

#define COM1_IRQ 4

void uart_init(void);
void uart_putc(int c);
int uart_getc(void); /* -1 if no byte is waiting */
void uart_enable_rx_intr(void);

/* Use the 80x25-style text buffer at physical address pa. */
void vga_init(paddr_t pa, unsigned cols, unsigned rows);
void vga_putc(int c);

#endif /* !_ARCH_CONS_MD_H_ */
