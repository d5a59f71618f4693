// SPDX-License-Identifier: GPL-2.0 OR MIT
/* hskctl conn show|close|kill: the HSK_CMD_CONN_* commands. */
#include <linux/hsk.h>
#include <net/if.h>
#include <string>
#include <vector>

#include "cli.hpp"
#include "connection.hpp"
#include "messages.hpp"
#include "netlink.hpp"

namespace hskctl {

namespace {

/* if_indextoname(): "" for an interface that is gone. */
std::string interface_name(std::uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) ? name : "";
}

std::uint32_t interface_index(const std::string &name)
{
	return if_nametoindex(name.c_str());
}

std::string usage()
{
	return "hskctl conn show [-j|--json] [local ENDPOINT] [remote ENDPOINT]\n"
	       "                                      (also: list, ls; \"hskctl conn\" alone)\n"
	       "hskctl conn close [local ENDPOINT] [remote ENDPOINT]\n"
	       "hskctl conn kill [local ENDPOINT] [remote ENDPOINT]\n"
	       "hskctl conn help\n"
	       "\n"
	       "  ENDPOINT := PORT | A.B.C.D:PORT | [IPV6]:PORT | [IPV6%IFACE]:PORT\n"
	       "      PORT alone matches that port in both families, 0.0.0.0:PORT and\n"
	       "      [::]:PORT that port with any address of one family. IFACE, the\n"
	       "      name or number of an interface, goes with a link-local address\n"
	       "      (fe80::/10) and matches only the connections on that interface;\n"
	       "      show prints link-local addresses with it.\n"
	       "  show lists the connections that match every filter given, close ends\n"
	       "  them gracefully (FIN after the queued data), kill resets them (RST).\n"
	       "  With no filter, close and kill act on every connection; with -j they\n"
	       "  print {\"count\":N}, the number of connections acted on.\n";
}

void conn_show(Context &ctx, Args &args)
{
	const ConnFilter filter = parse_conn_filter(args, "conn show", &ctx.json, interface_index);
	std::vector<Connection> conns;

	ctx.genl().dump(HSK_CMD_CONN_GET, conn_policy(), [&](const netlink::Attrs &a) {
		Connection c = to_connection(a);
		if (filter.matches(c))
			conns.push_back(c);
	});
	sort_connections(conns);
	print(ctx.json ? connections_json(conns, interface_name)
		       : connections_text(conns, interface_name));
}

void conn_act(Context &ctx, Args &args, std::uint8_t cmd, const char *command)
{
	const ConnFilter filter = parse_conn_filter(args, command, nullptr, interface_index);
	std::uint32_t count = 0;

	query_one(
		ctx, cmd, conn_policy(), [&](const netlink::Attrs &a) { count = conn_count(a); },
		[&](netlink::Message &m) { put_conn_filter(m, filter); });
	if (ctx.json)
		print(count_json(count));
}

void conn_close(Context &ctx, Args &args)
{
	conn_act(ctx, args, HSK_CMD_CONN_CLOSE, "conn close");
}

void conn_kill(Context &ctx, Args &args)
{
	conn_act(ctx, args, HSK_CMD_CONN_KILL, "conn kill");
}

} // namespace

const Object &conn_object()
{
	static const Object object{
		"conn",
		usage,
		{
			{{"show", "list", "ls"}, conn_show},
			{{"close"}, conn_close},
			{{"kill"}, conn_kill},
		},
		"show",
	};
	return object;
}

} // namespace hskctl
