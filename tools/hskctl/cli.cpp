// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <linux/hsk.h>

namespace hskctl {

netlink::Genl &Context::genl()
{
	if (!genl_)
		genl_ = std::make_unique<netlink::Genl>(HSK_GENL_NAME, HSK_GENL_VERSION);
	return *genl_;
}

std::string kernel_says(const netlink::Error &e)
{
	if (e.extack().empty())
		return {};
	return " (kernel: " + e.extack() + ")";
}

std::string describe(const netlink::Error &e)
{
	switch (e.kind()) {
	case netlink::Error::Kind::family_missing:
		return "the hsk module is not loaded (load it with 'modprobe hsk' or 'insmod hsk.ko')";
	case netlink::Error::Kind::kernel:
		if (e.code() == EPERM)
			return "permission denied: changing hsk state needs CAP_NET_ADMIN" +
			       kernel_says(e);
		return e.what();
	default:
		return e.what();
	}
}

void json_options(Context &ctx, Args &args, std::string_view command)
{
	while (!args.empty()) {
		const std::string_view w = args.next();
		if (!is_json_option(w))
			throw UsageError("unexpected argument '" + std::string(w) + "' for '" +
					 std::string(command) + "' (expected -j or --json)");
		ctx.json = true;
	}
}

void query_one(Context &ctx, std::uint8_t cmd, const netlink::Policy &policy,
	       const netlink::Handler &handle, const netlink::Builder &build)
{
	const std::size_t n = ctx.genl().query(cmd, policy, handle, build);

	if (n != 1)
		throw netlink::Error::protocol("the kernel answered command " +
					       std::to_string(cmd) + " with " + std::to_string(n) +
					       " messages instead of one");
}

bool kernel_error(const netlink::Error &e, int err)
{
	return e.kind() == netlink::Error::Kind::kernel && e.code() == err;
}

void print(const std::string &s)
{
	errno = 0;
	if ((!s.empty() && std::fwrite(s.data(), 1, s.size(), stdout) != s.size()) ||
	    std::fflush(stdout) != 0)
		throw CommandError(std::string("cannot write the output: ") +
				   (errno ? std::strerror(errno) : "write error"));
}

} // namespace hskctl
