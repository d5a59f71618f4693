// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "json.hpp"

#include <cstddef>
#include <stdexcept>

namespace hskctl {

namespace {

/*
 * Length of the valid UTF-8 sequence at the start of s, or 0 if s does not
 * start with one (stray continuation byte, overlong form, surrogate, code
 * point above U+10FFFF, truncated sequence).
 */
std::size_t utf8_sequence(std::string_view s)
{
	const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
	const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xc0) == 0x80; };
	const unsigned char c = b(0);

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return cont(1) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (!cont(1) || !cont(2))
			return 0;
		if (c == 0xe0 && b(1) < 0xa0) /* overlong */
			return 0;
		if (c == 0xed && b(1) > 0x9f) /* UTF-16 surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (!cont(1) || !cont(2) || !cont(3))
			return 0;
		if (c == 0xf0 && b(1) < 0x90) /* overlong */
			return 0;
		if (c == 0xf4 && b(1) > 0x8f) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

} // namespace

void json_quote(std::string &out, std::string_view s)
{
	static const char hex[] = "0123456789abcdef";

	out += '"';
	while (!s.empty()) {
		const unsigned char c = static_cast<unsigned char>(s.front());
		std::size_t n = 1;

		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\b':
			out += "\\b";
			break;
		case '\f':
			out += "\\f";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				out += "\\u00";
				out += hex[c >> 4];
				out += hex[c & 0xf];
			} else if (c < 0x80) {
				out += static_cast<char>(c);
			} else if ((n = utf8_sequence(s)) != 0) {
				out.append(s.data(), n);
			} else {
				out += "\\ufffd";
				n = 1;
			}
		}
		s.remove_prefix(n);
	}
	out += '"';
}

std::string json_quote(std::string_view s)
{
	std::string out;

	json_quote(out, s);
	return out;
}

void JsonWriter::before_value()
{
	if (stack_.empty()) {
		if (done_)
			throw std::logic_error("JsonWriter: second top-level value");
		done_ = true;
		return;
	}
	Level &top = stack_.back();
	if (top.scope == Scope::object) {
		if (!have_key_)
			throw std::logic_error("JsonWriter: object member without a key");
		have_key_ = false;
		return;
	}
	if (!top.empty)
		out_ += ',';
	top.empty = false;
}

JsonWriter &JsonWriter::begin(Scope scope, char c)
{
	before_value();
	stack_.push_back({scope, true});
	out_ += c;
	return *this;
}

JsonWriter &JsonWriter::end(Scope scope, char c)
{
	if (stack_.empty() || stack_.back().scope != scope || have_key_)
		throw std::logic_error("JsonWriter: unbalanced end");
	stack_.pop_back();
	out_ += c;
	return *this;
}

JsonWriter &JsonWriter::begin_object()
{
	return begin(Scope::object, '{');
}

JsonWriter &JsonWriter::end_object()
{
	return end(Scope::object, '}');
}

JsonWriter &JsonWriter::begin_array()
{
	return begin(Scope::array, '[');
}

JsonWriter &JsonWriter::end_array()
{
	return end(Scope::array, ']');
}

JsonWriter &JsonWriter::key(std::string_view k)
{
	if (stack_.empty() || stack_.back().scope != Scope::object || have_key_)
		throw std::logic_error("JsonWriter: key outside of an object");
	Level &top = stack_.back();
	if (!top.empty)
		out_ += ',';
	top.empty = false;
	json_quote(out_, k);
	out_ += ':';
	have_key_ = true;
	return *this;
}

JsonWriter &JsonWriter::value(std::string_view s)
{
	before_value();
	json_quote(out_, s);
	return *this;
}

JsonWriter &JsonWriter::value(const char *s)
{
	if (!s)
		return null();
	return value(std::string_view(s));
}

JsonWriter &JsonWriter::value(bool b)
{
	return value_bool(b);
}

JsonWriter &JsonWriter::value_bool(bool b)
{
	before_value();
	out_ += b ? "true" : "false";
	return *this;
}

JsonWriter &JsonWriter::null()
{
	before_value();
	out_ += "null";
	return *this;
}

JsonWriter &JsonWriter::value_signed(long long v)
{
	before_value();
	out_ += std::to_string(v);
	return *this;
}

JsonWriter &JsonWriter::value_unsigned(unsigned long long v)
{
	before_value();
	out_ += std::to_string(v);
	return *this;
}

} // namespace hskctl
