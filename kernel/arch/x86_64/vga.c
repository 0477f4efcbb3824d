/*
 * The VGA text screen: a cols x rows array of (character, attribute)
 * pairs, written through the direct map.  Output only; it scrolls.
 */
#include <systm.h>
#include <arch/cons_md.h>
#include <arch/pmap.h>

#define VGA_ATTR 0x0700 /* light grey on black */

static volatile uint16_t *vga_buf;
static unsigned vga_cols, vga_rows, vga_x, vga_y;

void
vga_init(paddr_t pa, unsigned cols, unsigned rows)
{
	vga_buf = PHYS_TO_DMAP(pa);
	vga_cols = cols;
	vga_rows = rows;
	vga_x = vga_y = 0;
	for (unsigned i = 0; i < cols * rows; i++)
		vga_buf[i] = VGA_ATTR | ' ';
}

static void
vga_newline(void)
{
	vga_x = 0;
	if (++vga_y < vga_rows)
		return;
	for (unsigned i = 0; i < vga_cols * (vga_rows - 1); i++)
		vga_buf[i] = vga_buf[i + vga_cols];
	for (unsigned i = 0; i < vga_cols; i++)
		vga_buf[vga_cols * (vga_rows - 1) + i] = VGA_ATTR | ' ';
	vga_y = vga_rows - 1;
}

void
vga_putc(int c)
{
	if (vga_buf == NULL)
		return;
	switch (c) {
	case '\n':
		vga_newline();
		break;
	case '\r':
		vga_x = 0;
		break;
	case '\b':
		if (vga_x > 0)
			vga_x--;
		break;
	case '\t':
		do
			vga_putc(' ');
		while (vga_x % 8 != 0);
		break;
	default:
		vga_buf[vga_y * vga_cols + vga_x] = VGA_ATTR | (uint8_t)c;
		if (++vga_x == vga_cols)
			vga_newline();
	}
}
