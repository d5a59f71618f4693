// SPDX-License-Identifier: GPL-2.0 OR MIT
/* hskctl listen add|del|show|flush: the HSK_CMD_LISTEN_* commands. */
#include <array>
#include <cerrno>
#include <linux/hsk.h>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "endpoint.hpp"
#include "listener.hpp"
#include "mode.hpp"
#include "netlink.hpp"

namespace hskctl {

namespace {

std::string usage()
{
	return "hskctl listen add ENDPOINT [mode MODE] [backlog N]\n"
	       "hskctl listen del ENDPOINT\n"
	       "hskctl listen show [-j|--json]       (also: list, ls; \"hskctl listen\" alone)\n"
	       "hskctl listen flush\n"
	       "hskctl listen help\n"
	       "\n"
	       "  ENDPOINT := PORT | A.B.C.D:PORT | [IPV6]:PORT\n"
	       "      PORT alone listens on every local address of IPv4 and IPv6,\n"
	       "      0.0.0.0:PORT and [::]:PORT on every local address of one family.\n"
	       "  MODE := " +
	       mode_names(" | ", " | ") + "   (default: " + mode_name(HSK_MODE_ECHO) + ")\n" +
	       "  N := most connections half open at once (default: " +
	       std::to_string(HSK_BACKLOG_DEFAULT) +
	       ", at most: " + std::to_string(HSK_BACKLOG_MAX) + ")\n";
}

/* The endpoint of a listener: family always, address unless any, port. */
void put_endpoint(netlink::Message &m, const Endpoint &ep)
{
	m.put_u16(HSK_LISTEN_A_FAMILY, static_cast<std::uint16_t>(ep.family));
	if (ep.addr_len())
		m.put(HSK_LISTEN_A_ADDR, ep.addr.data(), ep.addr_len());
	m.put_u16(HSK_LISTEN_A_PORT, ep.port);
}

void listen_add(Context &ctx, Args &args)
{
	if (args.empty())
		throw UsageError("missing ENDPOINT for 'listen add'");
	const std::string_view text = args.next();
	const Endpoint ep = endpoint_arg(text);
	std::optional<std::uint32_t> mode;
	std::optional<std::uint32_t> backlog;

	while (!args.empty()) {
		const std::string_view keyword = args.next();
		if (keyword == "mode") {
			if (mode)
				throw UsageError("'mode' given twice");
			const std::string_view v = args.value_of(keyword);
			mode = mode_from_name(v);
			if (!mode)
				throw UsageError("unknown mode '" + std::string(v) +
						 "' (expected " + mode_names() + ")");
		} else if (keyword == "backlog") {
			if (backlog)
				throw UsageError("'backlog' given twice");
			const std::string_view v = args.value_of(keyword);
			/* Any u32: the kernel owns the valid range. */
			backlog = parse_decimal(v);
			if (!backlog)
				throw UsageError("invalid backlog '" + std::string(v) +
						 "' (expected a decimal number)");
		} else {
			throw UsageError("unknown keyword '" + std::string(keyword) +
					 "' for 'listen add' (expected mode or backlog)");
		}
	}

	try {
		ctx.genl().request(HSK_CMD_LISTEN_ADD, [&](netlink::Message &m) {
			put_endpoint(m, ep);
			/* Unset means the kernel's default. */
			if (mode)
				m.put_u32(HSK_LISTEN_A_MODE, *mode);
			if (backlog)
				m.put_u32(HSK_LISTEN_A_BACKLOG, *backlog);
		});
	} catch (const netlink::Error &e) {
		if (kernel_error(e, EEXIST))
			throw CommandError("listener " + std::string(text) + " already exists" +
					   kernel_says(e));
		throw;
	}
}

void listen_del(Context &ctx, Args &args)
{
	if (args.empty())
		throw UsageError("missing ENDPOINT for 'listen del'");
	const std::string_view text = args.next();
	const Endpoint ep = endpoint_arg(text);
	args.expect_end("listen del");

	try {
		ctx.genl().request(HSK_CMD_LISTEN_DEL,
				   [&](netlink::Message &m) { put_endpoint(m, ep); });
	} catch (const netlink::Error &e) {
		if (kernel_error(e, ENOENT))
			throw CommandError("no such listener " + std::string(text) +
					   kernel_says(e));
		throw;
	}
}

void listen_flush(Context &ctx, Args &args)
{
	args.expect_end("listen flush");
	ctx.genl().request(HSK_CMD_LISTEN_FLUSH);
}

const netlink::Policy &listen_policy()
{
	static const auto table = [] {
		std::array<nla_policy, HSK_LISTEN_A_MAX + 1> p{};
		p[HSK_LISTEN_A_FAMILY].type = NLA_U16;
		p[HSK_LISTEN_A_ADDR].type = NLA_UNSPEC;
		p[HSK_LISTEN_A_ADDR].minlen = 4;
		p[HSK_LISTEN_A_ADDR].maxlen = 16;
		p[HSK_LISTEN_A_PORT].type = NLA_U16;
		p[HSK_LISTEN_A_MODE].type = NLA_U32;
		p[HSK_LISTEN_A_BACKLOG].type = NLA_U32;
		return p;
	}();
	static const netlink::Policy policy{HSK_LISTEN_A_MAX, table.data()};
	return policy;
}

Listener to_listener(const netlink::Attrs &a)
{
	const int family = a.u16(HSK_LISTEN_A_FAMILY, "HSK_LISTEN_A_FAMILY");
	const std::uint16_t port = a.u16(HSK_LISTEN_A_PORT, "HSK_LISTEN_A_PORT");
	const nlattr *addr = a.get(HSK_LISTEN_A_ADDR);
	const std::size_t len = addr ? static_cast<std::size_t>(nla_len(addr)) : 0;
	const auto ep = make_endpoint(family, addr ? nla_data(addr) : nullptr, len, port);

	if (!ep)
		throw netlink::Error::protocol("the kernel reported a listener of family " +
					       std::to_string(family) + " with a " +
					       std::to_string(len) + "-byte address");
	return {*ep, a.u32(HSK_LISTEN_A_MODE, "HSK_LISTEN_A_MODE"),
		a.u32(HSK_LISTEN_A_BACKLOG, "HSK_LISTEN_A_BACKLOG")};
}

void listen_show(Context &ctx, Args &args)
{
	std::vector<Listener> listeners;

	json_options(ctx, args, "listen show");

	ctx.genl().dump(HSK_CMD_LISTEN_GET, listen_policy(),
			[&](const netlink::Attrs &a) { listeners.push_back(to_listener(a)); });
	sort_listeners(listeners);
	print(ctx.json ? listeners_json(listeners) : listeners_text(listeners));
}

} // namespace

const Object &listen_object()
{
	static const Object object{
		"listen",
		usage,
		{
			{{"add"}, listen_add},
			{{"del", "delete"}, listen_del},
			{{"show", "list", "ls"}, listen_show},
			{{"flush"}, listen_flush},
		},
		"show",
	};
	return object;
}

} // namespace hskctl
