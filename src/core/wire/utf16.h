/* UTF-16LE <-> UTF-8 conversion for names carried on the wire (share
 * paths, NETNAME contexts, DFS names, NTLM fields). Bounded both ways, no
 * allocation. */
#ifndef SMBDIAG_CORE_WIRE_UTF16_H
#define SMBDIAG_CORE_WIRE_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/cursor.h"

/* Converts len bytes of UTF-16LE at p into NUL-terminated UTF-8 in
 * out[cap] (cap >= 1), and stores the UTF-8 length (without the NUL) in
 * *out_len when out_len is not NULL.
 * Returns SD_OK; SD_ERR_MALFORMED when len is odd or a surrogate is unpaired
 * (the output is still complete: the bad unit becomes U+FFFD, an odd last
 * byte is dropped); SD_ERR_NO_SPACE when out is too small (the output holds
 * the whole characters that fit); SD_ERR_INVALID_ARG when cap is 0.
 * NUL code units are copied as they are (they end the C string early). */
enum sd_err sd_utf16le_to_utf8(const uint8_t *p, size_t len, char *out, size_t cap, size_t *out_len);

/* Appends the UTF-16LE form of len bytes of UTF-8 (no terminator written).
 * SD_ERR_MALFORMED for invalid UTF-8 (nothing sensible is written for the
 * bad sequence: U+FFFD), otherwise the writer's state. */
enum sd_err sd_utf8_to_utf16le(const char *s, size_t len, struct sd_wr *w);

#endif
