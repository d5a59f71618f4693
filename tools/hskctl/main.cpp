// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hskctl: configure the hsk kernel module over generic netlink.
 *
 *	hskctl [OPTIONS] OBJECT COMMAND [ARGS]
 *	hskctl [-j] -b FILE
 *
 * main() parses the global options, finds OBJECT and COMMAND in the table
 * below and runs the command, or each line of a batch file in turn on one
 * netlink socket. Every failure ends up here as an exception and becomes
 * exactly one "hskctl: ..." line on stderr and an exit status.
 */
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <linux/hsk.h>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "netlink.hpp"

#ifndef HSKCTL_VERSION
#define HSKCTL_VERSION "0.1.0"
#endif

namespace hskctl {

namespace {

const std::vector<const Object *> &objects()
{
	static const std::vector<const Object *> table{
		&listen_object(),
		&conn_object(),
		&stats_object(),
		&config_object(),
	};
	return table;
}

std::string usage()
{
	std::string s =
		"Usage: hskctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       hskctl [-j] -b FILE\n"
		"       hskctl help [OBJECT]\n"
		"       hskctl OBJECT help\n"
		"\n"
		"Options (before OBJECT):\n"
		"  -j, --json        print JSON instead of text (also accepted after \"show\")\n"
		"  -b, --batch FILE  run the commands of FILE (\"-\": stdin), one \"[-j] OBJECT\n"
		"                    COMMAND [ARGS]\" per line, words separated by blanks, no\n"
		"                    quoting, \"#\" lines ignored; stops at the first failing\n"
		"                    line (those before it took effect), naming its number\n"
		"  -h, --help        print this help and exit\n"
		"  -V, --version     print the version and exit\n"
		"\n"
		"Objects and commands:\n";

	for (std::size_t i = 0; i < objects().size(); i++) {
		if (i)
			s += '\n';
		s += objects()[i]->usage();
	}
	s += "\n"
	     "Exit status:\n"
	     "  0  success\n"
	     "  1  failure, with one \"hskctl: ...\" line on stderr and nothing on stdout:\n"
	     "     a usage error (unknown option, object, command or keyword, missing or\n"
	     "     malformed argument; found before the kernel is asked anything), the\n"
	     "     module not loaded, permission denied, or the kernel refusing the\n"
	     "     request (its extended ACK message is printed)\n";
	return s;
}

std::string quoted(std::string_view s)
{
	return "'" + std::string(s) + "'";
}

const Object *find_object(std::string_view name)
{
	for (const Object *obj : objects())
		if (obj->name == name)
			return obj;
	return nullptr;
}

const Object &object_arg(std::string_view name)
{
	const Object *obj = find_object(name);

	if (!obj)
		throw UsageError("unknown object " + quoted(name) + " (try 'hskctl help')");
	return *obj;
}

const Command *find_command(const Object &obj, std::string_view name)
{
	for (const Command &cmd : obj.commands)
		for (std::string_view n : cmd.names)
			if (n == name)
				return &cmd;
	return nullptr;
}

/* The message of the exception being handled, as main() prints it. */
std::string current_error()
{
	try {
		throw;
	} catch (const netlink::Error &e) {
		return describe(e);
	} catch (const std::exception &e) {
		return e.what();
	} catch (...) {
		return "unexpected error";
	}
}

/* Runs OBJECT COMMAND [ARGS], words[i] being OBJECT. */
int run_command(Context &ctx, const std::vector<std::string_view> &words, std::size_t i);

/*
 * Runs each line of the batch file on one netlink socket; the first failing
 * line ends the batch with its number in the message.
 */
int run_batch(Context &ctx, std::string_view file)
{
	std::ifstream in;
	std::istream *is = &std::cin;
	const bool json = ctx.json;
	std::string line;

	if (file != "-") {
		in.open(std::string(file));
		if (!in)
			throw CommandError("cannot read " + quoted(file) + ": " +
					   std::strerror(errno));
		is = &in;
	}
	for (unsigned long n = 1; std::getline(*is, line); n++) {
		const std::vector<std::string_view> words = batch_words(line);
		std::size_t i = 0;

		if (words.empty())
			continue;
		ctx.json = json;
		try {
			for (; i < words.size() && is_json_option(words[i]); i++)
				ctx.json = true;
			run_command(ctx, words, i);
		} catch (...) {
			throw CommandError("line " + std::to_string(n) + ": " + current_error());
		}
	}
	if (is->bad())
		throw CommandError("cannot read " + quoted(file) + ": " +
				   std::strerror(errno ? errno : EIO));
	return exit_ok;
}

int run(int argc, char **argv)
{
	const std::vector<std::string_view> words(argv + 1, argv + argc);
	Context ctx;
	std::size_t i = 0;

	for (; i < words.size(); i++) {
		const std::string_view w = words[i];
		if (w == "-j" || w == "--json") {
			ctx.json = true;
		} else if (w == "-b" || w == "--batch") {
			if (++i == words.size())
				throw UsageError("missing FILE after " + quoted(w));
			if (i + 1 < words.size())
				throw UsageError("unexpected argument " + quoted(words[i + 1]) +
						 " after " + quoted(w) + " FILE");
			return run_batch(ctx, words[i]);
		} else if (w == "-h" || w == "--help") {
			print(usage());
			return exit_ok;
		} else if (w == "-V" || w == "--version") {
			print("hskctl " HSKCTL_VERSION " (generic netlink family \"" HSK_GENL_NAME
			      "\" version " +
			      std::to_string(HSK_GENL_VERSION) + ")\n");
			return exit_ok;
		} else if (w.size() > 1 && w[0] == '-') {
			throw UsageError("unknown option " + quoted(w) + " (try 'hskctl help')");
		} else {
			break;
		}
	}
	return run_command(ctx, words, i);
}

int run_command(Context &ctx, const std::vector<std::string_view> &words, std::size_t i)
{
	if (i == words.size())
		throw UsageError("missing OBJECT (try 'hskctl help')");

	const std::string_view name = words[i++];
	if (name == "help") {
		print(i < words.size() ? object_arg(words[i]).usage() : usage());
		return exit_ok;
	}
	const Object &obj = object_arg(name);

	/* "hskctl listen" and "hskctl stats -j" run the default command. */
	std::string_view cmd_name = obj.default_command;
	if (i < words.size() && words[i].substr(0, 1) != "-")
		cmd_name = words[i++];
	if (cmd_name == "help") {
		print(obj.usage());
		return exit_ok;
	}
	const Command *cmd = find_command(obj, cmd_name);
	if (!cmd)
		throw UsageError("unknown command " + quoted(cmd_name) + " for " +
				 quoted(obj.name) + " (try 'hskctl " + std::string(obj.name) +
				 " help')");

	Args args(std::vector<std::string_view>(words.begin() + static_cast<std::ptrdiff_t>(i),
						words.end()));
	if (args.peek() == "help") {
		print(obj.usage());
		return exit_ok;
	}
	cmd->run(ctx, args);
	return exit_ok;
}

void error_line(const std::string &msg)
{
	std::fprintf(stderr, "hskctl: %s\n", msg.c_str());
}

} // namespace

} // namespace hskctl

int main(int argc, char **argv)
{
	using namespace hskctl;

	try {
		return run(argc, argv);
	} catch (...) {
		error_line(current_error());
	}
	return exit_failure;
}
