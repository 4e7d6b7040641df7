#include "cli/render_report_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/auth/spnego.h"

/* 1601-01-01 to 1970-01-01 in seconds. */
#define FILETIME_UNIX_OFFSET 11644473600.0
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

size_t
report_flags(const struct sd_flag_name *table, uint32_t value, const char **out, char *spare)
{
	uint32_t unknown = 0;
	size_t n = sd_flags_names(table, value, out, REPORT_MAX_FLAGS - 1, &unknown);

	if (unknown) {
		snprintf(spare, 16, "0x%08X", unknown);
		out[n++] = spare;
	}
	return n;
}

const struct sd_flag_name *
report_server_flags(const struct ev_negotiate *n, const struct sd_flag_name *smb2_table)
{
	static const struct sd_flag_name none[] = {{0, NULL, 0}};

	return n->dialect == SD_DIALECT_SMB1 ? none : smb2_table;
}

/* Seconds since 1970 (UTC, non-negative) as a calendar date and time.
 * Not gmtime_r: glibc's reads the local time zone file on its first call
 * even for UTC, a file open and four more system calls in every report
 * for nothing. The date comes from the day count by the proleptic
 * Gregorian rules, counted in 400-year eras that start on March 1st so
 * that the leap day ends each year. */
static void
civil_utc(int64_t t, struct tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400;
	int64_t z = days + 719468;               /* days since 0000-03-01 */
	int64_t era = z / 146097;                /* 400-year eras */
	int64_t doe = z - era * 146097;          /* day of era, 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* from March 1st */
	int64_t mp = (5 * doy + 2) / 153;        /* month from March, 0..11 */
	int64_t month = mp < 10 ? mp + 3 : mp - 9;

	memset(tm, 0, sizeof(*tm));
	tm->tm_year = (int)(yoe + era * 400 + (month <= 2) - 1900);
	tm->tm_mon = (int)month - 1;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
}

bool
report_iso_time(double unix_seconds, char *buf, size_t cap)
{
	struct tm tm;
	time_t whole;
	long micro;

	if (cap)
		buf[0] = '\0';
	/* Year 1970 .. 9999: anything else is not a time we can trust. */
	if (!(unix_seconds > 0) || unix_seconds > 253402300799.0)
		return false;
	whole = (time_t)unix_seconds;  /* positive: truncation is floor */
	micro = (long)((unix_seconds - (double)whole) * 1e6 + 0.5);
	if (micro >= 1000000) {
		whole++;
		micro -= 1000000;
	}
	civil_utc((int64_t)whole, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, micro);
	return true;
}

double
report_filetime_unix(uint64_t filetime)
{
	if (filetime == 0)
		return 0;
	return (double)filetime / 1e7 - FILETIME_UNIX_OFFSET;
}

void
report_guid(const uint8_t g[16], char *buf, size_t cap)
{
	sd_guid_text(g, buf, cap);
}

void
report_dialect(uint16_t dialect, char *buf, size_t cap)
{
	const char *name = smb2_dialect_name(dialect);

	if (dialect == 0)
		snprintf(buf, cap, "%s", "");
	else if (name)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "0x%04X", dialect);
}

void
report_status(const struct ev_step *s, char *code, size_t cap, const char **name)
{
	if (s->step == SD_STEP_NBSS || s->outcome == EV_NBSS_REJECTED) {
		snprintf(code, cap, "0x%02X", s->status & 0xFFu);
		*name = nbss_error_name((uint8_t)s->status);
		return;
	}
	snprintf(code, cap, "0x%08X", s->status);
	*name = sd_ntstatus_name(s->status);
}

bool
report_step_ok(const struct ev_step *s)
{
	if (s->outcome != EV_ANSWERED)
		return false;
	if (s->step == SD_STEP_TCP || s->step == SD_STEP_NBSS)
		return true;
	return s->status == 0 || (s->step == SD_STEP_SESSION_SETUP && s->status == STATUS_MORE_PROCESSING_REQUIRED);
}

double
report_step_ms(const struct ev_step *s)
{
	if (s->request_at < 0 || s->response_at < 0 || s->response_at < s->request_at)
		return -1;
	return (s->response_at - s->request_at) * 1000.0;
}

bool
report_want_connection(const struct render_opts *o, int connection)
{
	return !o || o->only_connection < 0 || o->only_connection == connection;
}

const char *
report_mech_name(uint8_t mech)
{
	return spnego_mech_name((enum spnego_mech)mech);
}

bool
report_unattached(const struct ev_timeline *t, int connection)
{
	return connection < 0 || (size_t)connection >= t->n_conns;
}

bool
report_belongs(const struct ev_timeline *t, int record_connection, int connection)
{
	if (connection < 0)
		return report_unattached(t, record_connection);
	return record_connection == connection;
}
