// SPDX-License-Identifier: GPL-2.0 OR MIT
/* hskctl stats [show]: HSK_CMD_STATS_GET. */
#include <linux/hsk.h>
#include <string>
#include <vector>

#include "cli.hpp"
#include "counters.hpp"
#include "messages.hpp"
#include "netlink.hpp"
#include "values.hpp"

namespace hskctl {

namespace {

/* The counter names, blank separated, in lines of at most 80 columns. */
std::string counter_list()
{
	const std::string indent = "  ";
	std::string s;
	std::string line = indent;

	for (std::string_view n : stat_names()) {
		if (line.size() > indent.size() && line.size() + 1 + n.size() > 80) {
			s += line + '\n';
			line = indent;
		}
		if (line.size() > indent.size())
			line += ' ';
		line += n;
	}
	return s + line + '\n';
}

std::string usage()
{
	return "hskctl stats [show] [-j|--json]      (\"hskctl stats\" alone: show)\n"
	       "hskctl stats help\n"
	       "\n"
	       "  The counters of the network namespace (u64), one \"name value\" line each:\n" +
	       counter_list();
}

void stats_show(Context &ctx, Args &args)
{
	std::vector<NamedValue> counters;

	json_options(ctx, args, "stats show");
	query_one(ctx, HSK_CMD_STATS_GET, stats_policy(),
		  [&](const netlink::Attrs &a) { counters = to_counters(a); });
	print(ctx.json ? values_json(counters) : values_text(counters));
}

} // namespace

const Object &stats_object()
{
	static const Object object{
		"stats",
		usage,
		{
			{{"show"}, stats_show},
		},
		"show",
	};
	return object;
}

} // namespace hskctl
