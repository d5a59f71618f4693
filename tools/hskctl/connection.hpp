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

/* One connection of HSK_CMD_CONN_GET. local and remote share one family. */
struct Connection {
	Endpoint local;
	Endpoint remote;
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
 * [::]:PORT: that family, any address) or the same address.
 */
struct ConnFilter {
	std::optional<Endpoint> local;
	std::optional<Endpoint> remote;

	/* The family the endpoints name (AF_INET, AF_INET6), or AF_UNSPEC. */
	int family() const noexcept;
	bool matches(const Connection &c) const noexcept;
};

/* True if ep (a filter endpoint) matches the connection's endpoint conn. */
bool endpoint_matches(const Endpoint &ep, const Endpoint &conn) noexcept;

/* True if ep has an all-zero address: a port alone or a family wildcard. */
bool is_wildcard(const Endpoint &ep) noexcept;

/*
 * Parses the rest of a conn command: "local ENDPOINT" and "remote
 * ENDPOINT", each at most once, in any order, and -j/--json where json is
 * not null (conn show). Throws UsageError naming command ("conn close")
 * for an unknown word, a missing or malformed endpoint, a repeated keyword
 * or a local and a remote endpoint of different families.
 */
ConnFilter parse_conn_filter(Args &args, std::string_view command, bool *json = nullptr);

/* Sorts by local endpoint, then remote endpoint (see Endpoint's operator<). */
void sort_connections(std::vector<Connection> &conns);

/*
 * A JSON array, one object per connection, and a newline:
 * [{"family":"inet","local_addr":"192.0.2.1","local_port":7,
 *   "remote_addr":"198.51.100.2","remote_port":40000,"state":"ESTABLISHED",
 *   "mode":"echo","snd_una":1,"snd_nxt":1,"rcv_nxt":1,"snd_wnd":65535,
 *   "rcv_wnd":65535,"bytes_in":0,"bytes_out":0}]
 */
std::string connections_json(const std::vector<Connection> &conns);

/*
 * A header line and one aligned line per connection, like ss(8): State
 * Local Remote Mode Snd-Una Snd-Nxt Rcv-Nxt Snd-Wnd Rcv-Wnd Bytes-In
 * Bytes-Out, numbers right-aligned.
 */
std::string connections_text(const std::vector<Connection> &conns);

/* The answer of conn close/kill -j: {"count":N} and a newline. */
std::string count_json(std::uint32_t count);

} // namespace hskctl

#endif /* HSKCTL_CONNECTION_HPP */
