// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "counters.hpp"

#include <iterator>
#include <linux/hsk.h>

namespace hskctl {

namespace {

struct StatName {
	int attr;
	const char *name;
};

/* The counters start after HSK_STATS_A_UNSPEC and HSK_STATS_A_PAD. */
constexpr int first_stat = HSK_STATS_A_SYN_RECV;

constexpr StatName stats[] = {
	{HSK_STATS_A_SYN_RECV, "syn_recv"},
	{HSK_STATS_A_SYNACK_SENT, "synack_sent"},
	{HSK_STATS_A_SYNACK_RETRANS, "synack_retrans"},
	{HSK_STATS_A_ESTABLISHED, "established"},
	{HSK_STATS_A_ACTIVE_CONNS, "active_conns"},
	{HSK_STATS_A_RST_SENT, "rst_sent"},
	{HSK_STATS_A_RST_RECV, "rst_recv"},
	{HSK_STATS_A_CHALLENGE_ACKS, "challenge_acks"},
	{HSK_STATS_A_CSUM_ERRORS, "csum_errors"},
	{HSK_STATS_A_MALFORMED, "malformed"},
	{HSK_STATS_A_RETRANS, "retrans"},
	{HSK_STATS_A_SEGS_IN, "segs_in"},
	{HSK_STATS_A_SEGS_OUT, "segs_out"},
	{HSK_STATS_A_DROPS, "drops"},
	{HSK_STATS_A_SYNACK_TIMEOUT, "synack_timeout"},
	{HSK_STATS_A_TIMEOUTS, "timeouts"},
	{HSK_STATS_A_PERSIST_PROBES, "persist_probes"},
	{HSK_STATS_A_IDLE_TIMEOUTS, "idle_timeouts"},
	{HSK_STATS_A_BYTES_IN, "bytes_in"},
	{HSK_STATS_A_BYTES_OUT, "bytes_out"},
	{HSK_STATS_A_URG_BYTES, "urg_bytes"},
	{HSK_STATS_A_CONN_LIMIT, "conn_limit"},
	{HSK_STATS_A_NOMEM, "nomem"},
	{HSK_STATS_A_OFO_QUEUED, "ofo_queued"},
};

constexpr bool stats_in_order()
{
	for (std::size_t i = 0; i < std::size(stats); i++)
		if (stats[i].attr != first_stat + static_cast<int>(i))
			return false;
	return true;
}

static_assert(first_stat + std::size(stats) == HSK_STATS_A_MAX + 1,
	      "give every HSK_STATS_A_* counter up to HSK_STATS_A_MAX a name");
static_assert(stats_in_order(), "list the HSK_STATS_A_* counters in order");

} // namespace

const char *stat_name(int attr) noexcept
{
	if (attr < first_stat || attr > HSK_STATS_A_MAX)
		return nullptr;
	return stats[attr - first_stat].name;
}

std::vector<std::string_view> stat_names()
{
	std::vector<std::string_view> names;

	for (const auto &s : stats)
		names.emplace_back(s.name);
	return names;
}

} // namespace hskctl
