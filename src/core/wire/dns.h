/* DNS answers, as far as the probe reads them: the target of a CNAME. */
#ifndef SMBDIAG_CORE_WIRE_DNS_H
#define SMBDIAG_CORE_WIRE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first CNAME record of the answer section of the DNS message p,
 * its target expanded into target (cap bytes, dotted, no trailing dot).
 * False when the message has none, is cut short or is malformed. */
bool dns_answer_cname(const uint8_t *p, size_t len, char *target, size_t cap);

#endif
