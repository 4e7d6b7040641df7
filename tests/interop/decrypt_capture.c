/* decrypt_capture: reads a capture, follows every SMB connection with the
 * session key tracker (src/core/proto/keytrack.h) and prints each message
 * as the tracker sees it: decrypted when the password opens its session,
 * with the verdict on its signature (tests only; reads the file with the
 * capture walker of tests/capture: the product's link/IP/TCP decoder and
 * the walker's framing).
 *
 * usage: decrypt_capture [-p PORT]... [-P PASSWORD | -H NTHASH] [-u USER]
 *            [-d DOMAIN] [-k SESSIONID:KEYHEX]... [-x] CAPTURE
 *   -p  also treat PORT as SMB over direct TCP (445 and 139 always are)
 *   -k  a known session key (hex) for a SessionId (hex)
 *   -x  flip the last byte of every signed or encrypted PDU first (every
 *       such message must then fail)
 *
 * Output, one line each (tab-free key=value):
 *   msg frame=F stream=S dir=c2s|s2c enc=0|1 session=0x.. cmd=NAME resp=0|1
 *       status=0x........ sig=VERDICT [path=\\server\share]
 *   undecrypted frame=F stream=S dir=.. session=0x.. outcome=no_key|decrypt_failed
 *       err=SD_ERR_.. state=STATE reason="sentence"
 *   session stream=S id=0x.. state=STATE user=U domain=D signed_ok=N
 *       signed_bad=N decrypted=N decrypt_failed=N reason="sentence"
 *   summary transforms=N decrypted=N undecrypted=N sig_valid=N sig_invalid=N
 *       sig_no_key=N
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/auth/crypto_ctx.h"
#include "core/proto/keytrack.h"
#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "core/wire/smb2.h"
#include "core/wire/utf16.h"
#include "walk_flow.h"
#include "walk_pcap.h"

#define MAX_KEYS 8
#define PATH_MAX_UTF8 1024

struct known_key {
	uint64_t session_id;
	uint8_t key[SMB2_KT_SESSION_KEY_MAX];
	size_t len;
};

struct app {
	struct sd_crypto *crypto;
	struct smb2_kt_creds creds;
	uint8_t nt_hash[16];
	struct known_key keys[MAX_KEYS];
	unsigned n_keys;
	struct walk_pcap_opts input;      /* the -p ports */
	bool flip;
	uint8_t *plain;                   /* decryption buffer */
	uint8_t *scratch;                 /* a PDU copy for -x */
	unsigned long transforms, decrypted, undecrypted;
	unsigned long sig_counts[SMB2_KT_SIG__COUNT];
	int failed;
};

static int
hex_nibble(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool
parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > cap)
		return false;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

/* One tracker per TCP stream, hung on its flow. */
static struct smb2_keytrack *
tracker_for(struct app *a, struct walk_flow *flow)
{
	struct smb2_keytrack *kt = flow->user;
	unsigned i;

	if (kt != NULL)
		return kt;
	if (smb2_keytrack_create(a->crypto, &a->creds, &kt) != SD_OK)
		return NULL;
	for (i = 0; i < a->n_keys; i++)
		smb2_keytrack_add_session_key(kt, a->keys[i].session_id, a->keys[i].key, a->keys[i].len);
	flow->user = kt;
	return kt;
}

static void
print_message(const uint8_t *msg, size_t len, unsigned long frame, unsigned stream, const char *dir, bool enc,
	      enum smb2_kt_sig sig)
{
	struct smb2_header h;
	struct smb2_tree_connect_req tc;
	char path[PATH_MAX_UTF8] = "";
	const char *name;

	if (smb2_header_decode(msg, len, &h) != SD_OK)
		return;
	name = smb2_command_name(h.command);
	if (h.command == SMB2_TREE_CONNECT && !smb2_header_is_response(&h) &&
	    smb2_tree_connect_req_decode(msg, len, &tc) == SD_OK && tc.path != NULL)
		sd_utf16le_to_utf8(tc.path, tc.path_len, path, sizeof(path), NULL);
	printf("msg frame=%lu stream=%u dir=%s enc=%d session=0x%016" PRIx64 " cmd=%s resp=%d status=0x%08x sig=%s%s%s\n",
	       frame, stream, dir, enc ? 1 : 0, h.session_id, name ? name : "?", smb2_header_is_response(&h) ? 1 : 0,
	       smb2_header_is_response(&h) ? h.status : 0, smb2_keytrack_sig_name(sig), path[0] ? " path=" : "",
	       path);
}

static void
print_plain(struct app *a, const struct smb2_kt_result *res, unsigned long frame, unsigned stream, const char *dir)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	unsigned i = 0;

	smb2_compound_init(&it, res->plain, res->plain_len);
	while (smb2_compound_next(&it, &el) == SD_OK) {
		enum smb2_kt_sig sig = i < res->n_elems ? res->sig[i] : SMB2_KT_SIG_UNDECODABLE;

		a->sig_counts[sig]++;
		print_message(el.msg, el.len, frame, stream, dir, res->outcome == SMB2_KT_DECRYPTED, sig);
		i++;
	}
}

/* The PDU to feed: the captured one, or a copy with its last byte
 * flipped when -x asks for it and the PDU is signed or encrypted. */
static const uint8_t *
maybe_flip(struct app *a, const uint8_t *msg, size_t len)
{
	bool signed_msg = len >= SMB2_HEADER_SIZE && sd_load_u32le(msg) == SMB2_PROTOCOL_ID &&
			  (sd_load_u32le(msg + 16) & SMB2_FLAGS_SIGNED);
	bool sealed = len > SMB2_TRANSFORM_HEADER_SIZE && sd_load_u32le(msg) == SMB2_TRANSFORM_PROTOCOL_ID;

	if (!a->flip || !(signed_msg || sealed))
		return msg;
	memcpy(a->scratch, msg, len);
	a->scratch[len - 1] ^= 0x01;
	return a->scratch;
}

static void
on_pdu(void *ctx, struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
       bool truncated)
{
	struct app *a = ctx;
	struct smb2_keytrack *kt;
	struct smb2_kt_result res;
	enum smb2_kt_dir kdir = dir == walk_flow_server_side(flow) ? SMB2_KT_S2C : SMB2_KT_C2S;
	const char *dname = kdir == SMB2_KT_C2S ? "c2s" : "s2c";
	const uint8_t *msg = p + NBSS_HEADER_SIZE;
	size_t mlen = len - NBSS_HEADER_SIZE;
	enum sd_err err;

	if (truncated || p[0] != NBSS_SESSION_MESSAGE || mlen < 4)
		return;
	kt = tracker_for(a, flow);
	if (kt == NULL) {
		fprintf(stderr, "decrypt_capture: cannot create a tracker\n");
		a->failed = 1;
		return;
	}
	msg = maybe_flip(a, msg, mlen);
	err = smb2_keytrack_feed(kt, kdir, msg, mlen, a->plain, WALK_MAX_PDU, &res);
	if (err != SD_OK && err != SD_ERR_NO_SPACE) {
		fprintf(stderr, "decrypt_capture: frame %lu: %s\n", frame, sd_err_name(err));
		a->failed = 1;
	}
	if (sd_load_u32le(msg) == SMB2_TRANSFORM_PROTOCOL_ID)
		a->transforms++;
	if (res.outcome == SMB2_KT_DECRYPTED)
		a->decrypted++;
	if (res.outcome == SMB2_KT_PLAIN || res.outcome == SMB2_KT_DECRYPTED) {
		print_plain(a, &res, frame, flow->stream, dname);
	} else if (res.outcome == SMB2_KT_NO_KEY || res.outcome == SMB2_KT_DECRYPT_FAILED) {
		const char *why = res.outcome == SMB2_KT_DECRYPT_FAILED ? sd_err_text(res.err)
				  : res.session_known ? smb2_keytrack_state_text(res.session_state)
						      : "the capture does not show this session's setup";

		a->undecrypted++;
		printf("undecrypted frame=%lu stream=%u dir=%s session=0x%016" PRIx64 " outcome=%s err=%s state=%s "
		       "reason=\"%s\"\n",
		       frame, flow->stream, dname, res.session_id, smb2_keytrack_outcome_name(res.outcome),
		       sd_err_name(res.err), res.session_known ? smb2_keytrack_state_name(res.session_state) : "unknown",
		       why);
	}
}

static void
print_sessions(const struct app *a, struct walk_table *t)
{
	unsigned long i;
	size_t k;

	for (i = 0; i < walk_table_n_flows(t); i++) {
		const struct smb2_keytrack *kt = walk_table_flow(t, i)->user;

		if (kt == NULL)
			continue;
		for (k = 0; k < smb2_keytrack_n_sessions(kt); k++) {
			const struct smb2_kt_session *s = smb2_keytrack_session_at(kt, k);

			printf("session stream=%lu id=0x%016" PRIx64 " state=%s user=%s domain=%s signed_ok=%u "
			       "signed_bad=%u decrypted=%u decrypt_failed=%u reason=\"%s\"\n",
			       i, s->session_id, smb2_keytrack_state_name(s->state), s->user, s->domain, s->signed_ok,
			       s->signed_bad, s->decrypted, s->decrypt_failed, smb2_keytrack_state_text(s->state));
		}
	}
	printf("summary transforms=%lu decrypted=%lu undecrypted=%lu sig_valid=%lu sig_invalid=%lu sig_no_key=%lu\n",
	       a->transforms, a->decrypted, a->undecrypted, a->sig_counts[SMB2_KT_SIG_VALID],
	       a->sig_counts[SMB2_KT_SIG_INVALID], a->sig_counts[SMB2_KT_SIG_NO_KEY]);
}

static int
walk_file(struct app *a, const char *path)
{
	struct walk_table *t = walk_table_new(on_pdu, a, false);
	unsigned long i;
	int rc;

	if (t == NULL)
		return 1;
	rc = walk_pcap_read("decrypt_capture", path, t, &a->input);
	if (rc != 1)  /* what was read before a read error still counts */
		print_sessions(a, t);
	for (i = 0; i < walk_table_n_flows(t); i++)
		smb2_keytrack_free(walk_table_flow(t, i)->user);
	walk_table_free(t);
	return rc ? rc : a->failed;
}

static int
usage(void)
{
	fprintf(stderr, "usage: decrypt_capture [-p PORT]... [-P PASSWORD | -H NTHASH] [-u USER] [-d DOMAIN]\n"
			"           [-k SESSIONID:KEYHEX]... [-x] CAPTURE\n");
	return 2;
}

static bool
parse_key(struct app *a, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct known_key *k;
	char *end;

	if (colon == NULL || a->n_keys >= MAX_KEYS)
		return false;
	k = &a->keys[a->n_keys];
	k->session_id = strtoull(arg, &end, 16);
	if (end != colon || !parse_hex(colon + 1, k->key, sizeof(k->key), &k->len) || k->len < 16)
		return false;
	a->n_keys++;
	return true;
}

static bool
parse_args(struct app *a, int argc, char **argv)
{
	size_t n;
	int opt;

	while ((opt = getopt(argc, argv, "p:P:H:u:d:k:x")) != -1) {
		switch (opt) {
		case 'p':
			if (!walk_pcap_add_smb_port(&a->input, optarg))
				return false;
			break;
		case 'P': a->creds.password = optarg; break;
		case 'H':
			if (!parse_hex(optarg, a->nt_hash, sizeof(a->nt_hash), &n) || n != 16)
				return false;
			a->creds.nt_hash = a->nt_hash;
			break;
		case 'u': a->creds.user = optarg; break;
		case 'd': a->creds.domain = optarg; break;
		case 'k':
			if (!parse_key(a, optarg))
				return false;
			break;
		case 'x': a->flip = true; break;
		default: return false;
		}
	}
	return optind + 1 == argc;
}

int
main(int argc, char **argv)
{
	struct app a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (!parse_args(&a, argc, argv))
		return usage();
	if (sd_crypto_create(&a.crypto) != SD_OK)
		return 1;
	a.plain = malloc(WALK_MAX_PDU);
	a.scratch = malloc(WALK_MAX_PDU);
	if (a.plain == NULL || a.scratch == NULL)
		return 1;
	rc = walk_file(&a, argv[optind]);
	free(a.plain);
	free(a.scratch);
	sd_crypto_free(a.crypto);
	return rc;
}
