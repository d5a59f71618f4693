// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "netlink.hpp"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <sys/socket.h>
#include <utility>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace hskctl::netlink {

/* State of one request/answer exchange, shared with the libnl callbacks. */
struct detail::Exchange {
	/* Dumps only: a copy of every message of type msg_type. */
	bool collect = false;
	int msg_type = 0;
	std::vector<std::vector<std::uint32_t>> messages;
	bool interrupted = false; /* NLM_F_DUMP_INTR: the dump is not consistent */

	bool done = false; /* ACK, error or NLMSG_DONE seen */
	int error = 0;	   /* positive errno from the kernel */
	std::string extack;
	std::exception_ptr exception; /* out of memory in a callback */
};

Error::Error(Kind kind, int code, std::string extack, std::string what)
	: kind_(kind), code_(code), extack_(std::move(extack)), what_(std::move(what))
{
}

Error Error::kernel(int err, std::string extack)
{
	std::string what = std::strerror(err);

	if (!extack.empty())
		what += ": " + extack;
	return Error(Kind::kernel, err, std::move(extack), std::move(what));
}

Error Error::library(int nlerr, const std::string &context)
{
	if (nlerr < 0)
		nlerr = -nlerr;
	return Error(Kind::library, nlerr, {}, context + ": " + nl_geterror(nlerr));
}

Error Error::family_missing(const std::string &family)
{
	return Error(Kind::family_missing, ENOENT, {},
		     "generic netlink family '" + family + "' not found");
}

Error Error::protocol(const std::string &what)
{
	return Error(Kind::protocol, EPROTO, {}, what);
}

void Message::put(int type, const void *data, std::size_t len)
{
	const int rc = nla_put(msg_, type, static_cast<int>(len), data);

	if (rc < 0)
		throw Error::library(rc, "cannot build the request");
}

void Message::put_u16(int type, std::uint16_t v)
{
	put(type, &v, sizeof(v));
}

void Message::put_u32(int type, std::uint32_t v)
{
	put(type, &v, sizeof(v));
}

void Message::put_string(int type, const std::string &s)
{
	put(type, s.c_str(), s.size() + 1);
}

nlattr *Attrs::get(int type) const noexcept
{
	if (type < 0 || static_cast<std::size_t>(type) >= tb_.size())
		return nullptr;
	return tb_[static_cast<std::size_t>(type)];
}

nlattr *Attrs::require(int type, const char *name) const
{
	nlattr *a = get(type);

	if (!a)
		throw Error::protocol(std::string("the kernel's answer lacks ") + name);
	return a;
}

std::uint8_t Attrs::u8(int type, const char *name) const
{
	return nla_get_u8(require(type, name));
}

std::uint16_t Attrs::u16(int type, const char *name) const
{
	return nla_get_u16(require(type, name));
}

std::uint32_t Attrs::u32(int type, const char *name) const
{
	return nla_get_u32(require(type, name));
}

std::uint64_t Attrs::u64(int type, const char *name) const
{
	/* nla_get_u64() copies: 64-bit attributes may be 4-byte aligned only. */
	return nla_get_u64(require(type, name));
}

namespace {

/*
 * NLMSGERR_ATTR_MISS_TYPE (Linux 6.0): the type of a required attribute
 * that is missing. Spelled out so that older UAPI headers still build.
 */
constexpr int nlmsgerr_attr_miss_type = 5;

/* The extended ACK text, made one line: control characters become blanks. */
std::string one_line(const char *s)
{
	std::string out(s);

	for (char &c : out)
		if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			c = ' ';
	return out;
}

/*
 * Extended ACK TLVs (enum nlmsgerr_attrs) that start off bytes into the
 * payload of nlh: the message, or failing that the missing attribute.
 */
std::string extack_at(const nlmsghdr *nlh, std::size_t off)
{
	nla_policy policy[nlmsgerr_attr_miss_type + 1] = {};
	nlattr *tb[nlmsgerr_attr_miss_type + 1] = {};

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len < NLMSG_HDRLEN)
		return {};
	const std::size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= payload)
		return {};

	policy[NLMSGERR_ATTR_MSG].type = NLA_STRING;
	policy[nlmsgerr_attr_miss_type].type = NLA_U32;
	auto *head = reinterpret_cast<nlattr *>(
		const_cast<char *>(reinterpret_cast<const char *>(nlh) + NLMSG_HDRLEN + off));
	const int len = static_cast<int>(payload - off);
	if (nla_parse(tb, nlmsgerr_attr_miss_type, head, len, policy) < 0)
		return {};
	if (tb[NLMSGERR_ATTR_MSG])
		return one_line(nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[nlmsgerr_attr_miss_type])
		return "missing attribute " +
		       std::to_string(nla_get_u32(tb[nlmsgerr_attr_miss_type]));
	return {};
}

const nlmsghdr *header_of(const nlmsgerr *e)
{
	return reinterpret_cast<const nlmsghdr *>(reinterpret_cast<const char *>(e) - NLMSG_HDRLEN);
}

} // namespace

int status_of(const nlmsghdr *nlh)
{
	int err = 0;

	if ((nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) &&
	    nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		std::memcpy(&err, reinterpret_cast<const char *>(nlh) + NLMSG_HDRLEN, sizeof(err));
	return err < 0 ? -err : err;
}

std::string extack_of(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_type == NLMSG_DONE)
		return extack_at(nlh, sizeof(int));
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(nlmsgerr))
		return {};

	/*
	 * struct nlmsgerr is followed by the request (unless NLM_F_CAPPED: we
	 * ask for NETLINK_CAP_ACK, but older kernels ignore it; successful
	 * ACKs are always capped) and then by the TLVs.
	 */
	nlmsgerr e;
	std::memcpy(&e, reinterpret_cast<const char *>(nlh) + NLMSG_HDRLEN, sizeof(e));
	std::size_t off = sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e.error && e.msg.nlmsg_len > NLMSG_HDRLEN)
		off += e.msg.nlmsg_len - NLMSG_HDRLEN;
	return extack_at(nlh, off);
}

namespace {

/*
 * Dumps keep a copy of every message and parse them once the dump is over
 * and known to be consistent; a request's answer carries nothing we use.
 */
int on_valid(nl_msg *msg, void *arg)
{
	auto *ex = static_cast<detail::Exchange *>(arg);
	const nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!ex->collect || ex->exception || nlh->nlmsg_type != ex->msg_type)
		return NL_OK;
	try {
		std::vector<std::uint32_t> copy((nlh->nlmsg_len + 3) / 4);
		std::memcpy(copy.data(), nlh, nlh->nlmsg_len);
		ex->messages.push_back(std::move(copy));
	} catch (...) {
		/* Exceptions must not unwind through libnl's C frames. */
		ex->exception = std::current_exception();
	}
	return NL_OK;
}

/* The table changed while it was being dumped: read on, then dump again. */
int on_dump_intr(nl_msg *, void *arg)
{
	static_cast<detail::Exchange *>(arg)->interrupted = true;
	return NL_OK;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<detail::Exchange *>(arg)->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; its payload is an int: 0 or the dump's -errno. */
int on_finish(nl_msg *msg, void *arg)
{
	auto *ex = static_cast<detail::Exchange *>(arg);
	const nlmsghdr *nlh = nlmsg_hdr(msg);

	ex->done = true;
	ex->error = status_of(nlh);
	if (ex->error)
		ex->extack = extack_of(nlh);
	return NL_STOP;
}

/* Parses every collected message with policy and hands it to handle. */
void parse_all(std::vector<std::vector<std::uint32_t>> &messages, const Policy &policy,
	       const Handler &handle)
{
	for (auto &m : messages) {
		std::vector<nlattr *> tb(static_cast<std::size_t>(policy.maxtype) + 1);
		const int rc = genlmsg_parse(reinterpret_cast<nlmsghdr *>(m.data()), 0, tb.data(),
					     policy.maxtype, policy.policy);
		if (rc < 0)
			throw Error::protocol(std::string("malformed message from the kernel: ") +
					      nl_geterror(rc));
		handle(Attrs(std::move(tb)));
	}
}

int on_error(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	auto *ex = static_cast<detail::Exchange *>(arg);

	ex->done = true;
	ex->error = e->error < 0 ? -e->error : e->error;
	/* libnl passes the nlmsgerr in place, inside the received message. */
	ex->extack = extack_of(header_of(e));
	return NL_STOP;
}

} // namespace

Genl::Genl(const std::string &family, std::uint8_t version)
	: sk_(nl_socket_alloc()), family_(family), version_(version)
{
	if (!sk_)
		throw Error::library(-NLE_NOMEM, "cannot allocate a netlink socket");
	int rc = genl_connect(sk_.get());
	if (rc < 0)
		throw Error::library(rc, "cannot open a generic netlink socket");

	/* Best effort: kernels before 4.12 know neither option. */
	const int one = 1;
	const int fd = nl_socket_get_fd(sk_.get());
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Size the receive buffer to each datagram, however large. */
	nl_socket_enable_msg_peek(sk_.get());

	rc = genl_ctrl_resolve(sk_.get(), family_.c_str());
	if (rc == -NLE_OBJ_NOTFOUND)
		throw Error::family_missing(family_);
	if (rc < 0)
		throw Error::library(rc,
				     "cannot resolve the generic netlink family '" + family_ + "'");
	family_id_ = rc;
}

MsgPtr Genl::message(std::uint8_t cmd, int flags, const Builder &build) const
{
	MsgPtr msg(nlmsg_alloc());

	if (!msg ||
	    !genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_id_, 0, flags, cmd, version_))
		throw Error::library(-NLE_NOMEM, "cannot build the request");
	if (build) {
		Message m(msg.get());
		build(m);
	}
	return msg;
}

void Genl::send(nl_msg *msg)
{
	const int rc = nl_send_auto(sk_.get(), msg);

	if (rc < 0)
		throw Error::library(rc, "cannot send the request");
}

void Genl::receive(detail::Exchange &ex)
{
	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));

	if (!cb)
		throw Error::library(-NLE_NOMEM, "cannot allocate netlink callbacks");
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ex);
	nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &ex);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &ex);

	while (!ex.done) {
		const int rc = nl_recvmsgs(sk_.get(), cb.get());
		if (ex.error)
			throw Error::kernel(ex.error, ex.extack);
		if (rc < 0)
			throw Error::library(rc, "cannot receive the kernel's answer");
	}
	if (ex.exception)
		std::rethrow_exception(ex.exception);
}

void Genl::request(std::uint8_t cmd, const Builder &build)
{
	detail::Exchange ex;
	MsgPtr msg = message(cmd, 0, build);

	send(msg.get());
	receive(ex);
}

std::size_t Genl::query(std::uint8_t cmd, const Policy &policy, const Handler &handle,
			const Builder &build)
{
	detail::Exchange ex;
	MsgPtr msg = message(cmd, 0, build);

	ex.collect = true;
	ex.msg_type = family_id_;
	send(msg.get());
	receive(ex);
	parse_all(ex.messages, policy, handle);
	return ex.messages.size();
}

void Genl::dump(std::uint8_t cmd, const Policy &policy, const Handler &handle, const Builder &build)
{
	constexpr int attempts = 5;
	detail::Exchange ex;

	for (int attempt = 1;; attempt++) {
		ex = detail::Exchange();
		ex.collect = true;
		ex.msg_type = family_id_;
		MsgPtr msg = message(cmd, NLM_F_DUMP, build);
		send(msg.get());
		receive(ex);
		if (!ex.interrupted)
			break;
		if (attempt == attempts)
			throw Error::library(-NLE_DUMP_INTR, "the kernel's table kept changing");
	}

	parse_all(ex.messages, policy, handle);
}

} // namespace hskctl::netlink
