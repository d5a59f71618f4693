// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "table.hpp"

#include <algorithm>

namespace hskctl {

void Table::add_row(std::vector<std::string> cells)
{
	cells.resize(columns_.size());
	rows_.push_back(std::move(cells));
}

std::string Table::render(bool header) const
{
	std::vector<std::size_t> width(columns_.size());
	std::string out;

	for (std::size_t i = 0; i < columns_.size(); i++) {
		width[i] = header ? columns_[i].title.size() : 0;
		for (const auto &row : rows_)
			width[i] = std::max(width[i], row[i].size());
	}

	const auto line = [&](const auto &cell_of) {
		std::string l;
		for (std::size_t i = 0; i < columns_.size(); i++) {
			const std::string &cell = cell_of(i);
			const std::string pad(width[i] - cell.size(), ' ');
			if (i)
				l += "  ";
			if (columns_[i].align == Align::right)
				l += pad + cell;
			else
				l += cell + pad;
		}
		l.erase(l.find_last_not_of(' ') + 1);
		out += l;
		out += '\n';
	};

	if (header)
		line([&](std::size_t i) -> const std::string & { return columns_[i].title; });
	for (const auto &row : rows_)
		line([&](std::size_t i) -> const std::string & { return row[i]; });
	return out;
}

} // namespace hskctl
