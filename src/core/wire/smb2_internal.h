/* Helpers shared by the SMB2 codec files; not part of the public API. */
#ifndef SMBDIAG_CORE_WIRE_SMB2_INTERNAL_H
#define SMBDIAG_CORE_WIRE_SMB2_INTERNAL_H

#include "core/wire/smb2.h"

/* Opens a reader on the body (message offset 64) after checking that the
 * body's StructureSize equals `size`. The reader spans the whole message
 * and is positioned after StructureSize. */
enum sd_err smb2_body_open(const uint8_t *msg, size_t len, uint16_t size, struct sd_rd *r);

/* Resolves an (offset, length) buffer of the message. Empty buffers give
 * NULL and never fail (an offset past the message end is flagged
 * SD_ANOM_BUFFER_OFFSET_ZERO). A buffer that starts inside the fixed part
 * (before fixed_end) is accepted with SD_ANOM_OVERLAP. *end grows to the
 * buffer's end. */
enum sd_err smb2_buffer_get(const uint8_t *msg, size_t len, size_t off, size_t blen, size_t fixed_end,
			    const uint8_t **out, size_t *end, struct sd_anomalies *anom);

/* Judges the bytes after `end`: up to 7 zero bytes are alignment padding,
 * non-zero ones SD_ANOM_PADDING_NONZERO, more than 7 SD_ANOM_TRAILING_BYTES. */
void smb2_tail_check(const uint8_t *msg, size_t len, size_t end, struct sd_anomalies *anom);

/* Offset of the body start for encoders (see smb2.h): w->len - 64. */
enum sd_err smb2_enc_hdr_off(const struct sd_wr *w, size_t *hdr_off);

/* Writes a buffer at the current position and returns its offset
 * relative to hdr_off (the current position even when empty, as Windows
 * and Samba fill it in). */
uint32_t smb2_enc_buffer(struct sd_wr *w, size_t hdr_off, const uint8_t *p, size_t n);

#endif
