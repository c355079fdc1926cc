"""Subresources, access reviews and watch streams of the kmock test peer (kmock_server.py)."""
import asyncio
import copy
import json
from typing import Any

import aiohttp.web

from kmock_admin import Denials
from kmock_patch import apply_patch, parse_field_selector, parse_label_selector, selector_string
from kmock_store import ApiError, Kind, Store, Watcher, now


def json_response(body: Any, status: int = 200) -> aiohttp.web.Response:
    return aiohttp.web.json_response(body, status=status)


def scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    """The autoscaling/v1 Scale view of a workload, as GET .../NAME/scale answers it."""
    meta, spec, status = obj['metadata'], obj.get('spec') or {}, obj.get('status') or {}
    return {'kind': 'Scale', 'apiVersion': 'autoscaling/v1',
            'metadata': {k: meta[k] for k in ('name', 'namespace', 'uid', 'resourceVersion',
                                              'creationTimestamp') if k in meta},
            'spec': {'replicas': spec.get('replicas', 1)},
            'status': {'replicas': status.get('replicas', 0),
                       'selector': selector_string((spec.get('selector') or {}).get('matchLabels'))}}


def serve_scale(store: Store, raw: Any, t: Any, kind: Kind, obj: dict, data: Any, dry: bool):
    scale = scale_of(obj)
    if t.verb == 'get':
        return json_response(scale)
    if t.verb not in ('update', 'patch'):
        raise ApiError(405, f'{t.verb} is not allowed on {t.plural}/scale')
    new_scale = data if t.verb == 'update' else \
        apply_patch(raw.headers.get('Content-Type', ''), scale, data)
    if not isinstance(new_scale, dict):
        raise ApiError(400, 'the request body must be a Scale object')
    store.check_version(kind, t.name, (new_scale.get('metadata') or {}).get('resourceVersion'), obj)
    replicas = (new_scale.get('spec') or {}).get('replicas')
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ApiError(422, f'Scale.autoscaling "{t.name}" is invalid: spec.replicas: '
                       f'Invalid value: {replicas!r}: must be a non-negative integer')
    new = copy.deepcopy(obj)
    new.setdefault('spec', {})['replicas'] = replicas
    store.prepare(kind, t.namespace, t.name, new, obj)
    return json_response(scale_of(store.commit(kind, new, obj, dry)))


def serve_status(store: Store, raw: Any, t: Any, kind: Kind, obj: dict, data: Any, dry: bool):
    """GET/PUT/PATCH .../NAME/status: only `status` changes, whatever else the body says."""
    if t.verb == 'get':
        return json_response(obj)
    if t.verb not in ('update', 'patch'):
        raise ApiError(405, f'{t.verb} is not allowed on {t.plural}/status')
    if not isinstance(data, (dict, list)):
        raise ApiError(400, 'the request body must be a JSON object')
    patched = data if t.verb == 'update' else \
        apply_patch(raw.headers.get('Content-Type', ''), copy.deepcopy(obj), data)
    if not isinstance(patched, dict):
        raise ApiError(422, 'the patched object is not an object')
    store.check_version(kind, t.name, (patched.get('metadata') or {}).get('resourceVersion'), obj)
    new = copy.deepcopy(obj)
    new.pop('status', None)
    if patched.get('status') is not None:
        new['status'] = copy.deepcopy(patched['status'])
    store.prepare(kind, t.namespace, t.name, new, obj)
    return json_response(store.commit(kind, new, obj, dry))


def serve_proxy(store: Store, t: Any, kind: Kind) -> aiohttp.web.Response:
    """pods|services/NAME[:PORT]/proxy/PATH: 200 "ok", unless the object's annotation
    `kmock/health` is "fail" (503 "unhealthy") or an HTTP status code to answer."""
    parts = (t.name or '').split(':')  # NAME, NAME:PORT or SCHEME:NAME:PORT
    name = parts[1] if len(parts) == 3 or (len(parts) == 2 and parts[0] in ('http', 'https')) \
        else parts[0]
    obj = store.require(kind, t.namespace, name)
    health = str((obj['metadata'].get('annotations') or {}).get('kmock/health') or 'ok')
    if health == 'fail':
        return aiohttp.web.Response(text='unhealthy', status=503)
    if health.isdigit():
        return aiohttp.web.Response(text=f'status {health}', status=int(health))
    return aiohttp.web.Response(text='ok', status=200)


def serve_review(denials: Denials, kind: Kind, data: dict[str, Any]) -> aiohttp.web.Response:
    """(Self|Local)SubjectAccessReview: allowed unless a deny rule matches (kmock_admin.py)."""
    spec = data.get('spec') or {}
    res = spec.get('resourceAttributes')
    if res is not None:
        attrs = {k: res.get(k) for k in Denials.KEYS}
    else:  # nonResourceAttributes: a path and a verb
        non = spec.get('nonResourceAttributes') or {}
        attrs = {'verb': non.get('verb'), 'resource': non.get('path')}
    denied = denials.denied(attrs)
    status: dict[str, Any] = {'allowed': not denied}
    status.update({'denied': True, 'reason': 'denied by a kmock rule'} if denied
                  else {'reason': 'allowed by kmock'})
    body = dict(data, apiVersion=kind.api_version, kind=kind.kind, status=status)
    body['metadata'] = dict(data.get('metadata') or {}, creationTimestamp=now())
    return json_response(body, 201)


def _line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(',', ':')).encode() + b'\n'


async def serve_watch(store: Store, raw: Any, t: Any, kind: Kind,
                      bookmark_interval: float) -> aiohttp.web.StreamResponse:
    """A watch stream: the initial or resumed events, then live ones until timeoutSeconds;
    BOOKMARKs when asked for; an ERROR 410 Expired event for a resourceVersion too old."""
    q = raw.query
    watcher = Watcher(kind, t.namespace, t.name, parse_label_selector(q.get('labelSelector')),
                      parse_field_selector(q.get('fieldSelector')))
    initial_events = q.get('sendInitialEvents') == 'true'
    bookmarks = q.get('allowWatchBookmarks') == 'true'
    timeout = min(float(q.get('timeoutSeconds') or 1800), 3600.0)
    response = aiohttp.web.StreamResponse(headers={'Content-Type': 'application/json'})
    try:
        initial = store.watch(watcher, None if initial_events else q.get('resourceVersion'))
    except ApiError as e:
        if e.code != 410:
            raise
        await response.prepare(raw)
        await response.write(_line({'type': 'ERROR', 'object': e.status()}))
        await response.write_eof()
        return response

    def bookmark(**annotations: str) -> dict[str, Any]:
        meta: dict[str, Any] = {'resourceVersion': str(store.rv)}
        if annotations:
            meta['annotations'] = annotations
        return {'type': 'BOOKMARK',
                'object': {'kind': kind.kind, 'apiVersion': kind.api_version, 'metadata': meta}}

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        await response.prepare(raw)
        for event in initial:
            await response.write(_line(event))
        if initial_events:
            await response.write(_line(bookmark(**{'k8s.io/initial-events-end': 'true'})))
        while (remaining := deadline - loop.time()) > 0:
            wait = min(remaining, bookmark_interval) if bookmarks else remaining
            try:
                event = await asyncio.wait_for(watcher.queue.get(), wait)
            except asyncio.TimeoutError:
                if bookmarks and deadline - loop.time() > 0:
                    await response.write(_line(bookmark()))
                continue
            if event is None:  # closed by /_kmock/watches/close or at shutdown
                break
            await response.write(_line(event))
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        pass  # the client went away
    finally:
        store.watchers.discard(watcher)
    return response
