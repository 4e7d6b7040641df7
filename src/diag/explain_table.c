/* Explain knowledge: per code and step, the meaning and the causes in the
 * order an administrator should check them. Sources: the troubleshooting
 * article, failure-catalog.md sections 1, 2, 4.3, 6 and 9. */
#include "diag/catalog_table.h"
#include "diag/explain_table.h"

#define CAUSES(...) ((const struct sd_explain_cause[]){__VA_ARGS__, {NULL, NULL}})
#define REMEDIES(...) ((const struct sd_remedy[]){__VA_ARGS__, {SD_PLAT_ANY, SD_REMEDY_CHECK, NULL, NULL}})
#define REFS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NT SD_CODE_NTSTATUS
#define KRB SD_CODE_KERBEROS
#define NBSS SD_CODE_NBSS
#define NEG SD_STEP_NEGOTIATE
#define SESS SD_STEP_SESSION_SETUP
#define TREE SD_STEP_TREE_CONNECT

static const struct sd_explain_cause account_causes[] = {
	{"session.account_restriction",
	 N_("The account itself may not log on now; the status names the reason. Fix the account, not the "
	    "password.")},
	{NULL, NULL},
};

static const struct sd_explain_cause nbss_causes[] = {
	{"nbss.called_name_rejected",
	 N_("The server does not accept the called name the client sent in its SESSION REQUEST on port "
	    "139. Use the server's NetBIOS name, or port 445 where no called name is needed.")},
	{NULL, NULL},
};

const struct sd_explain_entry sd_explain_rows[] = {
/* ---- STATUS_ACCESS_DENIED in every step it occurs in ---- */
{NT, 0xC0000022, NEG, false,
 N_("ACCESS_DENIED answering FSCTL_VALIDATE_NEGOTIATE_INFO (sent right after the first TREE_CONNECT "
    "by SMB 3.0 and 3.0.2 clients to confirm what NEGOTIATE agreed) makes the client close the "
    "connection."),
 CAUSES({"negotiate.validate_failed",
	 N_("The server did not accept the validation request: something between client and server "
	    "altered NEGOTIATE, or the server implements the check wrongly.")}),
 NULL, REFS("MS-SMB2 3.2.5.14.12")},
{NT, 0xC0000022, SESS, false,
 N_("ACCESS_DENIED here is not about the password (that is LOGON_FAILURE): the server refused the "
    "session because of a policy."),
 CAUSES({"session.encryption_required",
	 N_("The very first SESSION_SETUP, with no security blob answered yet, is refused: the server "
	    "requires encryption for all sessions and the client negotiated SMB 2.x or did not announce "
	    "the encryption capability (MS-SMB2 3.3.5.5).")},
	{"session.name_hardening",
	 N_("The last leg is refused although the password is right: SMB server name hardening "
	    "(SmbServerNameHardeningLevel) did not accept the server name the client used, such as an "
	    "alias or an address.")},
	{"session.signing_mismatch",
	 N_("A signed request whose signature does not verify, for example on a session binding or a "
	    "re-authentication (MS-SMB2 3.3.5.2.4); the article insists that signing must work, "
	    "especially with older third-party devices.")}),
 NULL, REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.5", "MS-SMB2 3.3.5.2.4")},
{NT, 0xC0000022, TREE, false,
 N_("The session exists, but the server refused to connect it to this share."),
 CAUSES({"tree.access_denied",
	 N_("The account lacks the share permissions or the NTFS permissions on the shared folder; it "
	    "needs both.")},
	{"tree.encryption_required",
	 N_("The share (or the server) requires SMB 3 encryption with RejectUnencryptedAccess and this "
	    "client cannot encrypt: it negotiated SMB 2.x, did not announce the encryption capability, or "
	    "found no common cipher (MS-SMB2 3.3.5.7).")},
	{"tree.access_denied",
	 N_("On a Windows server the disk or folder behind the share is missing or unavailable. (Samba "
	    "answers a missing folder with STATUS_BAD_NETWORK_NAME instead.)")},
	{"session.signing_mismatch",
	 N_("The session requires signing and this TREE_CONNECT was not signed, or its signature does "
	    "not verify (MS-SMB2 3.3.5.2.4).")},
	{NULL,
	 N_("The session is encrypted (SessionFlags ENCRYPT_DATA) but the TREE_CONNECT was sent in clear "
	    "(MS-SMB2 3.3.5.2.9): a client bug.")}),
 NULL, REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7", "MS-SMB2 3.3.5.2.9")},

/* ---- credentials and accounts ---- */
{NT, 0xC000006D, SESS, false,
 N_("The server's authentication package rejected the credentials in the SESSION_SETUP security blob."),
 CAUSES({"session.logon_failure",
	 N_("Wrong password or unknown user. Check the user and domain actually sent in the security blob "
	    "(the NTLM AUTHENTICATE message shows them): a local account needs the server's name as "
	    "domain, a domain account the domain's name.")},
	{"kerberos.ticket_rejected",
	 N_("Kerberos: the server could not decrypt the service ticket (stale keytab, duplicate SPN, "
	    "machine password out of sync). Look for a successful TGS-REP for cifs/<name> just before.")},
	{"session.ntlm_used",
	 N_("NTLM was used instead of Kerberos (address in the path, missing SPN) and the account or the "
	    "domain does not accept NTLM for it.")},
	{"session.guest_fallback",
	 N_("An unknown user gets LOGON_FAILURE unless the server maps it to guest (Samba `map to guest = "
	    "bad user`); a wrong password becomes guest only where the server maps bad passwords too "
	    "(Samba `map to guest = bad password`).")},
	{NULL,
	 N_("NTLM integrity checks failed at the domain controller: a wrong MIC, or NetBIOS domain and "
	    "computer names in the CHALLENGE that do not match (relay protection).")}),
 NULL, REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.5.3", "MS-NLMP 3.2.5.1.2", "MS-APDS 3.1.5.2")},
{NT, 0xC0000064, SESS, false, N_("The account does not exist (usually reported as LOGON_FAILURE)."),
 CAUSES({"session.logon_failure", N_("The user name or its domain is wrong.")}), NULL, NULL},
{NT, 0xC0000064, TREE, false,
 N_("The session's user logged on, but the account the share runs as does not exist on the server."),
 CAUSES({"tree.other",
	 N_("The share names an account to act as that the server cannot find (Samba `force user` or "
	    "`force group` naming a missing account).")}),
 NULL, NULL},
{NT, 0xC000006A, SESS, false, N_("The password is wrong (usually reported as LOGON_FAILURE)."),
 CAUSES({"session.logon_failure", N_("The password is wrong or an old one is cached.")}), NULL, NULL},
{NT, 0xC0000072, SESS, false, N_("The account is disabled."), account_causes, NULL, NULL},
{NT, 0xC0000234, SESS, false, N_("The account is locked out after too many bad passwords."), account_causes,
 NULL, NULL},
{NT, 0xC0000193, SESS, false, N_("The account has expired."), account_causes, NULL, NULL},
{NT, 0xC0000071, SESS, false, N_("The password has expired."), account_causes, NULL, NULL},
{NT, 0xC0000224, SESS, false, N_("The password must be changed before the first logon."), account_causes,
 NULL, NULL},
{NT, 0xC000006F, SESS, false, N_("The account may not log on at this time of day."), account_causes, NULL,
 NULL},
{NT, 0xC0000070, SESS, false, N_("The account may log on only from other workstations."), account_causes,
 NULL, NULL},
{NT, 0xC000006E, SESS, false,
 N_("A policy forbids this logon: blank password over the network, Protected Users over NTLM, or an "
    "authentication policy."), account_causes, NULL, NULL},
{NT, 0xC000015B, SESS, false, N_("The account lacks the right to log on from the network."),
 account_causes, NULL, NULL},
{NT, 0xC05D0002, SESS, false,
 N_("The client refused a guest session (insecure guest logons are blocked)."),
 CAUSES({"session.guest_fallback",
	 N_("The server logged the user on as guest, which current Windows clients refuse.")}),
 NULL, NULL},
{NT, 0xC0000133, SESS, false, N_("Kerberos clock skew."),
 CAUSES({"kerberos.clock_skew", N_("The clocks of client, KDC and server differ by more than 5 minutes.")}),
 NULL, NULL},
{NT, 0xC00002FD, SESS, false, N_("No common Kerberos encryption type."),
 CAUSES({"kerberos.etype_unsupported", N_("An account lacks keys in an encryption type the other side "
					  "accepts.")}), NULL, NULL},
{NT, 0xC000005E, SESS, false, N_("The server could not reach a domain controller to check the logon."),
 CAUSES({"session.no_response",
	 N_("The file server's secure channel to the domain is down or no DC answers.")}), NULL, NULL},
{NT, 0xC000018D, SESS, false,
 N_("The server's trust with the domain is broken (machine account password out of sync)."),
 CAUSES({"kerberos.ticket_rejected",
	 N_("Rejoin or repair the machine account; its keys no longer match the domain's.")}), NULL, NULL},

{NT, 0xC0000192, SESS, false,
 N_("The file server's Netlogon service is not running, so it cannot pass the logon to a domain "
    "controller."),
 CAUSES({NULL, N_("Netlogon is stopped on the Windows file server, or winbindd is not running on the Samba "
		  "member server.")}),
 REMEDIES({SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Check the Netlogon service on the file server."),
	   "Get-Service Netlogon"},
	  {SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("Check that winbindd runs and reaches a domain controller."),
	   "wbinfo -P"}),
 REFS("MS-APDS 3.1.5")},
{NT, 0xC000018B, SESS, false,
 N_("The domain has no computer account for the file server, so it cannot check logons for it."),
 CAUSES({NULL, N_("The server's computer account was deleted or recreated in the domain; the server must "
		  "join the domain again.")}),
 REMEDIES({SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Test the file server's secure channel to the domain."),
	   "Test-ComputerSecureChannel -Verbose"},
	  {SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("Test the Samba server's domain membership."), "net ads testjoin"}),
 REFS("MS-APDS 3.1.5")},
{NT, 0xC00000DF, SESS, false, N_("The domain the client named is unknown to the server and its domain."),
 CAUSES({NULL, N_("The user name carries a wrong or misspelled domain (DOMAIN\\user), or the domain is not "
		  "trusted by the server's domain.")}),
 NULL, REFS("MS-APDS 3.1.5")},
{NT, 0x80090308, SESS, false, N_("The server could not make sense of the client's security token."),
 CAUSES({NULL, N_("A defective or truncated NTLM or Kerberos token: a client bug, or a middlebox that "
		  "altered the SESSION_SETUP request.")},
	{NULL, N_("An NTLM AUTHENTICATE whose MIC or key exchange does not match the earlier messages "
		  "(MS-NLMP 3.2.5.1.2).")}),
 NULL, REFS("MS-SMB2 3.3.5.5.3", "MS-NLMP 3.2.5.1.2")},
{NT, 0xC00000D0, SESS, false,
 N_("The server accepts no more sessions of this kind now."),
 CAUSES({NULL, N_("A Windows client edition serving files allows only 20 connections at once, and they are "
		  "in use (\"No more connections can be made to this remote computer\").")},
	{NULL, N_("A session binding (multichannel) the server will not take: the session is still being "
		  "set up, is bound here already, or the server is not multichannel-capable (MS-SMB2 "
		  "3.3.5.5).")},
	{NULL, N_("Re-authentication of a valid session on an old server (Windows Vista SP1, Server 2008).")}),
 REMEDIES({SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Count the sessions the file server holds."),
	   "Get-SmbSession | Measure-Object"},
	  {SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("List the sessions the Samba server holds."), "smbstatus -b"}),
 REFS("MS-SMB2 3.3.5.5")},
{NT, 0xC000000D, SESS, false,
 N_("The server found the SESSION_SETUP request malformed, or a session binding that does not match "
    "the session."),
 CAUSES({NULL, N_("A session binding (multichannel) from a connection with another dialect, unsigned, or "
		  "with other notification support than the session's (MS-SMB2 3.3.5.5).")},
	{NULL, N_("A security buffer outside the message or a malformed header: a client bug or a middlebox "
		  "that rewrote the request.")}),
 NULL, REFS("MS-SMB2 3.3.5.5", "MS-SMB2 3.3.5.2")},

/* ---- protocol statuses ---- */
{NT, 0xC0000016, SESS, true,
 N_("Not an error: the server wants another SESSION_SETUP round trip (NTLM CHALLENGE, Kerberos "
    "mutual authentication or a fragmented token)."),
 CAUSES({NULL, N_("Normal; look at the status of the last SESSION_SETUP response instead.")}), NULL,
 REFS("MS-SMB2 3.3.5.5.3", "MS-SMB2 3.3.4.4")},
{NT, 0xC00000BB, NEG, false,
 N_("No dialect the client offered is enabled on the server."),
 CAUSES({"negotiate.no_common_dialect",
	 N_("The server's minimum dialect is above the client's maximum (for example Samba `server min "
	    "protocol = SMB3` and a client limited to SMB 2.1), or SMB 2 is disabled.")}),
 NULL, REFS(SD_REF_ART_NEGOTIATE, "MS-SMB2 3.3.5.4")},
{NT, 0xC00000BB, SESS, false,
 N_("The authentication mechanism or the session binding is not allowed."),
 CAUSES({"session.ntlm_used",
	 N_("NTLM is blocked on the server or by the domain (NTLM restriction policy; the DC answered "
	    "STATUS_NTLM_BLOCKED) and Kerberos was not used.")},
	{NULL,
	 N_("Session binding (multichannel) of a guest or anonymous session, or by another user "
	    "(MS-SMB2 3.3.5.5).")}),
 NULL, REFS("MS-NLMP 3.2.5.1.2", "MS-SMB2 3.3.5.5")},
{NT, 0xC0000418, SESS, false, N_("NTLM is refused here: the server or its domain accepts only Kerberos."),
 CAUSES({"session.ntlm_used",
	 N_("Samba: `ntlm auth = disabled` on the server (or its domain controller): only Kerberos logons are "
	    "taken, so connect by the server's name with a ticket.")},
	{NULL, N_("Windows: an NTLM restriction policy (Network security: Restrict NTLM) on the server or on "
		  "the domain controllers.")}),
 REMEDIES({SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("Check which NTLM logons Samba accepts."),
	   "testparm -sv 2>/dev/null | grep -i 'ntlm auth'"},
	  {SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Read the blocked NTLM logons on the server and the domain "
						 "controllers."),
	   "Get-WinEvent -LogName Microsoft-Windows-NTLM/Operational -MaxEvents 20"}),
 REFS("MS-NLMP 3.2.5.1.2", SD_REF_ART_SESSION)},
{NT, 0xC000000D, NEG, false, N_("The server found the NEGOTIATE request malformed."),
 CAUSES({NULL,
	 N_("No dialects, a missing or repeated SMB 3.1.1 negotiate context, a context too short, or the "
	    "SIGNED flag on NEGOTIATE (MS-SMB2 3.3.5.4, 3.3.5.2.4); a client bug or a middlebox that "
	    "rewrote the request.")}),
 NULL, REFS("MS-SMB2 3.3.5.4")},
{NT, 0xC000000D, TREE, false, N_("The server found the TREE_CONNECT request malformed."),
 CAUSES({NULL, N_("The path is not of the form \\\\server\\share (MS-SMB2 2.2.9).")}), NULL,
 REFS("MS-SMB2 3.3.5.7")},
{NT, 0xC05D0000, NEG, false, N_("SMB 3.1.1: no common pre-authentication integrity hash."),
 CAUSES({NULL, N_("The client offered no hash the server supports (SHA-512 is the only one defined).")}),
 NULL, REFS("MS-SMB2 3.3.5.4")},
{NT, 0xC00000CC, TREE, false,
 N_("The server has no share by that name for the server name used."),
 CAUSES({"tree.bad_network_name", N_("The share name is misspelled, or the share was removed or renamed.")},
	{"tree.bad_network_name",
	 N_("The share exists only under another server name (scoped shares on a cluster, or a Samba "
	    "configuration that depends on the name called).")},
	{"tree.bad_network_name",
	 N_("Samba: the share exists but its folder is missing or unreachable (log: "
	    "canonicalize_connect_path failed). Windows answers ACCESS_DENIED in that case.")},
	{NULL,
	 N_("A scale-out file server redirects the client to the node that owns the share (the error "
	    "carries a SHARE_REDIRECT context).")}),
 NULL, REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7")},
{NT, 0xC00000CA, TREE, false, N_("Access to the share denied (older servers' form of ACCESS_DENIED)."),
 CAUSES({"tree.access_denied", N_("Share or file-system permissions do not grant the user access.")}),
 NULL, NULL},
{NT, 0xC00000D0, TREE, false, N_("The share has reached its maximum number of users."),
 CAUSES({NULL, N_("Share.MaxUses is reached; raise the limit or close unused connections.")}),
 REMEDIES({SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Read the share's user limit."),
	   "Get-SmbShare -Name SHARE | select Name, ConcurrentUserLimit, CurrentUsers"},
	  {SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("Read the share's connection limit."),
	   "testparm -s --section-name=SHARE --parameter-name='max connections'"}),
 REFS("MS-SMB2 3.3.5.7")},
{NT, 0xC000009A, TREE, false,
 N_("The server would not connect one more tree: a limit on connections or trees was reached, or it ran "
    "short of memory."),
 CAUSES({NULL, N_("The share's connection limit is reached (Samba's `max connections`): other clients "
		  "hold the connections it allows.")},
	{NULL, N_("The session or the connection holds as many tree connects as the server allows.")},
	{NULL, N_("The server is short of memory or handles.")}),
 REMEDIES({SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("Read the share's connection limit."),
	   "testparm -s --section-name=SHARE --parameter-name='max connections'"},
	  {SD_PLAT_SAMBA, SD_REMEDY_CHECK, N_("See who holds connections to the share now."), "smbstatus -S"},
	  {SD_PLAT_WINDOWS, SD_REMEDY_CHECK, N_("Read the share's user limit."),
	   "Get-SmbShare -Name SHARE | select Name, ConcurrentUserLimit, CurrentUsers"}),
 REFS("MS-SMB2 3.3.5.7")},
{NT, 0xC000009A, SESS, false,
 N_("The server would not set up one more session: a limit on sessions was reached, or it ran short "
    "of memory."),
 CAUSES({NULL, N_("The connection holds as many sessions as the server allows (MS-SMB2 3.3.5.5.1).")},
	{NULL, N_("The server is short of memory or handles.")}),
 NULL, REFS("MS-SMB2 3.3.5.5.1")},
{NT, 0xC05D0001, TREE, true,
 N_("Cluster share above the cluster's maximum dialect: the client reconnects with the dialect "
    "returned in the error data."),
 CAUSES({NULL, N_("Normal on mixed-version clusters; a failure only if the reconnection fails.")}),
 NULL, REFS("MS-SMB2 3.3.5.7", "MS-SMB2 3.2.5.5")},
{NT, 0x80090302, TREE, false, N_("The session was used before SESSION_SETUP completed."),
 CAUSES({NULL, N_("A client bug: TREE_CONNECT sent while the session was still being set up (MS-SMB2 "
		  "3.3.5.2.9).")}), NULL, REFS("MS-SMB2 3.3.5.2.9")},
{NT, 0xC0000203, SESS, false, N_("The session id is unknown to the server."),
 CAUSES({NULL, N_("The client used a stale or foreign SessionId, or the same client GUID negotiated "
		  "another dialect on another connection (MS-SMB2 3.3.5.5.3).")}), NULL, REFS("MS-SMB2 3.3.5.5")},
{NT, 0xC000035C, TREE, true, N_("The session expired (its Kerberos ticket ended); the client "
				"re-authenticates and retries."),
 CAUSES({NULL, N_("Normal when tickets expire; a failure only if the re-authentication fails.")}), NULL,
 REFS("MS-SMB2 3.3.5.2.9", "MS-SMB2 3.2.5.1.6")},
{NT, 0xC000A000, SESS, false, N_("A signature did not verify (reported by the client)."),
 CAUSES({"session.signing_mismatch", N_("Wrong signing key or algorithm on one side.")}), NULL, NULL},

/* ---- what the client reports locally ---- */
{NT, 0xC0000236, SD_STEP_TCP, false, N_("The connection was refused."),
 CAUSES({"tcp.refused", N_("Nothing listens on the port, or a firewall rejects the connection.")}), NULL, NULL},
{NT, 0xC00000B5, NEG, false, N_("The client gave up waiting for an answer (60 seconds on Windows)."),
 CAUSES({"negotiate.no_response", N_("NEGOTIATE was never answered: antivirus or a filter driver on the "
				     "server (article).")}), NULL, REFS(SD_REF_ART_NEGOTIATE)},
{NT, 0xC00000B5, SESS, false, N_("The client gave up waiting for an answer (60 seconds on Windows)."),
 CAUSES({"session.no_response", N_("SESSION_SETUP was never answered.")}), NULL, REFS(SD_REF_ART_SESSION)},
{NT, 0xC000020D, NEG, false, N_("The server reset the connection."),
 CAUSES({"negotiate.connection_closed",
	 N_("The client offered only SMB1 to a server without SMB1.")}), NULL, NULL},

/* ---- Kerberos (all part of SESSION_SETUP) ---- */
{KRB, 25, SESS, true,
 N_("Not a fault: the KDC asks the client to prove it knows the password (pre-authentication); the "
    "client retries at once."),
 CAUSES({"kerberos.preauth_required",
	 N_("Normal first round trip of every Kerberos logon. Only errors after pre-authentication cause "
	    "SMB problems (article).")}),
 NULL, NULL},
{KRB, 7, SESS, false,
 N_("The KDC knows no account with the service principal name the client asked a ticket for "
    "(cifs/<name as typed>)."),
 CAUSES({"kerberos.spn_unknown",
	 N_("The server was reached through a DNS CNAME alias or another name that has no SPN: register "
	    "it (setspn -S cifs/alias host).")},
	{"session.ntlm_used",
	 N_("Windows then falls back to NTLM; if NTLM is refused or restricted the session fails.")}),
 NULL, NULL},
{KRB, 37, SESS, false, N_("Clock skew too great between client, KDC or server."),
 CAUSES({"kerberos.clock_skew", N_("One of the clocks is more than 5 minutes off.")}), NULL, NULL},
{KRB, 24, SESS, false, N_("The KDC could not verify the pre-authentication: wrong password."),
 CAUSES({"kerberos.preauth_failed", N_("Wrong or cached old password.")}), NULL, NULL},
{KRB, 6, SESS, false, N_("The KDC does not know the user."),
 CAUSES({"kerberos.client_unknown", N_("User name, realm or UPN suffix is wrong.")}), NULL, NULL},
{KRB, 18, SESS, false, N_("The KDC refuses the user: disabled, locked, expired or outside logon hours."),
 CAUSES({"kerberos.client_revoked", N_("Fix the account; the e-data names the precise reason.")}), NULL, NULL},
{KRB, 23, SESS, false, N_("The user's password has expired."),
 CAUSES({"kerberos.key_expired", N_("Change the password.")}), NULL, NULL},
{KRB, 14, SESS, false, N_("No common encryption type."),
 CAUSES({"kerberos.etype_unsupported", N_("Missing AES keys or a DES/RC4-only account.")}), NULL, NULL},
{KRB, 41, SESS, false, N_("The SMB server could not decrypt the ticket or authenticator."),
 CAUSES({"kerberos.ticket_rejected", N_("SPN on the wrong account, duplicate SPN, stale keytab or machine "
					"password.")}), NULL, NULL},
{KRB, 31, SESS, false, N_("Integrity check on decryption failed: wrong key."),
 CAUSES({"kerberos.ticket_rejected", N_("The key used to encrypt is not the key the receiver holds.")},
	{"kerberos.preauth_failed",
	 N_("From a KDC answering an AS-REQ (MIT Kerberos): the pre-authentication does not decrypt with the "
	    "user's key, that is a wrong password.")}),
 NULL, NULL},
{KRB, 44, SESS, false, N_("The server has no key of the ticket's key version."),
 CAUSES({"kerberos.ticket_rejected", N_("The server's keytab is behind the KDC after a password change.")}),
 NULL, NULL},
{KRB, 35, SESS, false, N_("The ticket is for another server."),
 CAUSES({"kerberos.ticket_rejected", N_("The name the client used belongs to another account.")}), NULL, NULL},
{KRB, 8, SESS, false, N_("Two or more accounts own the same principal name."),
 CAUSES({"kerberos.other", N_("Duplicate SPN: find and remove the duplicate (setspn -X).")}), NULL, NULL},
{KRB, 52, SESS, true, N_("Not a fault: the answer does not fit in UDP; the client retries over TCP 88."),
 CAUSES({NULL, N_("Normal with large tickets; a failure only if TCP port 88 is blocked.")}), NULL,
 REFS("MS-KILE 2.1")},
{KRB, 32, SESS, false, N_("The ticket has expired."),
 CAUSES({"kerberos.other", N_("The client must get a new ticket; the SMB session expires with it.")}),
 NULL, NULL},
{KRB, 27, SESS, false, N_("The service account has no SPN: user-to-user authentication would be needed."),
 CAUSES({"kerberos.spn_unknown", N_("Register the cifs SPN on the server's account.")}), NULL, NULL},

/* ---- NetBIOS session service negative responses (RFC 1002 4.3.4) ---- */
{NBSS, 0x80, SD_STEP_NBSS, false, N_("Not listening on the called name."), nbss_causes, NULL, NULL},
{NBSS, 0x81, SD_STEP_NBSS, false, N_("Not listening for the calling name."), nbss_causes, NULL, NULL},
{NBSS, 0x82, SD_STEP_NBSS, false, N_("The called name is not present on the server."), nbss_causes, NULL, NULL},
{NBSS, 0x83, SD_STEP_NBSS, false, N_("The called name is present, but the server lacks resources."),
 nbss_causes, NULL, NULL},
{NBSS, 0x8F, SD_STEP_NBSS, false, N_("Unspecified error."), nbss_causes, NULL, NULL},
};

const size_t sd_explain_rows_count = sizeof(sd_explain_rows) / sizeof(sd_explain_rows[0]);
