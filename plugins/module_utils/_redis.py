# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Redis configuration files as Redis reads them, and redis-cli calls without a Python client on the host."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.common.text.converters import to_text

# Directives that accumulate over several lines instead of the last one winning.
ACCUMULATE = frozenset(["save"])
# Directives whose values are compared exactly (passwords, paths, names, addresses).
EXACT = frozenset([
    "requirepass", "masterauth", "masteruser", "dir", "logfile", "dbfilename", "appendfilename", "appenddirname",
    "unixsocket", "pidfile", "aclfile", "syslog-ident", "replica-announce-ip", "replicaof", "slaveof",
    "sentinel", "user", "include", "loadmodule", "rename-command", "bind",
])
SECRET = frozenset(["requirepass", "masterauth"])
SIZE = re.compile(r"^(-?\d+)(b|k|kb|m|mb|g|gb)?$", re.IGNORECASE)
UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2, "mb": 1024 ** 2, "g": 1000 ** 3, "gb": 1024 ** 3}
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


class ConfigError(Exception):
    pass


def split_args(line):
    """Split a configuration line into arguments the way Redis does (sdssplitargs)."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        current, quote = [], None
        while i < n:
            ch = line[i]
            if quote == '"':
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and re.match(r"[0-9a-fA-F]{2}", line[i + 2:i + 4]):
                    current.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 4
                    continue
                if ch == "\\" and i + 1 < n:
                    current.append(ESCAPES.get(line[i + 1], line[i + 1]))
                    i += 2
                    continue
                if ch == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ConfigError("closing quote must be followed by a space: %s" % line)
                    i += 1
                    break
                current.append(ch)
            elif quote == "'":
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    current.append("'")
                    i += 2
                    continue
                if ch == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ConfigError("closing quote must be followed by a space: %s" % line)
                    i += 1
                    break
                current.append(ch)
            elif ch.isspace():
                break
            elif ch in "\"'" and not current:
                quote = ch
            else:
                current.append(ch)
            i += 1
        else:
            if quote:
                raise ConfigError("unbalanced quotes: %s" % line)
        args.append("".join(current))


def quote(arg):
    """One argument as it must be written for Redis to read it back unchanged."""
    if arg and re.match(r"^[A-Za-z0-9_.:/@%+=,*~&^!?<>()\[\]{}$-]+$", arg) and not arg.startswith(("'", '"')):
        return arg
    out = []
    for ch in arg:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"%s"' % "".join(out)


def normal(name, args):
    """The arguments of a directive in a form that compares by meaning."""
    if name in EXACT:
        return list(args)
    result = []
    for arg in args:
        size = SIZE.match(arg)
        if size:
            result.append(str(int(size.group(1)) * UNITS[(size.group(2) or "").lower()]))
        else:
            result.append(arg.lower())
    return result


def desired_args(name, value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [to_text(v) for v in value]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    return [to_text(value)]


class ConfigFile(object):
    def __init__(self, text):
        self.lines = text.splitlines()

    def directive(self, index):
        stripped = self.lines[index].strip()
        if not stripped or stripped.startswith("#"):
            return None, None
        args = split_args(stripped)
        return (args[0].lower(), args[1:]) if args else (None, None)

    def occurrences(self, name):
        return [i for i in range(len(self.lines)) if self.directive(i)[0] == name]

    def current(self, name):
        found = self.occurrences(name)
        if not found:
            return None
        if name in ACCUMULATE:
            return [arg for i in found for arg in self.directive(i)[1]]
        return self.directive(found[-1])[1]

    def set(self, name, args):
        """Make the directive hold args (None: remove it). True when the file changes."""
        have = self.current(name)
        if have is None and args is None:
            return False
        if have is not None and args is not None and normal(name, have) == normal(name, args):
            return False
        found = self.occurrences(name)
        line = None if args is None else " ".join([name] + [quote(a) for a in args])
        if found:
            self.lines[found[0]] = line
        else:
            self.lines.append(line)
        self.lines = [entry for i, entry in enumerate(self.lines) if entry is not None and i not in found[1:]]
        return True

    def drop(self, name, first_arg):
        self.lines = [line for i, line in enumerate(self.lines)
                      if not (self.directive(i)[0] == name and self.directive(i)[1][:1] == [first_arg])]

    def text(self):
        return "\n".join(self.lines) + "\n"


def hide_secrets(text):
    out = []
    for line in text.splitlines():
        args = split_args(line.strip()) if line.strip() and not line.strip().startswith("#") else []
        if args and args[0].lower() in SECRET:
            line = "%s ********" % args[0]
        elif len(args) > 2 and args[0].lower() == "sentinel" and args[1].lower() == "auth-pass":
            line = " ".join(args[:3] + ["********"])
        elif args and args[0].lower() == "user":
            line = " ".join(args[:2] + ["..."])
        out.append(line)
    return "\n".join(out) + "\n"


class Cli(object):
    """Commands to a server on 127.0.0.1 through redis-cli (no Python client needed on the host)."""

    def __init__(self, module, port, passwords):
        self.module = module
        self.port = port
        self.passwords = [p for p in passwords if p]

    def call(self, *args):
        """The server's reply, trying each known password (the file's old one first)."""
        base = [self.module.params["cli"], "-h", "127.0.0.1", "-p", str(self.port), "--no-auth-warning"]
        for password in self.passwords + [""]:
            env = {"REDISCLI_AUTH": password} if password else {}
            rc, out, err = self.module.run_command(base + list(args), environ_update=env)
            reply = out.strip() or err.strip()
            if not (reply.startswith("NOAUTH") or reply.startswith("WRONGPASS")):
                return rc, reply
        return 1, "authentication failed with every known password"

    def running(self):
        rc, text = self.call("PING")
        if text == "PONG":
            return True
        if "Connection refused" in text or "Could not connect" in text:
            return False
        raise ConfigError("the server on 127.0.0.1:%d answered PING with: %s" % (self.port, text))

    def lines(self, *args):
        """A command's reply as lines; fails naming the command when the server answers with an error."""
        rc, text = self.call(*args)
        if rc != 0 or text.startswith(("ERR", "NOAUTH", "WRONGPASS", "Could not connect", "authentication failed")):
            raise ConfigError("%s on 127.0.0.1:%d: %s" % (" ".join(args[:2]), self.port, text))
        return text.splitlines()

    def config_set(self, name, args):
        if args is None:
            return False
        rc, text = self.call("CONFIG", "SET", name, " ".join(args))
        return rc == 0 and text == "OK"
