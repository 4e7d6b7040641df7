#include "core/err.h"

#include <stddef.h>

struct err_row {
	const char *name;
	const char *text;
};

static const struct err_row err_rows[] = {
	[SD_OK] = {"SD_OK", "no error"},
	[SD_ERR_TRUNCATED] = {"SD_ERR_TRUNCATED", "the input ends before the structure does"},
	[SD_ERR_MALFORMED] = {"SD_ERR_MALFORMED", "a field holds a value the format forbids"},
	[SD_ERR_STRUCTURE_SIZE] = {"SD_ERR_STRUCTURE_SIZE", "the structure size field does not match the message type"},
	[SD_ERR_BAD_OFFSET] = {"SD_ERR_BAD_OFFSET", "an offset or length points outside its message"},
	[SD_ERR_PROTOCOL_ID] = {"SD_ERR_PROTOCOL_ID", "the bytes do not start with the expected protocol identifier"},
	[SD_ERR_LIMIT] = {"SD_ERR_LIMIT", "the message holds more items or bytes than smbdiag keeps"},
	[SD_ERR_NO_SPACE] = {"SD_ERR_NO_SPACE", "the output buffer is too small"},
	[SD_ERR_NOMEM] = {"SD_ERR_NOMEM", "out of memory"},
	[SD_ERR_UNSUPPORTED] = {"SD_ERR_UNSUPPORTED", "valid, but not implemented by smbdiag"},
	[SD_ERR_INVALID_ARG] = {"SD_ERR_INVALID_ARG", "an argument is not usable"},
	[SD_ERR_CRYPTO] = {"SD_ERR_CRYPTO", "the cryptographic library reported a failure"},
	[SD_ERR_VERIFY] = {"SD_ERR_VERIFY", "a signature, MIC or authentication tag does not verify"},
	[SD_ERR_STATE] = {"SD_ERR_STATE", "the call is not valid in the current state"},
	[SD_ERR_NOT_FOUND] = {"SD_ERR_NOT_FOUND", "nothing was found"},
	[SD_ERR_IO] = {"SD_ERR_IO", "an operating-system input/output call failed"},
	[SD_ERR_TIMEOUT] = {"SD_ERR_TIMEOUT", "a deadline passed"},
};

static const struct err_row *
err_row(enum sd_err err)
{
	size_t i = (size_t)err;

	if (i >= sizeof(err_rows) / sizeof(err_rows[0]) || err_rows[i].name == NULL)
		return NULL;
	return &err_rows[i];
}

const char *
sd_err_name(enum sd_err err)
{
	const struct err_row *row = err_row(err);

	return row ? row->name : "SD_ERR_?";
}

const char *
sd_err_text(enum sd_err err)
{
	const struct err_row *row = err_row(err);

	return row ? row->text : "unknown error";
}
