// SPDX-License-Identifier: GPL-2.0
/*
 * Sending: every segment the core asks for is built from scratch, routed
 * with a lookup of its own (it may come from a timer, long after the
 * segment that caused it) and sent through LOCAL_OUT like any locally
 * generated packet, marked untracked like the flow it belongs to.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "hsk.h"

static struct dst_entry *hsk_route4(struct net *net,
				    const struct hsk_conn_key *key)
{
	struct flowi4 fl4 = {
		.daddr = key->raddr.ip,
		.saddr = key->laddr.ip,
		.flowi4_proto = IPPROTO_TCP,
		.fl4_sport = key->lport,
		.fl4_dport = key->rport,
	};
	struct rtable *rt = ip_route_output_key(net, &fl4);

	return IS_ERR(rt) ? NULL : &rt->dst;
}

static struct dst_entry *hsk_route6(struct net *net,
				    const struct hsk_conn_key *key)
{
	struct flowi6 fl6 = {
		.daddr = key->raddr.in6,
		.saddr = key->laddr.in6,
		.flowi6_oif = key->ifindex,
		.flowi6_proto = IPPROTO_TCP,
		.fl6_sport = key->lport,
		.fl6_dport = key->rport,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

static struct dst_entry *hsk_route(struct net *net,
				   const struct hsk_conn_key *key)
{
	if (key->family == AF_INET)
		return hsk_route4(net, key);
	return hsk_route6(net, key);
}

static unsigned int hsk_ip_hdr_len(u16 family)
{
	return family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
}

/**
 * hsk_route_mss() - the MSS the route to a peer allows
 * @net: the namespace
 * @key: addresses and ports, from our side
 *
 * Return: the route's MTU less the IP and TCP headers, or 0 if there is no
 * route (the core then uses the family's default).
 */
int hsk_route_mss(struct net *net, const struct hsk_conn_key *key)
{
	struct dst_entry *dst = hsk_route(net, key);
	int mss;

	if (!dst)
		return 0;
	mss = dst_mtu(dst) - hsk_ip_hdr_len(key->family) - sizeof(struct tcphdr);
	dst_release(dst);
	return max(mss, 0);
}

/**
 * hsk_xmit() - build and send one segment
 * @net: the namespace
 * @key: addresses and ports, from our side
 * @tx: the segment, as the core described it
 * @c: the connection whose send queue holds the payload, locked; NULL for
 *	segments without payload
 *
 * The checksum is left to the device (CHECKSUM_PARTIAL) or to the stack's
 * software fallback, as for any locally generated segment.
 *
 * Return: 0, or a negative errno if the segment could not be sent.
 */
int hsk_xmit(struct net *net, const struct hsk_conn_key *key,
	     const struct hsk_tx *tx, const struct hsk_conn *c)
{
	unsigned int iphlen = hsk_ip_hdr_len(key->family);
	unsigned int thlen = sizeof(struct tcphdr) + hsk_tx_opts_len(tx);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct tcphdr *th;
	unsigned int hroom;

	if (WARN_ON_ONCE(tx->data_len && !c))
		return -EINVAL;
	dst = hsk_route(net, key);
	if (!dst) {
		net_dbg_ratelimited("hsk: no route for a reply\n");
		return -EHOSTUNREACH;
	}
	hroom = LL_RESERVED_SPACE(dst->dev) + iphlen + thlen;
	skb = alloc_skb(hroom + tx->data_len, GFP_ATOMIC);
	if (!skb) {
		dst_release(dst);
		hsk_stat_inc(hsk_pernet(net), HSK_STATS_A_NOMEM);
		return -ENOMEM;
	}
	skb_reserve(skb, hroom);
	if (tx->data_len)
		hsk_conn_sndq_copy(c, tx->data_off, tx->data_len,
				   skb_put(skb, tx->data_len));

	th = skb_push(skb, thlen);
	skb_reset_transport_header(skb);
	hsk_write_header(tx, ntohs(key->lport), ntohs(key->rport), (u8 *)th);

	if (key->family == AF_INET) {
		struct iphdr *iph;

		th->check = ~tcp_v4_check(skb->len, key->laddr.ip,
					  key->raddr.ip, 0);
		iph = skb_push(skb, sizeof(*iph));
		skb_reset_network_header(skb);
		*iph = (struct iphdr) {
			.version = 4,
			.ihl = sizeof(*iph) / 4,
			.frag_off = htons(IP_DF),
			.ttl = ip4_dst_hoplimit(dst),
			.protocol = IPPROTO_TCP,
			.saddr = key->laddr.ip,
			.daddr = key->raddr.ip,
		};
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h;

		th->check = ~tcp_v6_check(skb->len, &key->laddr.in6,
					  &key->raddr.in6, 0);
		ip6h = skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = key->laddr.in6;
		ip6h->daddr = key->raddr.in6;
		skb->protocol = htons(ETH_P_IPV6);
	}
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb_dst_set(skb, dst);
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
#endif
	/* Local output may drop it (a filter, a full queue): not our error. */
	if (key->family == AF_INET)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
	return 0;
}
