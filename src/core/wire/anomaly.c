#include "core/wire/anomaly.h"

#include <stddef.h>

void
sd_anom_add(struct sd_anomalies *list, enum sd_anomaly_code code, uint32_t offset, uint32_t value)
{
	if (list == NULL)
		return;
	if (list->n >= SD_ANOMALIES_MAX) {
		if (list->dropped < UINT8_MAX)
			list->dropped++;
		return;
	}
	list->a[list->n].code = (uint16_t)code;
	list->a[list->n].offset = offset;
	list->a[list->n].value = value;
	list->n++;
}

static const char *const anom_names[SD_ANOM__COUNT] = {
	[SD_ANOM_NONE] = "none",
	[SD_ANOM_TRAILING_BYTES] = "trailing_bytes",
	[SD_ANOM_RESERVED_NONZERO] = "reserved_nonzero",
	[SD_ANOM_PADDING_NONZERO] = "padding_nonzero",
	[SD_ANOM_MISALIGNED] = "misaligned",
	[SD_ANOM_OVERLAP] = "overlap",
	[SD_ANOM_UNKNOWN_CONTEXT] = "unknown_context",
	[SD_ANOM_DUPLICATE_CONTEXT] = "duplicate_context",
	[SD_ANOM_ERROR_BODY_QUIRK] = "error_body_quirk",
	[SD_ANOM_UNKNOWN_DIALECT] = "unknown_dialect",
	[SD_ANOM_BAD_CREDIT_CHARGE] = "bad_credit_charge",
	[SD_ANOM_ITEMS_DROPPED] = "items_dropped",
	[SD_ANOM_LENGTH_MISMATCH] = "length_mismatch",
	[SD_ANOM_BUFFER_OFFSET_ZERO] = "buffer_offset_zero",
	[SD_ANOM_UNKNOWN_COMMAND] = "unknown_command",
	[SD_ANOM_SIGNED_NEGOTIATE] = "signed_negotiate",
};

const char *
sd_anom_name(enum sd_anomaly_code code)
{
	if ((unsigned)code >= SD_ANOM__COUNT || anom_names[code] == NULL)
		return "unknown_anomaly";
	return anom_names[code];
}
