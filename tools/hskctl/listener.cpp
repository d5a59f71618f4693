// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "listener.hpp"

#include <algorithm>

#include "json.hpp"
#include "mode.hpp"
#include "table.hpp"

namespace hskctl {

void sort_listeners(std::vector<Listener> &listeners)
{
	std::sort(listeners.begin(), listeners.end(),
		  [](const Listener &a, const Listener &b) { return a.ep < b.ep; });
}

std::string listeners_json(const std::vector<Listener> &listeners)
{
	std::string out;
	JsonWriter w(out);

	w.begin_array();
	for (const auto &l : listeners)
		w.begin_object()
			.member("family", family_name(l.ep.family))
			.member("addr", format_address(l.ep))
			.member("port", l.ep.port)
			.member("mode", mode_name(l.mode))
			.member("backlog", l.backlog)
			.end_object();
	w.end_array();
	out += '\n';
	return out;
}

std::string listeners_text(const std::vector<Listener> &listeners)
{
	using A = Table::Align;
	Table t({{"Family", A::left},
		 {"Endpoint", A::left},
		 {"Mode", A::left},
		 {"Backlog", A::right}});

	for (const auto &l : listeners)
		t.add_row({family_name(l.ep.family), format_endpoint(l.ep), mode_name(l.mode),
			   std::to_string(l.backlog)});
	return t.render();
}

} // namespace hskctl
