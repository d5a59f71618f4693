// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "messages.hpp"

#include <array>
#include <linux/hsk.h>
#include <optional>
#include <string>
#include <sys/socket.h>

#include "counters.hpp"

namespace hskctl {

const netlink::Policy &conn_policy()
{
	static const auto table = [] {
		std::array<nla_policy, HSK_CONN_A_MAX + 1> p{};
		p[HSK_CONN_A_FAMILY].type = NLA_U16;
		for (int a : {HSK_CONN_A_LOCAL_ADDR, HSK_CONN_A_REMOTE_ADDR}) {
			p[a].type = NLA_UNSPEC;
			p[a].minlen = 4;
			p[a].maxlen = 16;
		}
		p[HSK_CONN_A_LOCAL_PORT].type = NLA_U16;
		p[HSK_CONN_A_REMOTE_PORT].type = NLA_U16;
		p[HSK_CONN_A_STATE].type = NLA_U8;
		for (int a :
		     {HSK_CONN_A_MODE, HSK_CONN_A_SND_UNA, HSK_CONN_A_SND_NXT, HSK_CONN_A_RCV_NXT,
		      HSK_CONN_A_SND_WND, HSK_CONN_A_RCV_WND, HSK_CONN_A_COUNT, HSK_CONN_A_IFINDEX})
			p[a].type = NLA_U32;
		p[HSK_CONN_A_BYTES_IN].type = NLA_U64;
		p[HSK_CONN_A_BYTES_OUT].type = NLA_U64;
		return p;
	}();
	static const netlink::Policy policy{HSK_CONN_A_MAX, table.data()};
	return policy;
}

namespace {

Endpoint conn_endpoint(const netlink::Attrs &a, int family, int addr_type, const char *addr_name,
		       int port_type, const char *port_name)
{
	const std::uint16_t port = a.u16(port_type, port_name);
	const nlattr *addr = a.get(addr_type);

	if (!addr)
		throw netlink::Error::protocol(std::string("the kernel's answer lacks ") +
					       addr_name);
	const auto len = static_cast<std::size_t>(nla_len(addr));
	/* make_endpoint() takes AF_UNSPEC, which no connection has. */
	const auto ep = family == AF_UNSPEC ? std::nullopt
					    : make_endpoint(family, nla_data(addr), len, port);
	if (!ep)
		throw netlink::Error::protocol("the kernel reported a connection of family " +
					       std::to_string(family) + " with a " +
					       std::to_string(len) + "-byte address");
	return *ep;
}

} // namespace

Connection to_connection(const netlink::Attrs &a)
{
	const int family = a.u16(HSK_CONN_A_FAMILY, "HSK_CONN_A_FAMILY");
	Connection c;

	c.local = conn_endpoint(a, family, HSK_CONN_A_LOCAL_ADDR, "HSK_CONN_A_LOCAL_ADDR",
				HSK_CONN_A_LOCAL_PORT, "HSK_CONN_A_LOCAL_PORT");
	c.remote = conn_endpoint(a, family, HSK_CONN_A_REMOTE_ADDR, "HSK_CONN_A_REMOTE_ADDR",
				 HSK_CONN_A_REMOTE_PORT, "HSK_CONN_A_REMOTE_PORT");
	c.state = a.u8(HSK_CONN_A_STATE, "HSK_CONN_A_STATE");
	c.mode = a.u32(HSK_CONN_A_MODE, "HSK_CONN_A_MODE");
	c.snd_una = a.u32(HSK_CONN_A_SND_UNA, "HSK_CONN_A_SND_UNA");
	c.snd_nxt = a.u32(HSK_CONN_A_SND_NXT, "HSK_CONN_A_SND_NXT");
	c.rcv_nxt = a.u32(HSK_CONN_A_RCV_NXT, "HSK_CONN_A_RCV_NXT");
	c.snd_wnd = a.u32(HSK_CONN_A_SND_WND, "HSK_CONN_A_SND_WND");
	c.rcv_wnd = a.u32(HSK_CONN_A_RCV_WND, "HSK_CONN_A_RCV_WND");
	c.bytes_in = a.u64(HSK_CONN_A_BYTES_IN, "HSK_CONN_A_BYTES_IN");
	c.bytes_out = a.u64(HSK_CONN_A_BYTES_OUT, "HSK_CONN_A_BYTES_OUT");
	if (a.has(HSK_CONN_A_IFINDEX)) {
		c.ifindex = a.u32(HSK_CONN_A_IFINDEX, "HSK_CONN_A_IFINDEX");
		for (Endpoint *ep : {&c.local, &c.remote})
			if (is_link_local(*ep))
				ep->scope_id = c.ifindex;
	}
	return c;
}

void put_conn_filter(netlink::Message &m, const ConnFilter &f)
{
	const int family = f.family();

	if (family != AF_UNSPEC)
		m.put_u16(HSK_CONN_A_FAMILY, static_cast<std::uint16_t>(family));
	if (f.local) {
		if (!is_wildcard(*f.local))
			m.put(HSK_CONN_A_LOCAL_ADDR, f.local->addr.data(), f.local->addr_len());
		m.put_u16(HSK_CONN_A_LOCAL_PORT, f.local->port);
	}
	if (f.remote) {
		if (!is_wildcard(*f.remote))
			m.put(HSK_CONN_A_REMOTE_ADDR, f.remote->addr.data(), f.remote->addr_len());
		m.put_u16(HSK_CONN_A_REMOTE_PORT, f.remote->port);
	}
	if (const std::uint32_t ifindex = f.ifindex())
		m.put_u32(HSK_CONN_A_IFINDEX, ifindex);
}

std::uint32_t conn_count(const netlink::Attrs &a)
{
	return a.u32(HSK_CONN_A_COUNT, "HSK_CONN_A_COUNT");
}

const netlink::Policy &stats_policy()
{
	static const auto table = [] {
		std::array<nla_policy, HSK_STATS_A_MAX + 1> p{};
		for (int a = 0; a <= HSK_STATS_A_MAX; a++)
			if (stat_name(a))
				p[static_cast<std::size_t>(a)].type = NLA_U64;
		return p;
	}();
	static const netlink::Policy policy{HSK_STATS_A_MAX, table.data()};
	return policy;
}

std::vector<NamedValue> to_counters(const netlink::Attrs &a)
{
	std::vector<NamedValue> counters;

	for (int attr = 0; attr <= HSK_STATS_A_MAX; attr++)
		if (const char *name = stat_name(attr); name && a.has(attr))
			counters.push_back({name, a.u64(attr, name)});
	return counters;
}

const netlink::Policy &config_policy()
{
	static const auto table = [] {
		std::array<nla_policy, HSK_CONFIG_A_MAX + 1> p{};
		for (int a = 0; a <= HSK_CONFIG_A_MAX; a++)
			if (setting_name(a))
				p[static_cast<std::size_t>(a)].type = NLA_U32;
		return p;
	}();
	static const netlink::Policy policy{HSK_CONFIG_A_MAX, table.data()};
	return policy;
}

std::vector<NamedValue> to_settings(const netlink::Attrs &a)
{
	std::vector<NamedValue> settings;

	for (int attr = 0; attr <= HSK_CONFIG_A_MAX; attr++)
		if (const char *name = setting_name(attr); name && a.has(attr))
			settings.push_back({name, a.u32(attr, name)});
	return settings;
}

void put_settings(netlink::Message &m, const std::vector<SettingChange> &changes)
{
	for (const auto &c : changes)
		m.put_u32(c.attr, c.value);
}

} // namespace hskctl
