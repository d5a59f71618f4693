/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the messages of the hsk family carry, beyond the listeners: the
 * attribute policies hskctl parses the kernel's answers with, the answers
 * turned into values, and the attributes of the requests. No I/O: unit
 * tested on hand-made messages.
 */
#ifndef HSKCTL_MESSAGES_HPP
#define HSKCTL_MESSAGES_HPP

#include <cstdint>
#include <vector>

#include "connection.hpp"
#include "netlink.hpp"
#include "settings.hpp"
#include "values.hpp"

namespace hskctl {

/* HSK_CONN_A_* up to HSK_CONN_A_MAX. */
const netlink::Policy &conn_policy();

/*
 * One message of the HSK_CMD_CONN_GET dump. Every attribute but
 * HSK_CONN_A_COUNT and HSK_CONN_A_IFINDEX is required, the family must be
 * AF_INET or AF_INET6 and both addresses of its length; netlink::Error
 * (protocol) otherwise. HSK_CONN_A_IFINDEX, if present, is the ifindex and
 * the scope_id of each link-local endpoint.
 */
Connection to_connection(const netlink::Attrs &a);

/*
 * The filter of HSK_CMD_CONN_CLOSE/KILL: HSK_CONN_A_FAMILY whenever an
 * endpoint names a family, HSK_CONN_A_{LOCAL,REMOTE}_ADDR for an endpoint
 * that is not a wildcard, HSK_CONN_A_{LOCAL,REMOTE}_PORT for every endpoint
 * given, HSK_CONN_A_IFINDEX for an endpoint with a scope. Nothing for no
 * filter.
 */
void put_conn_filter(netlink::Message &m, const ConnFilter &f);

/* HSK_CONN_A_COUNT of the answer to HSK_CMD_CONN_CLOSE/KILL. */
std::uint32_t conn_count(const netlink::Attrs &a);

/* HSK_STATS_A_* up to HSK_STATS_A_MAX, each counter NLA_U64. */
const netlink::Policy &stats_policy();

/* The counters of HSK_CMD_STATS_GET that are present, in attribute order. */
std::vector<NamedValue> to_counters(const netlink::Attrs &a);

/* HSK_CONFIG_A_* up to HSK_CONFIG_A_MAX, each setting NLA_U32. */
const netlink::Policy &config_policy();

/* The settings of HSK_CMD_CONFIG_GET that are present, in attribute order. */
std::vector<NamedValue> to_settings(const netlink::Attrs &a);

/* The HSK_CONFIG_A_* attributes of HSK_CMD_CONFIG_SET, in the given order. */
void put_settings(netlink::Message &m, const std::vector<SettingChange> &changes);

} // namespace hskctl

#endif /* HSKCTL_MESSAGES_HPP */
