/*
 * vvar_seq.pml: a Promela model of how the vDSO's fast path reads the
 * vvar page (kernel/vdso/vdso_data.h, "Sequence count"): the sequence
 * count read before and after, but never tested for oddness, and the
 * split seconds (vd_sec_base) marked for the whole of every write.
 *
 * Run it with `bash tests/model/run.sh`, or by hand:
 *
 *	spin -a vvar_seq.pml
 *	gcc -O2 -DSAFETY -o pan pan.c && ./pan
 *	spin -t -p -g -l vvar_seq.pml	(replay a trail pan wrote)
 *
 * ---------------------------------------------------------------------
 * The protocol
 *
 * The writer (vdso_write_begin, the caller's stores, vdso_write_end,
 * serialized by vdso_lock: one writer process here) makes each write
 * in this order:
 *	W1  every vd_sec_base := VDSO_CLOCK_SYSCALL (the mark)
 *	W2  vd_seq += 1 (odd)
 *	W3  the other fields (vd_mult, vd_sec, vd_base ...)
 *	W4  vd_seq += 1 (even)
 *	W5  every vd_sec_base := its new value
 * The fast path (vdso_clock_split) reads, in this order:
 *	R1  first := vd_seq
 *	R2  vd_mult, then vd_sec[c]
 *	R3  vd_sec_base[c]
 *	R4  vd_seq again: starts over if it is not first
 * and uses what it read unless vd_sec_base[c] was the mark (then it
 * takes the slow path, whose read section also tests oddness).
 *
 * x86 makes one CPU's stores visible to the others in program order,
 * and performs one CPU's loads in program order (TSO).  The writer only
 * stores to the page and the reader only loads from it, so TSO's one
 * relaxation (a load passing the same CPU's earlier store) never applies
 * here, and Promela's interleaving of single steps is exact.
 *
 * Every write gives all its fields one value, its generation g (1 to
 * NWRITES); the page starts at generation 0.  The property: a read the
 * fast path uses saw one generation in every field.
 *
 * ---------------------------------------------------------------------
 * Compile-time variants (spin -D...)
 *
 *   BUG_SPLIT_BEFORE_EVEN  seeded bug: W5 before W4.  A reader that saw
 *			    the odd count and the new split, but the old
 *			    vd_mult, uses the mix.
 *   BUG_NO_MARK	    seeded bug: no W1.  Without the odd test, a
 *			    reader inside a write uses a mix.
 *   READ_SPLIT_FIRST	    the reader reads vd_sec_base[c] before the
 *			    other fields (R3 before R2): still correct
 *			    with the mark before the odd count.
 *   MARK_AFTER_ODD	    W1 after W2.  With R3 last, as
 *			    the vDSO reads, that is still correct; with
 *			    READ_SPLIT_FIRST too, it is not.
 */

#ifndef NWRITES
#define NWRITES 3
#endif
#ifndef NREADS
#define NREADS 2
#endif
#define MARK 255

byte seq;      /* vd_seq */
byte mult;     /* vd_mult */
byte sec;      /* vd_sec[c] */
byte sec_base; /* vd_sec_base[c] */
byte used;     /* reads the fast path used */

active proctype writer()
{
	byte g = 1;

	do
	:: g > NWRITES -> break
	:: else ->
#if !defined(BUG_NO_MARK) && !defined(MARK_AFTER_ODD)
		sec_base = MARK;
#endif
		seq++;
#ifdef MARK_AFTER_ODD
		sec_base = MARK;
#endif
		mult = g;
		sec = g;
#ifdef BUG_SPLIT_BEFORE_EVEN
		sec_base = g;
		seq++;
#else
		seq++;
		sec_base = g;
#endif
		g++
	od
}

active [2] proctype reader()
{
	byte n, first, m, s, b;

	for (n : 1 .. NREADS) {
again:
		first = seq;
#ifdef READ_SPLIT_FIRST
		b = sec_base;
#endif
		m = mult;
		s = sec;
#ifndef READ_SPLIT_FIRST
		b = sec_base;
#endif
		if
		:: seq != first -> goto again
		:: else
		fi;
		if
		:: b == MARK -> skip /* the slow path */
		:: else ->
			assert(m == s && s == b);
			used++
		fi
	}
}
