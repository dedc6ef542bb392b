package config

import "time"

// sshSection is the [ssh] table: the settings of `logitlab serve --ssh`.
func sshSection() (Section, []Param) {
	return Section{"ssh", "logitlab serve: the SSH server that lets many people watch one lab"}, []Param{
		{Section: "ssh", Key: "addr", Kind: KindString, Default: "127.0.0.1:2222",
			Help:  "host:port to listen on; a non-loopback host needs an authorized_keys file",
			field: func(c *Config) any { return &c.SSH.Addr }},
		{Section: "ssh", Key: "state_dir", Kind: KindPath, Default: "ssh",
			Help:  "folder (mode 0700) holding the server's ed25519 host key, created on first start and never overwritten",
			field: func(c *Config) any { return &c.SSH.StateDir }},
		{Section: "ssh", Key: "authorized_keys", Kind: KindPath, Default: "",
			Help:  `public keys allowed in, one per line; prefix logitlab-role=controller to allow changes ("": state_dir/authorized_keys)`,
			field: func(c *Config) any { return &c.SSH.AuthorizedKeys }},
		{Section: "ssh", Key: "idle_timeout", Kind: KindDuration, Default: 10 * time.Minute,
			Min: 10 * time.Second, Max: 24 * time.Hour,
			Help:  "close a connection that sent and received nothing for this long",
			field: func(c *Config) any { return &c.SSH.IdleTimeout }},
		{Section: "ssh", Key: "max_session", Kind: KindDuration, Default: 8 * time.Hour,
			Min: time.Minute, Max: 7 * 24 * time.Hour,
			Help:  "close any connection this long after it opened",
			field: func(c *Config) any { return &c.SSH.MaxSession }},
		{Section: "ssh", Key: "max_sessions", Kind: KindInt, Default: int64(16),
			Min: int64(1), Max: int64(1024),
			Help:  "sessions at once; more are told the server is full (open connections are capped at twice this)",
			field: func(c *Config) any { return &c.SSH.MaxSessions }},
		{Section: "ssh", Key: "conn_per_minute", Kind: KindInt, Default: int64(30),
			Min: int64(1), Max: int64(100000),
			Help:  "new connections per minute allowed from one IP address, before authentication",
			field: func(c *Config) any { return &c.SSH.ConnPerMinute }},
		{Section: "ssh", Key: "conn_burst", Kind: KindInt, Default: int64(10),
			Min: int64(1), Max: int64(10000),
			Help:  "connections one IP address may open at once before conn_per_minute applies",
			field: func(c *Config) any { return &c.SSH.ConnBurst }},
	}
}
