/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Names of enum hsk_mode values, as the command line and the output use them. */
#ifndef HSKCTL_MODE_HPP
#define HSKCTL_MODE_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hskctl {

/* "echo" -> HSK_MODE_ECHO, ...; exact, case-sensitive match. */
std::optional<std::uint32_t> mode_from_name(std::string_view name);

/* HSK_MODE_ECHO -> "echo", ...; "unknown(N)" for a mode this hskctl does not know. */
std::string mode_name(std::uint32_t mode);

/* "echo, discard or tarpit" (or with other separators), for messages and help. */
std::string mode_names(std::string_view sep = ", ", std::string_view last_sep = " or ");

} // namespace hskctl

#endif /* HSKCTL_MODE_HPP */
