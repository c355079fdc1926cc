"""The Kubernetes API that the kmock test peer serves (see kmock_server.py).

`CockpitEmulator` subclasses `kmock.KubernetesEmulator` and keeps what fits of it: its HTTP
server, its bundled resource discovery (made deterministic here) and /version. Resource
requests never reach kmock's own handling, which (kmock 0.8) stamps no resourceVersion, uid or
creationTimestamp; answers PUT with 500; merges every PATCH type as nested dicts; ignores
dryRun, status/scale/proxy subresources and a watch's resourceVersion, selectors and timeout;
lists without kind/apiVersion; says "Object Not Found" instead of NotFound; and fails with
500 on /api/v1/namespaces. This class serves them instead, from kmock_store.Store.
"""
import asyncio
import copy
import json
import re
from dataclasses import dataclass
from typing import Any

import aiohttp.web
import attrs
import kmock
import yaml

from kmock_admin import Denials, Faults, Stats, serve_admin
from kmock_patch import PatchError, SelectorError, apply_patch, parse_field_selector, parse_label_selector, \
    strategic_patch
from kmock_proto import decode as decode_protobuf
from kmock_store import REASONS, ApiError, Kind, Store, status_object
from kmock_table import table, wants_table
from kmock_subresources import serve_proxy, serve_review, serve_scale, serve_status, serve_watch

ALL_VERBS = {'create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'}
REVIEWS = {'selfsubjectaccessreviews', 'subjectaccessreviews', 'localsubjectaccessreviews'}
SUB_VERBS = {'status': ['get', 'patch', 'update'], 'scale': ['get', 'patch', 'update'],
             'proxy': ['create', 'delete', 'get', 'patch', 'update'], 'eviction': ['create'],
             'binding': ['create'], 'finalize': ['update'], 'exec': ['create', 'get'],
             'attach': ['create', 'get'], 'portforward': ['create', 'get']}
RBAC_VERB = {'GET': 'get', 'POST': 'create', 'PUT': 'update', 'PATCH': 'patch', 'DELETE': 'delete'}


@dataclass
class Target:
    group: str
    version: str
    plural: str
    namespace: str | None
    name: str | None
    sub: str | None  # the first segment of the subresource: status, scale, proxy, ...
    rest: str  # what follows the subresource (the proxied path)
    verb: str


def parse_target(method: str, path: str, params: Any) -> Target | None:
    """Split a resource URL; None for discovery and other non-resource paths."""
    parts = [p for p in path.split('/') if p]
    if len(parts) >= 3 and parts[0] == 'api':
        group, version, rest = '', parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == 'apis':
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if rest[0] == 'namespaces' and len(rest) >= 3 and not (
            group == '' and len(rest) == 3 and rest[2] in ('status', 'finalize')):
        namespace, rest = rest[1], rest[2:]
    plural, name = rest[0], (rest[1] if len(rest) > 1 else None)
    sub = rest[2] if len(rest) > 2 else None
    tail = '/'.join(rest[3:])
    watch = params.get('watch') in ('true', '1')
    if sub == 'proxy':
        verb = 'proxy'
    elif method == 'GET':
        verb = 'watch' if watch else 'get' if name else 'list'
    elif method == 'DELETE':
        verb = 'delete' if name else 'deletecollection'
    else:
        verb = {'POST': 'create', 'PUT': 'update', 'PATCH': 'patch'}.get(method, method.lower())
    return Target(group, version, plural, namespace, name, sub, tail, verb)


def version_rank(version: str) -> tuple[int, int, int]:
    m = re.match(r'^v(\d+)(?:(alpha|beta)(\d+))?$', version)
    if not m:
        return (-1, 0, 0)
    stability = {'alpha': 0, 'beta': 1, None: 2}[m.group(2)]
    return (stability, int(m.group(1)), int(m.group(3) or 0))


def json_response(body: Any, status: int = 200) -> aiohttp.web.Response:
    return aiohttp.web.json_response(body, status=status)


def parse_body(content_type: str, body: bytes) -> Any:
    """JSON, YAML (server-side apply sends YAML) or the few protobuf kinds kmock_proto knows."""
    if not body.strip():
        return None
    if body.startswith(b'k8s\x00'):
        try:
            return decode_protobuf(body)
        except (ValueError, IndexError) as e:
            raise ApiError(415, str(e))
    try:
        return json.loads(body)
    except ValueError:
        pass
    try:
        return yaml.safe_load(body.decode())
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ApiError(400, f'the request body is neither JSON nor YAML ({content_type}): {e}')


@attrs.define(kw_only=True)
class CockpitEmulator(kmock.KubernetesEmulator):
    token: str | None = None
    bookmark_interval: float = 5.0
    store: Store = attrs.field(factory=Store)
    stats: Stats = attrs.field(factory=Stats)
    faults: Faults = attrs.field(factory=Faults)
    denials: Denials = attrs.field(factory=Denials)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self.store.hooks.append(self._on_write)

    # --- kmock's discovery, made deterministic ----------------------------------------------

    async def _serve_server_version(self, request: Any) -> dict[str, Any]:
        return {'major': '1', 'minor': '32', 'gitVersion': 'v1.32.0-kmock', 'platform': 'linux/amd64',
                'gitCommit': '', 'gitTreeState': 'clean', 'buildDate': '2025-01-01T00:00:00Z',
                'goVersion': 'go1.23', 'compiler': 'gc'}

    @staticmethod
    def _prefer(group: dict[str, Any]) -> dict[str, Any]:
        # kmock picks a random version of a set as preferred: the real server prefers GA.
        versions = sorted(group['versions'], key=lambda v: version_rank(v['version']), reverse=True)
        return dict(group, versions=versions, preferredVersion=versions[0])

    async def _serve_apis(self, request: Any) -> dict[str, Any]:
        doc = await super()._serve_apis(request)
        return dict(doc, groups=sorted((self._prefer(g) for g in doc['groups']),
                                       key=lambda g: g['name']))

    async def _serve_group(self, request: Any) -> dict[str, Any]:
        return self._prefer(await super()._serve_group(request))

    async def _serve_version(self, request: Any) -> dict[str, Any]:
        # kmock repeats the parent's shortNames, kind and verbs on subresources, which makes
        # kubectl warn and resolve `ns` to `namespaces/status`: describe them as the real one.
        doc = await super()._serve_version(request)
        resources = []
        for res in doc['resources']:
            if '/' in res['name']:
                sub = res['name'].split('/', 1)[1]
                res = dict(res, shortNames=[], categories=[], singularName='',
                           verbs=SUB_VERBS.get(sub, ['get']))
                if sub == 'scale':
                    res.update(group='autoscaling', version='v1', kind='Scale')
            resources.append(res)
        group_version = doc['groupVersion'].lstrip('/')  # kmock says "/v1" for the core group
        return dict(doc, groupVersion=group_version, resources=sorted(resources, key=lambda r: r['name']))

    async def _render_error(self, exc: Exception) -> aiohttp.web.StreamResponse:
        if isinstance(exc, ApiError):
            return json_response(exc.status(), exc.code)
        code = exc.status if isinstance(exc, kmock.KubernetesError) else 500
        message = (exc.message if isinstance(exc, kmock.KubernetesError) else None) or repr(exc)
        if code == 404:
            message = 'the server could not find the requested resource'
        return json_response(status_object(code, REASONS.get(code, 'InternalError'), message), code)

    # --- resources ---------------------------------------------------------------------------

    def kind_of(self, t: Target) -> Kind | None:
        key = kmock.resource(t.group, t.version, t.plural)
        if key not in self.resources:  # NB: reading an absent key would create it
            return None
        info = self.resources[key]
        return Kind(t.group, t.version, t.plural, info.kind or t.plural.capitalize(),
                    bool(info.namespaced), frozenset(info.subresources))

    def register(self, spec: dict[str, Any]) -> None:
        key = kmock.resource(spec['group'], spec['version'], spec['plural'])
        self.resources[key] = kmock.ResourceInfo(
            kind=spec['kind'], namespaced=spec.get('namespaced', True), verbs=ALL_VERBS,
            singular=spec.get('singular') or spec['kind'].lower(),
            shortnames=set(spec.get('shortNames') or ()),
            subresources=set(spec.get('subresources') or ()))

    def _on_write(self, kind: Kind, type_: str, obj: dict[str, Any]) -> None:
        if kind.plural != 'customresourcedefinitions' or type_ == 'DELETED':
            return
        spec = obj.get('spec', {})
        names = spec.get('names', {})
        for version in spec.get('versions', []):
            self.register({'group': spec.get('group'), 'version': version.get('name'),
                           'plural': names.get('plural'), 'kind': names.get('kind'),
                           'singular': names.get('singular'), 'shortNames': names.get('shortNames'),
                           'namespaced': spec.get('scope') == 'Namespaced',
                           'subresources': list((version.get('subresources') or {}).keys())})

    # --- the entry point ---------------------------------------------------------------------

    async def __call__(self, raw: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        """Every request enters here; only discovery goes on to kmock's own handling."""
        body = await raw.read()
        path, method = raw.path, raw.method.upper()
        if path.startswith('/_kmock/'):
            try:
                code, answer = await serve_admin(self, method, path, json.loads(body) if body.strip() else None)
            except (ValueError, KeyError, TypeError) as e:
                code, answer = 400, {'error': str(e)}
            return aiohttp.web.Response(text=answer, status=code) if isinstance(answer, str) \
                else json_response(answer, code)
        # kubectl sends no credentials over plain http: only a wrong token is refused.
        auth = raw.headers.get('Authorization')
        if self.token and auth is not None and auth != f'Bearer {self.token}':
            return json_response(ApiError(401, 'Unauthorized').status(), 401)
        target = parse_target(method, path, raw.query)
        kind = self.kind_of(target) if target else None
        if kind is not None:
            self.stats.count(target.verb, target.plural + (f'/{target.sub}' if target.sub else ''))
        fault = self.faults.take(method, raw.path_qs, target.verb if target else None)
        if fault:
            await asyncio.sleep(float(fault.get('delay') or 0))
            if fault.get('status'):
                code = int(fault['status'])
                return json_response(status_object(
                    code, fault.get('reason') or REASONS.get(code, 'InternalError'),
                    fault.get('message') or f'injected fault ({code})'), code)
        if target is None:
            if len(self._requests) > 1000:  # kmock keeps every request: bound it
                del self._requests[:-100]
            if self._errors and len(self._errors[-1]) > 100:
                del self._errors[-1][:-10]
            return await super().__call__(raw)  # discovery, /version, 404s
        try:
            if kind is None:
                raise ApiError(404, 'the server could not find the requested resource')
            self._authorize(method, target)
            data = parse_body(raw.headers.get('Content-Type', ''), body)
            return await self._serve(raw, target, kind, data)
        except PatchError as e:
            return json_response(ApiError(422, str(e)).status(), 422)
        except SelectorError as e:
            return json_response(ApiError(400, str(e)).status(), 400)
        except ApiError as e:
            return json_response(e.status(), e.code)

    def _authorize(self, method: str, t: Target) -> None:
        verb = RBAC_VERB.get(method, 'get') if t.verb == 'proxy' else t.verb
        attrs_ = {'verb': verb, 'group': t.group, 'resource': t.plural, 'subresource': t.sub,
                  'namespace': t.namespace, 'name': t.name}
        if self.denials.denied(attrs_):
            what = f'{t.plural}/{t.sub}' if t.sub else t.plural
            where = f' in the namespace "{t.namespace}"' if t.namespace else ''
            raise ApiError(403, f'{t.plural}{"." + t.group if t.group else ""} "{t.name or ""}" '
                           f'is forbidden: User "kmock" cannot {verb} resource "{what}" in API '
                           f'group "{t.group}"{where}')

    async def _serve(self, raw: Any, t: Target, kind: Kind, data: Any) -> aiohttp.web.StreamResponse:
        dry = 'All' in raw.query.getall('dryRun', [])
        if kind.namespaced and t.namespace is None and t.verb not in ('list', 'watch', 'deletecollection'):
            raise ApiError(404, 'the server could not find the requested resource')
        if t.plural in REVIEWS and t.group == 'authorization.k8s.io' and t.verb == 'create':
            return serve_review(self.denials, kind, data or {})
        if t.sub is None:
            return await self._serve_main(raw, t, kind, data, dry)
        if t.sub == 'proxy' and kind.key in (('', 'v1', 'pods'), ('', 'v1', 'services')):
            return serve_proxy(self.store, t, kind)
        if t.sub not in kind.subresources or t.sub not in ('status', 'scale'):
            raise ApiError(404, f'the server could not find the requested resource '
                           f'({t.plural}/{t.sub} is not served by kmock)')
        obj = self.store.require(kind, t.namespace, t.name)
        serve = serve_scale if t.sub == 'scale' else serve_status
        return serve(self.store, raw, t, kind, obj, data, dry)

    async def _serve_main(self, raw: Any, t: Target, kind: Kind, data: Any, dry: bool):
        store, q = self.store, raw.query
        if t.verb in ('list', 'deletecollection'):
            items = store.list(kind, t.namespace, parse_label_selector(q.get('labelSelector')),
                               parse_field_selector(q.get('fieldSelector')))
            meta: dict[str, Any] = {}
            if t.verb == 'deletecollection':
                items = [store.delete(kind, t.namespace, o['metadata']['name'], {}, dry) for o in items]
            else:  # pages: `continue` is the offset of the next page
                start, limit = int(q.get('continue') or 0), int(q.get('limit') or 0)
                if limit and start + limit < len(items):
                    meta['continue'] = str(start + limit)
                    meta['remainingItemCount'] = len(items) - start - limit
                items = items[start:start + limit] if limit else items[start:]
            meta['resourceVersion'] = str(store.rv)
            if t.verb == 'list' and wants_table(raw.headers.get('Accept', '')):
                return json_response(dict(table(kind.kind, items, str(store.rv)), metadata=meta))
            return json_response({'kind': f'{kind.kind}List', 'apiVersion': kind.api_version,
                                  'metadata': meta, 'items': items})
        if t.verb == 'watch':
            return await serve_watch(store, raw, t, kind, self.bookmark_interval)
        if t.verb == 'get':
            obj = store.require(kind, t.namespace, t.name)
            if wants_table(raw.headers.get('Accept', '')):
                return json_response(table(kind.kind, [obj], str(store.rv)))
            return json_response(obj)
        if t.verb == 'delete':
            options = data if isinstance(data, dict) else {}
            dry = dry or 'All' in (options.get('dryRun') or [])
            return json_response(store.delete(kind, t.namespace, t.name, options, dry))
        ctype = raw.headers.get('Content-Type', '')
        old = store.get(kind, t.namespace, t.name) if t.name else None
        if t.verb == 'patch' and old is None and 'apply-patch' in ctype and isinstance(data, dict):
            t.verb, data = 'create', strategic_patch({}, data)  # server-side apply creates
        if not isinstance(data, (dict, list)):
            raise ApiError(400, 'the request body must be a JSON object')
        if t.verb == 'create':
            return self._create(t, kind, data, dry)
        if t.verb not in ('update', 'patch'):
            raise ApiError(405, f'{t.verb} is not allowed here')
        if old is None:
            raise kind.not_found(t.name or '')
        new = copy.deepcopy(data) if t.verb == 'update' else apply_patch(ctype, copy.deepcopy(old), data)
        if not isinstance(new, dict):
            raise ApiError(422, 'the patched object is not an object')
        meta = new.get('metadata') or {}
        if meta.get('name') not in (None, t.name):
            raise ApiError(400, f'the name of the object ({meta.get("name")}) does not match '
                           f'the name on the URL ({t.name})')
        store.check_version(kind, t.name, meta.get('resourceVersion'), old)
        if 'status' in kind.subresources:  # the main resource ignores status, as the real one
            new.pop('status', None)
            if 'status' in old:
                new['status'] = copy.deepcopy(old['status'])
        store.prepare(kind, t.namespace, t.name, new, old)
        return json_response(store.commit(kind, new, old, dry))

    def _create(self, t: Target, kind: Kind, data: Any, dry: bool) -> aiohttp.web.Response:
        if not isinstance(data, dict):
            raise ApiError(400, 'the request body must be a JSON object')
        meta = data.get('metadata') or {}
        name = t.name or meta.get('name')
        if not name and meta.get('generateName'):
            name = self.store.generate_name(meta['generateName'])
        if not name:
            raise ApiError(422, f'{kind.kind} "" is invalid: metadata.name: Required value: '
                           'name or generateName is required')
        if kind.namespaced and meta.get('namespace') not in (None, '', t.namespace):
            raise ApiError(400, 'the namespace of the provided object does not match the '
                           'namespace sent on the request')
        if self.store.get(kind, t.namespace, name) is not None:
            raise ApiError(409, f'{kind.qualified} "{name}" already exists', 'AlreadyExists',
                           {'name': name, 'group': kind.group, 'kind': kind.plural})
        obj = copy.deepcopy(data)
        if 'status' in kind.subresources:  # create resets status, as the real server does
            obj.pop('status', None)
        obj.setdefault('metadata', {}).pop('resourceVersion', None)
        self.store.prepare(kind, t.namespace, name, obj, None)
        return json_response(self.store.commit(kind, obj, None, dry), 201)
