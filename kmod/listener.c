// SPDX-License-Identifier: GPL-2.0
/*
 * The listener table of a network namespace: a small hash table by port,
 * changed under hsk_net.lock from netlink and read under RCU from the
 * packet path.
 */
#include <linux/hash.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hsk.h"

void hsk_listener_net_init(struct hsk_net *hn)
{
	mutex_init(&hn->lock);
	hash_init(hn->listeners);
}

static bool hsk_listener_same(const struct hsk_listener *a,
			      const struct hsk_listener *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static struct hsk_listener *hsk_listener_find(struct hsk_net *hn,
					      const struct hsk_listener *key)
{
	struct hsk_listener *l;

	hash_for_each_possible(hn->listeners, l, node, (__force u16)key->port)
		if (hsk_listener_same(l, key))
			return l;
	return NULL;
}

/**
 * hsk_listener_add() - add a listener to a namespace
 * @hn: the namespace's hsk state
 * @tmpl: the listener to add; copied
 * @extack: where to explain a refusal
 *
 * Return: 0, -EEXIST for a duplicate (family, address, port), -ENOSPC past
 * %HSK_LISTENERS_MAX, or -ENOMEM.
 */
int hsk_listener_add(struct hsk_net *hn, const struct hsk_listener *tmpl,
		     struct netlink_ext_ack *extack)
{
	struct hsk_listener *l;
	int err = 0;

	mutex_lock(&hn->lock);
	if (hsk_listener_find(hn, tmpl)) {
		NL_SET_ERR_MSG(extack, "a listener with this address and port exists");
		err = -EEXIST;
		goto out;
	}
	if (hn->nr_listeners >= HSK_LISTENERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many listeners in this network namespace");
		err = -ENOSPC;
		goto out;
	}
	l = kmemdup(tmpl, sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l) {
		err = -ENOMEM;
		goto out;
	}
	refcount_set(&l->ref, 1);	/* the table's */
	atomic_set(&l->synrecv, 0);
	hash_add_rcu(hn->listeners, &l->node, (__force u16)l->port);
	hn->nr_listeners++;
	hn->listen_gen++;
out:
	mutex_unlock(&hn->lock);
	return err;
}

/**
 * hsk_listener_put() - drop a reference to a listener
 * @l: the listener
 *
 * The packet path reads listeners under RCU without a reference, so the
 * last put still waits for a grace period.
 */
void hsk_listener_put(struct hsk_listener *l)
{
	if (refcount_dec_and_test(&l->ref))
		kfree_rcu(l, rcu);
}

static bool hsk_conn_of_listener(const struct hsk_conn *c, const void *l)
{
	return c->listener == l;
}

/*
 * A deleted listener's connections are reset, as when a listening
 * application exits: nothing would serve them any more.
 */
static void hsk_listener_unlink(struct hsk_net *hn, struct hsk_listener *l)
{
	lockdep_assert_held(&hn->lock);
	hash_del_rcu(&l->node);
	hn->nr_listeners--;
	hn->listen_gen++;
	hsk_conn_apply(hn, hsk_conn_of_listener, l, hsk_abort);
	hsk_listener_put(l);
}

/**
 * hsk_listener_del() - delete a listener from a namespace, resetting its
 *	connections
 * @hn: the namespace's hsk state
 * @key: family, address and port of the listener
 * @extack: where to explain a refusal
 *
 * Return: 0 or -ENOENT.
 */
int hsk_listener_del(struct hsk_net *hn, const struct hsk_listener *key,
		     struct netlink_ext_ack *extack)
{
	struct hsk_listener *l;
	int err = 0;

	mutex_lock(&hn->lock);
	l = hsk_listener_find(hn, key);
	if (l) {
		hsk_listener_unlink(hn, l);
	} else {
		NL_SET_ERR_MSG(extack, "no listener with this address and port");
		err = -ENOENT;
	}
	mutex_unlock(&hn->lock);
	return err;
}

/**
 * hsk_listener_flush() - delete every listener of a namespace, resetting
 *	their connections
 * @hn: the namespace's hsk state
 */
void hsk_listener_flush(struct hsk_net *hn)
{
	struct hsk_listener *l;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&hn->lock);
	hash_for_each_safe(hn->listeners, bkt, tmp, l, node)
		hsk_listener_unlink(hn, l);
	mutex_unlock(&hn->lock);
}

/**
 * hsk_listener_lookup() - find the listener a segment is for
 * @hn: the namespace's hsk state
 * @family: AF_INET or AF_INET6, the segment's family
 * @daddr: the segment's destination address, zero padded
 * @dport: the segment's destination port
 *
 * Overlapping listeners may coexist, so the most specific one wins: exact
 * address, then the family's wildcard, then a listener for both families.
 * Call under rcu_read_lock(); the result is valid until rcu_read_unlock().
 *
 * Return: the listener or NULL.
 */
struct hsk_listener *hsk_listener_lookup(struct hsk_net *hn, u16 family,
					 const union hsk_addr *daddr,
					 __be16 dport)
{
	static const union hsk_addr any;
	struct hsk_listener *l, *best = NULL;
	int best_score = 0, score;

	hash_for_each_possible_rcu(hn->listeners, l, node, (__force u16)dport) {
		if (l->port != dport)
			continue;
		if (l->family == AF_UNSPEC)
			score = 1;
		else if (l->family != family)
			continue;
		else if (!memcmp(&l->addr, daddr, sizeof(*daddr)))
			score = 3;
		else if (!memcmp(&l->addr, &any, sizeof(any)))
			score = 2;
		else
			continue;
		if (score > best_score) {
			best = l;
			best_score = score;
		}
	}
	return best;
}
