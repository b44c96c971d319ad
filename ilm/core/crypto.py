"""Authenticated encryption for worker identity and other secrets, with key rotation.

A stored value looks like ``enc1$<key id>$<base64url(nonce || AES-256-GCM ciphertext)>``.
The key id names which of the configured keys encrypted it, so several keys can be
live at once: the first key in ``ILM_ENCRYPTION_KEYS`` encrypts, every key decrypts,
and ``manage.py rotate_keys`` re-encrypts everything under the first key.
The *purpose* (e.g. ``cases.worker.name``) is bound as associated data, so a
ciphertext copied into another column does not decrypt.

Blind indexes are keyed HMAC-SHA256 digests of a normalised value: they allow an
exact-match lookup (is this phone number already known?) without storing the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted (unknown key id, tampering, wrong column)."""


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        keys: dict[str, bytes] = {}
        primary = ""
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            kid, sep, encoded = item.partition(":")
            if not sep or not kid or "$" in kid:
                raise ImproperlyConfigured("ILM_ENCRYPTION_KEYS entries must look like 'keyid:base64key'.")
            try:
                key = base64.urlsafe_b64decode(encoded.strip())
            except (binascii.Error, ValueError) as exc:
                raise ImproperlyConfigured(f"Encryption key {kid!r} is not valid base64.") from exc
            if len(key) != 32:
                raise ImproperlyConfigured(f"Encryption key {kid!r} must be 32 bytes (AES-256).")
            if kid in keys:
                raise ImproperlyConfigured(f"Encryption key id {kid!r} appears twice.")
            keys[kid] = key
            primary = primary or kid
        if not keys:
            raise ImproperlyConfigured("ILM_ENCRYPTION_KEYS is empty.")
        return cls(primary_id=primary, keys=keys)


@lru_cache(maxsize=4)
def _keyring(spec: str) -> Keyring:
    return Keyring.parse(spec)


def keyring() -> Keyring:
    return _keyring(settings.ILM_ENCRYPTION_KEYS)


@lru_cache(maxsize=4)
def _blind_key(spec: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(spec)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("ILM_BLIND_INDEX_KEY is not valid base64.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("ILM_BLIND_INDEX_KEY must be at least 32 bytes.")
    return key


def encrypt(plaintext: str, *, purpose: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(ring.keys[ring.primary_id]).encrypt(nonce, plaintext.encode("utf-8"), purpose.encode("utf-8"))
    payload = base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")
    return f"{PREFIX}${ring.primary_id}${payload}"


def key_id_of(token: str) -> str | None:
    """The key id a stored value was encrypted with, or None if it is not a ciphertext."""
    parts = token.split("$", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parts[1]


def is_ciphertext(value: object) -> bool:
    return isinstance(value, str) and key_id_of(value) is not None


def decrypt(token: str, *, purpose: str) -> str:
    kid = key_id_of(token)
    if kid is None:
        raise DecryptionError("Value is not an ILM ciphertext.")
    key = keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"No configured key has id {kid!r}.")
    try:
        raw = base64.urlsafe_b64decode(token.split("$", 2)[2])
        plaintext = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("Ciphertext failed authentication.") from exc
    return plaintext.decode("utf-8")


FILE_PREFIX = b"ilmf1$"


def encrypt_bytes(data: bytes, *, purpose: str) -> bytes:
    """A file's bytes encrypted like a value: ``ilmf1$<key id>$`` then nonce and AES-256-GCM ciphertext."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(ring.keys[ring.primary_id]).encrypt(nonce, data, purpose.encode("utf-8"))
    return FILE_PREFIX + ring.primary_id.encode("ascii") + b"$" + nonce + ciphertext


def decrypt_bytes(blob: bytes, *, purpose: str) -> bytes:
    if not blob.startswith(FILE_PREFIX):
        raise DecryptionError("Value is not an ILM encrypted file.")
    kid_bytes, sep, raw = blob[len(FILE_PREFIX) :].partition(b"$")
    key = keyring().keys.get(kid_bytes.decode("ascii", errors="replace")) if sep else None
    if key is None:
        raise DecryptionError("No configured key can open this file.")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode("utf-8"))
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("Ciphertext failed authentication.") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed digest of an already-normalised value, for exact-match lookups."""
    key = _blind_key(settings.ILM_BLIND_INDEX_KEY)
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def open_stored_file(storage: Any, name: str, *, purpose: str) -> IO[bytes]:
    """A stored file's plain bytes, for reading: decrypted when it was written by `encrypt_bytes`; files
    written in clear before encryption at rest (case files of earlier versions) are read as they are."""
    with storage.open(name, "rb") as handle:
        blob = handle.read()
    return io.BytesIO(decrypt_bytes(blob, purpose=purpose) if blob.startswith(FILE_PREFIX) else blob)
