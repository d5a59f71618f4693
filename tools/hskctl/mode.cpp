// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "mode.hpp"

#include <iterator>
#include <linux/hsk.h>

namespace hskctl {

namespace {

struct ModeName {
	std::uint32_t mode;
	const char *name;
};

constexpr ModeName modes[] = {
	{HSK_MODE_ECHO, "echo"},
	{HSK_MODE_DISCARD, "discard"},
	{HSK_MODE_TARPIT, "tarpit"},
};

static_assert(std::size(modes) == HSK_MODE_MAX + 1, "give every enum hsk_mode value a name");

} // namespace

std::optional<std::uint32_t> mode_from_name(std::string_view name)
{
	for (const auto &m : modes)
		if (name == m.name)
			return m.mode;
	return std::nullopt;
}

std::string mode_name(std::uint32_t mode)
{
	for (const auto &m : modes)
		if (mode == m.mode)
			return m.name;
	return "unknown(" + std::to_string(mode) + ")";
}

std::string mode_names(std::string_view sep, std::string_view last_sep)
{
	std::string s;

	for (std::size_t i = 0; i < std::size(modes); i++) {
		if (i)
			s += i + 1 == std::size(modes) ? last_sep : sep;
		s += modes[i].name;
	}
	return s;
}

} // namespace hskctl
