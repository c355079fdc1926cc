"""A small RESP client for the ElastiCache test peer (no redis-py needed), and the slot moves of
a Redis Cluster reshard done the way `redis-cli --cluster reshard` does them: SETSLOT
IMPORTING on the target, MIGRATING on the source, MIGRATE the keys in batches, then SETSLOT
NODE on both and on every other master."""
import socket


class RespError(Exception):
    pass


class Node:
    """One connection to host:port; `call(*args)` sends a command and reads its reply."""

    def __init__(self, addr, timeout=5.0):
        host, port = addr.rsplit(':', 1)
        self.addr = addr
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buf = b''

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def call(self, *args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(b), b))
        self.sock.sendall(b''.join(out))
        return self._read()

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f'{self.addr} closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f'{self.addr} closed the connection')
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest.decode()
        if kind == b'-':
            raise RespError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors='replace')
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RespError(f'unexpected reply {line!r}')


def call(addr, *args):
    n = Node(addr)
    try:
        return n.call(*args)
    finally:
        n.close()


def cluster_nodes(addr):
    """[{id, addr, master, failing, slots: [int], migrating: {slot: id}, importing: {slot: id}}]"""
    out = []
    for line in call(addr, 'CLUSTER', 'NODES').splitlines():
        f = line.split()
        if len(f) < 8:
            continue
        flags = f[2].split(',')
        a = f[1].split('@')[0].split(',')[0]
        if a.startswith(':'):
            a = addr.rsplit(':', 1)[0] + a
        n = {'id': f[0], 'addr': a, 'master': 'master' in flags,
             'failing': 'fail' in flags or 'fail?' in flags or 'noaddr' in flags,
             'slots': [], 'migrating': {}, 'importing': {}}
        for s in f[8:]:
            if s.startswith('['):
                inner = s[1:-1]
                if '->-' in inner:
                    slot, other = inner.split('->-')
                    n['migrating'][int(slot)] = other
                elif '-<-' in inner:
                    slot, other = inner.split('-<-')
                    n['importing'][int(slot)] = other
            elif '-' in s:
                a0, b0 = s.split('-')
                n['slots'].extend(range(int(a0), int(b0) + 1))
            else:
                n['slots'].append(int(s))
        out.append(n)
    return out


def move_slot(slot, src, dst, masters, batch=100):
    """Move one slot from master src to master dst (dicts of cluster_nodes), keys and all."""
    d, s = Node(dst['addr']), Node(src['addr'])
    try:
        d.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', src['id'])
        s.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst['id'])
        finish_keys(slot, s, dst)
        # The target first, so that no client is sent back to the source in between.
        d.call('CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
        s.call('CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
    finally:
        d.close()
        s.close()
    for m in masters:
        if m['id'] not in (src['id'], dst['id']):
            try:
                call(m['addr'], 'CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
            except (RespError, OSError):
                pass  # it learns it from the gossip


def finish_keys(slot, s, dst, batch=100):
    host, port = dst['addr'].rsplit(':', 1)
    while True:
        keys = s.call('CLUSTER', 'GETKEYSINSLOT', slot, batch)
        if not keys:
            return
        s.call('MIGRATE', host, port, '', 0, 5000, 'REPLACE', 'KEYS', *keys)
