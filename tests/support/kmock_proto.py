"""Protobuf request bodies for the kmock test peer (see kmock_server.py).

kubectl's typed commands (`create namespace`, `create configmap`, `create secret`,
`auth can-i`) send their bodies as Kubernetes protobuf, never as JSON. Decoding protobuf needs
each type's schema, so only those few types are decoded here, into the JSON the rest of the
server works with; any other protobuf body is answered 415 with a hint to send JSON.
"""
import base64
from typing import Any

MAGIC = b'k8s\x00'


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def fields(buf: bytes) -> list[tuple[int, Any]]:
    """The (field number, value) pairs of one message: ints for varints, bytes otherwise."""
    out, pos = [], 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f'unsupported protobuf wire type {wire}')
        out.append((number, value))
    return out


def _strings(buf: bytes, names: dict[int, str]) -> dict[str, Any]:
    return {names[n]: v.decode() for n, v in fields(buf) if n in names and isinstance(v, bytes)}


def _map(entries: list[bytes], binary: bool = False) -> dict[str, str]:
    result = {}
    for entry in entries:
        kv = dict(fields(entry))
        value = kv.get(2, b'')
        result[kv.get(1, b'').decode()] = base64.b64encode(value).decode() if binary else value.decode()
    return result


def _meta(buf: bytes) -> dict[str, Any]:
    meta = _strings(buf, {1: 'name', 2: 'generateName', 3: 'namespace'})
    parts = fields(buf)
    for number, key in ((11, 'labels'), (12, 'annotations')):
        entries = [v for n, v in parts if n == number]
        if entries:
            meta[key] = _map(entries)
    finalizers = [v.decode() for n, v in parts if n == 14]
    if finalizers:
        meta['finalizers'] = finalizers
    return meta


def _namespace(parts: list[tuple[int, Any]]) -> dict[str, Any]:
    return {}


def _configmap(parts: list[tuple[int, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    data, binary = [v for n, v in parts if n == 2], [v for n, v in parts if n == 3]
    if data:
        body['data'] = _map(data)
    if binary:
        body['binaryData'] = _map(binary, binary=True)
    return body


def _secret(parts: list[tuple[int, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    data = [v for n, v in parts if n == 2]
    if data:
        body['data'] = _map(data, binary=True)
    for n, v in parts:
        if n == 3:
            body['type'] = v.decode()
    return body


def _access_review(parts: list[tuple[int, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for n, v in parts:
        if n != 2:
            continue
        for sn, sv in fields(v):
            if sn == 1:
                spec['resourceAttributes'] = _strings(sv, {
                    1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource',
                    6: 'subresource', 7: 'name'})
            elif sn == 2:
                spec['nonResourceAttributes'] = _strings(sv, {1: 'path', 2: 'verb'})
    return {'spec': spec}


DECODERS = {'Namespace': _namespace, 'ConfigMap': _configmap, 'Secret': _secret,
            'SelfSubjectAccessReview': _access_review}


def decode(body: bytes) -> dict[str, Any]:
    """Decode a protobuf-enveloped object of a supported kind; ValueError otherwise."""
    if not body.startswith(MAGIC):
        raise ValueError('not a Kubernetes protobuf body')
    envelope = fields(body[len(MAGIC):])
    type_meta = _strings(next((v for n, v in envelope if n == 1), b''), {1: 'apiVersion', 2: 'kind'})
    raw = next((v for n, v in envelope if n == 2), b'')
    kind = type_meta.get('kind', '')
    if kind not in DECODERS:
        raise ValueError(f'kmock decodes no protobuf {kind or "body"}: send JSON or YAML '
                         '(e.g. `kubectl create -f`, `kubectl apply -f`)')
    parts = fields(raw)
    obj = dict(type_meta, metadata=_meta(next((v for n, v in parts if n == 1), b'')))
    obj.update(DECODERS[kind](parts))
    return obj
