/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Names of the HSK_STATS_A_* counters, as "hskctl stats" prints them. */
#ifndef HSKCTL_COUNTERS_HPP
#define HSKCTL_COUNTERS_HPP

#include <string_view>
#include <vector>

namespace hskctl {

/*
 * HSK_STATS_A_SYN_RECV -> "syn_recv", ...: the attribute's name without
 * its prefix, in lower case. nullptr for HSK_STATS_A_UNSPEC, HSK_STATS_A_PAD
 * and attributes this hskctl does not know (a newer kernel's).
 */
const char *stat_name(int attr) noexcept;

/* Every counter name, in attribute order. */
std::vector<std::string_view> stat_names();

} // namespace hskctl

#endif /* HSKCTL_COUNTERS_HPP */
