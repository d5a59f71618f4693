// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of hskctl: endpoint parsing and formatting, numbers, mode,
 * state, counter and setting names, argument parsing (conn filters, config
 * set), JSON escaping and writing, tables, the output of every show
 * command, the hsk requests and answers (on hand-made netlink messages),
 * the extended ACK parser and the netlink layer (against the kernel's
 * "nlctrl" family; no hsk module needed).
 */
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/hsk.h>
#include <linux/netlink.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <vector>

#include "args.hpp"
#include "connection.hpp"
#include "counters.hpp"
#include "endpoint.hpp"
#include "json.hpp"
#include "listener.hpp"
#include "messages.hpp"
#include "mode.hpp"
#include "netlink.hpp"
#include "settings.hpp"
#include "table.hpp"
#include "values.hpp"

using namespace hskctl;

namespace {

Endpoint inet(const char *addr, std::uint16_t port)
{
	Endpoint ep;
	ep.family = AF_INET;
	EXPECT_EQ(inet_pton(AF_INET, addr, ep.addr.data()), 1);
	ep.port = port;
	return ep;
}

Endpoint inet6(const char *addr, std::uint16_t port)
{
	Endpoint ep;
	ep.family = AF_INET6;
	EXPECT_EQ(inet_pton(AF_INET6, addr, ep.addr.data()), 1);
	ep.port = port;
	return ep;
}

Endpoint any(std::uint16_t port)
{
	Endpoint ep;
	ep.family = AF_UNSPEC;
	ep.port = port;
	return ep;
}

/* An IPv6 endpoint on interface scope_id. */
Endpoint scoped(const char *addr, std::uint16_t port, std::uint32_t scope_id)
{
	Endpoint ep = inet6(addr, port);
	ep.scope_id = scope_id;
	return ep;
}

/* The interfaces of the tests: 2 is eth0, 3 is hskll0, no other exists. */
std::string fake_name(std::uint32_t ifindex)
{
	return ifindex == 2 ? "eth0" : ifindex == 3 ? "hskll0" : "";
}

std::uint32_t fake_index(const std::string &name)
{
	return name == "eth0" ? 2 : name == "hskll0" ? 3 : 0;
}

} // namespace

/* ---- parse_decimal ---- */

TEST(ParseDecimal, Accepts)
{
	EXPECT_EQ(parse_decimal("0"), 0u);
	EXPECT_EQ(parse_decimal("7"), 7u);
	EXPECT_EQ(parse_decimal("007"), 7u);
	EXPECT_EQ(parse_decimal("65535", 65535), 65535u);
	EXPECT_EQ(parse_decimal("4294967295"), 4294967295u);
	EXPECT_EQ(parse_decimal("00000000000000000000042"), 42u);
}

TEST(ParseDecimal, Rejects)
{
	for (const char *s : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "12a", "a12",
			      "4294967296", "99999999999999999999"})
		EXPECT_FALSE(parse_decimal(s)) << s;
	EXPECT_FALSE(parse_decimal("65536", 65535));
	EXPECT_FALSE(parse_decimal(std::string{'1', '\0', '2'}));
}

/* ---- parse_endpoint: accepted forms ---- */

TEST(ParseEndpoint, PortAlone)
{
	EXPECT_EQ(parse_endpoint("7"), any(7));
	EXPECT_EQ(parse_endpoint("65535"), any(65535));
	EXPECT_EQ(parse_endpoint("0"), any(0)); /* the kernel rejects it, not us */
	EXPECT_EQ(parse_endpoint("0080"), any(80));
	EXPECT_EQ(parse_endpoint("7")->addr_len(), 0u);
}

TEST(ParseEndpoint, Inet)
{
	EXPECT_EQ(parse_endpoint("0.0.0.0:7"), inet("0.0.0.0", 7));
	EXPECT_EQ(parse_endpoint("192.0.2.1:80"), inet("192.0.2.1", 80));
	EXPECT_EQ(parse_endpoint("255.255.255.255:65535"), inet("255.255.255.255", 65535));
	EXPECT_EQ(parse_endpoint("127.0.0.1:0"), inet("127.0.0.1", 0));
	const auto ep = parse_endpoint("192.0.2.1:80");
	ASSERT_TRUE(ep);
	EXPECT_EQ(ep->addr_len(), 4u);
	EXPECT_EQ(ep->addr[0], 192);
	EXPECT_EQ(ep->addr[3], 1);
	EXPECT_EQ(ep->addr[4], 0);
}

TEST(ParseEndpoint, Inet6)
{
	EXPECT_EQ(parse_endpoint("[::]:19"), inet6("::", 19));
	EXPECT_EQ(parse_endpoint("[::1]:7"), inet6("::1", 7));
	EXPECT_EQ(parse_endpoint("[2001:db8::1]:80"), inet6("2001:db8::1", 80));
	EXPECT_EQ(parse_endpoint("[2001:DB8::1]:80"), inet6("2001:db8::1", 80));
	EXPECT_EQ(parse_endpoint("[::ffff:192.0.2.1]:80"), inet6("::ffff:192.0.2.1", 80));
	EXPECT_EQ(parse_endpoint("[2001:db8:0:0:0:0:0:1]:65535"), inet6("2001:db8::1", 65535));
	EXPECT_EQ(parse_endpoint("[::1]:7")->addr_len(), 16u);
}

/* ---- parse_endpoint: everything else is rejected ---- */

TEST(ParseEndpoint, RejectsBadPorts)
{
	for (const char *s : {"",
			      "65536",
			      "99999999999",
			      "-1",
			      "+7",
			      " 7",
			      "7 ",
			      "0x50",
			      "7.0",
			      "1e3",
			      "seven",
			      "192.0.2.1:",
			      "192.0.2.1:65536",
			      "192.0.2.1:-1",
			      "192.0.2.1:+80",
			      "192.0.2.1:80x",
			      "192.0.2.1: 80",
			      "192.0.2.1:80 ",
			      "192.0.2.1:0x50",
			      "192.0.2.1:80:90",
			      "[::1]:",
			      "[::1]:65536",
			      "[::1]:80x",
			      "[::1]:-1",
			      "[::1]: 80",
			      "[::1]:80:90"})
		EXPECT_FALSE(parse_endpoint(s)) << "'" << s << "'";
}

TEST(ParseEndpoint, RejectsBadInet)
{
	for (const char *s : {"192.0.2.1", ":80", "192.0.2:80", "192.0.2.1.5:80", "256.0.0.1:80",
			      "01.2.3.4:80", "0x1.2.3.4:80", " 192.0.2.1:80", "192.0.2.1 :80",
			      "localhost:80", "example.com:80", "*:80", "any:80", "0:80"})
		EXPECT_FALSE(parse_endpoint(s)) << "'" << s << "'";
}

TEST(ParseEndpoint, RejectsBadInet6)
{
	for (const char *s : {"::1:80",
			      "2001:db8::1:80",
			      "::",
			      ":::80",
			      "[::1]",
			      "[::1]80",
			      "[::1]x80",
			      "[::1",
			      "::1]:80",
			      "[]:80",
			      "[ ::1]:80",
			      "[::1 ]:80",
			      "[[::1]]:80",
			      "[::1]]:80",
			      "[192.0.2.1]:80",
			      "[fe80::1%eth0]:80",
			      "[1::2::3]:80",
			      "[12345::]:80",
			      "[::1]:80]",
			      "[localhost]:80",
			      "[*]:80",
			      "[:::80",
			      "[]",
			      "[",
			      "]"})
		EXPECT_FALSE(parse_endpoint(s)) << "'" << s << "'";
}

TEST(ParseEndpoint, RejectsEmbeddedNul)
{
	EXPECT_FALSE(parse_endpoint(std::string("192.0.2.1\0x:80", 14)));
	EXPECT_FALSE(parse_endpoint(std::string("[::1\0x]:80", 10)));
	EXPECT_FALSE(parse_endpoint(std::string("80\0", 3)));
}

TEST(ParseEndpoint, Scoped)
{
	std::string_view scope = "x";

	EXPECT_EQ(parse_endpoint("[fe80::1%eth0]:22", &scope), inet6("fe80::1", 22));
	EXPECT_EQ(scope, "eth0");
	EXPECT_EQ(parse_endpoint("[fe80::1%3]:22", &scope), inet6("fe80::1", 22));
	EXPECT_EQ(scope, "3");
	/* Checking the scope is the caller's job. */
	EXPECT_EQ(parse_endpoint("[2001:db8::1%eth0]:80", &scope), inet6("2001:db8::1", 80));
	EXPECT_EQ(scope, "eth0");
	/* No scope leaves none behind. */
	EXPECT_EQ(parse_endpoint("[fe80::1]:22", &scope), inet6("fe80::1", 22));
	EXPECT_EQ(scope, "");
	EXPECT_EQ(parse_endpoint("7", &scope), any(7));
	EXPECT_EQ(scope, "");

	for (const char *s : {"[fe80::1%]:22", "[%eth0]:22", "[fe80::1%eth0]", "[fe80::1%eth0]22",
			      "[fe80::1%eth0]:65536", "fe80::1%eth0:22", "[fe80::1]%eth0:22",
			      "192.0.2.1%eth0:22", "[192.0.2.1%eth0]:22", "[fe80::1%%eth0]x:22"})
		EXPECT_FALSE(parse_endpoint(s, &scope)) << s;
	/* Without somewhere to put it, a scope is malformed: listeners take none. */
	EXPECT_FALSE(parse_endpoint("[fe80::1%eth0]:22"));
	EXPECT_FALSE(parse_endpoint("[fe80::1%2]:22"));
}

TEST(Endpoint, LinkLocal)
{
	EXPECT_TRUE(is_link_local(inet6("fe80::1", 7)));
	EXPECT_TRUE(is_link_local(inet6("febf:ffff::1", 7)));
	EXPECT_FALSE(is_link_local(inet6("fec0::1", 7)));
	EXPECT_FALSE(is_link_local(inet6("fe7f::1", 7)));
	EXPECT_FALSE(is_link_local(inet6("ff02::1", 7)));
	EXPECT_FALSE(is_link_local(inet6("::1", 7)));
	EXPECT_FALSE(is_link_local(inet("169.254.0.1", 7)));
	EXPECT_FALSE(is_link_local(any(7)));
}

/* ---- formatting ---- */

TEST(FormatEndpoint, LikeSs)
{
	EXPECT_EQ(format_endpoint(any(7)), "*:7");
	EXPECT_EQ(format_endpoint(inet("0.0.0.0", 7)), "0.0.0.0:7");
	EXPECT_EQ(format_endpoint(inet("192.0.2.1", 65535)), "192.0.2.1:65535");
	EXPECT_EQ(format_endpoint(inet6("::", 19)), "[::]:19");
	EXPECT_EQ(format_endpoint(inet6("2001:db8:0:0:0:0:0:1", 80)), "[2001:db8::1]:80");
	EXPECT_EQ(format_endpoint(inet6("::ffff:192.0.2.1", 80)), "[::ffff:192.0.2.1]:80");
}

TEST(FormatEndpoint, Address)
{
	EXPECT_EQ(format_address(any(7)), "*");
	EXPECT_EQ(format_address(inet("0.0.0.0", 7)), "0.0.0.0");
	EXPECT_EQ(format_address(inet6("2001:DB8::1", 80)), "2001:db8::1");
	EXPECT_EQ(format_address(inet6("::", 80)), "::");
}

TEST(FormatEndpoint, FamilyName)
{
	EXPECT_STREQ(family_name(AF_UNSPEC), "any");
	EXPECT_STREQ(family_name(AF_INET), "inet");
	EXPECT_STREQ(family_name(AF_INET6), "inet6");
	EXPECT_STREQ(family_name(AF_PACKET), "unknown");
}

TEST(FormatEndpoint, RoundTrip)
{
	for (const char *s : {"0.0.0.0:7", "192.0.2.1:80", "[::]:19", "[2001:db8::1]:80",
			      "[::ffff:192.0.2.1]:443"}) {
		const auto ep = parse_endpoint(s);
		ASSERT_TRUE(ep) << s;
		EXPECT_EQ(format_endpoint(*ep), s);
	}
	EXPECT_EQ(format_endpoint(*parse_endpoint("7")), "*:7");
}

TEST(FormatEndpoint, Scoped)
{
	EXPECT_EQ(format_endpoint(scoped("fe80::2", 40000, 2), fake_name), "[fe80::2%eth0]:40000");
	EXPECT_EQ(format_endpoint(scoped("fe80::2", 40000, 3), fake_name),
		  "[fe80::2%hskll0]:40000");
	/* An interface that is gone, or no names at all: its number. */
	EXPECT_EQ(format_endpoint(scoped("fe80::2", 40000, 9), fake_name), "[fe80::2%9]:40000");
	EXPECT_EQ(format_endpoint(scoped("fe80::2", 40000, 2)), "[fe80::2%2]:40000");
	EXPECT_EQ(format_endpoint(inet6("fe80::2", 40000), fake_name), "[fe80::2]:40000");
	/* The address alone never has the scope. */
	EXPECT_EQ(format_address(scoped("fe80::2", 40000, 2)), "fe80::2");
	EXPECT_EQ(format_scope(2, fake_name), "eth0");
	EXPECT_EQ(format_scope(4294967295u, fake_name), "4294967295");
	EXPECT_EQ(format_scope(2, {}), "2");
}

TEST(FormatEndpoint, ScopedRoundTrip)
{
	for (std::uint32_t scope_id : {2u, 3u, 9u}) {
		const Endpoint ep = scoped("fe80::1:2", 7, scope_id);
		const std::string text = format_endpoint(ep, fake_name);
		EXPECT_EQ(conn_endpoint_arg(text, fake_index), ep) << text;
	}
}

TEST(MakeEndpoint, FromKernelAttributes)
{
	const std::uint8_t v4[4] = {192, 0, 2, 1};
	std::uint8_t v6[16] = {};
	v6[15] = 1;

	EXPECT_EQ(make_endpoint(AF_UNSPEC, nullptr, 0, 7), any(7));
	EXPECT_EQ(make_endpoint(AF_INET, v4, 4, 80), inet("192.0.2.1", 80));
	EXPECT_EQ(make_endpoint(AF_INET6, v6, 16, 80), inet6("::1", 80));
	EXPECT_FALSE(make_endpoint(AF_UNSPEC, v4, 4, 7));
	EXPECT_FALSE(make_endpoint(AF_INET, nullptr, 0, 7));
	EXPECT_FALSE(make_endpoint(AF_INET, v6, 16, 7));
	EXPECT_FALSE(make_endpoint(AF_INET6, v4, 4, 7));
	EXPECT_FALSE(make_endpoint(AF_INET6, nullptr, 16, 7));
	EXPECT_FALSE(make_endpoint(AF_PACKET, nullptr, 0, 7));
}

TEST(Endpoint, Order)
{
	EXPECT_LT(any(7), inet("0.0.0.0", 7));
	EXPECT_LT(inet("0.0.0.0", 7), inet("192.0.2.1", 7));
	EXPECT_LT(inet("192.0.2.1", 7), inet6("::", 7));
	EXPECT_LT(inet6("::", 7), any(8));
	EXPECT_FALSE(any(7) < any(7));
	EXPECT_NE(any(7), any(8));
	EXPECT_LT(inet6("fe80::1", 7), scoped("fe80::1", 7, 2));
	EXPECT_LT(scoped("fe80::1", 7, 2), scoped("fe80::1", 7, 3));
	EXPECT_LT(scoped("fe80::1", 7, 3), scoped("fe80::2", 7, 2));
	EXPECT_NE(scoped("fe80::1", 7, 2), scoped("fe80::1", 7, 3));
	EXPECT_NE(scoped("fe80::1", 7, 2), inet6("fe80::1", 7));
}

/* ---- modes ---- */

TEST(Mode, Names)
{
	EXPECT_EQ(mode_from_name("echo"), std::uint32_t(HSK_MODE_ECHO));
	EXPECT_EQ(mode_from_name("discard"), std::uint32_t(HSK_MODE_DISCARD));
	EXPECT_EQ(mode_from_name("tarpit"), std::uint32_t(HSK_MODE_TARPIT));
	for (const char *s : {"", "Echo", "ECHO", "echo ", "ech", "0", "chargen"})
		EXPECT_FALSE(mode_from_name(s)) << s;
	EXPECT_EQ(mode_name(HSK_MODE_ECHO), "echo");
	EXPECT_EQ(mode_name(HSK_MODE_DISCARD), "discard");
	EXPECT_EQ(mode_name(HSK_MODE_TARPIT), "tarpit");
	EXPECT_EQ(mode_name(HSK_MODE_MAX + 1), "unknown(" + std::to_string(HSK_MODE_MAX + 1) + ")");
	EXPECT_EQ(mode_names(), "echo, discard or tarpit");
	EXPECT_EQ(mode_names("|", "|"), "echo|discard|tarpit");
}

/* ---- JSON ---- */

TEST(JsonQuote, Plain)
{
	EXPECT_EQ(json_quote(""), "\"\"");
	EXPECT_EQ(json_quote("echo"), "\"echo\"");
	EXPECT_EQ(json_quote("2001:db8::1"), "\"2001:db8::1\"");
	EXPECT_EQ(json_quote("a/b"), "\"a/b\""); /* '/' needs no escape */
	EXPECT_EQ(json_quote("*"), "\"*\"");
}

TEST(JsonQuote, Escapes)
{
	EXPECT_EQ(json_quote("\""), R"("\"")");
	EXPECT_EQ(json_quote("\\"), R"("\\")");
	EXPECT_EQ(json_quote("a\"b\\c"), R"("a\"b\\c")");
	EXPECT_EQ(json_quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
	EXPECT_EQ(json_quote(std::string("\0", 1)), R"("\u0000")");
	EXPECT_EQ(json_quote("\x01\x1f"), R"("\u0001\u001f")");
	EXPECT_EQ(json_quote("\x1b[31m"), R"("\u001b[31m")");
	EXPECT_EQ(json_quote("\x7f"), R"("\u007f")");
	EXPECT_EQ(json_quote(" ~"), R"(" ~")");
}

TEST(JsonQuote, EveryControlCharacterIsEscaped)
{
	for (int c = 0; c < 0x20; c++) {
		const std::string q = json_quote(std::string(1, static_cast<char>(c)));
		EXPECT_EQ(q[0], '"');
		EXPECT_EQ(q[1], '\\') << c;
		for (char x : q)
			EXPECT_GE(static_cast<unsigned char>(x), 0x20) << c;
	}
}

TEST(JsonQuote, ValidUtf8IsKept)
{
	EXPECT_EQ(json_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");	   /* U+00E9 */
	EXPECT_EQ(json_quote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");	   /* U+20AC */
	EXPECT_EQ(json_quote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	EXPECT_EQ(json_quote("\xc2\x80"), "\"\xc2\x80\"");		   /* U+0080 */
	EXPECT_EQ(json_quote("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");	   /* U+FFFF */
	EXPECT_EQ(json_quote("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	EXPECT_EQ(json_quote("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");	   /* U+D7FF */
}

TEST(JsonQuote, InvalidUtf8IsReplaced)
{
	const std::string r = "\\ufffd";
	EXPECT_EQ(json_quote("\x80"), "\"" + r + "\"");			/* stray continuation */
	EXPECT_EQ(json_quote("\xbf"), "\"" + r + "\"");			/* stray continuation */
	EXPECT_EQ(json_quote("\xc0\x80"), "\"" + r + r + "\"");		/* overlong NUL */
	EXPECT_EQ(json_quote("\xc1\xbf"), "\"" + r + r + "\"");		/* overlong */
	EXPECT_EQ(json_quote("\xe0\x80\x80"), "\"" + r + r + r + "\""); /* overlong */
	EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"" + r + r + r + "\""); /* surrogate */
	EXPECT_EQ(json_quote("\xf0\x80\x80\x80"), "\"" + r + r + r + r + "\""); /* overlong */
	EXPECT_EQ(json_quote("\xf4\x90\x80\x80"), "\"" + r + r + r + r + "\""); /* > U+10FFFF */
	EXPECT_EQ(json_quote("\xf5"), "\"" + r + "\"");
	EXPECT_EQ(json_quote("\xff"), "\"" + r + "\"");
	EXPECT_EQ(json_quote("\xe2\x82"), "\"" + r + r + "\""); /* truncated */
	EXPECT_EQ(json_quote("\xc3"), "\"" + r + "\"");		/* truncated at the end */
	EXPECT_EQ(json_quote("a\xc3z"), "\"a" + r + "z\"");	/* truncated in the middle */
	EXPECT_EQ(json_quote("\xe2\x82\"x"), "\"" + r + r + "\\\"x\"");
}

TEST(JsonWriter, Values)
{
	std::string out;
	JsonWriter w(out);

	w.begin_array()
		.value("s")
		.value(std::string("t"))
		.value(std::string_view("u"))
		.value(true)
		.value(false)
		.null()
		.value(std::uint16_t(65535))
		.value(std::uint32_t(4294967295u))
		.value(std::uint64_t(18446744073709551615ull))
		.value(-1)
		.value(std::int64_t(-9223372036854775807ll - 1))
		.value(static_cast<const char *>(nullptr))
		.end_array();
	EXPECT_EQ(out, R"(["s","t","u",true,false,null,65535,4294967295,18446744073709551615,)"
		       R"(-1,-9223372036854775808,null])");
	EXPECT_TRUE(w.complete());
}

TEST(JsonWriter, Nesting)
{
	std::string out;
	JsonWriter w(out);

	EXPECT_FALSE(w.complete());
	w.begin_object();
	w.member("a", 1).key("b").begin_array().end_array();
	w.key("c").begin_object().end_object();
	w.key("d").begin_array().begin_object().member("x\"y", "z\n").end_object();
	w.begin_array().value(1).value(2).end_array().end_array();
	w.end_object();
	EXPECT_EQ(out, R"({"a":1,"b":[],"c":{},"d":[{"x\"y":"z\n"},[1,2]]})");
	EXPECT_TRUE(w.complete());
}

TEST(JsonWriter, EmptyArray)
{
	std::string out;
	JsonWriter(out).begin_array().end_array();
	EXPECT_EQ(out, "[]");
}

TEST(JsonWriter, Misuse)
{
	std::string out;
	{
		JsonWriter w(out);
		w.begin_object();
		EXPECT_THROW(w.value(1), std::logic_error);
		EXPECT_THROW(w.end_array(), std::logic_error);
		w.key("k");
		EXPECT_THROW(w.key("k2"), std::logic_error);
		EXPECT_THROW(w.end_object(), std::logic_error);
	}
	{
		JsonWriter w(out);
		EXPECT_THROW(w.key("k"), std::logic_error);
		EXPECT_THROW(w.end_object(), std::logic_error);
		w.begin_array();
		EXPECT_THROW(w.key("k"), std::logic_error);
		w.end_array();
		EXPECT_THROW(w.value(1), std::logic_error);
	}
}

/* ---- tables ---- */

TEST(Table, Aligns)
{
	Table t({{"A", Table::Align::left},
		 {"Long", Table::Align::left},
		 {"N", Table::Align::right}});
	t.add_row({"xyz", "1", "5"});
	t.add_row({"x", "", "12345"});
	EXPECT_EQ(t.render(), "A    Long      N\n"
			      "xyz  1         5\n"
			      "x          12345\n");
}

TEST(Table, HeaderOnly)
{
	Table t({{"A", Table::Align::left}, {"B", Table::Align::left}});
	EXPECT_EQ(t.render(), "A  B\n");
}

TEST(Table, WithoutHeader)
{
	Table t({{"Title", Table::Align::left}, {"N", Table::Align::right}});
	EXPECT_EQ(t.render(false), "");
	t.add_row({"ab", "1"});
	t.add_row({"a", "100"});
	EXPECT_EQ(t.render(false), "ab    1\n"
				   "a   100\n");
}

/* ---- listen show output ---- */

namespace {

std::vector<Listener> sample()
{
	std::vector<Listener> ls = {
		{inet6("2001:db8::1", 80), HSK_MODE_TARPIT, 64},
		{inet6("::", 19), HSK_MODE_MAX + 5, 1},
		{inet("0.0.0.0", 9), HSK_MODE_DISCARD, 128},
		{any(7), HSK_MODE_ECHO, 128},
	};
	sort_listeners(ls);
	return ls;
}

} // namespace

TEST(Listeners, Sorted)
{
	const auto ls = sample();
	ASSERT_EQ(ls.size(), 4u);
	EXPECT_EQ(ls[0].ep, any(7));
	EXPECT_EQ(ls[1].ep, inet("0.0.0.0", 9));
	EXPECT_EQ(ls[2].ep, inet6("::", 19));
	EXPECT_EQ(ls[3].ep, inet6("2001:db8::1", 80));
}

TEST(Listeners, Json)
{
	const std::string unknown = "unknown(" + std::to_string(HSK_MODE_MAX + 5) + ")";

	EXPECT_EQ(listeners_json({}), "[]\n");
	EXPECT_EQ(
		listeners_json(sample()),
		R"([{"family":"any","addr":"*","port":7,"mode":"echo","backlog":128},)"
		R"({"family":"inet","addr":"0.0.0.0","port":9,"mode":"discard","backlog":128},)"
		R"({"family":"inet6","addr":"::","port":19,"mode":")" +
			unknown +
			R"(","backlog":1},)"
			R"({"family":"inet6","addr":"2001:db8::1","port":80,"mode":"tarpit","backlog":64}])"
			"\n");
}

TEST(Listeners, Text)
{
	std::vector<Listener> ls = sample();
	ls[2].mode = HSK_MODE_ECHO;

	EXPECT_EQ(listeners_text({}), "Family  Endpoint  Mode  Backlog\n");
	EXPECT_EQ(listeners_text(ls), "Family  Endpoint          Mode     Backlog\n"
				      "any     *:7               echo         128\n"
				      "inet    0.0.0.0:9         discard      128\n"
				      "inet6   [::]:19           echo           1\n"
				      "inet6   [2001:db8::1]:80  tarpit        64\n");
}

/* ---- argument cursor ---- */

namespace {

/* Args over string literals (string_views of static storage). */
Args args_of(std::initializer_list<const char *> words)
{
	return Args(std::vector<std::string_view>(words.begin(), words.end()));
}

/* The message of the UsageError fn throws, or "" if it throws none. */
template <typename Fn>
std::string usage_error(Fn fn)
{
	try {
		fn();
	} catch (const UsageError &e) {
		return e.what();
	}
	return "";
}

} // namespace

TEST(Args, Cursor)
{
	Args a = args_of({"local", "7", "x"});
	EXPECT_EQ(a.peek(), "local");
	EXPECT_EQ(a.next(), "local");
	EXPECT_EQ(a.value_of("local"), "7");
	EXPECT_EQ(usage_error([&] { a.expect_end("conn close"); }),
		  "unexpected argument 'x' for 'conn close'");
	EXPECT_EQ(a.next(), "x");
	EXPECT_TRUE(a.empty());
	EXPECT_EQ(a.peek(), "");
	EXPECT_EQ(usage_error([&] { a.value_of("remote"); }), "missing value after 'remote'");
	EXPECT_EQ(usage_error([&] { a.expect_end("conn close"); }), "");
}

TEST(Args, EndpointArg)
{
	EXPECT_EQ(endpoint_arg("7"), any(7));
	EXPECT_EQ(usage_error([] { endpoint_arg("x:7"); }),
		  "malformed endpoint 'x:7' (expected PORT, A.B.C.D:PORT or [IPV6]:PORT)");
	EXPECT_TRUE(is_json_option("-j"));
	EXPECT_TRUE(is_json_option("--json"));
	EXPECT_FALSE(is_json_option("-json"));
	EXPECT_FALSE(is_json_option("json"));
}

TEST(Args, ConnEndpointArg)
{
	EXPECT_EQ(conn_endpoint_arg("7", fake_index), any(7));
	EXPECT_EQ(conn_endpoint_arg("[fe80::1]:7", fake_index), inet6("fe80::1", 7));
	EXPECT_EQ(conn_endpoint_arg("[fe80::1%eth0]:7", fake_index), scoped("fe80::1", 7, 2));
	EXPECT_EQ(conn_endpoint_arg("[fe80::1%hskll0]:7", fake_index), scoped("fe80::1", 7, 3));
	/* A number is an interface that may be gone, as conn show prints it. */
	EXPECT_EQ(conn_endpoint_arg("[fe80::1%9]:7", fake_index), scoped("fe80::1", 7, 9));
	EXPECT_EQ(conn_endpoint_arg("[fe80::1%2147483647]:7", fake_index),
		  scoped("fe80::1", 7, 2147483647));
	EXPECT_EQ(conn_endpoint_arg("[fe80::1%9]:7", {}), scoped("fe80::1", 7, 9));

	const auto err = [](const char *text) {
		return usage_error([&] { conn_endpoint_arg(text, fake_index); });
	};
	EXPECT_EQ(err("[fe80::1%eth1]:7"),
		  "unknown interface 'eth1' in endpoint '[fe80::1%eth1]:7'");
	EXPECT_EQ(err("[fe80::1%0]:7"), "unknown interface '0' in endpoint '[fe80::1%0]:7'");
	EXPECT_EQ(err("[fe80::1%2147483648]:7"),
		  "unknown interface '2147483648' in endpoint '[fe80::1%2147483648]:7'");
	EXPECT_EQ(err("[fe80::1%-2]:7"), "unknown interface '-2' in endpoint '[fe80::1%-2]:7'");
	/* Too long for an interface name, and no number. */
	EXPECT_EQ(
		err("[fe80::1%eth0eth0eth0eth0]:7"),
		"unknown interface 'eth0eth0eth0eth0' in endpoint '[fe80::1%eth0eth0eth0eth0]:7'");
	EXPECT_EQ(usage_error([] { conn_endpoint_arg("[fe80::1%eth0]:7", {}); }),
		  "unknown interface 'eth0' in endpoint '[fe80::1%eth0]:7'");
	/* A scope only goes with a link-local address, known interface or not. */
	for (const char *text : {"[2001:db8::1%eth0]:7", "[::%eth0]:7", "[::1%lo]:7",
				 "[ff02::1%eth0]:7", "[fec0::1%1]:7"})
		EXPECT_EQ(err(text), "endpoint '" + std::string(text) +
					     "' has an interface but no link-local address");
	for (const char *text : {"[fe80::1%]:7", "fe80::1%eth0:7", "192.0.2.1%eth0:7", "x"})
		EXPECT_EQ(err(text), "malformed endpoint '" + std::string(text) +
					     "' (expected PORT, A.B.C.D:PORT, [IPV6]:PORT or "
					     "[IPV6%IFACE]:PORT)");
	/* Not eth0, as if_nametoindex() would read it (what() ends at the NUL). */
	EXPECT_EQ(usage_error([] {
			  conn_endpoint_arg(std::string_view("[fe80::1%eth0\0x]:7", 18),
					    fake_index);
		  }),
		  "unknown interface 'eth0");
}

TEST(Args, BatchWords)
{
	using W = std::vector<std::string_view>;

	EXPECT_EQ(batch_words("listen add 7 mode echo"), (W{"listen", "add", "7", "mode", "echo"}));
	EXPECT_EQ(batch_words("  \tlisten\t\tadd  [::1]:7 \r"), (W{"listen", "add", "[::1]:7"}));
	EXPECT_EQ(batch_words("-j listen show"), (W{"-j", "listen", "show"}));
	EXPECT_EQ(batch_words("conn#1 show"), (W{"conn#1", "show"}));
	EXPECT_EQ(batch_words("'a b'"), (W{"'a", "b'"}));
	EXPECT_EQ(batch_words(""), W{});
	EXPECT_EQ(batch_words(" \t\r"), W{});
	EXPECT_EQ(batch_words("# listen add 7"), W{});
	EXPECT_EQ(batch_words("  #listen add 7"), W{});
}

/* ---- connection states ---- */

TEST(ConnState, Names)
{
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_CLOSED), "CLOSED");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_LISTEN), "LISTEN");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_SYN_RECEIVED), "SYN-RECEIVED");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_ESTABLISHED), "ESTABLISHED");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_FIN_WAIT_1), "FIN-WAIT-1");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_FIN_WAIT_2), "FIN-WAIT-2");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_CLOSE_WAIT), "CLOSE-WAIT");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_CLOSING), "CLOSING");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_LAST_ACK), "LAST-ACK");
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_TIME_WAIT), "TIME-WAIT");
}

TEST(ConnState, EveryStateHasAnRfcName)
{
	for (unsigned s = 0; s <= HSK_CONN_STATE_MAX; s++) {
		const std::string name = conn_state_name(s);
		EXPECT_EQ(name.find("UNKNOWN"), std::string::npos) << s;
		EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) {
			return (c >= 'A' && c <= 'Z') || c == '-' || (c >= '0' && c <= '9');
		})) << name;
	}
}

TEST(ConnState, Unknown)
{
	EXPECT_EQ(conn_state_name(HSK_CONN_STATE_MAX + 1),
		  "UNKNOWN(" + std::to_string(HSK_CONN_STATE_MAX + 1) + ")");
	EXPECT_EQ(conn_state_name(255), "UNKNOWN(255)");
}

/* ---- counter names ---- */

TEST(Counters, Names)
{
	const std::vector<std::string_view> expected = {
		"syn_recv",  "synack_sent",    "synack_retrans", "established", "active_conns",
		"rst_sent",  "rst_recv",       "challenge_acks", "csum_errors", "malformed",
		"retrans",   "segs_in",	       "segs_out",	 "drops",	"synack_timeout",
		"timeouts",  "persist_probes", "idle_timeouts",	 "bytes_in",	"bytes_out",
		"urg_bytes", "conn_limit",     "nomem",		 "ofo_queued"};

	EXPECT_EQ(stat_names(), expected);
	EXPECT_STREQ(stat_name(HSK_STATS_A_SYN_RECV), "syn_recv");
	EXPECT_STREQ(stat_name(HSK_STATS_A_ACTIVE_CONNS), "active_conns");
	EXPECT_STREQ(stat_name(HSK_STATS_A_NOMEM), "nomem");
	EXPECT_STREQ(stat_name(HSK_STATS_A_MAX), expected.back().data());
	EXPECT_EQ(stat_name(HSK_STATS_A_UNSPEC), nullptr);
	EXPECT_EQ(stat_name(HSK_STATS_A_PAD), nullptr);
	EXPECT_EQ(stat_name(HSK_STATS_A_MAX + 1), nullptr);
	EXPECT_EQ(stat_name(-1), nullptr);
}

TEST(Counters, EveryAttributeNamedOnce)
{
	std::vector<std::string> seen;

	for (int a = HSK_STATS_A_PAD + 1; a <= HSK_STATS_A_MAX; a++) {
		ASSERT_NE(stat_name(a), nullptr) << a;
		seen.emplace_back(stat_name(a));
	}
	std::sort(seen.begin(), seen.end());
	EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
}

/* ---- setting names and config set ---- */

TEST(Settings, Names)
{
	EXPECT_STREQ(setting_name(HSK_CONFIG_A_SYNACK_RETRIES), "synack_retries");
	EXPECT_STREQ(setting_name(HSK_CONFIG_A_TIME_WAIT_MS), "time_wait_ms");
	EXPECT_STREQ(setting_name(HSK_CONFIG_A_IDLE_TIMEOUT_MS), "idle_timeout_ms");
	EXPECT_STREQ(setting_name(HSK_CONFIG_A_RTO_MIN_MS), "rto_min_ms");
	EXPECT_STREQ(setting_name(HSK_CONFIG_A_MAX_CONNS), "max_conns");
	EXPECT_EQ(setting_name(HSK_CONFIG_A_UNSPEC), nullptr);
	EXPECT_EQ(setting_name(HSK_CONFIG_A_MAX + 1), nullptr);
	for (int a = 1; a <= HSK_CONFIG_A_MAX; a++) {
		ASSERT_NE(setting_name(a), nullptr);
		EXPECT_EQ(setting_from_name(setting_name(a)), a);
		ASSERT_NE(setting_description(a), nullptr);
		EXPECT_GT(std::strlen(setting_description(a)), 0u);
	}
	EXPECT_EQ(setting_description(0), nullptr);
	for (const char *s : {"", "max-conns", "MAX_CONNS", "max_conns ", "maxconns", "unspec"})
		EXPECT_FALSE(setting_from_name(s)) << s;
	EXPECT_EQ(setting_names(), "synack_retries, time_wait_ms, idle_timeout_ms, rto_min_ms, "
				   "max_conns or sndq_limit_kb");
}

TEST(ConfigSet, Parses)
{
	Args a = args_of(
		{"max_conns", "4294967295", "synack_retries", "0", "time_wait_ms", "0060000"});
	const auto changes = parse_config_set(a);

	ASSERT_EQ(changes.size(), 3u);
	EXPECT_EQ(changes[0].attr, HSK_CONFIG_A_MAX_CONNS);
	EXPECT_EQ(changes[0].value, 4294967295u);
	EXPECT_EQ(changes[1].attr, HSK_CONFIG_A_SYNACK_RETRIES);
	EXPECT_EQ(changes[1].value, 0u);
	EXPECT_EQ(changes[2].attr, HSK_CONFIG_A_TIME_WAIT_MS);
	EXPECT_EQ(changes[2].value, 60000u);
	EXPECT_TRUE(a.empty());

	Args every = args_of({"synack_retries", "1", "time_wait_ms", "2", "idle_timeout_ms", "3",
			      "rto_min_ms", "4", "max_conns", "5", "sndq_limit_kb", "6"});
	EXPECT_EQ(parse_config_set(every).size(), std::size_t(HSK_CONFIG_A_MAX));
}

TEST(ConfigSet, Errors)
{
	const auto err = [](std::initializer_list<const char *> words) {
		Args a = args_of(words);
		return usage_error([&] { parse_config_set(a); });
	};
	const std::string keys = "synack_retries, time_wait_ms, idle_timeout_ms, rto_min_ms, "
				 "max_conns or sndq_limit_kb";

	EXPECT_EQ(err({}), "missing KEY VALUE for 'config set' (KEY is " + keys + ")");
	EXPECT_EQ(err({"max_conns"}), "missing value after 'max_conns'");
	EXPECT_EQ(err({"rto_min_ms", "1", "max_conns"}), "missing value after 'max_conns'");
	EXPECT_EQ(err({"foo", "1"}), "unknown setting 'foo' (expected " + keys + ")");
	EXPECT_EQ(err({"Max_conns", "1"}), "unknown setting 'Max_conns' (expected " + keys + ")");
	EXPECT_EQ(err({"max_conns", "1", "max_conns", "2"}), "'max_conns' given twice");
	EXPECT_EQ(err({"max_conns", "1", "rto_min_ms", "2", "max_conns", "1"}),
		  "'max_conns' given twice");
	for (const char *v : {"x", "-1", "+1", "1k", "0x10", "1.5", " 1", "", "4294967296"}) {
		EXPECT_EQ(err({"idle_timeout_ms", v}),
			  std::string("invalid value '") + v +
				  "' for 'idle_timeout_ms' (expected a decimal number up to "
				  "4294967295)")
			<< v;
	}
	/* A value where a key is due. */
	EXPECT_EQ(err({"max_conns", "1", "2"}), "unknown setting '2' (expected " + keys + ")");
}

/* ---- conn filters ---- */

TEST(ConnFilter, Parses)
{
	{
		Args a = args_of({});
		const ConnFilter f = parse_conn_filter(a, "conn close");
		EXPECT_FALSE(f.local);
		EXPECT_FALSE(f.remote);
		EXPECT_EQ(f.family(), AF_UNSPEC);
	}
	{
		Args a = args_of({"remote", "[2001:db8::2]:40000", "local", "[::]:7"});
		const ConnFilter f = parse_conn_filter(a, "conn kill");
		EXPECT_EQ(f.local, inet6("::", 7));
		EXPECT_EQ(f.remote, inet6("2001:db8::2", 40000));
		EXPECT_EQ(f.family(), AF_INET6);
	}
	{
		bool json = false;
		Args a = args_of({"local", "7", "-j", "remote", "192.0.2.9:5"});
		const ConnFilter f = parse_conn_filter(a, "conn show", &json);
		EXPECT_TRUE(json);
		EXPECT_EQ(f.local, any(7));
		EXPECT_EQ(f.remote, inet("192.0.2.9", 5));
		EXPECT_EQ(f.family(), AF_INET); /* from the remote endpoint */
	}
	{
		bool json = false;
		Args a = args_of({"--json"});
		const ConnFilter f = parse_conn_filter(a, "conn show", &json);
		EXPECT_TRUE(json);
		EXPECT_FALSE(f.local || f.remote);
	}
	{
		/* A port alone goes with either family. */
		Args a = args_of({"local", "0.0.0.0:7", "remote", "5"});
		EXPECT_EQ(parse_conn_filter(a, "conn close").family(), AF_INET);
	}
	{
		Args a = args_of({"remote", "[fe80::2%eth0]:40000", "local", "[::]:7"});
		const ConnFilter f = parse_conn_filter(a, "conn kill", nullptr, fake_index);
		EXPECT_EQ(f.local, inet6("::", 7));
		EXPECT_EQ(f.remote, scoped("fe80::2", 40000, 2));
		EXPECT_EQ(f.family(), AF_INET6);
		EXPECT_EQ(f.ifindex(), 2u);
	}
	{
		/* Both scoped: the same interface, by name and by number. */
		Args a = args_of({"local", "[fe80::1%hskll0]:7", "remote", "[fe80::2%3]:5"});
		const ConnFilter f = parse_conn_filter(a, "conn close", nullptr, fake_index);
		EXPECT_EQ(f.local, scoped("fe80::1", 7, 3));
		EXPECT_EQ(f.remote, scoped("fe80::2", 5, 3));
		EXPECT_EQ(f.ifindex(), 3u);
	}
	{
		Args a = args_of({"local", "[fe80::1%eth0]:7", "remote", "5"});
		EXPECT_EQ(parse_conn_filter(a, "conn close", nullptr, fake_index).ifindex(), 2u);
	}
	{
		Args a = args_of({"local", "[fe80::1]:7", "remote", "[fe80::2]:5"});
		EXPECT_EQ(parse_conn_filter(a, "conn close", nullptr, fake_index).ifindex(), 0u);
	}
}

TEST(ConnFilter, Errors)
{
	const auto err = [](std::initializer_list<const char *> words, bool show = false) {
		Args a = args_of(words);
		bool json = false;
		return usage_error([&] {
			parse_conn_filter(a, show ? "conn show" : "conn close",
					  show ? &json : nullptr);
		});
	};

	EXPECT_EQ(err({"foo"}),
		  "unknown keyword 'foo' for 'conn close' (expected local or remote)");
	EXPECT_EQ(err({"-j"}), "unknown keyword '-j' for 'conn close' (expected local or remote)");
	EXPECT_EQ(err({"foo"}, true),
		  "unknown keyword 'foo' for 'conn show' (expected local, remote, -j or --json)");
	EXPECT_EQ(err({"7"}), "unknown keyword '7' for 'conn close' (expected local or remote)");
	EXPECT_EQ(err({"local"}), "missing value after 'local'");
	EXPECT_EQ(err({"local", "7", "remote"}), "missing value after 'remote'");
	EXPECT_EQ(err({"local", "7", "local", "7"}), "'local' given twice");
	EXPECT_EQ(err({"remote", "7", "local", "8", "remote", "9"}), "'remote' given twice");
	EXPECT_EQ(err({"local", "[::1]"}), "malformed endpoint '[::1]' (expected PORT, "
					   "A.B.C.D:PORT, [IPV6]:PORT or [IPV6%IFACE]:PORT)");
	EXPECT_EQ(err({"remote", "*:80"}, true), "malformed endpoint '*:80' (expected PORT, "
						 "A.B.C.D:PORT, [IPV6]:PORT or [IPV6%IFACE]:PORT)");
	EXPECT_EQ(err({"local", "192.0.2.1:7", "remote", "[::1]:9"}),
		  "local 192.0.2.1:7 and remote [::1]:9 are of different families");
	EXPECT_EQ(err({"remote", "[::]:9", "local", "0.0.0.0:7"}, true),
		  "local 0.0.0.0:7 and remote [::]:9 are of different families");

	const auto scoped_err = [](std::initializer_list<const char *> words) {
		Args a = args_of(words);
		bool json = false;
		return usage_error([&] { parse_conn_filter(a, "conn show", &json, fake_index); });
	};
	EXPECT_EQ(
		scoped_err({"local", "[fe80::1%eth0]:7", "remote", "[fe80::2%hskll0]:9"}),
		"local [fe80::1%eth0]:7 and remote [fe80::2%hskll0]:9 are on different interfaces");
	EXPECT_EQ(scoped_err({"remote", "[fe80::2%9]:9", "local", "[fe80::1%eth0]:7"}),
		  "local [fe80::1%eth0]:7 and remote [fe80::2%9]:9 are on different interfaces");
	EXPECT_EQ(scoped_err({"remote", "[fe80::2%eth9]:9"}),
		  "unknown interface 'eth9' in endpoint '[fe80::2%eth9]:9'");
	EXPECT_EQ(scoped_err({"local", "[2001:db8::1%eth0]:7"}),
		  "endpoint '[2001:db8::1%eth0]:7' has an interface but no link-local address");
	EXPECT_EQ(scoped_err({"local", "[fe80::1%]:7"}),
		  "malformed endpoint '[fe80::1%]:7' (expected PORT, A.B.C.D:PORT, [IPV6]:PORT or "
		  "[IPV6%IFACE]:PORT)");
}

namespace {

Connection conn(const Endpoint &local, const Endpoint &remote,
		unsigned state = HSK_CONN_STATE_ESTABLISHED)
{
	Connection c{};
	c.local = local;
	c.remote = remote;
	c.state = static_cast<std::uint8_t>(state);
	c.mode = HSK_MODE_ECHO;
	return c;
}

ConnFilter filter(std::optional<Endpoint> local, std::optional<Endpoint> remote)
{
	ConnFilter f;
	f.local = local;
	f.remote = remote;
	return f;
}

} // namespace

TEST(ConnFilter, EndpointMatches)
{
	const Endpoint v4 = inet("192.0.2.1", 7);
	const Endpoint v6 = inet6("2001:db8::1", 7);

	EXPECT_TRUE(endpoint_matches(any(7), v4));
	EXPECT_TRUE(endpoint_matches(any(7), v6));
	EXPECT_FALSE(endpoint_matches(any(8), v4));
	EXPECT_TRUE(endpoint_matches(inet("0.0.0.0", 7), v4));
	EXPECT_FALSE(endpoint_matches(inet("0.0.0.0", 7), v6));
	EXPECT_FALSE(endpoint_matches(inet("0.0.0.0", 8), v4));
	EXPECT_TRUE(endpoint_matches(inet6("::", 7), v6));
	EXPECT_FALSE(endpoint_matches(inet6("::", 7), v4));
	EXPECT_TRUE(endpoint_matches(v4, v4));
	EXPECT_FALSE(endpoint_matches(inet("192.0.2.2", 7), v4));
	EXPECT_FALSE(endpoint_matches(inet("192.0.2.1", 8), v4));
	EXPECT_TRUE(endpoint_matches(v6, v6));
	EXPECT_FALSE(endpoint_matches(inet6("2001:db8::2", 7), v6));
	/* Same bytes, other family. */
	EXPECT_FALSE(endpoint_matches(inet6("c000:201::", 7), v4));

	EXPECT_TRUE(is_wildcard(any(7)));
	EXPECT_TRUE(is_wildcard(inet("0.0.0.0", 7)));
	EXPECT_TRUE(is_wildcard(inet6("::", 7)));
	EXPECT_FALSE(is_wildcard(v4));
	EXPECT_FALSE(is_wildcard(inet6("::1", 7)));
}

TEST(ConnFilter, Matches)
{
	const Connection c = conn(inet("192.0.2.1", 7), inet("198.51.100.2", 40000));

	EXPECT_TRUE(filter(std::nullopt, std::nullopt).matches(c));
	EXPECT_TRUE(filter(any(7), std::nullopt).matches(c));
	EXPECT_TRUE(filter(std::nullopt, any(40000)).matches(c));
	EXPECT_TRUE(filter(inet("0.0.0.0", 7), inet("198.51.100.2", 40000)).matches(c));
	EXPECT_TRUE(filter(inet("192.0.2.1", 7), inet("0.0.0.0", 40000)).matches(c));
	EXPECT_FALSE(filter(any(40000), std::nullopt).matches(c)); /* local, not remote */
	EXPECT_FALSE(filter(std::nullopt, any(7)).matches(c));
	EXPECT_FALSE(filter(any(7), any(40001)).matches(c));
	EXPECT_FALSE(filter(inet6("::", 7), std::nullopt).matches(c));
	EXPECT_FALSE(filter(any(7), inet("198.51.100.3", 40000)).matches(c));
}

TEST(ConnFilter, MatchesInterface)
{
	/* The same link-local peer and port on two links. */
	Connection on2 = conn(scoped("fe80::1", 7, 2), scoped("fe80::2", 40000, 2));
	on2.ifindex = 2;
	Connection on3 = conn(scoped("fe80::1", 7, 3), scoped("fe80::2", 40000, 3));
	on3.ifindex = 3;
	/* A global peer reaching our link-local address: only local is scoped. */
	Connection global = conn(scoped("fe80::1", 7, 2), inet6("2001:db8::2", 40000));
	global.ifindex = 2;
	const Connection v4 = conn(inet("192.0.2.1", 7), inet("198.51.100.2", 40000));

	const auto matches = [&](const ConnFilter &f) {
		return std::vector<bool>{f.matches(on2), f.matches(on3), f.matches(global),
					 f.matches(v4)};
	};
	using V = std::vector<bool>;
	/* Without a scope the address matches on every link. */
	EXPECT_EQ(matches(filter(std::nullopt, inet6("fe80::2", 40000))),
		  (V{true, true, false, false}));
	EXPECT_EQ(matches(filter(std::nullopt, scoped("fe80::2", 40000, 2))),
		  (V{true, false, false, false}));
	EXPECT_EQ(matches(filter(std::nullopt, scoped("fe80::2", 40000, 3))),
		  (V{false, true, false, false}));
	EXPECT_EQ(matches(filter(std::nullopt, scoped("fe80::2", 40000, 4))),
		  (V{false, false, false, false}));
	EXPECT_EQ(matches(filter(scoped("fe80::1", 7, 2), std::nullopt)),
		  (V{true, false, true, false}));
	EXPECT_EQ(matches(filter(scoped("fe80::1", 7, 2), any(40000))),
		  (V{true, false, true, false}));
	EXPECT_EQ(matches(filter(scoped("fe80::1", 7, 3), inet6("::", 40000))),
		  (V{false, true, false, false}));
	EXPECT_EQ(matches(filter(any(7), std::nullopt)), (V{true, true, true, true}));
	/* endpoint_matches() leaves the scope to ConnFilter. */
	EXPECT_TRUE(endpoint_matches(scoped("fe80::2", 40000, 3), on2.remote));
}

/* ---- conn show output ---- */

namespace {

std::vector<Connection> sample_conns()
{
	Connection a = conn(inet6("2001:db8::1", 80), inet6("2001:db8::2", 50000),
			    HSK_CONN_STATE_FIN_WAIT_1);
	a.mode = HSK_MODE_TARPIT;
	a.snd_una = 1;
	a.snd_nxt = 2;
	a.rcv_nxt = 3;
	a.snd_wnd = 0;
	a.rcv_wnd = 0;
	a.bytes_in = 0;
	a.bytes_out = 0;

	Connection b = conn(inet("192.0.2.1", 7), inet("198.51.100.2", 40000));
	b.snd_una = 4294967295u;
	b.snd_nxt = 4294967295u;
	b.rcv_nxt = 1000;
	b.snd_wnd = 65535;
	b.rcv_wnd = 65536;
	b.bytes_in = 18446744073709551615ull;
	b.bytes_out = 5;

	Connection c =
		conn(inet("192.0.2.1", 7), inet("198.51.100.2", 39999), HSK_CONN_STATE_MAX + 1);
	c.mode = HSK_MODE_DISCARD;

	std::vector<Connection> v = {a, b, c};
	sort_connections(v);
	return v;
}

} // namespace

TEST(Connections, Sorted)
{
	const auto v = sample_conns();
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[0].remote.port, 39999);
	EXPECT_EQ(v[1].remote.port, 40000);
	EXPECT_EQ(v[2].local.port, 80);
}

TEST(Connections, Json)
{
	const std::string unknown = "UNKNOWN(" + std::to_string(HSK_CONN_STATE_MAX + 1) + ")";

	EXPECT_EQ(connections_json({}), "[]\n");
	EXPECT_EQ(connections_json(sample_conns()),
		  R"([{"family":"inet","local_addr":"192.0.2.1","local_port":7,)"
		  R"("remote_addr":"198.51.100.2","remote_port":39999,"state":")" +
			  unknown +
			  R"(","mode":"discard","snd_una":0,"snd_nxt":0,"rcv_nxt":0,)"
			  R"("snd_wnd":0,"rcv_wnd":0,"bytes_in":0,"bytes_out":0},)"
			  R"({"family":"inet","local_addr":"192.0.2.1","local_port":7,)"
			  R"("remote_addr":"198.51.100.2","remote_port":40000,)"
			  R"("state":"ESTABLISHED","mode":"echo","snd_una":4294967295,)"
			  R"("snd_nxt":4294967295,"rcv_nxt":1000,"snd_wnd":65535,"rcv_wnd":65536,)"
			  R"("bytes_in":18446744073709551615,"bytes_out":5},)"
			  R"({"family":"inet6","local_addr":"2001:db8::1","local_port":80,)"
			  R"("remote_addr":"2001:db8::2","remote_port":50000,)"
			  R"("state":"FIN-WAIT-1","mode":"tarpit","snd_una":1,"snd_nxt":2,)"
			  R"("rcv_nxt":3,"snd_wnd":0,"rcv_wnd":0,"bytes_in":0,"bytes_out":0}])"
			  "\n");
}

TEST(Connections, Text)
{
	std::vector<Connection> v = sample_conns();
	v[0].state = HSK_CONN_STATE_SYN_RECEIVED;

	EXPECT_EQ(connections_text({}), "State  Local  Remote  Mode  Snd-Una  Snd-Nxt  Rcv-Nxt  "
					"Snd-Wnd  Rcv-Wnd  Bytes-In  Bytes-Out\n");
	EXPECT_EQ(connections_text(v),
		  "State         Local             Remote               Mode        Snd-Una  "
		  "   Snd-Nxt  Rcv-Nxt  Snd-Wnd  Rcv-Wnd              Bytes-In  Bytes-Out\n"
		  "SYN-RECEIVED  192.0.2.1:7       198.51.100.2:39999   discard           0  "
		  "         0        0        0        0                     0          0\n"
		  "ESTABLISHED   192.0.2.1:7       198.51.100.2:40000   echo     4294967295  "
		  "4294967295     1000    65535    65536  18446744073709551615          5\n"
		  "FIN-WAIT-1    [2001:db8::1]:80  [2001:db8::2]:50000  tarpit            1  "
		  "         2        3        0        0                     0          0\n");
}

namespace {

/* Link-local connections: the same peer on eth0 and hskll0, one on an interface that is gone. */
std::vector<Connection> link_local_conns()
{
	Connection a = conn(scoped("fe80::1", 7, 3), scoped("fe80::2", 40000, 3));
	a.ifindex = 3;
	Connection b = conn(scoped("fe80::1", 7, 2), scoped("fe80::2", 40000, 2));
	b.ifindex = 2;
	Connection c = conn(scoped("fe80::1", 7, 9), inet6("2001:db8::2", 40000));
	c.ifindex = 9;
	Connection d = conn(inet6("2001:db8::1", 7), inet6("2001:db8::2", 40000));

	std::vector<Connection> v = {a, b, c, d};
	sort_connections(v);
	return v;
}

} // namespace

TEST(Connections, SortedByInterface)
{
	const auto v = link_local_conns();
	ASSERT_EQ(v.size(), 4u);
	EXPECT_EQ(v[0].ifindex, 0u); /* 2001:db8::1 < fe80::1 */
	EXPECT_EQ(v[1].ifindex, 2u);
	EXPECT_EQ(v[2].ifindex, 3u);
	EXPECT_EQ(v[3].ifindex, 9u);

	/* Only the interface tells these two apart. */
	Connection x = conn(inet6("2001:db8::1", 7), inet6("2001:db8::2", 40000));
	x.ifindex = 5;
	Connection y = x;
	y.ifindex = 4;
	std::vector<Connection> w = {x, y};
	sort_connections(w);
	EXPECT_EQ(w[0].ifindex, 4u);
}

TEST(Connections, JsonInterface)
{
	const std::string tail =
		R"("state":"ESTABLISHED","mode":"echo","snd_una":0,"snd_nxt":0,)"
		R"("rcv_nxt":0,"snd_wnd":0,"rcv_wnd":0,"bytes_in":0,"bytes_out":0})";

	EXPECT_EQ(
		connections_json(link_local_conns(), fake_name),
		R"([{"family":"inet6","local_addr":"2001:db8::1","local_port":7,)"
		R"("remote_addr":"2001:db8::2","remote_port":40000,)" +
			tail +
			R"(,{"family":"inet6","local_addr":"fe80::1","local_port":7,)"
			R"("remote_addr":"fe80::2","remote_port":40000,"ifindex":2,"dev":"eth0",)" +
			tail +
			R"(,{"family":"inet6","local_addr":"fe80::1","local_port":7,)"
			R"("remote_addr":"fe80::2","remote_port":40000,"ifindex":3,)"
			R"("dev":"hskll0",)" +
			tail +
			R"(,{"family":"inet6","local_addr":"fe80::1","local_port":7,)"
			R"("remote_addr":"2001:db8::2","remote_port":40000,"ifindex":9,)" +
			tail + "]\n");
	/* Without names, no "dev". */
	const std::string j = connections_json(link_local_conns());
	EXPECT_EQ(j.find("\"dev\""), std::string::npos);
	EXPECT_NE(j.find("\"ifindex\":2,\"state\""), std::string::npos);
}

TEST(Connections, TextInterface)
{
	EXPECT_EQ(
		connections_text(link_local_conns(), fake_name),
		"State        Local               Remote                  Mode  Snd-Una  Snd-Nxt  "
		"Rcv-Nxt  Snd-Wnd  Rcv-Wnd  Bytes-In  Bytes-Out\n"
		"ESTABLISHED  [2001:db8::1]:7     [2001:db8::2]:40000     echo        0        0  "
		"      0        0        0         0          0\n"
		"ESTABLISHED  [fe80::1%eth0]:7    [fe80::2%eth0]:40000    echo        0        0  "
		"      0        0        0         0          0\n"
		"ESTABLISHED  [fe80::1%hskll0]:7  [fe80::2%hskll0]:40000  echo        0        0  "
		"      0        0        0         0          0\n"
		"ESTABLISHED  [fe80::1%9]:7       [2001:db8::2]:40000     echo        0        0  "
		"      0        0        0         0          0\n");
}

TEST(Connections, CountJson)
{
	EXPECT_EQ(count_json(0), "{\"count\":0}\n");
	EXPECT_EQ(count_json(4294967295u), "{\"count\":4294967295}\n");
}

/* ---- stats and config show output ---- */

TEST(Values, Json)
{
	EXPECT_EQ(values_json({}), "{}\n");
	EXPECT_EQ(values_json({{"synack_retries", 5},
			       {"time_wait_ms", 60000},
			       {"idle_timeout_ms", 0},
			       {"rto_min_ms", 200},
			       {"max_conns", 65536}}),
		  R"({"synack_retries":5,"time_wait_ms":60000,"idle_timeout_ms":0,)"
		  R"("rto_min_ms":200,"max_conns":65536})"
		  "\n");
	EXPECT_EQ(values_json({{"bytes_in", 18446744073709551615ull}}),
		  "{\"bytes_in\":18446744073709551615}\n");
}

TEST(Values, Text)
{
	EXPECT_EQ(values_text({}), "");
	EXPECT_EQ(values_text({{"syn_recv", 3}, {"challenge_acks", 12345}, {"nomem", 0}}),
		  "syn_recv            3\n"
		  "challenge_acks  12345\n"
		  "nomem               0\n");
}

/* ---- extended ACK parsing ---- */

namespace {

/* Builds a netlink message byte by byte, 4-byte aligned like the kernel. */
class RawMsg
{
public:
	RawMsg(std::uint16_t type, std::uint16_t flags) : type_(type), flags_(flags) {}

	RawMsg &bytes(const void *p, std::size_t n)
	{
		const auto *b = static_cast<const char *>(p);
		body_.append(b, n);
		body_.append(NLMSG_ALIGN(body_.size()) - body_.size(), '\0');
		return *this;
	}
	RawMsg &attr(std::uint16_t type, const void *p, std::size_t n)
	{
		const nlattr a = {static_cast<std::uint16_t>(NLA_HDRLEN + n), type};
		bytes(&a, sizeof(a));
		return bytes(p, n);
	}
	RawMsg &str(std::uint16_t type, const std::string &s)
	{
		return attr(type, s.c_str(), s.size() + 1);
	}
	RawMsg &u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, sizeof(v)); }

	/* The message, in 4-byte aligned storage. */
	const nlmsghdr *get()
	{
		nlmsghdr h = {};
		h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + body_.size());
		h.nlmsg_type = type_;
		h.nlmsg_flags = flags_;
		buf_.assign((h.nlmsg_len + 3) / 4, 0);
		std::memcpy(buf_.data(), &h, sizeof(h));
		std::memcpy(reinterpret_cast<char *>(buf_.data()) + NLMSG_HDRLEN, body_.data(),
			    body_.size());
		return reinterpret_cast<const nlmsghdr *>(buf_.data());
	}

private:
	std::uint16_t type_;
	std::uint16_t flags_;
	std::string body_;
	std::vector<std::uint32_t> buf_;
};

/* A request as the kernel echoes it back: header and 8 bytes of payload. */
nlmsgerr error_head(int err, std::uint32_t request_len)
{
	nlmsgerr e = {};
	e.error = err;
	e.msg.nlmsg_len = request_len;
	e.msg.nlmsg_type = 0x20;
	return e;
}

} // namespace

TEST(Extack, CappedError)
{
	const nlmsgerr e = error_head(-EEXIST, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e))
		.str(NLMSGERR_ATTR_MSG, "listener exists")
		.u32(NLMSGERR_ATTR_OFFS, 20);
	const nlmsghdr *nlh = m.get();

	EXPECT_EQ(netlink::status_of(nlh), EEXIST);
	EXPECT_EQ(netlink::extack_of(nlh), "listener exists");
}

TEST(Extack, UncappedError)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	const char request_payload[8] = {1, 1, 0, 0, 8, 0, 3, 0};
	RawMsg m(NLMSG_ERROR, NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e))
		.bytes(request_payload, sizeof(request_payload))
		.u32(NLMSGERR_ATTR_OFFS, 20)
		.str(NLMSGERR_ATTR_MSG, "port 0 is not valid");
	const nlmsghdr *nlh = m.get();

	EXPECT_EQ(netlink::status_of(nlh), EINVAL);
	EXPECT_EQ(netlink::extack_of(nlh), "port 0 is not valid");
}

TEST(Extack, NoTlvs)
{
	const nlmsgerr e = error_head(-EPERM, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED);
	m.bytes(&e, sizeof(e));
	const nlmsghdr *nlh = m.get();

	EXPECT_EQ(netlink::status_of(nlh), EPERM);
	EXPECT_EQ(netlink::extack_of(nlh), "");
}

TEST(Extack, FlagWithoutTlvs)
{
	const nlmsgerr e = error_head(-EPERM, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e));

	EXPECT_EQ(netlink::extack_of(m.get()), "");
}

TEST(Extack, MissingAttribute)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e)).u32(5 /* NLMSGERR_ATTR_MISS_TYPE */, HSK_LISTEN_A_PORT);

	EXPECT_EQ(netlink::extack_of(m.get()),
		  "missing attribute " + std::to_string(HSK_LISTEN_A_PORT));
}

TEST(Extack, MessageBeatsMissingAttribute)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e)).u32(5, 3).str(NLMSGERR_ATTR_MSG, "port is required");

	EXPECT_EQ(netlink::extack_of(m.get()), "port is required");
}

TEST(Extack, UnknownTlvsAreIgnored)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e)).u32(42, 1).str(NLMSGERR_ATTR_MSG, "bad mode").u32(43, 2);

	EXPECT_EQ(netlink::extack_of(m.get()), "bad mode");
}

TEST(Extack, MadeOneLine)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	m.bytes(&e, sizeof(e)).str(NLMSGERR_ATTR_MSG, "two\nlines\tand\x1b");

	EXPECT_EQ(netlink::extack_of(m.get()), "two lines and ");
}

TEST(Extack, MalformedTlvsAreIgnored)
{
	const nlmsgerr e = error_head(-EINVAL, NLMSG_HDRLEN + 8);
	{
		/* string without its terminating NUL */
		RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
		m.bytes(&e, sizeof(e)).attr(NLMSGERR_ATTR_MSG, "abcd", 4);
		EXPECT_EQ(netlink::extack_of(m.get()), "");
	}
	{
		/* attribute longer than the message */
		const nlattr a = {200, NLMSGERR_ATTR_MSG};
		RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
		m.bytes(&e, sizeof(e)).bytes(&a, sizeof(a)).bytes("xy", 3);
		EXPECT_EQ(netlink::extack_of(m.get()), "");
	}
	{
		/* uncapped, but the echoed request claims to be longer than the message */
		const nlmsgerr big = error_head(-EINVAL, 4096);
		RawMsg m(NLMSG_ERROR, NLM_F_ACK_TLVS);
		m.bytes(&big, sizeof(big)).str(NLMSGERR_ATTR_MSG, "x");
		EXPECT_EQ(netlink::extack_of(m.get()), "");
	}
	{
		/* too short to hold a struct nlmsgerr */
		const int err = -EINVAL;
		RawMsg m(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
		m.bytes(&err, sizeof(err));
		EXPECT_EQ(netlink::extack_of(m.get()), "");
	}
}

TEST(Extack, DumpDone)
{
	const int err = -EINVAL;
	RawMsg m(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	m.bytes(&err, sizeof(err)).str(NLMSGERR_ATTR_MSG, "dump failed");
	const nlmsghdr *nlh = m.get();

	EXPECT_EQ(netlink::status_of(nlh), EINVAL);
	EXPECT_EQ(netlink::extack_of(nlh), "dump failed");
}

TEST(Extack, DumpDoneSuccess)
{
	const int ok = 0;
	RawMsg m(NLMSG_DONE, NLM_F_MULTI);
	m.bytes(&ok, sizeof(ok));

	EXPECT_EQ(netlink::status_of(m.get()), 0);
	EXPECT_EQ(netlink::extack_of(m.get()), "");
	RawMsg empty(NLMSG_DONE, NLM_F_MULTI); /* very old kernels: no payload */
	EXPECT_EQ(netlink::status_of(empty.get()), 0);
}

TEST(Extack, OtherMessages)
{
	RawMsg m(0x20, NLM_F_MULTI | NLM_F_ACK_TLVS);
	m.u32(1, 0xffffffff).str(NLMSGERR_ATTR_MSG, "not an error");

	EXPECT_EQ(netlink::status_of(m.get()), 0);
	EXPECT_EQ(netlink::extack_of(m.get()), "");
}

TEST(NetlinkError, Text)
{
	EXPECT_STREQ(netlink::Error::kernel(EINVAL, "bad port").what(),
		     "Invalid argument: bad port");
	EXPECT_STREQ(netlink::Error::kernel(EINVAL, "").what(), "Invalid argument");
	const auto e = netlink::Error::kernel(EEXIST, "x");
	EXPECT_EQ(e.kind(), netlink::Error::Kind::kernel);
	EXPECT_EQ(e.code(), EEXIST);
	EXPECT_EQ(e.extack(), "x");
	EXPECT_EQ(netlink::Error::family_missing("hsk").kind(),
		  netlink::Error::Kind::family_missing);
}

/* ---- hsk requests and answers, on messages built with libnl ---- */

namespace {

/* A generic netlink message of the hsk family, as either side builds it. */
class GenlMsg
{
public:
	explicit GenlMsg(std::uint8_t cmd) : msg_(nlmsg_alloc())
	{
		EXPECT_TRUE(msg_);
		EXPECT_NE(genlmsg_put(msg_.get(), 0, 0, 0x20, 0, 0, cmd, HSK_GENL_VERSION),
			  nullptr);
	}

	nl_msg *get() const noexcept { return msg_.get(); }
	netlink::Message builder() const noexcept { return netlink::Message(msg_.get()); }
	/* Bytes of attributes after the generic netlink header. */
	int attrlen() const { return genlmsg_attrlen(genlmsg_hdr(nlmsg_hdr(msg_.get())), 0); }

	/* genlmsg_parse() with policy: 0 or a negative libnl error. */
	int parse(const netlink::Policy &p)
	{
		tb_.assign(static_cast<std::size_t>(p.maxtype) + 1, nullptr);
		return genlmsg_parse(nlmsg_hdr(msg_.get()), 0, tb_.data(), p.maxtype, p.policy);
	}
	/* The attributes, parsed with policy (valid as long as this message). */
	netlink::Attrs attrs(const netlink::Policy &p)
	{
		EXPECT_EQ(parse(p), 0);
		return netlink::Attrs(tb_);
	}

private:
	netlink::MsgPtr msg_;
	std::vector<nlattr *> tb_;
};

std::vector<std::uint8_t> bytes_of(const nlattr *a)
{
	const auto *p = static_cast<const std::uint8_t *>(nla_data(a));
	return std::vector<std::uint8_t>(p, p + nla_len(a));
}

std::vector<std::uint8_t> addr_bytes(const Endpoint &ep)
{
	return std::vector<std::uint8_t>(ep.addr.begin(), ep.addr.begin() + ep.addr_len());
}

/* The request put_conn_filter() builds for words ("local", "7", ...). */
std::unique_ptr<GenlMsg> close_request(std::initializer_list<const char *> words)
{
	Args a = args_of(words);
	const ConnFilter f = parse_conn_filter(a, "conn close");
	auto msg = std::make_unique<GenlMsg>(HSK_CMD_CONN_CLOSE);
	netlink::Message m = msg->builder();
	put_conn_filter(m, f);
	return msg;
}

/* Which HSK_CONN_A_* attributes a message has. */
std::vector<int> present(const netlink::Attrs &a)
{
	std::vector<int> types;
	for (int t = 0; t <= HSK_CONN_A_MAX; t++)
		if (a.has(t))
			types.push_back(t);
	return types;
}

/* A connection as the kernel reports it, leaving out the attribute skip. */
void put_connection(nl_msg *msg, int family, const Endpoint &local, const Endpoint &remote,
		    int skip = -1)
{
	const auto put = [&](int type, auto fn) {
		if (type != skip) {
			EXPECT_EQ(fn(), 0) << type;
		}
	};
	put(HSK_CONN_A_FAMILY, [&] { return nla_put_u16(msg, HSK_CONN_A_FAMILY, family); });
	put(HSK_CONN_A_LOCAL_ADDR, [&] {
		return nla_put(msg, HSK_CONN_A_LOCAL_ADDR, static_cast<int>(local.addr_len()),
			       local.addr.data());
	});
	put(HSK_CONN_A_LOCAL_PORT,
	    [&] { return nla_put_u16(msg, HSK_CONN_A_LOCAL_PORT, local.port); });
	put(HSK_CONN_A_REMOTE_ADDR, [&] {
		return nla_put(msg, HSK_CONN_A_REMOTE_ADDR, static_cast<int>(remote.addr_len()),
			       remote.addr.data());
	});
	put(HSK_CONN_A_REMOTE_PORT,
	    [&] { return nla_put_u16(msg, HSK_CONN_A_REMOTE_PORT, remote.port); });
	put(HSK_CONN_A_STATE,
	    [&] { return nla_put_u8(msg, HSK_CONN_A_STATE, HSK_CONN_STATE_CLOSE_WAIT); });
	put(HSK_CONN_A_MODE, [&] { return nla_put_u32(msg, HSK_CONN_A_MODE, HSK_MODE_DISCARD); });
	put(HSK_CONN_A_SND_UNA, [&] { return nla_put_u32(msg, HSK_CONN_A_SND_UNA, 11); });
	put(HSK_CONN_A_SND_NXT, [&] { return nla_put_u32(msg, HSK_CONN_A_SND_NXT, 4294967295u); });
	put(HSK_CONN_A_RCV_NXT, [&] { return nla_put_u32(msg, HSK_CONN_A_RCV_NXT, 13); });
	put(HSK_CONN_A_SND_WND, [&] { return nla_put_u32(msg, HSK_CONN_A_SND_WND, 14); });
	put(HSK_CONN_A_RCV_WND, [&] { return nla_put_u32(msg, HSK_CONN_A_RCV_WND, 15); });
	/* A pad attribute, as nla_put_u64_64bit() adds before 64-bit values. */
	put(HSK_CONN_A_PAD, [&] { return nla_put(msg, HSK_CONN_A_PAD, 0, nullptr); });
	put(HSK_CONN_A_BYTES_IN,
	    [&] { return nla_put_u64(msg, HSK_CONN_A_BYTES_IN, 18446744073709551615ull); });
	put(HSK_CONN_A_BYTES_OUT,
	    [&] { return nla_put_u64(msg, HSK_CONN_A_BYTES_OUT, 0x100000001ull); });
}

} // namespace

TEST(ConnRequest, NoFilter)
{
	const auto msg = close_request({});
	EXPECT_EQ(msg->attrlen(), 0);
}

TEST(ConnRequest, PortAlone)
{
	const auto msg = close_request({"local", "7"});
	const netlink::Attrs a = msg->attrs(conn_policy());
	EXPECT_EQ(present(a), std::vector<int>{HSK_CONN_A_LOCAL_PORT});
	EXPECT_EQ(a.u16(HSK_CONN_A_LOCAL_PORT, "port"), 7);

	const auto r = close_request({"remote", "65535"});
	const netlink::Attrs b = r->attrs(conn_policy());
	EXPECT_EQ(present(b), std::vector<int>{HSK_CONN_A_REMOTE_PORT});
	EXPECT_EQ(b.u16(HSK_CONN_A_REMOTE_PORT, "port"), 65535);
}

TEST(ConnRequest, FamilyWildcard)
{
	const auto msg = close_request({"local", "0.0.0.0:7"});
	const netlink::Attrs a = msg->attrs(conn_policy());
	EXPECT_EQ(present(a), (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_LOCAL_PORT}));
	EXPECT_EQ(a.u16(HSK_CONN_A_FAMILY, "family"), AF_INET);

	const auto r = close_request({"remote", "[::]:9", "local", "7"});
	const netlink::Attrs b = r->attrs(conn_policy());
	EXPECT_EQ(present(b), (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_LOCAL_PORT,
						HSK_CONN_A_REMOTE_PORT}));
	EXPECT_EQ(b.u16(HSK_CONN_A_FAMILY, "family"), AF_INET6);
	EXPECT_EQ(b.u16(HSK_CONN_A_LOCAL_PORT, "port"), 7);
	EXPECT_EQ(b.u16(HSK_CONN_A_REMOTE_PORT, "port"), 9);
}

TEST(ConnRequest, Addresses)
{
	const auto msg = close_request({"local", "192.0.2.1:7", "remote", "198.51.100.2:40000"});
	const netlink::Attrs a = msg->attrs(conn_policy());
	EXPECT_EQ(present(a),
		  (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_LOCAL_ADDR, HSK_CONN_A_LOCAL_PORT,
				    HSK_CONN_A_REMOTE_ADDR, HSK_CONN_A_REMOTE_PORT}));
	EXPECT_EQ(a.u16(HSK_CONN_A_FAMILY, "family"), AF_INET);
	EXPECT_EQ(bytes_of(a.get(HSK_CONN_A_LOCAL_ADDR)), addr_bytes(inet("192.0.2.1", 7)));
	EXPECT_EQ(bytes_of(a.get(HSK_CONN_A_REMOTE_ADDR)), addr_bytes(inet("198.51.100.2", 1)));
	EXPECT_EQ(a.u16(HSK_CONN_A_LOCAL_PORT, "port"), 7);
	EXPECT_EQ(a.u16(HSK_CONN_A_REMOTE_PORT, "port"), 40000);

	const auto r = close_request({"remote", "[2001:db8::2]:5", "local", "[::]:80"});
	const netlink::Attrs b = r->attrs(conn_policy());
	EXPECT_EQ(present(b), (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_LOCAL_PORT,
						HSK_CONN_A_REMOTE_ADDR, HSK_CONN_A_REMOTE_PORT}));
	EXPECT_EQ(b.u16(HSK_CONN_A_FAMILY, "family"), AF_INET6);
	EXPECT_EQ(bytes_of(b.get(HSK_CONN_A_REMOTE_ADDR)), addr_bytes(inet6("2001:db8::2", 5)));
}

TEST(ConnRequest, Interface)
{
	Args a = args_of({"remote", "[fe80::2%hskll0]:40000"});
	const ConnFilter f = parse_conn_filter(a, "conn kill", nullptr, fake_index);
	GenlMsg msg(HSK_CMD_CONN_KILL);
	netlink::Message m = msg.builder();
	put_conn_filter(m, f);
	const netlink::Attrs b = msg.attrs(conn_policy());
	EXPECT_EQ(present(b), (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_REMOTE_ADDR,
						HSK_CONN_A_REMOTE_PORT, HSK_CONN_A_IFINDEX}));
	EXPECT_EQ(bytes_of(b.get(HSK_CONN_A_REMOTE_ADDR)), addr_bytes(inet6("fe80::2", 1)));
	EXPECT_EQ(b.u32(HSK_CONN_A_IFINDEX, "ifindex"), 3u);

	/* A local scope alone, by number. */
	const auto r = close_request({"local", "[fe80::1%7]:22"});
	const netlink::Attrs c = r->attrs(conn_policy());
	EXPECT_EQ(present(c), (std::vector<int>{HSK_CONN_A_FAMILY, HSK_CONN_A_LOCAL_ADDR,
						HSK_CONN_A_LOCAL_PORT, HSK_CONN_A_IFINDEX}));
	EXPECT_EQ(c.u32(HSK_CONN_A_IFINDEX, "ifindex"), 7u);

	/* A link-local address without a scope: no interface. */
	const auto u = close_request({"remote", "[fe80::2]:40000"});
	EXPECT_FALSE(u->attrs(conn_policy()).has(HSK_CONN_A_IFINDEX));
}

TEST(ConnAnswer, Interface)
{
	{
		GenlMsg msg(HSK_CMD_CONN_GET);
		put_connection(msg.get(), AF_INET6, inet6("fe80::1", 7), inet6("fe80::2", 40000));
		ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONN_A_IFINDEX, 3), 0);
		const Connection c = to_connection(msg.attrs(conn_policy()));
		EXPECT_EQ(c.ifindex, 3u);
		EXPECT_EQ(c.local, scoped("fe80::1", 7, 3));
		EXPECT_EQ(c.remote, scoped("fe80::2", 40000, 3));
	}
	{
		/* Only the link-local address gets the scope. */
		GenlMsg msg(HSK_CMD_CONN_GET);
		put_connection(msg.get(), AF_INET6, inet6("fe80::1", 7),
			       inet6("2001:db8::2", 40000));
		ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONN_A_IFINDEX, 2), 0);
		const Connection c = to_connection(msg.attrs(conn_policy()));
		EXPECT_EQ(c.ifindex, 2u);
		EXPECT_EQ(c.local, scoped("fe80::1", 7, 2));
		EXPECT_EQ(c.remote, inet6("2001:db8::2", 40000));
	}
	{
		/* Absent: no interface, even for a link-local address (an older module). */
		GenlMsg msg(HSK_CMD_CONN_GET);
		put_connection(msg.get(), AF_INET6, inet6("fe80::1", 7), inet6("fe80::2", 40000));
		const Connection c = to_connection(msg.attrs(conn_policy()));
		EXPECT_EQ(c.ifindex, 0u);
		EXPECT_EQ(c.remote, inet6("fe80::2", 40000));
	}
	{
		GenlMsg msg(HSK_CMD_CONN_GET);
		const std::uint16_t short_u32 = 1;
		ASSERT_EQ(nla_put(msg.get(), HSK_CONN_A_IFINDEX, 2, &short_u32), 0);
		EXPECT_LT(msg.parse(conn_policy()), 0);
	}
}

TEST(ConnAnswer, Parses)
{
	GenlMsg msg(HSK_CMD_CONN_GET);
	const Endpoint local = inet6("2001:db8::1", 80);
	const Endpoint remote = inet6("2001:db8::2", 50000);
	put_connection(msg.get(), AF_INET6, local, remote);
	/* A newer kernel's attribute is ignored. */
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONN_A_MAX + 1, 1), 0);

	const Connection c = to_connection(msg.attrs(conn_policy()));
	EXPECT_EQ(c.local, local);
	EXPECT_EQ(c.remote, remote);
	EXPECT_EQ(c.state, HSK_CONN_STATE_CLOSE_WAIT);
	EXPECT_EQ(c.mode, std::uint32_t(HSK_MODE_DISCARD));
	EXPECT_EQ(c.snd_una, 11u);
	EXPECT_EQ(c.snd_nxt, 4294967295u);
	EXPECT_EQ(c.rcv_nxt, 13u);
	EXPECT_EQ(c.snd_wnd, 14u);
	EXPECT_EQ(c.rcv_wnd, 15u);
	EXPECT_EQ(c.bytes_in, 18446744073709551615ull);
	EXPECT_EQ(c.bytes_out, 0x100000001ull);

	GenlMsg v4(HSK_CMD_CONN_GET);
	put_connection(v4.get(), AF_INET, inet("192.0.2.1", 7), inet("198.51.100.2", 40000));
	const Connection d = to_connection(v4.attrs(conn_policy()));
	EXPECT_EQ(d.local, inet("192.0.2.1", 7));
	EXPECT_EQ(d.remote, inet("198.51.100.2", 40000));
}

TEST(ConnAnswer, EveryAttributeIsRequired)
{
	const std::pair<int, const char *> required[] = {
		{HSK_CONN_A_FAMILY, "HSK_CONN_A_FAMILY"},
		{HSK_CONN_A_LOCAL_ADDR, "HSK_CONN_A_LOCAL_ADDR"},
		{HSK_CONN_A_LOCAL_PORT, "HSK_CONN_A_LOCAL_PORT"},
		{HSK_CONN_A_REMOTE_ADDR, "HSK_CONN_A_REMOTE_ADDR"},
		{HSK_CONN_A_REMOTE_PORT, "HSK_CONN_A_REMOTE_PORT"},
		{HSK_CONN_A_STATE, "HSK_CONN_A_STATE"},
		{HSK_CONN_A_MODE, "HSK_CONN_A_MODE"},
		{HSK_CONN_A_SND_UNA, "HSK_CONN_A_SND_UNA"},
		{HSK_CONN_A_SND_NXT, "HSK_CONN_A_SND_NXT"},
		{HSK_CONN_A_RCV_NXT, "HSK_CONN_A_RCV_NXT"},
		{HSK_CONN_A_SND_WND, "HSK_CONN_A_SND_WND"},
		{HSK_CONN_A_RCV_WND, "HSK_CONN_A_RCV_WND"},
		{HSK_CONN_A_BYTES_IN, "HSK_CONN_A_BYTES_IN"},
		{HSK_CONN_A_BYTES_OUT, "HSK_CONN_A_BYTES_OUT"},
	};
	for (const auto &[type, name] : required) {
		GenlMsg msg(HSK_CMD_CONN_GET);
		put_connection(msg.get(), AF_INET, inet("192.0.2.1", 7), inet("192.0.2.2", 8),
			       type);
		try {
			to_connection(msg.attrs(conn_policy()));
			ADD_FAILURE() << "accepted an answer without " << name;
		} catch (const netlink::Error &e) {
			EXPECT_EQ(e.kind(), netlink::Error::Kind::protocol);
			EXPECT_EQ(std::string(e.what()),
				  std::string("the kernel's answer lacks ") + name);
		}
	}
	/* HSK_CONN_A_PAD, HSK_CONN_A_COUNT and HSK_CONN_A_IFINDEX are not. */
	GenlMsg msg(HSK_CMD_CONN_GET);
	put_connection(msg.get(), AF_INET, inet("192.0.2.1", 7), inet("192.0.2.2", 8),
		       HSK_CONN_A_PAD);
	EXPECT_NO_THROW(to_connection(msg.attrs(conn_policy())));
}

TEST(ConnAnswer, FamilyAndAddressesMustAgree)
{
	const auto rejects = [](int family, const Endpoint &local, const Endpoint &remote) {
		GenlMsg msg(HSK_CMD_CONN_GET);
		put_connection(msg.get(), family, local, remote);
		try {
			to_connection(msg.attrs(conn_policy()));
		} catch (const netlink::Error &e) {
			return e.kind() == netlink::Error::Kind::protocol;
		}
		return false;
	};
	const Endpoint v4 = inet("192.0.2.1", 7);
	const Endpoint v6 = inet6("2001:db8::1", 7);

	EXPECT_TRUE(rejects(AF_INET, v6, v6));
	EXPECT_TRUE(rejects(AF_INET6, v4, v4));
	EXPECT_TRUE(rejects(AF_INET6, v6, v4));
	EXPECT_TRUE(rejects(AF_INET, v4, v6));
	EXPECT_TRUE(rejects(AF_UNSPEC, v4, v4));
	EXPECT_TRUE(rejects(AF_PACKET, v4, v4));
}

TEST(ConnAnswer, PolicyRejectsBadLengths)
{
	{
		GenlMsg msg(HSK_CMD_CONN_GET);
		const std::uint32_t short_u64 = 1;
		ASSERT_EQ(nla_put(msg.get(), HSK_CONN_A_BYTES_IN, 4, &short_u64), 0);
		EXPECT_LT(msg.parse(conn_policy()), 0);
	}
	{
		GenlMsg msg(HSK_CMD_CONN_GET);
		const std::uint8_t addr[3] = {1, 2, 3};
		ASSERT_EQ(nla_put(msg.get(), HSK_CONN_A_LOCAL_ADDR, 3, addr), 0);
		EXPECT_LT(msg.parse(conn_policy()), 0);
	}
	{
		GenlMsg msg(HSK_CMD_CONN_GET);
		const std::uint8_t addr[17] = {};
		ASSERT_EQ(nla_put(msg.get(), HSK_CONN_A_REMOTE_ADDR, 17, addr), 0);
		EXPECT_LT(msg.parse(conn_policy()), 0);
	}
}

TEST(ConnAnswer, Count)
{
	GenlMsg msg(HSK_CMD_CONN_KILL);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONN_A_COUNT, 42), 0);
	EXPECT_EQ(conn_count(msg.attrs(conn_policy())), 42u);

	GenlMsg none(HSK_CMD_CONN_KILL);
	EXPECT_THROW(conn_count(none.attrs(conn_policy())), netlink::Error);
}

TEST(StatsAnswer, Parses)
{
	GenlMsg msg(HSK_CMD_STATS_GET);
	ASSERT_EQ(nla_put(msg.get(), HSK_STATS_A_PAD, 0, nullptr), 0);
	for (int a = HSK_STATS_A_MAX; a > HSK_STATS_A_PAD; a--) /* order does not matter */
		ASSERT_EQ(nla_put_u64(msg.get(), a,
				      1000ull * static_cast<unsigned>(a) + (1ull << 40)),
			  0);
	ASSERT_EQ(nla_put_u64(msg.get(), HSK_STATS_A_MAX + 1, 7), 0); /* newer: ignored */

	const auto counters = to_counters(msg.attrs(stats_policy()));
	const auto names = stat_names();
	ASSERT_EQ(counters.size(), names.size());
	for (std::size_t i = 0; i < counters.size(); i++) {
		const int attr = HSK_STATS_A_PAD + 1 + static_cast<int>(i);
		EXPECT_EQ(counters[i].name, names[i]);
		EXPECT_EQ(counters[i].value, 1000ull * static_cast<unsigned>(attr) + (1ull << 40));
	}
}

TEST(StatsAnswer, AbsentCountersAreLeftOut)
{
	GenlMsg msg(HSK_CMD_STATS_GET);
	ASSERT_EQ(nla_put_u64(msg.get(), HSK_STATS_A_NOMEM, 2), 0);
	ASSERT_EQ(nla_put_u64(msg.get(), HSK_STATS_A_SYN_RECV, 1), 0);

	const auto counters = to_counters(msg.attrs(stats_policy()));
	ASSERT_EQ(counters.size(), 2u);
	EXPECT_EQ(counters[0].name, "syn_recv");
	EXPECT_EQ(counters[0].value, 1u);
	EXPECT_EQ(counters[1].name, "nomem");
	EXPECT_EQ(counters[1].value, 2u);
	EXPECT_EQ(values_json(counters), "{\"syn_recv\":1,\"nomem\":2}\n");

	GenlMsg bad(HSK_CMD_STATS_GET);
	ASSERT_EQ(nla_put_u32(bad.get(), HSK_STATS_A_DROPS, 1), 0); /* not a u64 */
	EXPECT_LT(bad.parse(stats_policy()), 0);
}

TEST(ConfigAnswer, Parses)
{
	GenlMsg msg(HSK_CMD_CONFIG_GET);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_MAX_CONNS, HSK_MAX_CONNS_DEFAULT), 0);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_RTO_MIN_MS, HSK_RTO_MIN_MS_DEFAULT), 0);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_IDLE_TIMEOUT_MS, 0), 0);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_TIME_WAIT_MS, HSK_TIME_WAIT_MS_DEFAULT), 0);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_SYNACK_RETRIES, HSK_SYNACK_RETRIES_DEFAULT),
		  0);
	ASSERT_EQ(nla_put_u32(msg.get(), HSK_CONFIG_A_MAX + 1, 9), 0); /* newer: ignored */

	const auto settings = to_settings(msg.attrs(config_policy()));
	EXPECT_EQ(values_json(settings),
		  "{\"synack_retries\":" + std::to_string(HSK_SYNACK_RETRIES_DEFAULT) +
			  ",\"time_wait_ms\":" + std::to_string(HSK_TIME_WAIT_MS_DEFAULT) +
			  ",\"idle_timeout_ms\":0,\"rto_min_ms\":" +
			  std::to_string(HSK_RTO_MIN_MS_DEFAULT) +
			  ",\"max_conns\":" + std::to_string(HSK_MAX_CONNS_DEFAULT) + "}\n");
}

TEST(ConfigRequest, Set)
{
	Args args = args_of({"rto_min_ms", "1", "max_conns", "4294967295"});
	GenlMsg msg(HSK_CMD_CONFIG_SET);
	netlink::Message m = msg.builder();
	put_settings(m, parse_config_set(args));

	const netlink::Attrs a = msg.attrs(config_policy());
	for (int t = 0; t <= HSK_CONFIG_A_MAX; t++)
		EXPECT_EQ(a.has(t), t == HSK_CONFIG_A_RTO_MIN_MS || t == HSK_CONFIG_A_MAX_CONNS)
			<< t;
	EXPECT_EQ(a.u32(HSK_CONFIG_A_RTO_MIN_MS, "rto_min_ms"), 1u);
	EXPECT_EQ(a.u32(HSK_CONFIG_A_MAX_CONNS, "max_conns"), 4294967295u);
	EXPECT_EQ(msg.attrlen(), 2 * NLA_ALIGN(NLA_HDRLEN + 4));
}

TEST(Attrs, Getters)
{
	GenlMsg msg(HSK_CMD_CONN_GET);
	ASSERT_EQ(nla_put_u8(msg.get(), HSK_CONN_A_STATE, 200), 0);
	ASSERT_EQ(nla_put_u64(msg.get(), HSK_CONN_A_BYTES_IN, 0x0102030405060708ull), 0);
	const netlink::Attrs a = msg.attrs(conn_policy());

	EXPECT_EQ(a.u8(HSK_CONN_A_STATE, "state"), 200);
	EXPECT_EQ(a.u64(HSK_CONN_A_BYTES_IN, "bytes_in"), 0x0102030405060708ull);
	EXPECT_THROW(a.u8(HSK_CONN_A_MODE, "mode"), netlink::Error);
	EXPECT_THROW(a.u64(HSK_CONN_A_BYTES_OUT, "bytes_out"), netlink::Error);
	EXPECT_FALSE(a.has(-1));
	EXPECT_FALSE(a.has(HSK_CONN_A_MAX + 1));
}

/*
 * ---- the netlink layer against the kernel's own generic netlink family ----
 *
 * "nlctrl" exists wherever generic netlink does and answers unprivileged
 * requests; skipped where there is no generic netlink (some sandboxes).
 */

namespace {

std::unique_ptr<netlink::Genl> nlctrl()
{
	try {
		return std::make_unique<netlink::Genl>("nlctrl", 2);
	} catch (const netlink::Error &) {
		return nullptr;
	}
}

const netlink::Policy &ctrl_policy()
{
	/* Deliberately short: every newer attribute must be ignored. */
	static nla_policy p[CTRL_ATTR_FAMILY_NAME + 1] = {};
	p[CTRL_ATTR_FAMILY_ID].type = NLA_U16;
	p[CTRL_ATTR_FAMILY_NAME].type = NLA_STRING;
	static const netlink::Policy policy{CTRL_ATTR_FAMILY_NAME, p};
	return policy;
}

} // namespace

TEST(Genl, MissingFamily)
{
	if (!nlctrl())
		GTEST_SKIP() << "no generic netlink here";
	try {
		netlink::Genl g("hsk-no-such-family", 1);
		FAIL() << "resolved a family that does not exist";
	} catch (const netlink::Error &e) {
		EXPECT_EQ(e.kind(), netlink::Error::Kind::family_missing);
	}
}

TEST(Genl, DumpRequestAndErrors)
{
	const auto g = nlctrl();
	if (!g)
		GTEST_SKIP() << "no generic netlink here";

	std::vector<std::string> names;
	g->dump(CTRL_CMD_GETFAMILY, ctrl_policy(), [&](const netlink::Attrs &a) {
		ASSERT_TRUE(a.has(CTRL_ATTR_FAMILY_NAME));
		names.push_back(nla_get_string(a.get(CTRL_ATTR_FAMILY_NAME)));
		EXPECT_FALSE(a.has(CTRL_ATTR_FAMILY_NAME + 1)); /* beyond the policy */
	});
	EXPECT_NE(std::find(names.begin(), names.end(), "nlctrl"), names.end());

	/* A request answered by a message and an ACK. */
	g->request(CTRL_CMD_GETFAMILY,
		   [](netlink::Message &m) { m.put_string(CTRL_ATTR_FAMILY_NAME, "nlctrl"); });

	/* A kernel error carries its errno. */
	try {
		g->request(CTRL_CMD_GETFAMILY, [](netlink::Message &m) {
			m.put_string(CTRL_ATTR_FAMILY_NAME, "hsk-nosuchfam");
		});
		FAIL() << "no error";
	} catch (const netlink::Error &e) {
		EXPECT_EQ(e.kind(), netlink::Error::Kind::kernel);
		EXPECT_EQ(e.code(), ENOENT);
	}

	/* A policy violation: recent kernels explain it in an extended ACK. */
	try {
		g->request(CTRL_CMD_GETFAMILY, [](netlink::Message &m) {
			const std::uint8_t short_id = 1;
			m.put(CTRL_ATTR_FAMILY_ID, &short_id, sizeof(short_id));
		});
		FAIL() << "no error";
	} catch (const netlink::Error &e) {
		EXPECT_EQ(e.kind(), netlink::Error::Kind::kernel);
		EXPECT_TRUE(e.code() == EINVAL || e.code() == ERANGE) << e.code();
		if (!e.extack().empty()) {
			EXPECT_EQ(std::string(e.what()),
				  std::string(std::strerror(e.code())) + ": " + e.extack());
		}
	}

	/* A handler's exception stops the dump and leaves the socket usable. */
	EXPECT_THROW(g->dump(CTRL_CMD_GETFAMILY, ctrl_policy(),
			     [](const netlink::Attrs &) { throw std::runtime_error("stop"); }),
		     std::runtime_error);
	std::size_t again = 0;
	g->dump(CTRL_CMD_GETFAMILY, ctrl_policy(), [&](const netlink::Attrs &) { again++; });
	EXPECT_EQ(again, names.size());

	/* A query: a "do" command answered by a message, then the ACK. */
	std::vector<std::string> answers;
	const std::size_t n = g->query(
		CTRL_CMD_GETFAMILY, ctrl_policy(),
		[&](const netlink::Attrs &a) {
			answers.push_back(nla_get_string(a.get(CTRL_ATTR_FAMILY_NAME)));
		},
		[](netlink::Message &m) { m.put_string(CTRL_ATTR_FAMILY_NAME, "nlctrl"); });
	EXPECT_EQ(n, 1u);
	EXPECT_EQ(answers, std::vector<std::string>{"nlctrl"});
	try {
		g->query(
			CTRL_CMD_GETFAMILY, ctrl_policy(), [](const netlink::Attrs &) {},
			[](netlink::Message &m) {
				m.put_string(CTRL_ATTR_FAMILY_NAME, "hsk-nosuchfam");
			});
		FAIL() << "no error";
	} catch (const netlink::Error &e) {
		EXPECT_EQ(e.kind(), netlink::Error::Kind::kernel);
		EXPECT_EQ(e.code(), ENOENT);
	}
	/* A request ignores the answer; the socket stays in step. */
	g->request(CTRL_CMD_GETFAMILY,
		   [](netlink::Message &m) { m.put_string(CTRL_ATTR_FAMILY_NAME, "nlctrl"); });
	EXPECT_EQ(
		g->query(
			CTRL_CMD_GETFAMILY, ctrl_policy(), [](const netlink::Attrs &) {},
			[](netlink::Message &m) { m.put_string(CTRL_ATTR_FAMILY_NAME, "nlctrl"); }),
		1u);

	/* An unknown command. */
	try {
		g->request(200);
		FAIL() << "no error";
	} catch (const netlink::Error &e) {
		EXPECT_EQ(e.kind(), netlink::Error::Kind::kernel);
		EXPECT_EQ(e.code(), EOPNOTSUPP);
	}
}
