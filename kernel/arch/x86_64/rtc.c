/*
 * The CMOS real-time clock, read once at boot to give CLOCK_REALTIME a
 * starting point; afterwards the time advances with nanouptime().
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <arch/cpufunc.h>

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_UIP 0x80   /* status A: update in progress */
#define RTC_BINARY 0x4 /* status B: binary, not BCD */
#define RTC_24H 0x2    /* status B: 24-hour clock */

/*
 * Realtime at nanouptime() == 0: set once at boot from the CMOS clock,
 * then by clock_set_realtime (atomic).
 */
static uint64_t rtc_boot_ns;

static uint8_t
rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned
bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

void
rtc_startup(void)
{
	uint8_t sec, min, hour, day, mon, year, b;
	bool binary, pm;
	unsigned h;
	int64_t days;

	for (int i = 0; i < 100000 && (rtc_read(RTC_STATUS_A) & RTC_UIP); i++)
		;
	sec = rtc_read(RTC_SEC);
	min = rtc_read(RTC_MIN);
	hour = rtc_read(RTC_HOUR);
	day = rtc_read(RTC_DAY);
	mon = rtc_read(RTC_MONTH);
	year = rtc_read(RTC_YEAR);
	b = rtc_read(RTC_STATUS_B);
	binary = (b & RTC_BINARY) != 0;
	pm = (hour & 0x80) != 0;
	h = bcd(hour & 0x7f, binary);
	if (!(b & RTC_24H))
		h = (h % 12) + (pm ? 12 : 0);
	days = days_from_civil(2000 + bcd(year, binary), bcd(mon, binary),
	    bcd(day, binary));
	rtc_boot_ns = ((uint64_t)days * 86400 + h * 3600 +
			  bcd(min, binary) * 60 + bcd(sec, binary)) *
		1000000000UL -
	    nanouptime();
}

uint64_t
clock_realtime_ns(void)
{
	return __atomic_load_n(&rtc_boot_ns, __ATOMIC_RELAXED) + nanouptime();
}

uint64_t
clock_realtime_offset(void)
{
	return __atomic_load_n(&rtc_boot_ns, __ATOMIC_RELAXED);
}

int
clock_set_realtime(uint64_t ns)
{
	uint64_t up = nanouptime();

	/* Linux's do_settimeofday64: not before the boot. */
	if (ns < up)
		return -EINVAL;
	__atomic_store_n(&rtc_boot_ns, ns - up, __ATOMIC_RELAXED);
	clock_vdso_update();
	return 0;
}
