// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "args.hpp"

#include <limits>
#include <net/if.h>
#include <string>

namespace hskctl {

std::string_view Args::next()
{
	if (empty())
		throw UsageError("missing argument");
	return words_[pos_++];
}

std::string_view Args::value_of(std::string_view keyword)
{
	if (empty())
		throw UsageError("missing value after '" + std::string(keyword) + "'");
	return words_[pos_++];
}

void Args::expect_end(std::string_view command) const
{
	if (!empty())
		throw UsageError("unexpected argument '" + std::string(peek()) + "' for '" +
				 std::string(command) + "'");
}

Endpoint endpoint_arg(std::string_view text)
{
	const auto ep = parse_endpoint(text);

	if (!ep)
		throw UsageError("malformed endpoint '" + std::string(text) +
				 "' (expected PORT, A.B.C.D:PORT or [IPV6]:PORT)");
	return *ep;
}

Endpoint conn_endpoint_arg(std::string_view text, const InterfaceIndex &index)
{
	std::string_view scope;
	auto ep = parse_endpoint(text, &scope);

	if (!ep)
		throw UsageError(
			"malformed endpoint '" + std::string(text) +
			"' (expected PORT, A.B.C.D:PORT, [IPV6]:PORT or [IPV6%IFACE]:PORT)");
	if (scope.empty())
		return *ep;
	if (!is_link_local(*ep))
		throw UsageError("endpoint '" + std::string(text) +
				 "' has an interface but no link-local address");
	/* A name if_nametoindex() can take: shorter than IFNAMSIZ, no NUL. */
	if (scope.size() < IFNAMSIZ && scope.find('\0') == std::string_view::npos && index)
		ep->scope_id = index(std::string(scope));
	if (!ep->scope_id) {
		const auto n = parse_decimal(scope, std::numeric_limits<std::int32_t>::max());
		if (!n || !*n)
			throw UsageError("unknown interface '" + std::string(scope) +
					 "' in endpoint '" + std::string(text) + "'");
		ep->scope_id = *n;
	}
	return *ep;
}

bool is_json_option(std::string_view word) noexcept
{
	return word == "-j" || word == "--json";
}

std::vector<std::string_view> batch_words(std::string_view line)
{
	constexpr std::string_view blanks = " \t\r\v\f";
	std::vector<std::string_view> words;

	for (std::size_t pos = line.find_first_not_of(blanks); pos != std::string_view::npos;) {
		const std::size_t end = line.find_first_of(blanks, pos);
		words.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
		pos = line.find_first_not_of(blanks, end);
	}
	if (!words.empty() && words.front().front() == '#')
		words.clear();
	return words;
}

} // namespace hskctl
