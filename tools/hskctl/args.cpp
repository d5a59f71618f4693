// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "args.hpp"

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

bool is_json_option(std::string_view word) noexcept
{
	return word == "-j" || word == "--json";
}

} // namespace hskctl
