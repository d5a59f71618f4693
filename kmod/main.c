// SPDX-License-Identifier: GPL-2.0
/*
 * hsk: a TCP endpoint of its own for configured listeners, hooked into
 * netfilter and configured over generic netlink.
 */
#include <linux/module.h>
#include <linux/hsk.h>
#include <net/genetlink.h>

#include "hsk.h"

unsigned int hsk_net_id __read_mostly;

static int __net_init hsk_net_init(struct net *net)
{
	struct hsk_net *hn = hsk_pernet(net);
	int err;

	hn->config = (struct hsk_config) {
		.synack_retries = HSK_SYNACK_RETRIES_DEFAULT,
		.time_wait_ms = HSK_TIME_WAIT_MS_DEFAULT,
		.idle_timeout_ms = 0,
		.rto_min_ms = HSK_RTO_MIN_MS_DEFAULT,
		.max_conns = HSK_MAX_CONNS_DEFAULT,
		.sndq_limit_kb = HSK_SNDQ_LIMIT_KB_DEFAULT,
	};
	hsk_listener_net_init(hn);
	hn->stats = alloc_percpu(struct hsk_stats);
	if (!hn->stats)
		return -ENOMEM;
	err = hsk_conn_net_init(hn);
	if (err)
		goto err_stats;
	err = hsk_hooks_net_init(net);
	if (err)
		goto err_conn;
	return 0;

err_conn:
	hsk_conn_net_uninit(hn);
err_stats:
	free_percpu(hn->stats);
	return err;
}

static void __net_exit hsk_net_pre_exit(struct net *net)
{
	hsk_hooks_net_uninit(net);
}

/* The hooks are gone and an RCU grace period has passed since pre_exit. */
static void __net_exit hsk_net_exit(struct net *net)
{
	struct hsk_net *hn = hsk_pernet(net);

	hsk_listener_flush(hn);		/* resets the listeners' connections */
	hsk_conn_net_uninit(hn);
	free_percpu(hn->stats);
}

static struct pernet_operations hsk_net_ops = {
	.init = hsk_net_init,
	.pre_exit = hsk_net_pre_exit,
	.exit = hsk_net_exit,
	.id = &hsk_net_id,
	.size = sizeof(struct hsk_net),
};

static int __init hsk_init(void)
{
	int err;

	hsk_secret_init();
	err = hsk_conn_init();
	if (err)
		return err;
	err = register_pernet_subsys(&hsk_net_ops);
	if (err)
		goto err_conn;
	err = hsk_netlink_init();
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_subsys(&hsk_net_ops);
err_conn:
	hsk_conn_uninit();
	return err;
}

static void __exit hsk_exit(void)
{
	hsk_netlink_uninit();
	unregister_pernet_subsys(&hsk_net_ops);
	/* unregister_pernet_subsys() waited for hsk's RCU callbacks; the
	 * listeners' kfree_rcu() runs no code of ours.
	 */
	hsk_conn_uninit();
}

module_init(hsk_init);
module_exit(hsk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hsk: an RFC 9293 TCP endpoint for configured listeners, without sockets");
MODULE_AUTHOR("The hsk developers");
MODULE_ALIAS_GENL_FAMILY(HSK_GENL_NAME);
