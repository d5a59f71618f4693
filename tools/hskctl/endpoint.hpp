/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Endpoints ([ADDRESS:]PORT) of listeners and connections as hskctl reads
 * them from the command line and prints them. Pure code: no netlink, no
 * I/O (interface names are looked up by the caller's functions).
 */
#ifndef HSKCTL_ENDPOINT_HPP
#define HSKCTL_ENDPOINT_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace hskctl {

/*
 * A (family, address, port) triple. family is AF_UNSPEC ("any": every
 * address of both families, no address), AF_INET or AF_INET6. addr holds
 * the address in network byte order: 4 bytes for AF_INET, 16 for AF_INET6,
 * the unused bytes are zero. scope_id is the interface of a link-local
 * IPv6 address (like sin6_scope_id), 0 for none: only connections have
 * one.
 */
struct Endpoint {
	int family = 0;
	std::array<std::uint8_t, 16> addr{};
	std::uint16_t port = 0;
	std::uint32_t scope_id = 0;

	/* Length of the address: 0 (AF_UNSPEC), 4 or 16. */
	std::size_t addr_len() const noexcept;
};

bool operator==(const Endpoint &a, const Endpoint &b) noexcept;
bool operator!=(const Endpoint &a, const Endpoint &b) noexcept;
/* Orders by port, then family (any, inet, inet6), then address, then scope. */
bool operator<(const Endpoint &a, const Endpoint &b) noexcept;

/*
 * Parses a plain decimal number: one or more ASCII digits, nothing else (no
 * sign, no blanks, no base prefix). Fails if the value exceeds max.
 */
std::optional<std::uint32_t>
parse_decimal(std::string_view s, std::uint32_t max = std::numeric_limits<std::uint32_t>::max());

/* True for an IPv6 link-local unicast address (fe80::/10). */
bool is_link_local(const Endpoint &ep) noexcept;

/*
 * Parses an endpoint given on the command line:
 *   PORT           family any, no address
 *   A.B.C.D:PORT   AF_INET (0.0.0.0 is the IPv4 wildcard)
 *   [IPV6]:PORT    AF_INET6 ([::] is the IPv6 wildcard)
 * PORT is a plain decimal number up to 65535 (0 included: the kernel
 * decides which ports are valid). Anything else is rejected.
 */
std::optional<Endpoint> parse_endpoint(std::string_view s);

/*
 * Like parse_endpoint(), and also accepts [IPV6%SCOPE]:PORT, the form
 * format_endpoint() prints for a link-local address: *scope is set to
 * SCOPE (never empty), or to "" if there is none. The scope is left to the
 * caller to check and resolve; the endpoint's scope_id stays 0.
 */
std::optional<Endpoint> parse_endpoint(std::string_view s, std::string_view *scope);

/*
 * Looks interfaces up, for printing and parsing scopes: in hskctl
 * if_indextoname() and if_nametoindex(), in the unit tests a table.
 * InterfaceName returns "" and InterfaceIndex 0 for no such interface.
 */
using InterfaceName = std::function<std::string(std::uint32_t ifindex)>;
using InterfaceIndex = std::function<std::uint32_t(const std::string &name)>;

/*
 * The interface scope_id as printed after '%': its name, or its number if
 * it has none (gone, or names is empty).
 */
std::string format_scope(std::uint32_t scope_id, const InterfaceName &names);

/*
 * Builds an endpoint from what the kernel reports. addr/len must be absent
 * (nullptr, 0) for AF_UNSPEC and 4 or 16 bytes for AF_INET/AF_INET6; other
 * families and lengths are rejected.
 */
std::optional<Endpoint> make_endpoint(int family, const void *addr, std::size_t len,
				      std::uint16_t port);

/* "any", "inet", "inet6", or "unknown" for other families. */
const char *family_name(int family);

/* The address alone: "*" for family any, else as inet_ntop() writes it. */
std::string format_address(const Endpoint &ep);

/*
 * Like ss(8): "*:7", "0.0.0.0:7", "[::]:19", "[2001:db8::1]:80"; with a
 * scope_id the interface goes inside the brackets, "[fe80::1%eth0]:22"
 * (see format_scope()), which parse_endpoint() reads back.
 */
std::string format_endpoint(const Endpoint &ep, const InterfaceName &names = {});

} // namespace hskctl

#endif /* HSKCTL_ENDPOINT_HPP */
