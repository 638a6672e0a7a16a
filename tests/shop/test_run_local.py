"""`make run PORT=…`: links made without a request (QR codes on labels, e-mails) use the port served on."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run_local.py"


def load_script():
    spec = importlib.util.spec_from_file_location("run_local", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["127.0.0.1:8000"], "http://127.0.0.1:8000"),
        (["127.0.0.1:8123"], "http://127.0.0.1:8123"),
        (["--noreload", "0.0.0.0:9000"], "http://0.0.0.0:9000"),
        (["8001"], "http://127.0.0.1:8001"),
        ([], "http://127.0.0.1:8000"),
    ],
)
def test_the_base_url_follows_the_address_served_on(argv, expected):
    assert load_script().base_url(argv) == expected
