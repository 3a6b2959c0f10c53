import pytest

from emu_testlib import Runner


@pytest.fixture
def runner(tmp_path, monkeypatch, tt_cache_dir):
    return Runner(tmp_path, monkeypatch)
