/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/**
 * DOC: hsk netlink ABI
 *
 * hsk: a TCP endpoint in a kernel module, configured over generic netlink.
 *
 * This header is the ABI between the hsk module and userspace (hskctl and
 * anything else that speaks the "hsk" generic netlink family). It is the
 * only definition of the family: commands, attributes and enums are only
 * ever appended, never renumbered or reused.
 *
 * Conventions
 * -----------
 * - Family name HSK_GENL_NAME, version HSK_GENL_VERSION. The family is
 *   network namespace aware: every command acts on the namespace of the
 *   netlink socket that sends it.
 * - Every command that changes state needs CAP_NET_ADMIN in the user
 *   namespace that owns the network namespace (GENL_UNS_ADMIN_PERM).
 *   Reading (the _GET dumps) is unprivileged, like "ip link show".
 * - Attributes are validated strictly: unknown attributes, wrong types and
 *   out of range values are rejected with -EINVAL and an extended ACK
 *   message that names the offending attribute.
 * - Integers are in host byte order; addresses are in network byte order
 *   (struct in_addr / struct in6_addr as binary attributes).
 *
 * Listeners (HSK_CMD_LISTEN_*)
 * ----------------------------
 * A listener is (family, address, port) plus what to do with the data the
 * peer sends (enum hsk_mode). Its family is AF_INET, AF_INET6 or AF_UNSPEC;
 * AF_UNSPEC means "every local address of both families" and carries no
 * address. An all-zero address means every local address of that family.
 * Overlapping listeners may coexist; a segment goes to the most specific
 * one: exact address, then the family's wildcard, then AF_UNSPEC.
 *
 * HSK_CMD_LISTEN_ADD
 *	Request: HSK_LISTEN_A_PORT (required), HSK_LISTEN_A_FAMILY (default
 *	AF_UNSPEC), HSK_LISTEN_A_ADDR (absent or all zero: the family's
 *	wildcard; never with AF_UNSPEC), HSK_LISTEN_A_MODE (default HSK_MODE_ECHO),
 *	HSK_LISTEN_A_BACKLOG (default HSK_BACKLOG_DEFAULT).
 *	Errors: -EEXIST if the same (family, address, port) exists.
 * HSK_CMD_LISTEN_DEL
 *	Request: HSK_LISTEN_A_PORT, HSK_LISTEN_A_FAMILY, HSK_LISTEN_A_ADDR as
 *	for ADD. Errors: -ENOENT if there is no such listener.
 * HSK_CMD_LISTEN_GET (dump only)
 *	Reply: one message per listener with every HSK_LISTEN_A_* attribute
 *	(HSK_LISTEN_A_ADDR absent for AF_UNSPEC).
 * HSK_CMD_LISTEN_FLUSH
 *	Removes every listener of the namespace. No attributes.
 *
 * Connections (HSK_CMD_CONN_*)
 * ----------------------------
 * HSK_CMD_CONN_GET (dump only)
 *	Reply: one message per connection with every HSK_CONN_A_* attribute
 *	but HSK_CONN_A_COUNT; HSK_CONN_A_IFINDEX only for a connection bound
 *	to an interface (an IPv6 link-local peer or local address).
 * HSK_CMD_CONN_CLOSE, HSK_CMD_CONN_KILL
 *	Close gracefully (our FIN after the queued data) or reset (RST) every
 *	connection that matches all the given HSK_CONN_A_LOCAL_ADDR,
 *	HSK_CONN_A_LOCAL_PORT, HSK_CONN_A_REMOTE_ADDR, HSK_CONN_A_REMOTE_PORT,
 *	HSK_CONN_A_IFINDEX (an address needs HSK_CONN_A_FAMILY; an ifindex
 *	matches only the connections bound to that interface; none given:
 *	every connection).
 *	Reply: HSK_CONN_A_COUNT, the number of connections acted on.
 *
 * Counters and configuration
 * --------------------------
 * HSK_CMD_STATS_GET
 *	Reply: every HSK_STATS_A_* counter of the namespace (u64).
 * HSK_CMD_CONFIG_GET
 *	Reply: every HSK_CONFIG_A_* setting of the namespace.
 * HSK_CMD_CONFIG_SET
 *	Changes the given HSK_CONFIG_A_* settings; the others keep their
 *	values. New connections use the new values.
 */
#ifndef _UAPI_LINUX_HSK_H
#define _UAPI_LINUX_HSK_H

#define HSK_GENL_NAME		"hsk"
#define HSK_GENL_VERSION	1

/**
 * enum hsk_cmd - commands of the "hsk" generic netlink family
 * @HSK_CMD_UNSPEC: never used
 * @HSK_CMD_LISTEN_ADD: add a listener
 * @HSK_CMD_LISTEN_DEL: delete a listener
 * @HSK_CMD_LISTEN_GET: dump every listener of the namespace
 * @HSK_CMD_LISTEN_FLUSH: delete every listener of the namespace
 * @HSK_CMD_CONN_GET: dump every connection of the namespace
 * @HSK_CMD_CONN_CLOSE: close matching connections gracefully (FIN)
 * @HSK_CMD_CONN_KILL: reset matching connections (RST)
 * @HSK_CMD_STATS_GET: read the namespace's counters
 * @HSK_CMD_CONFIG_GET: read the namespace's settings
 * @HSK_CMD_CONFIG_SET: change the namespace's settings
 * @__HSK_CMD_MAX: internal
 * @HSK_CMD_MAX: highest command number
 */
enum hsk_cmd {
	HSK_CMD_UNSPEC,
	HSK_CMD_LISTEN_ADD,
	HSK_CMD_LISTEN_DEL,
	HSK_CMD_LISTEN_GET,
	HSK_CMD_LISTEN_FLUSH,
	HSK_CMD_CONN_GET,
	HSK_CMD_CONN_CLOSE,
	HSK_CMD_CONN_KILL,
	HSK_CMD_STATS_GET,
	HSK_CMD_CONFIG_GET,
	HSK_CMD_CONFIG_SET,

	__HSK_CMD_MAX,
	HSK_CMD_MAX = __HSK_CMD_MAX - 1
};

/**
 * enum hsk_mode - what a listener does with the peer's data
 * @HSK_MODE_ECHO: send every byte back, in order (RFC 862)
 * @HSK_MODE_DISCARD: acknowledge and drop every byte (RFC 863)
 * @HSK_MODE_TARPIT: complete the handshake, then advertise a zero window
 *	and never accept data
 * @__HSK_MODE_MAX: internal
 * @HSK_MODE_MAX: highest mode number
 */
enum hsk_mode {
	HSK_MODE_ECHO,
	HSK_MODE_DISCARD,
	HSK_MODE_TARPIT,

	__HSK_MODE_MAX,
	HSK_MODE_MAX = __HSK_MODE_MAX - 1
};

#define HSK_BACKLOG_DEFAULT	128
#define HSK_BACKLOG_MAX		65535

/**
 * enum hsk_listen_attrs - attributes of the HSK_CMD_LISTEN_* commands
 * @HSK_LISTEN_A_UNSPEC: never used
 * @HSK_LISTEN_A_FAMILY: u16, AF_INET, AF_INET6 or AF_UNSPEC (both)
 * @HSK_LISTEN_A_ADDR: binary, struct in_addr (4 bytes) for AF_INET,
 *	struct in6_addr (16 bytes) for AF_INET6; all zero is the wildcard
 * @HSK_LISTEN_A_PORT: u16, TCP port, 1..65535
 * @HSK_LISTEN_A_MODE: u32, enum hsk_mode
 * @HSK_LISTEN_A_BACKLOG: u32, 1..HSK_BACKLOG_MAX: most connections that
 *	may be half open (SYN-RECEIVED) at once on this listener
 * @__HSK_LISTEN_A_MAX: internal
 * @HSK_LISTEN_A_MAX: highest attribute number
 */
enum hsk_listen_attrs {
	HSK_LISTEN_A_UNSPEC,
	HSK_LISTEN_A_FAMILY,
	HSK_LISTEN_A_ADDR,
	HSK_LISTEN_A_PORT,
	HSK_LISTEN_A_MODE,
	HSK_LISTEN_A_BACKLOG,

	__HSK_LISTEN_A_MAX,
	HSK_LISTEN_A_MAX = __HSK_LISTEN_A_MAX - 1
};

/**
 * enum hsk_conn_state - connection states (RFC 9293 section 3.3.2)
 * @HSK_CONN_STATE_CLOSED: being freed
 * @HSK_CONN_STATE_LISTEN: never reported for a connection
 * @HSK_CONN_STATE_SYN_RECEIVED: SYN received, SYN-ACK sent
 * @HSK_CONN_STATE_ESTABLISHED: handshake complete
 * @HSK_CONN_STATE_FIN_WAIT_1: our FIN sent, not acknowledged
 * @HSK_CONN_STATE_FIN_WAIT_2: our FIN acknowledged, no FIN from the peer
 * @HSK_CONN_STATE_CLOSE_WAIT: the peer's FIN received, ours not sent
 * @HSK_CONN_STATE_CLOSING: both FINs sent, ours not acknowledged
 * @HSK_CONN_STATE_LAST_ACK: the peer's FIN received, ours sent, not acked
 * @HSK_CONN_STATE_TIME_WAIT: both FINs acknowledged, waiting 2 MSL
 * @__HSK_CONN_STATE_MAX: internal
 * @HSK_CONN_STATE_MAX: highest state number
 */
enum hsk_conn_state {
	HSK_CONN_STATE_CLOSED,
	HSK_CONN_STATE_LISTEN,
	HSK_CONN_STATE_SYN_RECEIVED,
	HSK_CONN_STATE_ESTABLISHED,
	HSK_CONN_STATE_FIN_WAIT_1,
	HSK_CONN_STATE_FIN_WAIT_2,
	HSK_CONN_STATE_CLOSE_WAIT,
	HSK_CONN_STATE_CLOSING,
	HSK_CONN_STATE_LAST_ACK,
	HSK_CONN_STATE_TIME_WAIT,

	__HSK_CONN_STATE_MAX,
	HSK_CONN_STATE_MAX = __HSK_CONN_STATE_MAX - 1
};

/**
 * enum hsk_conn_attrs - attributes of the HSK_CMD_CONN_* commands
 * @HSK_CONN_A_UNSPEC: never used
 * @HSK_CONN_A_PAD: padding for 64-bit attributes
 * @HSK_CONN_A_FAMILY: u16, AF_INET or AF_INET6
 * @HSK_CONN_A_LOCAL_ADDR: binary, 4 or 16 bytes, network order
 * @HSK_CONN_A_LOCAL_PORT: u16
 * @HSK_CONN_A_REMOTE_ADDR: binary, 4 or 16 bytes, network order
 * @HSK_CONN_A_REMOTE_PORT: u16
 * @HSK_CONN_A_STATE: u8, enum hsk_conn_state
 * @HSK_CONN_A_MODE: u32, enum hsk_mode
 * @HSK_CONN_A_SND_UNA: u32, SND.UNA
 * @HSK_CONN_A_SND_NXT: u32, SND.NXT
 * @HSK_CONN_A_RCV_NXT: u32, RCV.NXT
 * @HSK_CONN_A_SND_WND: u32, SND.WND in bytes (scaled)
 * @HSK_CONN_A_RCV_WND: u32, RCV.WND in bytes, as last advertised
 * @HSK_CONN_A_BYTES_IN: u64, payload bytes accepted from the peer
 * @HSK_CONN_A_BYTES_OUT: u64, payload bytes sent (first transmissions)
 * @HSK_CONN_A_COUNT: u32, reply to CLOSE/KILL: connections acted on
 * @HSK_CONN_A_IFINDEX: u32, the interface of a link-local peer; present
 *	only for connections bound to one (a link-local address is unique on
 *	its link only, so the same address on two links is two connections)
 * @__HSK_CONN_A_MAX: internal
 * @HSK_CONN_A_MAX: highest attribute number
 */
enum hsk_conn_attrs {
	HSK_CONN_A_UNSPEC,
	HSK_CONN_A_PAD,
	HSK_CONN_A_FAMILY,
	HSK_CONN_A_LOCAL_ADDR,
	HSK_CONN_A_LOCAL_PORT,
	HSK_CONN_A_REMOTE_ADDR,
	HSK_CONN_A_REMOTE_PORT,
	HSK_CONN_A_STATE,
	HSK_CONN_A_MODE,
	HSK_CONN_A_SND_UNA,
	HSK_CONN_A_SND_NXT,
	HSK_CONN_A_RCV_NXT,
	HSK_CONN_A_SND_WND,
	HSK_CONN_A_RCV_WND,
	HSK_CONN_A_BYTES_IN,
	HSK_CONN_A_BYTES_OUT,
	HSK_CONN_A_COUNT,
	HSK_CONN_A_IFINDEX,

	__HSK_CONN_A_MAX,
	HSK_CONN_A_MAX = __HSK_CONN_A_MAX - 1
};

/**
 * enum hsk_stats_attrs - counters of a namespace, each a u64
 * @HSK_STATS_A_UNSPEC: never used
 * @HSK_STATS_A_PAD: padding for 64-bit attributes
 * @HSK_STATS_A_SYN_RECV: SYNs accepted by a listener (connection created)
 * @HSK_STATS_A_SYNACK_SENT: SYN-ACKs sent, first transmissions
 * @HSK_STATS_A_SYNACK_RETRANS: SYN-ACKs retransmitted
 * @HSK_STATS_A_ESTABLISHED: handshakes completed
 * @HSK_STATS_A_ACTIVE_CONNS: connections existing now (a gauge)
 * @HSK_STATS_A_RST_SENT: RSTs sent
 * @HSK_STATS_A_RST_RECV: connections reset by a valid RST from the peer
 * @HSK_STATS_A_CHALLENGE_ACKS: RFC 5961 challenge ACKs sent
 * @HSK_STATS_A_CSUM_ERRORS: segments dropped for a bad checksum
 * @HSK_STATS_A_MALFORMED: segments dropped for a malformed header or
 *	options, a fragment, or a broadcast/multicast destination
 * @HSK_STATS_A_RETRANS: data or FIN segments retransmitted
 * @HSK_STATS_A_SEGS_IN: segments taken for a listener or connection
 * @HSK_STATS_A_SEGS_OUT: segments sent
 * @HSK_STATS_A_DROPS: segments dropped by the state machine (not acceptable,
 *	PAWS, out of order, out of window, ...)
 * @HSK_STATS_A_SYNACK_TIMEOUT: half-open connections given up
 * @HSK_STATS_A_TIMEOUTS: connections aborted by retransmission timeout
 * @HSK_STATS_A_PERSIST_PROBES: zero window probes sent
 * @HSK_STATS_A_IDLE_TIMEOUTS: idle timer expiries
 * @HSK_STATS_A_BYTES_IN: payload bytes accepted
 * @HSK_STATS_A_BYTES_OUT: payload bytes sent (first transmissions)
 * @HSK_STATS_A_URG_BYTES: accepted bytes that were urgent
 * @HSK_STATS_A_CONN_LIMIT: SYNs dropped by max_conns or a listener backlog
 * @HSK_STATS_A_NOMEM: segments dropped for lack of memory
 * @HSK_STATS_A_OFO_QUEUED: out-of-order segments kept until the data
 *	before them arrives (and reported in SACK blocks)
 * @__HSK_STATS_A_MAX: internal
 * @HSK_STATS_A_MAX: highest attribute number
 */
enum hsk_stats_attrs {
	HSK_STATS_A_UNSPEC,
	HSK_STATS_A_PAD,
	HSK_STATS_A_SYN_RECV,
	HSK_STATS_A_SYNACK_SENT,
	HSK_STATS_A_SYNACK_RETRANS,
	HSK_STATS_A_ESTABLISHED,
	HSK_STATS_A_ACTIVE_CONNS,
	HSK_STATS_A_RST_SENT,
	HSK_STATS_A_RST_RECV,
	HSK_STATS_A_CHALLENGE_ACKS,
	HSK_STATS_A_CSUM_ERRORS,
	HSK_STATS_A_MALFORMED,
	HSK_STATS_A_RETRANS,
	HSK_STATS_A_SEGS_IN,
	HSK_STATS_A_SEGS_OUT,
	HSK_STATS_A_DROPS,
	HSK_STATS_A_SYNACK_TIMEOUT,
	HSK_STATS_A_TIMEOUTS,
	HSK_STATS_A_PERSIST_PROBES,
	HSK_STATS_A_IDLE_TIMEOUTS,
	HSK_STATS_A_BYTES_IN,
	HSK_STATS_A_BYTES_OUT,
	HSK_STATS_A_URG_BYTES,
	HSK_STATS_A_CONN_LIMIT,
	HSK_STATS_A_NOMEM,
	HSK_STATS_A_OFO_QUEUED,

	__HSK_STATS_A_MAX,
	HSK_STATS_A_MAX = __HSK_STATS_A_MAX - 1
};

#define HSK_SYNACK_RETRIES_DEFAULT	5
#define HSK_TIME_WAIT_MS_DEFAULT	60000
#define HSK_RTO_MIN_MS_DEFAULT		200
#define HSK_MAX_CONNS_DEFAULT		65536
#define HSK_SNDQ_LIMIT_KB_DEFAULT	65536

/**
 * enum hsk_config_attrs - settings of a namespace, each a u32
 * @HSK_CONFIG_A_UNSPEC: never used
 * @HSK_CONFIG_A_SYNACK_RETRIES: SYN-ACK retransmissions before a half-open
 *	connection is dropped, 0..15 (default 5)
 * @HSK_CONFIG_A_TIME_WAIT_MS: TIME-WAIT duration (2 MSL), 1..600000 ms
 *	(default 60000)
 * @HSK_CONFIG_A_IDLE_TIMEOUT_MS: close a connection idle this long, 0
 *	(default) disables
 * @HSK_CONFIG_A_RTO_MIN_MS: lower bound of the retransmission timeout,
 *	1..60000 ms (default 200)
 * @HSK_CONFIG_A_MAX_CONNS: most connections in the namespace, 1..16777216
 *	(default 65536)
 * @HSK_CONFIG_A_SNDQ_LIMIT_KB: most memory of the echo send queues of the
 *	namespace, in KiB, 64..16777216 (default 65536). Each echo connection
 *	takes 64 KiB when its first data arrives; one that cannot is reset
 *	(counted in HSK_STATS_A_NOMEM)
 * @__HSK_CONFIG_A_MAX: internal
 * @HSK_CONFIG_A_MAX: highest attribute number
 */
enum hsk_config_attrs {
	HSK_CONFIG_A_UNSPEC,
	HSK_CONFIG_A_SYNACK_RETRIES,
	HSK_CONFIG_A_TIME_WAIT_MS,
	HSK_CONFIG_A_IDLE_TIMEOUT_MS,
	HSK_CONFIG_A_RTO_MIN_MS,
	HSK_CONFIG_A_MAX_CONNS,
	HSK_CONFIG_A_SNDQ_LIMIT_KB,

	__HSK_CONFIG_A_MAX,
	HSK_CONFIG_A_MAX = __HSK_CONFIG_A_MAX - 1
};

#endif /* _UAPI_LINUX_HSK_H */
