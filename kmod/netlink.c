// SPDX-License-Identifier: GPL-2.0
/*
 * The "hsk" generic netlink family: the control plane. Every command acts
 * on the namespace of the requesting socket; every change needs
 * CAP_NET_ADMIN over that namespace; every refusal names the attribute at
 * fault in the extended ACK.
 */
#include <linux/hsk.h>
#include <linux/in.h>
#include <linux/rhashtable.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "hsk.h"

static struct genl_family hsk_genl_family;

static const struct nla_policy hsk_listen_policy[HSK_LISTEN_A_MAX + 1] = {
	[HSK_LISTEN_A_FAMILY]	= { .type = NLA_U16 },
	/* Its length depends on the family: checked in hsk_nl_parse_addr(). */
	[HSK_LISTEN_A_ADDR]	= { .type = NLA_BINARY },
	[HSK_LISTEN_A_PORT]	= { .type = NLA_U16 },
	[HSK_LISTEN_A_MODE]	= { .type = NLA_U32 },
	[HSK_LISTEN_A_BACKLOG]	= { .type = NLA_U32 },
};

static int hsk_nl_parse_addr(struct genl_info *info, struct hsk_listener *l)
{
	struct nlattr *attr = info->attrs[HSK_LISTEN_A_ADDR];
	struct netlink_ext_ack *extack = info->extack;

	if (!attr)
		return 0;	/* the family's wildcard */

	switch (l->family) {
	case AF_INET:
		if (nla_len(attr) != sizeof(l->addr.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "IPv4 address must be 4 bytes");
			return -EINVAL;
		}
		l->addr.ip = nla_get_in_addr(attr);
		if (ipv4_is_multicast(l->addr.ip) || ipv4_is_lbcast(l->addr.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "address must be unicast");
			return -EINVAL;
		}
		return 0;
	case AF_INET6:
		if (nla_len(attr) != sizeof(l->addr.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "IPv6 address must be 16 bytes");
			return -EINVAL;
		}
		l->addr.in6 = nla_get_in6_addr(attr);
		if (ipv6_addr_is_multicast(&l->addr.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "address must be unicast");
			return -EINVAL;
		}
		return 0;
	default:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a listener for both families takes no address");
		return -EINVAL;
	}
}

/* Parses the (family, address, port) key and, for ADD, the settings. */
static int hsk_nl_parse_listener(struct genl_info *info, struct hsk_listener *l,
				 bool settings)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct nlattr *attr;
	int err;

	memset(l, 0, sizeof(*l));
	l->family = AF_UNSPEC;
	l->mode = HSK_MODE_ECHO;
	l->backlog = HSK_BACKLOG_DEFAULT;

	attr = attrs[HSK_LISTEN_A_FAMILY];
	if (attr) {
		l->family = nla_get_u16(attr);
		if (l->family != AF_INET && l->family != AF_INET6 &&
		    l->family != AF_UNSPEC) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "family must be AF_INET, AF_INET6 or AF_UNSPEC");
			return -EINVAL;
		}
	}
	err = hsk_nl_parse_addr(info, l);
	if (err)
		return err;

	attr = attrs[HSK_LISTEN_A_PORT];
	if (!attr) {
		NL_SET_ERR_MSG(extack, "missing port");
		NL_SET_ERR_ATTR_MISS(extack, NULL, HSK_LISTEN_A_PORT);
		return -EINVAL;
	}
	if (!nla_get_u16(attr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "port must be 1-65535");
		return -EINVAL;
	}
	l->port = htons(nla_get_u16(attr));

	if (!settings) {
		if (attrs[HSK_LISTEN_A_MODE] || attrs[HSK_LISTEN_A_BACKLOG]) {
			attr = attrs[HSK_LISTEN_A_MODE] ?: attrs[HSK_LISTEN_A_BACKLOG];
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "only family, address and port name a listener");
			return -EINVAL;
		}
		return 0;
	}

	attr = attrs[HSK_LISTEN_A_MODE];
	if (attr) {
		if (nla_get_u32(attr) > HSK_MODE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "unknown mode");
			return -EINVAL;
		}
		l->mode = nla_get_u32(attr);
	}
	attr = attrs[HSK_LISTEN_A_BACKLOG];
	if (attr) {
		l->backlog = nla_get_u32(attr);
		if (!l->backlog || l->backlog > HSK_BACKLOG_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "backlog must be 1-65535");
			return -EINVAL;
		}
	}
	return 0;
}

static int hsk_nl_listen_add(struct sk_buff *skb, struct genl_info *info)
{
	struct hsk_listener l;
	int err;

	err = hsk_nl_parse_listener(info, &l, true);
	if (err)
		return err;
	return hsk_listener_add(hsk_pernet(genl_info_net(info)), &l, info->extack);
}

static int hsk_nl_listen_del(struct sk_buff *skb, struct genl_info *info)
{
	struct hsk_listener l;
	int err;

	err = hsk_nl_parse_listener(info, &l, false);
	if (err)
		return err;
	return hsk_listener_del(hsk_pernet(genl_info_net(info)), &l, info->extack);
}

static int hsk_nl_listen_flush(struct sk_buff *skb, struct genl_info *info)
{
	hsk_listener_flush(hsk_pernet(genl_info_net(info)));
	return 0;
}

static int hsk_nl_fill_listener(struct sk_buff *skb, struct netlink_callback *cb,
				const struct hsk_listener *l)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &hsk_genl_family, NLM_F_MULTI, HSK_CMD_LISTEN_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	if (nla_put_u16(skb, HSK_LISTEN_A_FAMILY, l->family) ||
	    nla_put_u16(skb, HSK_LISTEN_A_PORT, ntohs(l->port)) ||
	    nla_put_u32(skb, HSK_LISTEN_A_MODE, l->mode) ||
	    nla_put_u32(skb, HSK_LISTEN_A_BACKLOG, l->backlog))
		goto cancel;
	if (l->family == AF_INET &&
	    nla_put_in_addr(skb, HSK_LISTEN_A_ADDR, l->addr.ip))
		goto cancel;
	if (l->family == AF_INET6 &&
	    nla_put_in6_addr(skb, HSK_LISTEN_A_ADDR, &l->addr.in6))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * cb->args[0] is the next bucket, cb->args[1] the number of entries of that
 * bucket already sent. Dumps are rare, so they take the table's mutex and
 * let listen_gen flag a dump that spanned a change (NLM_F_DUMP_INTR).
 */
static int hsk_nl_listen_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hsk_net *hn = hsk_pernet(sock_net(skb->sk));
	unsigned long bkt = cb->args[0];
	long idx, skip = cb->args[1];
	struct hsk_listener *l;
	int err = 0;

	mutex_lock(&hn->lock);
	cb->seq = hn->listen_gen;
	for (; bkt < HASH_SIZE(hn->listeners); bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry(l, &hn->listeners[bkt], node) {
			if (idx++ < skip)
				continue;
			err = hsk_nl_fill_listener(skb, cb, l);
			if (err)
				goto out;
			skip = idx;
		}
	}
out:
	mutex_unlock(&hn->lock);
	cb->args[0] = bkt;
	cb->args[1] = skip;
	if (err == -EMSGSIZE && skb->len)
		err = 0;	/* skb full: the next round resumes at args[] */
	return err ?: skb->len;
}

/* Connections */

static const struct nla_policy hsk_conn_policy[HSK_CONN_A_MAX + 1] = {
	[HSK_CONN_A_FAMILY]		= { .type = NLA_U16 },
	/* Lengths depend on the family: checked in hsk_nl_parse_caddr(). */
	[HSK_CONN_A_LOCAL_ADDR]		= { .type = NLA_BINARY },
	[HSK_CONN_A_LOCAL_PORT]		= { .type = NLA_U16 },
	[HSK_CONN_A_REMOTE_ADDR]	= { .type = NLA_BINARY },
	[HSK_CONN_A_REMOTE_PORT]	= { .type = NLA_U16 },
	[HSK_CONN_A_IFINDEX]		= { .type = NLA_U32 },
};

/**
 * struct hsk_conn_filter - which connections a CLOSE or KILL is for
 * @family: AF_UNSPEC for both
 * @has_laddr: match @laddr
 * @has_raddr: match @raddr
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port, 0 for any
 * @rport: remote port, 0 for any
 * @ifindex: interface a link-local connection is bound to, 0 for any
 */
struct hsk_conn_filter {
	u16 family;
	bool has_laddr;
	bool has_raddr;
	union hsk_addr laddr;
	union hsk_addr raddr;
	__be16 lport;
	__be16 rport;
	int ifindex;
};

static int hsk_nl_parse_caddr(struct genl_info *info, int type, u16 family,
			      union hsk_addr *addr, bool *has)
{
	struct nlattr *attr = info->attrs[type];
	int len = family == AF_INET ? 4 : 16;

	if (!attr)
		return 0;
	if (family == AF_UNSPEC) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "an address needs a family");
		return -EINVAL;
	}
	if (nla_len(attr) != len) {
		if (family == AF_INET)
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "IPv4 address must be 4 bytes");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "IPv6 address must be 16 bytes");
		return -EINVAL;
	}
	memcpy(addr, nla_data(attr), len);
	*has = true;
	return 0;
}

static int hsk_nl_parse_cport(struct genl_info *info, int type, __be16 *port)
{
	struct nlattr *attr = info->attrs[type];

	if (!attr)
		return 0;
	if (!nla_get_u16(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "port must be 1-65535");
		return -EINVAL;
	}
	*port = htons(nla_get_u16(attr));
	return 0;
}

static int hsk_nl_parse_cifindex(struct genl_info *info, int *ifindex)
{
	struct nlattr *attr = info->attrs[HSK_CONN_A_IFINDEX];
	u32 v;

	if (!attr)
		return 0;
	/* An int in the kernel: 0 is no interface, and none is negative. */
	v = nla_get_u32(attr);
	if (!v || v > INT_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "interface index must be 1-2147483647");
		return -EINVAL;
	}
	*ifindex = v;
	return 0;
}

static int hsk_nl_parse_filter(struct genl_info *info, struct hsk_conn_filter *f)
{
	struct nlattr *attr = info->attrs[HSK_CONN_A_FAMILY];
	int err;

	memset(f, 0, sizeof(*f));
	if (attr) {
		f->family = nla_get_u16(attr);
		if (f->family != AF_INET && f->family != AF_INET6 &&
		    f->family != AF_UNSPEC) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "family must be AF_INET, AF_INET6 or AF_UNSPEC");
			return -EINVAL;
		}
	}
	err = hsk_nl_parse_caddr(info, HSK_CONN_A_LOCAL_ADDR, f->family,
				 &f->laddr, &f->has_laddr);
	if (!err)
		err = hsk_nl_parse_caddr(info, HSK_CONN_A_REMOTE_ADDR, f->family,
					 &f->raddr, &f->has_raddr);
	if (!err)
		err = hsk_nl_parse_cport(info, HSK_CONN_A_LOCAL_PORT, &f->lport);
	if (!err)
		err = hsk_nl_parse_cport(info, HSK_CONN_A_REMOTE_PORT, &f->rport);
	if (!err)
		err = hsk_nl_parse_cifindex(info, &f->ifindex);
	return err;
}

static bool hsk_conn_filter_match(const struct hsk_conn *c, const void *arg)
{
	const struct hsk_conn_filter *f = arg;
	const struct hsk_conn_key *k = &c->key;

	return (f->family == AF_UNSPEC || f->family == k->family) &&
	       (!f->has_laddr || !memcmp(&f->laddr, &k->laddr, sizeof(f->laddr))) &&
	       (!f->has_raddr || !memcmp(&f->raddr, &k->raddr, sizeof(f->raddr))) &&
	       (!f->lport || f->lport == k->lport) &&
	       (!f->rport || f->rport == k->rport) &&
	       (!f->ifindex || f->ifindex == k->ifindex);
}

static void hsk_nl_cmd_close(struct hsk_tcb *tcb, struct hsk_actions *act)
{
	hsk_close(tcb, act);	/* already closing is fine */
}

static int hsk_nl_conn_act(struct genl_info *info, hsk_conn_cmd_t cmd)
{
	struct hsk_conn_filter f;
	struct sk_buff *msg;
	unsigned int n;
	void *hdr;
	int err;

	err = hsk_nl_parse_filter(info, &f);
	if (err)
		return err;
	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	n = hsk_conn_apply(hsk_pernet(genl_info_net(info)),
			   hsk_conn_filter_match, &f, cmd);
	hdr = genlmsg_put_reply(msg, info, &hsk_genl_family, 0, info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, HSK_CONN_A_COUNT, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int hsk_nl_conn_close(struct sk_buff *skb, struct genl_info *info)
{
	return hsk_nl_conn_act(info, hsk_nl_cmd_close);
}

static int hsk_nl_conn_kill(struct sk_buff *skb, struct genl_info *info)
{
	return hsk_nl_conn_act(info, hsk_abort);
}

static int hsk_nl_put_addr(struct sk_buff *skb, int type, u16 family,
			   const union hsk_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, addr->ip);
	return nla_put_in6_addr(skb, type, &addr->in6);
}

static int hsk_nl_fill_conn(struct sk_buff *skb, struct netlink_callback *cb,
			    struct hsk_conn *c)
{
	const struct hsk_conn_key *k = &c->key;
	struct hsk_tcb t;
	u64 in, out;
	bool dead;
	void *hdr;

	spin_lock_bh(&c->lock);
	dead = c->dead;
	t = c->tcb;
	in = c->bytes_in;
	out = c->bytes_out;
	spin_unlock_bh(&c->lock);
	if (dead)
		return 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &hsk_genl_family, NLM_F_MULTI, HSK_CMD_CONN_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u16(skb, HSK_CONN_A_FAMILY, k->family) ||
	    hsk_nl_put_addr(skb, HSK_CONN_A_LOCAL_ADDR, k->family, &k->laddr) ||
	    nla_put_u16(skb, HSK_CONN_A_LOCAL_PORT, ntohs(k->lport)) ||
	    hsk_nl_put_addr(skb, HSK_CONN_A_REMOTE_ADDR, k->family, &k->raddr) ||
	    nla_put_u16(skb, HSK_CONN_A_REMOTE_PORT, ntohs(k->rport)) ||
	    nla_put_u8(skb, HSK_CONN_A_STATE, t.state) ||
	    nla_put_u32(skb, HSK_CONN_A_MODE, t.mode) ||
	    nla_put_u32(skb, HSK_CONN_A_SND_UNA, t.snd_una) ||
	    nla_put_u32(skb, HSK_CONN_A_SND_NXT, t.snd_nxt) ||
	    nla_put_u32(skb, HSK_CONN_A_RCV_NXT, t.rcv_nxt) ||
	    nla_put_u32(skb, HSK_CONN_A_SND_WND, t.snd_wnd) ||
	    nla_put_u32(skb, HSK_CONN_A_RCV_WND, t.rcv_adv - t.rcv_nxt) ||
	    nla_put_u64_64bit(skb, HSK_CONN_A_BYTES_IN, in, HSK_CONN_A_PAD) ||
	    nla_put_u64_64bit(skb, HSK_CONN_A_BYTES_OUT, out, HSK_CONN_A_PAD) ||
	    (k->ifindex && nla_put_u32(skb, HSK_CONN_A_IFINDEX, k->ifindex))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* A dump walks the table across calls; the iterator lives in args[0]. */
static int hsk_nl_conn_start(struct netlink_callback *cb)
{
	struct hsk_net *hn = hsk_pernet(sock_net(cb->skb->sk));
	struct rhashtable_iter *iter;

	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhashtable_walk_enter(&hn->conns, iter);
	cb->args[0] = (long)iter;
	return 0;
}

static int hsk_nl_conn_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[0];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

static int hsk_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[0];
	struct hsk_conn *c;
	int err = 0;

	rhashtable_walk_start(iter);
	/* Peek, so that an entry that did not fit is the next round's first. */
	while ((c = rhashtable_walk_peek(iter))) {
		if (IS_ERR(c)) {
			if (PTR_ERR(c) == -EAGAIN)
				continue;
			err = PTR_ERR(c);
			break;
		}
		if (hsk_nl_fill_conn(skb, cb, c))
			break;
		rhashtable_walk_next(iter);
	}
	rhashtable_walk_stop(iter);
	return err ?: skb->len;
}

/* Counters */

static const struct nla_policy hsk_stats_policy[HSK_STATS_A_MAX + 1] = {
};

static int hsk_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct hsk_net *hn = hsk_pernet(genl_info_net(info));
	u64 sum[__HSK_STATS_A_MAX] = {};
	struct sk_buff *msg;
	unsigned int i;
	int cpu;
	void *hdr;

	for_each_possible_cpu(cpu) {
		const struct hsk_stats *s = per_cpu_ptr(hn->stats, cpu);

		for (i = 0; i < __HSK_STATS_A_MAX; i++)
			sum[i] += READ_ONCE(s->cnt[i]);
	}
	sum[HSK_STATS_A_ACTIVE_CONNS] = atomic_read(&hn->nr_conns);

	msg = genlmsg_new(__HSK_STATS_A_MAX * nla_total_size_64bit(sizeof(u64)),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hsk_genl_family, 0, HSK_CMD_STATS_GET);
	if (!hdr)
		goto err;
	for (i = HSK_STATS_A_PAD + 1; i < __HSK_STATS_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, sum[i], HSK_STATS_A_PAD))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Configuration */

static const struct nla_policy hsk_config_policy[HSK_CONFIG_A_MAX + 1] = {
	[HSK_CONFIG_A_SYNACK_RETRIES]	= { .type = NLA_U32 },
	[HSK_CONFIG_A_TIME_WAIT_MS]	= { .type = NLA_U32 },
	[HSK_CONFIG_A_IDLE_TIMEOUT_MS]	= { .type = NLA_U32 },
	[HSK_CONFIG_A_RTO_MIN_MS]	= { .type = NLA_U32 },
	[HSK_CONFIG_A_MAX_CONNS]	= { .type = NLA_U32 },
	[HSK_CONFIG_A_SNDQ_LIMIT_KB]	= { .type = NLA_U32 },
};

/* The accepted range of each setting, and how to say it. */
static const struct {
	u32 min;
	u32 max;
	const char *msg;
} hsk_config_range[HSK_CONFIG_A_MAX + 1] = {
	[HSK_CONFIG_A_SYNACK_RETRIES]	= { 0, 15, "synack_retries must be 0-15" },
	[HSK_CONFIG_A_TIME_WAIT_MS]	= { 1, 600000, "time_wait_ms must be 1-600000" },
	[HSK_CONFIG_A_IDLE_TIMEOUT_MS]	= { 0, 86400000,
					    "idle_timeout_ms must be 0-86400000" },
	[HSK_CONFIG_A_RTO_MIN_MS]	= { 1, 60000, "rto_min_ms must be 1-60000" },
	[HSK_CONFIG_A_MAX_CONNS]	= { 1, 16777216, "max_conns must be 1-16777216" },
	[HSK_CONFIG_A_SNDQ_LIMIT_KB]	= { 64, 16777216,
					    "sndq_limit_kb must be 64-16777216" },
};

static u32 *hsk_config_field(struct hsk_config *cfg, int type)
{
	switch (type) {
	case HSK_CONFIG_A_SYNACK_RETRIES:
		return &cfg->synack_retries;
	case HSK_CONFIG_A_TIME_WAIT_MS:
		return &cfg->time_wait_ms;
	case HSK_CONFIG_A_IDLE_TIMEOUT_MS:
		return &cfg->idle_timeout_ms;
	case HSK_CONFIG_A_RTO_MIN_MS:
		return &cfg->rto_min_ms;
	case HSK_CONFIG_A_MAX_CONNS:
		return &cfg->max_conns;
	default:
		return &cfg->sndq_limit_kb;
	}
}

static int hsk_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct hsk_net *hn = hsk_pernet(genl_info_net(info));
	struct hsk_config cfg;
	struct sk_buff *msg;
	void *hdr;
	int type;

	mutex_lock(&hn->lock);
	cfg = hn->config;
	mutex_unlock(&hn->lock);

	msg = genlmsg_new(HSK_CONFIG_A_MAX * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hsk_genl_family, 0, HSK_CMD_CONFIG_GET);
	if (!hdr)
		goto err;
	for (type = 1; type <= HSK_CONFIG_A_MAX; type++)
		if (nla_put_u32(msg, type, *hsk_config_field(&cfg, type)))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int hsk_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct hsk_net *hn = hsk_pernet(genl_info_net(info));
	struct nlattr *attr;
	int type;
	u32 val;

	/* All or nothing: validate every value before changing any. */
	for (type = 1; type <= HSK_CONFIG_A_MAX; type++) {
		attr = info->attrs[type];
		if (!attr)
			continue;
		val = nla_get_u32(attr);
		if (val < hsk_config_range[type].min ||
		    val > hsk_config_range[type].max) {
			/* NL_SET_ERR_MSG_ATTR() takes literals only. */
			if (info->extack) {
				info->extack->_msg = hsk_config_range[type].msg;
				info->extack->bad_attr = attr;
			}
			return -EINVAL;
		}
	}
	mutex_lock(&hn->lock);
	for (type = 1; type <= HSK_CONFIG_A_MAX; type++)
		if (info->attrs[type])
			WRITE_ONCE(*hsk_config_field(&hn->config, type),
				   nla_get_u32(info->attrs[type]));
	mutex_unlock(&hn->lock);
	return 0;
}

static const struct genl_ops hsk_genl_ops[] = {
	{
		.cmd = HSK_CMD_LISTEN_ADD,
		.doit = hsk_nl_listen_add,
		.policy = hsk_listen_policy,
		.maxattr = HSK_LISTEN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = HSK_CMD_LISTEN_DEL,
		.doit = hsk_nl_listen_del,
		.policy = hsk_listen_policy,
		.maxattr = HSK_LISTEN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = HSK_CMD_LISTEN_GET,
		.dumpit = hsk_nl_listen_dump,
		.policy = hsk_listen_policy,
		.maxattr = HSK_LISTEN_A_MAX,
	},
	{
		.cmd = HSK_CMD_LISTEN_FLUSH,
		.doit = hsk_nl_listen_flush,
		.policy = hsk_listen_policy,
		.maxattr = HSK_LISTEN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = HSK_CMD_CONN_GET,
		.start = hsk_nl_conn_start,
		.dumpit = hsk_nl_conn_dump,
		.done = hsk_nl_conn_done,
		.policy = hsk_conn_policy,
		.maxattr = HSK_CONN_A_MAX,
	},
	{
		.cmd = HSK_CMD_CONN_CLOSE,
		.doit = hsk_nl_conn_close,
		.policy = hsk_conn_policy,
		.maxattr = HSK_CONN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = HSK_CMD_CONN_KILL,
		.doit = hsk_nl_conn_kill,
		.policy = hsk_conn_policy,
		.maxattr = HSK_CONN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = HSK_CMD_STATS_GET,
		.doit = hsk_nl_stats_get,
		.policy = hsk_stats_policy,
		.maxattr = HSK_STATS_A_MAX,
	},
	{
		.cmd = HSK_CMD_CONFIG_GET,
		.doit = hsk_nl_config_get,
		.policy = hsk_config_policy,
		.maxattr = HSK_CONFIG_A_MAX,
	},
	{
		.cmd = HSK_CMD_CONFIG_SET,
		.doit = hsk_nl_config_set,
		.policy = hsk_config_policy,
		.maxattr = HSK_CONFIG_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family hsk_genl_family __ro_after_init = {
	.name = HSK_GENL_NAME,
	.version = HSK_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.ops = hsk_genl_ops,
	.n_ops = ARRAY_SIZE(hsk_genl_ops),
	.module = THIS_MODULE,
};

/**
 * hsk_netlink_init() - register the "hsk" generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init hsk_netlink_init(void)
{
	return genl_register_family(&hsk_genl_family);
}

/**
 * hsk_netlink_uninit() - unregister the family; no command runs after it
 */
void hsk_netlink_uninit(void)
{
	genl_unregister_family(&hsk_genl_family);
}
