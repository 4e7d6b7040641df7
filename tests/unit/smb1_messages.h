/* Hand-built SMB1 messages shared by the unit tests of the AndX decoders
 * (test_smb1_andx.c) and of the capture analyzer's SMB1 path
 * (test_capture_smb1.c). Include after cmocka. */
#ifndef SMBDIAG_TESTS_SMB1_MESSAGES_H
#define SMBDIAG_TESTS_SMB1_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/wire/cursor.h"
#include "core/wire/smb1.h"
#include "core/wire/smb1_andx.h"

/* Windows 9x's logon: SESSION_SETUP_ANDX (LAN Manager form, WordCount 10)
 * chained to TREE_CONNECT_ANDX, OEM strings; or with Unicode strings
 * (Flags2) in NT form, where the path after a one-byte password starts on
 * an odd offset and needs the pad byte. */
static inline size_t
chained_logon(uint8_t *buf, size_t cap, bool unicode, uint16_t tree_offset_override)
{
	static const char path_oem[] = "\\\\MDJR98\\TEST";
	static const uint8_t path_utf16[] = {'\\', 0, '\\', 0, 'S', 0, '\\', 0, 'D', 0, 0, 0};
	struct smb1_header h = {.command = SMB1_COM_SESSION_SETUP_ANDX, .flags = 0x18,
				.flags2 = unicode ? (SMB1_FLAGS2_UNICODE | SMB1_FLAGS2_NT_STATUS) : 0};
	size_t andx_at, bc_at, start, tree_at;
	struct sd_wr w;

	sd_wr_init(&w, buf, cap);
	assert_int_equal(smb1_header_encode(&w, &h), SD_OK);
	sd_wr_u8(&w, unicode ? 13 : 10);
	sd_wr_u8(&w, SMB1_COM_TREE_CONNECT_ANDX);
	sd_wr_u8(&w, 0);
	andx_at = w.len;
	sd_wr_u16le(&w, 0);                 /* AndXOffset, set below */
	sd_wr_zero(&w, 10);                 /* MaxBuffer, MaxMpx, VcNumber, SessionKey */
	sd_wr_u16le(&w, unicode ? 0 : 3);   /* OEM password length */
	if (unicode) {
		sd_wr_u16le(&w, 24);        /* Unicode password: an NTLMv1 response */
		sd_wr_zero(&w, 4);
		sd_wr_u32le(&w, 0x0000D05C);
	} else {
		sd_wr_zero(&w, 4);
	}
	bc_at = w.len;
	sd_wr_u16le(&w, 0);
	start = w.len;
	if (unicode) {
		sd_wr_zero(&w, 24);
		if (w.len & 1)
			sd_wr_u8(&w, 0);
		sd_wr_bytes(&w, (const uint8_t *)"b\0o\0b\0\0\0L\0A\0B\0\0\0", 16);
	} else {
		sd_wr_bytes(&w, (const uint8_t *)"pw\0", 3);
		sd_wr_bytes(&w, (const uint8_t *)"MARTIN\0WORKGROUP\0", 17);
	}
	sd_wr_put_u16le_at(&w, bc_at, (uint16_t)(w.len - start));
	tree_at = w.len;
	sd_wr_put_u16le_at(&w, andx_at, tree_offset_override ? tree_offset_override : (uint16_t)tree_at);
	sd_wr_u8(&w, 4);
	sd_wr_u8(&w, SMB1_COM_NO_ANDX);
	sd_wr_u8(&w, 0);
	sd_wr_u16le(&w, 0);
	sd_wr_u16le(&w, 0);                 /* Flags */
	sd_wr_u16le(&w, 1);                 /* PasswordLength: the usual single NUL */
	bc_at = w.len;
	sd_wr_u16le(&w, 0);
	start = w.len;
	sd_wr_u8(&w, 0);
	if (unicode) {
		if (w.len & 1)
			sd_wr_u8(&w, 0);    /* pad: Unicode starts even from the header */
		sd_wr_bytes(&w, path_utf16, sizeof(path_utf16));
	} else {
		sd_wr_bytes(&w, (const uint8_t *)path_oem, sizeof(path_oem));
	}
	sd_wr_bytes(&w, (const uint8_t *)"?????\0", 6);
	sd_wr_put_u16le_at(&w, bc_at, (uint16_t)(w.len - start));
	assert_true(sd_wr_ok(&w));
	return w.len;
}

/* The answer to chained_logon: the logon and the tree connect accepted
 * (Action 0, Service "A:"), or, with a non-zero DOS error (class in the
 * low byte, code in the high half), the logon refused and the chain cut
 * there: one error block. */
static inline size_t
chained_answer(uint8_t *buf, size_t cap, uint32_t dos_error)
{
	struct smb1_header h = {.command = SMB1_COM_SESSION_SETUP_ANDX, .flags = 0x98, .status = dos_error};
	size_t andx_at, bc_at, start;
	struct sd_wr w;

	sd_wr_init(&w, buf, cap);
	assert_int_equal(smb1_header_encode(&w, &h), SD_OK);
	if (dos_error != 0) {
		sd_wr_u8(&w, 0);
		sd_wr_u16le(&w, 0);
		assert_true(sd_wr_ok(&w));
		return w.len;
	}
	sd_wr_u8(&w, 3);
	sd_wr_u8(&w, SMB1_COM_TREE_CONNECT_ANDX);
	sd_wr_u8(&w, 0);
	andx_at = w.len;
	sd_wr_u16le(&w, 0);
	sd_wr_u16le(&w, 0);                 /* Action: not a guest */
	sd_wr_u16le(&w, 6);
	sd_wr_bytes(&w, (const uint8_t *)"W98\0\0\0", 6);
	sd_wr_put_u16le_at(&w, andx_at, (uint16_t)w.len);
	sd_wr_u8(&w, 3);
	sd_wr_u8(&w, SMB1_COM_NO_ANDX);
	sd_wr_u8(&w, 0);
	sd_wr_u16le(&w, 0);
	sd_wr_u16le(&w, 1);                 /* OptionalSupport: SMB_SUPPORT_SEARCH_BITS */
	bc_at = w.len;
	sd_wr_u16le(&w, 0);
	start = w.len;
	sd_wr_bytes(&w, (const uint8_t *)"A:\0FAT\0", 7);
	sd_wr_put_u16le_at(&w, bc_at, (uint16_t)(w.len - start));
	assert_true(sd_wr_ok(&w));
	return w.len;
}

#endif
