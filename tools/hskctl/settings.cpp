// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "settings.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <linux/hsk.h>

namespace hskctl {

namespace {

struct SettingName {
	int attr;
	const char *name;
	const char *description;
};

constexpr SettingName settings[] = {
	{HSK_CONFIG_A_SYNACK_RETRIES, "synack_retries",
	 "SYN-ACKs resent before a half-open connection is dropped"},
	{HSK_CONFIG_A_TIME_WAIT_MS, "time_wait_ms", "TIME-WAIT duration (2 MSL), milliseconds"},
	{HSK_CONFIG_A_IDLE_TIMEOUT_MS, "idle_timeout_ms",
	 "close connections idle this long, milliseconds (0: never)"},
	{HSK_CONFIG_A_RTO_MIN_MS, "rto_min_ms",
	 "lower bound of the retransmission timeout, milliseconds"},
	{HSK_CONFIG_A_MAX_CONNS, "max_conns", "most connections in the namespace"},
	{HSK_CONFIG_A_SNDQ_LIMIT_KB, "sndq_limit_kb",
	 "most memory of the echo send queues in the namespace, KiB"},
};

constexpr bool settings_in_order()
{
	for (std::size_t i = 0; i < std::size(settings); i++)
		if (settings[i].attr != static_cast<int>(i) + 1)
			return false;
	return true;
}

static_assert(std::size(settings) == HSK_CONFIG_A_MAX,
	      "give every HSK_CONFIG_A_* setting up to HSK_CONFIG_A_MAX a name");
static_assert(settings_in_order(), "list the HSK_CONFIG_A_* settings in order");

} // namespace

const char *setting_name(int attr) noexcept
{
	if (attr < 1 || attr > HSK_CONFIG_A_MAX)
		return nullptr;
	return settings[attr - 1].name;
}

const char *setting_description(int attr) noexcept
{
	if (attr < 1 || attr > HSK_CONFIG_A_MAX)
		return nullptr;
	return settings[attr - 1].description;
}

std::optional<int> setting_from_name(std::string_view name) noexcept
{
	for (const auto &s : settings)
		if (name == s.name)
			return s.attr;
	return std::nullopt;
}

std::string setting_names(std::string_view sep, std::string_view last_sep)
{
	std::string s;

	for (std::size_t i = 0; i < std::size(settings); i++) {
		if (i)
			s += i + 1 == std::size(settings) ? last_sep : sep;
		s += settings[i].name;
	}
	return s;
}

std::vector<SettingChange> parse_config_set(Args &args)
{
	std::vector<SettingChange> changes;

	if (args.empty())
		throw UsageError("missing KEY VALUE for 'config set' (KEY is " + setting_names() +
				 ")");
	while (!args.empty()) {
		const std::string_view key = args.next();
		const auto attr = setting_from_name(key);
		if (!attr)
			throw UsageError("unknown setting '" + std::string(key) + "' (expected " +
					 setting_names() + ")");
		if (std::any_of(changes.begin(), changes.end(),
				[&](const SettingChange &c) { return c.attr == *attr; }))
			throw UsageError("'" + std::string(key) + "' given twice");
		const std::string_view text = args.value_of(key);
		const auto value = parse_decimal(text);
		if (!value)
			throw UsageError("invalid value '" + std::string(text) + "' for '" +
					 std::string(key) + "' (expected a decimal number up to " +
					 std::to_string(std::numeric_limits<std::uint32_t>::max()) +
					 ")");
		changes.push_back({*attr, *value});
	}
	return changes;
}

} // namespace hskctl
