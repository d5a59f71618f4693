// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: the table (an rhashtable per namespace, RCU lookups), their
 * lifetime (a reference count, RCU-deferred free), their one kernel timer,
 * and the shell half of every event: carrying out what the pure core
 * decided (struct hsk_actions).
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "hsk.h"

static struct kmem_cache *hsk_conn_cache __read_mostly;

static const struct rhashtable_params hsk_conn_params = {
	.head_offset = offsetof(struct hsk_conn, node),
	.key_offset = offsetof(struct hsk_conn, key),
	.key_len = sizeof(struct hsk_conn_key),
	.automatic_shrinking = true,
};

/* The core's counters, as the namespace's netlink counters. */
static const u8 hsk_cnt_stat[HSK_CNT_MAX] = {
	[HSK_CNT_ESTABLISHED]		= HSK_STATS_A_ESTABLISHED,
	[HSK_CNT_RESET_RX]		= HSK_STATS_A_RST_RECV,
	[HSK_CNT_RST_TX]		= HSK_STATS_A_RST_SENT,
	[HSK_CNT_CHALLENGE_ACK]		= HSK_STATS_A_CHALLENGE_ACKS,
	[HSK_CNT_ACK_RATELIMITED]	= HSK_STATS_A_UNSPEC,
	[HSK_CNT_RETRANS]		= HSK_STATS_A_RETRANS,
	[HSK_CNT_SYNACK_RETRANS]	= HSK_STATS_A_SYNACK_RETRANS,
	[HSK_CNT_SYNACK_TIMEOUT]	= HSK_STATS_A_SYNACK_TIMEOUT,
	[HSK_CNT_RTO_TIMEOUT]		= HSK_STATS_A_TIMEOUTS,
	[HSK_CNT_PERSIST_PROBE]		= HSK_STATS_A_PERSIST_PROBES,
	[HSK_CNT_IDLE_TIMEOUT]		= HSK_STATS_A_IDLE_TIMEOUTS,
	[HSK_CNT_RX_BYTES]		= HSK_STATS_A_BYTES_IN,
	[HSK_CNT_TX_BYTES]		= HSK_STATS_A_BYTES_OUT,
	[HSK_CNT_URG_BYTES]		= HSK_STATS_A_URG_BYTES,
	[HSK_CNT_OFO_QUEUED]		= HSK_STATS_A_OFO_QUEUED,
};

static void hsk_conn_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(hsk_conn_cache, container_of(rcu, struct hsk_conn, rcu));
}

/**
 * hsk_conn_put() - drop a reference to a connection
 * @c: the connection
 *
 * The last put queues the free, then lets hsk_conn_net_uninit() know. The
 * namespace's state (@hn) outlives the wait there, not @c.
 */
void hsk_conn_put(struct hsk_conn *c)
{
	struct hsk_net *hn;

	if (refcount_dec_and_test(&c->ref)) {
		hn = hsk_pernet(c->net);
		hsk_listener_put(c->listener);
		call_rcu(&c->rcu, hsk_conn_free_rcu);
		if (atomic_dec_and_test(&hn->nr_held))
			wake_up_var(&hn->nr_held);
	}
}

/**
 * hsk_conn_lookup() - find a connection and take a reference to it
 * @hn: the namespace's hsk state
 * @key: addresses and ports, from our side
 *
 * Call under rcu_read_lock() (netfilter hooks are).
 *
 * Return: the connection, or NULL.
 */
struct hsk_conn *hsk_conn_lookup(struct hsk_net *hn,
				 const struct hsk_conn_key *key)
{
	struct hsk_conn *c;

	c = rhashtable_lookup(&hn->conns, key, hsk_conn_params);
	if (c && !refcount_inc_not_zero(&c->ref))
		c = NULL;
	return c;
}

static void hsk_conn_timer(struct timer_list *t);

/**
 * hsk_conn_create() - create a connection in SYN-RECEIVED for a listener
 * @hn: the namespace's hsk state
 * @net: the namespace
 * @l: the listener whose SYN it answers
 * @key: addresses and ports, from our side
 * @tcb: the core's new connection state, copied
 *
 * Enforces the namespace's max_conns and the listener's backlog, counting
 * refusals in conn_limit. The connection is returned with a reference
 * for the caller, who then carries out the SYN-ACK under its lock (unless
 * a segment on another CPU closed it first).
 *
 * Return: the connection, or NULL if it may not or could not be created.
 */
struct hsk_conn *hsk_conn_create(struct hsk_net *hn, struct net *net,
				 struct hsk_listener *l,
				 const struct hsk_conn_key *key,
				 const struct hsk_tcb *tcb)
{
	struct hsk_conn *c;

	if (atomic_inc_return(&hn->nr_conns) > READ_ONCE(hn->config.max_conns))
		goto err_limit;
	if (atomic_inc_return(&l->synrecv) > l->backlog)
		goto err_backlog;
	if (!refcount_inc_not_zero(&l->ref))
		goto err_listener;

	c = kmem_cache_zalloc(hsk_conn_cache, GFP_ATOMIC);
	if (!c) {
		hsk_stat_inc(hn, HSK_STATS_A_NOMEM);
		goto err_alloc;
	}
	c->key = *key;
	refcount_set(&c->ref, 2);	/* the table's and the caller's */
	spin_lock_init(&c->lock);
	c->net = net;
	c->listener = l;
	c->in_synrecv = true;
	c->tcb = *tcb;
	timer_setup(&c->timer, hsk_conn_timer, 0);

	if (rhashtable_lookup_insert_fast(&hn->conns, &c->node, hsk_conn_params)) {
		/* A twin SYN on another CPU won; the peer retransmits. */
		kmem_cache_free(hsk_conn_cache, c);
		goto err_alloc;
	}
	atomic_inc(&hn->nr_held);
	hsk_stat_inc(hn, HSK_STATS_A_SYN_RECV);
	return c;

err_alloc:
	hsk_listener_put(l);
err_listener:
	atomic_dec(&l->synrecv);
	atomic_dec(&hn->nr_conns);
	return NULL;
err_backlog:
	atomic_dec(&l->synrecv);
err_limit:
	atomic_dec(&hn->nr_conns);
	hsk_stat_inc(hn, HSK_STATS_A_CONN_LIMIT);
	return NULL;
}

static void hsk_sndq_ptr(const struct hsk_conn *c, u32 pos, u8 **p, u32 *room)
{
	pos %= HSK_SNDQ_SIZE;
	*p = page_address(c->sndq[pos / PAGE_SIZE]) + offset_in_page(pos);
	*room = PAGE_SIZE - offset_in_page(pos);
}

/**
 * hsk_conn_sndq_copy() - copy queued echo data out of the send queue
 * @c: the connection, locked
 * @off: offset from SND.UNA
 * @len: bytes, within what the core has queued
 * @to: destination
 */
void hsk_conn_sndq_copy(const struct hsk_conn *c, u32 off, u32 len, u8 *to)
{
	u32 room, n;
	u8 *p;

	while (len) {
		hsk_sndq_ptr(c, c->sndq_head + off, &p, &room);
		n = min(len, room);
		memcpy(to, p, n);
		to += n;
		off += n;
		len -= n;
	}
}

/*
 * Freed when the connection is unlinked, not with the object: that is
 * RCU-deferred and may come after the namespace (which the queue is
 * charged to) is gone.
 */
static void hsk_sndq_free(struct hsk_conn *c)
{
	unsigned int i;

	if (!c->sndq)
		return;
	for (i = 0; i < HSK_SNDQ_PAGES; i++)
		if (c->sndq[i])
			__free_page(c->sndq[i]);
	kfree(c->sndq);
	c->sndq = NULL;
	atomic_sub(HSK_SNDQ_PAGES, &hsk_pernet(c->net)->sndq_pages);
}

/* Charged to the namespace's sndq_limit_kb before anything is allocated. */
static int hsk_sndq_alloc(struct hsk_conn *c)
{
	struct hsk_net *hn = hsk_pernet(c->net);
	u32 limit = READ_ONCE(hn->config.sndq_limit_kb) / (PAGE_SIZE / 1024);
	unsigned int i;

	if (atomic_add_return(HSK_SNDQ_PAGES, &hn->sndq_pages) > limit) {
		atomic_sub(HSK_SNDQ_PAGES, &hn->sndq_pages);
		return -ENOBUFS;
	}
	c->sndq = kcalloc(HSK_SNDQ_PAGES, sizeof(*c->sndq), GFP_ATOMIC);
	if (!c->sndq) {
		atomic_sub(HSK_SNDQ_PAGES, &hn->sndq_pages);
		return -ENOMEM;
	}
	for (i = 0; i < HSK_SNDQ_PAGES; i++) {
		c->sndq[i] = alloc_page(GFP_ATOMIC);
		if (!c->sndq[i]) {
			hsk_sndq_free(c);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Copies payload the core accepted into the ring at offset @at from
 * SND.UNA: in-order data at the end of the queue, out-of-order data beyond
 * it, where it belongs once the hole before it is filled. The core keeps
 * both within tcb.rcv_buf (the ring's size) of SND.UNA.
 */
static int hsk_sndq_write(struct hsk_conn *c, const struct sk_buff *skb,
			  unsigned int off, u32 at, u32 len)
{
	u32 pos = c->sndq_head + at;
	u32 room, n;
	int err;
	u8 *p;

	if (!c->sndq) {
		err = hsk_sndq_alloc(c);
		if (err)
			return err;
	}
	while (len) {
		hsk_sndq_ptr(c, pos, &p, &room);
		n = min(len, room);
		if (skb_copy_bits(skb, off, p, n))
			return -EFAULT;
		pos += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Every state change of a connection passes here (from the core's trans). */
static void hsk_conn_trans(struct hsk_conn *c, u8 from, u8 to)
{
	if (c->in_synrecv && to != HSK_STATE_SYN_RECEIVED) {
		atomic_dec(&c->listener->synrecv);
		c->in_synrecv = false;
	}
}

static void hsk_conn_unlink(struct hsk_conn *c)
{
	struct hsk_net *hn = hsk_pernet(c->net);

	lockdep_assert_held(&c->lock);
	c->dead = true;
	hsk_conn_trans(c, c->tcb.state, HSK_STATE_CLOSED);
	rhashtable_remove_fast(&hn->conns, &c->node, hsk_conn_params);
	atomic_dec(&hn->nr_conns);
	hsk_sndq_free(c);
	if (timer_delete(&c->timer))
		hsk_conn_put(c);
	hsk_conn_put(c);	/* the table's; every caller holds its own */
}

/* One kernel timer per connection, armed for the core's earliest deadline;
 * a pending timer holds a reference.
 */
static void hsk_conn_timer_sync(struct hsk_conn *c)
{
	u32 expires;
	s32 delta;

	if (hsk_timer_next(&c->tcb, &expires)) {
		delta = expires - hsk_now();
		if (!mod_timer(&c->timer, jiffies +
			       (delta > 0 ? msecs_to_jiffies(delta) : 0)))
			refcount_inc(&c->ref);
	} else if (timer_delete(&c->timer)) {
		hsk_conn_put(c);
	}
}

static void hsk_act_account(struct hsk_net *hn, const struct hsk_actions *act)
{
	unsigned int i;

	for (i = 0; i < HSK_CNT_MAX; i++)
		if (act->cnt[i] && hsk_cnt_stat[i])
			hsk_stat_add(hn, hsk_cnt_stat[i], act->cnt[i]);
	if (act->drop != HSK_DROP_NONE)
		hsk_stat_inc(hn, HSK_STATS_A_DROPS);
}

static void hsk_act_xmit(struct hsk_net *hn, struct net *net,
			 const struct hsk_conn_key *key,
			 const struct hsk_actions *act, const struct hsk_conn *c)
{
	unsigned int i;

	for (i = 0; i < act->nsegs; i++)
		if (!hsk_xmit(net, key, &act->segs[i], c))
			hsk_stat_inc(hn, HSK_STATS_A_SEGS_OUT);
}

/**
 * hsk_act_stateless() - carry out the actions of a segment that created no
 *	connection (a RST for an ACK to a listener, or a silent drop)
 * @net: the namespace
 * @key: addresses and ports of the segment, from our side
 * @act: what hsk_listen_input() decided
 */
void hsk_act_stateless(struct net *net, const struct hsk_conn_key *key,
		       const struct hsk_actions *act)
{
	struct hsk_net *hn = hsk_pernet(net);

	hsk_act_xmit(hn, net, key, act, NULL);
	hsk_act_account(hn, act);
}

/**
 * hsk_conn_exec() - carry out the core's actions for one event
 * @c: the connection, locked, with a reference held by the caller
 * @act: what the core decided, after hsk_output() unless HSK_ACT_FREE
 * @skb: the received segment for deliveries and stores, or NULL
 * @payload_off: offset of the TCP payload in @skb
 */
void hsk_conn_exec(struct hsk_conn *c, struct hsk_actions *act,
		   const struct sk_buff *skb, unsigned int payload_off)
{
	struct hsk_net *hn = hsk_pernet(c->net);
	unsigned int i;

	lockdep_assert_held(&c->lock);
	if (act->acked)
		c->sndq_head = (c->sndq_head + act->acked) % HSK_SNDQ_SIZE;
	if (act->deliver_len && skb &&
	    hsk_sndq_write(c, skb, payload_off + act->deliver_off,
			   act->deliver_at, act->deliver_len)) {
		/* The core counted on the bytes being kept: give up. */
		hsk_stat_inc(hn, HSK_STATS_A_NOMEM);
		hsk_actions_init(act);
		hsk_abort(&c->tcb, act);
	}
	if (act->store_len && skb &&
	    hsk_sndq_write(c, skb, payload_off + act->store_off,
			   act->store_at, act->store_len)) {
		/* Out of order: the peer resends it, the connection lives on. */
		hsk_stat_inc(hn, HSK_STATS_A_NOMEM);
		hsk_ofo_renege(&c->tcb, act);
	}

	for (;;) {
		hsk_act_xmit(hn, c->net, &c->key, act, c);
		if (!(act->flags & HSK_ACT_MORE))
			break;
		act->nsegs = 0;
		act->flags &= ~HSK_ACT_MORE;
		hsk_output(&c->tcb, hsk_now(), act);
	}

	hsk_act_account(hn, act);
	c->bytes_in += act->cnt[HSK_CNT_RX_BYTES];
	c->bytes_out += act->cnt[HSK_CNT_TX_BYTES];
	for (i = 0; i < act->ntrans; i++)
		hsk_conn_trans(c, act->trans[i].from, act->trans[i].to);

	if (act->flags & HSK_ACT_FREE)
		hsk_conn_unlink(c);
	else
		hsk_conn_timer_sync(c);
}

/* Runs one core call on a live connection and carries out its actions. */
static void hsk_conn_event(struct hsk_conn *c, hsk_conn_cmd_t cmd,
			   enum hsk_timer timer)
{
	struct hsk_actions act;
	u32 now = hsk_now();

	hsk_actions_init(&act);
	if (cmd)
		cmd(&c->tcb, &act);
	else
		hsk_timeout(&c->tcb, timer, now, &act);
	if (!(act.flags & HSK_ACT_FREE))
		hsk_output(&c->tcb, now, &act);
	hsk_conn_exec(c, &act, NULL, 0);
}

/* The core decides which of its timers are due; we offer it each one. */
static void hsk_conn_timer(struct timer_list *t)
{
	struct hsk_conn *c = from_timer(c, t, timer);
	unsigned int i;

	spin_lock_bh(&c->lock);
	for (i = 0; i < HSK_TIMER_MAX && !c->dead; i++)
		if (c->tcb.timers & BIT(i))
			hsk_conn_event(c, NULL, i);
	spin_unlock_bh(&c->lock);
	hsk_conn_put(c);	/* the pending timer's */
}

/*
 * Takes a reference to every matching connection in one walk that never
 * stops: a walk that stops and restarts skips the successor of an entry
 * removed meanwhile. A resize restarts the walk, which then repeats
 * entries, so everything is dropped and collected again. Returns how many
 * were collected, or -ENOSPC if @max was too few.
 */
static int hsk_conn_collect(struct hsk_net *hn, hsk_conn_match_t match,
			    const void *arg, struct hsk_conn **found,
			    unsigned int max)
{
	struct rhashtable_iter iter;
	unsigned int n = 0;
	struct hsk_conn *c;

	rhashtable_walk_enter(&hn->conns, &iter);
	rhashtable_walk_start(&iter);
	while ((c = rhashtable_walk_next(&iter))) {
		if (IS_ERR(c)) {
			while (n)
				hsk_conn_put(found[--n]);
			continue;	/* -EAGAIN: the walk starts over */
		}
		if ((match && !match(c, arg)) || !refcount_inc_not_zero(&c->ref))
			continue;
		if (n == max) {
			hsk_conn_put(c);
			break;
		}
		found[n++] = c;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	if (c) {
		while (n)
			hsk_conn_put(found[--n]);
		return -ENOSPC;
	}
	return n;
}

/**
 * hsk_conn_apply() - run a command on every matching connection
 * @hn: the namespace's hsk state
 * @match: selects connections, NULL for all; must not sleep
 * @arg: passed to @match
 * @cmd: the core command (hsk_close(), hsk_abort(), ...)
 *
 * Process context. Connections created during the call may be missed.
 *
 * Return: how many connections the command ran on.
 */
unsigned int hsk_conn_apply(struct hsk_net *hn, hsk_conn_match_t match,
			    const void *arg, hsk_conn_cmd_t cmd)
{
	struct hsk_conn **found;
	unsigned int max, i, n = 0;
	int got;

	might_sleep();
	do {
		/* Room for what exists now and some that may come meanwhile. */
		max = atomic_read(&hn->nr_conns) + 64;
		found = kvmalloc_array(max, sizeof(*found), GFP_KERNEL);
		if (!found)
			return 0;
		got = hsk_conn_collect(hn, match, arg, found, max);
		if (got == -ENOSPC)
			kvfree(found);
	} while (got == -ENOSPC);

	for (i = 0; i < got; i++) {
		struct hsk_conn *c = found[i];

		spin_lock_bh(&c->lock);
		if (!c->dead) {
			hsk_conn_event(c, cmd, 0);
			n++;
		}
		spin_unlock_bh(&c->lock);
		hsk_conn_put(c);
	}
	kvfree(found);
	return n;
}

/**
 * hsk_conn_net_init() - set up a namespace's connection table
 * @hn: the namespace's hsk state
 *
 * Return: 0 or a negative errno.
 */
int hsk_conn_net_init(struct hsk_net *hn)
{
	atomic_set(&hn->nr_conns, 0);
	atomic_set(&hn->nr_held, 0);
	atomic_set(&hn->sndq_pages, 0);
	return rhashtable_init(&hn->conns, &hsk_conn_params);
}

/**
 * hsk_conn_net_uninit() - reset every connection of a namespace and free
 *	its table
 * @hn: the namespace's hsk state
 *
 * The hooks are gone, so no connection can be created any more. Returns
 * once the last reference to every connection of the namespace is
 * dropped, so that each one's free is queued with call_rcu(): the
 * rcu_barrier() that cleanup_net() and unregister_pernet_subsys() run
 * after the pernet exit methods then waits for all of them (and, with
 * the grace period before, for a timer callback that dropped a last
 * reference to return). Module exit needs no rcu_barrier() of its own:
 * each one waits for every RCU callback queued on every CPU, which on a
 * busy host (a flood, or kmemleak freeing its metadata with call_rcu())
 * can take long.
 */
void hsk_conn_net_uninit(struct hsk_net *hn)
{
	/* Nothing creates connections any more, but timers may be closing
	 * some while we walk; what is left afterwards is gone too.
	 */
	while (atomic_read(&hn->nr_conns))
		hsk_conn_apply(hn, NULL, NULL, hsk_abort);
	/* Unlinked connections whose timer callback is still running. */
	wait_var_event(&hn->nr_held, !atomic_read(&hn->nr_held));
	rhashtable_destroy(&hn->conns);
}

/**
 * hsk_conn_init() - create the connection object cache
 *
 * Return: 0 or -ENOMEM.
 */
int __init hsk_conn_init(void)
{
	hsk_conn_cache = KMEM_CACHE(hsk_conn, 0);
	return hsk_conn_cache ? 0 : -ENOMEM;
}

/**
 * hsk_conn_uninit() - destroy the connection object cache
 *
 * Call after unregister_pernet_subsys(): every namespace's exit waited
 * for its connections' last references and its rcu_barrier() for their
 * frees (see hsk_conn_net_uninit()).
 */
void hsk_conn_uninit(void)
{
	kmem_cache_destroy(hsk_conn_cache);
}
