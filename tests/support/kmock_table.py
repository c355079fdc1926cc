"""Server-side printing for the kmock test peer (see kmock_server.py): `kubectl get` asks for a
meta.k8s.io/v1 Table and shows its columns, as a person sees them against a real cluster
(NAME READY UP-TO-DATE AVAILABLE AGE for deployments, ...). Kinds not listed get NAME, AGE.
"""
import datetime
from typing import Any, Callable

Column = tuple[str, str, Callable[[dict[str, Any]], Any]]


def age(obj: dict[str, Any]) -> str:
    stamp = obj.get('metadata', {}).get('creationTimestamp')
    if not stamp:
        return '<unknown>'
    created = datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.UTC)
    seconds = max(0, int((datetime.datetime.now(tz=datetime.UTC) - created).total_seconds()))
    for unit, size in (('d', 86400), ('h', 3600), ('m', 60)):
        if seconds >= 2 * size:
            return f'{seconds // size}{unit}'
    return f'{seconds}s'


def _status(obj: dict[str, Any], key: str, default: Any = 0) -> Any:
    return (obj.get('status') or {}).get(key, default)


def _spec(obj: dict[str, Any], key: str, default: Any = None) -> Any:
    return (obj.get('spec') or {}).get(key, default)


def _pod_ready(obj: dict[str, Any]) -> str:
    containers = _spec(obj, 'containers', []) or []
    statuses = _status(obj, 'containerStatuses', []) or []
    return f'{sum(1 for s in statuses if s.get("ready"))}/{len(containers)}'


def _restarts(obj: dict[str, Any]) -> int:
    return sum(s.get('restartCount', 0) for s in _status(obj, 'containerStatuses', []) or [])


def _hpa_ref(obj: dict[str, Any]) -> str:
    ref = _spec(obj, 'scaleTargetRef', {}) or {}
    return f'{ref.get("kind", "")}/{ref.get("name", "")}'


COLUMNS: dict[str, list[Column]] = {
    'Deployment': [
        ('Ready', 'string', lambda o: f'{_status(o, "readyReplicas")}/{_spec(o, "replicas", 1)}'),
        ('Up-to-date', 'integer', lambda o: _status(o, 'updatedReplicas')),
        ('Available', 'integer', lambda o: _status(o, 'availableReplicas')),
    ],
    'StatefulSet': [
        ('Ready', 'string', lambda o: f'{_status(o, "readyReplicas")}/{_spec(o, "replicas", 1)}'),
    ],
    'Pod': [
        ('Ready', 'string', _pod_ready),
        ('Status', 'string', lambda o: _status(o, 'phase', 'Pending')),
        ('Restarts', 'string', lambda o: str(_restarts(o))),
    ],
    'HorizontalPodAutoscaler': [
        ('Reference', 'string', _hpa_ref),
        ('Targets', 'string', lambda o: '<unknown>'),
        ('MinPods', 'integer', lambda o: _spec(o, 'minReplicas', 1)),
        ('MaxPods', 'integer', lambda o: _spec(o, 'maxReplicas', 0)),
        ('Replicas', 'integer', lambda o: _status(o, 'currentReplicas')),
    ],
    'Namespace': [('Status', 'string', lambda o: _status(o, 'phase', 'Active'))],
}


def wants_table(accept: str) -> bool:
    return 'as=Table' in accept


def table(kind: str, objects: list[dict[str, Any]], resource_version: str) -> dict[str, Any]:
    columns: list[Column] = [('Name', 'string', lambda o: o['metadata']['name'])]
    columns += COLUMNS.get(kind, [])
    columns.append(('Age', 'string', age))
    return {
        'kind': 'Table', 'apiVersion': 'meta.k8s.io/v1',
        'metadata': {'resourceVersion': resource_version},
        'columnDefinitions': [{'name': name, 'type': type_, 'format': 'name' if name == 'Name' else '',
                               'description': '', 'priority': 0} for name, type_, _ in columns],
        'rows': [{'cells': [value(obj) for _, _, value in columns],
                  'object': {'kind': 'PartialObjectMetadata', 'apiVersion': 'meta.k8s.io/v1',
                             'metadata': obj['metadata']}} for obj in objects],
    }
