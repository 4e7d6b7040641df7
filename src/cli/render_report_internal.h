/* Helpers shared by the report renderers (render_report_*.c); not a
 * public interface. They format evidence values the same way for text and
 * JSON; they decide nothing. */
#ifndef SMBDIAG_CLI_RENDER_REPORT_INTERNAL_H
#define SMBDIAG_CLI_RENDER_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/render_report.h"
#include "core/wire/names.h"

#define REPORT_MAX_FLAGS 40

/* Flag names of value (unknown bits as one "0x..." entry at the end, kept
 * in spare, which must hold 16 bytes). Returns the number of names. */
size_t report_flags(const struct sd_flag_name *table, uint32_t value, const char **out, char *spare);
/* The table naming the server's flag word: SMB1 answers use other bits
 * than SMB2, so under SMB1 every bit is shown as a number. */
const struct sd_flag_name *report_server_flags(const struct ev_negotiate *n, const struct sd_flag_name *smb2_table);
/* "2026-11-27T21:30:04.123456Z"; false (and "") when unix is 0 or absurd. */
bool report_iso_time(double unix_seconds, char *buf, size_t cap);
/* FILETIME (100 ns since 1601) to Unix seconds; 0 for 0. */
double report_filetime_unix(uint64_t filetime);
/* "6f1bc6a0-8b2d-4c7e-9a5e-000c29a1b2c3" (MS-DTYP GUID byte order). */
void report_guid(const uint8_t guid[16], char *buf, size_t cap);
/* "3.1.1", else "0x%04X"; "" for 0. */
void report_dialect(uint16_t dialect, char *buf, size_t cap);
/* "0x%08X" status and its name (NetBIOS codes for the nbss step). */
void report_status(const struct ev_step *s, char *code, size_t cap, const char **name);
/* True when the step got an answer that moves on (success or a
 * SESSION_SETUP continuation; a TCP connect or NetBIOS session made). */
bool report_step_ok(const struct ev_step *s);
/* Milliseconds from request to answer; < 0 when unknown. */
double report_step_ms(const struct ev_step *s);
/* Should this connection / record be shown under the options? */
bool report_want_connection(const struct render_opts *o, int connection);
/* A record's connection index names no connection of the timeline. */
bool report_unattached(const struct ev_timeline *t, int connection);
/* The record belongs under connection (-1: under "not tied to one"). */
bool report_belongs(const struct ev_timeline *t, int record_connection, int connection);
/* The spnego_mech name of an evidence mechanism byte. */
const char *report_mech_name(uint8_t mech);

/* One Kerberos record as a line of the text report (cap bytes). */
void report_kerberos_line(const struct ev_kerberos *k, char *line, size_t cap);

#endif
