/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the objects of hskctl (listen, conn, stats, config) share: the
 * command table types, the run context and the error types that main()
 * turns into a message and an exit status (UsageError and the argument
 * cursor Args are in args.hpp).
 */
#ifndef HSKCTL_CLI_HPP
#define HSKCTL_CLI_HPP

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "netlink.hpp"

namespace hskctl {

/*
 * Exit statuses, documented in the help text: 1 for every error, usage
 * errors included (the selftests and scripts rely on it).
 */
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;

/* A command that failed, with its message ready. */
class CommandError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

/* What every command gets. The netlink connection is opened on first use. */
class Context
{
public:
	bool json = false;

	netlink::Genl &genl();

private:
	std::unique_ptr<netlink::Genl> genl_;
};

struct Command {
	/* First the name, then its aliases. */
	std::vector<std::string_view> names;
	void (*run)(Context &ctx, Args &args);
};

struct Object {
	std::string_view name;
	/* Help text of the object: one "hskctl OBJECT ..." line per command. */
	std::string (*usage)();
	std::vector<Command> commands;
	/* The command run for "hskctl OBJECT" alone. */
	std::string_view default_command;
};

/* The objects this hskctl knows, defined next to their commands. */
const Object &listen_object();
const Object &conn_object();
const Object &stats_object();
const Object &config_object();

/*
 * The -j/--json the show commands accept after their name: sets ctx.json
 * for each one, UsageError "unexpected argument ... for 'command' (expected
 * -j or --json)" for any other word.
 */
void json_options(Context &ctx, Args &args, std::string_view command);

/*
 * Genl::query() for a command the kernel answers with exactly one message;
 * throws netlink::Error (protocol) for none or several.
 */
void query_one(Context &ctx, std::uint8_t cmd, const netlink::Policy &policy,
	       const netlink::Handler &handle, const netlink::Builder &build = nullptr);

/* True if e is the kernel's answer err (a positive errno). */
bool kernel_error(const netlink::Error &e, int err);

/*
 * The one-line message for a netlink error, without the "hskctl: " prefix:
 * module not loaded, permission denied, or "<strerror>: <extack>".
 */
std::string describe(const netlink::Error &e);

/* " (kernel: <extack>)" if the kernel sent a message, else "". */
std::string kernel_says(const netlink::Error &e);

/* Writes s to stdout and flushes; throws CommandError if that fails. */
void print(const std::string &s);

} // namespace hskctl

#endif /* HSKCTL_CLI_HPP */
