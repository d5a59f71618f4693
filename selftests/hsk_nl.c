// SPDX-License-Identifier: GPL-2.0
/*
 * The "hsk" generic netlink family: every malformed request is refused with
 * the right errno and an extended ACK that names the culprit (message, and
 * the offset of the offending attribute or the type of the missing one);
 * valid requests are accepted and dumped back as sent.
 *
 * Requests are built from attribute lists by hand rather than with hskctl,
 * so that they can carry what hskctl never sends: unknown types, wrong
 * lengths, headers that lie about their size.
 *
 * Needs root and the hsk module loaded; skips otherwise. Other hsk
 * selftests use the same network namespace, one after the other, so every
 * test starts and ends with an empty listener table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/hsk.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

/* 6.1's harness has an unused parameter, which -Wextra reports */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define TEST_PORT	7000
#define TEST_ADDR4	"198.18.0.1"
#define TEST_ADDR6	"2001:db8::1"

#define MANY_FIRST	20000
#define MANY_COUNT	600

/* More than the module takes, so that a dump that repeats itself shows. */
#define DUMP_MAX	2048

/* What the kernel said besides the errno. */
struct extack {
	char msg[256];
	bool has_offs;
	__u32 offs;		/* from the request's nlmsghdr */
	bool has_miss;
	__u32 miss_type;
};

/*
 * One attribute of a request, put as is: any type, any length. A list
 * ends with an R_END entry ({}).
 */
enum rkind { R_END, R_U16, R_U32, R_ADDR, R_RAW };

struct rattr {
	enum rkind kind;
	__u16 type;
	__u32 val;		/* R_U16, R_U32 */
	const char *addr;	/* R_ADDR: IPv4 or IPv6 text */
	int len;		/* R_RAW: that many zero bytes */
	__u16 nla_len;		/* nonzero: overwrite the header's nla_len */
	bool blame;		/* the extack must point at this attribute */
};

#define U16(t, v, ...)	{ .kind = R_U16, .type = (t), .val = (v), __VA_ARGS__ }
#define U32(t, v, ...)	{ .kind = R_U32, .type = (t), .val = (v), __VA_ARGS__ }
#define ADDR(s, ...)	{ .kind = R_ADDR, .type = HSK_LISTEN_A_ADDR, .addr = (s), \
			  __VA_ARGS__ }
#define RAW(t, n, ...)	{ .kind = R_RAW, .type = (t), .len = (n), __VA_ARGS__ }

#define FAMILY(f, ...)	U16(HSK_LISTEN_A_FAMILY, (f), __VA_ARGS__)
#define PORT(p, ...)	U16(HSK_LISTEN_A_PORT, (p), __VA_ARGS__)
#define MODE(m, ...)	U32(HSK_LISTEN_A_MODE, (m), __VA_ARGS__)
#define BACKLOG(b, ...)	U32(HSK_LISTEN_A_BACKLOG, (b), __VA_ARGS__)

/* A listener as a LISTEN_GET dump returns it. */
struct listener {
	int family, port;	/* -1: absent or not a u16 */
	long long mode, backlog;	/* -1: absent or not a u32 */
	int addr_len;		/* -1: absent */
	__u8 addr[16];
};

struct dump {
	int err;		/* from NLMSG_ERROR or NLMSG_DONE */
	struct extack ext;
	bool done;		/* NLMSG_DONE seen */
	bool intr;		/* a message had NLM_F_DUMP_INTR */
	bool bad;		/* a message was not a LISTEN_GET reply */
	int multi;		/* messages with NLM_F_MULTI */
	int batches;		/* datagrams read */
	int n;			/* listeners, even past DUMP_MAX */
	struct listener l[DUMP_MAX];
};

FIXTURE(hsk_nl) {
	struct nl_sock *sk;	/* NULL when setup skipped */
	int family;
	int blame;		/* offset of the last request's blamed attr, or -1 */
};

static int addr_bytes(const char *s, __u8 *buf)
{
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 16;
	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	return -1;
}

static int put_attrs(struct nl_msg *msg, const struct rattr *ra,
		     struct nlattr **blame)
{
	struct nlattr *nla;
	__u8 buf[32];
	__u16 u16;
	__u32 u32;
	const void *data;
	int len;

	for (; ra && ra->kind != R_END; ra++) {
		data = buf;
		switch (ra->kind) {
		case R_U16:
			u16 = ra->val;
			data = &u16;
			len = sizeof(u16);
			break;
		case R_U32:
			u32 = ra->val;
			data = &u32;
			len = sizeof(u32);
			break;
		case R_ADDR:
			len = addr_bytes(ra->addr, buf);
			if (len < 0)
				return -1;
			break;
		default:
			len = ra->len;
			if (len < 0 || len > (int)sizeof(buf))
				return -1;
			memset(buf, 0, len);
			break;
		}
		nla = nla_reserve(msg, ra->type, len);
		if (!nla)
			return -1;
		memcpy(nla_data(nla), data, len);
		/* after the put: libnl would not write a lying header */
		if (ra->nla_len)
			nla->nla_len = ra->nla_len;
		if (ra->blame)
			*blame = nla;
	}
	return 0;
}

/* The TLVs follow the echoed request, or only its header when capped. */
static void parse_extack(struct nlmsghdr *nlh, struct extack *ext)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = NLMSG_HDRLEN + sizeof(*e);

	memset(ext, 0, sizeof(*ext));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(ext->msg, tb[NLMSGERR_ATTR_MSG], sizeof(ext->msg));
	if (tb[NLMSGERR_ATTR_OFFS]) {
		ext->has_offs = true;
		ext->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		ext->has_miss = true;
		ext->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
}

struct ack_ctx {
	bool done;
	int err;
	struct extack *ext;
};

static int ack_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct ack_ctx *ctx = arg;

	(void)nla;
	/* libnl hands over the payload; its header sits right before it */
	parse_extack((struct nlmsghdr *)e - 1, ctx->ext);
	ctx->err = e->error;
	ctx->done = true;
	return NL_STOP;
}

static int ack_ok_cb(struct nl_msg *msg, void *arg)
{
	struct ack_ctx *ctx = arg;

	parse_extack(nlmsg_hdr(msg), ctx->ext);
	ctx->err = 0;
	ctx->done = true;
	return NL_STOP;
}

/* A dump that should have been refused but ran: report how it ended. */
static int ack_done_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ack_ctx *ctx = arg;

	ctx->err = 0;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		memcpy(&ctx->err, nlmsg_data(nlh), sizeof(int));
	ctx->done = true;
	return NL_STOP;
}

/* Ask for an ACK except on dumps, which end with NLMSG_DONE instead. */
static int send_msg(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int ret;

	nl_complete_msg(sk, msg);
	if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	ret = nl_send(sk, msg);
	if (ret < 0) {
		fprintf(stderr, "# nl_send: %s\n", nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

static int recv_until(struct nl_sock *sk, struct nl_cb *cb, const bool *done)
{
	int ret;

	while (!*done) {
		ret = nl_recvmsgs(sk, cb);
		/* an error callback returning NL_STOP also ends up here */
		if (ret < 0 && !*done) {
			fprintf(stderr, "# nl_recvmsgs: %s\n", nl_geterror(ret));
			return -EIO;
		}
	}
	return 0;
}

/*
 * Send one request made of @attrs and wait for its answer. Returns the
 * kernel's errno (0 or negative) and fills @ext; self->blame gets the
 * offset of the attribute marked .blame, -1 if none. Returns -EIO or
 * -ENOMEM when the request could not be built, sent or answered.
 */
static int send_req(FIXTURE_DATA(hsk_nl) *self, __u8 cmd, int flags,
		    const struct rattr *attrs, struct extack *ext)
{
	struct ack_ctx ctx = { .ext = ext };
	struct nlattr *blame = NULL;
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret = -ENOMEM;

	memset(ext, 0, sizeof(*ext));
	self->blame = -1;
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, self->family, 0,
			 flags, cmd, HSK_GENL_VERSION) ||
	    put_attrs(msg, attrs, &blame))
		goto out;
	if (blame)
		self->blame = (char *)blame - (char *)nlmsg_hdr(msg);

	nl_cb_err(cb, NL_CB_CUSTOM, ack_err_cb, &ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_ok_cb, &ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ack_done_cb, &ctx);
	ret = send_msg(self->sk, msg);
	if (!ret)
		ret = recv_until(self->sk, cb, &ctx.done);
	if (!ret)
		ret = ctx.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static int flush(FIXTURE_DATA(hsk_nl) *self)
{
	struct extack ext;

	return send_req(self, HSK_CMD_LISTEN_FLUSH, 0, NULL, &ext);
}

static int u16_of(struct nlattr *a)
{
	return a && nla_len(a) == sizeof(__u16) ? nla_get_u16(a) : -1;
}

static long long u32_of(struct nlattr *a)
{
	return a && nla_len(a) == sizeof(__u32) ? (long long)nla_get_u32(a) : -1;
}

static int dump_valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[HSK_LISTEN_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct dump *d = arg;
	struct listener l;

	if (nlh->nlmsg_flags & NLM_F_MULTI)
		d->multi++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	memset(&l, 0, sizeof(l));
	if (gh->cmd != HSK_CMD_LISTEN_GET ||
	    genlmsg_parse(nlh, 0, tb, HSK_LISTEN_A_MAX, NULL)) {
		d->bad = true;
		return NL_SKIP;
	}
	l.family = u16_of(tb[HSK_LISTEN_A_FAMILY]);
	l.port = u16_of(tb[HSK_LISTEN_A_PORT]);
	l.mode = u32_of(tb[HSK_LISTEN_A_MODE]);
	l.backlog = u32_of(tb[HSK_LISTEN_A_BACKLOG]);
	l.addr_len = -1;
	if (tb[HSK_LISTEN_A_ADDR]) {
		l.addr_len = nla_len(tb[HSK_LISTEN_A_ADDR]);
		memcpy(l.addr, nla_data(tb[HSK_LISTEN_A_ADDR]),
		       l.addr_len < 16 ? l.addr_len : 16);
	}
	if (d->n < DUMP_MAX)
		d->l[d->n] = l;
	d->n++;
	return NL_OK;
}

static int dump_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct dump *d = arg;

	(void)nla;
	parse_extack((struct nlmsghdr *)e - 1, &d->ext);
	d->err = e->error;
	d->done = true;
	return NL_STOP;
}

static int dump_done_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct dump *d = arg;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		memcpy(&d->err, nlmsg_data(nlh), sizeof(int));
	d->done = true;
	return NL_STOP;
}

/* nl_recv() is called once per datagram: count them. */
static int dump_batches;

static int counting_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
			 unsigned char **buf, struct ucred **creds)
{
	int n = nl_recv(sk, nla, buf, creds);

	if (n > 0)
		dump_batches++;
	return n;
}

/* LISTEN_GET dump into @d; returns 0 or -EIO/-ENOMEM (d->err: kernel's). */
static int dump_listeners(FIXTURE_DATA(hsk_nl) *self, struct dump *d)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret = -ENOMEM;

	memset(d, 0, sizeof(*d));
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, self->family, 0,
			 NLM_F_DUMP, HSK_CMD_LISTEN_GET, HSK_GENL_VERSION))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dump_valid_cb, d);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, dump_done_cb, d);
	nl_cb_err(cb, NL_CB_CUSTOM, dump_err_cb, d);
	nl_cb_overwrite_recv(cb, counting_recv);
	dump_batches = 0;
	ret = send_msg(self->sk, msg);
	if (!ret)
		ret = recv_until(self->sk, cb, &d->done);
	d->batches = dump_batches;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* Dump and return how many listeners there are, or a negative errno. */
static int count_listeners(FIXTURE_DATA(hsk_nl) *self)
{
	static struct dump d;
	int ret = dump_listeners(self, &d);

	if (ret)
		return ret;
	if (d.err)
		return d.err;
	return d.bad ? -EBADMSG : d.n;
}

static const struct listener *find_listener(const struct dump *d, int family,
					    const char *addr, int port)
{
	__u8 want[16];
	int len = addr ? addr_bytes(addr, want) : -1;
	int i;

	for (i = 0; i < d->n && i < DUMP_MAX; i++) {
		const struct listener *l = &d->l[i];

		if (l->family == family && l->port == port &&
		    l->addr_len == len &&
		    (len < 0 || !memcmp(l->addr, want, len)))
			return l;
	}
	return NULL;
}

/* The dump holds (family, addr, port) exactly as added, with these settings. */
static void expect_listener(struct __test_metadata *_metadata,
			    const struct dump *d, int family, const char *addr,
			    int port, long long mode, long long backlog)
{
	const struct listener *l = find_listener(d, family, addr, port);

	EXPECT_NE(NULL, l)
		TH_LOG("no listener family %d addr %s port %d in the dump",
		       family, addr ?: "(none)", port);
	if (!l)
		return;
	EXPECT_EQ(mode, l->mode);
	EXPECT_EQ(backlog, l->backlog);
}

/* -------------------------------------------------------------------- */
/* Valid requests */

FIXTURE_SETUP(hsk_nl)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, fd;

	self->blame = -1;
	if (geteuid())
		SKIP(return, "needs root: hsk's changing commands need CAP_NET_ADMIN");
	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	self->family = genl_ctrl_resolve(self->sk, HSK_GENL_NAME);
	if (self->family < 0) {
		nl_socket_free(self->sk);
		self->sk = NULL;
		SKIP(return, "generic netlink family \"%s\" not registered (hsk.ko not loaded?)",
		     HSK_GENL_NAME);
	}
	fd = nl_socket_get_fd(self->sk);
	ASSERT_EQ(0, setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)));
	/* a lost answer fails the test instead of hanging it */
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	/* whatever an earlier test or run left behind */
	ASSERT_EQ(0, flush(self));
}

FIXTURE_TEARDOWN(hsk_nl)
{
	if (!self->sk)
		return;
	EXPECT_EQ(0, flush(self));
	nl_socket_free(self->sk);
}

TEST_F(hsk_nl, listen_add_get_del)
{
	static const struct rattr key[] = {
		FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT), {} };
	static struct dump d;
	struct extack ext;

	if (!self->sk)
		return;	/* setup skipped; 6.1's harness runs the body anyway */
	ASSERT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, key, &ext))
		TH_LOG("add: %s", ext.msg);
	EXPECT_FALSE(ext.has_offs);

	ASSERT_EQ(0, dump_listeners(self, &d));
	ASSERT_EQ(0, d.err);
	EXPECT_FALSE(d.bad);
	ASSERT_EQ(1, d.n);
	EXPECT_EQ(AF_INET, d.l[0].family);
	EXPECT_EQ(TEST_PORT, d.l[0].port);
	EXPECT_EQ(HSK_MODE_ECHO, d.l[0].mode);
	EXPECT_EQ(HSK_BACKLOG_DEFAULT, d.l[0].backlog);
	EXPECT_EQ(4, d.l[0].addr_len);
	expect_listener(_metadata, &d, AF_INET, TEST_ADDR4, TEST_PORT,
			HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT);

	EXPECT_EQ(-EEXIST, send_req(self, HSK_CMD_LISTEN_ADD, 0, key, &ext));
	EXPECT_NE(0, ext.msg[0]) TH_LOG("duplicate add: no extack message");
	EXPECT_EQ(1, count_listeners(self));

	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_DEL, 0, key, &ext))
		TH_LOG("del: %s", ext.msg);
	EXPECT_EQ(0, count_listeners(self));

	EXPECT_EQ(-ENOENT, send_req(self, HSK_CMD_LISTEN_DEL, 0, key, &ext));
	EXPECT_NE(0, ext.msg[0]) TH_LOG("second del: no extack message");
}

/* Both families, AF_UNSPEC, wildcards, limits, overlaps, FLUSH. */
TEST_F(hsk_nl, listen_add_settings)
{
	static const struct rattr v6[] = {
		FAMILY(AF_INET6), ADDR(TEST_ADDR6), PORT(TEST_PORT),
		MODE(HSK_MODE_DISCARD), BACKLOG(1), {} };
	static const struct rattr both[] = {
		PORT(TEST_PORT), MODE(HSK_MODE_MAX), BACKLOG(HSK_BACKLOG_MAX), {} };
	static const struct rattr any4[] = {
		FAMILY(AF_INET), ADDR("0.0.0.0"), PORT(TEST_PORT), {} };
	static const struct rattr exact4[] = {
		FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT), {} };
	static const struct rattr top[] = {
		FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(65535), {} };
	static struct dump d;
	struct extack ext;

	if (!self->sk)
		return;	/* setup skipped; 6.1's harness runs the body anyway */
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, v6, &ext))
		TH_LOG("%s", ext.msg);
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, both, &ext))
		TH_LOG("%s", ext.msg);
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, any4, &ext))
		TH_LOG("%s", ext.msg);
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, exact4, &ext))
		TH_LOG("%s", ext.msg);
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, top, &ext))
		TH_LOG("%s", ext.msg);

	ASSERT_EQ(0, dump_listeners(self, &d));
	ASSERT_EQ(0, d.err);
	EXPECT_FALSE(d.bad);
	EXPECT_EQ(5, d.n);
	expect_listener(_metadata, &d, AF_INET6, TEST_ADDR6, TEST_PORT,
			HSK_MODE_DISCARD, 1);
	/* AF_UNSPEC comes back without an address */
	expect_listener(_metadata, &d, AF_UNSPEC, NULL, TEST_PORT,
			HSK_MODE_MAX, HSK_BACKLOG_MAX);
	expect_listener(_metadata, &d, AF_INET, "0.0.0.0", TEST_PORT,
			HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT);
	expect_listener(_metadata, &d, AF_INET, TEST_ADDR4, TEST_PORT,
			HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT);
	expect_listener(_metadata, &d, AF_INET, TEST_ADDR4, 65535,
			HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT);

	/* deleting one of overlapping listeners keeps the others */
	EXPECT_EQ(0, send_req(self, HSK_CMD_LISTEN_DEL, 0, any4, &ext))
		TH_LOG("%s", ext.msg);
	ASSERT_EQ(0, dump_listeners(self, &d));
	EXPECT_EQ(4, d.n);
	EXPECT_EQ(NULL, find_listener(&d, AF_INET, "0.0.0.0", TEST_PORT));
	expect_listener(_metadata, &d, AF_INET, TEST_ADDR4, TEST_PORT,
			HSK_MODE_ECHO, HSK_BACKLOG_DEFAULT);

	EXPECT_EQ(0, flush(self));
	EXPECT_EQ(0, count_listeners(self));
}

/* -------------------------------------------------------------------- */
/* Refusals */

struct refusal {
	const char *name;
	__u8 cmd;
	int flags;		/* NLM_F_DUMP or 0 */
	struct rattr attrs[6];
	int err;		/* expected errno */
	int alt_err;		/* also accepted; 0: none */
	/* the extack message must contain it; "": any; NULL: not checked */
	const char *msg;
	int miss_type;		/* missing attribute to be named; 0: none */
	/* no .blame attribute: the extack must carry no offset */
};

static const struct refusal refusals[] = {
	{
		.name = "unknown_attr",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   U32(HSK_LISTEN_A_MAX + 5, 1, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "attr_type_zero",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   U32(HSK_LISTEN_A_UNSPEC, 1, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "port_u32",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4),
			   U32(HSK_LISTEN_A_PORT, TEST_PORT, .blame = true) },
		.err = EINVAL, .alt_err = ERANGE, .msg = "",
	}, {
		.name = "port_empty",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4),
			   RAW(HSK_LISTEN_A_PORT, 0, .blame = true) },
		.err = EINVAL, .alt_err = ERANGE, .msg = "",
	}, {
		.name = "port_nested_flag",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4),
			   U16(HSK_LISTEN_A_PORT | NLA_F_NESTED, TEST_PORT,
			       .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "port_missing",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4) },
		.err = EINVAL, .msg = "missing port",
		.miss_type = HSK_LISTEN_A_PORT,
	}, {
		.name = "del_port_missing",
		.cmd = HSK_CMD_LISTEN_DEL,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4) },
		.err = EINVAL, .msg = "missing port",
		.miss_type = HSK_LISTEN_A_PORT,
	}, {
		.name = "port_zero",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4),
			   PORT(0, .blame = true) },
		.err = EINVAL, .msg = "port",
	}, {
		.name = "family_99",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(99, .blame = true), PORT(TEST_PORT) },
		.err = EINVAL, .msg = "family",
	}, {
		.name = "unspec_with_addr",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_UNSPEC), ADDR(TEST_ADDR4, .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "address",
	}, {
		/* no FAMILY is AF_UNSPEC too */
		.name = "no_family_with_addr",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { ADDR(TEST_ADDR6, .blame = true), PORT(TEST_PORT) },
		.err = EINVAL, .msg = "address",
	}, {
		.name = "inet_addr16",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR6, .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "address",
	}, {
		.name = "inet6_addr4",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET6), ADDR(TEST_ADDR4, .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "address",
	}, {
		/* hsk.h: out of range values are refused with -EINVAL */
		.name = "addr_17",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET6),
			   RAW(HSK_LISTEN_A_ADDR, 17, .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "multicast4",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR("224.0.0.1", .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "unicast",
	}, {
		.name = "broadcast4",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET),
			   ADDR("255.255.255.255", .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "unicast",
	}, {
		.name = "multicast6",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET6), ADDR("ff02::1", .blame = true),
			   PORT(TEST_PORT) },
		.err = EINVAL, .msg = "unicast",
	}, {
		.name = "mode_too_big",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   MODE(HSK_MODE_MAX + 1, .blame = true) },
		.err = EINVAL, .msg = "mode",
	}, {
		.name = "backlog_zero",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   BACKLOG(0, .blame = true) },
		.err = EINVAL, .msg = "backlog",
	}, {
		.name = "backlog_too_big",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   BACKLOG(HSK_BACKLOG_MAX + 1, .blame = true) },
		.err = EINVAL, .msg = "backlog",
	}, {
		/* settings do not name a listener, even valid ones */
		.name = "del_with_mode",
		.cmd = HSK_CMD_LISTEN_DEL,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   MODE(HSK_MODE_ECHO, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "del_with_backlog",
		.cmd = HSK_CMD_LISTEN_DEL,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
			   BACKLOG(HSK_BACKLOG_DEFAULT, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "unknown_cmd",
		.cmd = 200,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT) },
		.err = EOPNOTSUPP,
	}, {
		.name = "add_as_dump",
		.cmd = HSK_CMD_LISTEN_ADD,
		.flags = NLM_F_DUMP,
		.attrs = { FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT) },
		.err = EOPNOTSUPP,
	}, {
		/* dumps are validated strictly too */
		.name = "get_unknown_attr",
		.cmd = HSK_CMD_LISTEN_GET,
		.flags = NLM_F_DUMP,
		.attrs = { U32(HSK_LISTEN_A_MAX + 5, 1, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		.name = "flush_unknown_attr",
		.cmd = HSK_CMD_LISTEN_FLUSH,
		.attrs = { U32(HSK_LISTEN_A_MAX + 5, 1, .blame = true) },
		.err = EINVAL, .msg = "",
	}, {
		/* nla_len runs past the end of the message */
		.name = "attr_truncated",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_UNSPEC), PORT(TEST_PORT, .nla_len = 64) },
		.err = EINVAL, .alt_err = ERANGE, .msg = "",
	}, {
		/* nla_len shorter than the attribute header itself */
		.name = "attr_len_short",
		.cmd = HSK_CMD_LISTEN_ADD,
		.attrs = { FAMILY(AF_UNSPEC), PORT(TEST_PORT, .nla_len = 2) },
		.err = EINVAL, .alt_err = ERANGE, .msg = "",
	},
};

static void check_refusal(struct __test_metadata *_metadata,
			  FIXTURE_DATA(hsk_nl) *self, const struct refusal *r)
{
	struct extack ext;
	int err;

	err = send_req(self, r->cmd, r->flags, r->attrs, &ext);
	EXPECT_TRUE(err == -r->err || (r->alt_err && err == -r->alt_err))
		TH_LOG("%s: errno %d (%s), want -%d (%s)%s", r->name, err,
		       strerror(-err), r->err, strerror(r->err),
		       r->alt_err ? " or its alternative" : "");

	if (self->blame >= 0) {
		EXPECT_TRUE(ext.has_offs)
			TH_LOG("%s: no offset in the extack (message \"%s\")",
			       r->name, ext.msg);
		if (ext.has_offs) {
			EXPECT_EQ(self->blame, (int)ext.offs)
				TH_LOG("%s: extack offset %u, the bad attribute is at %d",
				       r->name, ext.offs, self->blame);
		}
	} else {
		EXPECT_FALSE(ext.has_offs)
			TH_LOG("%s: unexpected extack offset %u", r->name,
			       ext.offs);
	}

	if (r->miss_type) {
		EXPECT_TRUE(ext.has_miss)
			TH_LOG("%s: no missing attribute in the extack", r->name);
		if (ext.has_miss) {
			EXPECT_EQ(r->miss_type, (int)ext.miss_type)
				TH_LOG("%s: extack names attribute %u as missing",
				       r->name, ext.miss_type);
		}
	} else {
		EXPECT_FALSE(ext.has_miss)
			TH_LOG("%s: unexpected missing attribute %u", r->name,
			       ext.miss_type);
	}

	if (r->msg) {
		EXPECT_TRUE(ext.msg[0] && strstr(ext.msg, r->msg))
			TH_LOG("%s: extack message \"%s\", want one with \"%s\"",
			       r->name, ext.msg, r->msg);
	}
}

static void run_refusal(struct __test_metadata *_metadata,
			FIXTURE_DATA(hsk_nl) *self, const char *name)
{
	const struct refusal *r = NULL;
	size_t i;

	if (!self->sk)
		return;	/* setup skipped; 6.1's harness runs the body anyway */
	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		if (!strcmp(refusals[i].name, name))
			r = &refusals[i];
	ASSERT_NE(NULL, r) TH_LOG("no refusal named %s", name);
	check_refusal(_metadata, self, r);
	/* refused means nothing happened, and the socket still works */
	EXPECT_EQ(0, count_listeners(self));
}

#define REFUSAL_TEST(name)				\
	TEST_F(hsk_nl, name)				\
	{						\
		run_refusal(_metadata, self, #name);	\
	}

REFUSAL_TEST(unknown_attr)
REFUSAL_TEST(attr_type_zero)
REFUSAL_TEST(port_u32)
REFUSAL_TEST(port_empty)
REFUSAL_TEST(port_nested_flag)
REFUSAL_TEST(port_missing)
REFUSAL_TEST(del_port_missing)
REFUSAL_TEST(port_zero)
REFUSAL_TEST(family_99)
REFUSAL_TEST(unspec_with_addr)
REFUSAL_TEST(no_family_with_addr)
REFUSAL_TEST(inet_addr16)
REFUSAL_TEST(inet6_addr4)
REFUSAL_TEST(addr_17)
REFUSAL_TEST(multicast4)
REFUSAL_TEST(broadcast4)
REFUSAL_TEST(multicast6)
REFUSAL_TEST(mode_too_big)
REFUSAL_TEST(backlog_zero)
REFUSAL_TEST(backlog_too_big)
REFUSAL_TEST(del_with_mode)
REFUSAL_TEST(del_with_backlog)
REFUSAL_TEST(unknown_cmd)
REFUSAL_TEST(add_as_dump)
REFUSAL_TEST(get_unknown_attr)
REFUSAL_TEST(flush_unknown_attr)
REFUSAL_TEST(attr_truncated)
REFUSAL_TEST(attr_len_short)

/*
 * Every refusal in a row, on an empty table and then on one holding the
 * listener they name (non-default settings, so that a refused ADD that
 * still overwrote them, or a refused DEL that still deleted, shows).
 */
TEST_F(hsk_nl, refusals_leave_table_unchanged)
{
	static const struct rattr key[] = {
		FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT),
		MODE(HSK_MODE_TARPIT), BACKLOG(7), {} };
	static struct dump d;
	struct extack ext;
	size_t i;

	if (!self->sk)
		return;	/* setup skipped; 6.1's harness runs the body anyway */
	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		check_refusal(_metadata, self, &refusals[i]);
	EXPECT_EQ(0, count_listeners(self));

	ASSERT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, key, &ext))
		TH_LOG("add: %s", ext.msg);
	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		check_refusal(_metadata, self, &refusals[i]);
	ASSERT_EQ(0, dump_listeners(self, &d));
	EXPECT_EQ(0, d.err);
	EXPECT_EQ(1, d.n);
	expect_listener(_metadata, &d, AF_INET, TEST_ADDR4, TEST_PORT,
			HSK_MODE_TARPIT, 7);
}

/* -------------------------------------------------------------------- */
/* A dump that spans several datagrams */

TEST_F_TIMEOUT(hsk_nl, listen_dump_600, 120)
{
	/* add[2], the port, changes from one request to the next */
	struct rattr add[] = {
		FAMILY(AF_INET), ADDR(TEST_ADDR4), PORT(TEST_PORT), {} };
	static struct dump d;
	int seen[MANY_COUNT] = {};
	int wrong = 0, first_wrong = -1;
	struct extack ext;
	int i;

	if (!self->sk)
		return;	/* setup skipped; 6.1's harness runs the body anyway */
	for (i = 0; i < MANY_COUNT; i++) {
		add[2].val = MANY_FIRST + i;
		ASSERT_EQ(0, send_req(self, HSK_CMD_LISTEN_ADD, 0, add, &ext))
			TH_LOG("add port %d: %s", MANY_FIRST + i, ext.msg);
	}

	ASSERT_EQ(0, dump_listeners(self, &d));
	EXPECT_TRUE(d.done);
	EXPECT_EQ(0, d.err) TH_LOG("dump ended with %d", d.err);
	EXPECT_FALSE(d.bad);
	/* nothing changed the table during the dump */
	EXPECT_FALSE(d.intr);
	ASSERT_EQ(MANY_COUNT, d.n);
	EXPECT_EQ(MANY_COUNT, d.multi);
	for (i = 0; i < d.n; i++) {
		int port = d.l[i].port;

		EXPECT_EQ(AF_INET, d.l[i].family);
		ASSERT_TRUE(port >= MANY_FIRST && port < MANY_FIRST + MANY_COUNT)
			TH_LOG("unexpected port %d", port);
		seen[port - MANY_FIRST]++;
	}
	for (i = 0; i < MANY_COUNT; i++) {
		if (seen[i] != 1 && !wrong++)
			first_wrong = MANY_FIRST + i;
	}
	EXPECT_EQ(0, wrong) TH_LOG("%d ports not dumped exactly once, first %d",
				   wrong, first_wrong);
	/* ~36 KB of replies cannot fit the kernel's largest dump skb (32 KB) */
	EXPECT_LT(1, d.batches);
}

TEST_HARNESS_MAIN
