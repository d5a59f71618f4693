// SPDX-License-Identifier: GPL-2.0 OR MIT
/* hskctl config show|set: HSK_CMD_CONFIG_GET and HSK_CMD_CONFIG_SET. */
#include <algorithm>
#include <linux/hsk.h>
#include <string>
#include <vector>

#include "cli.hpp"
#include "messages.hpp"
#include "netlink.hpp"
#include "settings.hpp"
#include "values.hpp"

namespace hskctl {

namespace {

std::string usage()
{
	std::string s = "hskctl config show [-j|--json]       (\"hskctl config\" alone)\n"
			"hskctl config set KEY VALUE [KEY VALUE ...]\n"
			"hskctl config help\n"
			"\n"
			"  The settings of the network namespace; new connections use new values.\n"
			"  KEY := one of\n";

	for (int attr = 1; attr <= HSK_CONFIG_A_MAX; attr++) {
		std::string name = setting_name(attr);
		name.resize(std::max<std::size_t>(name.size(), 15), ' ');
		s += "    " + name + "  " + setting_description(attr) + "\n";
	}
	return s + "  VALUE := a decimal number (the kernel checks its range)\n";
}

void config_show(Context &ctx, Args &args)
{
	std::vector<NamedValue> settings;

	json_options(ctx, args, "config show");
	query_one(ctx, HSK_CMD_CONFIG_GET, config_policy(),
		  [&](const netlink::Attrs &a) { settings = to_settings(a); });
	print(ctx.json ? values_json(settings) : values_text(settings));
}

void config_set(Context &ctx, Args &args)
{
	const std::vector<SettingChange> changes = parse_config_set(args);

	ctx.genl().request(HSK_CMD_CONFIG_SET,
			   [&](netlink::Message &m) { put_settings(m, changes); });
}

} // namespace

const Object &config_object()
{
	static const Object object{
		"config",
		usage,
		{
			{{"show"}, config_show},
			{{"set"}, config_set},
		},
		"show",
	};
	return object;
}

} // namespace hskctl
