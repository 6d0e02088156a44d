"""Stored bodies and texts read back byte-identical, whatever codec, level or cached dictionary wrote them."""
from __future__ import annotations

import random
import zlib
from pathlib import Path

from sqlite_utils import Database

from storage import blobs
from storage.blobs import BLOB_COLUMNS, ZDICT_BYTES, ZSTD_MAGIC, blob_hash, load_blob, store_blob
from storage.content import load_body, load_text, store_body, store_text


def _blob_db(path: Path) -> Database:
    db = Database(path)
    for table in blobs.TABLES:
        db[table].create(BLOB_COLUMNS, pk="hash")
    db["html_roots"].create({"source": str, "hash": str}, pk="source")
    return db


def _page(n: int, frame: str, noise: random.Random) -> bytes:
    """A government-style page (under zlib's 32 KiB window): a shared frame around an article of its own,
    with some random ids as in real templates, so that a base helps but not entirely."""
    ids = "".join(f'<a href="/col/col{noise.randrange(10**6)}/">{noise.randrange(10**4)}</a>' for _ in range(40))
    article = "".join(f"<p>第{n}号文件第{i}条：到{2025 + i % 6}年培育{(n * i) % 97}家人形机器人企业。</p>"
                      for i in range(25))
    return f"<html><head><title>第{n}号</title></head><body>{frame}{article}{ids}{frame[::-1]}</body></html>".encode()


def test_bodies_and_texts_read_back_byte_identical(tmp_path: Path) -> None:
    db = _blob_db(tmp_path / "a.db")
    noise = random.Random(7)
    frame = "".join(f'<li><a href="/menu/{i}.html">栏目{i}</a></li>' for i in range(150))
    bodies = [_page(n, frame, noise) for n in range(12)]
    previous = None
    keys = []
    for n, body in enumerate(bodies):
        # a few pages are the previous page edited (its base is then the page itself), most are new pages
        keys.append(store_body(db, body, source="s", previous=previous if n % 4 == 3 else None))
        previous = keys[-1]
    texts = ["到2030年，人形机器人产业规模突破1000亿元。" * k for k in range(1, 6)]
    text_keys = [store_text(db, texts[0])]
    for text in texts[1:]:
        text_keys.append(store_text(db, text, previous=text_keys[-1]))
    assert [load_body(db, k) for k in keys] == bodies
    assert [load_text(db, k) for k in text_keys] == texts
    assert keys == [blob_hash(b) for b in bodies]
    rows = {r["hash"]: r for r in db["bodies"].rows}
    assert max(r["depth"] for r in rows.values()) <= blobs.MAX_DEPTH
    # the frame is shared: pages after the first are stored against a base, much smaller than alone
    assert all(rows[k]["base"] is not None for k in keys[1:])
    assert all(len(rows[k]["data_z"]) < len(blobs._compress(bodies[i])) * 0.8 for i, k in enumerate(keys[1:], 1))
    assert all(row["data_z"].startswith(ZSTD_MAGIC) for row in rows.values())
    # a body stored again is found, not stored twice, and keeps its depth
    assert store_blob(db, "bodies", bodies[5]) == blobs.StoredBlob(keys[5], rows[keys[5]]["depth"])
    assert db["bodies"].count == len(bodies)


def test_an_archive_written_with_zlib_stays_readable_and_serves_as_base(tmp_path: Path) -> None:
    """Archives written before zstd hold zlib streams (level 6, the base's last 32 KiB as dictionary), some of
    them a source's frame: they read back, and a new zstd value is stored against them."""
    db = _blob_db(tmp_path / "old.db")
    noise = random.Random(3)
    frame = "".join(f'<li><a href="/nav/{i}.html">导航{i}</a></li>' for i in range(150))
    old_root, old_delta = _page(1, frame, noise), _page(2, frame, noise)
    root_key, delta_key = blob_hash(old_root), blob_hash(old_delta)
    old_z = zlib.compressobj(6)
    delta_z = zlib.compressobj(6, zdict=old_root[-ZDICT_BYTES:])
    db["bodies"].insert_all([
        {"hash": root_key, "base": None, "depth": 0, "data_z": old_z.compress(old_root) + old_z.flush(),
         "bytes": len(old_root)},
        {"hash": delta_key, "base": root_key, "depth": 1,
         "data_z": delta_z.compress(old_delta) + delta_z.flush(), "bytes": len(old_delta)}])
    db["html_roots"].insert({"source": "s", "hash": root_key})
    assert load_body(db, root_key) == old_root and load_body(db, delta_key) == old_delta
    new = _page(3, frame, noise)
    new_key = store_body(db, new, source="s", previous=delta_key)
    assert load_body(db, new_key) == new
    stored = db["bodies"].get(new_key)
    assert stored["base"] in (root_key, delta_key) and stored["data_z"].startswith(ZSTD_MAGIC)
    assert len(stored["data_z"]) < len(blobs._compress(new)) * 0.8  # the zlib-stored base helped


def test_a_cached_dictionary_serves_every_archive_that_holds_the_base(tmp_path: Path) -> None:
    """Compressors primed with a base are shared by content hash: a second archive with the same frame page
    compresses against it correctly, and a full cache drops the least recently used base."""
    noise = random.Random(11)
    frame = "".join(f'<li><a href="/m/{i}.html">菜单{i}</a></li>' for i in range(150))
    root = _page(0, frame, noise)
    first, second = _blob_db(tmp_path / "1.db"), _blob_db(tmp_path / "2.db")
    for db in (first, second):
        store_body(db, root, source="s")
        page = _page(9, frame, noise)
        key = store_body(db, page, source="s")
        assert db["bodies"].get(key)["base"] == blob_hash(root)
        assert load_body(db, key) == page
    cache = blobs._PrimedDictionaries(2)
    made = []
    for digest in ("a", "b", "a", "c"):
        cache.get(digest, lambda d=digest: made.append(d) or root)
    assert made == ["a", "b", "c"] and list(cache._primed) == ["a", "c"]
    assert load_blob(first, "bodies", blob_hash(root)) == root


def test_a_body_its_source_frame_does_not_help_becomes_the_new_frame(tmp_path: Path) -> None:
    """A body unlike the frame is stored alone, and is the frame the source's next pages are stored against."""
    db = _blob_db(tmp_path / "a.db")
    noise = random.Random(2)
    unlike = bytes(noise.randrange(256) for _ in range(20_000))  # shares nothing with any page
    store_body(db, unlike, source="s")
    words = ["".join(noise.choice("abcdefghij") for _ in range(noise.randrange(3, 9))) for _ in range(3000)]
    page = ("<p>" + " ".join(words) + "</p>").encode()
    key = store_body(db, page, source="s")
    assert db["bodies"].get(key)["depth"] == 0
    assert db["html_roots"].get("s")["hash"] == key
    assert load_body(db, key) == page


def test_an_empty_base_is_no_dictionary_on_either_side(tmp_path: Path) -> None:
    """An empty text can be the previous text of a page; what is stored against it reads back."""
    db = _blob_db(tmp_path / "a.db")
    empty = store_text(db, "")
    key = store_text(db, "到2035年，建成10个量子科技产业园。" * 20, previous=empty)
    assert load_text(db, empty) == ""
    assert load_text(db, key) == "到2035年，建成10个量子科技产业园。" * 20
