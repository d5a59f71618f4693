/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small streaming JSON writer for the -j/--json output of hskctl. It
 * writes compact JSON into a std::string, so a command can build its whole
 * output first and print nothing if it fails half way.
 */
#ifndef HSKCTL_JSON_HPP
#define HSKCTL_JSON_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hskctl {

/*
 * Appends s to out as a quoted JSON string: '"' and '\\' are escaped,
 * control characters (and DEL) become \b \f \n \r \t or \u00XX, valid UTF-8
 * is copied as is and every byte that is not part of a valid UTF-8
 * sequence becomes U+FFFD, so the result is always valid JSON.
 */
void json_quote(std::string &out, std::string_view s);
std::string json_quote(std::string_view s);

/*
 * Usage:
 *	std::string out;
 *	JsonWriter w(out);
 *	w.begin_array();
 *	w.begin_object().member("port", 7).member("mode", "echo").end_object();
 *	w.end_array();
 * Misuse (a value where a key is due, unbalanced ends, ...) throws
 * std::logic_error.
 */
class JsonWriter
{
public:
	explicit JsonWriter(std::string &out) : out_(out) {}

	JsonWriter &begin_object();
	JsonWriter &end_object();
	JsonWriter &begin_array();
	JsonWriter &end_array();
	JsonWriter &key(std::string_view k);

	JsonWriter &value(std::string_view s);
	JsonWriter &value(const char *s);
	JsonWriter &value(const std::string &s) { return value(std::string_view(s)); }
	JsonWriter &value(bool b);
	JsonWriter &null();
	template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
	JsonWriter &value(T v)
	{
		if constexpr (std::is_same_v<T, bool>)
			return value_bool(v);
		else if constexpr (std::is_signed_v<T>)
			return value_signed(v);
		else
			return value_unsigned(v);
	}

	template <typename T>
	JsonWriter &member(std::string_view k, const T &v)
	{
		key(k);
		return value(v);
	}

	/* True once exactly one complete top-level value was written. */
	bool complete() const noexcept { return stack_.empty() && done_; }

private:
	enum class Scope { object, array };
	struct Level {
		Scope scope;
		bool empty;
	};

	void before_value();
	JsonWriter &begin(Scope scope, char c);
	JsonWriter &end(Scope scope, char c);
	JsonWriter &value_bool(bool b);
	JsonWriter &value_signed(long long v);
	JsonWriter &value_unsigned(unsigned long long v);

	std::string &out_;
	std::vector<Level> stack_;
	bool have_key_ = false;
	bool done_ = false;
};

} // namespace hskctl

#endif /* HSKCTL_JSON_HPP */
