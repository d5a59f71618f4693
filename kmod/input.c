// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving: from a segment at LOCAL_IN to a core call. Everything that
 * needs the skb happens here (addresses, fragments, checksum, reading the
 * header with skb_header_pointer(), which copes with GRO and nonlinear
 * skbs); the received skb is never modified.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "hsk.h"

/**
 * hsk_pkt_listener() - find the listener a TCP segment is addressed to
 * @hn: the namespace's hsk state
 * @skb: the segment; its IP header was validated by ip_rcv()/ipv6_rcv()
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 * @pkt: filled with the connection key and the TCP header offset
 *
 * Non-first fragments carry no ports: they are left to the host. Call under
 * rcu_read_lock().
 *
 * Return: the listener, or NULL.
 */
struct hsk_listener *hsk_pkt_listener(struct hsk_net *hn, struct sk_buff *skb,
				      u8 pf, struct hsk_pkt *pkt)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	memset(pkt, 0, sizeof(*pkt));
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return NULL;
		pkt->thoff = ip_hdrlen(skb);
		pkt->key.family = AF_INET;
		pkt->key.laddr.ip = iph->daddr;
		pkt->key.raddr.ip = iph->saddr;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		unsigned int thoff = 0;
		int flags = 0;

		if (ipv6_find_hdr(skb, &thoff, IPPROTO_TCP, NULL, &flags) !=
		    IPPROTO_TCP)
			return NULL;
		pkt->thoff = thoff;
		pkt->frag = flags & IP6_FH_F_FRAG;
		pkt->key.family = AF_INET6;
		pkt->key.laddr.in6 = ip6h->daddr;
		pkt->key.raddr.in6 = ip6h->saddr;
		if ((ipv6_addr_type(&ip6h->saddr) |
		     ipv6_addr_type(&ip6h->daddr)) & IPV6_ADDR_LINKLOCAL)
			pkt->key.ifindex = inet6_iif(skb);
	}

	th = skb_header_pointer(skb, pkt->thoff, sizeof(_th), &_th);
	if (!th)
		return NULL;
	pkt->key.lport = th->dest;
	pkt->key.rport = th->source;
	return hsk_listener_lookup(hn, pkt->key.family, &pkt->key.laddr,
				   th->dest);
}

/* Unicast to this host only: a wildcard listener must not answer a
 * broadcast or multicast that happens to carry its port.
 */
static bool hsk_pkt_unicast(const struct sk_buff *skb, u8 pf)
{
	if (skb->pkt_type != PACKET_HOST)
		return false;
	if (pf == NFPROTO_IPV4)
		return !(skb_rtable(skb)->rt_flags &
			 (RTCF_BROADCAST | RTCF_MULTICAST));
	return !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr);
}

static bool hsk_pkt_csum_ok(struct sk_buff *skb,
			    const struct nf_hook_state *state,
			    unsigned int thoff)
{
	if (state->pf == NFPROTO_IPV4)
		return !nf_ip_checksum(skb, state->hook, thoff, IPPROTO_TCP);
	return !nf_ip6_checksum(skb, state->hook, thoff, IPPROTO_TCP);
}

static void hsk_cfg_from_net(struct hsk_cfg *cfg, const struct hsk_net *hn)
{
	hsk_cfg_init(cfg);
	cfg->synack_retries = READ_ONCE(hn->config.synack_retries);
	cfg->time_wait_ms = READ_ONCE(hn->config.time_wait_ms);
	cfg->idle_ms = READ_ONCE(hn->config.idle_timeout_ms);
	cfg->rto_min_ms = READ_ONCE(hn->config.rto_min_ms);
}

/* A segment for a listener that has no connection. */
static void hsk_input_listen(struct hsk_net *hn, struct net *net,
			     struct hsk_listener *l, const struct sk_buff *skb,
			     const struct hsk_pkt *pkt,
			     const struct hsk_seg *seg)
{
	struct hsk_listen_params p = {
		.mode = l->mode,
		.now_ms = hsk_now(),
		.rcv_buf = HSK_SNDQ_SIZE,
		.default_mss = pkt->key.family == AF_INET ? HSK_MSS_DEFAULT :
							    HSK_MSS_DEFAULT_V6,
	};
	struct hsk_actions act;
	struct hsk_tcb tcb;
	struct hsk_conn *c;

	hsk_cfg_from_net(&p.cfg, hn);
	if (seg->flags & HSK_TCP_SYN) {
		p.iss = hsk_isn(net, &pkt->key);
		p.ts_offset = get_random_u32();
		p.mss = min_t(int, hsk_route_mss(net, &pkt->key), U16_MAX);
	}
	hsk_actions_init(&act);
	if (hsk_listen_input(&p, seg, &tcb, &act) != 1) {
		hsk_act_stateless(net, &pkt->key, &act);
		return;
	}

	c = hsk_conn_create(hn, net, l, &pkt->key, &tcb);
	if (!c)
		return;	/* counted; the SYN goes unanswered */
	spin_lock_bh(&c->lock);
	if (!c->dead) {
		hsk_output(&c->tcb, p.now_ms, &act);
		hsk_conn_exec(c, &act, skb, pkt->thoff + seg->hdr_len);
		/* Only first SYN-ACKs: the core counts the retransmissions. */
		hsk_stat_inc(hn, HSK_STATS_A_SYNACK_SENT);
	}
	spin_unlock_bh(&c->lock);
	hsk_conn_put(c);
}

static void hsk_input_conn(struct hsk_conn *c, const struct sk_buff *skb,
			   const struct hsk_pkt *pkt, const struct hsk_seg *seg)
{
	struct hsk_actions act;
	u32 now = hsk_now();

	spin_lock_bh(&c->lock);
	/* Closed under us: the peer's retransmission will meet the listener. */
	if (!c->dead) {
		hsk_actions_init(&act);
		hsk_input(&c->tcb, now, seg, &act);
		if (!(act.flags & HSK_ACT_FREE))
			hsk_output(&c->tcb, now, &act);
		hsk_conn_exec(c, &act, skb, pkt->thoff + seg->hdr_len);
	}
	spin_unlock_bh(&c->lock);
}

/**
 * hsk_input_skb() - the LOCAL_IN hook's work
 * @skb: a locally addressed, reassembled (IPv4) packet
 * @state: the hook state
 *
 * Segments for a listener or one of its connections are taken: consumed
 * (NF_STOLEN) once handled, or dropped and counted if they are malformed,
 * fail the checksum, or are not unicast. Everything else goes on to the
 * host stack.
 *
 * Return: a netfilter verdict.
 */
unsigned int hsk_input_skb(struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	struct hsk_net *hn = hsk_pernet(state->net);
	u8 hdr[HSK_TCP_MAX_HDR_LEN];
	struct hsk_listener *l;
	unsigned int seg_len;
	struct hsk_conn *c;
	struct hsk_seg seg;
	struct hsk_pkt pkt;
	const u8 *th;

	l = hsk_pkt_listener(hn, skb, state->pf, &pkt);
	if (!l)
		return NF_ACCEPT;

	hsk_stat_inc(hn, HSK_STATS_A_SEGS_IN);
	if (pkt.frag || !hsk_pkt_unicast(skb, state->pf)) {
		hsk_stat_inc(hn, HSK_STATS_A_MALFORMED);
		return NF_DROP;
	}
	if (!hsk_pkt_csum_ok(skb, state, pkt.thoff)) {
		hsk_stat_inc(hn, HSK_STATS_A_CSUM_ERRORS);
		return NF_DROP;
	}
	seg_len = skb->len - pkt.thoff;
	th = skb_header_pointer(skb, pkt.thoff,
				min_t(unsigned int, seg_len, sizeof(hdr)), hdr);
	if (!th || hsk_parse_header(th, min_t(unsigned int, seg_len, sizeof(hdr)),
				    seg_len, &seg)) {
		hsk_stat_inc(hn, HSK_STATS_A_MALFORMED);
		return NF_DROP;
	}

	c = hsk_conn_lookup(hn, &pkt.key);
	if (c) {
		hsk_input_conn(c, skb, &pkt, &seg);
		hsk_conn_put(c);
	} else {
		hsk_input_listen(hn, state->net, l, skb, &pkt, &seg);
	}
	consume_skb(skb);
	return NF_STOLEN;
}
