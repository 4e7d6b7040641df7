/* The hidden machine-readable dump (analyze --dump-messages): one line per
 * SMB2 message and per Kerberos message, in the column order of
 * shared/captures/tshark-fields, so tests can hold the analyzer's view of
 * a capture against tshark's.
 *
 * SMB2 lines: frame, tcp stream, command, response flag, status (responses),
 * message id, session id, tree id (sync messages), dialect (the offered
 * list on NEGOTIATE and VALIDATE_NEGOTIATE_INFO requests, the chosen one
 * on responses), tree path. The tree path follows tshark's generated
 * smb2.tree: the path of a TREE_CONNECT request, and on any later message
 * the path a successful TREE_CONNECT bound to its (session id, tree id),
 * whatever the connection. Encrypted messages show only frame, stream and
 * session id.
 * Kerberos lines: "K", frame, message type, error code, service name
 * (components joined with ','), realm. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_dump.h"
#include "core/auth/krb5msg.h"

#define TREES_MAX 4096
#define DIALECT_TEXT_MAX (SMB2_MAX_DIALECTS * 7 + 1)

struct cap_tree_bind {
	uint64_t session_id;
	uint32_t tree_id;
	char path[CAP_PATH_MAX];
};

static struct cap_tree_bind *
find_tree(struct cap_analyzer *a, uint64_t session_id, uint32_t tree_id)
{
	size_t i;

	for (i = 0; i < a->n_trees; i++)
		if (a->trees[i].session_id == session_id && a->trees[i].tree_id == tree_id)
			return &a->trees[i];
	return NULL;
}

void
cap_dump_bind_tree(struct cap_analyzer *a, uint64_t session_id, uint32_t tree_id, const char *path)
{
	struct cap_tree_bind *bt;

	if (a->opts.dump == NULL)
		return;
	bt = find_tree(a, session_id, tree_id);
	if (bt == NULL) {
		if (a->trees == NULL)
			a->trees = calloc(TREES_MAX, sizeof(*a->trees));
		if (a->trees == NULL || a->n_trees >= TREES_MAX)
			return;
		bt = &a->trees[a->n_trees++];
		bt->session_id = session_id;
		bt->tree_id = tree_id;
	}
	snprintf(bt->path, sizeof(bt->path), "%s", path);
}

void
cap_dump_free(struct cap_analyzer *a)
{
	free(a->trees);
	a->trees = NULL;
	a->n_trees = 0;
}

static void
dialect_list(const uint16_t *d, unsigned n, char *out, size_t cap)
{
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s0x%04x", i ? "," : "", d[i]);
}

static void
dialect_text(const struct smb2_message *m, enum sd_err err, char *out, size_t cap)
{
	out[0] = '\0';
	if (m->kind == SMB2_BODY_NEGOTIATE_REQ) {
		dialect_list(m->body.negotiate_req.dialects, m->body.negotiate_req.n_dialects, out, cap);
	} else if (m->kind == SMB2_BODY_NEGOTIATE_RSP && err == SD_OK) {
		snprintf(out, cap, "0x%04x", m->body.negotiate_rsp.dialect);
	} else if (m->kind == SMB2_BODY_IOCTL_REQ && m->body.ioctl_req.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO &&
		   m->body.ioctl_req.input != NULL) {
		struct smb2_validate_negotiate_req vn;

		smb2_validate_negotiate_req_decode(m->body.ioctl_req.input, m->body.ioctl_req.input_count, &vn);
		dialect_list(vn.dialects, vn.n_dialects, out, cap);
	} else if (m->kind == SMB2_BODY_IOCTL_RSP && m->body.ioctl_rsp.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO &&
		   m->body.ioctl_rsp.output != NULL) {
		struct smb2_validate_negotiate_rsp vn;

		if (smb2_validate_negotiate_rsp_decode(m->body.ioctl_rsp.output, m->body.ioctl_rsp.output_count, &vn) ==
		    SD_OK)
			snprintf(out, cap, "0x%04x", vn.dialect);
	}
}

void
cap_dump_smb2(struct cap_analyzer *a, const struct cap_flow *f, const struct smb2_header *h,
	      const struct smb2_message *m, enum sd_err body_err, bool body_decoded, const char *tree_path)
{
	char dialect[DIALECT_TEXT_MAX] = "", status[16] = "", tid[16] = "";
	const struct cap_tree_bind *bt = NULL;
	bool resp = smb2_header_is_response(h);

	if (a->opts.dump == NULL)
		return;
	if (resp)
		snprintf(status, sizeof(status), "0x%08x", h->status);
	if (!smb2_header_is_async(h)) {
		snprintf(tid, sizeof(tid), "0x%08x", h->tree_id);
		bt = find_tree(a, h->session_id, h->tree_id);
	}
	if (body_decoded)
		dialect_text(m, body_err, dialect, sizeof(dialect));
	fprintf(a->opts.dump, "%" PRIu32 "\t%" PRIu32 "\t%u\t%u\t%s\t%" PRIu64 "\t0x%016" PRIx64 "\t%s\t%s\t%s%s%s\n",
		a->frame, f->stream, h->command, resp ? 1u : 0u, status, h->message_id, h->session_id, tid, dialect,
		bt ? bt->path : "", bt && tree_path[0] ? "," : "", tree_path);
}

void
cap_dump_transform(struct cap_analyzer *a, const struct cap_flow *f, uint64_t session_id)
{
	if (a->opts.dump == NULL)
		return;
	fprintf(a->opts.dump, "%" PRIu32 "\t%" PRIu32 "\t\t\t\t\t0x%016" PRIx64 "\t\t\t\n", a->frame, f->stream,
		session_id);
}

void
cap_dump_compressed(struct cap_analyzer *a, const struct cap_flow *f)
{
	if (a->opts.dump == NULL)
		return;
	fprintf(a->opts.dump, "%" PRIu32 "\t%" PRIu32 "\t\t\t\t\t\t\t\t\n", a->frame, f->stream);
}

static void
principal_commas(const struct krb_principal *pr, char *out, size_t cap)
{
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	if (!pr->present)
		return;
	for (i = 0; i < pr->n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%.*s", i ? "," : "", (int)pr->part[i].len,
					 (const char *)pr->part[i].p);
}

void
cap_dump_krb(struct cap_analyzer *a, const struct krb_message *m)
{
	const struct krb_principal *sname = NULL;
	const struct krb_str *realm = NULL;
	char sn[CAP_PATH_MAX], err[16] = "";

	if (a->opts.dump == NULL)
		return;
	switch (m->msg_type) {
	case KRB_MSG_AS_REQ:
	case KRB_MSG_TGS_REQ:
		sname = &m->u.req.sname;
		realm = &m->u.req.realm;
		break;
	case KRB_MSG_AS_REP:
	case KRB_MSG_TGS_REP:
		/* tshark's kerberos.realm is the ticket's (crealm is another field). */
		sname = &m->u.rep.ticket.sname;
		realm = &m->u.rep.ticket.realm;
		break;
	case KRB_MSG_AP_REQ:
		sname = &m->u.ap_req.ticket.sname;
		realm = &m->u.ap_req.ticket.realm;
		break;
	case KRB_MSG_ERROR:
		sname = &m->u.error.sname;
		realm = &m->u.error.realm;
		snprintf(err, sizeof(err), "%d", (int)m->u.error.error_code);
		break;
	default:
		break;
	}
	sn[0] = '\0';
	if (sname)
		principal_commas(sname, sn, sizeof(sn));
	fprintf(a->opts.dump, "K\t%" PRIu32 "\t%d\t%s\t%s\t%.*s\n", a->frame, (int)m->msg_type, err, sn,
		realm && realm->p ? (int)realm->len : 0, realm && realm->p ? (const char *)realm->p : "");
}
