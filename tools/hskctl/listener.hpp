/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Listeners as "hskctl listen show" prints them. Pure: no netlink, no I/O. */
#ifndef HSKCTL_LISTENER_HPP
#define HSKCTL_LISTENER_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "endpoint.hpp"

namespace hskctl {

struct Listener {
	Endpoint ep;
	std::uint32_t mode; /* enum hsk_mode */
	std::uint32_t backlog;
};

/* Sorts by endpoint: port, then family (any, inet, inet6), then address. */
void sort_listeners(std::vector<Listener> &listeners);

/*
 * A JSON array, one object per listener, and a newline:
 * [{"family":"inet","addr":"0.0.0.0","port":7,"mode":"echo","backlog":128}]
 * family is "any", "inet" or "inet6"; addr is "*" for family any.
 */
std::string listeners_json(const std::vector<Listener> &listeners);

/* A header line and one aligned line per listener (Family Endpoint Mode Backlog). */
std::string listeners_text(const std::vector<Listener> &listeners);

} // namespace hskctl

#endif /* HSKCTL_LISTENER_HPP */
