/*
 * The 16550 UART on COM1, 115200 baud, 8 data bits, no parity, 1 stop
 * bit (ABI.md section 1).
 */
#include <systm.h>
#include <arch/cons_md.h>
#include <arch/cpufunc.h>

#define COM1 0x3f8
#define UART_DATA 0 /* receive/transmit, or divisor low with DLAB */
#define UART_IER 1  /* interrupt enable, or divisor high with DLAB */
#define UART_FCR 2  /* FIFO control */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_DR 0x01   /* a received byte is waiting */
#define LSR_THRE 0x20 /* the transmit holding register is empty */
#define IER_RDA 0x01
#define MCR_DTR_RTS_OUT2 0x0b

void
uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1); /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR,
	    0xc7); /* enable and clear FIFOs, 14-byte trigger */
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

void
uart_putc(int c)
{
	while ((inb(COM1 + UART_LSR) & LSR_THRE) == 0)
		cpu_pause();
	outb(COM1 + UART_DATA, (uint8_t)c);
}

int
uart_getc(void)
{
	if ((inb(COM1 + UART_LSR) & LSR_DR) == 0)
		return -1;
	return inb(COM1 + UART_DATA);
}

void
uart_enable_rx_intr(void)
{
	outb(COM1 + UART_IER, IER_RDA);
}
