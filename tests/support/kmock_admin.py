"""Test controls of the kmock test peer (see kmock_server.py): request counters, injected
faults and denied permissions, served under /_kmock/ (no token needed there).

  GET  /_kmock/stats            {"list": n, "watch": n, "get": n, "create": n, "update": n,
                                 "patch": n, "delete": n, "deletecollection": n, "proxy": n,
                                 "write": n, "total": n, "by_resource": {"deployments": {...}}}
  POST /_kmock/stats/reset      zero the counters (DELETE /_kmock/stats does the same)
  POST /_kmock/faults           {"method": "PATCH", "path_contains": "deployments/api-server",
                                 "verb": "patch", "status": 409, "reason": "Conflict",
                                 "message": "...", "delay": 0.5, "times": 1}
                                every key optional; times: null = every matching request;
                                without status the request is only delayed, then served
  GET  /_kmock/faults           the faults still armed;  DELETE /_kmock/faults  disarm all
  POST /_kmock/deny             a rule or a list of rules {"verb", "group", "resource",
                                "subresource", "namespace", "name"} (absent or "*" = any):
                                matching requests get 403 Forbidden and matching
                                SelfSubjectAccessReviews answer allowed=false
  GET  /_kmock/deny             the rules;  DELETE /_kmock/deny  forget them
  POST /_kmock/watches/close    end every open watch stream (clients must reconnect)
  POST /_kmock/resources        {"group", "version", "plural", "kind", "namespaced",
                                 "subresources": [...], "shortNames": [...]}: serve a new
                                resource (writing a CustomResourceDefinition does the same)
  GET  /_kmock/healthz          "ok"
"""
import asyncio
import collections
import json
from typing import Any

WRITE_VERBS = ('create', 'update', 'patch', 'delete', 'deletecollection')
VERBS = ('list', 'watch', 'get', *WRITE_VERBS, 'proxy')


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.verbs: collections.Counter[str] = collections.Counter()
        self.by_resource: dict[str, collections.Counter[str]] = \
            collections.defaultdict(collections.Counter)

    def count(self, verb: str, resource: str) -> None:
        self.verbs[verb] += 1
        self.by_resource[resource][verb] += 1

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {verb: self.verbs.get(verb, 0) for verb in VERBS}
        data['write'] = sum(self.verbs.get(v, 0) for v in WRITE_VERBS)
        data['total'] = sum(self.verbs.values())
        data['by_resource'] = {r: dict(c) for r, c in sorted(self.by_resource.items())}
        return data


class Faults:
    def __init__(self) -> None:
        self.armed: list[dict[str, Any]] = []

    def add(self, spec: dict[str, Any]) -> None:
        if not isinstance(spec, dict):
            raise ValueError('a fault is a JSON object')
        unknown = set(spec) - {'method', 'path_contains', 'verb', 'status', 'reason', 'message',
                               'delay', 'times'}
        if unknown:
            raise ValueError(f'unknown fault keys: {sorted(unknown)}')
        spec = dict(spec)
        spec.setdefault('times', 1)
        self.armed.append(spec)

    def take(self, method: str, path_qs: str, verb: str | None) -> dict[str, Any] | None:
        """The first armed fault matching this request, consuming one of its `times`."""
        for spec in self.armed:
            if spec.get('method') and spec['method'].upper() != method.upper():
                continue
            if spec.get('path_contains') and spec['path_contains'] not in path_qs:
                continue
            if spec.get('verb') and spec['verb'] != verb:
                continue
            if spec['times'] is not None:
                spec['times'] -= 1
                if spec['times'] <= 0:
                    self.armed.remove(spec)
            return spec
        return None


class Denials:
    KEYS = ('verb', 'group', 'resource', 'subresource', 'namespace', 'name')

    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []

    def add(self, rules: Any) -> None:
        for rule in rules if isinstance(rules, list) else [rules]:
            if not isinstance(rule, dict) or set(rule) - set(self.KEYS):
                raise ValueError(f'a deny rule is an object with keys among {self.KEYS}')
            self.rules.append(rule)

    def denied(self, attrs: dict[str, Any]) -> bool:
        def ok(rule: dict[str, Any], key: str) -> bool:
            want = rule.get(key)
            return want in (None, '*') or want == (attrs.get(key) or '')
        return any(all(ok(rule, key) for key in self.KEYS) for rule in self.rules)


async def serve_admin(emu: Any, method: str, path: str, data: Any) -> tuple[int, Any]:
    """Answer one /_kmock/ request as (HTTP status, JSON body or text)."""
    route = (method.upper(), path.rstrip('/'))
    if route == ('GET', '/_kmock/healthz'):
        return 200, 'ok'
    if route == ('GET', '/_kmock/stats'):
        return 200, emu.stats.snapshot()
    if route in (('POST', '/_kmock/stats/reset'), ('DELETE', '/_kmock/stats')):
        emu.stats.reset()
        return 200, emu.stats.snapshot()
    if route == ('GET', '/_kmock/faults'):
        return 200, emu.faults.armed
    if route == ('POST', '/_kmock/faults'):
        for spec in data if isinstance(data, list) else [data]:
            emu.faults.add(spec)
        return 201, emu.faults.armed
    if route == ('DELETE', '/_kmock/faults'):
        emu.faults.armed.clear()
        return 200, []
    if route == ('GET', '/_kmock/deny'):
        return 200, emu.denials.rules
    if route == ('POST', '/_kmock/deny'):
        emu.denials.add(data)
        return 201, emu.denials.rules
    if route == ('DELETE', '/_kmock/deny'):
        emu.denials.rules.clear()
        return 200, []
    if route == ('POST', '/_kmock/watches/close'):
        closed = emu.store.close_watches()
        await asyncio.sleep(0)
        return 200, {'closed': closed}
    if route == ('POST', '/_kmock/resources'):
        emu.register(data)
        return 201, {'registered': data}
    return 404, {'error': f'no admin endpoint {method} {path}'}


def load_json_file(path: str | None) -> Any:
    if not path:
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)
