// SPDX-License-Identifier: GPL-2.0
/*
 * hsk_nl_fuzz: a netlink fuzzer for the "hsk" generic netlink family.
 *
 * For every command (HSK_CMD_LISTEN_ADD .. HSK_CMD_MAX, plus command numbers
 * the family does not have) it sends random and malformed requests, as do
 * and as dump: wrong attribute types and lengths, nesting flags, nested
 * garbage, unknown and reply-only attributes, missing required ones,
 * duplicates, headers that lie about their length, trailing bytes,
 * truncated generic netlink headers, raw random attribute areas, mixed
 * with plausible and valid requests.
 *
 * Every answer is checked against an oracle that parses the request's bytes
 * the way the kernel does (strict attribute validation, the policies and
 * rules of include/uapi/linux/hsk.h) and keeps a model of the namespace's
 * listener table and settings:
 *
 * - a refused request gets the expected negative errno and an extended ACK
 *   message; when an attribute is at fault the ACK's offset points at it,
 *   when one is missing it is named; nothing else is pointed at;
 * - a request the oracle finds valid succeeds, with exactly the reply the
 *   ABI promises; the listener table and the settings change as the model
 *   says (dumped and compared regularly);
 * - every reply is well formed: lengths, sequence and port numbers, flags,
 *   the echoed request, the TLVs of the extended ACK, the attributes of
 *   every message; nothing arrives after the final message.
 *
 * Refusals by the generic netlink core itself (a command the family does
 * not have, do on a dump-only command and vice versa, a truncated generic
 * netlink header) only need the right errno: the core sends no message
 * for them. They are counted separately.
 *
 * The PRNG is seeded from -s SEED or HSK_NL_FUZZ_SEED (default: time and
 * pid) and the seed is printed; each command has its own stream, so
 * "-s SEED -c CMD -n N" replays one command's first N requests. -n (or
 * HSK_NL_FUZZ_ITERS) sets the requests per command, -t (HSK_NL_FUZZ_TIME)
 * the time budget in seconds for all of them.
 *
 * Afterwards the module must still work (a listener add, dump, delete
 * round trip, the counters readable) and the namespace is left clean: no
 * listener, every setting at its default from the UAPI header.
 *
 * Needs root and the hsk module loaded; skips otherwise. Changes the
 * listeners and settings of the caller's network namespace.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/hsk.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define DEFAULT_ITERS	10000
#define DEFAULT_SECONDS	100
/* how many violations of one command are printed in full */
#define SHOW_MAX	8
/* requests between two comparisons of the kernel's state with the model */
#define VERIFY_EVERY	64
/* kmod/hsk.h, not ABI: the table refuses more with -ENOSPC */
#define LISTENERS_MAX	1024
#define REQ_MAX		4096
#define RX_MAX		(64 * 1024)

/* Settings and their ranges, as include/uapi/linux/hsk.h documents them. */
static const struct {
	const char *name;
	__u32 min, max, def;
} cfg_range[HSK_CONFIG_A_MAX + 1] = {
	[HSK_CONFIG_A_SYNACK_RETRIES]	= { "synack_retries", 0, 15,
					    HSK_SYNACK_RETRIES_DEFAULT },
	[HSK_CONFIG_A_TIME_WAIT_MS]	= { "time_wait_ms", 1, 600000,
					    HSK_TIME_WAIT_MS_DEFAULT },
	/* "0 (default) disables": the header has no constant for it */
	[HSK_CONFIG_A_IDLE_TIMEOUT_MS]	= { "idle_timeout_ms", 0, 86400000, 0 },
	[HSK_CONFIG_A_RTO_MIN_MS]	= { "rto_min_ms", 1, 60000,
					    HSK_RTO_MIN_MS_DEFAULT },
	[HSK_CONFIG_A_MAX_CONNS]	= { "max_conns", 1, 16777216,
					    HSK_MAX_CONNS_DEFAULT },
	[HSK_CONFIG_A_SNDQ_LIMIT_KB]	= { "sndq_limit_kb", 64, 16777216,
					    HSK_SNDQ_LIMIT_KB_DEFAULT },
};

/* ------------------------------------------------------------------ */
/* The request policies (hsk.h), as strict netlink validation sees them */

enum ptype {
	PT_NONE,	/* 0 or above the maximum: "Unknown attribute type" */
	PT_REJECT,	/* in range but not a request attribute: refused */
	PT_U16,
	PT_U32,
	PT_BIN,		/* any length; the command checks it */
};

#define SPACE_MAX	32

struct space {
	const char *name;
	int max;
	enum ptype pt[SPACE_MAX + 1];
};

static struct space sp_listen = { .name = "listen", .max = HSK_LISTEN_A_MAX };
static struct space sp_conn = { .name = "conn", .max = HSK_CONN_A_MAX };
static struct space sp_stats = { .name = "stats", .max = HSK_STATS_A_MAX };
static struct space sp_config = { .name = "config", .max = HSK_CONFIG_A_MAX };

static void init_spaces(void)
{
	int t;

	sp_listen.pt[HSK_LISTEN_A_FAMILY] = PT_U16;
	sp_listen.pt[HSK_LISTEN_A_ADDR] = PT_BIN;
	sp_listen.pt[HSK_LISTEN_A_PORT] = PT_U16;
	sp_listen.pt[HSK_LISTEN_A_MODE] = PT_U32;
	sp_listen.pt[HSK_LISTEN_A_BACKLOG] = PT_U32;

	/* the reply-only attributes are no request attributes */
	for (t = 1; t <= HSK_CONN_A_MAX; t++)
		sp_conn.pt[t] = PT_REJECT;
	sp_conn.pt[HSK_CONN_A_FAMILY] = PT_U16;
	sp_conn.pt[HSK_CONN_A_LOCAL_ADDR] = PT_BIN;
	sp_conn.pt[HSK_CONN_A_LOCAL_PORT] = PT_U16;
	sp_conn.pt[HSK_CONN_A_REMOTE_ADDR] = PT_BIN;
	sp_conn.pt[HSK_CONN_A_REMOTE_PORT] = PT_U16;
	sp_conn.pt[HSK_CONN_A_IFINDEX] = PT_U32;

	/* counters are read, never sent */
	for (t = 1; t <= HSK_STATS_A_MAX; t++)
		sp_stats.pt[t] = PT_REJECT;

	for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
		sp_config.pt[t] = PT_U32;
}

struct cmdinfo {
	int cmd;		/* -1: the group of command numbers hsk lacks */
	const char *name;
	struct space *sp;
	bool doit, dumpit;
};

static const struct cmdinfo cmds[] = {
	{ HSK_CMD_LISTEN_ADD,	"LISTEN_ADD",	&sp_listen, true, false },
	{ HSK_CMD_LISTEN_DEL,	"LISTEN_DEL",	&sp_listen, true, false },
	{ HSK_CMD_LISTEN_GET,	"LISTEN_GET",	&sp_listen, false, true },
	{ HSK_CMD_LISTEN_FLUSH,	"LISTEN_FLUSH",	&sp_listen, true, false },
	{ HSK_CMD_CONN_GET,	"CONN_GET",	&sp_conn, false, true },
	{ HSK_CMD_CONN_CLOSE,	"CONN_CLOSE",	&sp_conn, true, false },
	{ HSK_CMD_CONN_KILL,	"CONN_KILL",	&sp_conn, true, false },
	{ HSK_CMD_STATS_GET,	"STATS_GET",	&sp_stats, true, false },
	{ HSK_CMD_CONFIG_GET,	"CONFIG_GET",	&sp_config, true, false },
	{ HSK_CMD_CONFIG_SET,	"CONFIG_SET",	&sp_config, true, false },
	{ -1,			"unknown",	NULL, false, false },
};

static const struct cmdinfo *cmd_of(int cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 seeds a xorshift64* stream per command */

static __u64 rng_state;

static __u64 splitmix64(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static __u32 rnd(__u32 n)	/* 0 .. n-1 */
{
	return n ? (__u32)((rnd64() >> 32) % n) : 0;
}

static bool chance(int percent)
{
	return rnd(100) < (__u32)percent;
}

static void rnd_bytes(__u8 *b, int n)
{
	while (n-- > 0)
		*b++ = rnd64() >> 56;
}

/* ------------------------------------------------------------------ */
/* The model of the namespace's state */

struct lkey {
	__u16 family;
	__u8 addr[16];		/* zero: wildcard (always for AF_UNSPEC) */
	__u16 port;
};

struct lent {
	struct lkey k;
	__u32 mode, backlog;
};

static struct lent model_l[LISTENERS_MAX + 16];
static int model_n;
static __u32 model_cfg[HSK_CONFIG_A_MAX + 1];

static int model_find(const struct lkey *k)
{
	int i;

	for (i = 0; i < model_n; i++)
		if (!memcmp(&model_l[i].k, k, sizeof(*k)))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Figures */

struct figures {
	unsigned long sent, sent_do, sent_dump;
	unsigned long accepted, rejected, rej_extack;
	unsigned long rej_policy, rej_semantic, rej_state;
	unsigned long core, core_extack;	/* refused by genetlink itself */
	unsigned long malformed;		/* replies that broke the format */
	unsigned long violations;		/* all failures, malformed included */
	unsigned long shown;
	unsigned long verify_fail;
	double seconds;
};

static struct figures fig[ARRAY_SIZE(cmds)];
static struct figures *cur;	/* the command being fuzzed, or NULL */
static unsigned long other_failures;	/* outside the fuzzing loop */

/* ------------------------------------------------------------------ */
/* Sockets */

struct nlsock {
	struct nl_sock *sk;
	int fd;
	__u32 portid;
	bool cap_ack;
};

static struct nlsock socks[2];	/* [0] NETLINK_CAP_ACK, [1] full echo */
static int family_id;
static __u32 seq_next = 1;

static int open_sock(struct nlsock *s, bool cap_ack)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, cap = cap_ack, rcvbuf = 1 << 20;

	s->sk = nl_socket_alloc();
	if (!s->sk)
		return -ENOMEM;
	if (genl_connect(s->sk))
		return -EIO;
	s->fd = nl_socket_get_fd(s->sk);
	s->portid = nl_socket_get_local_port(s->sk);
	s->cap_ack = cap_ack;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap, sizeof(cap)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Printing */

static void hexdump(const char *what, const void *p, size_t len)
{
	const __u8 *b = p;
	size_t i, show = len > 512 ? 512 : len;
	char line[128];
	int n = 0;

	ksft_print_msg("  %s (%zu bytes%s):\n", what, len,
		       show < len ? ", first 512" : "");
	for (i = 0; i < show; i++) {
		n += snprintf(line + n, sizeof(line) - n, " %02x", b[i]);
		if (i % 24 == 23 || i + 1 == show) {
			ksft_print_msg("   %s\n", line);
			n = 0;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Requests and replies */

struct extack {
	bool present;		/* NLM_F_ACK_TLVS */
	bool has_msg;
	char msg[256];
	bool has_offs;
	__u32 offs;
	bool has_miss;
	__u32 miss_type;
};

/* One family message of a reply, checked and decoded. */
struct entry {
	__u8 cmd;
	const struct nlattr *tb[SPACE_MAX + 1];
	int count[SPACE_MAX + 1];
};

#define ENTRIES_MAX	(LISTENERS_MAX + 64)

struct reply {
	bool answered;		/* NLMSG_ERROR or NLMSG_DONE seen */
	bool is_done;		/* it was NLMSG_DONE */
	int err;		/* its error code */
	struct extack ext;
	int n;			/* family messages */
	bool malformed;
	char why[256];
	/* decoded family messages: pointers into rx[] are not kept */
	struct {
		__u8 cmd;
		__u16 flags;
		int nattr;
		struct { __u16 type; __u16 len; __u8 data[16]; } a[32];
	} e[ENTRIES_MAX];
	__u8 last_rx[2048];	/* for hex dumps */
	size_t last_rx_len;
};

static struct reply rep;
static __u8 rx[RX_MAX];

static void mal(struct reply *r, const char *fmt, ...)
{
	va_list ap;

	if (r->malformed)
		return;
	r->malformed = true;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* TLVs of an NLMSG_ERROR or NLMSG_DONE, from @p to @end. */
static void parse_tlvs(struct reply *r, const __u8 *p, const __u8 *end,
		       __u32 req_len)
{
	int rem = end - p;
	const struct nlattr *a = (const void *)p;

	r->ext.present = true;
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		int len = a->nla_len - NLA_HDRLEN;
		const char *d = (const char *)a + NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (!len || d[len - 1] || strlen(d) + 1 != (size_t)len) {
				mal(r, "extack message is not one NUL-terminated string");
				break;
			}
			for (int i = 0; i < len - 1; i++)
				if (d[i] < 0x20 || d[i] > 0x7e)
					mal(r, "extack message has a non printable byte");
			r->ext.has_msg = true;
			snprintf(r->ext.msg, sizeof(r->ext.msg), "%s", d);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (len != 4) {
				mal(r, "extack offset has length %d", len);
				break;
			}
			r->ext.has_offs = true;
			memcpy(&r->ext.offs, d, 4);
			if (r->ext.offs < NLMSG_HDRLEN + GENL_HDRLEN ||
			    r->ext.offs >= req_len)
				mal(r, "extack offset %u outside the request's attributes (length %u)",
				    r->ext.offs, req_len);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (len != 4) {
				mal(r, "extack missing type has length %d", len);
				break;
			}
			r->ext.has_miss = true;
			memcpy(&r->ext.miss_type, d, 4);
			break;
		default:
			/* cookie, policy, missing nest: only their framing */
			break;
		}
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const __u8 *)a + NLA_ALIGN(a->nla_len));
	}
	if (rem > 0)
		mal(r, "%d bytes of the extended ACK are no attribute", rem);
}

static void parse_error(struct reply *r, const struct nlmsghdr *nlh,
			const struct nlmsghdr *req, bool cap_ack)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (nlh->nlmsg_len < off) {
		mal(r, "NLMSG_ERROR of %u bytes", nlh->nlmsg_len);
		return;
	}
	r->answered = true;
	r->err = e->error;
	if (e->error > 0 || e->error < -4095)
		mal(r, "NLMSG_ERROR with error %d", e->error);
	if (memcmp(&e->msg, req, sizeof(*req)))
		mal(r, "NLMSG_ERROR does not echo the request's header");
	if (e->error && !cap_ack) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			size_t body = req->nlmsg_len - NLMSG_HDRLEN;

			if (nlh->nlmsg_len < off + body) {
				mal(r, "NLMSG_ERROR echoes less than the request");
				return;
			}
			if (memcmp((const __u8 *)(e + 1), (const __u8 *)req + NLMSG_HDRLEN,
				   body))
				mal(r, "NLMSG_ERROR echoes another request body");
			off += NLMSG_ALIGN(body);
		}
	} else if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* an ACK, or NETLINK_CAP_ACK: the header only */
		mal(r, "NLMSG_ERROR without NLM_F_CAPPED (error %d, cap_ack %d)",
		    e->error, cap_ack);
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (nlh->nlmsg_len < off)
			mal(r, "NLMSG_ERROR shorter than its echo");
		else
			parse_tlvs(r, (const __u8 *)nlh + off,
				   (const __u8 *)nlh + nlh->nlmsg_len, req->nlmsg_len);
	} else if (nlh->nlmsg_len != off) {
		mal(r, "NLMSG_ERROR has %zu stray bytes", (size_t)nlh->nlmsg_len - off);
	}
}

static void parse_done(struct reply *r, const struct nlmsghdr *nlh,
		       const struct nlmsghdr *req)
{
	int err;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int)) {
		mal(r, "NLMSG_DONE of %u bytes", nlh->nlmsg_len);
		return;
	}
	memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	r->answered = true;
	r->is_done = true;
	r->err = err;
	if (err > 0 || err < -4095)
		mal(r, "NLMSG_DONE with error %d", err);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		parse_tlvs(r, (const __u8 *)NLMSG_DATA(nlh) + sizeof(int),
			   (const __u8 *)nlh + nlh->nlmsg_len, req->nlmsg_len);
}

/* A message of the family: its header and the framing of its attributes. */
static void parse_family_msg(struct reply *r, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const struct nlattr *a;
	int rem;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		mal(r, "family message of %u bytes", nlh->nlmsg_len);
		return;
	}
	if (g->version != HSK_GENL_VERSION || g->reserved)
		mal(r, "family message with version %u reserved %u",
		    g->version, g->reserved);
	if (r->n >= ENTRIES_MAX) {
		mal(r, "more than %d messages in one answer", ENTRIES_MAX);
		return;
	}
	r->e[r->n].cmd = g->cmd;
	r->e[r->n].flags = nlh->nlmsg_flags;
	r->e[r->n].nattr = 0;
	a = (const void *)((const __u8 *)g + GENL_HDRLEN);
	rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		int i = r->e[r->n].nattr;
		int len = a->nla_len - NLA_HDRLEN;

		if (i >= 32) {
			mal(r, "more than 32 attributes in a message");
			break;
		}
		if (a->nla_type & ~NLA_TYPE_MASK)
			mal(r, "attribute %u with flags 0x%x", a->nla_type & NLA_TYPE_MASK,
			    a->nla_type & ~NLA_TYPE_MASK);
		r->e[r->n].a[i].type = a->nla_type & NLA_TYPE_MASK;
		r->e[r->n].a[i].len = len;
		memcpy(r->e[r->n].a[i].data, (const __u8 *)a + NLA_HDRLEN,
		       len > 16 ? 16 : len);
		r->e[r->n].nattr++;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const __u8 *)a + NLA_ALIGN(a->nla_len));
	}
	if (rem > 0)
		mal(r, "%d bytes of a family message are no attribute", rem);
	r->n++;
}

/*
 * Send @req on @s and collect the whole answer into rep. A do request has
 * NLM_F_ACK: it ends with NLMSG_ERROR; a dump ends with NLMSG_DONE or, when
 * refused, NLMSG_ERROR.
 */
static int transact(struct nlsock *s, struct nlmsghdr *req, size_t send_len)
{
	struct reply *r = &rep;
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	ssize_t n;

	r->answered = r->is_done = r->malformed = false;
	r->err = 0;
	r->n = 0;
	r->why[0] = 0;
	memset(&r->ext, 0, sizeof(r->ext));
	r->last_rx_len = 0;

	n = sendto(s->fd, req, send_len, 0,
		   (struct sockaddr *)&(struct sockaddr_nl){ .nl_family = AF_NETLINK },
		   sizeof(struct sockaddr_nl));
	if (n != (ssize_t)send_len)
		return -errno;

	while (!r->answered) {
		struct nlmsghdr *nlh;
		int rem;

		n = recv(s->fd, rx, sizeof(rx), MSG_TRUNC);
		if (n < 0) {
			mal(r, "no answer (%s)", strerror(errno));
			return 0;
		}
		r->last_rx_len = (size_t)n < sizeof(r->last_rx) ? (size_t)n :
								 sizeof(r->last_rx);
		memcpy(r->last_rx, rx, r->last_rx_len);
		if ((size_t)n > sizeof(rx)) {
			mal(r, "a datagram of %zd bytes", n);
			return 0;
		}
		rem = n;
		for (nlh = (void *)rx; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (r->answered) {
				mal(r, "a message after the final one");
				break;
			}
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != s->portid)
				mal(r, "message with seq %u pid %u, expected %u %u",
				    nlh->nlmsg_seq, nlh->nlmsg_pid, req->nlmsg_seq,
				    s->portid);
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(r, nlh, req, s->cap_ack);
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				if (!dump)
					mal(r, "NLMSG_DONE answers a do request");
				parse_done(r, nlh, req);
			} else if (nlh->nlmsg_type == family_id) {
				if (dump != !!(nlh->nlmsg_flags & NLM_F_MULTI))
					mal(r, "a %s message %s NLM_F_MULTI",
					    dump ? "dump" : "do",
					    dump ? "without" : "with");
				parse_family_msg(r, nlh);
			} else {
				mal(r, "a message of type %u", nlh->nlmsg_type);
			}
		}
		if (rem)
			mal(r, "%d bytes at the end of a datagram are no message", rem);
	}
	/* nothing may follow */
	n = recv(s->fd, rx, sizeof(rx), MSG_DONTWAIT);
	if (n >= 0)
		mal(r, "%zd more bytes after the final message", n);
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		mal(r, "recv after the final message: %s", strerror(errno));
	while (n >= 0)	/* drain, so that the next request starts clean */
		n = recv(s->fd, rx, sizeof(rx), MSG_DONTWAIT);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding replies */

static const void *ent_attr(int i, __u16 type, int *len, int *count)
{
	const void *p = NULL;
	int k;

	*count = 0;
	for (k = 0; k < rep.e[i].nattr; k++) {
		if (rep.e[i].a[k].type != type)
			continue;
		(*count)++;
		*len = rep.e[i].a[k].len;
		p = rep.e[i].a[k].data;
	}
	return p;
}

static bool ent_u(int i, __u16 type, int size, __u64 *val)
{
	const void *p;
	int len = -1, count;
	__u8 u8;
	__u16 u16;
	__u32 u32;

	p = ent_attr(i, type, &len, &count);
	if (!p || count != 1 || len != size)
		return false;
	switch (size) {
	case 1: memcpy(&u8, p, 1); *val = u8; break;
	case 2: memcpy(&u16, p, 2); *val = u16; break;
	case 4: memcpy(&u32, p, 4); *val = u32; break;
	default: memcpy(val, p, 8); break;
	}
	return true;
}

/* Only attributes of @allowed (a bitmask of types) appear, none twice. */
static bool ent_only(int i, __u64 allowed, int *bad)
{
	__u64 seen = 0;
	int k;

	for (k = 0; k < rep.e[i].nattr; k++) {
		__u16 t = rep.e[i].a[k].type;

		if (t >= 64 || !(allowed & (1ULL << t)) || (seen & (1ULL << t))) {
			*bad = t;
			return false;
		}
		seen |= 1ULL << t;
	}
	return true;
}

static int addr_len_of(__u16 family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* A LISTEN_GET message into @l; false (and rep malformed) if broken. */
static bool decode_listener(int i, struct lent *l)
{
	__u64 fam, port, mode, backlog;
	const void *addr;
	int len = 0, count, bad = 0;

	memset(l, 0, sizeof(*l));
	if (rep.e[i].cmd != HSK_CMD_LISTEN_GET) {
		mal(&rep, "listener message with command %u", rep.e[i].cmd);
		return false;
	}
	if (!ent_only(i, 1ULL << HSK_LISTEN_A_FAMILY | 1ULL << HSK_LISTEN_A_ADDR |
		      1ULL << HSK_LISTEN_A_PORT | 1ULL << HSK_LISTEN_A_MODE |
		      1ULL << HSK_LISTEN_A_BACKLOG, &bad)) {
		mal(&rep, "listener message with attribute %d unexpected or repeated", bad);
		return false;
	}
	if (!ent_u(i, HSK_LISTEN_A_FAMILY, 2, &fam) ||
	    !ent_u(i, HSK_LISTEN_A_PORT, 2, &port) ||
	    !ent_u(i, HSK_LISTEN_A_MODE, 4, &mode) ||
	    !ent_u(i, HSK_LISTEN_A_BACKLOG, 4, &backlog)) {
		mal(&rep, "listener message without family, port, mode or backlog of the right size");
		return false;
	}
	if ((fam != AF_UNSPEC && fam != AF_INET && fam != AF_INET6) || !port ||
	    mode > HSK_MODE_MAX || !backlog || backlog > HSK_BACKLOG_MAX) {
		mal(&rep, "listener with family %llu port %llu mode %llu backlog %llu",
		    (unsigned long long)fam, (unsigned long long)port,
		    (unsigned long long)mode, (unsigned long long)backlog);
		return false;
	}
	addr = ent_attr(i, HSK_LISTEN_A_ADDR, &len, &count);
	if (fam == AF_UNSPEC ? !!addr : (!addr || len != addr_len_of(fam))) {
		mal(&rep, "listener of family %llu with %s address of %d bytes",
		    (unsigned long long)fam, addr ? "an" : "no", addr ? len : 0);
		return false;
	}
	l->k.family = fam;
	l->k.port = port;
	if (addr)
		memcpy(l->k.addr, addr, len);
	l->mode = mode;
	l->backlog = backlog;
	return true;
}

static void decode_conn(int i)
{
	__u64 fam, v;
	int bad = 0, alen, len = 0, count;
	const void *a;

	if (rep.e[i].cmd != HSK_CMD_CONN_GET) {
		mal(&rep, "connection message with command %u", rep.e[i].cmd);
		return;
	}
	if (!ent_only(i, (((1ULL << (HSK_CONN_A_BYTES_OUT + 1)) - 1) &
			  ~(1ULL << HSK_CONN_A_UNSPEC)) | 1ULL << HSK_CONN_A_IFINDEX, &bad)) {
		mal(&rep, "connection message with attribute %d unexpected or repeated", bad);
		return;
	}
	if (!ent_u(i, HSK_CONN_A_FAMILY, 2, &fam) ||
	    (fam != AF_INET && fam != AF_INET6)) {
		mal(&rep, "connection message without a valid family");
		return;
	}
	alen = addr_len_of(fam);
	a = ent_attr(i, HSK_CONN_A_LOCAL_ADDR, &len, &count);
	if (!a || len != alen)
		mal(&rep, "connection local address missing or of %d bytes", len);
	a = ent_attr(i, HSK_CONN_A_REMOTE_ADDR, &len, &count);
	if (!a || len != alen)
		mal(&rep, "connection remote address missing or of %d bytes", len);
	if (!ent_u(i, HSK_CONN_A_LOCAL_PORT, 2, &v) || !v ||
	    !ent_u(i, HSK_CONN_A_REMOTE_PORT, 2, &v) ||
	    !ent_u(i, HSK_CONN_A_STATE, 1, &v) || v > HSK_CONN_STATE_MAX ||
	    !ent_u(i, HSK_CONN_A_MODE, 4, &v) || v > HSK_MODE_MAX ||
	    !ent_u(i, HSK_CONN_A_SND_UNA, 4, &v) || !ent_u(i, HSK_CONN_A_SND_NXT, 4, &v) ||
	    !ent_u(i, HSK_CONN_A_RCV_NXT, 4, &v) || !ent_u(i, HSK_CONN_A_SND_WND, 4, &v) ||
	    !ent_u(i, HSK_CONN_A_RCV_WND, 4, &v) ||
	    !ent_u(i, HSK_CONN_A_BYTES_IN, 8, &v) || !ent_u(i, HSK_CONN_A_BYTES_OUT, 8, &v))
		mal(&rep, "connection message with a missing, wrong sized or out of range attribute");
	/* only for a connection bound to an interface: a link-local one */
	if (ent_attr(i, HSK_CONN_A_IFINDEX, &len, &count) &&
	    (fam != AF_INET6 || !ent_u(i, HSK_CONN_A_IFINDEX, 4, &v) || !v || v > INT32_MAX))
		mal(&rep, "connection message with a bad interface index");
}

static void decode_stats(int i)
{
	int t, bad = 0;
	__u64 v;

	if (rep.e[i].cmd != HSK_CMD_STATS_GET) {
		mal(&rep, "stats reply with command %u", rep.e[i].cmd);
		return;
	}
	if (!ent_only(i, ((1ULL << (HSK_STATS_A_MAX + 1)) - 1) & ~1ULL, &bad)) {
		mal(&rep, "stats reply with attribute %d unexpected or repeated", bad);
		return;
	}
	for (t = HSK_STATS_A_PAD + 1; t <= HSK_STATS_A_MAX; t++)
		if (!ent_u(i, t, 8, &v)) {
			mal(&rep, "stats reply without a u64 counter %d", t);
			return;
		}
}

static bool decode_config(int i, __u32 *cfg)
{
	int t, bad = 0;
	__u64 v;

	if (rep.e[i].cmd != HSK_CMD_CONFIG_GET) {
		mal(&rep, "config reply with command %u", rep.e[i].cmd);
		return false;
	}
	if (!ent_only(i, ((1ULL << (HSK_CONFIG_A_MAX + 1)) - 1) & ~1ULL, &bad)) {
		mal(&rep, "config reply with attribute %d unexpected or repeated", bad);
		return false;
	}
	for (t = 1; t <= HSK_CONFIG_A_MAX; t++) {
		if (!ent_u(i, t, 4, &v)) {
			mal(&rep, "config reply without a u32 %s", cfg_range[t].name);
			return false;
		}
		if (v < cfg_range[t].min || v > cfg_range[t].max)
			mal(&rep, "config reply: %s %llu out of range", cfg_range[t].name,
			    (unsigned long long)v);
		cfg[t] = v;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Building requests */

static struct nl_msg *msg;

static struct nlmsghdr *req_start(__u8 cmd, int flags, __u8 version)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	nlmsg_free(msg);
	msg = nlmsg_alloc_size(REQ_MAX);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, 0, seq_next++, family_id, 0, flags, cmd, version))
		return NULL;
	nlh = nlmsg_hdr(msg);
	g = nlmsg_data(nlh);
	g->version = version;
	return nlh;
}

static int put_raw(const void *data, int len)
{
	return nlmsg_append(msg, (void *)data, len, 0);
}

/* A well formed attribute, aligned as libnl does it. */
static int put_attr(__u16 type, const void *data, int len)
{
	return nla_put(msg, type, len, data);
}

static int put_u16(__u16 type, __u16 v)
{
	return nla_put_u16(msg, type, v);
}

static int put_u32(__u16 type, __u32 v)
{
	return nla_put_u32(msg, type, v);
}

/* Send what msg holds, to socket @which; -1: random. */
static int req_send(int which, size_t len_override)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	size_t len = nlh->nlmsg_len;
	struct nlsock *s;

	s = &socks[which < 0 ? (int)rnd(2) : which];
	nlh->nlmsg_pid = s->portid;
	if (len_override)
		len = nlh->nlmsg_len = len_override;
	return transact(s, nlh, len);
}

/* ------------------------------------------------------------------ */
/* The oracle: what the kernel must answer to the bytes in msg */

enum outcome { EXP_OK, EXP_ERR, EXP_CORE };
enum why { W_NONE, W_POLICY, W_SEMANTIC, W_STATE };

struct expect {
	enum outcome out;
	enum why why;
	int err, alt;		/* errno expected (positive), alternative */
	int blame;		/* offset the extack must give, -1: none */
	int miss;		/* missing type the extack must give, 0: none */
	const char *rule;	/* which rule refused it */
	/* what a valid request changes */
	struct lent l;
	__u32 cfg[HSK_CONFIG_A_MAX + 1];
	bool cfg_set[HSK_CONFIG_A_MAX + 1];
};

struct parsed {
	const struct nlattr *tb[SPACE_MAX + 1];
	int off[SPACE_MAX + 1];
};

static void refuse(struct expect *x, enum why why, int err, int blame,
		   const char *rule)
{
	x->out = EXP_ERR;
	x->why = why;
	x->err = err;
	x->alt = 0;
	x->blame = blame;
	x->miss = 0;
	x->rule = rule;
}

static __u16 a_u16(const struct nlattr *a)
{
	__u16 v;

	memcpy(&v, (const __u8 *)a + NLA_HDRLEN, 2);
	return v;
}

static __u32 a_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, (const __u8 *)a + NLA_HDRLEN, 4);
	return v;
}

static int a_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/*
 * Strict attribute validation (lib/nlattr.c, NL_VALIDATE_STRICT) of the
 * attribute area: the first offending attribute is blamed; bytes left
 * over blame none. Fills @p with the last attribute of each type.
 */
static bool policy_check(const struct nlmsghdr *nlh, const struct space *sp,
			 struct parsed *p, struct expect *x)
{
	int base = NLMSG_HDRLEN + GENL_HDRLEN;
	int rem = nlh->nlmsg_len - base;
	const struct nlattr *a = (const void *)((const __u8 *)nlh + base);

	memset(p, 0, sizeof(*p));
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		int off = (const __u8 *)a - (const __u8 *)nlh;
		int type = a->nla_type & NLA_TYPE_MASK;
		int len = a->nla_len - NLA_HDRLEN;
		enum ptype pt = type <= sp->max ? sp->pt[type] : PT_NONE;

		if (!type || type > sp->max) {
			refuse(x, W_POLICY, EINVAL, off, "unknown attribute type");
			return false;
		}
		if ((pt == PT_U16 && len != 2) || (pt == PT_U32 && len != 4)) {
			refuse(x, W_POLICY, EINVAL, off, "invalid attribute length");
			x->alt = ERANGE;
			return false;
		}
		if (pt != PT_REJECT && (a->nla_type & NLA_F_NESTED)) {
			refuse(x, W_POLICY, EINVAL, off, "NLA_F_NESTED not expected");
			return false;
		}
		if (pt == PT_REJECT || pt == PT_NONE) {
			refuse(x, W_POLICY, EINVAL, off, "unsupported attribute");
			return false;
		}
		p->tb[type] = a;
		p->off[type] = off;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const __u8 *)a + NLA_ALIGN(a->nla_len));
	}
	if (rem > 0) {
		refuse(x, W_POLICY, EINVAL, -1, "bytes left over after the attributes");
		return false;
	}
	return true;
}

static bool addr_ok(__u16 family, const __u8 *a)
{
	static const __u8 bcast[4] = { 255, 255, 255, 255 };

	if (family == AF_INET)
		return (a[0] & 0xf0) != 0xe0 && memcmp(a, bcast, 4);
	return a[0] != 0xff;
}

/* hsk_nl_parse_listener() as hsk.h describes it */
static void oracle_listener(const struct parsed *p, bool add, struct expect *x)
{
	const struct nlattr *a;
	struct lent *l = &x->l;

	memset(l, 0, sizeof(*l));
	l->mode = HSK_MODE_ECHO;
	l->backlog = HSK_BACKLOG_DEFAULT;
	a = p->tb[HSK_LISTEN_A_FAMILY];
	if (a) {
		l->k.family = a_u16(a);
		if (l->k.family != AF_INET && l->k.family != AF_INET6 &&
		    l->k.family != AF_UNSPEC)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_FAMILY],
				      "family");
	}
	a = p->tb[HSK_LISTEN_A_ADDR];
	if (a) {
		int off = p->off[HSK_LISTEN_A_ADDR];

		if (l->k.family == AF_UNSPEC)
			return refuse(x, W_SEMANTIC, EINVAL, off, "address without family");
		if (a_len(a) != addr_len_of(l->k.family))
			return refuse(x, W_SEMANTIC, EINVAL, off, "address length");
		memcpy(l->k.addr, (const __u8 *)a + NLA_HDRLEN, a_len(a));
		if (!addr_ok(l->k.family, l->k.addr))
			return refuse(x, W_SEMANTIC, EINVAL, off, "address not unicast");
	}
	a = p->tb[HSK_LISTEN_A_PORT];
	if (!a) {
		refuse(x, W_SEMANTIC, EINVAL, -1, "missing port");
		x->miss = HSK_LISTEN_A_PORT;
		return;
	}
	l->k.port = a_u16(a);
	if (!l->k.port)
		return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_PORT], "port 0");
	if (!add) {
		if (p->tb[HSK_LISTEN_A_MODE])
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_MODE],
				      "mode names no listener");
		if (p->tb[HSK_LISTEN_A_BACKLOG])
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_BACKLOG],
				      "backlog names no listener");
		if (model_find(&l->k) < 0)
			return refuse(x, W_STATE, ENOENT, -1, "no such listener");
		return;
	}
	a = p->tb[HSK_LISTEN_A_MODE];
	if (a) {
		if (a_u32(a) > HSK_MODE_MAX)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_MODE], "mode");
		l->mode = a_u32(a);
	}
	a = p->tb[HSK_LISTEN_A_BACKLOG];
	if (a) {
		l->backlog = a_u32(a);
		if (!l->backlog || l->backlog > HSK_BACKLOG_MAX)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_LISTEN_A_BACKLOG],
				      "backlog");
	}
	if (model_find(&l->k) >= 0)
		return refuse(x, W_STATE, EEXIST, -1, "listener exists");
	if (model_n >= LISTENERS_MAX)
		return refuse(x, W_STATE, ENOSPC, -1, "too many listeners");
}

/* hsk_nl_parse_filter(): the order is family, addresses, ports, interface */
static void oracle_filter(const struct parsed *p, struct expect *x)
{
	static const int addrs[] = { HSK_CONN_A_LOCAL_ADDR, HSK_CONN_A_REMOTE_ADDR };
	static const int ports[] = { HSK_CONN_A_LOCAL_PORT, HSK_CONN_A_REMOTE_PORT };
	const struct nlattr *a = p->tb[HSK_CONN_A_FAMILY];
	__u16 family = AF_UNSPEC;
	size_t i;

	if (a) {
		family = a_u16(a);
		if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_CONN_A_FAMILY],
				      "family");
	}
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		a = p->tb[addrs[i]];
		if (!a)
			continue;
		if (family == AF_UNSPEC)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[addrs[i]],
				      "address without family");
		if (a_len(a) != addr_len_of(family))
			return refuse(x, W_SEMANTIC, EINVAL, p->off[addrs[i]],
				      "address length");
	}
	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		a = p->tb[ports[i]];
		if (a && !a_u16(a))
			return refuse(x, W_SEMANTIC, EINVAL, p->off[ports[i]], "port 0");
	}
	a = p->tb[HSK_CONN_A_IFINDEX];
	if (a && (!a_u32(a) || a_u32(a) > INT32_MAX))
		return refuse(x, W_SEMANTIC, EINVAL, p->off[HSK_CONN_A_IFINDEX],
			      "interface index out of range");
}

/* hsk_nl_config_set(): every value checked, in type order, before any is set */
static void oracle_config_set(const struct parsed *p, struct expect *x)
{
	int t;

	for (t = 1; t <= HSK_CONFIG_A_MAX; t++) {
		const struct nlattr *a = p->tb[t];

		if (!a)
			continue;
		x->cfg[t] = a_u32(a);
		x->cfg_set[t] = true;
		if (x->cfg[t] < cfg_range[t].min || x->cfg[t] > cfg_range[t].max)
			return refuse(x, W_SEMANTIC, EINVAL, p->off[t], "setting out of range");
	}
}

static void oracle(const struct nlmsghdr *nlh, struct expect *x)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	const struct cmdinfo *ci;
	struct parsed p;

	memset(x, 0, sizeof(*x));
	x->out = EXP_OK;
	x->blame = -1;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		x->out = EXP_CORE;
		x->err = EINVAL;
		x->rule = "truncated genetlink header";
		return;
	}
	/*
	 * genl_header_check(): the reserved byte must be zero and, but for
	 * the two bits of NLM_F_DUMP, only REQUEST, ACK and ECHO may be set.
	 */
	if (g->reserved || (nlh->nlmsg_flags & ~(dump ? NLM_F_DUMP : 0) &
			    ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		x->out = EXP_CORE;
		x->err = EINVAL;
		x->rule = g->reserved ? "reserved genetlink byte set" :
			  "ambiguous nlmsg_flags";
		return;
	}
	ci = cmd_of(g->cmd);
	if (!ci || ci->cmd < 0 || (dump ? !ci->dumpit : !ci->doit)) {
		x->out = EXP_CORE;
		x->err = EOPNOTSUPP;
		x->rule = !ci || ci->cmd < 0 ? "no such command" :
			  dump ? "no dump for this command" : "no do for this command";
		return;
	}
	if (!policy_check(nlh, ci->sp, &p, x))
		return;
	switch (ci->cmd) {
	case HSK_CMD_LISTEN_ADD:
		oracle_listener(&p, true, x);
		break;
	case HSK_CMD_LISTEN_DEL:
		oracle_listener(&p, false, x);
		break;
	case HSK_CMD_CONN_CLOSE:
	case HSK_CMD_CONN_KILL:
		oracle_filter(&p, x);
		break;
	case HSK_CMD_CONFIG_SET:
		oracle_config_set(&p, x);
		break;
	default:
		break;	/* the rest takes any attribute the policy lets in */
	}
}

/* ------------------------------------------------------------------ */
/* Judging an answer */

static bool verify_listeners(const char *when);
static bool verify_config(const char *when);

static void violation(const struct nlmsghdr *req, const struct expect *x,
		      const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cur) {
		cur->violations++;
		if (cur->shown++ >= SHOW_MAX)
			return;
	} else {
		other_failures++;
	}
	ksft_print_msg("VIOLATION: %s\n", what);
	if (x && x->rule)
		ksft_print_msg("  oracle: %s (%s)\n",
			       x->out == EXP_OK ? "valid" : "refused", x->rule);
	if (rep.ext.has_msg || rep.ext.has_offs || rep.ext.has_miss)
		ksft_print_msg("  extack: \"%s\" offset %s%u missing %s%u\n",
			       rep.ext.msg, rep.ext.has_offs ? "" : "-/",
			       rep.ext.offs, rep.ext.has_miss ? "" : "-/",
			       rep.ext.miss_type);
	if (req)
		hexdump("request", req, req->nlmsg_len);
	if (rep.last_rx_len)
		hexdump("last datagram received", rep.last_rx, rep.last_rx_len);
}

static void model_apply(const struct nlmsghdr *req, const struct expect *x)
{
	const struct genlmsghdr *g = NLMSG_DATA(req);
	int i, t;

	switch (g->cmd) {
	case HSK_CMD_LISTEN_ADD:
		model_l[model_n++] = x->l;
		break;
	case HSK_CMD_LISTEN_DEL:
		i = model_find(&x->l.k);
		if (i >= 0)
			model_l[i] = model_l[--model_n];
		break;
	case HSK_CMD_LISTEN_FLUSH:
		model_n = 0;
		break;
	case HSK_CMD_CONFIG_SET:
		for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
			if (x->cfg_set[t])
				model_cfg[t] = x->cfg[t];
		break;
	}
}

/* The dump holds the model's listeners, each once. */
static bool listeners_match(char *why, size_t len)
{
	static bool seen[LISTENERS_MAX + 16];
	struct lent l;
	int i, j;

	if (rep.n != model_n) {
		snprintf(why, len, "%d listeners dumped, the model has %d", rep.n, model_n);
		return false;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < rep.n; i++) {
		if (!decode_listener(i, &l)) {
			snprintf(why, len, "%s", rep.why);
			return false;
		}
		j = model_find(&l.k);
		if (j < 0 || seen[j]) {
			snprintf(why, len, "listener family %u port %u %s", l.k.family,
				 l.k.port, j < 0 ? "not in the model" : "dumped twice");
			return false;
		}
		seen[j] = true;
		if (model_l[j].mode != l.mode || model_l[j].backlog != l.backlog) {
			snprintf(why, len, "listener port %u: mode %u backlog %u, model %u %u",
				 l.k.port, l.mode, l.backlog, model_l[j].mode,
				 model_l[j].backlog);
			return false;
		}
	}
	return true;
}

static void judge(const struct nlmsghdr *req, const struct expect *x)
{
	const struct genlmsghdr *g = NLMSG_DATA(req);
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool was_malformed = rep.malformed;
	char why[256];
	int i;

	if (rep.malformed) {
		cur->malformed++;
		violation(req, x, "malformed answer: %s", rep.why);
		if (!rep.answered)
			return;
	}
	if (rep.err) {
		if (x->out == EXP_CORE) {
			cur->core++;
			cur->core_extack += rep.ext.has_msg;
		} else {
			cur->rejected++;
			cur->rej_extack += rep.ext.has_msg;
		}
	} else {
		cur->accepted++;
	}

	if (x->out == EXP_CORE) {
		if (rep.err != -x->err)
			violation(req, x, "errno %d (%s), the genetlink core answers -%d (%s)",
				  rep.err, strerror(-rep.err), x->err, strerror(x->err));
		return;
	}
	if (x->out == EXP_ERR) {
		if (x->why == W_POLICY)
			cur->rej_policy++;
		else if (x->why == W_SEMANTIC)
			cur->rej_semantic++;
		else
			cur->rej_state++;
		if (!rep.err) {
			violation(req, x, "accepted, but it is invalid");
			/* it did something: take the kernel's word for the state */
			if (g->cmd <= HSK_CMD_LISTEN_FLUSH)
				verify_listeners("after a wrongly accepted request");
			if (g->cmd == HSK_CMD_CONFIG_SET)
				verify_config("after a wrongly accepted request");
			return;
		}
		if (rep.err != -x->err && (!x->alt || rep.err != -x->alt))
			violation(req, x, "errno %d (%s), expected -%d (%s)", rep.err,
				  strerror(-rep.err), x->err, strerror(x->err));
		if (!rep.ext.has_msg)
			violation(req, x, "refused with errno %d but no extack message",
				  rep.err);
		if (x->blame >= 0 && !rep.ext.has_offs)
			violation(req, x, "the extack points at nothing, the culprit is at offset %d",
				  x->blame);
		else if (x->blame >= 0 && (int)rep.ext.offs != x->blame)
			violation(req, x, "the extack points at offset %u, the culprit is at %d",
				  rep.ext.offs, x->blame);
		if (x->blame < 0 && rep.ext.has_offs)
			violation(req, x, "the extack points at offset %u, no attribute is at fault",
				  rep.ext.offs);
		if (x->miss && (!rep.ext.has_miss || (int)rep.ext.miss_type != x->miss))
			violation(req, x, "the extack does not name missing attribute %d",
				  x->miss);
		if (!x->miss && rep.ext.has_miss)
			violation(req, x, "the extack names missing attribute %u, none is",
				  rep.ext.miss_type);
		if (rep.n)
			violation(req, x, "a refused request got %d replies", rep.n);
		return;
	}

	/* valid */
	if (rep.err) {
		violation(req, x, "refused with %d (%s, extack \"%s\"), but it is valid",
			  rep.err, strerror(-rep.err), rep.ext.msg);
		if (g->cmd <= HSK_CMD_LISTEN_FLUSH)
			verify_listeners("after a wrongly refused request");
		if (g->cmd == HSK_CMD_CONFIG_SET)
			verify_config("after a wrongly refused request");
		return;
	}
	if (dump != rep.is_done)
		violation(req, x, "a %s ended with %s", dump ? "dump" : "do request",
			  rep.is_done ? "NLMSG_DONE" : "NLMSG_ERROR");
	model_apply(req, x);
	switch (g->cmd) {
	case HSK_CMD_LISTEN_GET:
		if (!listeners_match(why, sizeof(why))) {
			violation(req, x, "listener dump: %s", why);
			verify_listeners("after a dump that did not match");
		}
		break;
	case HSK_CMD_CONN_GET:
		for (i = 0; i < rep.n; i++)
			decode_conn(i);
		break;
	case HSK_CMD_CONN_CLOSE:
	case HSK_CMD_CONN_KILL: {
		__u64 n;

		if (rep.n != 1 || rep.e[0].cmd != g->cmd || rep.e[0].nattr != 1 ||
		    !ent_u(0, HSK_CONN_A_COUNT, 4, &n))
			mal(&rep, "%d replies, the first not one HSK_CONN_A_COUNT u32",
			    rep.n);
		break;
	}
	case HSK_CMD_STATS_GET:
		if (rep.n != 1)
			mal(&rep, "%d stats replies", rep.n);
		else
			decode_stats(0);
		break;
	case HSK_CMD_CONFIG_GET: {
		__u32 cfg[HSK_CONFIG_A_MAX + 1];

		if (rep.n != 1) {
			mal(&rep, "%d config replies", rep.n);
		} else if (decode_config(0, cfg) &&
			   memcmp(cfg + 1, model_cfg + 1, sizeof(__u32) * HSK_CONFIG_A_MAX)) {
			violation(req, x, "config differs from the model");
			memcpy(model_cfg, cfg, sizeof(cfg));
		}
		break;
	}
	default:
		if (rep.n)
			mal(&rep, "%d replies to a command that has none", rep.n);
	}
	if (rep.malformed && !was_malformed) {
		cur->malformed++;
		violation(req, x, "malformed reply: %s", rep.why);
	}
}

/* ------------------------------------------------------------------ */
/* Plain requests for setup, verification and the final checks */

/* Sends what msg holds; 0 or the kernel's errno; rep holds the answer. */
static int simple(const char *what)
{
	req_send(0, 0);
	if (rep.malformed) {
		violation(nlmsg_hdr(msg), NULL, "%s: malformed answer: %s", what, rep.why);
		return -EBADMSG;
	}
	return rep.err;
}

static int do_flush(void)
{
	if (!req_start(HSK_CMD_LISTEN_FLUSH, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	return simple("LISTEN_FLUSH");
}

static int do_add(const struct lent *l)
{
	if (!req_start(HSK_CMD_LISTEN_ADD, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	put_u16(HSK_LISTEN_A_FAMILY, l->k.family);
	if (l->k.family != AF_UNSPEC)
		put_attr(HSK_LISTEN_A_ADDR, l->k.addr, addr_len_of(l->k.family));
	put_u16(HSK_LISTEN_A_PORT, l->k.port);
	put_u32(HSK_LISTEN_A_MODE, l->mode);
	put_u32(HSK_LISTEN_A_BACKLOG, l->backlog);
	return simple("LISTEN_ADD");
}

static int do_del(const struct lkey *k)
{
	if (!req_start(HSK_CMD_LISTEN_DEL, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	put_u16(HSK_LISTEN_A_FAMILY, k->family);
	if (k->family != AF_UNSPEC)
		put_attr(HSK_LISTEN_A_ADDR, k->addr, addr_len_of(k->family));
	put_u16(HSK_LISTEN_A_PORT, k->port);
	return simple("LISTEN_DEL");
}

static int do_dump_listeners(void)
{
	if (!req_start(HSK_CMD_LISTEN_GET, NLM_F_REQUEST | NLM_F_DUMP, HSK_GENL_VERSION))
		return -ENOMEM;
	return simple("LISTEN_GET");
}

static int do_config_get(__u32 *cfg)
{
	int err;

	if (!req_start(HSK_CMD_CONFIG_GET, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	err = simple("CONFIG_GET");
	if (err)
		return err;
	if (rep.n != 1 || !decode_config(0, cfg))
		return -EBADMSG;
	return 0;
}

static int do_config_defaults(void)
{
	int t;

	if (!req_start(HSK_CMD_CONFIG_SET, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
		put_u32(t, cfg_range[t].def);
	return simple("CONFIG_SET");
}

static int do_stats(void)
{
	int err;

	if (!req_start(HSK_CMD_STATS_GET, NLM_F_REQUEST | NLM_F_ACK, HSK_GENL_VERSION))
		return -ENOMEM;
	err = simple("STATS_GET");
	if (err)
		return err;
	if (rep.n != 1)
		return -EBADMSG;
	decode_stats(0);
	return rep.malformed ? -EBADMSG : 0;
}

/* Compare the kernel's listener table with the model; resync on mismatch. */
static bool verify_listeners(const char *when)
{
	char why[256];
	struct lent l;
	int err, i;

	err = do_dump_listeners();
	if (!err && listeners_match(why, sizeof(why)))
		return true;
	if (err)
		snprintf(why, sizeof(why), "dump failed: %d", err);
	if (cur)
		cur->verify_fail++;
	violation(NULL, NULL, "listener table %s: %s", when, why);
	if (!err) {
		model_n = 0;
		for (i = 0; i < rep.n && model_n < LISTENERS_MAX; i++)
			if (decode_listener(i, &l))
				model_l[model_n++] = l;
	}
	return false;
}

static bool verify_config(const char *when)
{
	__u32 cfg[HSK_CONFIG_A_MAX + 1] = {};
	int err, t;

	err = do_config_get(cfg);
	if (!err && !memcmp(cfg + 1, model_cfg + 1, sizeof(__u32) * HSK_CONFIG_A_MAX))
		return true;
	if (cur)
		cur->verify_fail++;
	if (err) {
		violation(NULL, NULL, "config %s: CONFIG_GET failed: %d", when, err);
		return false;
	}
	for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
		if (cfg[t] != model_cfg[t])
			violation(NULL, NULL, "config %s: %s is %u, the model says %u", when,
				  cfg_range[t].name, cfg[t], model_cfg[t]);
	memcpy(model_cfg, cfg, sizeof(cfg));
	return false;
}

/* ------------------------------------------------------------------ */
/* Generating requests */

static const char *const pool4[] = {
	"0.0.0.0", "198.18.0.1", "127.0.0.1", "198.18.0.255", "10.0.0.1",
	"224.0.0.1", "239.255.255.255", "255.255.255.255", "0.0.0.1",
};
static const char *const pool6[] = {
	"::", "2001:db8::1", "::1", "fe80::1", "::ffff:198.18.0.1",
	"ff02::1", "ff00::", "2001:db8::2",
};

/* the ports the listener keys use: small, so that ADD and DEL collide */
static const __u16 pool_port[] = { 47001, 47002, 47003, 47004, 1, 65535 };

/* Listeners present at the start of each command's run. */
static const struct {
	__u16 family;
	const char *addr;
	__u16 port;
	__u32 mode, backlog;
} preseed[] = {
	{ AF_UNSPEC, NULL, 47001, HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT },
	{ AF_INET, "0.0.0.0", 47001, HSK_MODE_DISCARD, 1 },
	{ AF_INET, "198.18.0.1", 47002, HSK_MODE_TARPIT, 7 },
	{ AF_INET6, "::", 47002, HSK_MODE_ECHO, HSK_BACKLOG_MAX },
	{ AF_INET6, "2001:db8::1", 47003, HSK_MODE_DISCARD, 300 },
	{ AF_INET, "127.0.0.1", 47004, HSK_MODE_ECHO, 2 },
	{ AF_UNSPEC, NULL, 65535, HSK_MODE_TARPIT, 9 },
};

static void gen_addr(__u8 *buf, int *len, __u16 family_hint)
{
	int pick = rnd(100);

	if (pick < 8) {			/* any length, any bytes */
		*len = rnd(21);
		rnd_bytes(buf, *len);
		return;
	}
	if (pick < 14) {		/* random address of the right size */
		*len = family_hint == AF_INET6 ? 16 : 4;
		rnd_bytes(buf, *len);
		return;
	}
	/* mostly the hinted family, sometimes the other one */
	if ((family_hint == AF_INET6) != (pick < 24)) {
		*len = 16;
		inet_pton(AF_INET6, pool6[rnd(ARRAY_SIZE(pool6))], buf);
	} else {
		*len = 4;
		inet_pton(AF_INET, pool4[rnd(ARRAY_SIZE(pool4))], buf);
	}
}

static __u16 gen_family(void)
{
	static const __u16 odd[] = { 1, 3, 17, 0x0202, 0x0a0a, 0xffff, 0x8002 };

	if (chance(88)) {
		static const __u16 good[] = { AF_UNSPEC, AF_INET, AF_INET6 };

		return good[rnd(3)];
	}
	return chance(70) ? odd[rnd(ARRAY_SIZE(odd))] : rnd(0x10000);
}

static __u16 gen_port(void)
{
	int pick = rnd(100);

	if (pick < 80)
		return pool_port[rnd(ARRAY_SIZE(pool_port))];
	if (pick < 90)
		return 0;
	return rnd(0x10000);
}

static __u32 gen_u32_edge(__u32 min, __u32 max, __u32 def)
{
	switch (rnd(10)) {
	case 0: return min;
	case 1: return max;
	case 2: return def;
	case 3: return min + rnd(max - min + 1);
	case 4: return min + rnd(max - min + 1);
	case 5: return min ? min - 1 : max + 1;
	case 6: return max + 1;
	case 7: return 0xffffffff;
	case 8: return 0;
	default: return (__u32)rnd64();
	}
}

/* A well formed value for @type of @sp, mostly in range. */
static void gen_value(const struct space *sp, int type, __u8 *buf, int *len,
		      __u16 family_hint)
{
	__u16 v16;
	__u32 v32;

	switch (sp->pt[type]) {
	case PT_U16:
		if ((sp == &sp_listen && type == HSK_LISTEN_A_FAMILY) ||
		    (sp == &sp_conn && type == HSK_CONN_A_FAMILY))
			v16 = gen_family();
		else if (sp == &sp_conn && chance(60))
			v16 = chance(90) ? 1 + rnd(0xffff) : 0;
		else
			v16 = gen_port();
		memcpy(buf, &v16, 2);
		*len = 2;
		return;
	case PT_U32:
		if (sp == &sp_config)
			v32 = gen_u32_edge(cfg_range[type].min, cfg_range[type].max,
					   cfg_range[type].def);
		else if (sp == &sp_conn)	/* HSK_CONN_A_IFINDEX */
			v32 = chance(70) ? 1 + rnd(16) :
			      gen_u32_edge(1, INT32_MAX, 1);
		else if (type == HSK_LISTEN_A_MODE)
			v32 = chance(85) ? rnd(HSK_MODE_MAX + 1) :
			      gen_u32_edge(0, HSK_MODE_MAX, 0);
		else
			v32 = chance(70) ? 1 + rnd(HSK_BACKLOG_MAX) :
			      gen_u32_edge(1, HSK_BACKLOG_MAX, HSK_BACKLOG_DEFAULT);
		memcpy(buf, &v32, 4);
		*len = 4;
		return;
	case PT_BIN:
		gen_addr(buf, len, family_hint);
		return;
	default:
		/* reply-only or counter attributes: what a reply would carry */
		*len = (int[]){ 1, 2, 4, 8 }[rnd(4)];
		rnd_bytes(buf, *len);
		return;
	}
}

/* A wrong length for @type: not the one the policy wants. */
static int gen_bad_len(const struct space *sp, int type)
{
	int want = sp->pt[type] == PT_U16 ? 2 : sp->pt[type] == PT_U32 ? 4 : -1;
	int len;

	do
		len = chance(70) ? rnd(9) : rnd(40);
	while (len == want);
	return len;
}

/* Nested garbage: a few attributes with random types inside. */
static void put_nested(__u16 type)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	int i, n = rnd(4);
	__u8 buf[24];

	if (!nest)
		return;
	nest->nla_type |= NLA_F_NESTED;
	for (i = 0; i < n; i++) {
		int len = rnd(9);

		rnd_bytes(buf, len);
		put_attr(rnd(40) | (chance(20) ? NLA_F_NESTED : 0), buf, len);
	}
	nla_nest_end(msg, nest);
}

/* One random attribute of whatever kind. */
static void gen_random_attr(const struct cmdinfo *ci, __u16 family_hint)
{
	const struct space *sp = ci->sp ? ci->sp : &sp_listen;
	int max = sp->max, type, len, pick = rnd(100);
	__u8 buf[48];

	type = 1 + rnd(max);
	if (pick < 45) {			/* plausible */
		gen_value(sp, type, buf, &len, family_hint);
		put_attr(type, buf, len);
	} else if (pick < 57) {			/* wrong length */
		len = gen_bad_len(sp, type);
		rnd_bytes(buf, len);
		put_attr(type, buf, len);
	} else if (pick < 65) {			/* unknown type */
		static const int odd[] = { 0, 1, 2, 31, 255, 0x3fff };

		type = chance(50) ? max + 1 + (int)rnd(4) : odd[rnd(ARRAY_SIZE(odd))];
		if (!type || type <= max)
			type = chance(50) ? 0 : max + 1;
		len = rnd(9);
		rnd_bytes(buf, len);
		put_attr(type, buf, len);
	} else if (pick < 71) {			/* another command's attribute */
		type = 1 + rnd(HSK_STATS_A_MAX);
		len = (int[]){ 0, 2, 4, 8, 16 }[rnd(5)];
		rnd_bytes(buf, len);
		put_attr(type, buf, len);
	} else if (pick < 77) {			/* NLA_F_NESTED on a plain type */
		gen_value(sp, type, buf, &len, family_hint);
		put_attr(type | NLA_F_NESTED, buf, len);
	} else if (pick < 82) {			/* network byte order flag */
		gen_value(sp, type, buf, &len, family_hint);
		put_attr(type | NLA_F_NET_BYTEORDER, buf, len);
	} else if (pick < 88) {			/* a nest of garbage */
		put_nested(chance(70) ? type : max + 1 + (int)rnd(3));
	} else if (pick < 94) {			/* an empty attribute */
		put_attr(type, NULL, 0);
	} else {				/* a type with both flags */
		gen_value(sp, type, buf, &len, family_hint);
		put_attr(type | NLA_F_NESTED | NLA_F_NET_BYTEORDER, buf, len);
	}
}

/* A request that looks like what a client would send, maybe mutated. */
static void gen_plausible(const struct cmdinfo *ci)
{
	__u16 fam = chance(85) ? (__u16[]){ AF_UNSPEC, AF_INET, AF_INET6 }[rnd(3)] :
				 gen_family();
	__u8 buf[48];
	int len, t;

	switch (ci->cmd) {
	case HSK_CMD_LISTEN_ADD:
	case HSK_CMD_LISTEN_DEL:
		if (model_n && chance(ci->cmd == HSK_CMD_LISTEN_DEL ? 60 : 25)) {
			/* a listener that exists, named the ways hsk.h allows */
			const struct lent *e = &model_l[rnd(model_n)];
			static const __u8 zero[16];
			int alen = addr_len_of(e->k.family);

			if (e->k.family != AF_UNSPEC || chance(50))
				put_u16(HSK_LISTEN_A_FAMILY, e->k.family);
			if (alen && (memcmp(e->k.addr, zero, alen) || chance(50)))
				put_attr(HSK_LISTEN_A_ADDR, e->k.addr, alen);
			put_u16(HSK_LISTEN_A_PORT, e->k.port);
			if (ci->cmd == HSK_CMD_LISTEN_ADD && chance(50))
				put_u32(HSK_LISTEN_A_MODE, rnd(HSK_MODE_MAX + 1));
			break;
		}
		if (ci->cmd == HSK_CMD_LISTEN_ADD && chance(40)) {
			/* a new listener, valid */
			fam = (__u16[]){ AF_UNSPEC, AF_INET, AF_INET6 }[rnd(3)];
			put_u16(HSK_LISTEN_A_FAMILY, fam);
			if (fam == AF_INET && chance(70)) {
				put_attr(HSK_LISTEN_A_ADDR, (__u8[]){ 198, 18, 0, rnd(4) }, 4);
			} else if (fam == AF_INET6 && chance(70)) {
				__u8 a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

				a6[15] = rnd(4);
				put_attr(HSK_LISTEN_A_ADDR, a6, 16);
			}
			put_u16(HSK_LISTEN_A_PORT, 47001 + rnd(16));
			if (chance(50))
				put_u32(HSK_LISTEN_A_MODE, rnd(HSK_MODE_MAX + 1));
			if (chance(50))
				put_u32(HSK_LISTEN_A_BACKLOG, 1 + rnd(HSK_BACKLOG_MAX));
			break;
		}
		if (chance(85))
			put_u16(HSK_LISTEN_A_FAMILY, fam);
		if (fam != AF_UNSPEC ? chance(65) : chance(5)) {
			gen_addr(buf, &len, fam);
			put_attr(HSK_LISTEN_A_ADDR, buf, len);
		}
		if (chance(93))
			put_u16(HSK_LISTEN_A_PORT, gen_port());
		if (ci->cmd == HSK_CMD_LISTEN_ADD ? chance(50) : chance(4))
			put_u32(HSK_LISTEN_A_MODE, chance(90) ? rnd(HSK_MODE_MAX + 1) :
				gen_u32_edge(0, HSK_MODE_MAX, 0));
		if (ci->cmd == HSK_CMD_LISTEN_ADD ? chance(50) : chance(4))
			put_u32(HSK_LISTEN_A_BACKLOG, chance(85) ? 1 + rnd(HSK_BACKLOG_MAX) :
				gen_u32_edge(1, HSK_BACKLOG_MAX, HSK_BACKLOG_DEFAULT));
		break;
	case HSK_CMD_CONN_CLOSE:
	case HSK_CMD_CONN_KILL:
	case HSK_CMD_CONN_GET:
		if (chance(70))
			put_u16(HSK_CONN_A_FAMILY, fam);
		for (t = HSK_CONN_A_LOCAL_ADDR; t <= HSK_CONN_A_REMOTE_PORT; t++) {
			if (!chance(35))
				continue;
			gen_value(&sp_conn, t, buf, &len, fam);
			put_attr(t, buf, len);
		}
		if (chance(15)) {
			gen_value(&sp_conn, HSK_CONN_A_IFINDEX, buf, &len, fam);
			put_attr(HSK_CONN_A_IFINDEX, buf, len);
		}
		break;
	case HSK_CMD_CONFIG_SET:
	case HSK_CMD_CONFIG_GET:
		for (t = 1; t <= HSK_CONFIG_A_MAX; t++) {
			__u32 v;

			if (!chance(ci->cmd == HSK_CMD_CONFIG_SET ? 35 : 10))
				continue;
			v = chance(85) ? cfg_range[t].min +
					 rnd(cfg_range[t].max - cfg_range[t].min + 1) :
				gen_u32_edge(cfg_range[t].min, cfg_range[t].max,
					     cfg_range[t].def);
			put_u32(t, v);
		}
		break;
	default:
		/* no attributes: the common case of LISTEN_GET, FLUSH, STATS_GET */
		break;
	}
	if (chance(15))
		gen_random_attr(ci, fam);
}

/* The flags: mostly the command's own way, sometimes the other one. */
static int gen_flags(const struct cmdinfo *ci)
{
	bool dump = ci->cmd < 0 ? chance(50) : ci->dumpit ? chance(85) : chance(15);

	/* rarely a flag genetlink refuses (one half of NLM_F_DUMP, ...) */
	static const int odd[] = { NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
				   NLM_F_MULTI, NLM_F_DUMP_INTR, 0x800 };
	int extra = chance(4) ? odd[rnd(ARRAY_SIZE(odd))] : 0;

	if (dump)
		return NLM_F_REQUEST | NLM_F_DUMP | (extra & ~NLM_F_DUMP) |
		       (chance(5) ? NLM_F_ECHO : 0);
	return NLM_F_REQUEST | NLM_F_ACK | extra | (chance(5) ? NLM_F_ECHO : 0);
}

static __u8 gen_cmd(const struct cmdinfo *ci)
{
	static const __u8 unknown[] = { HSK_CMD_UNSPEC, HSK_CMD_MAX + 1, HSK_CMD_MAX + 2,
					0x7f, 0x80, 0xfe, 0xff };

	if (ci->cmd >= 0)
		return ci->cmd;
	if (chance(60))
		return unknown[rnd(ARRAY_SIZE(unknown))];
	return HSK_CMD_MAX + 1 + rnd(0xff - HSK_CMD_MAX);
}

static __u8 req_copy[REQ_MAX] __attribute__((aligned(8)));

/* One request of @ci: built, sent, judged. */
static void fuzz_one(const struct cmdinfo *ci)
{
	int flags = gen_flags(ci), pick = rnd(100), i, n;
	__u8 version = chance(95) ? HSK_GENL_VERSION : rnd(256);
	size_t send_len = 0;
	struct nlmsghdr *nlh;
	struct expect x;
	__u8 buf[64];

	nlh = req_start(gen_cmd(ci), flags, version);
	if (!nlh) {
		violation(NULL, NULL, "cannot build a request");
		return;
	}
	if (chance(2))
		((struct genlmsghdr *)nlmsg_data(nlh))->reserved = 1 + rnd(0xffff);
	if (pick < 40) {
		gen_plausible(ci);
	} else if (pick < 88) {
		__u16 fam = gen_family();

		n = rnd(7);
		for (i = 0; i < n; i++)
			gen_random_attr(ci, fam);
	} else if (pick < 93) {
		/* an attribute area of random bytes */
		n = rnd(65);
		rnd_bytes(buf, n);
		put_raw(buf, n);
	} else {
		/* plausible, then a trailing stub or a lying header */
		gen_plausible(ci);
		nlh = nlmsg_hdr(msg);
		if (chance(50) || nlh->nlmsg_len <= NLMSG_HDRLEN + GENL_HDRLEN) {
			n = 1 + rnd(NLA_HDRLEN + 4);
			rnd_bytes(buf, n);
			put_raw(buf, n);
		} else {
			struct nlattr *a = (void *)((__u8 *)nlh + NLMSG_HDRLEN + GENL_HDRLEN);
			int room = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			switch (rnd(3)) {
			case 0: a->nla_len = room + 1 + rnd(64); break;
			case 1: a->nla_len = rnd(NLA_HDRLEN); break;
			default: a->nla_len = NLA_HDRLEN + rnd(room); break;
			}
		}
	}
	nlh = nlmsg_hdr(msg);
	/* a few requests with a truncated genetlink header */
	if (chance(2))
		send_len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
	/* NLM_F_DUMP with a do command / a do request for a dump command */
	nlh->nlmsg_pid = 0;
	if (send_len)
		nlh->nlmsg_len = send_len;
	oracle(nlh, &x);
	cur->sent++;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		cur->sent_dump++;
	else
		cur->sent_do++;
	if (req_send(-1, send_len)) {
		violation(nlh, &x, "send failed: %s", strerror(errno));
		return;
	}
	/* judging may send requests of its own, which reuse msg */
	memcpy(req_copy, nlh, nlh->nlmsg_len);
	judge((const struct nlmsghdr *)req_copy, &x);
}

/* ------------------------------------------------------------------ */
/* Setup and the run */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Add the preseed listeners the table lacks (not counted as fuzzing). */
static bool add_preseed(void)
{
	struct lent l;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(preseed); i++) {
		memset(&l, 0, sizeof(l));
		l.k.family = preseed[i].family;
		if (preseed[i].addr)
			inet_pton(l.k.family, preseed[i].addr, l.k.addr);
		l.k.port = preseed[i].port;
		l.mode = preseed[i].mode;
		l.backlog = preseed[i].backlog;
		if (model_find(&l.k) >= 0)
			continue;
		err = do_add(&l);
		if (err) {
			violation(nlmsg_hdr(msg), NULL, "adding a listener failed: %d (%s)",
				  err, rep.ext.msg);
			return false;
		}
		model_l[model_n++] = l;
	}
	return true;
}

/* The same state before every command's run, so that each replays alone. */
static bool reset_state(void)
{
	int err, t;

	err = do_flush();
	if (!err)
		err = do_config_defaults();
	if (err) {
		violation(nlmsg_hdr(msg), NULL, "resetting the state failed: %d (%s)",
			  err, rep.ext.msg);
		return false;
	}
	model_n = 0;
	for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
		model_cfg[t] = cfg_range[t].def;
	return add_preseed();
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n ITERATIONS] [-t SECONDS] [-c COMMAND]\n"
		"  -s  PRNG seed (env HSK_NL_FUZZ_SEED; default: time and pid)\n"
		"  -n  requests per command (env HSK_NL_FUZZ_ITERS; default %d)\n"
		"  -t  time budget for all commands (env HSK_NL_FUZZ_TIME; default %d)\n"
		"  -c  only this command: a name (LISTEN_ADD, ..., unknown) or number\n",
		prog, DEFAULT_ITERS, DEFAULT_SECONDS);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	unsigned long iters = env_ul("HSK_NL_FUZZ_ITERS", DEFAULT_ITERS);
	double budget = env_ul("HSK_NL_FUZZ_TIME", DEFAULT_SECONDS);
	__u64 seed = env_ul("HSK_NL_FUZZ_SEED", 0);
	bool have_seed = getenv("HSK_NL_FUZZ_SEED") && *getenv("HSK_NL_FUZZ_SEED");
	const char *only = NULL;
	double t0, start;
	size_t g, ngroups = 0, left;
	int opt, err;

	while ((opt = getopt(argc, argv, "s:n:t:c:h")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 'n': iters = strtoul(optarg, NULL, 0); break;
		case 't': budget = strtod(optarg, NULL); break;
		case 'c': only = optarg; break;
		default: usage(argv[0]);
		}
	}
	if (!have_seed)
		seed = (__u64)time(NULL) << 20 ^ getpid();
	for (g = 0; g < ARRAY_SIZE(cmds); g++)
		if (!only || !strcasecmp(only, cmds[g].name) ||
		    (cmds[g].cmd >= 0 && atoi(only) == cmds[g].cmd && isdigit(*only)))
			ngroups++;

	ksft_print_header();
	if (!ngroups) {
		fprintf(stderr, "no command %s\n", only);
		usage(argv[0]);
	}
	ksft_set_plan(ngroups + 3);
	ksft_print_msg("seed %llu (replay: %s -s %llu [-c COMMAND] [-n N])\n",
		       (unsigned long long)seed, argv[0], (unsigned long long)seed);
	ksft_print_msg("%lu requests per command, at most %.0f s in all\n", iters, budget);

	if (geteuid())
		ksft_exit_skip("needs root: hsk's changing commands need CAP_NET_ADMIN\n");
	init_spaces();
	if (open_sock(&socks[0], true) || open_sock(&socks[1], false))
		ksft_exit_fail_msg("cannot open generic netlink sockets\n");
	family_id = genl_ctrl_resolve(socks[0].sk, HSK_GENL_NAME);
	if (family_id < 0)
		ksft_exit_skip("generic netlink family \"%s\" not registered (hsk.ko not loaded?)\n",
			       HSK_GENL_NAME);

	start = now_s();
	left = ngroups;
	for (g = 0; g < ARRAY_SIZE(cmds); g++) {
		const struct cmdinfo *ci = &cmds[g];
		struct figures *f = &fig[g];
		double deadline;
		__u64 s = seed ^ (0x1000193ULL * (g + 1));
		unsigned long i;

		if (only && !(!strcasecmp(only, ci->name) ||
			      (ci->cmd >= 0 && atoi(only) == ci->cmd && isdigit(*only))))
			continue;
		cur = f;
		rng_state = splitmix64(&s) | 1;
		t0 = now_s();
		deadline = t0 + (budget - (t0 - start)) / left--;
		if (!reset_state()) {
			ksft_test_result_fail("%s: could not set up the namespace\n", ci->name);
			continue;
		}
		for (i = 0; i < iters && now_s() < deadline; i++) {
			fuzz_one(ci);
			/* DEL and FLUSH empty the table: give them something to act on */
			if (model_n < 3 && !add_preseed())
				break;
			if (i % VERIFY_EVERY == VERIFY_EVERY - 1) {
				verify_listeners("during the run");
				verify_config("during the run");
			}
		}
		verify_listeners("at the end of the run");
		verify_config("at the end of the run");
		f->seconds = now_s() - t0;
		ksft_print_msg("%s: %lu sent (%lu do, %lu dump) in %.1f s: %lu accepted, "
			       "%lu refused (%lu with extack; %lu by policy, %lu by the command's "
			       "rules, %lu by state), %lu refused by the genetlink core "
			       "(%lu with extack), %lu malformed answers, %lu violations\n",
			       ci->name, f->sent, f->sent_do, f->sent_dump, f->seconds,
			       f->accepted, f->rejected, f->rej_extack, f->rej_policy,
			       f->rej_semantic, f->rej_state, f->core, f->core_extack,
			       f->malformed, f->violations);
		if (f->sent < iters)
			ksft_print_msg("%s: time budget reached after %lu of %lu requests\n",
				       ci->name, f->sent, iters);
		ksft_test_result(!f->violations && f->sent > 0,
				 "%s: %lu random and malformed requests answered as the ABI says\n",
				 ci->name, f->sent);
	}
	cur = NULL;

	/* still working: a round trip through the listener table */
	{
		struct lent l = { .k = { .family = AF_INET, .port = 47100 },
				  .mode = HSK_MODE_DISCARD, .backlog = 7 };
		unsigned long before = other_failures;

		inet_pton(AF_INET, "198.18.0.1", l.k.addr);
		model_n = 0;
		err = do_flush();
		if (!err)
			err = do_add(&l);
		if (!err) {
			model_l[model_n++] = l;
			verify_listeners("after adding one listener");
			err = do_del(&l.k);
		}
		if (!err) {
			model_n = 0;
			verify_listeners("after deleting it");
		}
		if (err)
			ksft_print_msg("round trip failed: %d (%s) extack \"%s\"\n", err,
				       strerror(-err), rep.ext.msg);
		ksft_test_result(!err && other_failures == before,
				 "the module still answers: listener add, dump, delete\n");
	}
	err = do_stats();
	if (err)
		ksft_print_msg("STATS_GET: %d (%s)\n", err, strerror(-err));
	ksft_test_result(!err, "the counters are still readable\n");

	/* clean up: no listener, every setting at its UAPI default */
	{
		unsigned long before = other_failures;
		int t;

		err = do_flush();
		if (!err)
			err = do_config_defaults();
		if (err)
			ksft_print_msg("cleanup: %d (%s) extack \"%s\"\n", err,
				       strerror(-err), rep.ext.msg);
		model_n = 0;
		for (t = 1; t <= HSK_CONFIG_A_MAX; t++)
			model_cfg[t] = cfg_range[t].def;
		verify_listeners("after the cleanup");
		verify_config("after the cleanup");
		ksft_test_result(!err && other_failures == before,
				 "cleanup: no listener left, settings at their defaults\n");
	}

	{
		unsigned long s = 0, a = 0, r = 0, e = 0, c = 0, v = 0;

		ksft_print_msg("%-12s %7s %7s %7s %7s %7s %7s %7s %6s\n", "command", "sent",
			       "do", "dump", "accept", "refuse", "extack", "core", "viol");
		for (g = 0; g < ARRAY_SIZE(cmds); g++) {
			struct figures *f = &fig[g];

			if (!f->sent)
				continue;
			ksft_print_msg("%-12s %7lu %7lu %7lu %7lu %7lu %7lu %7lu %6lu\n",
				       cmds[g].name, f->sent, f->sent_do, f->sent_dump,
				       f->accepted, f->rejected, f->rej_extack, f->core,
				       f->violations);
			s += f->sent;
			a += f->accepted;
			r += f->rejected;
			e += f->rej_extack;
			c += f->core;
			v += f->violations;
		}
		ksft_print_msg("%-12s %7lu %7s %7s %7lu %7lu %7lu %7lu %6lu\n", "total", s,
			       "", "", a, r, e, c, v);
		ksft_print_msg("seed %llu, %.1f s\n", (unsigned long long)seed,
			       now_s() - start);
	}
	nlmsg_free(msg);
	nl_socket_free(socks[0].sk);
	nl_socket_free(socks[1].sk);
	ksft_finished();
	return 0;
}
