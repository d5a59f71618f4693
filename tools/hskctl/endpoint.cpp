// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "endpoint.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <sys/socket.h>
#include <tuple>

namespace hskctl {

std::size_t Endpoint::addr_len() const noexcept
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool operator==(const Endpoint &a, const Endpoint &b) noexcept
{
	return a.family == b.family && a.addr == b.addr && a.port == b.port &&
	       a.scope_id == b.scope_id;
}

bool operator!=(const Endpoint &a, const Endpoint &b) noexcept
{
	return !(a == b);
}

bool operator<(const Endpoint &a, const Endpoint &b) noexcept
{
	/* AF_UNSPEC < AF_INET < AF_INET6 numerically. */
	return std::tie(a.port, a.family, a.addr, a.scope_id) <
	       std::tie(b.port, b.family, b.addr, b.scope_id);
}

std::optional<std::uint32_t> parse_decimal(std::string_view s, std::uint32_t max)
{
	if (s.empty())
		return std::nullopt;
	std::uint64_t v = 0;
	for (char c : s) {
		if (c < '0' || c > '9')
			return std::nullopt;
		v = v * 10 + static_cast<std::uint64_t>(c - '0');
		if (v > max)
			return std::nullopt;
	}
	return static_cast<std::uint32_t>(v);
}

namespace {

bool all_digits(std::string_view s)
{
	return !s.empty() &&
	       std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/* inet_pton() on a string_view; rejects embedded NULs, which it cannot see. */
bool pton(int family, std::string_view text, void *dst)
{
	if (text.empty() || text.find('\0') != std::string_view::npos)
		return false;
	const std::string s(text);
	return inet_pton(family, s.c_str(), dst) == 1;
}

} // namespace

bool is_link_local(const Endpoint &ep) noexcept
{
	return ep.family == AF_INET6 && ep.addr[0] == 0xfe && (ep.addr[1] & 0xc0) == 0x80;
}

std::optional<Endpoint> parse_endpoint(std::string_view s)
{
	std::string_view scope;
	const auto ep = parse_endpoint(s, &scope);

	if (!scope.empty())
		return std::nullopt;
	return ep;
}

std::optional<Endpoint> parse_endpoint(std::string_view s, std::string_view *scope)
{
	Endpoint ep;
	std::string_view host;
	std::string_view port;

	*scope = {};
	if (all_digits(s)) {
		ep.family = AF_UNSPEC;
		port = s;
	} else if (!s.empty() && s.front() == '[') {
		const auto close = s.find(']');
		if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
			return std::nullopt;
		ep.family = AF_INET6;
		host = s.substr(1, close - 1);
		port = s.substr(close + 2);
		if (const auto pct = host.find('%'); pct != std::string_view::npos) {
			*scope = host.substr(pct + 1);
			host = host.substr(0, pct);
			if (scope->empty())
				return std::nullopt;
		}
	} else {
		/* An IPv6 address without brackets fails here: its first
		 * colon leaves no valid IPv4 address before it. */
		const auto colon = s.find(':');
		if (colon == std::string_view::npos)
			return std::nullopt;
		ep.family = AF_INET;
		host = s.substr(0, colon);
		port = s.substr(colon + 1);
	}

	const auto p = parse_decimal(port, 65535);
	if (!p)
		return std::nullopt;
	ep.port = static_cast<std::uint16_t>(*p);

	if (ep.family != AF_UNSPEC && !pton(ep.family, host, ep.addr.data()))
		return std::nullopt;
	return ep;
}

std::optional<Endpoint> make_endpoint(int family, const void *addr, std::size_t len,
				      std::uint16_t port)
{
	Endpoint ep;

	ep.family = family;
	ep.port = port;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return std::nullopt;
	if (len != ep.addr_len() || (len && !addr))
		return std::nullopt;
	if (len)
		std::memcpy(ep.addr.data(), addr, len);
	return ep;
}

const char *family_name(int family)
{
	switch (family) {
	case AF_UNSPEC:
		return "any";
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	default:
		return "unknown";
	}
}

std::string format_address(const Endpoint &ep)
{
	char buf[INET6_ADDRSTRLEN];

	if (ep.family != AF_INET && ep.family != AF_INET6)
		return "*";
	if (!inet_ntop(ep.family, ep.addr.data(), buf, sizeof(buf)))
		return "?";
	return buf;
}

std::string format_scope(std::uint32_t scope_id, const InterfaceName &names)
{
	std::string name = names ? names(scope_id) : std::string();

	return name.empty() ? std::to_string(scope_id) : name;
}

std::string format_endpoint(const Endpoint &ep, const InterfaceName &names)
{
	std::string addr = format_address(ep);

	if (ep.family == AF_INET6 && ep.scope_id)
		addr += "%" + format_scope(ep.scope_id, names);
	if (ep.family == AF_INET6)
		addr = "[" + addr + "]";
	return addr + ":" + std::to_string(ep.port);
}

} // namespace hskctl
