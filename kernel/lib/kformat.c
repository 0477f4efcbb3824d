/*
 * The printf formatter behind kprintf and ksnprintf.
 *
 * kformat() walks the format string once.  Each conversion is parsed into
 * a struct kfspec (flags, width, precision, length), its argument is
 * fetched here (va_arg must stay in the function that owns the va_list),
 * and one of the emit_* helpers writes it through the caller's putc.
 *
 * Pure code: no kernel dependencies, unit-tested on the host
 * (tests/host/test_kformat.c).
 */
#include <types.h>

#include "kformat.h"

/*
 * Widths and precisions are clamped to this, so a silly "%999999999999d"
 * cannot overflow the int count.  Larger fields are never meaningful in a
 * kernel message.
 */
#define KFORMAT_FIELD_MAX 4096

/* Flags of one conversion. */
#define KF_MINUS 0x01 /* '-': left-justify */
#define KF_ZERO 0x02  /* '0': pad numbers with zeros */
#define KF_PLUS 0x04  /* '+': always print a sign */
#define KF_SPACE 0x08 /* ' ': a space where a '+' would go */
#define KF_HASH 0x10  /* '#': 0x prefix for %x, leading 0 for %o */

/* Length modifiers. */
enum kf_length {
	KF_LEN_INT,     /* none */
	KF_LEN_CHAR,    /* hh */
	KF_LEN_SHORT,   /* h */
	KF_LEN_LONG,    /* l */
	KF_LEN_LLONG,   /* ll */
	KF_LEN_SIZE,    /* z */
	KF_LEN_MAX,     /* j */
	KF_LEN_PTRDIFF, /* t */
};

/* One parsed conversion specification. */
struct kfspec {
	int flags; /* KF_* */
	int width; /* minimum field width; 0 if none */
	int prec;  /* precision; -1 if none */
	enum kf_length len;
};

/* The output sink and the count of characters handed to it. */
struct kfout {
	kformat_putc_t putc;
	void *arg;
	int count;
};

static void
out_char(struct kfout *o, int c)
{
	o->putc(c, o->arg);
	o->count++;
}

static void
out_repeat(struct kfout *o, int c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/*
 * Emit the n characters at s as one field: padded with spaces to
 * sp->width, on the left unless KF_MINUS is set.  Used by %s and %c.
 */
static void
emit_field(struct kfout *o, const struct kfspec *sp, const char *s, int n)
{
	int pad = sp->width > n ? sp->width - n : 0;
	int i;

	if ((sp->flags & KF_MINUS) == 0)
		out_repeat(o, ' ', pad);
	for (i = 0; i < n; i++)
		out_char(o, (unsigned char)s[i]);
	if ((sp->flags & KF_MINUS) != 0)
		out_repeat(o, ' ', pad);
}

/*
 * Emit one integer: the magnitude v in the given base (8, 10 or 16),
 * preceded by '-' if neg, honouring every flag, the width and the
 * precision of sp.  upper selects "ABCDEF" and "0X".  The sign flags
 * '+' and ' ' matter only when issigned is true.
 */
static void
emit_number(struct kfout *o, const struct kfspec *sp, uint64_t v, bool neg,
    bool issigned, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 22 octal digits are enough for 64 bits */
	const char *prefix = "";
	char sign = '\0';
	int ndig = 0, nzero, plen, total, pad;

	while (v != 0) {
		buf[ndig++] = digits[v % base];
		v /= base;
	}

	/*
	 * The precision is the minimum number of digits; without one it is
	 * 1, and an explicit precision of 0 prints nothing for the value 0.
	 */
	nzero = (sp->prec < 0 ? 1 : sp->prec) - ndig;
	if (nzero < 0)
		nzero = 0;
	if (base == 8 && (sp->flags & KF_HASH) != 0 && nzero == 0 &&
	    (ndig == 0 || buf[ndig - 1] != '0'))
		nzero = 1; /* '#' with %o: the first digit is a 0 */
	if (base == 16 && (sp->flags & KF_HASH) != 0 && ndig > 0)
		prefix = upper ? "0X" : "0x";

	if (neg)
		sign = '-';
	else if (issigned && (sp->flags & KF_PLUS) != 0)
		sign = '+';
	else if (issigned && (sp->flags & KF_SPACE) != 0)
		sign = ' ';

	plen = (sign != '\0' ? 1 : 0) + (prefix[0] != '\0' ? 2 : 0);
	total = plen + nzero + ndig;
	pad = sp->width > total ? sp->width - total : 0;

	/* '0' pads with zeros after the sign, unless '-' or a precision. */
	if ((sp->flags & KF_ZERO) != 0 && (sp->flags & KF_MINUS) == 0 &&
	    sp->prec < 0) {
		nzero += pad;
		pad = 0;
	}

	if ((sp->flags & KF_MINUS) == 0)
		out_repeat(o, ' ', pad);
	if (sign != '\0')
		out_char(o, sign);
	for (; *prefix != '\0'; prefix++)
		out_char(o, *prefix);
	out_repeat(o, '0', nzero);
	while (ndig > 0)
		out_char(o, buf[--ndig]);
	if ((sp->flags & KF_MINUS) != 0)
		out_repeat(o, ' ', pad);
}

/* Emit a pointer as "0x" and 16 lower-case hex digits, as one field. */
static void
emit_pointer(struct kfout *o, const struct kfspec *sp, uint64_t v)
{
	char buf[18];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 17; i >= 2; i--) {
		buf[i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	}
	emit_field(o, sp, buf, sizeof(buf));
}

/*
 * Parse a run of decimal digits at *fmtp, advancing past it.  The value
 * saturates at KFORMAT_FIELD_MAX.
 */
static int
parse_decimal(const char **fmtp)
{
	const char *f = *fmtp;
	int v = 0;

	while (*f >= '0' && *f <= '9') {
		v = v * 10 + (*f - '0');
		if (v > KFORMAT_FIELD_MAX)
			v = KFORMAT_FIELD_MAX;
		f++;
	}
	*fmtp = f;
	return v;
}

/*
 * Format fmt with the arguments in ap, handing each character to putc.
 * See kformat.h for the conversions.  Widths and precisions above
 * KFORMAT_FIELD_MAX are clamped to it.  Returns the number of characters
 * produced.  No requirements beyond a valid format and matching arguments.
 */
int
kformat(kformat_putc_t putc, void *arg, const char *fmt, va_list ap)
{
	struct kfout o = { putc, arg, 0 };
	struct kfspec sp;
	const char *start, *s;
	uint64_t uv;
	int64_t sv;
	char c, ch;
	int n;

	while (*fmt != '\0') {
		if (*fmt != '%') {
			out_char(&o, (unsigned char)*fmt++);
			continue;
		}
		start = fmt++;

		/* Flags. */
		sp.flags = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= KF_MINUS;
			else if (*fmt == '0')
				sp.flags |= KF_ZERO;
			else if (*fmt == '+')
				sp.flags |= KF_PLUS;
			else if (*fmt == ' ')
				sp.flags |= KF_SPACE;
			else if (*fmt == '#')
				sp.flags |= KF_HASH;
			else
				break;
		}

		/* Width: a negative '*' argument means '-' and its magnitude. */
		sp.width = 0;
		if (*fmt == '*') {
			n = va_arg(ap, int);
			if (n < 0) {
				sp.flags |= KF_MINUS;
				n = n < -KFORMAT_FIELD_MAX ? KFORMAT_FIELD_MAX :
							     -n;
			}
			sp.width = MIN(n, KFORMAT_FIELD_MAX);
			fmt++;
		} else
			sp.width = parse_decimal(&fmt);

		/* Precision: a negative '*' argument means none. */
		sp.prec = -1;
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				n = va_arg(ap, int);
				sp.prec =
				    n < 0 ? -1 : MIN(n, KFORMAT_FIELD_MAX);
				fmt++;
			} else
				sp.prec = parse_decimal(&fmt);
		}

		/* Length modifier. */
		sp.len = KF_LEN_INT;
		if (*fmt == 'h') {
			fmt++;
			sp.len = KF_LEN_SHORT;
			if (*fmt == 'h') {
				fmt++;
				sp.len = KF_LEN_CHAR;
			}
		} else if (*fmt == 'l') {
			fmt++;
			sp.len = KF_LEN_LONG;
			if (*fmt == 'l') {
				fmt++;
				sp.len = KF_LEN_LLONG;
			}
		} else if (*fmt == 'z') {
			fmt++;
			sp.len = KF_LEN_SIZE;
		} else if (*fmt == 'j') {
			fmt++;
			sp.len = KF_LEN_MAX;
		} else if (*fmt == 't') {
			fmt++;
			sp.len = KF_LEN_PTRDIFF;
		}

		c = *fmt;
		switch (c) {
		case 'd':
		case 'i':
			switch (sp.len) {
			case KF_LEN_CHAR:
				sv = (signed char)va_arg(ap, int);
				break;
			case KF_LEN_SHORT:
				sv = (short)va_arg(ap, int);
				break;
			case KF_LEN_LONG:
				sv = va_arg(ap, long);
				break;
			case KF_LEN_LLONG:
				sv = va_arg(ap, long long);
				break;
			case KF_LEN_SIZE:
				sv = va_arg(ap, ssize_t);
				break;
			case KF_LEN_MAX:
				sv = va_arg(ap, intmax_t);
				break;
			case KF_LEN_PTRDIFF:
				sv = va_arg(ap, ptrdiff_t);
				break;
			default:
				sv = va_arg(ap, int);
				break;
			}
			/* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
			uv = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
			emit_number(&o, &sp, uv, sv < 0, true, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			switch (sp.len) {
			case KF_LEN_CHAR:
				uv = (unsigned char)va_arg(ap, unsigned int);
				break;
			case KF_LEN_SHORT:
				uv = (unsigned short)va_arg(ap, unsigned int);
				break;
			case KF_LEN_LONG:
				uv = va_arg(ap, unsigned long);
				break;
			case KF_LEN_LLONG:
				uv = va_arg(ap, unsigned long long);
				break;
			case KF_LEN_SIZE:
				uv = va_arg(ap, size_t);
				break;
			case KF_LEN_MAX:
				uv = va_arg(ap, uintmax_t);
				break;
			case KF_LEN_PTRDIFF:
				/* The unsigned type of ptrdiff_t's width. */
				uv = va_arg(ap, size_t);
				break;
			default:
				uv = va_arg(ap, unsigned int);
				break;
			}
			emit_number(&o, &sp, uv, false, false,
			    c == 'u'     ? 10 :
				c == 'o' ? 8 :
					   16,
			    c == 'X');
			break;
		case 'p':
			/* Always 0x and 16 digits; only the width and '-' apply. */
			emit_pointer(&o, &sp, (uintptr_t)va_arg(ap, void *));
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			/* Read no further than the precision allows. */
			for (n = 0;
			     (sp.prec < 0 || n < sp.prec) && s[n] != '\0'; n++)
				continue;
			emit_field(&o, &sp, s, n);
			break;
		case 'c':
			ch = (char)va_arg(ap, int);
			emit_field(&o, &sp, &ch, 1);
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			/*
			 * Unknown conversion, or the format ends inside one:
			 * print the specification as written.  At the end of
			 * the format, stop before the NUL.
			 */
			for (s = start; s < fmt; s++)
				out_char(&o, (unsigned char)*s);
			if (c == '\0')
				return o.count;
			out_char(&o, (unsigned char)c);
			break;
		}
		fmt++;
	}
	return o.count;
}
