/* The machine-readable message dump of the capture analyzer (tests). */
#ifndef SMBDIAG_CAPTURE_CAP_DUMP_H
#define SMBDIAG_CAPTURE_CAP_DUMP_H

#include "capture/cap_internal.h"
#include "core/auth/krb5msg.h"
#include "core/wire/smb2.h"

#define CAP_PATH_MAX 1024

/* tree_path: the path of a TREE_CONNECT request, "" otherwise. */
void cap_dump_smb2(struct cap_analyzer *a, const struct cap_flow *f, const struct smb2_header *h,
		   const struct smb2_message *m, enum sd_err body_err, bool body_decoded, const char *tree_path);
void cap_dump_transform(struct cap_analyzer *a, const struct cap_flow *f, uint64_t session_id);
void cap_dump_compressed(struct cap_analyzer *a, const struct cap_flow *f);
void cap_dump_krb(struct cap_analyzer *a, const struct krb_message *m);
void cap_dump_bind_tree(struct cap_analyzer *a, uint64_t session_id, uint32_t tree_id, const char *path);
void cap_dump_free(struct cap_analyzer *a);

#endif
