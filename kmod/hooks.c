// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks, registered in every network namespace for IPv4 and IPv6.
 *
 * PRE_ROUTING, just before conntrack: segments for a listener are marked
 * untracked. Conntrack never sees our side of the handshake (our segments
 * are untracked too), so it would otherwise flag the peer's segments as
 * INVALID and a "ct state invalid drop" ruleset would eat them.
 *
 * LOCAL_OUT, just before conntrack: the same for a local client's segments
 * to a listener, which reach PRE_ROUTING with the entry conntrack made for
 * them on the way out.
 *
 * LOCAL_IN, after every filter has had its say like the socket layer:
 * segments for a listener are defragmented, rp-filtered and locally
 * addressed here; this is where the TCP endpoint takes them.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "hsk.h"

static unsigned int hsk_hook_untrack(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	struct hsk_pkt pkt;

	if (skb_nfct(skb))
		return NF_ACCEPT;
	/* On the way out, only what is routed back to this host. */
	if (state->hook == NF_INET_LOCAL_OUT &&
	    !(skb_dst(skb) && skb_dst(skb)->dev->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	if (hsk_pkt_listener(hsk_pernet(state->net), skb, state->pf, &pkt))
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
#endif
	return NF_ACCEPT;
}

static unsigned int hsk_hook_local_in(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	return hsk_input_skb(skb, state);
}

static const struct nf_hook_ops hsk_nf_ops[] = {
	{
		.hook = hsk_hook_untrack,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook = hsk_hook_untrack,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook = hsk_hook_local_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = hsk_hook_untrack,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK - 1,
	},
	{
		.hook = hsk_hook_untrack,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_CONNTRACK - 1,
	},
	{
		.hook = hsk_hook_local_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_LAST - 1,
	},
};

/**
 * hsk_hooks_net_init() - register the hooks in a namespace
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int hsk_hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, hsk_nf_ops, ARRAY_SIZE(hsk_nf_ops));
}

/**
 * hsk_hooks_net_uninit() - unregister the hooks of a namespace
 * @net: the namespace
 *
 * Called from pernet pre_exit, so that no hook runs once the namespace's
 * state starts being torn down after the following RCU grace period.
 */
void hsk_hooks_net_uninit(struct net *net)
{
	nf_unregister_net_hooks(net, hsk_nf_ops, ARRAY_SIZE(hsk_nf_ops));
}
