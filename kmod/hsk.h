/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsk: per network namespace state and the interfaces between the module's
 * parts. Each part has an hsk_X_init()/hsk_X_uninit() pair; main.c calls
 * them in order and unwinds in reverse.
 */
#ifndef _HSK_H
#define _HSK_H

#include <linux/hashtable.h>
#include <linux/hsk.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/mutex.h>
#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "core/hsk_core.h"

#define HSK_LISTEN_HASH_BITS	6

/*
 * The echo send queue of a connection: a ring of pages, so that it never
 * needs a high order atomic allocation. Its size is the receive buffer
 * (tcb.rcv_buf): the window we offer in every mode.
 */
#define HSK_SNDQ_PAGES	16
#define HSK_SNDQ_SIZE	(HSK_SNDQ_PAGES * PAGE_SIZE)
/* Bounds what one namespace (possibly owned by an unprivileged user
 * namespace) can make the kernel allocate through the control plane.
 */
#define HSK_LISTENERS_MAX	1024

/**
 * union hsk_addr - an IPv4 or IPv6 address in network order
 * @ip: IPv4 address
 * @in6: IPv6 address
 *
 * Zeroed before use, so that comparing the whole union is well defined for
 * both families.
 */
union hsk_addr {
	__be32 ip;
	struct in6_addr in6;
};

/**
 * struct hsk_listener - a configured listener
 * @node: entry in &struct hsk_net.listeners, RCU protected
 * @rcu: deferred free
 * @ref: the table's reference plus one per connection
 * @synrecv: connections of this listener in SYN-RECEIVED
 * @family: AF_INET, AF_INET6, or AF_UNSPEC for both families
 * @port: TCP port, network order so the packet path compares it directly
 * @addr: local address; all zero is the family's wildcard
 * @mode: enum hsk_mode
 * @backlog: most half-open connections at once
 */
struct hsk_listener {
	struct hlist_node node;
	struct rcu_head rcu;
	refcount_t ref;
	atomic_t synrecv;
	u16 family;
	__be16 port;
	union hsk_addr addr;
	u8 mode;
	u32 backlog;
};

/**
 * struct hsk_conn_key - what identifies a connection: local and remote
 *	address and port, zero padded so that it hashes and compares as bytes
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 * @family: AF_INET or AF_INET6
 * @pad: zero
 * @ifindex: the interface a link-local IPv6 peer is on (its address is
 *	only unique there, and replies must leave through it); 0 otherwise
 */
struct hsk_conn_key {
	union hsk_addr laddr;
	union hsk_addr raddr;
	__be16 lport;
	__be16 rport;
	u16 family;
	u16 pad;
	int ifindex;
};

/**
 * struct hsk_conn - one connection: a pure core tcb plus what the kernel
 *	needs around it
 * @node: entry in &struct hsk_net.conns
 * @key: addresses and ports
 * @ref: the table's reference, one while the timer is pending, and one per
 *	user that found it in the table
 * @lock: serialises every event on the connection (segments, timer,
 *	commands); taken with BHs off
 * @dead: unlinked from the table; no event may touch @tcb any more
 * @in_synrecv: counted in the listener's @synrecv
 * @net: namespace; connections never outlive their namespace's exit
 * @listener: the listener that created it (a reference)
 * @timer: one kernel timer for all of the core's timers
 * @sndq: echo data from SND.UNA on: a ring of @tcb.rcv_buf bytes in pages,
 *	allocated on the first delivery
 * @sndq_head: ring offset of SND.UNA
 * @bytes_in: payload bytes accepted
 * @bytes_out: payload bytes sent for the first time
 * @rcu: deferred free
 * @tcb: the core's state
 */
struct hsk_conn {
	struct rhash_head node;
	struct hsk_conn_key key;
	refcount_t ref;
	spinlock_t lock;	/* every event on the connection */
	bool dead;
	bool in_synrecv;
	struct net *net;
	struct hsk_listener *listener;
	struct timer_list timer;
	struct page **sndq;
	u32 sndq_head;
	u64 bytes_in;
	u64 bytes_out;
	struct rcu_head rcu;
	struct hsk_tcb tcb;
};

/**
 * struct hsk_config - the settings of a namespace (HSK_CONFIG_A_*)
 * @synack_retries: SYN-ACK retransmissions before giving up
 * @time_wait_ms: TIME-WAIT duration
 * @idle_timeout_ms: idle connection timeout, 0 for none
 * @rto_min_ms: lower bound of the retransmission timeout
 * @max_conns: most connections in the namespace
 * @sndq_limit_kb: most memory of the namespace's echo send queues
 */
struct hsk_config {
	u32 synack_retries;
	u32 time_wait_ms;
	u32 idle_timeout_ms;
	u32 rto_min_ms;
	u32 max_conns;
	u32 sndq_limit_kb;
};

/**
 * struct hsk_stats - per CPU counters, indexed by enum hsk_stats_attrs
 * @cnt: the counters; HSK_STATS_A_ACTIVE_CONNS is unused (a gauge)
 */
struct hsk_stats {
	u64 cnt[__HSK_STATS_A_MAX];
};

/**
 * struct hsk_net - hsk state of one network namespace
 * @lock: serialises changes to the listener table (readers use RCU) and
 *	to @config
 * @listeners: listener table hashed by port
 * @nr_listeners: entries in @listeners
 * @listen_gen: bumped on every change, for consistent netlink dumps
 * @conns: connection table, RCU lookups
 * @nr_conns: entries in @conns
 * @nr_held: connections of this namespace whose last reference is not
 *	dropped yet (in @conns or not)
 * @sndq_pages: pages of echo send queues
 * @config: settings; read with READ_ONCE() on the packet path
 * @stats: counters
 */
struct hsk_net {
	struct mutex lock;	/* writers of listeners and config */
	DECLARE_HASHTABLE(listeners, HSK_LISTEN_HASH_BITS);
	unsigned int nr_listeners;
	unsigned int listen_gen;
	struct rhashtable conns;
	atomic_t nr_conns;
	atomic_t nr_held;
	atomic_t sndq_pages;
	struct hsk_config config;
	struct hsk_stats __percpu *stats;
};

extern unsigned int hsk_net_id;

static inline struct hsk_net *hsk_pernet(const struct net *net)
{
	return net_generic(net, hsk_net_id);
}

static inline void hsk_stat_add(struct hsk_net *hn, unsigned int idx, u64 n)
{
	this_cpu_add(hn->stats->cnt[idx], n);
}

static inline void hsk_stat_inc(struct hsk_net *hn, unsigned int idx)
{
	this_cpu_inc(hn->stats->cnt[idx]);
}

/* The core's clock: milliseconds, wrapping. */
static inline u32 hsk_now(void)
{
	return jiffies_to_msecs(jiffies);
}

/* listener.c */
void hsk_listener_net_init(struct hsk_net *hn);
void hsk_listener_put(struct hsk_listener *l);
int hsk_listener_add(struct hsk_net *hn, const struct hsk_listener *tmpl,
		     struct netlink_ext_ack *extack);
int hsk_listener_del(struct hsk_net *hn, const struct hsk_listener *key,
		     struct netlink_ext_ack *extack);
void hsk_listener_flush(struct hsk_net *hn);
struct hsk_listener *hsk_listener_lookup(struct hsk_net *hn, u16 family,
					 const union hsk_addr *daddr,
					 __be16 dport);

/* conn.c */
int hsk_conn_init(void);
void hsk_conn_uninit(void);
int hsk_conn_net_init(struct hsk_net *hn);
void hsk_conn_net_uninit(struct hsk_net *hn);
struct hsk_conn *hsk_conn_lookup(struct hsk_net *hn,
				 const struct hsk_conn_key *key);
struct hsk_conn *hsk_conn_create(struct hsk_net *hn, struct net *net,
				 struct hsk_listener *l,
				 const struct hsk_conn_key *key,
				 const struct hsk_tcb *tcb);
void hsk_conn_put(struct hsk_conn *c);
void hsk_conn_exec(struct hsk_conn *c, struct hsk_actions *act,
		   const struct sk_buff *skb, unsigned int payload_off);
typedef bool (*hsk_conn_match_t)(const struct hsk_conn *c, const void *arg);
typedef void (*hsk_conn_cmd_t)(struct hsk_tcb *tcb, struct hsk_actions *act);
unsigned int hsk_conn_apply(struct hsk_net *hn, hsk_conn_match_t match,
			    const void *arg, hsk_conn_cmd_t cmd);
void hsk_conn_sndq_copy(const struct hsk_conn *c, u32 off, u32 len, u8 *to);
void hsk_act_stateless(struct net *net, const struct hsk_conn_key *key,
		       const struct hsk_actions *act);

/**
 * struct hsk_pkt - where a received TCP segment is going, from its IP header
 * @key: the connection it belongs to, from our side (local = destination)
 * @thoff: offset of the TCP header
 * @frag: an IPv6 first fragment (IPv4 is reassembled before LOCAL_IN)
 */
struct hsk_pkt {
	struct hsk_conn_key key;
	unsigned int thoff;
	bool frag;
};

/* input.c */
struct hsk_listener *hsk_pkt_listener(struct hsk_net *hn, struct sk_buff *skb,
				      u8 pf, struct hsk_pkt *pkt);
unsigned int hsk_input_skb(struct sk_buff *skb,
			   const struct nf_hook_state *state);

/* output.c */
int hsk_route_mss(struct net *net, const struct hsk_conn_key *key);
int hsk_xmit(struct net *net, const struct hsk_conn_key *key,
	     const struct hsk_tx *tx, const struct hsk_conn *c);

/* secret.c */
void hsk_secret_init(void);
u32 hsk_isn(const struct net *net, const struct hsk_conn_key *key);

/* hooks.c */
int hsk_hooks_net_init(struct net *net);
void hsk_hooks_net_uninit(struct net *net);

/* netlink.c */
int hsk_netlink_init(void);
void hsk_netlink_uninit(void);

#endif /* _HSK_H */
