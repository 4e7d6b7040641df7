/* A minimal blocking driver around the core client state machine, for the
 * interop tests only (the product's probe drives it with libuv): connects,
 * runs the client to the end and prints its result as key=value lines.
 *
 * usage: smb2_client_run HOST PORT SERVER_NAME SHARE USER PASSWORD
 *            [--dialect 3.1.1]... [--signing off|on|required] [--encrypt]
 *            [--no-encryption] [--cipher ID]... [--anonymous] [--list-shares]
 */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/proto/client.h"
#include "core/wire/names.h"
#include "net/os_ctx.h"

static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints = {0}, *res, *ai;
	int fd = -1;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
run(struct smb2_client *c, int fd, int timeout_ms)
{
	uint8_t buf[65536];

	if (smb2_client_start(c, net_os_monotonic_us()) != SD_OK)
		return -1;
	while (smb2_client_state(c) != SMB2C_DONE && smb2_client_state(c) != SMB2C_FAILED) {
		const uint8_t *out;
		size_t n = smb2_client_output(c, &out);
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t got;

		if (n > 0) {
			ssize_t sent = send(fd, out, n, MSG_NOSIGNAL);

			if (sent < 0) {
				smb2_client_eof(c, net_os_monotonic_us());
				break;
			}
			smb2_client_output_done(c, (size_t)sent, net_os_monotonic_us());
			continue;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0) {
			fprintf(stderr, "timeout waiting for the server\n");
			return -1;
		}
		got = recv(fd, buf, sizeof(buf), 0);
		if (got <= 0) {
			smb2_client_eof(c, net_os_monotonic_us());
			break;
		}
		smb2_client_input(c, buf, (size_t)got, net_os_monotonic_us());
	}
	return 0;
}

/* One share per line; the remark last, as it may hold spaces. */
static void
print_share_list(const struct smb2_client_result *r)
{
	uint8_t i;

	if (!r->share_list_tried)
		return;
	printf("share_list_ok=%d\nshare_list_failure=%s\nshare_list_stage=%s\nshare_list_status=0x%08x\n"
	       "share_list_err=%s\nshare_list_total=%u\n",
	       r->share_list_ok, smb2_share_list_failure_name(r->share_list_failure),
	       smb2_share_list_stage_name(r->share_list_stage), r->share_list_status, sd_err_name(r->share_list_err),
	       r->share_list_total);
	for (i = 0; i < r->n_shares; i++)
		printf("share=%s type=%u remark=%s\n", r->shares[i].name, r->shares[i].type, r->shares[i].remark);
}

static void
print_result(const struct smb2_client_result *r)
{
	const char *dialect = smb2_dialect_name(r->dialect);
	uint8_t i;

	printf("state=%s\n", r->state == SMB2C_DONE ? "done" : "failed");
	if (r->state != SMB2C_DONE) {
		printf("failure=%s\nfailed_step=%s\nfailed_status=0x%08x\nfailed_status_name=%s\nfailed_err=%s\n",
		       smb2_client_failure_name(r->failure), smb2_client_step_name(r->failed_step), r->failed_status,
		       sd_ntstatus_name(r->failed_status) ? sd_ntstatus_name(r->failed_status) : "?",
		       sd_err_name(r->failed_err));
	}
	printf("dialect=%s\ncipher=%u\nsigning_alg=%u\nsession_flags=0x%04x\nsigning_required=%d\n",
	       dialect ? dialect : "none", r->cipher, r->signing_alg, r->session_flags, r->session_signing_required);
	printf("session_encrypt=%d\ntree_encrypt=%d\nshare_flags=0x%08x\nvalidated=%d\ntree_path=%s\n",
	       r->session_encrypt, r->tree_encrypt, r->share_flags, r->validated, r->tree_path);
	printf("user=%s\ndomain=%s\ntarget_name=%s\nserver_nb_domain=%s\n", r->user, r->domain, r->target_name,
	       r->server_nb_domain);
	print_share_list(r);
	for (i = 0; i < r->n_exchanges; i++) {
		const struct smb2_client_exchange *e = &r->exchanges[i];

		printf("exchange=%s cmd=%s mid=%llu status=0x%08x answered=%d req_signed=%d req_encrypted=%d "
		       "rsp_signed=%d rsp_encrypted=%d\n",
		       smb2_client_step_name(e->step), smb2_command_name(e->command) ? smb2_command_name(e->command) : "?",
		       (unsigned long long)e->message_id, e->status, e->answered,
		       e->req_signed, e->req_encrypted, e->rsp_signed, e->rsp_encrypted);
	}
}

int
main(int argc, char **argv)
{
	struct sd_ctx ctx = {0};
	struct smb2_client_config cfg;
	struct sd_crypto *crypto = NULL;
	struct smb2_client *c = NULL;
	int fd, i, rc;

	if (argc < 7) {
		fprintf(stderr, "usage: %s HOST PORT SERVER_NAME SHARE USER PASSWORD [options]\n", argv[0]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.server_name = argv[3];
	cfg.share = argv[4];
	cfg.user = argv[5];
	cfg.password = argv[6];
	cfg.signing = SMB2_SIGNING_ON;
	for (i = 7; i < argc; i++) {
		if (strcmp(argv[i], "--dialect") == 0 && i + 1 < argc) {
			uint16_t d;

			if (!smb2_dialect_parse(argv[++i], &d) || cfg.n_dialects >= SMB2_CLIENT_MAX_DIALECTS)
				return 2;
			cfg.dialects[cfg.n_dialects++] = d;
		} else if (strcmp(argv[i], "--signing") == 0 && i + 1 < argc) {
			i++;
			cfg.signing = strcmp(argv[i], "off") == 0	 ? SMB2_SIGNING_OFF
				      : strcmp(argv[i], "required") == 0 ? SMB2_SIGNING_REQUIRED
									 : SMB2_SIGNING_ON;
		} else if (strcmp(argv[i], "--cipher") == 0 && i + 1 < argc && cfg.n_ciphers < SMB2_CLIENT_MAX_IDS) {
			cfg.ciphers[cfg.n_ciphers++] = (uint16_t)atoi(argv[++i]);
		} else if (strcmp(argv[i], "--encrypt") == 0) {
			cfg.encrypt = true;
		} else if (strcmp(argv[i], "--no-encryption") == 0) {
			cfg.no_encryption = true;
		} else if (strcmp(argv[i], "--anonymous") == 0) {
			cfg.mech = SMB2_MECH_ANONYMOUS;
		} else if (strcmp(argv[i], "--list-shares") == 0) {
			cfg.list_shares = true;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	net_os_ctx(&ctx);
	if (sd_crypto_create(&crypto) != SD_OK || smb2_client_create(&ctx, crypto, &cfg, &c) != SD_OK) {
		fprintf(stderr, "cannot create the client\n");
		sd_crypto_free(crypto);
		return 1;
	}
	fd = connect_to(argv[1], argv[2]);
	if (fd < 0) {
		fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
		smb2_client_free(c);
		sd_crypto_free(crypto);
		return 1;
	}
	rc = run(c, fd, 20000);
	close(fd);
	print_result(smb2_client_result(c));
	rc = rc == 0 && smb2_client_state(c) == SMB2C_DONE ? 0 : 3;
	smb2_client_free(c);
	sd_crypto_free(crypto);
	return rc;
}
