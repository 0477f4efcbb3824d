/*
 * Time: a monotonic nanosecond clock and the periodic timer tick.
 */
#ifndef _CLOCK_H_
#define _CLOCK_H_

#include <types.h>

#define HZ 100 /* timer ticks per second */

/* Ticks since the periodic timer started.  Written only by hardclock. */
extern volatile uint64_t ticks;

/*
 * Calibrate the clock and the CPU's timer against a fixed-frequency
 * reference, then start the periodic tick on this CPU (interrupts stay
 * masked until the caller enables them).  Boot CPU, after intr_startup().
 */
void clock_startup(void);

/*
 * Start the periodic tick on the calling CPU at the rate clock_startup
 * measured.  Interrupts masked; after clock_startup.
 */
void clock_start_tick(void);

/* Nanoseconds since clock_startup(); monotonic, never goes backwards. */
uint64_t nanouptime(void);

struct vclock;

/*
 * The TSC-to-nanoseconds line nanouptime() uses, into *vc (vdso_data.h);
 * true if user mode may convert with it too (the TSC is calibrated).  No
 * requirements.
 */
bool clock_vclock(struct vclock *vc);

/* Read the CMOS clock once (after clock_startup).  Boot CPU only. */
void rtc_startup(void);

/* Nanoseconds since 1970 (UTC), from the CMOS clock at boot onwards. */
uint64_t clock_realtime_ns(void);

/*
 * What clock_realtime_ns() adds to nanouptime(): the time since 1970 at
 * nanouptime() == 0.  No requirements.
 */
uint64_t clock_realtime_offset(void);

/*
 * Set the real-time clock to ns since 1970 from now on, and publish it
 * to the vDSO: 0, or -EINVAL if that is before the boot (below
 * nanouptime()).  The CMOS clock is left as it is (Linux's settimeofday
 * too).  The caller wakes the sleepers that wait for a real time
 * (kern_time.c, whose realtime_lock it holds).
 */
int clock_set_realtime(uint64_t ns);

/*
 * Publish the clocks in the vvar page (vdso_write_begin), as
 * clock_gettime reads them, for the vDSO; called by vdso_init, and again
 * after anything they depend on changes.  No locks held.
 */
void clock_vdso_update(void);
/* Split the vvar page's seconds again if they moved (the boot CPU's tick). */
void clock_vdso_tick(void);

/* Busy-wait at least ns nanoseconds.  No requirements. */
void delay_ns(uint64_t ns);

/*
 * Called on every timer tick with interrupts masked; usermode: the tick
 * interrupted user mode (for CPU-time accounting).
 */
void hardclock(bool usermode);

#endif /* !_CLOCK_H_ */
