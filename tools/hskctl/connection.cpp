// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "connection.hpp"

#include <algorithm>
#include <iterator>
#include <linux/hsk.h>
#include <sys/socket.h>
#include <tuple>

#include "json.hpp"
#include "mode.hpp"
#include "table.hpp"

namespace hskctl {

namespace {

struct StateName {
	unsigned state;
	const char *name;
};

constexpr StateName states[] = {
	{HSK_CONN_STATE_CLOSED, "CLOSED"},
	{HSK_CONN_STATE_LISTEN, "LISTEN"},
	{HSK_CONN_STATE_SYN_RECEIVED, "SYN-RECEIVED"},
	{HSK_CONN_STATE_ESTABLISHED, "ESTABLISHED"},
	{HSK_CONN_STATE_FIN_WAIT_1, "FIN-WAIT-1"},
	{HSK_CONN_STATE_FIN_WAIT_2, "FIN-WAIT-2"},
	{HSK_CONN_STATE_CLOSE_WAIT, "CLOSE-WAIT"},
	{HSK_CONN_STATE_CLOSING, "CLOSING"},
	{HSK_CONN_STATE_LAST_ACK, "LAST-ACK"},
	{HSK_CONN_STATE_TIME_WAIT, "TIME-WAIT"},
};

constexpr bool states_in_order()
{
	for (std::size_t i = 0; i < std::size(states); i++)
		if (states[i].state != i)
			return false;
	return true;
}

static_assert(std::size(states) == HSK_CONN_STATE_MAX + 1,
	      "give every enum hsk_conn_state value a name");
static_assert(states_in_order(), "list enum hsk_conn_state values in order");

} // namespace

std::string conn_state_name(unsigned state)
{
	if (state < std::size(states))
		return states[state].name;
	return "UNKNOWN(" + std::to_string(state) + ")";
}

bool is_wildcard(const Endpoint &ep) noexcept
{
	return std::all_of(ep.addr.begin(), ep.addr.end(), [](std::uint8_t b) { return b == 0; });
}

bool endpoint_matches(const Endpoint &ep, const Endpoint &conn) noexcept
{
	if (ep.port != conn.port)
		return false;
	if (ep.family == AF_UNSPEC)
		return true;
	return ep.family == conn.family && (is_wildcard(ep) || ep.addr == conn.addr);
}

int ConnFilter::family() const noexcept
{
	if (local && local->family != AF_UNSPEC)
		return local->family;
	if (remote)
		return remote->family;
	return AF_UNSPEC;
}

std::uint32_t ConnFilter::ifindex() const noexcept
{
	if (local && local->scope_id)
		return local->scope_id;
	if (remote)
		return remote->scope_id;
	return 0;
}

bool ConnFilter::matches(const Connection &c) const noexcept
{
	const std::uint32_t i = ifindex();

	return (!local || endpoint_matches(*local, c.local)) &&
	       (!remote || endpoint_matches(*remote, c.remote)) && (!i || i == c.ifindex);
}

ConnFilter parse_conn_filter(Args &args, std::string_view command, bool *json,
			     const InterfaceIndex &index)
{
	ConnFilter f;
	std::string_view local_text;
	std::string_view remote_text;

	while (!args.empty()) {
		const std::string_view w = args.next();
		if (json && is_json_option(w)) {
			*json = true;
			continue;
		}
		const bool local = w == "local";
		if (!local && w != "remote")
			throw UsageError(
				"unknown keyword '" + std::string(w) + "' for '" +
				std::string(command) + "' (expected " +
				(json ? "local, remote, -j or --json" : "local or remote") + ")");
		std::optional<Endpoint> &slot = local ? f.local : f.remote;
		if (slot)
			throw UsageError("'" + std::string(w) + "' given twice");
		const std::string_view text = args.value_of(w);
		slot = conn_endpoint_arg(text, index);
		(local ? local_text : remote_text) = text;
	}

	if (f.local && f.remote && f.local->family != AF_UNSPEC && f.remote->family != AF_UNSPEC &&
	    f.local->family != f.remote->family)
		throw UsageError("local " + std::string(local_text) + " and remote " +
				 std::string(remote_text) + " are of different families");
	if (f.local && f.remote && f.local->scope_id && f.remote->scope_id &&
	    f.local->scope_id != f.remote->scope_id)
		throw UsageError("local " + std::string(local_text) + " and remote " +
				 std::string(remote_text) + " are on different interfaces");
	return f;
}

void sort_connections(std::vector<Connection> &conns)
{
	std::sort(conns.begin(), conns.end(), [](const Connection &a, const Connection &b) {
		return std::tie(a.local, a.remote, a.ifindex) <
		       std::tie(b.local, b.remote, b.ifindex);
	});
}

std::string connections_json(const std::vector<Connection> &conns, const InterfaceName &names)
{
	std::string out;
	JsonWriter w(out);

	w.begin_array();
	for (const auto &c : conns) {
		w.begin_object()
			.member("family", family_name(c.local.family))
			.member("local_addr", format_address(c.local))
			.member("local_port", c.local.port)
			.member("remote_addr", format_address(c.remote))
			.member("remote_port", c.remote.port);
		if (c.ifindex) {
			w.member("ifindex", c.ifindex);
			if (const std::string dev = names ? names(c.ifindex) : ""; !dev.empty())
				w.member("dev", dev);
		}
		w.member("state", conn_state_name(c.state))
			.member("mode", mode_name(c.mode))
			.member("snd_una", c.snd_una)
			.member("snd_nxt", c.snd_nxt)
			.member("rcv_nxt", c.rcv_nxt)
			.member("snd_wnd", c.snd_wnd)
			.member("rcv_wnd", c.rcv_wnd)
			.member("bytes_in", c.bytes_in)
			.member("bytes_out", c.bytes_out)
			.end_object();
	}
	w.end_array();
	out += '\n';
	return out;
}

std::string connections_text(const std::vector<Connection> &conns, const InterfaceName &names)
{
	using A = Table::Align;
	Table t({{"State", A::left},
		 {"Local", A::left},
		 {"Remote", A::left},
		 {"Mode", A::left},
		 {"Snd-Una", A::right},
		 {"Snd-Nxt", A::right},
		 {"Rcv-Nxt", A::right},
		 {"Snd-Wnd", A::right},
		 {"Rcv-Wnd", A::right},
		 {"Bytes-In", A::right},
		 {"Bytes-Out", A::right}});

	for (const auto &c : conns)
		t.add_row({conn_state_name(c.state), format_endpoint(c.local, names),
			   format_endpoint(c.remote, names), mode_name(c.mode),
			   std::to_string(c.snd_una), std::to_string(c.snd_nxt),
			   std::to_string(c.rcv_nxt), std::to_string(c.snd_wnd),
			   std::to_string(c.rcv_wnd), std::to_string(c.bytes_in),
			   std::to_string(c.bytes_out)});
	return t.render();
}

std::string count_json(std::uint32_t count)
{
	std::string out;

	JsonWriter(out).begin_object().member("count", count).end_object();
	out += '\n';
	return out;
}

} // namespace hskctl
