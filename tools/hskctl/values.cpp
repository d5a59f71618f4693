// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "values.hpp"

#include "json.hpp"
#include "table.hpp"

namespace hskctl {

std::string values_json(const std::vector<NamedValue> &values)
{
	std::string out;
	JsonWriter w(out);

	w.begin_object();
	for (const auto &v : values)
		w.member(v.name, v.value);
	w.end_object();
	out += '\n';
	return out;
}

std::string values_text(const std::vector<NamedValue> &values)
{
	Table t({{"", Table::Align::left}, {"", Table::Align::right}});

	for (const auto &v : values)
		t.add_row({v.name, std::to_string(v.value)});
	return t.render(false);
}

} // namespace hskctl
