/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A thin RAII layer over libnl-3/libnl-genl-3 for one generic netlink
 * family: resolve the family once, then send requests (answered by an ACK),
 * queries (answered by messages and an ACK) and dumps (answered by a series
 * of messages and NLMSG_DONE). Kernel
 * errors are thrown as netlink::Error with the errno and the extended ACK
 * message, if the kernel sent one.
 */
#ifndef HSKCTL_NETLINK_HPP
#define HSKCTL_NETLINK_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

namespace hskctl::netlink {

namespace detail {
struct Exchange;
} // namespace detail

struct SockDeleter {
	void operator()(nl_sock *sk) const noexcept { nl_socket_free(sk); }
};
struct MsgDeleter {
	void operator()(nl_msg *msg) const noexcept { nlmsg_free(msg); }
};
struct CbDeleter {
	void operator()(nl_cb *cb) const noexcept { nl_cb_put(cb); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

class Error : public std::exception
{
public:
	enum class Kind {
		kernel,		/* the kernel answered with an error: code() is an errno */
		library,	/* libnl failed locally: code() is a libnl NLE_* code */
		family_missing, /* the generic netlink family is not registered */
		protocol,	/* the kernel's answer does not follow the ABI */
	};

	/* err is a positive errno; extack the kernel's message or empty. */
	static Error kernel(int err, std::string extack);
	/* nlerr is a libnl error code (either sign). */
	static Error library(int nlerr, const std::string &context);
	static Error family_missing(const std::string &family);
	static Error protocol(const std::string &what);

	Kind kind() const noexcept { return kind_; }
	int code() const noexcept { return code_; }
	const std::string &extack() const noexcept { return extack_; }
	/* One line: "<strerror>: <extack>", "<context>: <libnl message>", ... */
	const char *what() const noexcept override { return what_.c_str(); }

private:
	Error(Kind kind, int code, std::string extack, std::string what);

	Kind kind_;
	int code_;
	std::string extack_;
	std::string what_;
};

/* A request being built; every put throws Error if the message is full. */
class Message
{
public:
	explicit Message(nl_msg *msg) noexcept : msg_(msg) {}

	void put(int type, const void *data, std::size_t len);
	void put_u16(int type, std::uint16_t v);
	void put_u32(int type, std::uint32_t v);
	void put_string(int type, const std::string &s);
	nl_msg *get() const noexcept { return msg_; }

private:
	nl_msg *msg_;
};

/*
 * The attributes of one received message, validated against a policy.
 * Attributes above the policy's maxtype (added by a newer kernel) are
 * ignored.
 */
class Attrs
{
public:
	explicit Attrs(std::vector<nlattr *> tb) : tb_(std::move(tb)) {}

	/* nullptr if the attribute is absent. */
	nlattr *get(int type) const noexcept;
	bool has(int type) const noexcept { return get(type) != nullptr; }
	/* These throw Error (protocol) if the attribute is absent. */
	std::uint8_t u8(int type, const char *name) const;
	std::uint16_t u16(int type, const char *name) const;
	std::uint32_t u32(int type, const char *name) const;
	std::uint64_t u64(int type, const char *name) const;

private:
	nlattr *require(int type, const char *name) const;

	std::vector<nlattr *> tb_;
};

/* libnl policy for the attributes of a family: policy[0..maxtype]. */
struct Policy {
	int maxtype;
	const nla_policy *policy;
};

using Builder = std::function<void(Message &)>;
using Handler = std::function<void(const Attrs &)>;

/*
 * The errno (positive, 0 for success) carried by an NLMSG_ERROR or
 * NLMSG_DONE message; 0 for other messages.
 */
int status_of(const nlmsghdr *nlh);

/*
 * The extended ACK text of an NLMSG_ERROR or NLMSG_DONE message: the
 * NLMSGERR_ATTR_MSG string (control characters made blanks) or, without
 * one, "missing attribute N" from NLMSGERR_ATTR_MISS_TYPE; "" if the
 * message has no extended ACK. nlh must be nlh->nlmsg_len bytes long.
 */
std::string extack_of(const nlmsghdr *nlh);

class Genl
{
public:
	/*
	 * Opens a generic netlink socket with extended ACKs enabled and
	 * resolves the family. Throws Error (family_missing if the family is
	 * not registered, i.e. its module is not loaded).
	 */
	Genl(const std::string &family, std::uint8_t version);
	Genl(const Genl &) = delete;
	Genl &operator=(const Genl &) = delete;

	/* Sends cmd with the attributes build adds, waits for the ACK. */
	void request(std::uint8_t cmd, const Builder &build = nullptr);

	/*
	 * Like request(), for a command that answers with messages before its
	 * ACK (a "do" GET): once the ACK is in, calls handle with the
	 * attributes of each answer, parsed with policy, and returns how many
	 * there were. Exceptions thrown by handle propagate.
	 */
	std::size_t query(std::uint8_t cmd, const Policy &policy, const Handler &handle,
			  const Builder &build = nullptr);

	/*
	 * Sends cmd as a dump request, reads the whole reply, then calls handle
	 * with the attributes of each message, parsed with policy. A dump the
	 * kernel flags as inconsistent (NLM_F_DUMP_INTR: the table changed
	 * meanwhile) is done again, so handle sees one consistent snapshot.
	 * Exceptions thrown by handle propagate.
	 */
	void dump(std::uint8_t cmd, const Policy &policy, const Handler &handle,
		  const Builder &build = nullptr);

	int family_id() const noexcept { return family_id_; }

private:
	MsgPtr message(std::uint8_t cmd, int flags, const Builder &build) const;
	void send(nl_msg *msg);
	void receive(detail::Exchange &ex);

	SockPtr sk_;
	std::string family_;
	std::uint8_t version_;
	int family_id_ = 0;
};

} // namespace hskctl::netlink

#endif /* HSKCTL_NETLINK_HPP */
