/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Named numbers (the counters of "hskctl stats", the settings of "hskctl
 * config show") as text and JSON. Pure: no netlink, no I/O.
 */
#ifndef HSKCTL_VALUES_HPP
#define HSKCTL_VALUES_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace hskctl {

struct NamedValue {
	std::string name;
	std::uint64_t value;
};

/* One JSON object and a newline: {"syn_recv":3,"synack_sent":3}. */
std::string values_json(const std::vector<NamedValue> &values);

/*
 * One "name value" line each, in the given order: names padded to the
 * longest, values right-aligned, no header. Nothing for no values.
 */
std::string values_text(const std::vector<NamedValue> &values);

} // namespace hskctl

#endif /* HSKCTL_VALUES_HPP */
