"""Content-addressed storage of evidence files (issue 17), outside the database's rows.

A blob is named by the sha256 of its bytes: storing the same file twice stores it
once, a name cannot be guessed from anything but the content, and every read checks
that the bytes still hash to their name. Two stores behind one interface: a local
directory (the default) and an S3-compatible object store (the production option).
See docs/decisions.md, "Issue 17: evidence files".
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

_DIGEST = re.compile(r"[0-9a-f]{64}")


class BlobNotFound(KeyError):
    """No blob of that digest (or the digest is not one)."""


class BlobCorrupt(RuntimeError):
    """A stored blob's bytes no longer hash to its name: never served."""


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str:
        """Store `data`; its sha256 hex. Storing it again changes nothing."""
        ...

    async def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`; BlobNotFound if none, BlobCorrupt if they
        do not hash to it."""
        ...

    async def exists(self, digest: str) -> bool: ...


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_key(digest: str) -> str:
    """Where a blob lives: `ab/cd/abcd…`, two levels of fan-out (no directory grows to
    millions of entries). Anything but a lowercase sha256 hex is BlobNotFound, so a
    digest from a request can never name another path."""
    if not _DIGEST.fullmatch(digest):
        raise BlobNotFound(digest)
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


def _verified(digest: str, data: bytes) -> bytes:
    if digest_of(data) != digest:
        raise BlobCorrupt(f"blob {digest} does not match its content")
    return data


class LocalBlobStore:
    """Blobs as files under `root`, written atomically (a temporary file renamed into
    place), so a reader sees a whole blob or none, whatever runs at the same time."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / blob_key(digest)

    async def put(self, data: bytes) -> str:
        digest = digest_of(data)
        await asyncio.to_thread(self._write, self.path(digest), data)
        return digest

    async def get(self, digest: str) -> bytes:
        path = self.path(digest)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFound(digest) from None
        return _verified(digest, data)

    async def exists(self, digest: str) -> bool:
        try:
            path = self.path(digest)
        except BlobNotFound:
            return False
        return await asyncio.to_thread(path.is_file)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.is_file():
            return  # the same name is the same content
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Readable by the service's user only (mkstemp's 0600), fsynced before the rename
        # so that a crash leaves the old state or the whole file, never a short one.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)  # the same content from a racing put: harmless
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class S3BlobStore:
    """Blobs as objects of an S3-compatible store (AWS S3, MinIO, Ceph RGW, …).

    boto3 is synchronous; each call runs in a thread (`asyncio.to_thread`). The client
    is created once: boto3 clients are thread-safe."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        # Credentials given, or else boto3's own chain (AWS_ACCESS_KEY_ID and
        # AWS_SECRET_ACCESS_KEY, a profile, an instance role).
        config = Config(
            # Other S3-compatible stores serve buckets by path, not by host name.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            # Checksums only where S3 requires them: the CRC headers botocore adds by
            # default are refused by some S3-compatible stores. The content is verified
            # on read against its sha256 name instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=30,
        )
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )

    def key(self, digest: str) -> str:
        return f"{self.prefix}{blob_key(digest)}"

    async def put(self, data: bytes) -> str:
        digest = digest_of(data)
        key = self.key(digest)
        if not await self._exists(key):
            await asyncio.to_thread(
                self._client.put_object,
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType="application/octet-stream",
            )
        return digest

    async def get(self, digest: str) -> bytes:
        key = self.key(digest)
        try:
            data = await asyncio.to_thread(self._read, key)
        except self._client.exceptions.NoSuchKey:
            raise BlobNotFound(digest) from None
        return _verified(digest, data)

    async def exists(self, digest: str) -> bool:
        try:
            key = self.key(digest)
        except BlobNotFound:
            return False
        return await self._exists(key)

    def _read(self, key: str) -> bytes:
        answer = self._client.get_object(Bucket=self.bucket, Key=key)
        body: bytes = answer["Body"].read()
        return body

    async def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


class BlobSettings(Protocol):
    """What `blob_store` reads of the application's settings (config.Settings, which
    core does not import)."""

    @property
    def evidence_store(self) -> str: ...
    @property
    def evidence_path(self) -> Path: ...
    @property
    def evidence_s3_endpoint(self) -> str | None: ...
    @property
    def evidence_s3_bucket(self) -> str | None: ...
    @property
    def evidence_s3_region(self) -> str | None: ...
    @property
    def evidence_s3_access_key_file(self) -> Path | None: ...
    @property
    def evidence_s3_secret_key_file(self) -> Path | None: ...


def _secret(path: Path | None) -> str | None:
    return path.read_text("utf-8").strip() if path is not None else None


def blob_store(settings: BlobSettings) -> BlobStore:
    """The store the settings name: `local` (a directory) or `s3`."""
    if settings.evidence_store == "s3":
        if not settings.evidence_s3_bucket:
            raise ValueError("CAPEXIT_EVIDENCE_STORE=s3 needs CAPEXIT_EVIDENCE_S3_BUCKET")
        return S3BlobStore(
            bucket=settings.evidence_s3_bucket,
            endpoint_url=settings.evidence_s3_endpoint,
            region=settings.evidence_s3_region,
            access_key=_secret(settings.evidence_s3_access_key_file),
            secret_key=_secret(settings.evidence_s3_secret_key_file),
        )
    return LocalBlobStore(settings.evidence_path)
