#!/usr/bin/env python3
"""An ElastiCache API test peer backed by a real Redis Cluster (moto answers
DescribeReplicationGroups but does not change shard counts).

    elasticache_peer.py --port P --dir D --group agentos-redis --nodes A,B,C --spares D,E
                        [--slot-delay SECONDS] [--batch SLOTS]

Serves the AWS query protocol (form-encoded POST, XML answers) on 127.0.0.1:P:

- DescribeReplicationGroups: one cluster-mode replication group whose node groups are the
  cluster's masters as CLUSTER NODES shows them, with their slots; `modifying` while a reshard
  runs, else `available`.
- ModifyReplicationGroupShardConfiguration (NodeGroupCount, NodeGroupsToRemove.member.N):
  reshards the real cluster: a scale-out joins a spare redis-server (CLUSTER MEET, as a master
  without a replica) and moves slots to it one at a time (SETSLOT IMPORTING/MIGRATING, MIGRATE,
  SETSLOT NODE); a scale-in moves every slot off the leaving master, then makes the cluster
  forget it (CLUSTER RESET on it, CLUSTER FORGET on the others) and keeps it as a spare.

The redis-servers (the cluster's nodes and the spares) belong to the test harness, not to the
peer: killing the peer half way leaves the cluster as it was at that moment (perhaps with a
slot open), and a peer started again over the same --dir goes on with the same target, first
closing any open slot. Node group ids are the nodes' 1-based positions in --nodes then --spares
("0001"), so they are stable across restarts.
"""
import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elasticache_resp import Node, RespError, call, cluster_nodes, finish_keys  # noqa: E402

NS = 'http://elasticache.amazonaws.com/doc/2015-02-02/'
SLOTS = 16384


def shares(masters, n):
    """Each master's even share of the slots: SLOTS // n, one more for the SLOTS % n masters that
    hold the most now (so a cluster already even within one slot, as `redis-cli --cluster
    create` leaves it, moves nothing)."""
    order = sorted(masters, key=lambda m: (-len(m['slots']), m['addr']))
    return {m['id']: SLOTS // n + (1 if i < SLOTS % n else 0) for i, m in enumerate(order)}


def ranges(slots):
    out, slots = [], sorted(slots)
    i = 0
    while i < len(slots):
        j = i
        while j + 1 < len(slots) and slots[j + 1] == slots[j] + 1:
            j += 1
        out.append(str(slots[i]) if i == j else f'{slots[i]}-{slots[j]}')
        i = j + 1
    return ','.join(out)


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Group:
    def __init__(self, args):
        self.id = args.group
        self.addrs = args.nodes.split(',') + ([a for a in args.spares.split(',') if a] if args.spares else [])
        self.initial = args.nodes.split(',')
        self.delay = args.slot_delay
        self.batch = args.batch
        self.path = os.path.join(args.dir, 'elasticache-state.json')
        self.lock = threading.Lock()
        self.conns = {}
        self.error = None
        state = {}
        if os.path.exists(self.path):
            with open(self.path) as f:
                state = json.load(f)
        self.target = state.get('target')
        self.leaving = state.get('leaving', [])
        if self.target is None:
            self.target = len(self.masters())
            self.save()

    def save(self):
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump({'target': self.target, 'leaving': self.leaving}, f)
        os.replace(tmp, self.path)

    def call(self, addr, *args):
        n = self.conns.get(addr)
        try:
            if n is None:
                n = self.conns[addr] = Node(addr)
            return n.call(*args)
        except (OSError, ConnectionError):
            self.conns.pop(addr, None)
            raise

    def nodes(self):
        last = None
        for a in self.addrs:
            try:
                ns = cluster_nodes(a)
            except (OSError, RespError) as e:
                last = e
                continue
            if len(ns) > 1 or a in self.initial:
                return ns
        raise ApiError('ServiceUnavailable', f'no node of the cluster answers: {last}', 503)

    def masters(self):
        return sorted((n for n in self.nodes() if n['master'] and not n['failing']), key=lambda n: n['addr'])

    def group_id_of(self, addr):
        return f'{self.addrs.index(addr) + 1:04d}' if addr in self.addrs else '9999'

    def busy(self, nodes):
        ms = [n for n in nodes if n['master'] and not n['failing']]
        if any(n['migrating'] or n['importing'] for n in ms):
            return True
        if len(ms) != self.target or self.leaving:
            return True
        counts = [len(m['slots']) for m in ms]
        return max(counts) - min(counts) > 1

    # One step of the reshard; False when there is nothing to do.
    def step(self):
        nodes = self.nodes()
        by_id = {n['id']: n for n in nodes}
        ms = sorted((n for n in nodes if n['master'] and not n['failing']), key=lambda n: n['addr'])
        # 1. Close an open slot (a move cut short: a killed peer).
        for m in ms:
            for slot, other in m['migrating'].items():
                dst = by_id.get(other)
                if dst is None:
                    self.call(m['addr'], 'CLUSTER', 'SETSLOT', slot, 'STABLE')
                    return True
                self.finish(slot, m, dst, ms)
                return True
        for m in ms:
            for slot in m['importing']:
                # Its source no longer migrates it: the slot stays where it is.
                self.call(m['addr'], 'CLUSTER', 'SETSLOT', slot, 'STABLE')
                return True
        # 2. Join a spare as a new master.
        if len(ms) - len(self.leaving) < self.target:
            known = {n['addr'] for n in nodes}
            spare = next((a for a in self.addrs if a not in known), None)
            if spare is None:
                raise ApiError('InsufficientCacheClusterCapacity', 'no spare node left for a new shard')
            host, port = spare.rsplit(':', 1)
            self.call(ms[0]['addr'], 'CLUSTER', 'MEET', host, port)
            # As `redis-cli --cluster add-node` does: wait until the new node agrees on the
            # configuration (it knows every slot's owner and says cluster_state:ok) before any
            # slot is moved to it.
            for _ in range(300):
                try:
                    info = call(spare, 'CLUSTER', 'INFO')
                    if 'cluster_state:ok' in info and f'cluster_slots_assigned:{SLOTS}' in info:
                        break
                except (OSError, RespError):
                    pass
                time.sleep(0.05)
            return True
        # 3. Choose who leaves (the group ids asked for, else the last masters).
        if len(ms) > self.target and not self.leaving:
            self.leaving = [m['id'] for m in ms[self.target:]]
            self.save()
        staying = [m for m in ms if m['id'] not in self.leaving]
        leaving = [m for m in ms if m['id'] in self.leaving]
        want = shares(staying, len(staying))
        want.update({m['id']: 0 for m in leaving})
        src = next((m for m in leaving + staying if len(m['slots']) > want[m['id']]), None)
        dst = next((m for m in staying if len(m['slots']) < want[m['id']]), None)
        if src and dst:
            n = min(self.batch, len(src['slots']) - want[src['id']], want[dst['id']] - len(dst['slots']))
            for slot in sorted(src['slots'])[:n]:
                self.move(slot, src, dst, ms)
            return True
        # 4. Forget the emptied masters.
        if leaving:
            for m in leaving:
                self.call(m['addr'], 'CLUSTER', 'RESET', 'HARD')
                for o in nodes:
                    if o['id'] != m['id'] and not o['failing']:
                        try:
                            self.call(o['addr'], 'CLUSTER', 'FORGET', m['id'])
                        except RespError:
                            pass
            self.leaving = []
            self.save()
            return True
        return False

    def move(self, slot, src, dst, ms):
        self.call(dst['addr'], 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', src['id'])
        self.call(src['addr'], 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst['id'])
        self.finish(slot, src, dst, ms)

    def finish(self, slot, src, dst, ms):
        s = self.conns.get(src['addr']) or Node(src['addr'])
        self.conns[src['addr']] = s
        finish_keys(slot, s, dst)
        self.call(dst['addr'], 'CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
        self.call(src['addr'], 'CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
        for m in ms:
            if m['id'] not in (src['id'], dst['id']):
                try:
                    self.call(m['addr'], 'CLUSTER', 'SETSLOT', slot, 'NODE', dst['id'])
                except RespError:
                    pass

    def worker(self):
        while True:
            try:
                with self.lock:
                    worked = self.step()
                self.error = None
            except Exception as e:  # keep serving; the status says what failed
                self.error = str(e)
                worked = False
                self.conns.clear()
                time.sleep(0.2)
            time.sleep(self.delay if worked else 0.1)

    def describe(self):
        nodes = self.nodes()
        busy = self.busy(nodes)
        status = 'modifying' if busy else 'available'
        ms = sorted((n for n in nodes if n['master'] and not n['failing']), key=lambda n: n['addr'])
        cfg_host, cfg_port = self.initial[0].rsplit(':', 1)
        groups = []
        for m in ms:
            gid = self.group_id_of(m['addr'])
            host, port = m['addr'].rsplit(':', 1)
            groups.append(
                f'<NodeGroup><NodeGroupId>{gid}</NodeGroupId><Status>{status}</Status>'
                f'<Slots>{ranges(m["slots"])}</Slots>'
                f'<NodeGroupMembers><NodeGroupMember><CacheClusterId>{self.id}-{gid}-001</CacheClusterId>'
                f'<CacheNodeId>0001</CacheNodeId><CurrentRole>primary</CurrentRole>'
                f'<ReadEndpoint><Address>{host}</Address><Port>{port}</Port></ReadEndpoint>'
                f'</NodeGroupMember></NodeGroupMembers></NodeGroup>')
        members = ''.join(f'<ClusterId>{self.id}-{self.group_id_of(m["addr"])}-001</ClusterId>' for m in ms)
        return (f'<ReplicationGroup><ReplicationGroupId>{escape(self.id)}</ReplicationGroupId>'
                f'<Description>cockpit test peer</Description><Status>{status}</Status>'
                f'<MemberClusters>{members}</MemberClusters><NodeGroups>{"".join(groups)}</NodeGroups>'
                f'<ConfigurationEndpoint><Address>{cfg_host}</Address><Port>{cfg_port}</Port></ConfigurationEndpoint>'
                f'<AutomaticFailover>disabled</AutomaticFailover><ClusterEnabled>true</ClusterEnabled>'
                f'<CacheNodeType>cache.r6g.large</CacheNodeType></ReplicationGroup>')

    def modify(self, count, remove):
        with self.lock:
            if self.busy(self.nodes()):
                raise ApiError('InvalidReplicationGroupState',
                               f'Replication group {self.id} is not in available state (modifying).')
            if count < 1 or count > 90:
                raise ApiError('InvalidParameterValue', f'NodeGroupCount {count} is out of range 1..90')
            ms = self.masters()
            if count < len(ms):
                ids = {self.group_id_of(m['addr']): m['id'] for m in ms}
                if remove:
                    unknown = [g for g in remove if g not in ids]
                    if unknown or len(remove) != len(ms) - count:
                        raise ApiError('InvalidParameterValue',
                                       f'NodeGroupsToRemove must name {len(ms) - count} of {sorted(ids)}')
                    self.leaving = [ids[g] for g in remove]
                else:
                    raise ApiError('InvalidParameterCombination',
                                   'NodeGroupsToRemove or NodeGroupsToRetain is required when decreasing '
                                   'the number of node groups')
            self.target = count
            self.save()


def handler(group):
    class H(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            sys.stderr.write('%s\n' % (fmt % args))

        def answer(self, status, body):
            data = body.encode()
            self.send_response(status)
            self.send_header('Content-Type', 'text/xml')
            self.send_header('Content-Length', str(len(data)))
            self.send_header('x-amzn-RequestId', str(uuid.uuid4()))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            n = int(self.headers.get('Content-Length') or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode(), keep_blank_values=True).items()}
            action = form.get('Action', '')
            rid = str(uuid.uuid4())
            try:
                if form.get('ReplicationGroupId', group.id) != group.id:
                    raise ApiError('ReplicationGroupNotFoundFault',
                                   f'ReplicationGroup {form["ReplicationGroupId"]} not found.', 404)
                if action == 'DescribeReplicationGroups':
                    body = f'<DescribeReplicationGroupsResult><ReplicationGroups>{group.describe()}' \
                           f'</ReplicationGroups></DescribeReplicationGroupsResult>'
                elif action == 'ModifyReplicationGroupShardConfiguration':
                    if form.get('ApplyImmediately') != 'true':
                        raise ApiError('InvalidParameterValue', 'ApplyImmediately must be true')
                    try:
                        count = int(form.get('NodeGroupCount', ''))
                    except ValueError:
                        raise ApiError('MissingParameter', 'NodeGroupCount is required')
                    remove = [v for k, v in sorted(form.items()) if k.startswith('NodeGroupsToRemove.')]
                    group.modify(count, remove)
                    body = f'<ModifyReplicationGroupShardConfigurationResult>{group.describe()}' \
                           f'</ModifyReplicationGroupShardConfigurationResult>'
                else:
                    raise ApiError('InvalidAction', f'{action} is not served by this peer')
                self.answer(200, f'<{action}Response xmlns="{NS}">{body}'
                                 f'<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{action}Response>')
            except ApiError as e:
                self.answer(e.status, f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{e.code}</Code>'
                                      f'<Message>{escape(e.message)}</Message></Error><RequestId>{rid}</RequestId>'
                                      f'</ErrorResponse>')

        def do_GET(self):
            # GET / : a readiness probe and the worker's last error, for the harness.
            self.answer(200, json.dumps({'target': group.target, 'error': group.error}))

    return H


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--group', default='agentos-redis')
    p.add_argument('--nodes', required=True, help='host:port of the cluster nodes, comma-separated')
    p.add_argument('--spares', default='', help='host:port of empty cluster-enabled nodes for new shards')
    p.add_argument('--slot-delay', type=float, default=0.0, help='seconds to wait after each batch of slots moved')
    p.add_argument('--batch', type=int, default=64, help='slots moved between two looks at the cluster')
    args = p.parse_args()
    group = Group(args)
    threading.Thread(target=group.worker, daemon=True).start()
    server = ThreadingHTTPServer(('127.0.0.1', args.port), handler(group))
    server.serve_forever()


if __name__ == '__main__':
    main()
