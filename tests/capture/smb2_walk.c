/* smb2_walk: prints one line per SMB2 message of a capture, in the column
 * order of the reference files in shared/captures/tshark-fields/ (tests
 * only; the frames go through the product's link/IP/TCP decoder, see
 * walk_pcap.h, and the messages through the core's SMB2 codec).
 *
 * Usage: smb2_walk [-b] CAPTURE
 *   -b  feed every TCP payload to the framer one byte at a time; the output
 *       must not change (streams are decoded whatever way they are cut).
 *
 * Columns (tab separated): frame, tcp stream, command, response flag,
 * status (responses only), message id, session id, tree id (sync messages
 * only), dialect (the offered list on NEGOTIATE requests, the chosen one on
 * responses), tree path, and a note of our own (message kind, codec error,
 * anomaly count) that tshark does not have. The tree path follows tshark's
 * generated smb2.tree field: the path of a TREE_CONNECT request, and on any
 * later message the path that a successful TREE_CONNECT bound to its
 * (session id, tree id). Encrypted messages show only frame, stream and
 * session id. Counters go to stderr at the end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/wire/nbss.h"
#include "core/wire/smb2.h"
#include "core/wire/utf16.h"
#include "walk_flow.h"
#include "walk_pcap.h"

#define TREE_PATH_MAX 1024
#define TREES_MAX 4096
#define PENDING_MAX 1024
#define DIALECT_TEXT_MAX (SMB2_MAX_DIALECTS * 7 + 1)
#define SD_ERR_SLOTS 32

/* A TREE_CONNECT request waiting for its response. */
struct pending_tree {
	unsigned stream;
	uint64_t message_id;
	char path[TREE_PATH_MAX];
};

/* What a successful TREE_CONNECT bound: tshark keeps trees per session,
 * and sessions by id across all connections (multichannel). */
struct bound_tree {
	uint64_t session_id;
	uint32_t tree_id;
	char path[TREE_PATH_MAX];
};

struct walker {
	unsigned n_pending, next_pending;
	struct pending_tree pending[PENDING_MAX];
	unsigned n_trees;
	struct bound_tree trees[TREES_MAX];
	unsigned long messages, transforms, compressed, smb1, nbss_control;
	unsigned long compound_errors, header_errors, trees_dropped;
	unsigned long body_errors[SD_ERR_SLOTS];
};

static void
remember_request(struct walker *w, unsigned stream, uint64_t message_id, const char *path)
{
	struct pending_tree *pt = &w->pending[w->next_pending];

	/* A ring: the oldest unanswered request is forgotten first. */
	w->next_pending = (w->next_pending + 1) % PENDING_MAX;
	if (w->n_pending < PENDING_MAX)
		w->n_pending++;
	pt->stream = stream;
	pt->message_id = message_id;
	snprintf(pt->path, sizeof(pt->path), "%s", path);
}

static const struct pending_tree *
find_request(const struct walker *w, unsigned stream, uint64_t message_id)
{
	unsigned i;

	for (i = 0; i < w->n_pending; i++)
		if (w->pending[i].stream == stream && w->pending[i].message_id == message_id)
			return &w->pending[i];
	return NULL;
}

static struct bound_tree *
find_tree(struct walker *w, uint64_t session_id, uint32_t tree_id)
{
	unsigned i;

	for (i = 0; i < w->n_trees; i++)
		if (w->trees[i].session_id == session_id && w->trees[i].tree_id == tree_id)
			return &w->trees[i];
	return NULL;
}

static void
bind_tree(struct walker *w, uint64_t session_id, uint32_t tree_id, const char *path)
{
	struct bound_tree *bt = find_tree(w, session_id, tree_id);

	if (bt == NULL) {
		if (w->n_trees >= TREES_MAX) {
			w->trees_dropped++;
			return;
		}
		bt = &w->trees[w->n_trees++];
		bt->session_id = session_id;
		bt->tree_id = tree_id;
	}
	snprintf(bt->path, sizeof(bt->path), "%s", path);
}

static void
count_body_error(struct walker *w, enum sd_err err)
{
	if (err != SD_OK)
		w->body_errors[(unsigned)err < SD_ERR_SLOTS ? (unsigned)err : SD_ERR_SLOTS - 1]++;
}

static void
dialect_list_text(const uint16_t *dialects, unsigned n, char *out, size_t cap)
{
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s0x%04x", i ? "," : "", dialects[i]);
}

/* tshark files the dialects of FSCTL_VALIDATE_NEGOTIATE_INFO under the same
 * smb2.dialect field as NEGOTIATE: the list in the request, the dialect in
 * the response. */
static void
validate_negotiate_dialects(const struct smb2_message *m, char *out, size_t cap)
{
	if (m->kind == SMB2_BODY_IOCTL_REQ && m->body.ioctl_req.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO &&
	    m->body.ioctl_req.input != NULL) {
		struct smb2_validate_negotiate_req vn;

		smb2_validate_negotiate_req_decode(m->body.ioctl_req.input, m->body.ioctl_req.input_count, &vn);
		dialect_list_text(vn.dialects, vn.n_dialects, out, cap);
	} else if (m->kind == SMB2_BODY_IOCTL_RSP && m->body.ioctl_rsp.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO &&
		   m->body.ioctl_rsp.output != NULL) {
		struct smb2_validate_negotiate_rsp vn;

		if (smb2_validate_negotiate_rsp_decode(m->body.ioctl_rsp.output, m->body.ioctl_rsp.output_count,
						       &vn) == SD_OK)
			snprintf(out, cap, "0x%04x", vn.dialect);
	}
}

/* Fills the dialect and tree columns that need a body decode, and binds a
 * tree on a successful TREE_CONNECT response. */
static enum sd_err
decode_body_fields(struct walker *w, const struct walk_flow *flow, const struct smb2_header *h,
		   const uint8_t *msg, size_t len, char *dialect, size_t dcap, char *path, size_t path_cap)
{
	struct smb2_message *m = calloc(1, sizeof(*m));
	enum sd_err err;

	if (m == NULL)
		return SD_ERR_NOMEM;
	err = smb2_message_decode(msg, len, m);
	if (h->command == SMB2_NEGOTIATE && m->kind == SMB2_BODY_NEGOTIATE_REQ)
		dialect_list_text(m->body.negotiate_req.dialects, m->body.negotiate_req.n_dialects, dialect, dcap);
	else if (h->command == SMB2_NEGOTIATE && m->kind == SMB2_BODY_NEGOTIATE_RSP && err == SD_OK)
		snprintf(dialect, dcap, "0x%04x", m->body.negotiate_rsp.dialect);
	else if (h->command == SMB2_IOCTL)
		validate_negotiate_dialects(m, dialect, dcap);
	if (h->command == SMB2_TREE_CONNECT && m->kind == SMB2_BODY_TREE_CONNECT_REQ &&
	    m->body.tree_connect_req.path != NULL) {
		sd_utf16le_to_utf8(m->body.tree_connect_req.path, m->body.tree_connect_req.path_len, path, path_cap,
				   NULL);
		remember_request(w, flow->stream, h->message_id, path);
	}
	if (h->command == SMB2_TREE_CONNECT && m->kind == SMB2_BODY_TREE_CONNECT_RSP && err == SD_OK) {
		const struct pending_tree *pt = find_request(w, flow->stream, h->message_id);

		if (pt != NULL)
			bind_tree(w, h->session_id, h->tree_id, pt->path);
	}
	free(m);
	return err;
}

/* note: appended to the last column (" truncated", a broken chain link). */
static void
print_message(struct walker *w, const struct walk_flow *flow, unsigned long frame, const uint8_t *msg,
	      size_t len, const char *note)
{
	struct smb2_header h;
	char dialect[DIALECT_TEXT_MAX] = "", path[TREE_PATH_MAX] = "", tree[2 * TREE_PATH_MAX + 2] = "";
	char status[16] = "", tid[16] = "";
	enum sd_err err = smb2_header_decode(msg, len, &h), header_err = err;
	const struct bound_tree *bt = NULL;

	/* A wrong StructureSize still leaves every field decoded, and tshark
	 * shows such a header as it is. */
	if (err != SD_OK && err != SD_ERR_STRUCTURE_SIZE) {
		w->header_errors++;
		printf("%lu\t%u\t\t\t\t\t\t\t\t\tsmb2 header=%s\n", frame, flow->stream, sd_err_name(err));
		return;
	}
	if (header_err != SD_OK)
		w->header_errors++;
	w->messages++;
	if (smb2_header_is_response(&h))
		snprintf(status, sizeof(status), "0x%08x", h.status);
	if (!smb2_header_is_async(&h)) {
		snprintf(tid, sizeof(tid), "0x%08x", h.tree_id);
		/* Looked up before the body is read, as tshark does: a
		 * TREE_CONNECT response does not see the tree it binds. */
		bt = find_tree(w, h.session_id, h.tree_id);
	}
	err = SD_OK;
	if (header_err == SD_OK) {
		err = decode_body_fields(w, flow, &h, msg, len, dialect, sizeof(dialect), path, sizeof(path));
		count_body_error(w, err);
	}
	snprintf(tree, sizeof(tree), "%s%s%s", bt ? bt->path : "", bt && path[0] ? "," : "", path);
	printf("%lu\t%u\t%u\t%u\t%s\t%" PRIu64 "\t0x%016" PRIx64 "\t%s\t%s\t%s\tsmb2%s%s%s%s anom=%u%s\n",
	       frame, flow->stream, h.command, smb2_header_is_response(&h) ? 1u : 0u, status, h.message_id,
	       h.session_id, tid, dialect, tree, header_err ? " header=" : "",
	       header_err ? sd_err_name(header_err) : "", err ? " body=" : "", err ? sd_err_name(err) : "",
	       (unsigned)h.anom.n + h.anom.dropped, note);
}

static void
walk_compound(struct walker *w, const struct walk_flow *flow, unsigned long frame, const uint8_t *p,
	      size_t len, bool truncated)
{
	const char *note = truncated ? " truncated" : "";
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while ((err = smb2_compound_next(&it, &el)) == SD_OK)
		print_message(w, flow, frame, el.msg, el.len, note);
	if (err == SD_ERR_NOT_FOUND)
		return;
	/* A NextCommand past the end (a PDU cut by the snap length, or a
	 * broken chain) still leaves a whole header to show, as tshark does. */
	if (err == SD_ERR_BAD_OFFSET && len - it.off >= SMB2_HEADER_SIZE) {
		print_message(w, flow, frame, p + it.off, len - it.off,
			      truncated ? " truncated" : " compound=SD_ERR_BAD_OFFSET");
		if (!truncated)
			w->compound_errors++;
		return;
	}
	if (!truncated) {
		w->compound_errors++;
		printf("%lu\t%u\t\t\t\t\t\t\t\t\tsmb2 compound=%s\n", frame, flow->stream, sd_err_name(err));
	}
}

static void
on_pdu(void *ctx, struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
       bool truncated)
{
	struct walker *w = ctx;
	const uint8_t *msg = p + NBSS_HEADER_SIZE;
	size_t mlen = len - NBSS_HEADER_SIZE;

	(void)dir;
	if (p[0] != NBSS_SESSION_MESSAGE || mlen < 4) {
		w->nbss_control++;
		return;
	}
	if (msg[0] == 0xFE) {
		walk_compound(w, flow, frame, msg, mlen, truncated);
	} else if (msg[0] == 0xFD) {
		struct smb2_transform_header th;
		enum sd_err err = smb2_transform_decode(msg, mlen, &th);

		w->transforms++;
		printf("%lu\t%u\t\t\t\t\t0x%016" PRIx64 "\t\t\t\ttransform%s%s\n", frame, flow->stream,
		       th.session_id, err ? " err=" : "", err ? sd_err_name(err) : "");
	} else if (msg[0] == 0xFC) {
		struct smb2_compression_header ch;
		enum sd_err err = smb2_compression_decode(msg, mlen, &ch);

		w->compressed++;
		printf("%lu\t%u\t\t\t\t\t\t\t\t\tcompressed%s%s\n", frame, flow->stream, err ? " err=" : "",
		       err ? sd_err_name(err) : "");
	} else {
		w->smb1++;
	}
}

static void
print_stats(const struct walker *w, const struct walk_stats *s)
{
	unsigned i;

	fprintf(stderr,
		"frames %lu; not-ip %lu, not-tcp %lu, ip-fragments %lu (datagrams reassembled %lu), truncated %lu, "
		"bad-linktype %lu\n"
		"tcp streams %lu (over the cap %lu); smb segments %lu, retransmissions %lu, overlaps %lu, "
		"gaps %lu, snapped %lu\n"
		"pdus %lu (cut by the snap length %lu), resync bytes %lu, desyncs %lu, oversize %lu, "
		"nbss control %lu\n"
		"smb2 messages %lu, transforms %lu, compressed %lu, smb1 %lu, header errors %lu, "
		"compound errors %lu, trees over the cap %lu\n",
		s->frames, s->not_ip, s->not_tcp, s->fragments, s->reassembled, s->truncated, s->bad_linktype, s->flows,
		s->flows_dropped, s->smb_segments, s->retransmissions, s->overlaps, s->gaps, s->snapped, s->pdus,
		s->partial_pdus, s->resync_bytes, s->desyncs, s->oversize, w->nbss_control, w->messages, w->transforms,
		w->compressed, w->smb1, w->header_errors, w->compound_errors, w->trees_dropped);
	for (i = 1; i < SD_ERR_SLOTS; i++)
		if (w->body_errors[i])
			fprintf(stderr, "body decode %s: %lu\n", sd_err_name((enum sd_err)i), w->body_errors[i]);
}

static int
walk_file(const char *path, bool byte_at_a_time)
{
	struct walker *w = calloc(1, sizeof(*w));
	struct walk_table *t = walk_table_new(on_pdu, w, byte_at_a_time);
	int rc;

	if (w == NULL || t == NULL) {
		fprintf(stderr, "smb2_walk: out of memory\n");
		free(w);
		walk_table_free(t);
		return 1;
	}
	rc = walk_pcap_read("smb2_walk", path, t, NULL);
	fflush(stdout);
	print_stats(w, walk_table_stats(t));
	walk_table_free(t);
	free(w);
	return rc;
}

int
main(int argc, char **argv)
{
	bool byte_at_a_time = false;
	int opt;

	while ((opt = getopt(argc, argv, "b")) != -1) {
		if (opt == 'b') {
			byte_at_a_time = true;
		} else {
			fprintf(stderr, "usage: smb2_walk [-b] CAPTURE\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: smb2_walk [-b] CAPTURE\n");
		return 2;
	}
	return walk_file(argv[optind], byte_at_a_time);
}
