/* SMB2/3 names: commands, dialects, flag words and the negotiate-context
 * identifiers (MS-SMB2 2.2). NTSTATUS names live in names_status.c,
 * Kerberos and NetBIOS ones in names_krb.c. */
#include "core/wire/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct id_name {
	uint16_t id;
	const char *name;
};

#define ID_COUNT(table) (sizeof(table) / sizeof((table)[0]))

static const char *
id_name_find(const struct id_name *table, size_t n, uint16_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].id == id)
			return table[i].name;
	return NULL;
}

/* Compares ignoring case and treating '-' and '_' as the same character,
 * so "AES_128_GCM" finds "AES-128-GCM". */
static bool
name_equal_loose(const char *a, const char *b)
{
	char ca, cb;

	for (;; a++, b++) {
		ca = *a == '_' ? '-' : *a;
		cb = *b == '_' ? '-' : *b;
		if (ca >= 'a' && ca <= 'z')
			ca = (char)(ca - 'a' + 'A');
		if (cb >= 'a' && cb <= 'z')
			cb = (char)(cb - 'a' + 'A');
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

static bool
id_name_lookup(const struct id_name *table, size_t n, const char *name, uint16_t *id)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; i < n; i++) {
		if (name_equal_loose(table[i].name, name)) {
			*id = table[i].id;
			return true;
		}
	}
	return false;
}

static const struct id_name command_names[] = {
	{0x0000, "NEGOTIATE"},
	{0x0001, "SESSION_SETUP"},
	{0x0002, "LOGOFF"},
	{0x0003, "TREE_CONNECT"},
	{0x0004, "TREE_DISCONNECT"},
	{0x0005, "CREATE"},
	{0x0006, "CLOSE"},
	{0x0007, "FLUSH"},
	{0x0008, "READ"},
	{0x0009, "WRITE"},
	{0x000A, "LOCK"},
	{0x000B, "IOCTL"},
	{0x000C, "CANCEL"},
	{0x000D, "ECHO"},
	{0x000E, "QUERY_DIRECTORY"},
	{0x000F, "CHANGE_NOTIFY"},
	{0x0010, "QUERY_INFO"},
	{0x0011, "SET_INFO"},
	{0x0012, "OPLOCK_BREAK"},
	{0x0013, "SERVER_TO_CLIENT_NOTIFICATION"},
};

const char *
smb2_command_name(uint16_t command)
{
	return command < ID_COUNT(command_names) ? command_names[command].name : NULL;
}

static bool
parse_hex16(const char *text, uint16_t *value)
{
	unsigned long v;
	char *end;

	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text[2] == '\0')
		return false;
	v = strtoul(text + 2, &end, 16);
	if (*end != '\0' || v > UINT16_MAX || strlen(text) > 6)
		return false;
	*value = (uint16_t)v;
	return true;
}

bool
smb2_command_lookup(const char *name, uint16_t *command)
{
	uint16_t v;

	if (name == NULL)
		return false;
	if (parse_hex16(name, &v)) {
		if (smb2_command_name(v) == NULL)
			return false;
		*command = v;
		return true;
	}
	if (strncasecmp(name, "SMB2_", 5) == 0)
		name += 5;
	return id_name_lookup(command_names, ID_COUNT(command_names), name, command);
}

struct dialect_row {
	uint16_t dialect;
	const char *name;
	const char *smbclient;
	const char *compact; /* digits only: "311" */
};

static const struct dialect_row dialect_rows[] = {
	{SD_DIALECT_SMB1, "1.0", "NT1", NULL},
	{0x0202, "2.0.2", "SMB2_02", "202"},
	{0x0210, "2.1", "SMB2_10", "21"},
	{0x0222, "2.2.2", "SMB2_22", "222"},
	{0x0224, "2.2.4", "SMB2_24", "224"},
	{0x0300, "3.0", "SMB3_00", "30"},
	{0x0302, "3.0.2", "SMB3_02", "302"},
	{0x0310, "3.1.0", "SMB3_10", "310"},
	{0x0311, "3.1.1", "SMB3_11", "311"},
	{0x02FF, "2.???", NULL, NULL},
};

/* Other spellings people type or see on the wire. */
static const struct {
	const char *text;
	uint16_t dialect;
} dialect_aliases[] = {
	{"SMB 2.002", 0x0202}, {"SMB 2.???", 0x02FF}, {"SMB2_FF", 0x02FF}, {"2.02", 0x0202},
	{"2.1.0", 0x0210},     {"210", 0x0210},       {"3.0.0", 0x0300},   {"300", 0x0300},
	{"2.0", 0x0202},       {"SMB2", 0x0210},      {"SMB3", 0x0311},    {"SMB1", SD_DIALECT_SMB1},
	{"NT LM 0.12", SD_DIALECT_SMB1},
};

#define DIALECT_COUNT (sizeof(dialect_rows) / sizeof(dialect_rows[0]))

static const struct dialect_row *
dialect_row(uint16_t dialect)
{
	size_t i;

	for (i = 0; i < DIALECT_COUNT; i++)
		if (dialect_rows[i].dialect == dialect)
			return &dialect_rows[i];
	return NULL;
}

const char *
smb2_dialect_name(uint16_t dialect)
{
	const struct dialect_row *row = dialect_row(dialect);

	return row ? row->name : NULL;
}

void
sd_guid_text(const uint8_t g[16], char *buf, size_t cap)
{
	snprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2], g[1], g[0],
		 g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

const char *
smb2_dialect_smbclient_name(uint16_t dialect)
{
	const struct dialect_row *row = dialect_row(dialect);

	return row ? row->smbclient : NULL;
}

static bool
dialect_text_matches(const struct dialect_row *row, const char *text)
{
	return strcasecmp(row->name, text) == 0 || (row->smbclient && strcasecmp(row->smbclient, text) == 0) ||
	       (row->compact && strcmp(row->compact, text) == 0);
}

bool
smb2_dialect_parse(const char *text, uint16_t *dialect)
{
	uint16_t v;
	size_t i;

	if (text == NULL)
		return false;
	if (parse_hex16(text, &v)) {
		if (dialect_row(v) == NULL)
			return false;
		*dialect = v;
		return true;
	}
	for (i = 0; i < DIALECT_COUNT; i++) {
		if (dialect_text_matches(&dialect_rows[i], text)) {
			*dialect = dialect_rows[i].dialect;
			return true;
		}
	}
	for (i = 0; i < sizeof(dialect_aliases) / sizeof(dialect_aliases[0]); i++) {
		if (strcasecmp(dialect_aliases[i].text, text) == 0) {
			*dialect = dialect_aliases[i].dialect;
			return true;
		}
	}
	return false;
}

static bool
flag_entry_matches(const struct sd_flag_name *entry, uint32_t value)
{
	if (entry->mask != 0)
		return entry->bit != 0 && (value & entry->mask) == entry->bit;
	return entry->bit != 0 && (value & entry->bit) == entry->bit;
}

size_t
sd_flags_names(const struct sd_flag_name *table, uint32_t value, const char **out, size_t max,
	       uint32_t *unknown)
{
	uint32_t named = 0;
	size_t n = 0, i;

	for (i = 0; table[i].name != NULL; i++) {
		if (!flag_entry_matches(&table[i], value) || n >= max)
			continue;
		out[n++] = table[i].name;
		named |= table[i].mask ? table[i].mask : table[i].bit;
	}
	if (unknown != NULL)
		*unknown = value & ~named;
	return n;
}

bool
sd_flag_lookup(const struct sd_flag_name *table, const char *name, uint32_t *bits)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; table[i].name != NULL; i++) {
		if (strcasecmp(table[i].name, name) == 0) {
			*bits = table[i].bit;
			return true;
		}
	}
	return false;
}

const struct sd_flag_name smb2_header_flag_names[] = {
	{0x00000001, "server_to_redir", 0},
	{0x00000002, "async_command", 0},
	{0x00000004, "related_operations", 0},
	{0x00000008, "signed", 0},
	{0x00000010, "priority_1", 0x70},
	{0x00000020, "priority_2", 0x70},
	{0x00000030, "priority_3", 0x70},
	{0x00000040, "priority_4", 0x70},
	{0x00000050, "priority_5", 0x70},
	{0x00000060, "priority_6", 0x70},
	{0x00000070, "priority_7", 0x70},
	{0x10000000, "dfs_operations", 0},
	{0x20000000, "replay_operation", 0},
	{0, NULL, 0},
};

const struct sd_flag_name smb2_security_mode_names[] = {
	{0x0001, "signing_enabled", 0},
	{0x0002, "signing_required", 0},
	{0, NULL, 0},
};

const struct sd_flag_name smb2_capability_names[] = {
	{0x00000001, "dfs", 0},
	{0x00000002, "leasing", 0},
	{0x00000004, "large_mtu", 0},
	{0x00000008, "multi_channel", 0},
	{0x00000010, "persistent_handles", 0},
	{0x00000020, "directory_leasing", 0},
	{0x00000040, "encryption", 0},
	{0x00000080, "notifications", 0},
	{0, NULL, 0},
};

const struct sd_flag_name smb2_session_flag_names[] = {
	{0x0001, "is_guest", 0},
	{0x0002, "is_null", 0},
	{0x0004, "encrypt_data", 0},
	{0, NULL, 0},
};

/* The caching mode (bits 4-5) is a value, not flags; manual caching (0) is
 * the default and is not listed. */
const struct sd_flag_name smb2_share_flag_names[] = {
	{0x00000001, "dfs", 0},
	{0x00000002, "dfs_root", 0},
	{0x00000010, "auto_caching", 0x30},
	{0x00000020, "vdo_caching", 0x30},
	{0x00000030, "no_caching", 0x30},
	{0x00000100, "restrict_exclusive_opens", 0},
	{0x00000200, "force_shared_delete", 0},
	{0x00000400, "allow_namespace_caching", 0},
	{0x00000800, "access_based_directory_enum", 0},
	{0x00001000, "force_levelii_oplock", 0},
	{0x00002000, "enable_hash_v1", 0},
	{0x00004000, "enable_hash_v2", 0},
	{0x00008000, "encrypt_data", 0},
	{0x00040000, "identity_remoting", 0},
	{0x00100000, "compress_data", 0},
	{0x00200000, "isolated_transport", 0},
	{0, NULL, 0},
};

const struct sd_flag_name smb2_share_capability_names[] = {
	{0x00000008, "dfs", 0},
	{0x00000010, "continuous_availability", 0},
	{0x00000020, "scaleout", 0},
	{0x00000040, "cluster", 0},
	{0x00000080, "asymmetric", 0},
	{0x00000100, "redirect_to_owner", 0},
	{0, NULL, 0},
};

const struct sd_flag_name smb2_tree_connect_flag_names[] = {
	{0x0001, "cluster_reconnect", 0},
	{0x0002, "redirect_to_owner", 0},
	{0x0004, "extension_present", 0},
	{0, NULL, 0},
};

static const struct id_name share_type_names[] = {
	{0x01, "disk"},
	{0x02, "pipe"},
	{0x03, "print"},
};

const char *
smb2_share_type_name(uint8_t type)
{
	return id_name_find(share_type_names, ID_COUNT(share_type_names), type);
}

bool
smb2_share_type_lookup(const char *name, uint8_t *type)
{
	uint16_t v;

	if (!id_name_lookup(share_type_names, ID_COUNT(share_type_names), name, &v))
		return false;
	*type = (uint8_t)v;
	return true;
}

static const struct id_name negotiate_context_names[] = {
	{0x0001, "PREAUTH_INTEGRITY_CAPABILITIES"},
	{0x0002, "ENCRYPTION_CAPABILITIES"},
	{0x0003, "COMPRESSION_CAPABILITIES"},
	{0x0005, "NETNAME_NEGOTIATE_CONTEXT_ID"},
	{0x0006, "TRANSPORT_CAPABILITIES"},
	{0x0007, "RDMA_TRANSFORM_CAPABILITIES"},
	{0x0008, "SIGNING_CAPABILITIES"},
	{0x0100, "CONTEXTTYPE_RESERVED"},
};

const char *
smb2_negotiate_context_name(uint16_t type)
{
	return id_name_find(negotiate_context_names, ID_COUNT(negotiate_context_names), type);
}

static const struct id_name cipher_names[] = {
	{0x0000, "none"},
	{0x0001, "AES-128-CCM"},
	{0x0002, "AES-128-GCM"},
	{0x0003, "AES-256-CCM"},
	{0x0004, "AES-256-GCM"},
};

const char *
smb2_cipher_name(uint16_t id)
{
	return id_name_find(cipher_names, ID_COUNT(cipher_names), id);
}

bool
smb2_cipher_lookup(const char *name, uint16_t *id)
{
	return id_name_lookup(cipher_names, ID_COUNT(cipher_names), name, id);
}

static const struct id_name signing_names[] = {
	{0x0000, "HMAC-SHA256"},
	{0x0001, "AES-128-CMAC"},
	{0x0002, "AES-128-GMAC"},
};

const char *
smb2_signing_algorithm_name(uint16_t id)
{
	return id_name_find(signing_names, ID_COUNT(signing_names), id);
}

bool
smb2_signing_algorithm_lookup(const char *name, uint16_t *id)
{
	/* The spec's own short names. */
	if (name != NULL && strcasecmp(name, "AES-CMAC") == 0)
		name = "AES-128-CMAC";
	else if (name != NULL && strcasecmp(name, "AES-GMAC") == 0)
		name = "AES-128-GMAC";
	return id_name_lookup(signing_names, ID_COUNT(signing_names), name, id);
}

static const struct id_name compression_names[] = {
	{0x0000, "NONE"},
	{0x0001, "LZNT1"},
	{0x0002, "LZ77"},
	{0x0003, "LZ77+Huffman"},
	{0x0004, "Pattern_V1"},
	{0x0005, "LZ4"},
};

const char *
smb2_compression_algorithm_name(uint16_t id)
{
	return id_name_find(compression_names, ID_COUNT(compression_names), id);
}

bool
smb2_compression_algorithm_lookup(const char *name, uint16_t *id)
{
	return id_name_lookup(compression_names, ID_COUNT(compression_names), name, id);
}

static const struct id_name hash_names[] = {
	{0x0001, "SHA-512"},
};

const char *
smb2_hash_algorithm_name(uint16_t id)
{
	return id_name_find(hash_names, ID_COUNT(hash_names), id);
}
