/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Connections as "hskctl conn" filters and prints them. Pure: no netlink,
 * no I/O.
 */
#ifndef HSKCTL_CONNECTION_HPP
#define HSKCTL_CONNECTION_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "endpoint.hpp"

namespace hskctl {

/*
 * One connection of HSK_CMD_CONN_GET. local and remote share one family.
 * ifindex is HSK_CONN_A_IFINDEX, the interface a connection with an IPv6
 * link-local address is bound to (0: none); it is also the scope_id of
 * each endpoint whose address is link-local.
 */
struct Connection {
	Endpoint local;
	Endpoint remote;
	std::uint32_t ifindex = 0;
	std::uint8_t state; /* enum hsk_conn_state */
	std::uint32_t mode; /* enum hsk_mode */
	std::uint32_t snd_una;
	std::uint32_t snd_nxt;
	std::uint32_t rcv_nxt;
	std::uint32_t snd_wnd;
	std::uint32_t rcv_wnd;
	std::uint64_t bytes_in;
	std::uint64_t bytes_out;
};

/*
 * HSK_CONN_STATE_ESTABLISHED -> "ESTABLISHED", ... (the RFC 9293 names,
 * "SYN-RECEIVED", "FIN-WAIT-1", ...); "UNKNOWN(N)" for a state this hskctl
 * does not know.
 */
std::string conn_state_name(unsigned state);

/*
 * The [local ENDPOINT] [remote ENDPOINT] filter of the conn commands. An
 * endpoint matches a connection's endpoint of the same port if it is a
 * port alone (any family, any address), a family wildcard (0.0.0.0:PORT,
 * [::]:PORT: that family, any address) or the same address. An endpoint
 * with a scope (an interface, [fe80::1%eth0]:PORT) matches only the
 * connections bound to that interface.
 */
struct ConnFilter {
	std::optional<Endpoint> local;
	std::optional<Endpoint> remote;

	/* The family the endpoints name (AF_INET, AF_INET6), or AF_UNSPEC. */
	int family() const noexcept;
	/* The interface the endpoints name (their scope_id), or 0. */
	std::uint32_t ifindex() const noexcept;
	bool matches(const Connection &c) const noexcept;
};

/*
 * True if ep (a filter endpoint) matches the connection's endpoint conn,
 * scope_id aside (ConnFilter::matches() compares it with the connection's
 * ifindex).
 */
bool endpoint_matches(const Endpoint &ep, const Endpoint &conn) noexcept;

/* True if ep has an all-zero address: a port alone or a family wildcard. */
bool is_wildcard(const Endpoint &ep) noexcept;

/*
 * Parses the rest of a conn command: "local ENDPOINT" and "remote
 * ENDPOINT", each at most once, in any order, and -j/--json where json is
 * not null (conn show). An endpoint may name the interface of a link-local
 * address, looked up with index (see conn_endpoint_arg()). Throws
 * UsageError naming command ("conn close") for an unknown word, a missing
 * or malformed endpoint, a repeated keyword, a local and a remote endpoint
 * of different families or on different interfaces.
 */
ConnFilter parse_conn_filter(Args &args, std::string_view command, bool *json = nullptr,
			     const InterfaceIndex &index = {});

/*
 * Sorts by local endpoint, then remote endpoint (see Endpoint's
 * operator<), then interface.
 */
void sort_connections(std::vector<Connection> &conns);

/*
 * A JSON array, one object per connection, and a newline:
 * [{"family":"inet","local_addr":"192.0.2.1","local_port":7,
 *   "remote_addr":"198.51.100.2","remote_port":40000,"state":"ESTABLISHED",
 *   "mode":"echo","snd_una":1,"snd_nxt":1,"rcv_nxt":1,"snd_wnd":65535,
 *   "rcv_wnd":65535,"bytes_in":0,"bytes_out":0}]
 * A connection bound to an interface (an IPv6 link-local address) has
 * "ifindex":N after "remote_port", and "dev":"eth0", the interface's name
 * as names gives it, after that while the interface has one. Addresses are
 * always without a scope.
 */
std::string connections_json(const std::vector<Connection> &conns, const InterfaceName &names = {});

/*
 * A header line and one aligned line per connection, like ss(8): State
 * Local Remote Mode Snd-Una Snd-Nxt Rcv-Nxt Snd-Wnd Rcv-Wnd Bytes-In
 * Bytes-Out, numbers right-aligned. A link-local address is printed with
 * its interface, named by names: [fe80::1%eth0]:7 (see format_endpoint()).
 */
std::string connections_text(const std::vector<Connection> &conns, const InterfaceName &names = {});

/* The answer of conn close/kill -j: {"count":N} and a newline. */
std::string count_json(std::uint32_t count);

} // namespace hskctl

#endif /* HSKCTL_CONNECTION_HPP */
