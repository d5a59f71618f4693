/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The HSK_CONFIG_A_* settings as "hskctl config" names them, and the
 * parser of "config set KEY VALUE ...". Pure: no netlink, no I/O.
 */
#ifndef HSKCTL_SETTINGS_HPP
#define HSKCTL_SETTINGS_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"

namespace hskctl {

/*
 * HSK_CONFIG_A_SYNACK_RETRIES -> "synack_retries", ... (the attribute's
 * name without its prefix, in lower case); nullptr for HSK_CONFIG_A_UNSPEC
 * and attributes this hskctl does not know.
 */
const char *setting_name(int attr) noexcept;

/* What the setting is, in a few words, for the help text; nullptr as above. */
const char *setting_description(int attr) noexcept;

/* "synack_retries" -> HSK_CONFIG_A_SYNACK_RETRIES, ...; exact match. */
std::optional<int> setting_from_name(std::string_view name) noexcept;

/* "synack_retries, time_wait_ms, ... or max_conns", for messages and help. */
std::string setting_names(std::string_view sep = ", ", std::string_view last_sep = " or ");

struct SettingChange {
	int attr; /* HSK_CONFIG_A_* */
	std::uint32_t value;
};

/*
 * Parses "KEY VALUE [KEY VALUE ...]" (at least one pair), in the given
 * order. VALUE is any decimal u32: the kernel owns the valid ranges.
 * Throws UsageError for no pair, an unknown key, a missing or non-numeric
 * value or a key given twice.
 */
std::vector<SettingChange> parse_config_set(Args &args);

} // namespace hskctl

#endif /* HSKCTL_SETTINGS_HPP */
