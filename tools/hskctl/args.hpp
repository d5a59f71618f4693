/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The command line words after OBJECT COMMAND and the usage errors their
 * parsers throw. Pure code: no netlink, no I/O, so the parsers of every
 * object are unit tested.
 */
#ifndef HSKCTL_ARGS_HPP
#define HSKCTL_ARGS_HPP

#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "endpoint.hpp"

namespace hskctl {

/* A malformed command line, found before anything is sent to the kernel. */
class UsageError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

/* The words after OBJECT COMMAND, consumed from the front. */
class Args
{
public:
	explicit Args(std::vector<std::string_view> words) : words_(std::move(words)) {}

	bool empty() const noexcept { return pos_ >= words_.size(); }
	std::string_view peek() const { return empty() ? std::string_view() : words_[pos_]; }
	std::string_view next();
	/* The word after keyword, which was just consumed; UsageError if none. */
	std::string_view value_of(std::string_view keyword);
	/* UsageError naming command if any word is left. */
	void expect_end(std::string_view command) const;

private:
	std::vector<std::string_view> words_;
	std::size_t pos_ = 0;
};

/* parse_endpoint(), or UsageError "malformed endpoint '...' (expected ...)". */
Endpoint endpoint_arg(std::string_view text);

/*
 * An endpoint of a conn filter: what endpoint_arg() takes, or
 * [IPV6%IFACE]:PORT with a link-local address. IFACE is an interface name
 * (looked up with index) or, failing that, an interface number, which is
 * what hskctl prints for an interface that is gone; it becomes the
 * endpoint's scope_id. UsageError for a malformed endpoint, a scope on an
 * address that is not link-local, and an unknown interface.
 */
Endpoint conn_endpoint_arg(std::string_view text, const InterfaceIndex &index);

/* True for -j and --json, which the show commands also accept after their name. */
bool is_json_option(std::string_view word) noexcept;

/*
 * The words of one line of a batch file (hskctl -b): separated by blanks
 * (spaces, tabs, a trailing carriage return), no quoting. Empty for a blank
 * line and for a comment, a line whose first word starts with '#'.
 */
std::vector<std::string_view> batch_words(std::string_view line);

} // namespace hskctl

#endif /* HSKCTL_ARGS_HPP */
