"""Patch semantics and selectors for the kmock test peer (see kmock_server.py).

Pure functions, no I/O: JSON merge patch (RFC 7386), a strategic merge patch close enough to
the real one for the built-in types the cockpit touches, JSON patch (RFC 6902, via the
`jsonpatch` package that kmock depends on), and label/field selectors.
"""
import copy
import re
from typing import Any

import jsonpatch

# Merge keys of the strategic merge patch for lists of objects, by field name. The real server
# reads them from the Go types; this covers the fields of workloads, pods and services.
MERGE_KEYS = {
    'containers': 'name', 'initContainers': 'name', 'ephemeralContainers': 'name',
    'env': 'name', 'volumes': 'name', 'volumeMounts': 'mountPath', 'volumeDevices': 'devicePath',
    'imagePullSecrets': 'name', 'conditions': 'type', 'ownerReferences': 'uid',
    'hostAliases': 'ip', 'topologySpreadConstraints': 'topologyKey', 'envFrom': None,
    'ports': ('containerPort', 'port'), 'metrics': None, 'tolerations': None, 'args': None,
    'command': None, 'finalizers': None,
}


class PatchError(ValueError):
    """A patch that cannot be applied (answered as 422 Invalid, as the real server does)."""


class SelectorError(ValueError):
    """A label or field selector that does not parse (answered as 400 BadRequest)."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: dicts merge, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _merge_key(field: str | None, items: list[Any]) -> str | None:
    key = MERGE_KEYS.get(field or '')
    if isinstance(key, tuple):
        key = next((k for k in key if all(isinstance(i, dict) and k in i for i in items)), None)
    if key is None or not items or not all(isinstance(i, dict) and key in i for i in items):
        return None
    return key


def _strategic_list(field: str, target: list[Any], patch: list[Any]) -> list[Any]:
    key = _merge_key(field, [*target, *patch]) if patch else None
    if key is None:
        return [strip_directives(i) for i in patch]
    result = [copy.deepcopy(i) for i in target]
    for item in patch:
        index = next((n for n, old in enumerate(result) if old.get(key) == item.get(key)), None)
        if item.get('$patch') == 'delete':
            if index is not None:
                del result[index]
        elif index is None:
            result.append(strip_directives(item))
        else:
            result[index] = strategic_patch(result[index], item)
    return result


def strategic_patch(target: Any, patch: Any, field: str | None = None) -> Any:
    """Strategic merge patch: like a merge patch, but lists of objects with a known merge key
    (containers by name, env by name, ports by containerPort, ...) are merged item by item;
    `$patch: replace|delete` directives are honoured, other `$` directives are dropped."""
    if not isinstance(patch, dict):
        if isinstance(patch, list) and isinstance(target, list):
            return _strategic_list(field or '', target, patch)
        return strip_directives(patch)
    if patch.get('$patch') == 'replace':
        return strip_directives(patch)
    if patch.get('$patch') == 'delete':
        return None
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith('$'):
            continue
        new = None if value is None else strategic_patch(result.get(key), value, key)
        if new is None:
            result.pop(key, None)
        else:
            result[key] = new
    return result


def strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_directives(v) for k, v in value.items() if not k.startswith('$')}
    if isinstance(value, list):
        return [strip_directives(v) for v in value]
    return value


def json_patch(target: dict[str, Any], ops: Any) -> Any:
    if not isinstance(ops, list):
        raise PatchError('a JSON patch must be a list of operations')
    try:
        return jsonpatch.apply_patch(copy.deepcopy(target), ops, in_place=False)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, KeyError,
            IndexError, TypeError) as e:
        raise PatchError(f'the JSON patch cannot be applied: {e}') from e


def apply_patch(content_type: str, target: dict[str, Any], patch: Any) -> Any:
    """Apply a PATCH body by its Content-Type, as the API server picks the patch strategy."""
    ctype = content_type.split(';')[0].strip().lower()
    if ctype == 'application/json-patch+json':
        return json_patch(target, patch)
    if not isinstance(patch, dict):
        raise PatchError(f'a {ctype or "merge"} patch must be a JSON object')
    if ctype == 'application/merge-patch+json':
        return merge_patch(target, patch)
    # strategic-merge-patch+json, and apply-patch+yaml (server-side apply, without field owners)
    return strategic_patch(target, patch)


# --- selectors --------------------------------------------------------------------------------

_REQ = re.compile(r'^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=|\s+in\s+|\s+notin\s+)\s*(.*?))?\s*$')


def _split_selector(text: str) -> list[str]:
    parts, depth, current = [], 0, ''
    for ch in text:
        depth += ch == '('
        depth -= ch == ')'
        if ch == ',' and depth == 0:
            parts.append(current)
            current = ''
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_label_selector(text: str | None) -> list[tuple[str, str, Any]]:
    """`a=b,c!=d,e in (f,g),h notin (i),j,!k` as (op, key, value) triples."""
    result = []
    for part in _split_selector(text or ''):
        m = _REQ.match(part)
        if not m:
            raise SelectorError(f'unable to parse requirement: {part!r}')
        neg, key, op, value = m.group(1), m.group(2), (m.group(3) or '').strip(), m.group(4)
        if neg:
            result.append(('!', key, None))
        elif not op:
            result.append(('exists', key, None))
        elif op in ('in', 'notin'):
            values = {v.strip() for v in (value or '').strip().strip('()').split(',') if v.strip()}
            result.append((op, key, values))
        else:
            result.append(('!=' if op == '!=' else '=', key, value))
    return result


def labels_match(selector: list[tuple[str, str, Any]], labels: dict[str, str] | None) -> bool:
    labels = labels or {}
    for op, key, value in selector:
        ok = {
            '!': lambda: key not in labels,
            'exists': lambda: key in labels,
            'in': lambda: labels.get(key) in value,
            'notin': lambda: labels.get(key) not in value,
            '=': lambda: labels.get(key) == value,
            '!=': lambda: labels.get(key) != value,
        }[op]()
        if not ok:
            return False
    return True


def parse_field_selector(text: str | None) -> list[tuple[str, str, str]]:
    result = []
    for part in _split_selector(text or ''):
        m = re.match(r'^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$', part)
        if not m:
            raise SelectorError(f'invalid field selector: {part!r}')
        result.append(('!=' if m.group(2) == '!=' else '=', m.group(1), m.group(3)))
    return result


def fields_match(selector: list[tuple[str, str, str]], obj: dict[str, Any]) -> bool:
    for op, path, value in selector:
        current: Any = obj
        for step in path.split('.'):
            current = current.get(step) if isinstance(current, dict) else None
        actual = '' if current is None else str(current).lower() if isinstance(current, bool) else str(current)
        if (actual == value) != (op == '='):
            return False
    return True


def selector_string(match_labels: dict[str, str] | None) -> str:
    return ','.join(f'{k}={v}' for k, v in sorted((match_labels or {}).items()))
