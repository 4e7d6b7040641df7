/* Anomalies: things a decoder accepted but that deviate from the format
 * (leftover bytes in a length-delimited block, non-zero reserved fields, a
 * peer quirk). They are data, not errors: the diagnosis rules may turn them
 * into findings, and nothing is skipped silently.
 *
 * Codes are stable: append, never renumber.
 */
#ifndef SMBDIAG_CORE_WIRE_ANOMALY_H
#define SMBDIAG_CORE_WIRE_ANOMALY_H

#include <stdint.h>

enum sd_anomaly_code {
	SD_ANOM_NONE = 0,
	SD_ANOM_TRAILING_BYTES = 1,      /* bytes left after a block was decoded */
	SD_ANOM_RESERVED_NONZERO = 2,    /* a reserved / MBZ field is not zero */
	SD_ANOM_PADDING_NONZERO = 3,     /* alignment padding is not zero */
	SD_ANOM_MISALIGNED = 4,          /* a block does not start on its alignment */
	SD_ANOM_OVERLAP = 5,             /* two variable blocks overlap */
	SD_ANOM_UNKNOWN_CONTEXT = 6,     /* negotiate / error context of unknown type */
	SD_ANOM_DUPLICATE_CONTEXT = 7,   /* a context type appears more than once */
	SD_ANOM_ERROR_BODY_QUIRK = 8,    /* ERROR body of 8 bytes or an extra byte (Windows) */
	SD_ANOM_UNKNOWN_DIALECT = 9,     /* dialect revision we do not know */
	SD_ANOM_BAD_CREDIT_CHARGE = 10,  /* CreditCharge inconsistent with the payload */
	SD_ANOM_ITEMS_DROPPED = 11,      /* more list items than the decoder keeps */
	SD_ANOM_LENGTH_MISMATCH = 12,    /* a declared length disagrees with the data */
	SD_ANOM_BUFFER_OFFSET_ZERO = 13, /* zero length buffer with an odd offset */
	SD_ANOM_UNKNOWN_COMMAND = 14,    /* command code we do not know */
	SD_ANOM_SIGNED_NEGOTIATE = 15,   /* SIGNED flag on NEGOTIATE (MS-SMB2 3.3.5.2.4) */
	SD_ANOM__COUNT
};

#define SD_ANOMALIES_MAX 8

struct sd_anomaly {
	uint16_t code;    /* enum sd_anomaly_code */
	uint32_t offset;  /* byte offset inside the decoded message */
	uint32_t value;   /* code-specific: a count, the field's value, ... */
};

/* A fixed-size list: once full, further anomalies only bump `dropped`. */
struct sd_anomalies {
	uint8_t n;
	uint8_t dropped;
	struct sd_anomaly a[SD_ANOMALIES_MAX];
};

void sd_anom_add(struct sd_anomalies *list, enum sd_anomaly_code code, uint32_t offset, uint32_t value);
const char *sd_anom_name(enum sd_anomaly_code code);

#endif
