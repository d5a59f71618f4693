/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Aligned text tables for the human readable output of the show commands. */
#ifndef HSKCTL_TABLE_HPP
#define HSKCTL_TABLE_HPP

#include <string>
#include <utility>
#include <vector>

namespace hskctl {

class Table
{
public:
	enum class Align { left, right };
	struct Column {
		std::string title;
		Align align;
	};

	explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

	/* A row has one cell per column (missing cells are empty, extra ones ignored). */
	void add_row(std::vector<std::string> cells);

	/*
	 * The header line (unless header is false) and one line per row,
	 * columns padded to their widest cell (titles included only with the
	 * header) and separated by two spaces, no trailing blanks.
	 */
	std::string render(bool header = true) const;

private:
	std::vector<Column> columns_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace hskctl

#endif /* HSKCTL_TABLE_HPP */
