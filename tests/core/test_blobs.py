"""The evidence store: content-addressed, idempotent, verified on read; the local
directory and an S3-compatible server on loopback (moto in server mode)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from capacity_exit.config import Settings
from capacity_exit.core.blobs import (
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    blob_store,
)

BUCKET = "capexit-evidence"
PHOTO = b"\xff\xd8\xff\xe0 a photo of a furnace" + bytes(range(256)) * 40
NOT_DIGESTS = ["../../etc/passwd", "ABC", "0" * 63, "G" * 64, ("A" * 64), "0" * 64 + "/x"]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """An S3-compatible server on a free loopback port for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def s3_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("s3-keys")
    access, secret = directory / "access_key", directory / "secret_key"
    access.write_text("capexit-test-access\n", "utf-8")
    secret.write_text("capexit-test-secret\n", "utf-8")
    return access, secret


def s3_settings(endpoint: str, keys: tuple[Path, Path], tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path,
        evidence_store="s3",
        evidence_s3_endpoint=endpoint,
        evidence_s3_bucket=BUCKET,
        evidence_s3_region="us-east-1",
        evidence_s3_access_key_file=keys[0],
        evidence_s3_secret_key_file=keys[1],
    )


@pytest.fixture(scope="module")
def admin(s3_server: str) -> Any:
    """A plain boto3 client of the server: what an operator (or an attacker) does there."""
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="capexit-test-access",
        aws_secret_access_key="capexit-test-secret",
    )


@pytest.fixture
def local(tmp_path: Path) -> LocalBlobStore:
    store = blob_store(Settings(var_dir=tmp_path))
    assert isinstance(store, LocalBlobStore)
    return store


@pytest.fixture(scope="module")
def s3_store(
    s3_server: str, s3_keys: tuple[Path, Path], admin: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[S3BlobStore]:
    """The store as the settings make it, on a bucket of its own (one client: the store
    is made once a process)."""
    admin.create_bucket(Bucket=BUCKET)
    store = blob_store(s3_settings(s3_server, s3_keys, tmp_path_factory.mktemp("var")))
    assert isinstance(store, S3BlobStore)
    yield store
    admin.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3(s3_store: S3BlobStore, admin: Any) -> Iterator[S3BlobStore]:
    """The S3 store, its bucket emptied after each test."""
    yield s3_store
    for item in admin.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        admin.delete_object(Bucket=BUCKET, Key=item["Key"])


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> BlobStore:
    value: BlobStore = request.getfixturevalue(request.param)
    return value


# -- Both stores ----------------------------------------------------------------------


async def test_a_blob_is_named_by_its_sha256_and_read_back(store: BlobStore) -> None:
    digest = await store.put(PHOTO)
    assert digest == hashlib.sha256(PHOTO).hexdigest()
    assert await store.exists(digest)
    assert await store.get(digest) == PHOTO


async def test_putting_the_same_bytes_again_is_the_same_blob(store: BlobStore) -> None:
    first = await store.put(PHOTO)
    assert await store.put(PHOTO) == first
    assert await store.get(first) == PHOTO
    other = await store.put(PHOTO + b"!")
    assert other != first and await store.get(other) == PHOTO + b"!"


async def test_an_absent_blob_is_not_found(store: BlobStore) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not await store.exists(absent)
    with pytest.raises(BlobNotFound):
        await store.get(absent)


@pytest.mark.parametrize("name", NOT_DIGESTS)
async def test_anything_but_a_digest_names_no_blob(store: BlobStore, name: str) -> None:
    await store.put(PHOTO)
    assert not await store.exists(name)
    with pytest.raises(BlobNotFound):
        await store.get(name)


# -- The local directory --------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def test_the_local_store_fans_out_in_the_var_dir(
    local: LocalBlobStore, tmp_path: Path
) -> None:
    digest = await local.put(PHOTO)
    expected = tmp_path / "evidence" / digest[:2] / digest[2:4] / digest
    assert files_under(tmp_path / "evidence") == [expected]
    assert expected.read_bytes() == PHOTO
    assert expected.stat().st_mode & 0o077 == 0  # the service's user's alone


async def test_many_tasks_storing_the_same_file_leave_one_whole_blob(
    local: LocalBlobStore,
) -> None:
    big = PHOTO * 200  # ~2 MB: a write takes long enough for readers to meet it
    digest = hashlib.sha256(big).hexdigest()

    async def read() -> bytes | None:
        """What a reader meanwhile sees: nothing yet, or the whole blob (never a part)."""
        try:
            return await local.get(digest)
        except BlobNotFound:
            return None

    answers = await asyncio.gather(
        *(local.put(big) for _ in range(40)), *(read() for _ in range(40))
    )
    assert set(answers[:40]) == {digest}
    assert set(answers[40:]) <= {None, big}
    assert files_under(local.root) == [local.path(digest)]  # no temporary file left
    assert await local.get(digest) == big


async def test_a_local_blob_changed_on_disk_is_never_served(local: LocalBlobStore) -> None:
    digest = await local.put(PHOTO)
    local.path(digest).write_bytes(PHOTO[:-1] + b"X")
    with pytest.raises(BlobCorrupt):
        await local.get(digest)


def test_the_evidence_directory_can_be_set(tmp_path: Path) -> None:
    store = blob_store(Settings(var_dir=tmp_path, evidence_dir=tmp_path / "elsewhere"))
    assert isinstance(store, LocalBlobStore) and store.root == tmp_path / "elsewhere"


# -- The S3-compatible store ----------------------------------------------------------


async def test_the_s3_store_keeps_one_object_and_writes_it_once(
    s3: S3BlobStore, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = await s3.put(PHOTO)
    writes: list[str] = []
    put_object = s3._client.put_object

    def counted(**arguments: Any) -> Any:
        writes.append(arguments["Key"])
        return put_object(**arguments)

    monkeypatch.setattr(s3._client, "put_object", counted)
    assert await s3.put(PHOTO) == digest
    assert writes == []
    listing = admin.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [(item["Key"], item["Size"]) for item in listing] == [
        (f"{digest[:2]}/{digest[2:4]}/{digest}", len(PHOTO))
    ]


async def test_an_s3_object_changed_behind_the_store_is_never_served(
    s3: S3BlobStore, admin: Any
) -> None:
    digest = await s3.put(PHOTO)
    admin.put_object(Bucket=BUCKET, Key=s3.key(digest), Body=b"tampered")
    with pytest.raises(BlobCorrupt):
        await s3.get(digest)


async def test_a_missing_bucket_is_an_error_not_an_absent_blob(
    s3_server: str, s3_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    from botocore.exceptions import ClientError

    settings = s3_settings(s3_server, s3_keys, tmp_path)
    store = blob_store(settings.model_copy(update={"evidence_s3_bucket": "capexit-absent"}))
    with pytest.raises(ClientError):
        await store.put(PHOTO)


def test_the_s3_store_needs_a_bucket_and_both_key_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CAPEXIT_EVIDENCE_S3_BUCKET"):
        Settings(var_dir=tmp_path, evidence_store="s3")
    with pytest.raises(ValueError, match="go together"):
        Settings(var_dir=tmp_path, evidence_s3_access_key_file=tmp_path / "key")
