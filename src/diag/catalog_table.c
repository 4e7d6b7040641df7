/* The finding catalog (SPEC.md "Finding catalog"). Causes follow the
 * troubleshooting article and the server rules of MS-SMB2 3.3.5.x as
 * summarised in failure-catalog.md sections 1, 2, 4 and 6. Every entry has
 * at least one Windows and one Samba remedy and at least one reference
 * (tests/unit/test_catalog.c holds us to it). doc/findings.md is generated
 * from this table: run `make docs` after editing. */
#include "diag/catalog_table.h"

#define WC SD_PLAT_WINDOWS, SD_REMEDY_CHECK
#define WF SD_PLAT_WINDOWS, SD_REMEDY_FIX
#define SC SD_PLAT_SAMBA, SD_REMEDY_CHECK
#define SF SD_PLAT_SAMBA, SD_REMEDY_FIX
#define AC SD_PLAT_ANY, SD_REMEDY_CHECK
#define AF SD_PLAT_ANY, SD_REMEDY_FIX
#define REMEDIES(...) ((const struct sd_remedy[]){__VA_ARGS__, {SD_PLAT_ANY, SD_REMEDY_CHECK, NULL, NULL}})
#define REFS(...) ((const char *const[]){__VA_ARGS__, NULL})

#define LANMAN_PARAMS "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters"
#define LSA_KEY "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa"

const struct sd_finding_def sd_catalog_rows[] = {
/* ---- TCP and NetBIOS ---- */
{
	"tcp.refused", SD_STEP_TCP, SD_SEV_ERROR,
	N_("TCP connection refused or reset"),
	N_("The server's address answered the connection attempt with a reset: nothing listens on that "
	   "port (the SMB server service is stopped, or listens on other addresses or ports), or a "
	   "firewall rejects the connection actively. No SMB message was exchanged."),
	REMEDIES(
		{WC, N_("Test the port from a Windows client."), "Test-NetConnection HOST -Port 445"},
		{WC, N_("On a Windows server, check that the Server service runs."), "Get-Service LanmanServer"},
		{WC, N_("Check that the firewall allows File and Printer Sharing (SMB-In)."),
		 "Get-NetFirewallRule -DisplayGroup \"File and Printer Sharing\" | select DisplayName, Enabled, Profile"},
		{SC, N_("On a Samba server, check that smbd runs and listens on the port."), "ss -ltnp 'sport = :445'"},
		{SC, N_("Check the ports, addresses and host restrictions smbd uses."),
		 "testparm -sv 2>/dev/null | grep -Ei 'smb ports|interfaces|hosts (allow|deny)'"},
		{SF, N_("Start smbd."), "systemctl start smbd"}),
	REFS("MS-SMB2 2.1 (transport: direct TCP port 445, NetBIOS port 139)"),
},
{
	"tcp.unresolved", SD_STEP_TCP, SD_SEV_ERROR,
	N_("The server's name does not resolve"),
	N_("The name in the path has no address: DNS has no record for it (a typo, a record never made or "
	   "removed, a DNS suffix the client does not search), or the name exists only in NetBIOS "
	   "(WINS, broadcast), which the client was not set to use. No connection was attempted."),
	REMEDIES(
		{AC, N_("Look the name up as the client does."), "getent hosts HOST"},
		{WC, N_("On a Windows client, ask DNS for the name, with the suffixes it searches."),
		 "Resolve-DnsName HOST; Get-DnsClientGlobalSetting | select SuffixSearchList"},
		{WF, N_("Add the missing DNS record, or use the server's fully qualified name."), NULL},
		{SC, N_("On a Samba server, see the names it answers to, to find the one the record should hold."),
		 "testparm -sv 2>/dev/null | grep -Ei 'netbios (name|aliases)|realm'"},
		{AF, N_("To test the server itself meanwhile, connect to its address and keep the name (for "
			"Kerberos and name checks)."),
		 "smbdiag probe //HOST/SHARE -I ADDRESS"}),
	REFS("RFC 1123 2.1", "MS-SMB2 3.2.4.2"),
},
{
	"tcp.timeout", SD_STEP_TCP, SD_SEV_ERROR,
	N_("No answer to the TCP connection attempt"),
	N_("The connection attempt (SYN) got no answer at all: a firewall drops the packets silently, the "
	   "address is wrong or unreachable, or routing sends the traffic elsewhere. Many networks and "
	   "providers block port 445 on purpose."),
	REMEDIES(
		{AC, N_("Check that the name resolves to the address you expect."), "getent hosts HOST"},
		{WC, N_("Test the port from a Windows client."), "Test-NetConnection HOST -Port 445"},
		{WC, N_("On a Windows server, check the firewall profiles and their default inbound action."),
		 "Get-NetFirewallProfile | select Name, Enabled, DefaultInboundAction"},
		{SC, N_("On a Samba server, check that smbd listens and that no packet filter drops port 445."),
		 "ss -ltnp 'sport = :445'; nft list ruleset"}),
	REFS("MS-SMB2 2.1 (transport: direct TCP port 445, NetBIOS port 139)"),
},
{
	"nbss.called_name_rejected", SD_STEP_NBSS, SD_SEV_ERROR,
	N_("NetBIOS session request refused (port 139)"),
	N_("On port 139 the client first sends a NetBIOS SESSION REQUEST naming the server (the called "
	   "name). The server answered NEGATIVE SESSION RESPONSE: it does not listen on that name (0x80, "
	   "0x82: the called name is not one of its NetBIOS names), not for the calling name (0x81), it "
	   "lacks resources (0x83), or an unspecified error (0x8F). Clients that connect by address often "
	   "send *SMBSERVER, which some servers refuse."),
	REMEDIES(
		{AF, N_("Connect with the server's NetBIOS name, or over direct TCP on port 445 where no called "
			"name is needed."), "smbclient -p 445 //HOST/SHARE"},
		{WC, N_("On a Windows server, list the NetBIOS names it has registered."), "nbtstat -n"},
		{SC, N_("On a Samba server, check its NetBIOS name, aliases and ports."),
		 "testparm -sv 2>/dev/null | grep -Ei 'netbios (name|aliases)|smb ports'"},
		{SF, N_("Let Samba answer to the name the clients use."), "netbios aliases = ALIAS"}),
	REFS("RFC 1002 4.3.4 (NEGATIVE SESSION RESPONSE)", "RFC 1001 16.1 (session service)",
	     "MS-SMB2 2.1"),
},
{
	"nbss.client_rejected", SD_STEP_NBSS, SD_SEV_ERROR,
	N_("The server refused this client before any SMB"),
	N_("The server answered with a NetBIOS negative session response, error 0x81 (not listening for the "
	   "calling name), and closed the connection: it refuses this client whatever it asks. Samba does "
	   "this when `hosts allow` or `hosts deny` exclude the client's address, on port 139 in answer to "
	   "the session request and on port 445 in answer to NEGOTIATE. smbclient reports it as "
	   "NT_STATUS_INVALID_NETWORK_RESPONSE (445) or as a failed session request (139), which does not "
	   "point at the cause."),
	REMEDIES(
		{SC, N_("On a Samba server, see which addresses it allows and denies, and look for the refusal in "
			"its log."),
		 "testparm -sv 2>/dev/null | grep -Ei 'hosts (allow|deny)'; grep -i 'denied' /var/log/samba/log.smbd"},
		{SF, N_("Add the client's address or network to hosts allow (or remove it from hosts deny), then "
			"reload."),
		 "hosts allow = 127.0.0.1 10.0.0.0/8; smbcontrol smbd reload-config"},
		{WC, N_("A Windows server does not answer this way: look for the device or NAS that does, and at "
			"the firewall scope of port 445 on the way."),
		 "Get-NetFirewallRule -DisplayGroup 'File and Printer Sharing' | Get-NetFirewallAddressFilter"}),
	REFS("RFC 1002 4.3.4 (NEGATIVE SESSION RESPONSE)", SD_REF_ART_NEGOTIATE),
},
/* ---- NEGOTIATE ---- */
{
	"negotiate.no_response", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("NEGOTIATE was delivered but never answered"),
	N_("The server's TCP stack acknowledged the NEGOTIATE request, so it arrived, but no SMB response "
	   "followed; the client gives up (Windows after 60 seconds) and resets the connection. The "
	   "article names antivirus software or another file-system filter driver on the server as the "
	   "usual cause; an outdated server (Windows Server 2008 R2 has a hotfix for it) can do the same. "
	   "A server also drops without answering a second NEGOTIATE on one connection or a request it "
	   "cannot parse."),
	REMEDIES(
		{WC, N_("On a Windows server, list the file-system filter drivers (antivirus, backup, "
			"encryption) attached to the volumes."), "fltmc instances"},
		{WF, N_("Update or temporarily disable the antivirus or filter driver and install current "
			"updates on client and server; then retry."), NULL},
		{SC, N_("On a Samba server, check the VFS modules (antivirus, audit) loaded for the shares."),
		 "testparm -sv 2>/dev/null | grep -i 'vfs objects'"},
		{SC, N_("Raise smbd's log level and watch the log while the client connects."),
		 "smbcontrol smbd debug 10"}),
	REFS(SD_REF_ART_NEGOTIATE, "MS-SMB2 3.3.5.4", "MS-SMB2 3.3.5.2 (messages dropped without a response)"),
},
{
	"negotiate.connection_closed", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("Server closed the connection right after NEGOTIATE"),
	N_("The server ended the connection instead of answering NEGOTIATE. Most often the client offered "
	   "only SMB1 (an SMB_COM_NEGOTIATE without the \"SMB 2.002\" or \"SMB 2.???\" dialect strings) to a "
	   "server on which SMB1 is disabled, so there is nothing to answer (MS-SMB2 3.3.5.3.2). Old "
	   "devices, scanners and Linux mounts with vers=1.0 do this. The reverse ends the same way: a "
	   "server that speaks only SMB1 (SMB2 turned off, Samba `server max protocol = NT1`) drops a client "
	   "that offers only SMB 2 and later."),
	REMEDIES(
		{WC, N_("On a Windows server, check which protocol versions are enabled."),
		 "Get-SmbServerConfiguration | select EnableSMB1Protocol,EnableSMB2Protocol"},
		{WF, N_("Update the client so that it speaks SMB 2 or later. Enabling SMB1 on the server is a "
			"last resort: it is insecure."), NULL},
		{SC, N_("On a Samba server, check the lowest and highest dialects it accepts."),
		 "testparm -sv 2>/dev/null | grep -Ei 'server (min|max) protocol'"},
		{SF, N_("Only if the client cannot be upgraded: let Samba accept SMB1."), "server min protocol = NT1"},
		{SF, N_("A Samba server that speaks only SMB1: let it speak SMB 2 and later again."),
		 "server max protocol = SMB3_11"},
		{AF, N_("For a Linux CIFS mount, ask for SMB 3."), "mount -t cifs -o vers=3.0 //HOST/SHARE /mnt"}),
	REFS(SD_REF_ART_NEGOTIATE, "MS-SMB2 3.3.5.3", "MS-SMB2 3.3.5.3.2"),
},
{
	"negotiate.no_common_dialect", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("Client and server share no SMB dialect"),
	N_("The server answered NEGOTIATE with STATUS_NOT_SUPPORTED (0xC00000BB): none of the dialects the "
	   "client offered is enabled on the server (MS-SMB2 3.3.5.4). Typically the server requires SMB 3 "
	   "(Samba `server min protocol = SMB3`) and the client offers only 2.0.2 or 2.1, or the client is "
	   "held below the server's minimum by a maximum-protocol setting. The other way round, a server "
	   "held at an old maximum (Samba `server max protocol = SMB2_02`) refuses a client that asks for "
	   "SMB 3."),
	REMEDIES(
		{WC, N_("On a Windows server, check which protocol versions are enabled."),
		 "Get-SmbServerConfiguration | select EnableSMB1Protocol,EnableSMB2Protocol"},
		{WC, N_("On a Windows client, see the dialects of working connections."),
		 "Get-SmbConnection | select ServerName, ShareName, Dialect"},
		{SC, N_("On a Samba server, check the lowest and highest dialects it accepts."),
		 "testparm -sv 2>/dev/null | grep -Ei 'server (min|max) protocol'"},
		{SF, N_("Lower the server's minimum to a dialect the client has, or better, upgrade the client."),
		 "server min protocol = SMB2_10"},
		{SF, N_("When the server's maximum is the one below the client's dialects, raise it."),
		 "server max protocol = SMB3_11"},
		{AF, N_("With smbclient, raise the maximum dialect the client offers."), "smbclient -m SMB3 //HOST/SHARE"}),
	REFS(SD_REF_ART_NEGOTIATE, "MS-SMB2 3.3.5.4", "MS-SMB2 2.2.3"),
},
{
	"negotiate.smb1_in_use", SD_STEP_NEGOTIATE, SD_SEV_WARNING,
	N_("SMB1 negotiated, or the only dialect offered"),
	N_("SMB1 (NT LM 0.12) is deprecated: it has no pre-authentication integrity, no encryption and weak "
	   "signing, and current Windows and Samba disable it by default. A connection that depends on it "
	   "breaks as soon as the server is updated."),
	REMEDIES(
		{WC, N_("On a Windows server, see whether SMB1 is enabled and audit who still uses it."),
		 "Get-SmbServerConfiguration | select EnableSMB1Protocol,AuditSmb1Access"},
		{WF, N_("Once no client needs it, disable SMB1."), "Set-SmbServerConfiguration -EnableSMB1Protocol $false"},
		{SC, N_("On a Samba server, check the lowest dialect it accepts."),
		 "testparm -sv 2>/dev/null | grep -Ei 'server min protocol'"},
		{SF, N_("Accept SMB 2 and later only."), "server min protocol = SMB2_02"}),
	REFS("MS-SMB2 3.3.5.3.1", "MS-SMB2 3.3.5.3.2"),
},
{
	"negotiate.validate_failed", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("VALIDATE_NEGOTIATE_INFO failed: connection dropped"),
	N_("After the first TREE_CONNECT an SMB 3.0 or 3.0.2 client sends a signed "
	   "FSCTL_VALIDATE_NEGOTIATE_INFO repeating what it offered in NEGOTIATE; the server compares it "
	   "with what it received, and the client compares the answer with the NEGOTIATE response. A "
	   "difference (dialects, GUID, security mode, capabilities), an unsigned answer or ACCESS_DENIED "
	   "ends the connection: a downgrade attempt, a middlebox (WAN optimizer, proxy) that rewrote "
	   "NEGOTIATE, or a server that implements the FSCTL wrongly."),
	REMEDIES(
		{AC, N_("Capture on both sides and compare the NEGOTIATE as sent with the NEGOTIATE as "
			"received."), "smbdiag analyze capture.pcapng"},
		{WC, N_("On a Windows client, check whether secure negotiate is enforced (do not turn it off "
			"to hide the problem)."),
		 "Get-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters "
		 "-Name RequireSecureNegotiate"},
		{WF, N_("Remove, bypass or update the middlebox that alters SMB traffic."), NULL},
		{SC, N_("On a Samba server, check the dialect limits it applies."),
		 "testparm -sv 2>/dev/null | grep -Ei 'server (min|max) protocol'"},
		{SF, N_("Update Samba; old versions answered the FSCTL inconsistently."), NULL}),
	REFS("MS-SMB2 3.3.5.15.12", "MS-SMB2 3.2.5.14.12", "MS-SMB2 2.2.31.4"),
},
{
	"negotiate.not_smb", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("Something other than an SMB server answered"),
	N_("The address and port took the connection, but what came back is not SMB: another service "
	   "listens there (SSH, a web server, a TLS proxy), a port forward or load balancer sends the "
	   "connection to the wrong place, or the port number is wrong. No SMB server took part in the "
	   "exchange."),
	REMEDIES(
		{AC, N_("Probe the port SMB uses (445, or 139 with NetBIOS)."), "smbdiag probe //HOST/SHARE -p 445"},
		{WC, N_("On a Windows server, see which process listens on the port."),
		 "Get-Process -Id (Get-NetTCPConnection -LocalPort 445 -State Listen).OwningProcess"},
		{SC, N_("On a Samba server, see which process listens on the port."), "ss -ltnp 'sport = :445'"},
		{AF, N_("Point the port forward or load balancer at the SMB server."), NULL}),
	REFS("MS-SMB2 2.1 (transport)", "MS-SMB2 2.2.1 (ProtocolId 0xFE 'SMB')"),
},
{
	"negotiate.invalid_response", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("The server's NEGOTIATE answer breaks rules that clients enforce"),
	N_("The server accepted NEGOTIATE, but its answer breaks a rule that MS-SMB2 3.2.5.2 gives clients: "
	   "it chose a dialect the client did not offer, announced MaxTransactSize, MaxReadSize or "
	   "MaxWriteSize below 64 KiB, or its SMB 3.1.1 negotiate contexts are missing, repeated, or choose "
	   "a hash, cipher or signing algorithm the client did not offer. Windows clients end the connection "
	   "right after such an answer, so the share fails from Windows while more lenient clients "
	   "(smbclient, scripts) may still get through. The fault is in the server's SMB implementation: "
	   "typically the firmware of an embedded device, a minimal or test server, or a setting that "
	   "shrinks the buffer sizes."),
	REMEDIES(
		{AC, N_("Read the answer field by field beside the request it answers."),
		 "tshark -r capture.pcapng -Y 'smb2.cmd == 0' -O smb2"},
		{WC, N_("On a Windows client, read the SMB client's connectivity log for the refused answer."),
		 "Get-WinEvent -LogName Microsoft-Windows-SMBClient/Connectivity -MaxEvents 20"},
		{AF, N_("Update the server's firmware or SMB software, or report the field and the rule to its "
			"vendor; clients cannot be told to accept such an answer."), NULL},
		{SC, N_("On a Samba server, check the buffer sizes it announces."),
		 "testparm -sv 2>/dev/null | grep -Ei 'smb2 max (read|write|trans)'"},
		{SF, N_("Remove the settings that shrink them below 64 KiB, or set at least 65536."),
		 "smb2 max trans = 8388608"}),
	REFS("MS-SMB2 3.2.5.2", "MS-SMB2 2.2.4", "MS-SMB2 2.2.4.1", SD_REF_ART_NEGOTIATE),
},
{
	"negotiate.different_servers", SD_STEP_NEGOTIATE, SD_SEV_WARNING,
	N_("The server's name leads to different SMB servers"),
	N_("Connections to one server name reached SMB servers that answer NEGOTIATE differently (another "
	   "ServerGuid, or another dialect, security mode or capabilities), or that give the same logon and "
	   "share another result. The name has several addresses (DNS round robin, a stale record, a load "
	   "balancer) that are not one server. An SMB 3.x client "
	   "remembers the server it first reached under a name and drops a later connection under that name "
	   "whose answer differs (MS-SMB2 3.2.1.9, 3.2.5.2), so reconnects and new sessions fail now and "
	   "then; a Kerberos ticket for cifs/<name> decrypts only on the server that holds that principal's "
	   "key; and shares and accounts may exist on one of the servers only. The symptom is a share that "
	   "works sometimes."),
	REMEDIES(
		{AC, N_("List the addresses the name resolves to."), "nslookup NAME"},
		{AC, N_("Probe each address under the name and compare the server GUIDs."),
		 "smbdiag probe //NAME/SHARE -I ADDRESS"},
		{WF, N_("Point the name at one server: remove the DNS records of the others, or give each server "
			"a name of its own; for a highly available share use a failover cluster's file server "
			"role rather than DNS round robin."),
		 "Get-DnsServerResourceRecord -ZoneName ZONE -Name NAME"},
		{SC, N_("On each Samba server, read its NetBIOS name: Samba derives its ServerGuid from it."),
		 "testparm -s --parameter-name='netbios name'"},
		{SF, N_("Serve one name from several Samba nodes only as a CTDB cluster, which presents them as "
			"one server; otherwise give each server its own DNS name."),
		 "clustering = yes"}),
	REFS("MS-SMB2 3.2.5.2", "MS-SMB2 3.2.1.9", SD_REF_ART_NEGOTIATE),
},
{
	"negotiate.other", SD_STEP_NEGOTIATE, SD_SEV_ERROR,
	N_("NEGOTIATE failed for a reason no other finding covers"),
	N_("The server refused NEGOTIATE with a status, or ended the connection instead of answering, and "
	   "none of the known causes fits the evidence. The evidence gives the status, what it means at "
	   "this step and its usual causes; the server's own log says which rule it applied."),
	REMEDIES(
		{AC, N_("Read what smbdiag knows about the status at this step."),
		 "smbdiag explain STATUS --step negotiate"},
		{WC, N_("On a Windows server, read the SMB server's operational log for that moment."),
		 "Get-WinEvent -LogName Microsoft-Windows-SMBServer/Operational -MaxEvents 20"},
		{SC, N_("On a Samba server, raise the log level and repeat the connection."),
		 "smbcontrol smbd debug 5; tail -f /var/log/samba/log.smbd"}),
	REFS(SD_REF_ART_NEGOTIATE, "MS-SMB2 3.3.5.4"),
},
/* ---- SESSION_SETUP ---- */
{
	"session.no_response", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("SESSION_SETUP never answered"),
	N_("The server received SESSION_SETUP but sent no response. The server may be waiting for its "
	   "domain controller (NTLM pass-through, PAC validation); the client may have failed to get a "
	   "Kerberos ticket for the server's cifs service name (look for errors on port 88 before the "
	   "request); a large Kerberos ticket sent unfragmented may exceed the server's size limit; or "
	   "signing may be broken, which matters most with older third-party devices."),
	REMEDIES(
		{WC, N_("On the client, list the Kerberos tickets: is there one for cifs/SERVER?"), "klist"},
		{WC, N_("On a Windows server, check its secure channel to the domain."), "nltest /sc_query:DOMAIN"},
		{WC, N_("Check the server's signing settings."),
		 "Get-SmbServerConfiguration | select RequireSecuritySignature,EnableSecuritySignature"},
		{SC, N_("On a Samba member server, check the trust with the domain controller."), "wbinfo -t"},
		{SC, N_("Check the security, realm and signing settings."),
		 "testparm -sv 2>/dev/null | grep -Ei '^\\s*(security|realm|workgroup|server signing) '"}),
	REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.5", "MS-SMB2 3.3.5.2"),
},
{
	"session.logon_failure", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Logon failure: wrong user name or password"),
	N_("The server's authentication package rejected the credentials in the SESSION_SETUP security "
	   "blob: STATUS_LOGON_FAILURE (0xC000006D) means a wrong password or an unknown user (Windows does "
	   "not say which), and is also the answer when an NTLM MIC or the domain controller's name checks "
	   "fail. Check the user and domain the client really sent: a local account needs the server's "
	   "name as domain, a domain account the domain's NetBIOS name or a UPN. With Kerberos, a server "
	   "that cannot decrypt the ticket answers LOGON_FAILURE too (see kerberos.ticket_rejected)."),
	REMEDIES(
		{WC, N_("On the Windows server or domain controller, read the failed logon events (4625) and "
			"their Status and Sub Status."),
		 "Get-WinEvent -FilterHashtable @{LogName='Security';Id=4625} -MaxEvents 5 | fl"},
		{WF, N_("Connect again naming domain and user explicitly."), "net use \\\\HOST\\SHARE /user:DOMAIN\\USER *"},
		{SC, N_("On a Samba server, check that the user exists in Samba's password database."),
		 "pdbedit -L -v -u USER"},
		{SF, N_("Set the user's Samba password (Samba does not use the Unix password) and enable the "
			"account."), "smbpasswd -a USER; smbpasswd -e USER"},
		{AC, N_("Try the same credentials with smbclient."), "smbclient -L //HOST -U 'DOMAIN\\USER'"}),
	REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.5.3", "MS-NLMP 3.2.5.1.2", "MS-APDS 3.1.5"),
},
{
	"session.account_restriction", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Account disabled, locked, expired or not allowed to log on here"),
	N_("The credentials are right but the account may not log on now: it is disabled "
	   "(STATUS_ACCOUNT_DISABLED), locked out, expired, its password expired or must be changed at next "
	   "logon, the time is outside its logon hours, it is restricted to other workstations, or a "
	   "policy forbids this logon (STATUS_ACCOUNT_RESTRICTION: blank password over the network, "
	   "Protected Users over NTLM; STATUS_LOGON_TYPE_NOT_GRANTED: no right to log on from the "
	   "network)."),
	REMEDIES(
		{WC, N_("Check the domain account's state."),
		 "Get-ADUser USER -Properties Enabled,LockedOut,AccountExpirationDate,PasswordExpired,LogonWorkstations"},
		{WC, N_("For a local account on a Windows server, check its state."), "net user USER"},
		{WF, N_("Unlock or enable the account."), "Unlock-ADAccount USER; Enable-ADAccount USER"},
		{SC, N_("On a Samba server, look at the account flags (D disabled, L locked) and password "
			"times."), "pdbedit -L -v -u USER"},
		{SF, N_("Enable the account and reset its bad-password count."), "smbpasswd -e USER; pdbedit -z -u USER"}),
	REFS("MS-APDS 3.1.5", "MS-SMB2 3.3.5.5.3", SD_REF_ART_SESSION),
},
{
	"session.encryption_required", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Server requires encryption and the client cannot encrypt"),
	N_("The server requires encryption for every session (EncryptData and RejectUnencryptedAccess both "
	   "true) and refused the first SESSION_SETUP with STATUS_ACCESS_DENIED (0xC0000022) before looking "
	   "at any credentials, because the client negotiated SMB 2.x, or SMB 3.x without the encryption "
	   "capability (MS-SMB2 3.3.5.5); Samba refuses on the last leg instead. Windows 7, Windows Server "
	   "2008 R2 and older cannot encrypt, nor can many NAS devices, printers and clients with encryption "
	   "turned off. A guest or anonymous (null) session has no key to encrypt with, so such a server "
	   "refuses it too, whatever the client can do."),
	REMEDIES(
		{WC, N_("On a Windows server, check whether encryption is required server-wide: EncryptData and "
			"RejectUnencryptedAccess both True means every session must be encrypted."),
		 "Get-SmbServerConfiguration | select Encrypt*, RejectUnencryptedAccess"},
		{WF, N_("Require encryption only on the shares that need it instead of the whole server."),
		 "Set-SmbServerConfiguration -EncryptData $false; Set-SmbShare -Name SHARE -EncryptData $true"},
		{WF, N_("Or upgrade the client to one that encrypts (Windows 8, Windows Server 2012 or later)."), NULL},
		{SC, N_("On a Samba server, check the encryption settings."),
		 "testparm -sv 2>/dev/null | grep -Ei 'smb encrypt'"},
		{SF, N_("Offer encryption without requiring it for everyone (Samba 4.14 and later; older "
			"versions use `smb encrypt` in [global])."), "server smb encrypt = desired"},
		{AF, N_("With smbclient, ask for SMB 3 and encryption."), "smbclient -e -m SMB3 //HOST/SHARE"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.5", "MS-SMB2 2.2.3 (SMB2_GLOBAL_CAP_ENCRYPTION)"),
},
{
	"session.name_hardening", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Server refused the server name the client asked for (SPN target name validation)"),
	N_("The server compares the service name in the client's authentication (NTLM MsvAvTargetName, "
	   "normally cifs/<name as typed>, or the Kerberos ticket's service name) with its own names. With "
	   "SmbServerNameHardeningLevel 1 or 2 a name that does not match (an alias, a DNS CNAME, an "
	   "address missing from its list) or, at level 2, a missing target name is refused with "
	   "STATUS_ACCESS_DENIED on the last SESSION_SETUP leg although the password is right; the server "
	   "logs Security event 5168."),
	REMEDIES(
		{WC, N_("On a Windows server, read the hardening level (0 off, 1 checked when given, 2 "
			"required)."), "Get-ItemProperty " LANMAN_PARAMS " -Name SmbServerNameHardeningLevel"},
		{WC, N_("Read the SPN check failures (event 5168) to see the name the client sent."),
		 "Get-WinEvent -FilterHashtable @{LogName='Security';Id=5168} -MaxEvents 5 | fl"},
		{WF, N_("Add the alias to SrvAllowedServerNames, or, to test as the article suggests, turn the "
			"check off."),
		 "Set-ItemProperty -Path " LANMAN_PARAMS " -Name SmbServerNameHardeningLevel -Value 0"},
		{AF, N_("Connect with the server's real NetBIOS or DNS name."), NULL},
		{SC, N_("Samba does not apply this policy; if Samba is the server, check the names it answers "
			"to and its keytab instead."), "testparm -sv 2>/dev/null | grep -Ei 'netbios (name|aliases)'"}),
	REFS(SD_REF_ART_SESSION, "MS-NLMP 3.1.5.1.2 (MsvAvTargetName)", "MS-NLMP 3.2.5.1.2"),
},
{
	"session.signing_mismatch", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Signing required on one side and missing or invalid on the other"),
	N_("One side requires SMB signing and the other does not sign, or the signatures do not verify. A "
	   "server that requires signing answers unsigned requests after SESSION_SETUP with "
	   "STATUS_ACCESS_DENIED (MS-SMB2 3.3.5.2.4); a client that requires it drops the session when "
	   "responses are unsigned or badly signed (a 3.1.1 client fails when the final SESSION_SETUP "
	   "response is not signed). Wrong keys show up the same way. The article stresses older "
	   "third-party devices."),
	REMEDIES(
		{WC, N_("On a Windows server, check whether signing is required (and whether SMB1 is on)."),
		 "Get-SmbServerConfiguration | select RequireSecuritySignature,EnableSMB1Protocol"},
		{WC, N_("On a Windows client, check its signing requirement."),
		 "Get-SmbClientConfiguration | select RequireSecuritySignature,EnableSecuritySignature"},
		{WF, N_("Update the device that signs wrongly; relax the requirement only as a last resort."),
		 "Set-SmbServerConfiguration -RequireSecuritySignature $false"},
		{SC, N_("On a Samba server, check the signing settings."),
		 "testparm -sv 2>/dev/null | grep -Ei '(server|client) signing'"},
		{SF, N_("Make both sides agree, for example let Samba sign when the client asks."),
		 "server signing = auto"}),
	REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.2.4", "MS-SMB2 3.2.5.3.1", "MS-SMB2 3.1.5.1"),
},
{
	"session.anonymous_denied", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Anonymous (null) session refused"),
	N_("The client logged on without credentials (empty NTLM user and response). The server refuses "
	   "anonymous sessions, or accepts the session but drops the connection at TREE_CONNECT "
	   "(AllowAnonymousAccess false, MS-SMB2 3.3.5.2.9). Current Windows allows anonymous access only "
	   "to IPC$ with restrictions; Samba only with guest-enabled shares."),
	REMEDIES(
		{WC, N_("On a Windows server, check the anonymous-access restrictions."),
		 "Get-ItemProperty " LSA_KEY " | select RestrictAnonymous,RestrictAnonymousSAM,EveryoneIncludesAnonymous"},
		{WF, N_("Give the client an account with access to the share."), NULL},
		{SC, N_("On a Samba server, check the anonymous and guest settings."),
		 "testparm -sv 2>/dev/null | grep -Ei 'restrict anonymous|map to guest|guest ok'"},
		{SF, N_("For a public share, allow guest access explicitly."), "guest ok = yes"},
		{AF, N_("Connect with a user name."), "smbclient //HOST/SHARE -U USER"}),
	REFS("MS-SMB2 3.3.5.2.9", "MS-NLMP 3.2.5.1.2", SD_REF_ART_SESSION),
},
{
	"session.guest_fallback", SD_STEP_SESSION_SETUP, SD_SEV_WARNING,
	N_("Logged on as guest"),
	N_("The server could not verify the credentials and mapped the logon to the guest account "
	   "(SessionFlags IS_GUEST): the user is unknown to the server and guest is enabled (Samba `map to "
	   "guest = bad user`), the password was wrong and the server maps bad passwords to guest (Samba "
	   "`map to guest = bad password`), or the client asked for guest. A guest session can be neither signed nor "
	   "encrypted, so current Windows clients refuse it (error 1272, insecure guest logon blocked), and "
	   "the user sees only what guest may see."),
	REMEDIES(
		{WC, N_("On a Windows client, check whether insecure guest logons are allowed."),
		 "Get-SmbClientConfiguration | select EnableInsecureGuestLogons,RequireSecuritySignature"},
		{WF, N_("Use a real account on the server rather than enabling insecure guest logons."), NULL},
		{SC, N_("On a Samba server, check how unknown users are mapped."),
		 "testparm -sv 2>/dev/null | grep -Ei 'map to guest|guest ok|guest account'"},
		{SF, N_("Stop mapping unknown users to guest, and create the user."),
		 "map to guest = never"}),
	REFS("MS-SMB2 3.2.5.3.1", "MS-SMB2 3.3.5.5.3", "MS-NLMP 3.2.5.1.2"),
},
{
	"session.ntlm_used", SD_STEP_SESSION_SETUP, SD_SEV_INFO,
	N_("NTLM used instead of Kerberos"),
	N_("The session authenticated with NTLM. A Windows client uses NTLM when the path holds an IP "
	   "address, when it has no Kerberos ticket (not domain-joined, KDC unreachable, local account), "
	   "when the KDC knows no cifs/<name> service principal (often a DNS CNAME alias), or when the "
	   "server offers only NTLMSSP. NTLM works, but it is weaker, cannot be delegated and may be "
	   "blocked by policy."),
	REMEDIES(
		{AF, N_("Use the server's DNS name, not its address, in the path."), NULL},
		{WC, N_("Check that a service principal exists for the name used."), "setspn -Q cifs/NAME"},
		{WF, N_("Register the alias as a service principal of the server's account."),
		 "setspn -S cifs/alias host"},
		{SC, N_("On a Samba member server, list the service principals it has."), "net ads setspn list"},
		{SF, N_("Register the alias and refresh the keytab."),
		 "net ads setspn add cifs/ALIAS; net ads keytab create"}),
	REFS("MS-KILE 3.1.5.11", "MS-SPNG 3.2.5.2", SD_REF_ART_SESSION),
},
{
	"session.ntlmv1", SD_STEP_SESSION_SETUP, SD_SEV_WARNING,
	N_("NTLMv1 or LM response used"),
	N_("The client answered the NTLM challenge with an NTLMv1 or LM response (24-byte responses instead "
	   "of NTLMv2). These can be cracked, and current Windows (LmCompatibilityLevel) and Samba "
	   "(`ntlm auth = ntlmv2-only` since 4.5) refuse them by default, so the logon fails when the "
	   "server side is updated."),
	REMEDIES(
		{WC, N_("On the Windows client and the domain controller, read LmCompatibilityLevel."),
		 "Get-ItemProperty " LSA_KEY " -Name LmCompatibilityLevel"},
		{WF, N_("Send NTLMv2 only."), "Set-ItemProperty -Path " LSA_KEY " -Name LmCompatibilityLevel -Value 5"},
		{SC, N_("On a Samba server, check which NTLM responses it accepts."),
		 "testparm -sv 2>/dev/null | grep -Ei 'ntlm auth|lanman auth'"},
		{SF, N_("Accept NTLMv2 only, after updating the old clients."), "ntlm auth = ntlmv2-only"}),
	REFS("MS-NLMP 3.3.1", "MS-NLMP 3.3.2"),
},
{
	"session.other", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("SESSION_SETUP failed for a reason no other finding covers"),
	N_("The server refused SESSION_SETUP with a status, or ended the connection instead of answering, "
	   "and none of the known causes (credentials, account state, encryption, name hardening, signing, "
	   "Kerberos) fits the evidence. The evidence gives the status, what it means at this step and its "
	   "usual causes; the server's security and SMB logs say which rule it applied."),
	REMEDIES(
		{AC, N_("Read what smbdiag knows about the status at this step."),
		 "smbdiag explain STATUS --step session"},
		{WC, N_("On a Windows server, read the SMB server's operational and security logs for that "
			"moment."),
		 "Get-WinEvent -LogName Microsoft-Windows-SMBServer/Operational -MaxEvents 20"},
		{SC, N_("On a Samba server, raise the log level for authentication and repeat the logon."),
		 "smbcontrol smbd debug 'all:1 auth:5'; tail -f /var/log/samba/log.smbd"}),
	REFS(SD_REF_ART_SESSION, "MS-SMB2 3.3.5.5"),
},
/* ---- Kerberos (part of SESSION_SETUP) ---- */
{
	"kerberos.preauth_required", SD_STEP_SESSION_SETUP, SD_SEV_INFO,
	N_("KDC asked for pre-authentication (normal)"),
	N_("KDC_ERR_PREAUTH_REQUIRED (25) is the KDC's normal answer to a first AS-REQ without "
	   "pre-authentication data; the client then retries with an encrypted timestamp. As the article "
	   "says, errors during Kerberos pre-authentication are normal; only errors after it cause SMB "
	   "problems."),
	REMEDIES(
		{WC, N_("Nothing to fix. To see the tickets the client obtained afterwards:"), "klist"},
		{SC, N_("Nothing to fix. With MIT or Heimdal Kerberos, get and list a ticket:"), "kinit USER; klist"}),
	REFS(SD_REF_ART_SESSION, "RFC 4120 7.5.9 (error 25)", "RFC 4120 5.2.7.2 (PA-ENC-TIMESTAMP)"),
},
{
	"kerberos.spn_unknown", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("KDC does not know the server's service name (cifs SPN missing)"),
	N_("The KDC answered the TGS-REQ for cifs/<name> with KDC_ERR_S_PRINCIPAL_UNKNOWN (7): no account "
	   "owns that service principal name. Usually the client used a DNS CNAME alias or another name "
	   "that was never registered, an IP address, or a misspelled name; or the server is not joined to "
	   "the domain. Windows asks for cifs/<name as typed in the path>, not for the canonical name behind "
	   "a CNAME (MIT Kerberos clients canonicalise through DNS unless dns_canonicalize_hostname = false, "
	   "so they may succeed where Windows fails). Windows then falls back to NTLM if it may, which hides "
	   "the problem until NTLM is restricted."),
	REMEDIES(
		{WC, N_("Find the account that owns the name, if any."), "setspn -Q cifs/NAME"},
		{WC, N_("List the service principals of the server's computer account."), "setspn -L HOST"},
		{WF, N_("Register the alias (short and fully qualified) on the server's computer account."),
		 "setspn -S cifs/alias host"},
		{WF, N_("Or make the alias a name of the server's computer: its SPNs, its DNS record and the "
			"server's acceptance of the name come together."),
		 "netdom computername HOST /add:alias.contoso.com"},
		{SC, N_("On a Samba member server, list the service principals it has."), "net ads setspn list"},
		{SF, N_("Register the alias, refresh the keytab and let Samba answer to the name."),
		 "net ads setspn add cifs/ALIAS; net ads keytab create"},
		{SF, N_("On a Samba AD domain controller, add the name to the server's account."),
		 "samba-tool spn add cifs/ALIAS HOST$"}),
	REFS(SD_REF_ART_SESSION, "MS-KILE 3.3.5.1.1", "RFC 4120 7.5.9 (error 7)"),
},
{
	"kerberos.clock_skew", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Clock skew too great (KRB_AP_ERR_SKEW)"),
	N_("The client's clock differs from the KDC's or the server's by more than the allowed skew (5 "
	   "minutes by default), so the KDC or the SMB server refused the Kerberos request (error 37, "
	   "STATUS_TIME_DIFFERENCE_AT_DC; or 33, KRB_AP_ERR_TKT_NYV, when the server's clock lags so far "
	   "behind the KDC's that a fresh ticket is not yet valid). Time synchronisation is broken on one "
	   "of the machines, or a virtual machine was restored from a snapshot."),
	REMEDIES(
		{WC, N_("On Windows, check the time source and the last synchronisation."), "w32tm /query /status"},
		{WF, N_("Synchronise the clock now."), "w32tm /resync"},
		{SC, N_("On Linux, check the time synchronisation."), "chronyc tracking"},
		{SF, N_("Step the clock to the time source."), "chronyc makestep"}),
	REFS("RFC 4120 7.5.9 (error 37)", "MS-KILE 3.4.5", "MS-KILE 2.2.2 (KERB-ERROR-DATA skew recovery)"),
},
{
	"kerberos.preauth_failed", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Kerberos pre-authentication failed: wrong password"),
	N_("The KDC could not decrypt the pre-authentication timestamp with the key it holds for the user "
	   "(KDC_ERR_PREAUTH_FAILED, 24; MIT KDCs answer KRB_AP_ERR_BAD_INTEGRITY, 31, to the AS-REQ): the "
	   "password is wrong, or an old password is cached (a mapped drive, the credential manager, a "
	   "service). For an account that does not require pre-authentication the KDC answers without "
	   "checking, and the client finds the password wrong when the KDC's AS-REP does not decrypt with it. "
	   "Each failure counts toward account lockout."),
	REMEDIES(
		{WC, N_("Check the account's bad-password count and lockout state."),
		 "Get-ADUser USER -Properties badPwdCount,LockedOut,PasswordLastSet"},
		{WC, N_("List the credentials the client has stored."), "cmdkey /list"},
		{WF, N_("Remove stale tickets and stored credentials, then log on again."), "klist purge"},
		{SC, N_("With MIT or Heimdal Kerberos, test the password."), "kinit USER@REALM"},
		{SF, N_("On a Samba AD domain controller, reset the password."), "samba-tool user setpassword USER"}),
	REFS("RFC 4120 7.5.9 (error 24)", "MS-KILE 3.3.5.6", SD_REF_ART_SESSION),
},
{
	"kerberos.client_unknown", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("KDC does not know the user (KDC_ERR_C_PRINCIPAL_UNKNOWN)"),
	N_("The user principal in the AS-REQ is not in the realm: a misspelled name, a local account name "
	   "sent to the domain's KDC, the wrong realm, or a UPN suffix the directory does not have (error "
	   "6). The client cannot build an AP-REQ; it may fall back to NTLM and then fail with "
	   "LOGON_FAILURE."),
	REMEDIES(
		{WC, N_("Look the user up in the directory."), "Get-ADUser -Filter \"SamAccountName -eq 'USER'\""},
		{WC, N_("On the client, show the name it logs on with."), "whoami /upn"},
		{SC, N_("With MIT or Heimdal Kerberos, test the principal and realm."), "kinit USER@REALM"},
		{SC, N_("On a Samba AD domain controller, look the user up."), "samba-tool user show USER"}),
	REFS("RFC 4120 7.5.9 (error 6)", "MS-KILE 3.3.5.6.1"),
},
{
	"kerberos.client_revoked", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("User account disabled, locked or restricted (KDC_ERR_CLIENT_REVOKED)"),
	N_("The KDC refused the user (error 18): the account is disabled, locked out, expired or outside "
	   "its logon hours. The KERB-EXT-ERROR in the error's e-data names the precise reason, for example "
	   "STATUS_ACCOUNT_DISABLED or STATUS_ACCOUNT_LOCKED_OUT."),
	REMEDIES(
		{WC, N_("Check the domain account's state."),
		 "Get-ADUser USER -Properties Enabled,LockedOut,AccountExpirationDate,LogonHours"},
		{WF, N_("Unlock or enable the account."), "Unlock-ADAccount USER; Enable-ADAccount USER"},
		{SC, N_("On a Samba AD domain controller, show the account."), "samba-tool user show USER"},
		{SF, N_("Enable the account on a Samba AD domain controller (MIT KDC: kadmin.local modprinc "
			"-unlock USER)."), "samba-tool user enable USER"}),
	REFS("RFC 4120 7.5.9 (error 18)", "MS-KILE 3.3.5.6.3", "MS-KILE 2.2.1 (KERB-EXT-ERROR)"),
},
{
	"kerberos.key_expired", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Password expired (KDC_ERR_KEY_EXPIRED)"),
	N_("The user's password has expired or must be changed at next logon (error 23); the KDC issues "
	   "no ticket until it is changed."),
	REMEDIES(
		{WC, N_("Check when the password was set and whether it expired."),
		 "Get-ADUser USER -Properties PasswordExpired,PasswordLastSet"},
		{WF, N_("Change the password (Ctrl+Alt+Del on a domain computer), or reset it."),
		 "Set-ADAccountPassword USER -Reset"},
		{SC, N_("On an MIT KDC, show the principal's password expiration."), "kadmin.local getprinc USER"},
		{SF, N_("Change the password."), "kpasswd USER"}),
	REFS("RFC 4120 7.5.9 (error 23)", "MS-KILE 3.3.5.6.3"),
},
{
	"kerberos.etype_unsupported", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("No common Kerberos encryption type (KDC_ERR_ETYPE_NOSUPP)"),
	N_("The KDC has no key for the user or the service in an encryption type the client asked for "
	   "(error 14): a DES- or RC4-only account after RC4 was turned off, a service account without AES "
	   "keys (password not reset since AES was enabled), msDS-SupportedEncryptionTypes limited on one "
	   "side, or a client that allows only types the account has no key of. A client may find it alone: "
	   "when the KDC's KDC_ERR_PREAUTH_REQUIRED names no key of a type the client asked for (no "
	   "ETYPE-INFO2), MIT Kerberos says only \"Generic preauthentication failure\"."),
	REMEDIES(
		{WC, N_("Check which encryption types the server's account supports."),
		 "Get-ADComputer HOST -Properties msDS-SupportedEncryptionTypes"},
		{WF, N_("Allow AES, then reset the account's password so that AES keys exist."),
		 "Set-ADComputer HOST -KerberosEncryptionType AES128,AES256"},
		{SC, N_("On a Samba server, list the encryption types in its keytab."), "klist -ke /etc/krb5.keytab"},
		{SC, N_("On an MIT Kerberos client, check which encryption types it allows."),
		 "grep -E 'permitted_enctypes|default_tkt_enctypes|default_tgs_enctypes' /etc/krb5.conf"},
		{SF, N_("Recreate the keytab after the account has AES keys."), "net ads keytab create"}),
	REFS("RFC 4120 7.5.9 (error 14)", "MS-KILE 3.3.5.6", "MS-KILE 3.3.5.7"),
},
{
	"kerberos.ticket_rejected", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("SMB server could not decrypt the Kerberos ticket"),
	N_("The KDC issued a service ticket for cifs/<name>, but the SMB server could not decrypt it "
	   "(KRB_AP_ERR_MODIFIED 41 or KRB_AP_ERR_BAD_INTEGRITY 31 from the server in answer to the AP-REQ, "
	   "or a plain STATUS_LOGON_FAILURE; the same codes from a KDC mean a wrong password or a TGT the KDC "
	   "cannot read): the ticket is encrypted with a key the server does not hold. The name is "
	   "registered on another account (duplicate SPN, alias on the wrong computer), the server's "
	   "keytab is stale (its key version is behind the KDC's after a password change), or the machine "
	   "account password is out of sync."),
	REMEDIES(
		{WC, N_("Look for duplicate service principal names."), "setspn -X"},
		{WC, N_("Find the account that owns the name."), "setspn -Q cifs/NAME"},
		{WF, N_("On a Windows server, repair the machine account's secure channel."),
		 "Test-ComputerSecureChannel -Repair"},
		{SC, N_("On a Samba server, compare the key versions in the keytab with the KDC's."),
		 "klist -k /etc/krb5.keytab; kvno cifs/NAME"},
		{SF, N_("Recreate the keytab from the current machine password."), "net ads keytab create"},
		{SC, N_("Check which keytab smbd uses."),
		 "testparm -sv 2>/dev/null | grep -Ei 'kerberos method|dedicated keytab file'"}),
	REFS("MS-KILE 3.4.5", "RFC 4120 7.5.9 (errors 31, 41)", "RFC 4120 3.2.3"),
},
{
	"kerberos.other", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("Kerberos failed for another reason"),
	N_("The KDC or the server refused a Kerberos request for a reason no more specific finding covers "
	   "(a missing cross-realm trust, a TGT the KDC will not renew, a policy), or the client's own "
	   "Kerberos library gave up before any KDC refused: no password and no TGT in the credential cache, "
	   "a TGT that expired in the cache, a cache that holds another user's TGT. Errors after "
	   "pre-authentication are the ones that break SMB (article); the evidence gives the error code and "
	   "its e-data (a KERB-EXT-ERROR with an NTSTATUS) or the library's own words, and what to do."),
	REMEDIES(
		{WC, N_("Ask for the server's ticket explicitly and read the error."), "klist get cifs/HOST"},
		{AC, N_("Show whose tickets the credential cache holds, and until when."), "klist"},
		{WC, N_("Read the Kerberos events of the client's System log."),
		 "Get-WinEvent -FilterHashtable @{LogName='System';ProviderName='Microsoft-Windows-Security-Kerberos'} -MaxEvents 10"},
		{SC, N_("With MIT Kerberos, trace the exchange."), "KRB5_TRACE=/dev/stderr kvno cifs/HOST"}),
	REFS(SD_REF_ART_SESSION, "RFC 4120 7.5.9", "MS-KILE 3.3.5"),
},
{
	"kerberos.kdc_unreachable", SD_STEP_SESSION_SETUP, SD_SEV_ERROR,
	N_("No answer from the KDC"),
	N_("The client asked a KDC for a ticket (port 88) and no answer came: nothing listens there (ICMP "
	   "port unreachable, a TCP reset), a firewall drops the traffic, or the client's configuration "
	   "(DNS SRV records, krb5.conf) names a wrong or retired KDC, or none at all for the realm. The "
	   "client then gave up on Kerberos without sending its SESSION_SETUP (or fell back to NTLM where it "
	   "may)."),
	REMEDIES(
		{WC, N_("Find the KDC the client uses and check that it answers on port 88."),
		 "nltest /dsgetdc:DOMAIN /kdc; Test-NetConnection DC -Port 88"},
		{WC, N_("Check the KDC records in DNS."), "nslookup -type=srv _kerberos._tcp.REALM"},
		{SC, N_("With MIT Kerberos, watch which KDC is tried and what happens."),
		 "KRB5_TRACE=/dev/stderr kinit USER@REALM"},
		{SC, N_("Check the KDCs named for the realm."), "grep -A4 '\\[realms\\]' /etc/krb5.conf"},
		{SF, N_("On the KDC, make sure it listens on UDP and TCP port 88."), "ss -lun 'sport = :88'; ss -ltn 'sport = :88'"},
		{SF, N_("When the evidence says administratively prohibited (or the KDC stays silent), let UDP and TCP "
			"port 88 through the firewalls between the client and the KDC."),
		 "nft list ruleset | grep -n -w 88"}),
	REFS(SD_REF_ART_SESSION, "RFC 4120 7.2.1", "RFC 4120 7.2.3"),
},
/* ---- TREE_CONNECT ---- */
{
	"tree.bad_network_name", SD_STEP_TREE_CONNECT, SD_SEV_ERROR,
	N_("Share not found (STATUS_BAD_NETWORK_NAME)"),
	N_("The server has no share by that name for the server name used: the share name is misspelled, "
	   "the share was removed or renamed, or it exists only under another server name (scoped shares "
	   "on clusters). Samba also answers BAD_NETWORK_NAME when the share's folder does not exist or "
	   "cannot be reached (its log says canonicalize_connect_path failed)."),
	REMEDIES(
		{WC, N_("On a Windows server, list the shares, their scope names and folders."),
		 "Get-SmbShare | select Name, ScopeName, Path"},
		{WC, N_("From a Windows client, list the shares the server offers."), "net view \\\\HOST /all"},
		{SC, N_("On a Samba server, list the shares defined in smb.conf."), "testparm -s"},
		{SC, N_("List the shares over the network."), "smbclient -L //HOST -U USER"},
		{SF, N_("Create the missing folder or correct the share's path."), "path = /srv/SHARE"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7", "MS-SRVS 3.1.6.8"),
},
{
	"tree.access_denied", SD_STEP_TREE_CONNECT, SD_SEV_ERROR,
	N_("Access to the share denied (share or file-system permissions)"),
	N_("The server refused TREE_CONNECT with STATUS_ACCESS_DENIED for this user: the share permissions "
	   "or the NTFS (file-system) permissions on the shared folder do not grant the account access, or "
	   "the disk or folder behind the share is missing or unavailable. The user needs both share and "
	   "file-system permissions (article). The encryption policy gives the same status: see "
	   "tree.encryption_required."),
	REMEDIES(
		{WC, N_("On a Windows server, read the share permissions."), "Get-SmbShareAccess -Name SHARE"},
		{WC, N_("Read the NTFS permissions of the shared folder, and check that it exists."),
		 "icacls (Get-SmbShare -Name SHARE).Path"},
		{WF, N_("Grant the user or its group access to the share (and to the folder)."),
		 "Grant-SmbShareAccess -Name SHARE -AccountName DOMAIN\\USER -AccessRight Change"},
		{SC, N_("On a Samba server, read the share's definition (valid users, invalid users, hosts "
			"allow, hosts deny, path)."), "testparm -s --section-name=SHARE"},
		{SC, N_("Check the folder's owner, mode and ACL."), "ls -ld /srv/SHARE; getfacl /srv/SHARE"},
		{SF, N_("Let the user in."), "valid users = USER @GROUP"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7"),
},
{
	"tree.folder_unavailable", SD_STEP_TREE_CONNECT, SD_SEV_WARNING,
	N_("The share connects, but its folder cannot be used"),
	N_("TREE_CONNECT succeeded, then the server refused the next request on the share. Samba checks "
	   "that the user can enter the share's folder on every request, so a folder that is missing, moved "
	   "or closed to the user (its mode, owner or ACL) shows up only after TREE_CONNECT; a Windows server "
	   "checks the folder's NTFS permissions when a file is opened. Clients list nothing or fail on the "
	   "first file operation with STATUS_ACCESS_DENIED (the article: permissions, folder missing)."),
	REMEDIES(
		{WC, N_("On a Windows server, read the NTFS permissions of the shared folder, and check that it "
			"exists."),
		 "icacls (Get-SmbShare -Name SHARE).Path"},
		{WF, N_("Grant the user or its group read access to the folder."),
		 "icacls PATH /grant DOMAIN\\USER:(OI)(CI)RX"},
		{SC, N_("On a Samba server, check the share's path and that the user can enter it."),
		 "testparm -s --section-name=SHARE; ls -ld /srv/SHARE; getfacl /srv/SHARE"},
		{SF, N_("Let the user (or the account the share forces) enter the folder."),
		 "setfacl -m u:USER:rx /srv/SHARE"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7", "MS-SMB2 3.3.5.9"),
},
{
	"tree.encryption_required", SD_STEP_TREE_CONNECT, SD_SEV_ERROR,
	N_("Share requires encryption and the client cannot encrypt"),
	N_("The share (or the whole server) has EncryptData set and the server rejects unencrypted access "
	   "(RejectUnencryptedAccess), but this connection cannot be encrypted: the client negotiated SMB "
	   "2.x, SMB 3.0 or 3.0.2 without the encryption capability, or 3.1.1 without a common cipher. The "
	   "server answers TREE_CONNECT with STATUS_ACCESS_DENIED (MS-SMB2 3.3.5.7). Windows 8, Windows "
	   "Server 2012 and later can encrypt; Windows 7, Windows Server 2008 R2 and older cannot; Samba "
	   "clients and third-party devices may not."),
	REMEDIES(
		{WC, N_("On a Windows server, check the server-wide settings: EncryptData and "
			"RejectUnencryptedAccess both True means encryption is required."),
		 "Get-SmbServerConfiguration | select Encrypt*, RejectUnencryptedAccess"},
		{WC, N_("Check which shares require encryption."), "Get-SmbShare | select Name, EncryptData"},
		{WF, N_("If some clients cannot encrypt, stop requiring it on this share, or upgrade those "
			"clients."), "Set-SmbShare -Name SHARE -EncryptData $false"},
		{WF, N_("Or let clients that cannot encrypt in without encryption (weaker)."),
		 "Set-SmbServerConfiguration -EncryptData $true -RejectUnencryptedAccess $false"},
		{SC, N_("On a Samba server, check the share's and the server's encryption settings."),
		 "testparm -sv 2>/dev/null | grep -Ei 'smb encrypt'"},
		{SF, N_("Offer encryption on the share without requiring it (`server smb encrypt` is the "
			"global setting in Samba 4.14 and later)."), "smb encrypt = desired"},
		{AF, N_("With smbclient, ask for SMB 3 and encryption."), "smbclient -e -m SMB3 //HOST/SHARE"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7", "MS-SMB2 2.2.10 (SMB2_SHAREFLAG_ENCRYPT_DATA)"),
},
{
	"tree.unsigned_disconnect", SD_STEP_TREE_CONNECT, SD_SEV_ERROR,
	N_("Unsigned SMB 3.1.1 TREE_CONNECT: server dropped the connection"),
	N_("With dialect 3.1.1 a client must sign (or encrypt) TREE_CONNECT even when signing is not "
	   "required; a server following MS-SMB2 3.3.5.7 closes the connection when the request is neither "
	   "signed nor encrypted (guest and anonymous sessions excepted), without an answer or, like Samba, "
	   "after answering STATUS_ACCESS_DENIED. A client with "
	   "a broken signing implementation, or one told not to sign, causes this."),
	REMEDIES(
		{WC, N_("On a Windows client, check its signing settings."),
		 "Get-SmbClientConfiguration | select RequireSecuritySignature,EnableSecuritySignature"},
		{WF, N_("Update the client; until then, limit it to SMB 3.0.2."), NULL},
		{SC, N_("On a Samba server, check the signing and dialect settings."),
		 "testparm -sv 2>/dev/null | grep -Ei 'server (signing|max protocol)'"},
		{SF, N_("As a workaround for a client that cannot be fixed, cap the dialect."),
		 "server max protocol = SMB3_02"}),
	REFS("MS-SMB2 3.3.5.7", "MS-SMB2 3.2.4.2.4"),
},
{
	"tree.other", SD_STEP_TREE_CONNECT, SD_SEV_ERROR,
	N_("TREE_CONNECT failed for a reason no other finding covers"),
	N_("The server refused TREE_CONNECT with a status other than STATUS_BAD_NETWORK_NAME or "
	   "STATUS_ACCESS_DENIED, or ended the connection instead of answering, and none of the known "
	   "causes fits the evidence. The evidence gives the status, what it means at this step and its "
	   "usual causes; the server's own log says which rule it applied."),
	REMEDIES(
		{AC, N_("Read what smbdiag knows about the status at this step."),
		 "smbdiag explain STATUS --step tree"},
		{WC, N_("On a Windows server, read the SMB server's operational log for that moment."),
		 "Get-WinEvent -LogName Microsoft-Windows-SMBServer/Operational -MaxEvents 20"},
		{SC, N_("On a Samba server, raise the log level and repeat the connection."),
		 "smbcontrol smbd debug 5; tail -f /var/log/samba/log.smbd"}),
	REFS(SD_REF_ART_TREE, "MS-SMB2 3.3.5.7"),
},
};

const size_t sd_catalog_rows_count = sizeof(sd_catalog_rows) / sizeof(sd_catalog_rows[0]);
