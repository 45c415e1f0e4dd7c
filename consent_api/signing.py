"""The ledger's signing key (Ed25519), kept outside the database.

``SIGNING_KEY_FILE`` names a PEM file (PKCS#8, unencrypted, readable by the API only). Without
it the key is ``ledger-signing-key.pem`` in the product's data folder, made on first use with
mode 0600. Several API machines on one PostgreSQL must share one key file (a secret to
distribute like a TLS key); a key made on each machine would still verify (every key signs
its own checkpoints) but auditors would have to pin several.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consent_api.errors import ConfigError
from consent_api.verifier import key_id_of

log = logging.getLogger("consent_api")
KEY_FILE = "ledger-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_key: str  # base64 of the raw 32 bytes
    key_id: str  # first 16 hex digits of SHA-256(raw public key)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()

    @classmethod
    def from_private(cls, private: Ed25519PrivateKey) -> SigningKey:
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        public = base64.b64encode(raw).decode()
        return cls(private, public, key_id_of(public))


_LOADED: dict[Path, SigningKey] = {}
_LOCK = threading.Lock()


def load_key(path: Path, *, create: bool = True) -> SigningKey:
    """The key in ``path``, made (atomically, mode 0600) when missing and ``create``."""
    path = path.expanduser()
    with _LOCK:
        if path in _LOADED:
            return _LOADED[path]
        if not path.exists() and create:
            _create(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"SIGNING_KEY_FILE: cannot read {path} ({exc.strerror})") from None
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise ConfigError(
                f"SIGNING_KEY_FILE: {path} is not an unencrypted PEM private key"
            ) from None
        if not isinstance(private, Ed25519PrivateKey):
            raise ConfigError(f"SIGNING_KEY_FILE: {path} is not an Ed25519 key")
        key = SigningKey.from_private(private)
        _LOADED[path] = key
        return key


def _create(path: Path) -> None:
    """Write a new key without ever leaving a partial file, and without replacing a key another
    process made at the same moment (link fails if the name exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
        log.warning(
            "made a new ledger signing key %s: back it up, and give auditors its public key", path
        )
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
