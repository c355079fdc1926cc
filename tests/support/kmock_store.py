"""The object store of the kmock test peer (see kmock_server.py).

Holds every object in memory and gives each write what a real API server gives it: a new
metadata.resourceVersion from one cluster-wide counter, a uid and a creationTimestamp on
create, metadata.generation bumped when anything but metadata/status changes, optimistic
concurrency (409 Conflict on a stale resourceVersion), no-op writes that change nothing,
finalizers holding a deletion, and a bounded event log from which watches resume at a
resourceVersion (410 Expired once it fell out of the log). Stored dicts are never mutated:
every write stores a new dict, so a dict handed out stays valid.
"""
from __future__ import annotations

import asyncio
import collections
import copy
import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from kmock_patch import fields_match, labels_match

REASONS = {
    400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound',
    405: 'MethodNotAllowed', 409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType',
    422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
    504: 'Timeout',
}


class ApiError(Exception):
    """An error answered as a Kubernetes `Status` object with this code and reason."""

    def __init__(self, code: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details
        self.reason = reason or REASONS.get(code, 'Unknown')

    def status(self) -> dict[str, Any]:
        return status_object(self.code, self.reason, self.message, self.details)


def status_object(code: int, reason: str, message: str, details: dict[str, Any] | None = None):
    body = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
            'message': message, 'reason': reason, 'code': code}
    if details:
        body['details'] = details
    return body


def now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


@dataclass(frozen=True)
class Kind:
    """One served resource: what discovery tells about it."""
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    subresources: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.group, self.version, self.plural)

    @property
    def api_version(self) -> str:
        return f'{self.group}/{self.version}' if self.group else self.version

    @property
    def qualified(self) -> str:
        return f'{self.plural}.{self.group}' if self.group else self.plural

    def not_found(self, name: str) -> ApiError:
        return ApiError(404, f'{self.qualified} "{name}" not found',
                        details={'name': name, 'group': self.group, 'kind': self.plural})

    def conflict(self, name: str) -> ApiError:
        return ApiError(409, f'Operation cannot be fulfilled on {self.qualified} "{name}": the '
                        'object has been modified; please apply your changes to the latest '
                        'version and try again',
                        details={'name': name, 'group': self.group, 'kind': self.plural})


@dataclass(frozen=True)
class Event:
    rv: int
    kind_key: tuple[str, str, str]
    type: str  # ADDED, MODIFIED, DELETED
    old: dict[str, Any] | None
    new: dict[str, Any]


@dataclass(eq=False)
class Watcher:
    kind: Kind
    namespace: str | None
    name: str | None
    labels: list[Any]
    fields: list[Any]
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def matches(self, obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        meta = obj.get('metadata', {})
        return ((self.namespace is None or meta.get('namespace') == self.namespace)
                and (self.name is None or meta.get('name') == self.name)
                and labels_match(self.labels, meta.get('labels'))
                and fields_match(self.fields, obj))

    def translate(self, event: Event) -> dict[str, Any] | None:
        """The event as this watch sees it: an object leaving its selector is DELETED for it,
        one entering it is ADDED, as the real server does for filtered watches."""
        was, now_ = self.matches(event.old), self.matches(event.new)
        if event.type == 'MODIFIED' and was != now_:
            return {'type': 'ADDED' if now_ else 'DELETED', 'object': event.new}
        if now_ or (event.type == 'DELETED' and was):
            return {'type': event.type, 'object': event.new}
        return None


def _strip(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ('metadata', 'status')}


class Store:
    def __init__(self, log_size: int = 5000) -> None:
        self.objects: dict[tuple[str, str, str], dict[tuple[str | None, str], dict]] = \
            collections.defaultdict(dict)
        self.rv = 1
        self.log: collections.deque[Event] = collections.deque(maxlen=log_size)
        self.floor = 0  # the newest resourceVersion that fell out of the log
        self.watchers: set[Watcher] = set()
        self.hooks: list[Callable[[Kind, str, dict[str, Any]], None]] = []
        self._names = itertools.count(1)

    # --- reading ---------------------------------------------------------------------------

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any] | None:
        return self.objects[kind.key].get((namespace if kind.namespaced else None, name))

    def require(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise kind.not_found(name)
        return obj

    def list(self, kind: Kind, namespace: str | None, labels=(), fields=()) -> list[dict]:
        probe = Watcher(kind, namespace, None, list(labels), list(fields), queue=None)  # type: ignore[arg-type]
        items = [o for o in self.objects[kind.key].values() if probe.matches(o)]
        return sorted(items, key=lambda o: (o['metadata'].get('namespace') or '', o['metadata']['name']))

    # --- writing ---------------------------------------------------------------------------

    def prepare(self, kind: Kind, namespace: str | None, name: str, new: dict[str, Any],
                old: dict[str, Any] | None) -> dict[str, Any]:
        """Stamp the server-owned fields of `new` (a fresh dict the caller owns)."""
        new['apiVersion'], new['kind'] = kind.api_version, kind.kind
        meta = new.setdefault('metadata', {})
        if not isinstance(meta, dict):
            raise ApiError(400, 'metadata must be an object')
        meta['name'] = name
        if kind.namespaced:
            meta['namespace'] = namespace
        else:
            meta.pop('namespace', None)
        meta.pop('generateName', None) if old is None and 'name' in meta else None
        if old is None:
            meta['uid'] = str(uuid.uuid4())
            meta['creationTimestamp'] = now()
            meta['generation'] = 1
            meta.pop('deletionTimestamp', None)
        else:
            old_meta = old['metadata']
            for key in ('uid', 'creationTimestamp', 'deletionTimestamp',
                        'deletionGracePeriodSeconds'):
                if key in old_meta:
                    meta[key] = old_meta[key]
                else:
                    meta.pop(key, None)
            changed = _strip(new) != _strip(old)
            meta['generation'] = old_meta.get('generation', 1) + (1 if changed else 0)
        return new

    def commit(self, kind: Kind, new: dict[str, Any], old: dict[str, Any] | None,
               dry_run: bool) -> dict[str, Any]:
        """Store a prepared object (or only answer it on a dry run) and tell the watchers."""
        meta = new['metadata']
        if old is not None:
            meta['resourceVersion'] = old['metadata'].get('resourceVersion')
            if new == old:  # a no-op write: the real server keeps the resourceVersion too
                return old
        if dry_run:
            return new
        meta['resourceVersion'] = self._next_rv()
        key = (meta.get('namespace'), meta['name'])
        if meta.get('deletionTimestamp') and not meta.get('finalizers'):
            self.objects[kind.key].pop(key, None)
            self._emit(kind, 'DELETED', old, new)
        else:
            self.objects[kind.key][key] = new
            self._emit(kind, 'ADDED' if old is None else 'MODIFIED', old, new)
        return new

    def check_version(self, kind: Kind, name: str, wanted: Any, old: dict[str, Any]) -> None:
        if wanted not in (None, '') and str(wanted) != old['metadata'].get('resourceVersion'):
            raise kind.conflict(name)

    def generate_name(self, prefix: str) -> str:
        return f'{prefix}{next(self._names):05x}'[:253]

    def delete(self, kind: Kind, namespace: str | None, name: str, options: dict[str, Any],
               dry_run: bool) -> dict[str, Any]:
        old = self.require(kind, namespace, name)
        pre = options.get('preconditions') or {}
        if pre.get('uid') and pre['uid'] != old['metadata'].get('uid'):
            raise ApiError(409, f'Precondition failed: UID in precondition: {pre["uid"]}, '
                           f'UID in object meta: {old["metadata"].get("uid")}')
        self.check_version(kind, name, pre.get('resourceVersion'), old)
        new = copy.deepcopy(old)
        if old['metadata'].get('finalizers'):
            if old['metadata'].get('deletionTimestamp'):
                return old
            new['metadata']['deletionTimestamp'] = now()
            new['metadata']['deletionGracePeriodSeconds'] = 0
            if dry_run:
                return new
            new['metadata']['resourceVersion'] = self._next_rv()
            self.objects[kind.key][(new['metadata'].get('namespace'), name)] = new
            self._emit(kind, 'MODIFIED', old, new)
            return new
        if dry_run:
            return old
        new['metadata']['resourceVersion'] = self._next_rv()
        self.objects[kind.key].pop((new['metadata'].get('namespace'), name), None)
        self._emit(kind, 'DELETED', old, new)
        return new

    def _next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def _emit(self, kind: Kind, type_: str, old: dict | None, new: dict) -> None:
        if len(self.log) == self.log.maxlen:
            self.floor = self.log[0].rv
        event = Event(self.rv, kind.key, type_, old, new)
        self.log.append(event)
        for watcher in list(self.watchers):
            if watcher.kind.key == kind.key:
                seen = watcher.translate(event)
                if seen is not None:
                    watcher.queue.put_nowait(seen)
        for hook in self.hooks:
            hook(kind, type_, new)

    # --- watching --------------------------------------------------------------------------

    def watch(self, watcher: Watcher, since: str | None) -> list[dict[str, Any]]:
        """Register a watcher; answer the events it must see first. Raises 410 Expired if
        `since` fell out of the log, as the real server does."""
        if since in (None, '', '0'):
            initial = [{'type': 'ADDED', 'object': o}
                       for o in self.list(watcher.kind, watcher.namespace,
                                          watcher.labels, watcher.fields)
                       if watcher.name is None or o['metadata']['name'] == watcher.name]
        else:
            try:
                start = int(since)
            except ValueError:
                raise ApiError(400, f'invalid resource version: {since!r}')
            if start < self.floor:
                raise ApiError(410, f'too old resource version: {start} ({self.floor + 1})',
                               reason='Expired')
            initial = [seen for e in self.log
                       if e.rv > start and e.kind_key == watcher.kind.key
                       for seen in [watcher.translate(e)] if seen is not None]
        self.watchers.add(watcher)
        return initial

    def close_watches(self) -> int:
        count = len(self.watchers)
        for watcher in list(self.watchers):
            watcher.queue.put_nowait(None)
        return count
