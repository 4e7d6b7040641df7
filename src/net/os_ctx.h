/* The world the core asks for (core/ctx.h), from the operating system:
 * the kernel's random source and the wall clock. One place for the probe,
 * serve and the test and benchmark drivers of the core client. */
#ifndef SMBDIAG_NET_OS_CTX_H
#define SMBDIAG_NET_OS_CTX_H

#include <stdint.h>

#include "core/ctx.h"

/* Sets ctx->random (getrandom; aborts when the kernel has none: keys and
 * challenges must never be predictable) and ctx->filetime. */
void net_os_ctx(struct sd_ctx *ctx);

/* CLOCK_MONOTONIC in microseconds, for drivers without an event loop. */
uint64_t net_os_monotonic_us(void);

#endif
