// SPDX-License-Identifier: GPL-2.0
/*
 * Initial sequence numbers (RFC 6528): a keyed hash of the connection's
 * addresses and ports plus a clock, with a secret of our own (the kernel's
 * secure_seq helpers are not all exported on every kernel we support).
 */
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "hsk.h"

static siphash_key_t hsk_isn_secret __read_mostly;

/**
 * hsk_secret_init() - pick the ISN secret, once per module load
 */
void __init hsk_secret_init(void)
{
	get_random_bytes(&hsk_isn_secret, sizeof(hsk_isn_secret));
}

/**
 * hsk_isn() - the initial sequence number of a new connection
 * @net: its namespace, mixed in so namespaces do not share a sequence space
 * @key: its addresses and ports
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M
 * a clock ticking every 64 ns as Linux's own (RFC 6528 section 3).
 *
 * Return: the ISN.
 */
u32 hsk_isn(const struct net *net, const struct hsk_conn_key *key)
{
	struct {
		struct hsk_conn_key key;
		u32 net;
	} __aligned(SIPHASH_ALIGNMENT) in = {
		.key = *key,
		.net = net_hash_mix(net),
	};

	/* siphash reads every byte: no padding may go in uninitialised */
	BUILD_BUG_ON(sizeof(in) != sizeof(*key) + sizeof(u32));

	return (u32)siphash(&in, sizeof(in), &hsk_isn_secret) +
	       (u32)(ktime_get_real_ns() >> 6);
}
