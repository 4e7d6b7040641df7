/* When the peer's TCP stack acknowledged what we sent, from the kernel's
 * own record (Linux SO_TIMESTAMPING with SOF_TIMESTAMPING_TX_ACK). */
#ifndef SMBDIAG_NET_ACK_STAMPS_H
#define SMBDIAG_NET_ACK_STAMPS_H

#include <stdbool.h>
#include <stdint.h>

/* Asks the kernel to stamp the ACK of every send on the connected TCP
 * socket fd; bytes are counted from this call on. False where the
 * system cannot (the caller then polls TCP_INFO). */
bool ack_stamps_enable(int fd);

/* Takes one stamp off fd's error queue without waiting: the number of
 * bytes (counted as above, modulo 2^32: the kernel's key is 32 bits) the
 * peer had acknowledged, and when, on CLOCK_MONOTONIC in microseconds.
 * False when the queue holds no stamp.
 * A readable error queue makes the socket report POLLERR, so whoever
 * polls the socket must drain it. */
bool ack_stamps_next(int fd, uint32_t *acked_bytes, uint64_t *at_us);

#endif
