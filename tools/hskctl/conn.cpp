// SPDX-License-Identifier: GPL-2.0 OR MIT
/* hskctl conn show|close|kill: the HSK_CMD_CONN_* commands. */
#include <linux/hsk.h>
#include <string>
#include <vector>

#include "cli.hpp"
#include "connection.hpp"
#include "messages.hpp"
#include "netlink.hpp"

namespace hskctl {

namespace {

std::string usage()
{
	return "hskctl conn show [-j|--json] [local ENDPOINT] [remote ENDPOINT]\n"
	       "                                      (also: list, ls; \"hskctl conn\" alone)\n"
	       "hskctl conn close [local ENDPOINT] [remote ENDPOINT]\n"
	       "hskctl conn kill [local ENDPOINT] [remote ENDPOINT]\n"
	       "hskctl conn help\n"
	       "\n"
	       "  ENDPOINT := PORT | A.B.C.D:PORT | [IPV6]:PORT\n"
	       "      PORT alone matches that port in both families, 0.0.0.0:PORT and\n"
	       "      [::]:PORT that port with any address of one family.\n"
	       "  show lists the connections that match every filter given, close ends\n"
	       "  them gracefully (FIN after the queued data), kill resets them (RST).\n"
	       "  With no filter, close and kill act on every connection; with -j they\n"
	       "  print {\"count\":N}, the number of connections acted on.\n";
}

void conn_show(Context &ctx, Args &args)
{
	const ConnFilter filter = parse_conn_filter(args, "conn show", &ctx.json);
	std::vector<Connection> conns;

	ctx.genl().dump(HSK_CMD_CONN_GET, conn_policy(), [&](const netlink::Attrs &a) {
		Connection c = to_connection(a);
		if (filter.matches(c))
			conns.push_back(c);
	});
	sort_connections(conns);
	print(ctx.json ? connections_json(conns) : connections_text(conns));
}

void conn_act(Context &ctx, Args &args, std::uint8_t cmd, const char *command)
{
	const ConnFilter filter = parse_conn_filter(args, command);
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
