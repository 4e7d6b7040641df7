/* NTSTATUS and SSPI HRESULT names (values from MS-ERREF 2.3.1 and 2.1.1).
 * The table is sorted by code for binary search; a unit test checks the
 * order and that no code or name appears twice. */
#include "core/wire/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Meanings are marked for extraction; the command line translates them. */
#ifndef N_
#define N_(text) text
#endif

static const struct sd_status_info status_table[] = {
	{0x00000000, "STATUS_SUCCESS", N_("The operation completed successfully.")},
	{0x00000102, "STATUS_TIMEOUT", N_("A wait ended because its time limit passed first.")},
	{0x00000103, "STATUS_PENDING",
	 N_("The operation goes on asynchronously; this interim answer will be followed by the final one.")},
	{0x00000104, "STATUS_REPARSE", N_("The name led to a reparse point that has to be followed to reach the target.")},
	{0x00000107, "STATUS_SOME_NOT_MAPPED", N_("Only some of the names or security identifiers could be translated.")},
	{0x0000010B, "STATUS_NOTIFY_CLEANUP", N_("A change notification ended because its handle is being closed.")},
	{0x0000010C, "STATUS_NOTIFY_ENUM_DIR",
	 N_("Too many changes happened to list them one by one; the client should re-read the directory.")},
	{0x40000000, "STATUS_OBJECT_NAME_EXISTS", N_("The object already existed and was opened instead of created.")},
	{0x80000005, "STATUS_BUFFER_OVERFLOW",
	 N_("The answer did not fit in the buffer and only its first part was returned (a warning).")},
	{0x80000006, "STATUS_NO_MORE_FILES", N_("A directory listing has no further entries.")},
	{0x8000001A, "STATUS_NO_MORE_ENTRIES", N_("An enumeration has no further entries.")},
	{0x8000002D, "STATUS_STOPPED_ON_SYMLINK", N_("Path processing stopped at a symbolic link the client must resolve.")},
	{0x80090302, "SEC_E_UNSUPPORTED_FUNCTION",
	 N_("The security package refused the call; Windows servers also send it for a request on a session whose "
	 "authentication is still in progress.")},
	{0x80090303, "SEC_E_TARGET_UNKNOWN", N_("The security package does not know the target (service) name.")},
	{0x80090304, "SEC_E_INTERNAL_ERROR", N_("The security package failed internally.")},
	{0x80090306, "SEC_E_NOT_OWNER", N_("The caller does not own the credentials it tried to use.")},
	{0x80090308, "SEC_E_INVALID_TOKEN",
	 N_("The authentication token could not be decoded or is inconsistent (for example a defective NTLM key "
	 "exchange).")},
	{0x8009030C, "SEC_E_LOGON_DENIED", N_("The security package rejected the logon.")},
	{0x8009030D, "SEC_E_UNKNOWN_CREDENTIALS", N_("The credentials given are not recognised by the security package.")},
	{0x8009030E, "SEC_E_NO_CREDENTIALS",
	 N_("No credentials are available to the security package (for example the acceptor has no keytab or "
	 "machine key).")},
	{0x8009030F, "SEC_E_MESSAGE_ALTERED", N_("A signed or sealed message failed its integrity check.")},
	{0x80090311, "SEC_E_NO_AUTHENTICATING_AUTHORITY", N_("No domain controller or KDC could be reached to authenticate.")},
	{0x80090322, "SEC_E_WRONG_PRINCIPAL", N_("The ticket was issued for a different service principal than the one that received it.")},
	{0x80090324, "SEC_E_TIME_SKEW", N_("The clocks of client and server (or KDC) differ by more than the allowed skew.")},
	{0x8009033E, "SEC_E_SMARTCARD_LOGON_REQUIRED", N_("The account may only log on with a smart card.")},
	{0x8009033F, "SEC_E_SHUTDOWN_IN_PROGRESS", N_("The system is shutting down and refuses new authentication.")},
	{0x80090346, "SEC_E_BAD_BINDINGS", N_("The channel binding information does not match the channel used.")},
	{0x80090349, "SEC_E_CERT_WRONG_USAGE", N_("The certificate is not valid for the requested usage.")},
	{0x80090350, "SEC_E_DOWNGRADE_DETECTED",
	 N_("The negotiation looked like an attempt to force a weaker authentication mechanism.")},
	{0xC0000001, "STATUS_UNSUCCESSFUL", N_("The operation failed without a more specific reason.")},
	{0xC0000002, "STATUS_NOT_IMPLEMENTED", N_("The requested function is not implemented by the server or file system.")},
	{0xC0000003, "STATUS_INVALID_INFO_CLASS", N_("The information class asked for is not valid for this object.")},
	{0xC0000004, "STATUS_INFO_LENGTH_MISMATCH", N_("The buffer length does not suit the information class.")},
	{0xC0000008, "STATUS_INVALID_HANDLE", N_("The file or object handle is not valid (in a compound: no handle from the previous request).")},
	{0xC000000D, "STATUS_INVALID_PARAMETER",
	 N_("The request is malformed or a field holds a value the server does not accept.")},
	{0xC000000E, "STATUS_NO_SUCH_DEVICE", N_("The device named in the request does not exist.")},
	{0xC000000F, "STATUS_NO_SUCH_FILE", N_("The file named in the request does not exist.")},
	{0xC0000010, "STATUS_INVALID_DEVICE_REQUEST", N_("The file system or device does not support this request.")},
	{0xC0000011, "STATUS_END_OF_FILE", N_("The read started at or beyond the end of the file.")},
	{0xC0000016, "STATUS_MORE_PROCESSING_REQUIRED",
	 N_("Authentication needs another round trip; this is the normal middle step of SESSION_SETUP, not an error.")},
	{0xC0000017, "STATUS_NO_MEMORY", N_("The server ran out of memory.")},
	{0xC0000022, "STATUS_ACCESS_DENIED",
	 N_("The server refused access: permissions, a bad or missing signature, or an encryption policy.")},
	{0xC0000023, "STATUS_BUFFER_TOO_SMALL", N_("The output buffer is too small to hold any of the result.")},
	{0xC0000024, "STATUS_OBJECT_TYPE_MISMATCH", N_("The handle refers to another kind of object than the operation needs.")},
	{0xC0000033, "STATUS_OBJECT_NAME_INVALID", N_("The name has a form or characters that are not allowed.")},
	{0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND", N_("Nothing exists under that name.")},
	{0xC0000035, "STATUS_OBJECT_NAME_COLLISION", N_("Something already exists under that name, so it cannot be created.")},
	{0xC0000039, "STATUS_OBJECT_PATH_INVALID", N_("The path is not valid, for example a component is not a directory.")},
	{0xC000003A, "STATUS_OBJECT_PATH_NOT_FOUND", N_("A directory along the path does not exist.")},
	{0xC000003B, "STATUS_OBJECT_PATH_SYNTAX_BAD", N_("The path is not written in a valid form.")},
	{0xC0000043, "STATUS_SHARING_VIOLATION", N_("Another open of the file uses a sharing mode that excludes this one.")},
	{0xC0000054, "STATUS_FILE_LOCK_CONFLICT", N_("A byte-range lock held through another open blocks this read or write.")},
	{0xC0000055, "STATUS_LOCK_NOT_GRANTED", N_("The byte-range lock conflicts with one already held.")},
	{0xC0000056, "STATUS_DELETE_PENDING", N_("The file is marked for deletion and cannot be opened any more.")},
	{0xC000005E, "STATUS_NO_LOGON_SERVERS",
	 N_("The server could not reach a domain controller to check the logon (pass-through or PAC validation).")},
	{0xC000005F, "STATUS_NO_SUCH_LOGON_SESSION", N_("The logon session or its credentials no longer exist.")},
	{0xC0000061, "STATUS_PRIVILEGE_NOT_HELD", N_("The caller lacks a privilege the operation requires.")},
	{0xC0000062, "STATUS_INVALID_ACCOUNT_NAME", N_("The account name is not well formed.")},
	{0xC0000064, "STATUS_NO_SUCH_USER",
	 N_("The account does not exist (servers usually report this as STATUS_LOGON_FAILURE).")},
	{0xC000006A, "STATUS_WRONG_PASSWORD",
	 N_("The password is wrong (servers usually report this as STATUS_LOGON_FAILURE).")},
	{0xC000006C, "STATUS_PASSWORD_RESTRICTION", N_("The password does not satisfy the password policy.")},
	{0xC000006D, "STATUS_LOGON_FAILURE",
	 N_("The logon failed: unknown user or wrong password (the server does not say which), or a failed NTLM "
	 "integrity check.")},
	{0xC000006E, "STATUS_ACCOUNT_RESTRICTION",
	 N_("An account restriction forbids this logon, such as a blank password over the network or a protected "
	 "account using NTLM.")},
	{0xC000006F, "STATUS_INVALID_LOGON_HOURS", N_("The account may not log on at this time of day.")},
	{0xC0000070, "STATUS_INVALID_WORKSTATION", N_("The account may not log on from this workstation.")},
	{0xC0000071, "STATUS_PASSWORD_EXPIRED", N_("The account's password has expired.")},
	{0xC0000072, "STATUS_ACCOUNT_DISABLED", N_("The account is disabled.")},
	{0xC0000073, "STATUS_NONE_MAPPED", N_("None of the names or security identifiers could be translated.")},
	{0xC000007F, "STATUS_DISK_FULL", N_("The volume has no free space left.")},
	{0xC000009A, "STATUS_INSUFFICIENT_RESOURCES", N_("The server lacks the resources (memory, handles) to carry out the request.")},
	{0xC00000A2, "STATUS_MEDIA_WRITE_PROTECTED", N_("The volume is write-protected.")},
	{0xC00000A5, "STATUS_BAD_IMPERSONATION_LEVEL", N_("The server needs a higher impersonation level than the client allowed.")},
	{0xC00000AC, "STATUS_PIPE_NOT_AVAILABLE", N_("No instance of the named pipe is available.")},
	{0xC00000AD, "STATUS_INVALID_PIPE_STATE", N_("The named pipe is not in a state that allows this operation.")},
	{0xC00000AE, "STATUS_PIPE_BUSY", N_("Every instance of the named pipe is busy.")},
	{0xC00000B0, "STATUS_PIPE_DISCONNECTED", N_("The other end of the named pipe has disconnected.")},
	{0xC00000B1, "STATUS_PIPE_CLOSING", N_("The named pipe is being closed.")},
	{0xC00000B2, "STATUS_PIPE_CONNECTED", N_("The pipe already has a client connected.")},
	{0xC00000B3, "STATUS_PIPE_LISTENING", N_("The pipe server is still waiting for a client to connect.")},
	{0xC00000B5, "STATUS_IO_TIMEOUT", N_("The request was not answered in time (Windows clients wait 60 seconds).")},
	{0xC00000BA, "STATUS_FILE_IS_A_DIRECTORY", N_("The operation needs a file, but the name refers to a directory.")},
	{0xC00000BB, "STATUS_NOT_SUPPORTED",
	 N_("The server does not support the request: no common dialect, a missing signing key, or a blocked "
	 "authentication method.")},
	{0xC00000BC, "STATUS_REMOTE_NOT_LISTENING", N_("The remote computer is not listening for connections.")},
	{0xC00000BD, "STATUS_DUPLICATE_NAME", N_("The NetBIOS name is already in use on the network.")},
	{0xC00000BE, "STATUS_BAD_NETWORK_PATH",
	 N_("The network path could not be found: usually the server name did not resolve or could not be reached.")},
	{0xC00000BF, "STATUS_NETWORK_BUSY", N_("The network or the server is too busy to take the request.")},
	{0xC00000C3, "STATUS_INVALID_NETWORK_RESPONSE", N_("The client received an answer it considers malformed or inconsistent.")},
	{0xC00000C4, "STATUS_UNEXPECTED_NETWORK_ERROR", N_("The connection failed in a way the client did not expect.")},
	{0xC00000C9, "STATUS_NETWORK_NAME_DELETED",
	 N_("The tree (share connection) the request refers to no longer exists or never existed.")},
	{0xC00000CA, "STATUS_NETWORK_ACCESS_DENIED", N_("Network access to the resource is denied (older servers).")},
	{0xC00000CC, "STATUS_BAD_NETWORK_NAME", N_("The share name does not exist on the server.")},
	{0xC00000CE, "STATUS_TOO_MANY_SESSIONS", N_("The server has no room for another session.")},
	{0xC00000D0, "STATUS_REQUEST_NOT_ACCEPTED",
	 N_("The server will not take the request now: a session binding it cannot do, or the share's user limit.")},
	{0xC00000D4, "STATUS_NOT_SAME_DEVICE", N_("Source and target of a rename are on different volumes.")},
	{0xC00000D6, "STATUS_VIRTUAL_CIRCUIT_CLOSED", N_("The transport connection was closed.")},
	{0xC00000D9, "STATUS_PIPE_EMPTY", N_("The named pipe holds no data to read.")},
	{0xC00000DF, "STATUS_NO_SUCH_DOMAIN", N_("The domain named in the logon is unknown.")},
	{0xC00000E2, "STATUS_OPLOCK_NOT_GRANTED", N_("The opportunistic lock could not be granted.")},
	{0xC00000E5, "STATUS_INTERNAL_ERROR", N_("The server hit an internal error.")},
	{0xC0000101, "STATUS_DIRECTORY_NOT_EMPTY", N_("The directory cannot be removed because it is not empty.")},
	{0xC0000103, "STATUS_NOT_A_DIRECTORY", N_("The operation needs a directory, but the name refers to a file.")},
	{0xC000011F, "STATUS_TOO_MANY_OPENED_FILES", N_("The server has too many files open to open another.")},
	{0xC0000120, "STATUS_CANCELLED", N_("The request was cancelled.")},
	{0xC0000121, "STATUS_CANNOT_DELETE", N_("The file cannot be deleted (read-only, in use, or protected).")},
	{0xC0000122, "STATUS_INVALID_COMPUTER_NAME", N_("The computer name is not well formed.")},
	{0xC0000123, "STATUS_FILE_DELETED", N_("The file has been deleted.")},
	{0xC0000128, "STATUS_FILE_CLOSED", N_("The handle refers to a file that is already closed.")},
	{0xC0000133, "STATUS_TIME_DIFFERENCE_AT_DC", N_("The clocks differ too much from the domain controller's for Kerberos.")},
	{0xC000013B, "STATUS_LOCAL_DISCONNECT", N_("The local side ended the connection.")},
	{0xC000013C, "STATUS_REMOTE_DISCONNECT", N_("The remote side ended the connection.")},
	{0xC000013D, "STATUS_REMOTE_RESOURCES", N_("The remote side ran out of resources.")},
	{0xC0000148, "STATUS_INVALID_LEVEL", N_("The information level asked for is not supported.")},
	{0xC000014B, "STATUS_PIPE_BROKEN", N_("The named pipe has been ended by the other side.")},
	{0xC000015B, "STATUS_LOGON_TYPE_NOT_GRANTED", N_("The user lacks the right to log on over the network (or is denied it).")},
	{0xC0000184, "STATUS_INVALID_DEVICE_STATE", N_("The device is not in a state that allows the request.")},
	{0xC000018B, "STATUS_NO_TRUST_SAM_ACCOUNT", N_("The domain has no computer account for this machine.")},
	{0xC000018D, "STATUS_TRUSTED_RELATIONSHIP_FAILURE",
	 N_("The server's secure channel to its domain is broken (machine account password out of sync).")},
	{0xC0000190, "STATUS_TRUST_FAILURE", N_("A trust relationship between domains failed.")},
	{0xC0000192, "STATUS_NETLOGON_NOT_STARTED", N_("The server's Netlogon service is not running.")},
	{0xC0000193, "STATUS_ACCOUNT_EXPIRED", N_("The account has expired.")},
	{0xC0000198, "STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT", N_("An interdomain trust account cannot be used for this logon.")},
	{0xC0000199, "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT", N_("A computer account cannot be used for this logon.")},
	{0xC000019A, "STATUS_NOLOGON_SERVER_TRUST_ACCOUNT", N_("A server trust account cannot be used for this logon.")},
	{0xC000019C, "STATUS_FS_DRIVER_REQUIRED", N_("The path needs a file system filter (for example DFS) that is not loaded.")},
	{0xC0000202, "STATUS_NO_USER_SESSION_KEY", N_("The logon produced no session key, so nothing can be signed or sealed with it.")},
	{0xC0000203, "STATUS_USER_SESSION_DELETED", N_("The SessionId is not known to the server (deleted, expired or never set up).")},
	{0xC000020C, "STATUS_CONNECTION_DISCONNECTED", N_("The connection was closed by the other side.")},
	{0xC000020D, "STATUS_CONNECTION_RESET", N_("The connection was reset by the other side.")},
	{0xC0000224, "STATUS_PASSWORD_MUST_CHANGE", N_("The user must change the password before logging on.")},
	{0xC0000225, "STATUS_NOT_FOUND", N_("The object looked for was not found (for example a DFS referral on a non-DFS server).")},
	{0xC0000233, "STATUS_DOMAIN_CONTROLLER_NOT_FOUND", N_("No domain controller could be located.")},
	{0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT", N_("The account is locked out after too many bad passwords.")},
	{0xC0000236, "STATUS_CONNECTION_REFUSED", N_("The remote system refused the connection.")},
	{0xC000023C, "STATUS_NETWORK_UNREACHABLE", N_("The network of the destination cannot be reached.")},
	{0xC000023D, "STATUS_HOST_UNREACHABLE", N_("The destination host cannot be reached.")},
	{0xC000023F, "STATUS_PORT_UNREACHABLE", N_("Nothing listens on the destination port.")},
	{0xC0000241, "STATUS_CONNECTION_ABORTED", N_("The local system aborted the connection.")},
	{0xC0000257, "STATUS_PATH_NOT_COVERED", N_("The path lies in another DFS namespace part; the client must ask for a referral.")},
	{0xC000026D, "STATUS_DFS_UNAVAILABLE", N_("The DFS service is not available on the server.")},
	{0xC0000275, "STATUS_NOT_A_REPARSE_POINT", N_("The file is not a reparse point.")},
	{0xC00002C3, "STATUS_MUTUAL_AUTHENTICATION_FAILED", N_("The server could not prove its identity to the client.")},
	{0xC00002F9, "STATUS_PKINIT_NAME_MISMATCH", N_("The smart-card certificate's name does not match the account.")},
	{0xC00002FA, "STATUS_SMARTCARD_LOGON_REQUIRED", N_("The account may only log on with a smart card.")},
	{0xC00002FB, "STATUS_KDC_INVALID_REQUEST", N_("The KDC received a request it considers invalid.")},
	{0xC00002FC, "STATUS_KDC_UNABLE_TO_REFER", N_("The KDC could not refer the request to another realm.")},
	{0xC00002FD, "STATUS_KDC_UNKNOWN_ETYPE", N_("Client and KDC share no Kerberos encryption type (KDC_ERR_ETYPE_NOSUPP).")},
	{0xC0000320, "STATUS_PKINIT_FAILURE", N_("Kerberos public-key (smart card) authentication failed.")},
	{0xC0000322, "STATUS_NO_KERB_KEY", N_("No Kerberos key is available for the account.")},
	{0xC000035C, "STATUS_NETWORK_SESSION_EXPIRED", N_("The session's authentication expired; the client must authenticate again.")},
	{0xC0000371, "STATUS_NO_SECRETS", N_("A read-only domain controller holds no secrets for this account.")},
	{0xC0000380, "STATUS_SMARTCARD_WRONG_PIN", N_("The smart card PIN is wrong.")},
	{0xC0000381, "STATUS_SMARTCARD_CARD_BLOCKED", N_("The smart card is blocked.")},
	{0xC0000383, "STATUS_SMARTCARD_NO_CARD", N_("No smart card is present.")},
	{0xC0000388, "STATUS_DOWNGRADE_DETECTED",
	 N_("A downgrade of the authentication mechanism was detected (for example Kerberos to NTLM).")},
	{0xC000038C, "STATUS_PKINIT_CLIENT_FAILURE", N_("The client's smart-card certificate could not be used.")},
	{0xC000038F, "STATUS_SMARTCARD_SILENT_CONTEXT", N_("The smart card needs user interaction that is not possible here.")},
	{0xC0000413, "STATUS_AUTHENTICATION_FIREWALL_FAILED",
	 N_("An authentication policy or selective authentication forbids this account on this server.")},
	{0xC0000418, "STATUS_NTLM_BLOCKED", N_("NTLM authentication is blocked by policy.")},
	{0xC0000466, "STATUS_SERVER_UNAVAILABLE", N_("The server (or its share) is not ready to serve.")},
	{0xC0000467, "STATUS_FILE_NOT_AVAILABLE", N_("The file is temporarily not available.")},
	{0xC0000480, "STATUS_SHARE_UNAVAILABLE", N_("The share is temporarily not available.")},
	{0xC000A000, "STATUS_INVALID_SIGNATURE", N_("A message signature did not verify (client-side name; servers answer STATUS_ACCESS_DENIED).")},
	{0xC05D0000, "STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP",
	 N_("SMB 3.1.1: client and server share no preauthentication hash algorithm.")},
	{0xC05D0001, "STATUS_SMB_BAD_CLUSTER_DIALECT", N_("The cluster share needs a lower dialect than the one negotiated.")},
	{0xC05D0002, "STATUS_SMB_GUEST_LOGON_BLOCKED",
	 N_("The client refused a guest logon because insecure guest access is disabled.")},
};

#define STATUS_COUNT (sizeof(status_table) / sizeof(status_table[0]))

static int
status_cmp(const void *key, const void *elem)
{
	uint32_t code = *(const uint32_t *)key;
	const struct sd_status_info *info = elem;

	return code < info->code ? -1 : code > info->code;
}

const struct sd_status_info *
sd_ntstatus_info(uint32_t code)
{
	return bsearch(&code, status_table, STATUS_COUNT, sizeof(status_table[0]), status_cmp);
}

const char *
sd_ntstatus_name(uint32_t code)
{
	const struct sd_status_info *info = sd_ntstatus_info(code);

	return info ? info->name : NULL;
}

void
sd_ntstatus_text(uint32_t code, char *buf, size_t cap)
{
	const char *name = sd_ntstatus_name(code);

	if (name)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "0x%08X", code);
}

const struct sd_status_info *
sd_ntstatus_table(size_t *count)
{
	*count = STATUS_COUNT;
	return status_table;
}

/* "0x..." with 1 to 8 hex digits and nothing else. */
static bool
status_parse_hex(const char *text, uint32_t *code)
{
	unsigned long v;
	char *end;

	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text[2] == '\0' || strlen(text) > 10)
		return false;
	v = strtoul(text + 2, &end, 16);
	if (*end != '\0')
		return false;
	*code = (uint32_t)v;
	return true;
}

bool
sd_ntstatus_lookup(const char *name, uint32_t *code)
{
	static const char status_prefix[] = "STATUS_";
	const size_t plen = sizeof(status_prefix) - 1;
	const char *bare = name;
	uint32_t hex;
	size_t i;

	if (name == NULL)
		return false;
	if (status_parse_hex(name, &hex)) {
		if (sd_ntstatus_info(hex) == NULL)
			return false;
		*code = hex;
		return true;
	}
	if (strncasecmp(bare, "NT_", 3) == 0)
		bare += 3;
	if (strncasecmp(bare, status_prefix, plen) == 0)
		bare += plen;
	for (i = 0; i < STATUS_COUNT; i++) {
		const char *entry = status_table[i].name;

		if (strcasecmp(entry, name) == 0 ||
		    (strncmp(entry, status_prefix, plen) == 0 && strcasecmp(entry + plen, bare) == 0)) {
			*code = status_table[i].code;
			return true;
		}
	}
	return false;
}
