/* TREE_CONNECT (MS-SMB2 3.3.5.7), TREE_DISCONNECT (3.3.5.8) and the tree
 * verification of later requests (3.3.5.2.11). */
#include <stdio.h>
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/utf16.h"

#define SHARE_NAME_MAX 80
#define FULL_ACCESS 0x001F01FFu

static const struct srv_why why_t1 = {"T1", "tree.unsigned_disconnect", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_t2 = {"T2", NULL, "MS-SMB2 3.3.5.7, 2.2.9"};
static const struct srv_why why_t3 = {"T3", "tree.bad_network_name", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_t5 = {"T5", "tree.encryption_required", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_t6 = {"T6", "tree.encryption_required", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_t7 = {"T7", "tree.access_denied", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_path = {"T7", "tree.access_denied", "MS-SMB2 3.3.5.7; article: folder missing"};
static const struct srv_why why_anon = {"T7", "session.anonymous_denied", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_t8 = {"T8", "tree.other", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_trees = {"local", "tree.other", "MS-SMB2 3.3.5.7"};
static const struct srv_why why_tid = {"TID", NULL, "MS-SMB2 3.3.5.2.11"};
static const struct srv_why why_tenc = {"TENC", "tree.encryption_required", "MS-SMB2 3.3.5.2.11"};

/* Share.CurrentUses of a share of the policy. */
static uint32_t *
current_uses(struct smb2_server *s, const struct smb2s_share *sh)
{
	return &s->uses->current[sh - s->pol->shares];
}

static struct srv_tree *
tree_find(struct srv_session *sess, uint32_t id)
{
	size_t i;

	for (i = 0; id && i < SRV_MAX_TREES_CAP; i++)
		if (sess->trees[i].id == id)
			return &sess->trees[i];
	return NULL;
}

bool
srv_verify_tree(struct smb2_server *s, struct srv_req *r)
{
	r->tree = tree_find(r->sess, r->hdr.tree_id);
	if (r->tree == NULL) {
		srv_refuse(s, r, ST_NETWORK_NAME_DELETED, &why_tid, "unknown TreeId 0x%08x", r->hdr.tree_id);
		return false;
	}
	if (srv_is_3x(s->dialect) && r->tree->encrypt && !r->encrypted) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_tenc, "unencrypted request on a share with EncryptData");
		r->tree = NULL;
		return false;
	}
	return true;
}

/* Splits \\server\share (2.2.9); false for anything else (T2). */
static bool
parse_path(const char *path, char *server, size_t server_cap, char *share, size_t share_cap)
{
	const char *p, *slash;
	size_t n;

	if (path[0] != '\\' || path[1] != '\\')
		return false;
	p = path + 2;
	slash = strchr(p, '\\');
	if (slash == NULL || slash == p || (size_t)(slash - p) >= server_cap)
		return false;
	memcpy(server, p, (size_t)(slash - p));
	server[slash - p] = '\0';
	p = slash + 1;
	n = strlen(p);
	if (n == 0 || n > SHARE_NAME_MAX || n >= share_cap || strchr(p, '\\'))
		return false;
	memcpy(share, p, n + 1);
	return true;
}

static bool
user_allowed(const struct smb2s_share *sh, const struct srv_session *sess)
{
	uint8_t i;

	if (sess->is_guest || sess->is_anonymous)
		return sh->guest_ok;
	if (sh->n_allowed == 0)
		return true;
	for (i = 0; i < sh->n_allowed; i++)
		if (srv_name_eq(sh->allowed[i], sess->user))
			return true;
	return false;
}

static unsigned
tree_count(const struct srv_session *sess)
{
	unsigned i, n = 0;

	for (i = 0; i < SRV_MAX_TREES_CAP; i++)
		n += sess->trees[i].id != 0;
	return n;
}

/* T5 / T6: a share (or the server) that demands encryption from a
 * connection that cannot encrypt. */
static bool
encryption_ok(struct smb2_server *s, struct srv_req *r, const struct smb2s_share *sh, const char *path)
{
	bool wanted = s->pol->encrypt_data || (sh && sh->encrypt_data);

	if (!wanted || !s->pol->reject_unencrypted_access || s->pol->max_dialect < SMB2_DIALECT_300)
		return true;
	/* A guest or anonymous session has no key: it cannot encrypt either
	 * (MS-SMB2 3.2.4.1.8), whatever the connection could do. */
	if (srv_can_encrypt(s) && r->sess && !r->sess->have_keys) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_t5, "%s requires encryption; %s session has no key to "
			   "encrypt with", path, r->sess->is_anonymous ? "an anonymous" : "a guest");
		return false;
	}
	if (!srv_can_encrypt(s)) {
		if (srv_is_3x(s->dialect) && !(s->client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
			srv_refuse(s, r, ST_ACCESS_DENIED, &why_t6, "%s requires encryption; the client's NEGOTIATE "
				   "lacked CAP_ENCRYPTION", path);
		else
			srv_refuse(s, r, ST_ACCESS_DENIED, &why_t5, "%s requires encryption; dialect %s / no common "
				   "cipher on this connection", path, s->dialect == SMB2_DIALECT_311 ? "3.1.1" : "2.x");
		return false;
	}
	return true;
}

static void
tree_ok(struct smb2_server *s, struct srv_req *r, const struct smb2s_share *sh, const char *path)
{
	struct smb2_tree_connect_rsp rsp;
	struct srv_tree *t = NULL;
	struct smb2s_event *ev;
	struct sd_wr w;
	size_t i;

	for (i = 0; i < SRV_MAX_TREES_CAP && t == NULL; i++)
		if (r->sess->trees[i].id == 0)
			t = &r->sess->trees[i];
	t->id = r->sess->next_tree_id++;
	t->share = sh;
	if (sh) {
		(*current_uses(s, sh))++;
		t->counted = true;
	}
	t->encrypt = sh && sh->encrypt_data && srv_can_encrypt(s);
	r->hdr.tree_id = t->id;
	memset(&rsp, 0, sizeof(rsp));
	rsp.share_type = sh ? sh->type : SMB2_SHARE_TYPE_PIPE;
	r->path = NULL;
	if (sh && sh->encrypt_data && srv_is_3x(s->dialect))
		rsp.share_flags |= SMB2_SHAREFLAG_ENCRYPT_DATA;
	rsp.maximal_access = FULL_ACCESS;
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_tree_connect_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
	ev = srv_event(s, SMB2S_EV_TREE_OK, r);
	ev->tree_id = t->id;
	ev->share_flags = rsp.share_flags;
	ev->share_type = rsp.share_type;
	ev->encrypted = t->encrypt || r->sess->encrypt_data || r->encrypted;   /* or the client sealed it */
	snprintf(ev->path, sizeof(ev->path), "%s", path);
	srv_event_text(ev, "tree 0x%x connected to %s%s", t->id, path, t->encrypt ? " (share encrypts)" : "");
}

void
srv_tree_connect(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_tree_connect_req req;
	char path[SMB2S_PATH_MAX], server[SMB2S_PATH_MAX], share[SHARE_NAME_MAX + 1];
	const struct smb2s_share *sh = NULL;
	struct srv_session *sess = r->sess;

	if (srv_fault_silent(s, r, SMB2S_FAULT_TREE_CONNECT))
		return;
	if (s->dialect == SMB2_DIALECT_311 && !sess->is_anonymous && !sess->is_guest && !r->signed_ok &&
	    !r->encrypted) {
		srv_drop(s, r, &why_t1, "3.1.1 TREE_CONNECT neither signed nor encrypted");
		return;
	}
	if (smb2_tree_connect_req_decode(r->msg, r->len, &req) != SD_OK || req.path == NULL ||
	    sd_utf16le_to_utf8(req.path, req.path_len, path, sizeof(path), NULL) != SD_OK ||
	    !parse_path(path, server, sizeof(server), share, sizeof(share))) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_t2, "TREE_CONNECT path is not \\\\server\\share");
		return;
	}
	r->path = path;
	if (!srv_name_eq(share, "IPC$")) {
		sh = smb2s_policy_share(s->pol, share);
		if (sh == NULL) {
			srv_refuse(s, r, ST_BAD_NETWORK_NAME, &why_t3, "no share named '%s'", share);
			return;
		}
	} else if (sess->is_anonymous && !s->pol->allow_anonymous_access) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_anon, "anonymous IPC$ while AllowAnonymousAccess is off");
		return;
	}
	if (!encryption_ok(s, r, sh, path))
		return;
	if (sh && !user_allowed(sh, sess)) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_t7, "%s%s is not allowed on '%s'",
			   sess->is_guest ? "guest " : sess->is_anonymous ? "anonymous" : "user ", sess->user, share);
		return;
	}
	if (sh && !sh->path_exists) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_path, "the folder of share '%s' (%s) does not exist", share,
			   sh->path);
		return;
	}
	if (sh && sh->max_uses && *current_uses(s, sh) >= sh->max_uses) {
		srv_refuse(s, r, ST_REQUEST_NOT_ACCEPTED, &why_t8, "share '%s' is at its MaxUses (%u tree connects)",
			   share, (unsigned)sh->max_uses);
		return;
	}
	if (tree_count(sess) >= (s->pol->max_trees ? s->pol->max_trees : 16) || tree_count(sess) >= SRV_MAX_TREES_CAP) {
		srv_refuse(s, r, ST_REQUEST_NOT_ACCEPTED, &why_trees, "too many tree connects on this session");
		return;
	}
	tree_ok(s, r, sh, path);
}

void
srv_tree_disconnect(struct smb2_server *s, struct srv_req *r)
{
	struct smb2s_event *ev;
	struct sd_wr w;

	if (!srv_verify_tree(s, r))
		return;
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_empty_body_encode(&w);
	srv_finish(s, r, &w, false);
	ev = srv_event(s, SMB2S_EV_TREE_DISCONNECT, r);
	srv_event_text(ev, "tree 0x%x disconnected", r->tree->id);
	srv_tree_release(s, r->tree);
	r->tree = NULL;
}

void
srv_tree_release(struct smb2_server *s, struct srv_tree *t)
{
	if (t->counted && t->share && *current_uses(s, t->share) > 0)
		(*current_uses(s, t->share))--;
	srv_pipe_free(t);
	memset(t, 0, sizeof(*t));
}
